#!/usr/bin/env bash
#
# backup-database.sh - Back up the Tallybook PostgreSQL database
#
# Writes a compressed plain-SQL dump (pg_dump --clean --if-exists | gzip) to
#   $BACKUP_DIR/<database>_YYYYMMDD_HHMMSS.sql.gz
# points $BACKUP_DIR/latest_backup.sql.gz at it, and deletes backups older than
# $RETENTION_DAYS days (default 30). Everything is logged to $BACKUP_DIR/backup.log.
#
# Connection: DATABASE_URL, or the standard PG* variables (PGHOST, PGPORT, PGUSER,
# PGPASSWORD, PGDATABASE), as cron or CI pass them. When neither is set (a manual run
# on the docker host) the credentials come from infra/.env and the database is reached
# on 127.0.0.1:5432, where docker compose publishes it.
#
# Daily at 02:00 (crontab -e):
#   0 2 * * * BACKUP_DIR=/var/backups/tallybook /opt/tallybook/infra/scripts/backup-database.sh >> /var/log/tallybook-backup.log 2>&1
#
# Exit status: 0 when the backup was written and verified, 1 otherwise (cron mails it).

set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
INFRA_DIR="$(dirname "$SCRIPT_DIR")"

BACKUP_DIR="${BACKUP_DIR:-$INFRA_DIR/backups}"
RETENTION_DAYS="${RETENTION_DAYS:-30}"
LOG_FILE="$BACKUP_DIR/backup.log"

mkdir -p "$BACKUP_DIR"

log() {
    echo "[$(date '+%Y-%m-%d %H:%M:%S')] $*" | tee -a "$LOG_FILE"
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
    # libpq does not know SQLAlchemy's driver suffix (postgresql+psycopg2://)
    DB_URL="$(printf '%s' "$DATABASE_URL" | sed -E 's#^postgres(ql)?(\+[a-z0-9]+)?://#postgresql://#')"
    DB_NAME="${DB_URL##*/}"
    DB_NAME="${DB_NAME%%\?*}"
    CONNECT=(--dbname="$DB_URL")
else
    DB_NAME="${PGDATABASE:-tallybook}"
    CONNECT=()
fi

# --- backup file name ----------------------------------------------------------
TIMESTAMP="$(date +%Y%m%d_%H%M%S)"
BACKUP_FILE="$BACKUP_DIR/${DB_NAME}_${TIMESTAMP}.sql.gz"
# Two runs in the same second (a manual run while cron fires) must never write to the
# same file: claim the name atomically (noclobber = O_EXCL) and take the next free one.
n=1
while ! (set -o noclobber; : > "$BACKUP_FILE") 2>/dev/null; do
    if [[ ! -e "$BACKUP_FILE" ]]; then
        log "ERROR: cannot create $BACKUP_FILE"
        exit 1
    fi
    BACKUP_FILE="$BACKUP_DIR/${DB_NAME}_${TIMESTAMP}_${n}.sql.gz"
    n=$((n + 1))
done

COMPLETE=0
cleanup() {
    local rc=$?
    if [[ $COMPLETE -eq 0 ]]; then
        rm -f "$BACKUP_FILE"
        log "ERROR: backup FAILED (exit $rc); removed incomplete $(basename "$BACKUP_FILE")"
        [[ $rc -eq 0 ]] && rc=1
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- dump --------------------------------------------------------------------------
log "Starting backup of database '$DB_NAME' -> $BACKUP_FILE"
START=$(date +%s)

# pipefail: a pg_dump that dies half-way (server gone, connection cut) fails the
# pipeline even though gzip exits 0 on the partial stream
if ! pg_dump "${CONNECT[@]}" --no-password --clean --if-exists | gzip -6 > "$BACKUP_FILE"; then
    log "ERROR: pg_dump | gzip failed"
    exit 1
fi

# --- verify ------------------------------------------------------------------------
if ! gzip -t "$BACKUP_FILE"; then
    log "ERROR: $BACKUP_FILE is not a valid gzip file"
    exit 1
fi
if ! gunzip -c "$BACKUP_FILE" | tail -n 5 | grep 'PostgreSQL database dump complete' > /dev/null; then
    log "ERROR: $BACKUP_FILE does not end with pg_dump's completion marker"
    exit 1
fi
COMPLETE=1

SIZE="$(du -h "$BACKUP_FILE" | cut -f1)"
log "Backup complete: $(basename "$BACKUP_FILE") ($SIZE, $(( $(date +%s) - START ))s)"

ln -sf "$BACKUP_FILE" "$BACKUP_DIR/latest_backup.sql.gz"
log "latest_backup.sql.gz -> $(basename "$BACKUP_FILE")"

# --- retention ---------------------------------------------------------------------
# only after a successful backup: a failing schedule never eats the last good backups
DELETED="$(find "$BACKUP_DIR" -name '*.sql.gz' -type f -mtime +"$RETENTION_DAYS" -print -delete | wc -l)"
log "Retention: deleted $DELETED backup(s) older than $RETENTION_DAYS days"

REMAINING="$(find "$BACKUP_DIR" -name '*.sql.gz' -type f | wc -l)"
log "Done. $REMAINING backup(s) in $BACKUP_DIR"
