ALTER TABLE api_tokens ADD COLUMN scopes TEXT[] NOT NULL DEFAULT '{read}';
