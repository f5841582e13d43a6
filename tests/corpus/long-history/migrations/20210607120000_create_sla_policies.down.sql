DROP TABLE IF EXISTS sla_policies;
