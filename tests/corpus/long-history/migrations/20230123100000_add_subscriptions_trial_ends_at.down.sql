ALTER TABLE subscriptions DROP COLUMN IF EXISTS trial_ends_at;
