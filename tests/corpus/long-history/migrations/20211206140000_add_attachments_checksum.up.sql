ALTER TABLE attachments ADD COLUMN checksum CHAR(64);
