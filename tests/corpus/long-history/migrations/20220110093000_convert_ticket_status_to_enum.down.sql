BEGIN;

DROP VIEW ticket_list;

ALTER TABLE tickets ALTER COLUMN status DROP DEFAULT;
ALTER TABLE tickets ALTER COLUMN status TYPE VARCHAR(20) USING status::text;
ALTER TABLE tickets ALTER COLUMN status SET DEFAULT 'new';
ALTER TABLE tickets
    ADD CONSTRAINT tickets_status_check CHECK (status IN ('new', 'open', 'pending', 'solved', 'closed'));

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

DROP TYPE ticket_status;

COMMIT;
