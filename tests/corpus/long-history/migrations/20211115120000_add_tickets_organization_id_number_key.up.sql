ALTER TABLE tickets ADD CONSTRAINT tickets_organization_id_number_key UNIQUE (organization_id, number);
