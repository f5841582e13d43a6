# shellcheck shell=bash
# Sourced by the scripts in this directory: finds the database to talk to.
#
# CI and cron pass DATABASE_URL (and/or the libpq PG* variables). On a laptop, the
# project's .env (the one Prisma and docker compose read) is used when DATABASE_URL is
# not set.
#
# Prisma URLs carry Prisma-only query parameters (?schema=public, connection_limit,
# pgbouncer...) that libpq rejects ("invalid URI query parameter"), so PG_URL is
# DATABASE_URL without them, for psql / pg_dump / pg_restore.

PROJECT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [[ -z "${DATABASE_URL:-}" && -z "${PGHOST:-}" && -f "$PROJECT_ROOT/.env" ]]; then
  set -a
  # shellcheck disable=SC1091
  source "$PROJECT_ROOT/.env"
  set +a
fi

prisma_url_for_libpq() {
  local url="$1" base query kept="" param
  [[ "$url" == *\?* ]] || { printf '%s' "$url"; return; }
  base="${url%%\?*}"
  query="${url#*\?}"
  IFS='&' read -r -a params <<< "$query"
  for param in "${params[@]}"; do
    case "${param%%=*}" in
      schema|connection_limit|pool_timeout|pgbouncer|statement_cache_size|socket_timeout|connect_timeout_ms) ;;
      *) kept="${kept:+$kept&}$param" ;;
    esac
  done
  printf '%s' "$base${kept:+?$kept}"
}

if [[ -n "${DATABASE_URL:-}" ]]; then
  PG_URL="$(prisma_url_for_libpq "$DATABASE_URL")"
else
  # no URL: libpq takes everything from PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE
  PG_URL=""
fi
export PG_URL

# psql/pg_dump/pg_restore take the URL as a connection string; an empty one means "PG* only"
pg_conn_args() {
  if [[ -n "$PG_URL" ]]; then printf '%s\n' "--dbname=$PG_URL"; fi
}
