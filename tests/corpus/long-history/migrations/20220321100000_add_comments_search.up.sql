ALTER TABLE comments ADD COLUMN body_tsv TSVECTOR
    GENERATED ALWAYS AS (to_tsvector('english', coalesce(body, ''))) STORED;

CREATE INDEX comments_body_tsv_idx ON comments USING GIN (body_tsv);
