DROP TABLE IF EXISTS ticket_followers;
