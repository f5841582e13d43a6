ALTER TABLE tickets DROP COLUMN IF EXISTS ai_summary_updated_at;
ALTER TABLE tickets DROP COLUMN IF EXISTS ai_summary;
