BEGIN;

-- Postgres cannot drop an enum value: recreate the type without it
DROP VIEW ticket_list;

UPDATE tickets SET status = 'pending' WHERE status = 'on_hold';

ALTER TABLE tickets ALTER COLUMN status DROP DEFAULT;
ALTER TYPE ticket_status RENAME TO ticket_status_old;
CREATE TYPE ticket_status AS ENUM ('new', 'open', 'pending', 'solved', 'closed');
ALTER TABLE tickets ALTER COLUMN status TYPE ticket_status USING status::text::ticket_status;
ALTER TABLE tickets ALTER COLUMN status SET DEFAULT 'new';
DROP TYPE ticket_status_old;

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
LEFT JOIN users u ON u.id = t.assignee_id
WHERE t.deleted_at IS NULL;

COMMIT;
