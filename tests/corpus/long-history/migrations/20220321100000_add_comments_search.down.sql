DROP INDEX IF EXISTS comments_body_tsv_idx;
ALTER TABLE comments DROP COLUMN IF EXISTS body_tsv;
