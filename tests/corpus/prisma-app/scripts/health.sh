#!/usr/bin/env bash
# Database health report, one line per topic. Run every 5 minutes by the uptime cron,
# which pages when it exits non-zero:
#   exit 0  healthy
#   exit 1  the database answers but something needs attention (no backup, or a stale one)
#   exit 2  the database does not answer
set -uo pipefail

source "$(dirname "$0")/env.sh"
mapfile -t CONN < <(pg_conn_args)
BACKUP_DIR="${BACKUP_DIR:-$PROJECT_ROOT/backups}"
MAX_BACKUP_AGE_HOURS="${MAX_BACKUP_AGE_HOURS:-26}"

q() { psql "${CONN[@]}" -X -q -At -v ON_ERROR_STOP=1 -c "$1" 2>/dev/null; }

status=0

if ! version=$(q "SELECT current_setting('server_version')"); then
  host=$(printf '%s' "$PG_URL" | sed -E 's#^[a-z]+://([^@/]*@)?([^/?]*).*#\2#')
  [[ -n "$host" ]] || host="${PGHOST:-localhost}:${PGPORT:-5432}"
  echo "database: DOWN (no answer from $host)"
  exit 2
fi
echo "database: up, PostgreSQL $version, $(q "SELECT current_database() || ' ' || pg_size_pretty(pg_database_size(current_database())) || ', up since ' || to_char(pg_postmaster_start_time(), 'YYYY-MM-DD HH24:MI TZ')")"

echo "connections: $(q "SELECT count(*) || ' open (' || count(*) FILTER (WHERE state = 'active') || ' active, ' || count(*) FILTER (WHERE state = 'idle in transaction') || ' idle in transaction) of max ' || current_setting('max_connections') FROM pg_stat_activity WHERE backend_type = 'client backend'")"

echo "slow queries: $(q "SELECT count(*) || ' running longer than 1 min' FROM pg_stat_activity WHERE state = 'active' AND now() - query_start > interval '1 minute'"), logged when slower than $(q "SELECT current_setting('log_min_duration_statement')") ms"

# quote_ident: Prisma's tables are PascalCase, so they are shown as psql needs them ("User")
echo "tables: $(q "SELECT string_agg(quote_ident(relname) || ' ' || n_live_tup || ' rows ' || pg_size_pretty(pg_total_relation_size(relid)), ', ' ORDER BY relname) FROM pg_stat_user_tables")"

echo "migrations: $(q "SELECT count(*) || ' applied, last ' || coalesce(max(migration_name), 'none') || CASE WHEN count(*) FILTER (WHERE finished_at IS NULL AND rolled_back_at IS NULL) > 0 THEN ', FAILED MIGRATION PRESENT' ELSE '' END FROM \"_prisma_migrations\"" || echo "no _prisma_migrations table")"

newest=$(find "$BACKUP_DIR" -maxdepth 1 -name 'backup-*.dump' -printf '%T@ %p\n' 2>/dev/null | sort -rn | head -n 1 | cut -d ' ' -f 2-)
if [[ -z "$newest" ]]; then
  echo "backups: NONE in $BACKUP_DIR"
  status=1
else
  age_hours=$(( ( $(date +%s) - $(stat -c %Y "$newest") ) / 3600 ))
  count=$(find "$BACKUP_DIR" -maxdepth 1 -name 'backup-*.dump' | wc -l)
  if (( age_hours > MAX_BACKUP_AGE_HOURS )); then
    echo "backups: STALE, newest $(basename "$newest") is ${age_hours} h old ($count kept)"
    status=1
  else
    echo "backups: newest $(basename "$newest"), ${age_hours} h old, $(du -h "$newest" | cut -f1) ($count kept)"
  fi
fi

exit $status
