CREATE TABLE macros (
    id SERIAL PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    title VARCHAR(120) NOT NULL,
    actions JSONB NOT NULL DEFAULT '[]',
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX macros_organization_id_idx ON macros (organization_id);

CREATE TRIGGER macros_set_updated_at BEFORE UPDATE ON macros
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
