BEGIN;

ALTER TABLE tickets ADD COLUMN customer_id BIGINT REFERENCES customers (id) ON DELETE RESTRICT;

INSERT INTO customers (organization_id, email, name, created_at)
SELECT DISTINCT ON (organization_id, lower(requester_email))
       organization_id, lower(requester_email), requester_name, created_at
FROM tickets
WHERE requester_email IS NOT NULL
ORDER BY organization_id, lower(requester_email), created_at;

UPDATE tickets t
SET customer_id = c.id
FROM customers c
WHERE c.organization_id = t.organization_id
  AND c.email = lower(t.requester_email);

ALTER TABLE tickets DROP COLUMN requester_email;
ALTER TABLE tickets DROP COLUMN requester_name;

COMMIT;
