-- comments_ticket_id_created_at_idx serves the same lookups
DROP INDEX IF EXISTS comments_ticket_id_idx;
