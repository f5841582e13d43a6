CREATE TABLE kb_articles (
    id BIGSERIAL PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    title VARCHAR(200) NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    status VARCHAR(20) NOT NULL DEFAULT 'draft'
        CONSTRAINT kb_articles_status_check CHECK (status IN ('draft', 'published', 'archived')),
    author_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    published_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX kb_articles_organization_id_status_idx ON kb_articles (organization_id, status);

CREATE TRIGGER kb_articles_set_updated_at BEFORE UPDATE ON kb_articles
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
