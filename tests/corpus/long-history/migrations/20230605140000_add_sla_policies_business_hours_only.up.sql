ALTER TABLE sla_policies ADD COLUMN business_hours_only BOOLEAN NOT NULL DEFAULT true;
