ALTER TABLE invoices DROP CONSTRAINT invoices_currency_check;
ALTER TABLE invoices ADD CONSTRAINT invoices_currency_check CHECK (currency IN ('usd', 'eur', 'gbp')) NOT VALID;
