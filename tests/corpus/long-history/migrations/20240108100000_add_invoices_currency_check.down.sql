ALTER TABLE invoices DROP CONSTRAINT IF EXISTS invoices_currency_check;
