ALTER TABLE customers DROP CONSTRAINT IF EXISTS customers_organization_id_external_id_key;
ALTER TABLE customers DROP COLUMN IF EXISTS external_id;
