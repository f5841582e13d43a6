ALTER TABLE tickets ADD COLUMN requester_email VARCHAR(255);
ALTER TABLE tickets ADD COLUMN requester_name VARCHAR(120);
