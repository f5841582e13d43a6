BEGIN;

CREATE TYPE ticket_status AS ENUM ('new', 'open', 'pending', 'solved', 'closed');

DROP VIEW ticket_list;

ALTER TABLE tickets DROP CONSTRAINT tickets_status_check;
ALTER TABLE tickets ALTER COLUMN status DROP DEFAULT;
ALTER TABLE tickets ALTER COLUMN status TYPE ticket_status USING status::ticket_status;
ALTER TABLE tickets ALTER COLUMN status SET DEFAULT 'new';

CREATE VIEW ticket_list AS
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
LEFT JOIN users u ON u.id = t.assignee_id;

COMMIT;
