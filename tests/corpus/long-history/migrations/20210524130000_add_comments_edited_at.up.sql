ALTER TABLE comments ADD COLUMN edited_at TIMESTAMPTZ;

-- "my replies" page filters by author
CREATE INDEX comments_author_id_idx ON comments (author_id);
