DROP INDEX IF EXISTS kb_articles_category_id_idx;
ALTER TABLE kb_articles DROP COLUMN IF EXISTS category_id;
DROP TABLE IF EXISTS kb_categories;
