ALTER TABLE tickets VALIDATE CONSTRAINT tickets_priority_fkey;
