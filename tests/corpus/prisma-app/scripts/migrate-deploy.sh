#!/usr/bin/env bash
# Applies pending Prisma migrations, like `prisma migrate deploy`, with psql only.
#
# Our CI/CD runners deploy from a slim image without Node, so the Prisma CLI is not there.
# This does what `prisma migrate deploy` does:
#   - creates the _prisma_migrations table (Prisma's own layout) when it is missing,
#   - refuses to go on while a migration is recorded as failed (Prisma's P3009),
#   - applies every prisma/migrations/<timestamp>_<name>/migration.sql not yet applied,
#     oldest first, stopping at the first error (ON_ERROR_STOP), and records each one with
#     its sha256 checksum, start and finish times, exactly as Prisma records them.
# Prisma has no down migrations: to undo a change, write a new migration.
#
#   DATABASE_URL=postgresql://... scripts/migrate-deploy.sh
set -euo pipefail

source "$(dirname "$0")/env.sh"
MIGRATIONS_DIR="$PROJECT_ROOT/prisma/migrations"

mapfile -t CONN < <(pg_conn_args)
run_psql() { psql "${CONN[@]}" -X -q -v ON_ERROR_STOP=1 "$@"; }

run_psql <<'SQL'
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
);
SQL

failed=$(run_psql -At -c 'SELECT string_agg(migration_name, $$, $$) FROM "_prisma_migrations" WHERE finished_at IS NULL AND rolled_back_at IS NULL')
if [[ -n "$failed" ]]; then
  echo "Error: P3009" >&2
  echo "migrate found failed migrations in the target database, new migrations will not be applied: $failed" >&2
  echo "Fix the database by hand, then mark the migration rolled back (UPDATE \"_prisma_migrations\" SET rolled_back_at = now() ...)." >&2
  exit 1
fi

mapfile -t migrations < <(find "$MIGRATIONS_DIR" -mindepth 2 -maxdepth 2 -name migration.sql -printf '%h\n' | xargs -r -n1 basename | sort)
echo "${#migrations[@]} migrations found in prisma/migrations"

applied_now=0
for name in "${migrations[@]}"; do
  file="$MIGRATIONS_DIR/$name/migration.sql"
  checksum=$(sha256sum "$file" | cut -d ' ' -f 1)
  recorded=$(run_psql -At -v name="$name" <<'SQL'
SELECT checksum FROM "_prisma_migrations"
WHERE migration_name = :'name' AND finished_at IS NOT NULL AND rolled_back_at IS NULL
LIMIT 1;
SQL
)
  if [[ -n "$recorded" ]]; then
    if [[ "$recorded" != "$checksum" ]]; then
      echo "warning: migration $name was modified after it was applied" >&2
    fi
    continue
  fi

  id=$(run_psql -At -c 'SELECT gen_random_uuid()')
  run_psql -v id="$id" -v name="$name" -v checksum="$checksum" <<'SQL'
INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count)
VALUES (:'id', :'checksum', :'name', now(), 0);
SQL

  echo "Applying migration \`$name\`"
  if ! output=$(run_psql -f "$file" 2>&1); then
    echo "$output" >&2
    run_psql -v id="$id" -v logs="$output" <<'SQL' || true
UPDATE "_prisma_migrations" SET logs = :'logs' WHERE id = :'id';
SQL
    echo "Error: P3018 A migration failed to apply. Migration name: $name" >&2
    exit 1
  fi
  run_psql -v id="$id" <<'SQL'
UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = :'id';
SQL
  applied_now=$((applied_now + 1))
done

if [[ $applied_now -eq 0 ]]; then
  echo "No pending migrations to apply."
else
  echo "All migrations have been successfully applied ($applied_now new)."
fi
