ALTER TABLE satisfaction_ratings DROP COLUMN IF EXISTS reason;
