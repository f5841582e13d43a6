DROP INDEX IF EXISTS tickets_subject_trgm_idx;
