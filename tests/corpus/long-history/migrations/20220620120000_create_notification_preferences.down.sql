DROP TABLE IF EXISTS notification_preferences;
