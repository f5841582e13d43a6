ALTER TABLE tickets DROP COLUMN IF EXISTS channel_metadata;
