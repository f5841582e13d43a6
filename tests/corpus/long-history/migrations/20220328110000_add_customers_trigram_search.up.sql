CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX customers_name_trgm_idx ON customers USING GIN (name gin_trgm_ops);
CREATE INDEX customers_email_trgm_idx ON customers USING GIN (email gin_trgm_ops);
