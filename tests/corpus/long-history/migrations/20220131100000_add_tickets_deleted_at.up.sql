ALTER TABLE tickets ADD COLUMN deleted_at TIMESTAMPTZ;

CREATE INDEX tickets_live_organization_id_updated_at_idx ON tickets (organization_id, updated_at DESC)
    WHERE deleted_at IS NULL;
