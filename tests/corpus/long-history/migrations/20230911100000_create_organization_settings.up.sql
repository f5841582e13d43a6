CREATE TABLE organization_settings (
    organization_id BIGINT PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    week_start SMALLINT NOT NULL DEFAULT 1 CHECK (week_start BETWEEN 0 AND 6),
    ticket_prefix VARCHAR(10),
    auto_close_after_days INTEGER CHECK (auto_close_after_days > 0),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TRIGGER organization_settings_set_updated_at BEFORE UPDATE ON organization_settings
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
