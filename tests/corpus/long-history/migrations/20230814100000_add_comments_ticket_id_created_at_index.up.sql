CREATE INDEX comments_ticket_id_created_at_idx ON comments (ticket_id, created_at);
