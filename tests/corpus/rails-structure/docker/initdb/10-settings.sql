-- Runs once, when the db container initialises an empty data directory
-- (docker-entrypoint-initdb.d). The entrypoint restarts the server after the
-- init scripts, so the preload takes effect on the first real start.
ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements';

\connect deskline_production
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
