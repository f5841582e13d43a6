CREATE TABLE ticket_field_values (
    ticket_id BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    custom_field_id INTEGER NOT NULL REFERENCES custom_fields (id) ON DELETE CASCADE,
    value JSONB NOT NULL,
    PRIMARY KEY (ticket_id, custom_field_id)
);

CREATE INDEX ticket_field_values_custom_field_id_idx ON ticket_field_values (custom_field_id);
