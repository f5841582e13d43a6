CREATE INDEX tickets_merged_into_id_idx ON tickets (merged_into_id) WHERE merged_into_id IS NOT NULL;
