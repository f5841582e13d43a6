ALTER TABLE webhooks ADD COLUMN description VARCHAR(200);
