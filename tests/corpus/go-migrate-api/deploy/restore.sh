#!/usr/bin/env bash
# Restore the ledger database from a backup directory made by deploy/backup.sh:
#   BACKUP_FILE=/srv/backups/ledger/api-20250301T023000Z DATABASE_URL=... deploy/restore.sh
#   deploy/restore.sh /srv/backups/ledger/api-20250301T023000Z
#
# Nothing is touched unless the backup's checksums match. A safety backup of the current
# database is taken first (pre-restore-<timestamp>/ in $BACKUP_DIR, restorable with this
# script). The restore is one transaction: if it fails, the database is left as it was.
# (It is serial: pg_restore refuses --jobs together with --single-transaction.)
set -euo pipefail

src="${BACKUP_FILE:-${1:-}}"
if [[ -z "$src" ]]; then
  echo "usage: BACKUP_FILE=<backup dir> $0   or   $0 <backup dir>" >&2
  exit 2
fi
: "${DATABASE_URL:?DATABASE_URL is required}"
BACKUP_DIR="${BACKUP_DIR:-$(dirname "$src")}"

die() { echo "restore: $*; nothing was changed" >&2; exit 1; }

[[ -d "$src" ]] || die "$src is not a backup directory"
[[ -f "$src/SHA256SUMS" ]] || die "$src has no SHA256SUMS"
(cd "$src" && sha256sum --check --quiet --strict SHA256SUMS) || die "$src does not match its SHA256SUMS"
pg_restore --list "$src" > /dev/null || die "$src is not a pg_dump directory archive"

safety="$BACKUP_DIR/pre-restore-$(date -u +%Y%m%dT%H%M%SZ)"
[[ ! -e "$safety" ]] || die "$safety already exists"
echo "restore: safety backup of the current database -> $safety"
if ! pg_dump --format=directory --jobs=2 --file="$safety" "$DATABASE_URL"; then
  rm -rf "$safety"
  die "the safety backup failed"
fi
(cd "$safety" && sha256sum -- * > SHA256SUMS)

echo "restore: restoring $src"
pg_restore --clean --if-exists --no-owner --single-transaction --exit-on-error \
  --dbname="$DATABASE_URL" "$src"
echo "restore: done"
