BEGIN;

ALTER TABLE memberships ADD COLUMN role VARCHAR(20) NOT NULL DEFAULT 'agent';
ALTER TABLE memberships
    ADD CONSTRAINT memberships_role_check CHECK (role IN ('owner', 'admin', 'agent', 'light_agent'));

UPDATE memberships m
SET role = u.role
FROM users u
WHERE u.id = m.user_id AND u.role IN ('owner', 'admin', 'agent', 'light_agent');

COMMIT;
