DROP TABLE IF EXISTS custom_fields;
