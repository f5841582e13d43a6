INSERT INTO subscriptions (organization_id, plan_id, status, seats)
SELECT o.id, p.id, 'active', greatest(1, (SELECT count(*) FROM memberships m WHERE m.organization_id = o.id))
FROM organizations o
JOIN plans p ON p.key = o.plan
ON CONFLICT (organization_id) DO NOTHING;
