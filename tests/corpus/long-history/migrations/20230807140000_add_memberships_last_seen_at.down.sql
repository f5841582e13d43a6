ALTER TABLE memberships DROP COLUMN IF EXISTS last_seen_at;
