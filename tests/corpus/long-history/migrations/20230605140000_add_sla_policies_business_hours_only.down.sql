ALTER TABLE sla_policies DROP COLUMN IF EXISTS business_hours_only;
