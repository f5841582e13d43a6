ALTER TABLE invoices VALIDATE CONSTRAINT invoices_currency_check;
