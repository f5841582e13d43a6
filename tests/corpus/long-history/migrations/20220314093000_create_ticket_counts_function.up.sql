CREATE OR REPLACE FUNCTION ticket_counts(org_id BIGINT)
RETURNS TABLE (status ticket_status, total BIGINT) AS $$
    SELECT t.status, count(*)
    FROM tickets t
    WHERE t.organization_id = org_id AND t.deleted_at IS NULL
    GROUP BY t.status
    ORDER BY t.status;
$$ LANGUAGE sql STABLE;
