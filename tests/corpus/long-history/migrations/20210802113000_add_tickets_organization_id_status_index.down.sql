DROP INDEX IF EXISTS tickets_organization_id_status_idx;
