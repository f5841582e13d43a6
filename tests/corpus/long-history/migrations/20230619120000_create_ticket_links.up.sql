CREATE TABLE ticket_links (
    id BIGSERIAL PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    title VARCHAR(200),
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX ticket_links_ticket_id_idx ON ticket_links (ticket_id);
CREATE INDEX ticket_links_created_by_idx ON ticket_links (created_by);
