ALTER TABLE tickets ADD COLUMN ai_summary TEXT;
ALTER TABLE tickets ADD COLUMN ai_summary_updated_at TIMESTAMPTZ;
