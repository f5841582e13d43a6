-- the object store keeps the checksum now
ALTER TABLE attachments DROP COLUMN checksum;
