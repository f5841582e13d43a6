CREATE INDEX tickets_customer_id_idx ON tickets (customer_id);
