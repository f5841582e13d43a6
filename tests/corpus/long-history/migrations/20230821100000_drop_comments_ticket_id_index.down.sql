CREATE INDEX comments_ticket_id_idx ON comments (ticket_id);
