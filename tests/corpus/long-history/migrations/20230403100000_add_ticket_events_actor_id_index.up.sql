CREATE INDEX ticket_events_actor_id_idx ON ticket_events (actor_id);
