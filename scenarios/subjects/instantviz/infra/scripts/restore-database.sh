#!/bin/sh
# Restores the InstantViz database from a backup made by backup-database.sh (report §1, §8):
#
#   BACKUP_FILE=/var/backups/instantviz/instantviz_20251102T020000.0Z.dump DATABASE_URL=… restore-database.sh
#
# Safety checks come first: the backup must match the sha256 checksum written beside it
# and be a pg_dump archive, or nothing is touched. Then a safety backup of the database as
# it is now goes into $BACKUP_DIR (pre-restore_<time>.dump), so that a wrong restore can be
# undone. Then the backup is restored in one transaction: completely, or not at all.
set -eu

file=${BACKUP_FILE:-${1:-}}
if [ -z "$file" ]; then
    echo "usage: BACKUP_FILE=<backup> $0   (or: $0 <backup>)" >&2
    exit 2
fi
: "${DATABASE_URL:?DATABASE_URL must name the database to restore into}"
BACKUP_DIR=${BACKUP_DIR:-$(dirname -- "$file")}

fail() {
    echo "restore: $*; nothing was changed" >&2
    exit 1
}

[ -f "$file" ] || fail "$file does not exist"
[ -f "$file.sha256" ] || fail "there is no checksum $file.sha256 beside the backup"
expected=$(cut -d ' ' -f 1 < "$file.sha256")
actual=$(sha256sum < "$file" | cut -d ' ' -f 1)
[ "$expected" = "$actual" ] || fail "$file does not match its checksum (expected $expected, found $actual)"
pg_restore --list "$file" > /dev/null || fail "$file is not a pg_dump archive"

safety="$BACKUP_DIR/pre-restore_$(date -u +%Y%m%dT%H%M%S.%NZ).dump"
trap 'rm -f "$safety.partial"' EXIT
trap 'exit 1' INT TERM
pg_dump --format=custom --file="$safety.partial" --dbname="$DATABASE_URL" ||
    fail "the safety backup of the current database failed"
sum=$(sha256sum < "$safety.partial" | cut -d ' ' -f 1)
printf '%s  %s\n' "$sum" "$(basename -- "$safety")" > "$safety.sha256"
mv "$safety.partial" "$safety"
echo "restore: safety backup of the current database: $safety"

pg_restore --clean --if-exists --single-transaction --exit-on-error --dbname="$DATABASE_URL" "$file"
echo "restore: restored $file"
