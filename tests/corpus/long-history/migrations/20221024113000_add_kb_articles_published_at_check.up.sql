ALTER TABLE kb_articles
    ADD CONSTRAINT kb_articles_published_at_check CHECK (status <> 'published' OR published_at IS NOT NULL) NOT VALID;
