ALTER TABLE tickets DROP COLUMN IF EXISTS solved_at;
ALTER TABLE tickets DROP COLUMN IF EXISTS first_response_at;
