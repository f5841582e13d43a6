CREATE TABLE kb_categories (
    id SERIAL PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name VARCHAR(80) NOT NULL,
    position SMALLINT NOT NULL DEFAULT 0,
    UNIQUE (organization_id, name)
);

ALTER TABLE kb_articles ADD COLUMN category_id INTEGER REFERENCES kb_categories (id) ON DELETE SET NULL;
CREATE INDEX kb_articles_category_id_idx ON kb_articles (category_id);
