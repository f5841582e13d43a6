CREATE TABLE notification_preferences (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    email_on_assign BOOLEAN NOT NULL DEFAULT true,
    email_on_comment BOOLEAN NOT NULL DEFAULT true,
    digest VARCHAR(10) NOT NULL DEFAULT 'daily'
        CONSTRAINT notification_preferences_digest_check CHECK (digest IN ('never', 'daily', 'weekly')),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
