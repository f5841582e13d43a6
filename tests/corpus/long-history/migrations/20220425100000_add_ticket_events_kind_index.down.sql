DROP INDEX IF EXISTS ticket_events_kind_created_at_idx;
