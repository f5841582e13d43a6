DROP INDEX IF EXISTS users_lower_email_key;
