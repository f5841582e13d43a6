CREATE TABLE ticket_counters (
    organization_id BIGINT PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    last_number INTEGER NOT NULL DEFAULT 0
);

CREATE OR REPLACE FUNCTION next_ticket_number(org_id BIGINT) RETURNS INTEGER AS $$
DECLARE
    n INTEGER;
BEGIN
    UPDATE ticket_counters SET last_number = last_number + 1
    WHERE organization_id = org_id
    RETURNING last_number INTO n;
    IF n IS NULL THEN
        INSERT INTO ticket_counters (organization_id, last_number) VALUES (org_id, 1);
        n := 1;
    END IF;
    RETURN n;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION assign_ticket_number() RETURNS trigger AS $$
BEGIN
    IF NEW.number IS NULL THEN
        NEW.number := next_ticket_number(NEW.organization_id);
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

ALTER TABLE tickets ADD COLUMN number INTEGER;

CREATE TRIGGER tickets_assign_number BEFORE INSERT ON tickets
    FOR EACH ROW EXECUTE FUNCTION assign_ticket_number();
