-- subscriptions.plan_id is the source of truth since 20230117090000
ALTER TABLE organizations DROP COLUMN plan;
