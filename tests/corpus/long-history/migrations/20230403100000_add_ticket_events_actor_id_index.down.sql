DROP INDEX IF EXISTS ticket_events_actor_id_idx;
