ALTER TABLE satisfaction_ratings ADD COLUMN reason VARCHAR(40);
