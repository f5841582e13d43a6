#!/bin/sh
# Backs up the InstantViz database (report §1): pg_dump in custom format into $BACKUP_DIR
# under a timestamped name, with a sha256 checksum beside it, then the retention policy:
# backups older than $RETENTION_DAYS days (default 30) are removed, except the newest one,
# which is never removed. Every step is logged to $BACKUP_DIR/backup.log.
#
# Daily, from cron:  0 2 * * * BACKUP_DIR=/var/backups/instantviz DATABASE_URL=… backup-database.sh
#
# A backup is published (renamed from *.partial) only when pg_dump exited 0: a full disk
# or a dropped connection leaves a partial file that pg_dump reports, and this script then
# removes it and exits non-zero, so that cron mails the failure.
set -eu

: "${DATABASE_URL:?DATABASE_URL must name the database to back up}"
BACKUP_DIR=${BACKUP_DIR:-/var/backups/instantviz}
RETENTION_DAYS=${RETENTION_DAYS:-30}

log() {
    line="$(date -u +%Y-%m-%dT%H:%M:%SZ) backup: $*"
    echo "$line"
    echo "$line" >> "$BACKUP_DIR/backup.log" 2>/dev/null || true
}

mkdir -p "$BACKUP_DIR"
name="instantviz_$(date -u +%Y%m%dT%H%M%S.%NZ).dump"
partial="$BACKUP_DIR/$name.partial"
trap 'rm -f "$partial" "$BACKUP_DIR/$name.sha256.partial"' EXIT
trap 'exit 1' INT TERM

if ! pg_dump --format=custom --file="$partial" --dbname="$DATABASE_URL"; then
    log "FAILED: pg_dump did not finish; no backup was written"
    exit 1
fi
sum=$(sha256sum < "$partial" | cut -d ' ' -f 1)
printf '%s  %s\n' "$sum" "$name" > "$BACKUP_DIR/$name.sha256.partial"
mv "$partial" "$BACKUP_DIR/$name"
mv "$BACKUP_DIR/$name.sha256.partial" "$BACKUP_DIR/$name.sha256"
log "wrote $name ($(wc -c < "$BACKUP_DIR/$name") bytes, sha256 $sum)"

# retention: older than RETENTION_DAYS days goes, the newest backup never does
newest=$(ls -1t "$BACKUP_DIR"/instantviz_*.dump | head -n 1)
find "$BACKUP_DIR" -maxdepth 1 -name 'instantviz_*.dump' -mtime +"$RETENTION_DAYS" |
    while IFS= read -r old; do
        [ "$old" = "$newest" ] && continue
        rm -rf -- "$old" "$old.sha256"
        log "removed $(basename -- "$old") (older than $RETENTION_DAYS days)"
    done
