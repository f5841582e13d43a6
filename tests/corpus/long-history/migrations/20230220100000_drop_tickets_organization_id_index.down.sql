CREATE INDEX tickets_organization_id_idx ON tickets (organization_id);
