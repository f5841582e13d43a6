DROP VIEW IF EXISTS ticket_list;
