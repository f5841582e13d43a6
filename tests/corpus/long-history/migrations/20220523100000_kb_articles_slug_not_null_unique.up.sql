ALTER TABLE kb_articles ALTER COLUMN slug SET NOT NULL;
ALTER TABLE kb_articles ADD CONSTRAINT kb_articles_organization_id_slug_key UNIQUE (organization_id, slug);
