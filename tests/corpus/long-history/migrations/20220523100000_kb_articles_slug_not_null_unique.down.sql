ALTER TABLE kb_articles DROP CONSTRAINT IF EXISTS kb_articles_organization_id_slug_key;
ALTER TABLE kb_articles ALTER COLUMN slug DROP NOT NULL;
