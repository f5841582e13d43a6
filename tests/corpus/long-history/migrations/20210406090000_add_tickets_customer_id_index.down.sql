DROP INDEX IF EXISTS tickets_customer_id_idx;
