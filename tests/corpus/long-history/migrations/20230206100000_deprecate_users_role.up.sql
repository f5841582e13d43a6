COMMENT ON COLUMN users.role IS 'deprecated: use memberships.role';
