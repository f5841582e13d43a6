CREATE MATERIALIZED VIEW daily_ticket_stats AS
SELECT organization_id,
       date_trunc('day', created_at)::date AS day,
       count(*) AS created,
       count(*) FILTER (WHERE status IN ('solved', 'closed')) AS resolved
FROM tickets
WHERE deleted_at IS NULL
GROUP BY organization_id, date_trunc('day', created_at)::date
WITH NO DATA;

CREATE UNIQUE INDEX daily_ticket_stats_organization_id_day_idx ON daily_ticket_stats (organization_id, day);
