DROP VIEW IF EXISTS ticket_metrics;
