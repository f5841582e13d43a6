DROP INDEX IF EXISTS comments_ticket_id_created_at_idx;
