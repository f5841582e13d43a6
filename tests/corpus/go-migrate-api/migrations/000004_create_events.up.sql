-- append-only audit log, one row per thing that happened to an account
CREATE TABLE IF NOT EXISTS events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    type        text NOT NULL,
    payload     jsonb NOT NULL DEFAULT '{}'::jsonb,
    ip          inet,
    occurred_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS events_type_occurred_at_idx ON events (type, occurred_at DESC);
CREATE INDEX IF NOT EXISTS events_occurred_at_brin_idx ON events USING brin (occurred_at);
