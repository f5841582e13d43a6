#!/usr/bin/env bash
# Restores a backup made by scripts/backup.sh into the database DATABASE_URL points at.
#
#   BACKUP_FILE=/srv/backups/tasklane/backup-1718000000.dump scripts/restore.sh
#   scripts/restore.sh backups/backup-1718000000.dump
#
# 1. the file must be a pg_dump archive (pg_restore --list reads it), or nothing happens;
# 2. a safety dump of the current database goes to $BACKUP_DIR/pre-restore-<unix time>.dump;
# 3. pg_restore --clean replaces what is there with the backup's contents.
set -euo pipefail

source "$(dirname "$0")/env.sh"
mapfile -t CONN < <(pg_conn_args)

file="${BACKUP_FILE:-${1:-}}"
if [[ -z "$file" ]]; then
  echo "usage: BACKUP_FILE=<dump> $0   or   $0 <dump>" >&2
  exit 2
fi
if [[ ! -f "$file" ]]; then
  echo "restore: $file not found" >&2
  exit 1
fi
if ! pg_restore --list "$file" > /dev/null 2>&1; then
  echo "restore: $file is not a valid pg_dump archive, refusing to restore it" >&2
  exit 1
fi

BACKUP_DIR="${BACKUP_DIR:-$PROJECT_ROOT/backups}"
mkdir -p "$BACKUP_DIR"
safety="$BACKUP_DIR/pre-restore-$(date +%s).dump"
echo "restore: safety dump of the current database -> $safety"
if ! pg_dump "${CONN[@]}" -Fc -f "$safety"; then
  rm -f "$safety"
  echo "restore: safety dump failed, not restoring" >&2
  exit 1
fi

echo "restore: restoring $file"
# (pg_restore needs -d, or it only prints the SQL: with no URL, PGDATABASE names the target)
pg_restore --clean --if-exists --no-owner -d "${PG_URL:-${PGDATABASE:?set DATABASE_URL or PGDATABASE}}" "$file"
echo "restore: done"
