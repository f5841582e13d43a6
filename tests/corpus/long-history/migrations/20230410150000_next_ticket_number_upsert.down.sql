DROP FUNCTION next_ticket_number(BIGINT);

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
