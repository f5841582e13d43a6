CREATE TABLE todos (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    list_id    bigint NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
    title      text NOT NULL CHECK (length(btrim(title)) > 0),
    done_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (list_id, title)
);

CREATE INDEX todos_list_id_idx ON todos (list_id) WHERE done_at IS NULL;
