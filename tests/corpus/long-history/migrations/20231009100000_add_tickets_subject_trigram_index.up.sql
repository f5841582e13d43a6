CREATE INDEX tickets_subject_trgm_idx ON tickets USING GIN (subject gin_trgm_ops);
