ALTER TABLE tickets ADD COLUMN merged_into_id BIGINT REFERENCES tickets (id) ON DELETE SET NULL;
ALTER TABLE tickets ADD CONSTRAINT tickets_not_merged_into_self CHECK (merged_into_id <> id);
