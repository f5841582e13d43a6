ALTER TABLE attachments DROP COLUMN IF EXISTS checksum;
