DROP TABLE IF EXISTS webhook_deliveries;
