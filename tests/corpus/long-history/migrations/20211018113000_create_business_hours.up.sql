CREATE TABLE business_hours (
    id SERIAL PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    weekday SMALLINT NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    opens_at TIME NOT NULL,
    closes_at TIME NOT NULL,
    CONSTRAINT business_hours_closes_after_opens CHECK (closes_at > opens_at),
    UNIQUE (organization_id, weekday)
);
