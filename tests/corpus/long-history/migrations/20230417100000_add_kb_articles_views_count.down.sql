ALTER TABLE kb_articles DROP COLUMN IF EXISTS views_count;
