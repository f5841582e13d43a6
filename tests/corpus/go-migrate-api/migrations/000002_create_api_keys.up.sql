CREATE TABLE IF NOT EXISTS api_keys (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id   uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name         text NOT NULL,
    prefix       text NOT NULL,              -- first 8 chars of the key, shown in the dashboard
    key_hash     bytea NOT NULL UNIQUE,      -- sha256 of the full key
    last_used_at timestamptz,
    revoked_at   timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS api_keys_account_id_idx ON api_keys (account_id);

-- a key name can be reused once the old key is revoked
CREATE UNIQUE INDEX IF NOT EXISTS api_keys_account_id_name_active_idx
    ON api_keys (account_id, name)
    WHERE revoked_at IS NULL;
