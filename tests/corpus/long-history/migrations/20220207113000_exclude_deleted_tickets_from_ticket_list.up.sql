CREATE OR REPLACE VIEW ticket_list AS
SELECT t.id,
       t.organization_id,
       t.subject,
       t.status,
       t.priority,
       c.email AS customer_email,
       c.name AS customer_name,
       u.full_name AS assignee_name,
       t.created_at,
       t.updated_at
FROM tickets t
LEFT JOIN customers c ON c.id = t.customer_id
LEFT JOIN users u ON u.id = t.assignee_id
WHERE t.deleted_at IS NULL;
