CREATE TABLE saved_views (
    id SERIAL PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
    name VARCHAR(80) NOT NULL,
    filters JSONB NOT NULL,
    position SMALLINT NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX saved_views_organization_id_idx ON saved_views (organization_id);
CREATE INDEX saved_views_user_id_idx ON saved_views (user_id);
