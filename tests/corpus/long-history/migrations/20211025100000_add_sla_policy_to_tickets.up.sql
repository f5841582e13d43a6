ALTER TABLE tickets ADD COLUMN sla_policy_id INTEGER REFERENCES sla_policies (id) ON DELETE SET NULL;
CREATE INDEX tickets_sla_policy_id_idx ON tickets (sla_policy_id);
