ALTER TABLE tickets ADD COLUMN channel_metadata JSONB NOT NULL DEFAULT '{}';
