BEGIN;

CREATE TABLE IF NOT EXISTS transfers (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    from_account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE RESTRICT,
    to_account_id   uuid NOT NULL REFERENCES accounts (id) ON DELETE RESTRICT,
    amount          numeric(12,2) NOT NULL CHECK (amount > 0),
    currency        text NOT NULL DEFAULT 'USD',
    status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'posted', 'failed', 'reversed')),
    idempotency_key text,
    memo            text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    posted_at       timestamptz,
    CONSTRAINT transfers_distinct_accounts CHECK (from_account_id <> to_account_id)
);

CREATE INDEX IF NOT EXISTS transfers_from_account_id_created_at_idx
    ON transfers (from_account_id, created_at DESC);
CREATE INDEX IF NOT EXISTS transfers_to_account_id_created_at_idx
    ON transfers (to_account_id, created_at DESC);
-- retries of POST /v1/transfers with the same Idempotency-Key header
CREATE UNIQUE INDEX IF NOT EXISTS transfers_idempotency_key_idx
    ON transfers (from_account_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

-- double-entry: every posted transfer writes one debit and one credit
CREATE TABLE IF NOT EXISTS ledger_entries (
    id          bigserial PRIMARY KEY,
    transfer_id uuid NOT NULL REFERENCES transfers (id) ON DELETE CASCADE,
    account_id  uuid NOT NULL REFERENCES accounts (id),
    amount      numeric(12,2) NOT NULL CHECK (amount <> 0),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS ledger_entries_transfer_id_idx ON ledger_entries (transfer_id);

COMMIT;
