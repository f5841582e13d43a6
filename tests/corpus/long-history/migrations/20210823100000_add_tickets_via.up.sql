ALTER TABLE tickets ADD COLUMN via VARCHAR(20) NOT NULL DEFAULT 'web';
ALTER TABLE tickets ADD CONSTRAINT tickets_via_check CHECK (via IN ('web', 'email', 'api', 'chat'));
