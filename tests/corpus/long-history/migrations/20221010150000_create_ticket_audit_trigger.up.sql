CREATE OR REPLACE FUNCTION log_ticket_change() RETURNS trigger AS $$
BEGIN
    IF NEW.status IS DISTINCT FROM OLD.status THEN
        INSERT INTO ticket_events (ticket_id, kind, data)
        VALUES (NEW.id, 'status_changed', jsonb_build_object('from', OLD.status, 'to', NEW.status));
    END IF;
    IF NEW.assignee_id IS DISTINCT FROM OLD.assignee_id THEN
        INSERT INTO ticket_events (ticket_id, kind, data)
        VALUES (NEW.id, 'assignee_changed', jsonb_build_object('from', OLD.assignee_id, 'to', NEW.assignee_id));
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER tickets_audit AFTER UPDATE ON tickets
    FOR EACH ROW EXECUTE FUNCTION log_ticket_change();
