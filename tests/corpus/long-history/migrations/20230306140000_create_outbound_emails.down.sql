DROP TABLE IF EXISTS outbound_emails;
