CREATE TABLE custom_fields (
    id SERIAL PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    key VARCHAR(60) NOT NULL,
    label VARCHAR(120) NOT NULL,
    field_type VARCHAR(20) NOT NULL
        CONSTRAINT custom_fields_field_type_check CHECK (field_type IN ('text', 'number', 'date', 'dropdown', 'checkbox')),
    options JSONB,
    required BOOLEAN NOT NULL DEFAULT false,
    position SMALLINT NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (organization_id, key)
);
