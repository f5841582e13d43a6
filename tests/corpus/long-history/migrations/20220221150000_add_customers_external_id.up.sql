ALTER TABLE customers ADD COLUMN external_id VARCHAR(100);
ALTER TABLE customers
    ADD CONSTRAINT customers_organization_id_external_id_key UNIQUE (organization_id, external_id);
