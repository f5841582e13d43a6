CREATE TABLE holidays (
    id SERIAL PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name VARCHAR(80) NOT NULL,
    day DATE NOT NULL,
    UNIQUE (organization_id, day)
);
