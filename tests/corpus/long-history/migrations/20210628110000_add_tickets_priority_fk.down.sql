ALTER TABLE tickets DROP CONSTRAINT IF EXISTS tickets_priority_fkey;
