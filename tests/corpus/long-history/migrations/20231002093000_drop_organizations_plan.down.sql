ALTER TABLE organizations ADD COLUMN plan TEXT;

UPDATE organizations o
SET plan = p.key
FROM subscriptions s
JOIN plans p ON p.id = s.plan_id
WHERE s.organization_id = o.id;
