-- NOT VALID: tickets is large, validated in a follow-up migration
ALTER TABLE tickets
    ADD CONSTRAINT tickets_priority_fkey FOREIGN KEY (priority) REFERENCES priorities (key) NOT VALID;
