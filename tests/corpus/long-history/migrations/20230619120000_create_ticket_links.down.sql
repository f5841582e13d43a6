DROP TABLE IF EXISTS ticket_links;
