-- replaced by the case-insensitive users_lower_email_key
ALTER TABLE users DROP CONSTRAINT users_email_key;
