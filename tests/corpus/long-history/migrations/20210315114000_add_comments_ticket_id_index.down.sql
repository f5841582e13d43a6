DROP INDEX IF EXISTS comments_ticket_id_idx;
