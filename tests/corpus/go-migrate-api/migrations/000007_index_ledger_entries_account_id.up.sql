-- ledger_entries is big in production: build the index without locking writes.
-- CONCURRENTLY cannot run in a transaction, so this file holds this one statement only
-- (golang-migrate sends a file as one multi-statement exec, which would be one).
CREATE INDEX CONCURRENTLY IF NOT EXISTS ledger_entries_account_id_created_at_idx
    ON ledger_entries (account_id, created_at DESC);
