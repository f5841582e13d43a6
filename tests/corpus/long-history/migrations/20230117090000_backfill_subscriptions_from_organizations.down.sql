DELETE FROM subscriptions;
