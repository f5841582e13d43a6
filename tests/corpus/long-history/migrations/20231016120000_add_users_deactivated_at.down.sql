ALTER TABLE users DROP COLUMN IF EXISTS deactivated_at;
