ALTER TABLE tickets ADD COLUMN assignee_id BIGINT REFERENCES users (id) ON DELETE SET NULL;
CREATE INDEX tickets_assignee_id_idx ON tickets (assignee_id);
