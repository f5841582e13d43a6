#!/usr/bin/env bash
#
# monitor-database.sh - Health report for the Tallybook database
#
# Shows: health, connections, database and table sizes, slow queries
# (pg_stat_statements), long-running queries and backup status.
#
# Exit status (for cron / uptime checks):
#   0  healthy, and a backup younger than $BACKUP_MAX_AGE_HOURS (default 26) exists
#   1  the database does not answer, or a WARNING was printed (no recent backup, ...)
#
# Every 15 minutes, mailing on failure:
#   */15 * * * * BACKUP_DIR=/var/backups/tallybook /opt/tallybook/infra/scripts/monitor-database.sh > /tmp/tallybook-monitor.log 2>&1 || mail -s "Tallybook DB alert" ops@example.com < /tmp/tallybook-monitor.log
#
# Connection: DATABASE_URL or the PG* variables; without either, infra/.env and
# 127.0.0.1:5432 (as backup-database.sh).

set -uo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
INFRA_DIR="$(dirname "$SCRIPT_DIR")"

BACKUP_DIR="${BACKUP_DIR:-$INFRA_DIR/backups}"
BACKUP_MAX_AGE_HOURS="${BACKUP_MAX_AGE_HOURS:-26}"
MAX_CONNECTIONS_PCT="${MAX_CONNECTIONS_PCT:-80}"

WARNINGS=0
warn() {
    echo "WARNING: $*"
    WARNINGS=$((WARNINGS + 1))
}

# --- connection --------------------------------------------------------------
if [[ -z "${DATABASE_URL:-}" && -z "${PGHOST:-}" && -z "${PGDATABASE:-}" ]]; then
    if [[ -f "$INFRA_DIR/.env" ]]; then
        set -a
        # shellcheck disable=SC1091
        source "$INFRA_DIR/.env"
        set +a
    fi
    export PGHOST=127.0.0.1
    export PGPORT="${PGPORT:-5432}"
    export PGUSER="${POSTGRES_USER:-tallybook}"
    export PGPASSWORD="${POSTGRES_PASSWORD:-}"
    export PGDATABASE="${POSTGRES_DB:-tallybook}"
fi

if [[ -n "${DATABASE_URL:-}" ]]; then
    DB_URL="$(printf '%s' "$DATABASE_URL" | sed -E 's#^postgres(ql)?(\+[a-z0-9]+)?://#postgresql://#')"
    CONNECT=(--dbname="$DB_URL")
else
    CONNECT=()
fi

q() {
    psql "${CONNECT[@]}" -X -q --no-password -v ON_ERROR_STOP=1 "$@"
}

echo "=========================================="
echo " Tallybook database monitor - $(date '+%Y-%m-%d %H:%M:%S')"
echo "=========================================="

# --- health ------------------------------------------------------------------------
echo
echo "== Health"
if ! q -tA -c 'SELECT 1' > /dev/null 2>&1; then
    echo "CRITICAL: database is DOWN (no answer from ${PGHOST:-$DB_URL}:${PGPORT:-})"
    exit 1
fi
q -tA -F ' ' -c "SELECT 'OK: ' || current_database() || ' is up, ' || split_part(version(), ' on ', 1)
                        || ', up since ' || date_trunc('second', pg_postmaster_start_time())
                        || ', size ' || pg_size_pretty(pg_database_size(current_database()))"
if [[ "$(q -tA -c 'SELECT pg_is_in_recovery()')" == "t" ]]; then
    echo "NOTE: server is a standby (in recovery)"
fi

# --- connections -------------------------------------------------------------------
echo
echo "== Connections"
q -c "SELECT coalesce(state, 'background') AS state, count(*) AS connections
        FROM pg_stat_activity
       WHERE backend_type = 'client backend'
       GROUP BY 1 ORDER BY 2 DESC"
read -r USED MAX < <(q -tA -F ' ' -c "SELECT count(*), current_setting('max_connections')::int
                                        FROM pg_stat_activity WHERE backend_type = 'client backend'")
echo "Total connections: $USED / $MAX"
if (( USED * 100 >= MAX * MAX_CONNECTIONS_PCT )); then
    warn "connections at $USED of $MAX (>= ${MAX_CONNECTIONS_PCT}%)"
fi

# --- table sizes -------------------------------------------------------------------
echo
echo "== Table sizes"
q -c "SELECT relname AS table_name,
             n_live_tup AS rows,
             pg_size_pretty(pg_relation_size(relid)) AS data,
             pg_size_pretty(pg_indexes_size(relid)) AS indexes,
             pg_size_pretty(pg_total_relation_size(relid)) AS total
        FROM pg_stat_user_tables
       ORDER BY pg_total_relation_size(relid) DESC, relname"

# --- queries -----------------------------------------------------------------------
echo
echo "== Long-running queries (> 5 minutes)"
q -c "SELECT pid, usename, state, now() - query_start AS running_for, left(query, 80) AS query
        FROM pg_stat_activity
       WHERE state <> 'idle' AND query_start < now() - interval '5 minutes'
         AND backend_type = 'client backend'
       ORDER BY query_start"

echo
echo "== Slowest queries (pg_stat_statements)"
if [[ "$(q -tA -c "SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'")" == "1" ]]; then
    q -c "SELECT calls, round(mean_exec_time::numeric, 1) AS mean_ms, round(max_exec_time::numeric, 1) AS max_ms,
                 left(regexp_replace(query, '\s+', ' ', 'g'), 80) AS query
            FROM pg_stat_statements
           ORDER BY mean_exec_time DESC
           LIMIT 10" || echo "(pg_stat_statements is installed but not loaded)"
else
    echo "(pg_stat_statements extension not installed: CREATE EXTENSION pg_stat_statements;)"
fi

# --- backups -----------------------------------------------------------------------
echo
echo "== Backup status ($BACKUP_DIR)"
NEWEST=""
if [[ -d "$BACKUP_DIR" ]]; then
    NEWEST="$(find "$BACKUP_DIR" -maxdepth 1 -name '*.sql.gz' -type f -printf '%T@ %p\n' | sort -n | tail -n 1 | cut -d ' ' -f 2-)"
fi
if [[ -z "$NEWEST" ]]; then
    warn "no backup found in $BACKUP_DIR - is the backup cron job running?"
else
    COUNT="$(find "$BACKUP_DIR" -maxdepth 1 -name '*.sql.gz' -type f | wc -l)"
    AGE_SECONDS=$(( $(date +%s) - $(stat -c %Y "$NEWEST") ))
    AGE_HOURS=$(( AGE_SECONDS / 3600 ))
    echo "Latest backup: $(basename "$NEWEST") ($(du -h "$NEWEST" | cut -f1), ${AGE_HOURS}h old)"
    echo "Backups kept: $COUNT"
    if (( AGE_SECONDS > BACKUP_MAX_AGE_HOURS * 3600 )); then
        warn "latest backup is ${AGE_HOURS}h old (limit ${BACKUP_MAX_AGE_HOURS}h) - backups have stopped"
    fi
    if ! gzip -t "$NEWEST" 2>/dev/null; then
        warn "latest backup $(basename "$NEWEST") is not a valid gzip file"
    fi
fi

echo
if (( WARNINGS > 0 )); then
    echo "Status: $WARNINGS warning(s)"
    exit 1
fi
echo "Status: OK"
