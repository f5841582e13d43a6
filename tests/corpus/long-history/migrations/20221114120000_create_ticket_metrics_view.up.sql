CREATE VIEW ticket_metrics AS
SELECT organization_id,
       date_trunc('day', created_at) AS day,
       count(*) AS created,
       count(solved_at) AS solved,
       avg(first_response_at - created_at) AS avg_first_response,
       avg(solved_at - created_at) AS avg_resolution
FROM tickets
WHERE deleted_at IS NULL
GROUP BY organization_id, date_trunc('day', created_at);
