ALTER TABLE comments ADD COLUMN body_html TEXT;

-- blank comments come from a bug in the mobile app; stop new ones, old rows are cleaned up later
ALTER TABLE comments ADD CONSTRAINT comments_body_not_blank CHECK (btrim(body) <> '') NOT VALID;
