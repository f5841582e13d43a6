#!/usr/bin/env bash
# Nightly database backup (the droplet's crontab):
#   15 3 * * *  cd /srv/tasklane && BACKUP_DIR=/srv/backups/tasklane scripts/backup.sh >> /var/log/tasklane-backup.log 2>&1
#
# Custom-format pg_dump into $BACKUP_DIR/backup-<unix time>.dump, then deletes the dumps
# older than 14 days.
set -euo pipefail

source "$(dirname "$0")/env.sh"
mapfile -t CONN < <(pg_conn_args)

BACKUP_DIR="${BACKUP_DIR:-$PROJECT_ROOT/backups}"
RETENTION_DAYS="${RETENTION_DAYS:-14}"
mkdir -p "$BACKUP_DIR"

file="$BACKUP_DIR/backup-$(date +%s).dump"
echo "[$(date -u +%FT%TZ)] backing up to $file"

if ! pg_dump "${CONN[@]}" -Fc -f "$file"; then
  echo "[$(date -u +%FT%TZ)] pg_dump failed, removing $file" >&2
  rm -f "$file"
  exit 1
fi
echo "[$(date -u +%FT%TZ)] done: $(du -h "$file" | cut -f1)"

# retention: 14 days
find "$BACKUP_DIR" -maxdepth 1 -name 'backup-*.dump' -mtime +"$RETENTION_DAYS" -print -delete
