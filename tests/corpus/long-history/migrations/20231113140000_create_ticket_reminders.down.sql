DROP TABLE IF EXISTS ticket_reminders;
