ALTER TABLE tickets DROP COLUMN IF EXISTS requester_name;
ALTER TABLE tickets DROP COLUMN IF EXISTS requester_email;
