DROP INDEX IF EXISTS tickets_team_id_idx;
ALTER TABLE tickets DROP COLUMN IF EXISTS team_id;
