DROP TABLE IF EXISTS ticket_events;
