BEGIN;

UPDATE kb_articles SET published_at = updated_at WHERE status = 'published' AND published_at IS NULL;

ALTER TABLE kb_articles VALIDATE CONSTRAINT kb_articles_published_at_check;

COMMIT;
