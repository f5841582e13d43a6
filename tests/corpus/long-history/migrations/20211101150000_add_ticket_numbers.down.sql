DROP TRIGGER IF EXISTS tickets_assign_number ON tickets;
ALTER TABLE tickets DROP COLUMN IF EXISTS number;
DROP FUNCTION IF EXISTS assign_ticket_number();
DROP FUNCTION IF EXISTS next_ticket_number(BIGINT);
DROP TABLE IF EXISTS ticket_counters;
