DROP TABLE IF EXISTS ticket_field_values;
