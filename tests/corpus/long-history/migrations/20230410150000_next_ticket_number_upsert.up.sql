-- two first tickets of a new organization raced on the INSERT branch
DROP FUNCTION next_ticket_number(BIGINT);

CREATE OR REPLACE FUNCTION next_ticket_number(org_id BIGINT) RETURNS INTEGER AS $$
    INSERT INTO ticket_counters AS c (organization_id, last_number)
    VALUES (org_id, 1)
    ON CONFLICT (organization_id) DO UPDATE SET last_number = c.last_number + 1
    RETURNING last_number;
$$ LANGUAGE sql;
