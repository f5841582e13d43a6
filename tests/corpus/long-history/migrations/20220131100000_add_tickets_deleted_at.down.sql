DROP INDEX IF EXISTS tickets_live_organization_id_updated_at_idx;
ALTER TABLE tickets DROP COLUMN IF EXISTS deleted_at;
