DROP INDEX IF EXISTS tickets_assignee_id_idx;
ALTER TABLE tickets DROP COLUMN IF EXISTS assignee_id;
