BEGIN;

ALTER TABLE kb_articles ADD COLUMN slug VARCHAR(200);

UPDATE kb_articles
SET slug = trim(BOTH '-' FROM regexp_replace(lower(title), '[^a-z0-9]+', '-', 'g')) || '-' || id
WHERE slug IS NULL;

COMMIT;
