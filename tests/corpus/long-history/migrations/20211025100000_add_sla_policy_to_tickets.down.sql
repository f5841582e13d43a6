DROP INDEX IF EXISTS tickets_sla_policy_id_idx;
ALTER TABLE tickets DROP COLUMN IF EXISTS sla_policy_id;
