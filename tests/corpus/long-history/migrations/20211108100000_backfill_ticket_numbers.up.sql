BEGIN;

UPDATE tickets t
SET number = n.rn
FROM (
    SELECT id, row_number() OVER (PARTITION BY organization_id ORDER BY created_at, id) AS rn
    FROM tickets
) n
WHERE n.id = t.id AND t.number IS NULL;

INSERT INTO ticket_counters (organization_id, last_number)
SELECT organization_id, max(number) FROM tickets GROUP BY organization_id
ON CONFLICT (organization_id) DO UPDATE SET last_number = EXCLUDED.last_number;

ALTER TABLE tickets ALTER COLUMN number SET NOT NULL;

COMMIT;
