#!/usr/bin/env bash
# Restore the shop database from a dump made by ops/backup.sh.
#
#   ops/restore.sh /srv/backups/shop/shop-2024-05-02.dump
#   BACKUP_FILE=/srv/backups/shop/shop-2024-05-02.dump ops/restore.sh
#
# Stop the app (or put it in maintenance mode) first. Before anything is touched
# the current database is dumped to $BACKUP_DIR/pre-restore-<timestamp>.dump, so a
# wrong restore can itself be undone. The restore runs in a single transaction:
# if anything fails, the database is left as it was.
set -euo pipefail

dump="${1:-${BACKUP_FILE:-}}"
if [ -z "$dump" ]; then
    echo "usage: $0 <dump file>   (or BACKUP_FILE=<dump file> $0)" >&2
    exit 64
fi
if [ ! -f "$dump" ]; then
    echo "restore: $dump: no such file" >&2
    exit 66
fi

BACKUP_DIR="${BACKUP_DIR:-$(dirname "$dump")}"
mkdir -p "$BACKUP_DIR"

# pg_restore needs -d, or it prints the SQL instead of restoring it
conn=(-d "${DATABASE_URL:-${PGDATABASE:-shop}}")

# refuse anything pg_restore cannot read before touching the database
pg_restore --list "$dump" > /dev/null

safety="$BACKUP_DIR/pre-restore-$(date +%Y%m%d-%H%M%S).dump"
echo "restore: saving the current database to $safety"
pg_dump -Fc --no-password "${conn[@]}" -f "$safety"

echo "restore: restoring $dump"
pg_restore --clean --if-exists --single-transaction --no-password "${conn[@]}" "$dump"
echo "restore: done"
