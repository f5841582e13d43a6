ALTER TABLE memberships ADD COLUMN last_seen_at TIMESTAMPTZ;
