#!/usr/bin/env bash
# monitor-database.sh: database health, connections, table sizes and backup status
# (report §7). Uses the PG* environment; exits 1 when the database does not answer.
set -u
BACKUP_DIR="${BACKUP_DIR:-$(dirname "$0")/../backups}"

echo "== health"
if ! psql -X -q -t -A -c "SELECT 1" >/dev/null 2>&1; then
  echo "UNHEALTHY: the database at ${PGHOST:-localhost}:${PGPORT:-5432} does not answer"
  exit 1
fi
echo "healthy: $(psql -X -t -A -c "SELECT version()")"

echo "== connections"
psql -X -t -A -F ' ' -c "SELECT count(*) || ' connections (' || count(*) FILTER (WHERE state = 'active') || ' active) of ' || current_setting('max_connections') FROM pg_stat_activity WHERE backend_type = 'client backend'"

echo "== table sizes"
psql -X -t -A -F ' ' -c "SELECT relname, pg_size_pretty(pg_total_relation_size(relid)), n_live_tup || ' rows' FROM pg_stat_user_tables ORDER BY pg_total_relation_size(relid) DESC"

echo "== backups"
newest=$(ls -1t "$BACKUP_DIR" 2>/dev/null | head -n 1)
if [ -z "$newest" ]; then
  echo "WARNING: no backup in $BACKUP_DIR"
else
  age_hours=$(( ( $(date +%s) - $(stat -c %Y "$BACKUP_DIR/$newest") ) / 3600 ))
  echo "newest backup: $newest (${age_hours} h old)"
fi
