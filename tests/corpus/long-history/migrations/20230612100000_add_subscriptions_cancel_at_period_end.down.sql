ALTER TABLE subscriptions DROP COLUMN IF EXISTS cancel_at_period_end;
