#!/bin/sh
# Liveness check for the database, polled by the uptime monitor every minute.
# Prints "ok" and exits 0 when PostgreSQL accepts connections.
if pg_isready -q ${DATABASE_URL:+-d "$DATABASE_URL"}; then
  echo ok
else
  echo "postgres is not accepting connections" >&2
  exit 1
fi
