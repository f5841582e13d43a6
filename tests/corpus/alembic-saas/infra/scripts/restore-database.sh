#!/usr/bin/env bash
#
# restore-database.sh - Restore the Tallybook database from a backup-database.sh backup
#
# Usage:
#   ./scripts/restore-database.sh backups/latest_backup.sql.gz
#   BACKUP_FILE=/var/backups/tallybook/tallybook_20250601_020000.sql.gz ./scripts/restore-database.sh
#
# Safety checks, before anything is touched:
#   1. the backup file exists and is a complete gzip stream (gzip -t: a truncated or
#      corrupted file is refused)
#   2. it is a complete pg_dump (ends with pg_dump's "dump complete" marker)
#   3. a safety backup of the database as it is NOW is written to
#      $BACKUP_DIR/pre_restore_<database>_YYYYMMDD_HHMMSS.sql.gz, so a wrong restore can be undone
# Then the dump is replayed with psql in ONE transaction (ON_ERROR_STOP): the database
# ends up exactly as in the backup, or is left as it was.
#
# Connection: DATABASE_URL or the PG* variables; without either, infra/.env and
# 127.0.0.1:5432 (as backup-database.sh). Asks for confirmation when run from a terminal
# (FORCE=1 skips it).

set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
INFRA_DIR="$(dirname "$SCRIPT_DIR")"

BACKUP_FILE="${BACKUP_FILE:-${1:-}}"
BACKUP_DIR="${BACKUP_DIR:-$INFRA_DIR/backups}"

log() {
    echo "[$(date '+%Y-%m-%d %H:%M:%S')] $*"
}

die() {
    log "ERROR: $*"
    log "Restore aborted. The database was NOT modified."
    exit 1
}

if [[ -z "$BACKUP_FILE" ]]; then
    echo "Usage: $0 <backup.sql.gz>   (or BACKUP_FILE=<backup.sql.gz> $0)" >&2
    echo "Available backups:" >&2
    ls -1t "$BACKUP_DIR"/*.sql.gz 2>/dev/null | head -n 10 >&2 || echo "  (none in $BACKUP_DIR)" >&2
    exit 2
fi

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
    DB_NAME="${DB_URL##*/}"
    DB_NAME="${DB_NAME%%\?*}"
    CONNECT=(--dbname="$DB_URL")
else
    DB_NAME="${PGDATABASE:-tallybook}"
    CONNECT=()
fi

# --- 1. safety checks on the backup -------------------------------------------------
log "Checking backup $BACKUP_FILE"
[[ -f "$BACKUP_FILE" ]] || die "backup file not found: $BACKUP_FILE"
[[ -s "$BACKUP_FILE" ]] || die "backup file is empty: $BACKUP_FILE"
gzip -t "$BACKUP_FILE" 2>/dev/null || die "backup file is corrupted or truncated (gzip -t failed): $BACKUP_FILE"
if ! gunzip -c "$BACKUP_FILE" | tail -n 5 | grep 'PostgreSQL database dump complete' > /dev/null; then
    die "backup file is not a complete pg_dump (no completion marker): $BACKUP_FILE"
fi
log "Backup file OK ($(du -hL "$BACKUP_FILE" | cut -f1))"

psql "${CONNECT[@]}" -X -q -tA -c 'SELECT 1' > /dev/null ||
    die "cannot connect to database '$DB_NAME'"

if [[ -t 0 && "${FORCE:-0}" != "1" ]]; then
    echo
    echo "WARNING: this will OVERWRITE database '$DB_NAME' with $(basename "$BACKUP_FILE")."
    read -r -p "Type 'yes' to continue: " answer
    [[ "$answer" == "yes" ]] || die "cancelled by user"
fi

# --- 2. safety backup of the current database ------------------------------------------
mkdir -p "$BACKUP_DIR"
TIMESTAMP="$(date +%Y%m%d_%H%M%S)"
SAFETY_FILE="$BACKUP_DIR/pre_restore_${DB_NAME}_${TIMESTAMP}.sql.gz"
n=1
while ! (set -o noclobber; : > "$SAFETY_FILE") 2>/dev/null; do
    [[ -e "$SAFETY_FILE" ]] || die "cannot create $SAFETY_FILE"
    SAFETY_FILE="$BACKUP_DIR/pre_restore_${DB_NAME}_${TIMESTAMP}_${n}.sql.gz"
    n=$((n + 1))
done

log "Taking safety backup of the current database -> $SAFETY_FILE"
if ! pg_dump "${CONNECT[@]}" --no-password --clean --if-exists | gzip -6 > "$SAFETY_FILE"; then
    rm -f "$SAFETY_FILE"
    die "safety backup failed"
fi
if ! gzip -t "$SAFETY_FILE"; then
    rm -f "$SAFETY_FILE"
    die "safety backup is not a valid gzip file"
fi
log "Safety backup complete ($(du -h "$SAFETY_FILE" | cut -f1))"

# --- 3. restore --------------------------------------------------------------------
log "Restoring $(basename "$BACKUP_FILE") into '$DB_NAME' (single transaction)"
START=$(date +%s)
if ! gunzip -c "$BACKUP_FILE" |
    psql "${CONNECT[@]}" -X -q -v ON_ERROR_STOP=1 --single-transaction > /dev/null; then
    log "ERROR: restore FAILED; the transaction was rolled back, '$DB_NAME' is unchanged"
    log "Safety backup of the database before this attempt: $SAFETY_FILE"
    exit 1
fi

# plain dumps carry no planner statistics
psql "${CONNECT[@]}" -X -q -c 'ANALYZE' > /dev/null

REVISION="$(psql "${CONNECT[@]}" -X -tA -c 'SELECT version_num FROM alembic_version' 2>/dev/null || true)"
log "Restore complete in $(( $(date +%s) - START ))s (alembic revision: ${REVISION:-unknown})"
log "To undo: $0 $SAFETY_FILE"
