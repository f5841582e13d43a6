#!/usr/bin/env bash
#
# test-backup-restore.sh - Prove that backups actually restore
#
# 1. takes a fresh backup with backup-database.sh
# 2. restores it with restore-database.sh into a scratch database <db>_restore_test
# 3. compares the row count of every table with the live database
# 4. drops the scratch database
#
# Run weekly (or after changing the backup scripts):
#   ./scripts/test-backup-restore.sh
# Expected output: "✓ BACKUP/RESTORE TEST PASSED"
#
# Needs a role that may CREATE DATABASE. Connection as for backup-database.sh.

set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
INFRA_DIR="$(dirname "$SCRIPT_DIR")"
export BACKUP_DIR="${BACKUP_DIR:-$INFRA_DIR/backups}"

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
    LIVE_URL="$(printf '%s' "$DATABASE_URL" | sed -E 's#^postgres(ql)?(\+[a-z0-9]+)?://#postgresql://#')"
    BASE_URL="${LIVE_URL%%\?*}"
    QUERY=""
    [[ "$LIVE_URL" == *\?* ]] && QUERY="?${LIVE_URL#*\?}"
    DB_NAME="${BASE_URL##*/}"
    TEST_DB="${DB_NAME}_restore_test"
    TEST_URL="${BASE_URL%/*}/${TEST_DB}${QUERY}"
    LIVE=(--dbname="$LIVE_URL")
    TEST=(--dbname="$TEST_URL")
    ADMIN=(--dbname="${BASE_URL%/*}/postgres${QUERY}")
else
    DB_NAME="${PGDATABASE:-tallybook}"
    TEST_DB="${DB_NAME}_restore_test"
    LIVE=(--dbname="$DB_NAME")
    TEST=(--dbname="$TEST_DB")
    ADMIN=(--dbname=postgres)
fi

echo "=========================================="
echo " Backup/restore test - $(date '+%Y-%m-%d %H:%M:%S')"
echo "=========================================="

cleanup() {
    psql "${ADMIN[@]}" -X -q -c "DROP DATABASE IF EXISTS \"$TEST_DB\"" > /dev/null 2>&1 || true
}
trap cleanup EXIT

echo
echo "[1/4] Creating a fresh backup..."
"$SCRIPT_DIR/backup-database.sh"
BACKUP_FILE="$(readlink -f "$BACKUP_DIR/latest_backup.sql.gz")"
echo "Backup: $BACKUP_FILE"

echo
echo "[2/4] Restoring into scratch database '$TEST_DB'..."
psql "${ADMIN[@]}" -X -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS \"$TEST_DB\"" -c "CREATE DATABASE \"$TEST_DB\"" > /dev/null
(
    if [[ -n "${DATABASE_URL:-}" ]]; then
        export DATABASE_URL="$TEST_URL"
    else
        export PGDATABASE="$TEST_DB"
    fi
    FORCE=1 BACKUP_FILE="$BACKUP_FILE" "$SCRIPT_DIR/restore-database.sh"
)
# the safety backup of the (empty) scratch database is of no use to anyone
find "$BACKUP_DIR" -maxdepth 1 -name "pre_restore_${TEST_DB}_*.sql.gz" -type f -delete

echo
echo "[3/4] Comparing row counts..."
COUNT_SQL="SELECT format('SELECT %L AS t, count(*) AS n FROM %I.%I', tablename, schemaname, tablename)
             FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
counts() {
    psql "$@" -X -q -tA -c "$COUNT_SQL" | while read -r stmt; do
        psql "$@" -X -q -tA -F ' ' -c "$stmt"
    done
}
LIVE_COUNTS="$(counts "${LIVE[@]}")"
TEST_COUNTS="$(counts "${TEST[@]}")"
printf '%s\n' "$LIVE_COUNTS" | sed 's/^/  /'
if [[ "$LIVE_COUNTS" != "$TEST_COUNTS" ]]; then
    echo
    echo "Row counts differ (live vs restored):"
    diff <(printf '%s\n' "$LIVE_COUNTS") <(printf '%s\n' "$TEST_COUNTS") || true
    echo
    echo "✗ BACKUP/RESTORE TEST FAILED"
    exit 1
fi

echo
echo "[4/4] Cleaning up..."
cleanup

echo
echo "✓ BACKUP/RESTORE TEST PASSED"
