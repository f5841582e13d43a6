CREATE TABLE priorities (
    key VARCHAR(10) PRIMARY KEY,
    label VARCHAR(40) NOT NULL,
    position SMALLINT NOT NULL
);

INSERT INTO priorities (key, label, position) VALUES
    ('low', 'Low', 1),
    ('normal', 'Normal', 2),
    ('high', 'High', 3),
    ('urgent', 'Urgent', 4);
