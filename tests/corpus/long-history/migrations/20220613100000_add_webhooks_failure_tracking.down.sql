ALTER TABLE webhooks DROP COLUMN IF EXISTS disabled_at;
ALTER TABLE webhooks DROP COLUMN IF EXISTS failure_count;
