#!/usr/bin/env bash
# Nightly backup of the shop database, run by cron on the db host:
#
#   15 3 * * *  deploy  BACKUP_DIR=/srv/backups/shop /srv/shop/ops/backup.sh >> /var/log/shop-backup.log 2>&1
#
# Connection: DATABASE_URL if set (same variable the app reads), otherwise the
# usual PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE (or ~/.pgpass).
#
# One custom-format dump per day; dumps older than RETENTION_DAYS are pruned.
set -euo pipefail

BACKUP_DIR="${BACKUP_DIR:-/srv/backups/shop}"
RETENTION_DAYS="${RETENTION_DAYS:-7}"

mkdir -p "$BACKUP_DIR"
outfile="$BACKUP_DIR/shop-$(date +%F).dump"

echo "$(date -Is) backing up to $outfile"
if [ -n "${DATABASE_URL:-}" ]; then
    pg_dump -Fc --no-password -d "$DATABASE_URL" -f "$outfile"
else
    pg_dump -Fc --no-password -f "$outfile"
fi
echo "$(date -Is) done, $(du -h "$outfile" | cut -f1)"

# keep a week of dumps
find "$BACKUP_DIR" -maxdepth 1 -name 'shop-*.dump' -mtime +"$RETENTION_DAYS" -print -delete
