ALTER TABLE invoices ADD COLUMN hosted_url TEXT;
