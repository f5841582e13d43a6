-- a constraint cannot be un-validated: put it back as it was, NOT VALID
ALTER TABLE tickets DROP CONSTRAINT tickets_priority_fkey;
ALTER TABLE tickets
    ADD CONSTRAINT tickets_priority_fkey FOREIGN KEY (priority) REFERENCES priorities (key) NOT VALID;
