CREATE INDEX tickets_organization_id_status_idx ON tickets (organization_id, status);
