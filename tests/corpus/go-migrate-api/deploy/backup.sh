#!/usr/bin/env bash
# Nightly backup of the ledger database. On the db host, from cron:
#   30 2 * * * cd /srv/ledger-api && . /etc/ledger/backup.env && deploy/backup.sh >> /var/log/ledger-backup.log 2>&1
#
# Directory-format pg_dump (parallel, 2 jobs) into $BACKUP_DIR/api-<UTC timestamp>/,
# with a SHA256SUMS file inside, then rotation: the newest 14 backups are kept.
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL is required}"
BACKUP_DIR="${BACKUP_DIR:-/srv/backups/ledger}"

mkdir -p "$BACKUP_DIR"
target="$BACKUP_DIR/api-$(date -u +%Y%m%dT%H%M%SZ)"

log() { echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) backup: $*"; }

if [[ -e "$target" ]]; then
  log "$target already exists, not overwriting it" >&2
  exit 1
fi

log "dumping to $target"
if ! pg_dump --format=directory --jobs=2 --file="$target" "$DATABASE_URL"; then
  log "pg_dump FAILED" >&2
  rm -rf "$target"
  exit 1
fi
(cd "$target" && sha256sum -- * > SHA256SUMS)
log "ok, $(du -sh "$target" | cut -f1)"

# rotation: two weeks of nightlies
ls -1dt "$BACKUP_DIR"/api-* | tail -n +15 | xargs rm -rf
