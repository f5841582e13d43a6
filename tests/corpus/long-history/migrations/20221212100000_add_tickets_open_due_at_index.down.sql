DROP INDEX IF EXISTS tickets_open_due_at_idx;
