BEGIN;

ALTER TABLE tickets ADD COLUMN requester_email VARCHAR(255);
ALTER TABLE tickets ADD COLUMN requester_name VARCHAR(120);

UPDATE tickets t
SET requester_email = c.email,
    requester_name = c.name
FROM customers c
WHERE c.id = t.customer_id;

ALTER TABLE tickets DROP COLUMN customer_id;

DELETE FROM customers;

COMMIT;
