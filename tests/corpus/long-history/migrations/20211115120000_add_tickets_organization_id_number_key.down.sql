ALTER TABLE tickets DROP CONSTRAINT IF EXISTS tickets_organization_id_number_key;
