ALTER TABLE accounts
    ADD COLUMN IF NOT EXISTS last_login_ip inet,
    ADD COLUMN IF NOT EXISTS last_login_at timestamptz;
