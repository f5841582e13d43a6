DROP TABLE IF EXISTS satisfaction_ratings;
