ALTER TABLE kb_articles DROP CONSTRAINT IF EXISTS kb_articles_published_at_check;
