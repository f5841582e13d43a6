CREATE INDEX tickets_organization_id_created_at_idx ON tickets (organization_id, created_at DESC);
