CREATE INDEX tickets_open_due_at_idx ON tickets (due_at) WHERE solved_at IS NULL AND due_at IS NOT NULL;
