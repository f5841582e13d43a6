CREATE INDEX ticket_events_kind_created_at_idx ON ticket_events (kind, created_at);
