ALTER TABLE organizations DROP COLUMN IF EXISTS time_zone;
