#!/bin/sh
# Entry point of the readiness-postgres images (scripts/build-postgres-image).
#
# The contract, the part of the official `postgres` image's that readiness relies on:
#   POSTGRES_PASSWORD  the superuser's password; required unless POSTGRES_HOST_AUTH_METHOD=trust
#   POSTGRES_USER      the superuser's name (default postgres)
#   POSTGRES_DB        a database created at first start (default: POSTGRES_USER)
#   POSTGRES_INITDB_ARGS  extra initdb arguments
#   POSTGRES_HOST_AUTH_METHOD  pg_hba method for TCP clients (default scram-sha-256)
#   PGDATA             the data directory (default /var/lib/postgresql/data)
# Arguments starting with `-` are passed to `postgres` (`-c fsync=off`); `postgres --version`
# prints the version and exits. The cluster is created at first start only; the server runs
# as the unprivileged `postgres` user and listens on port 5432 on every address.
set -eu

wants_help() {
	for arg; do
		case "$arg" in
			'-?' | --help | --describe-config | -V | --version) return 0 ;;
		esac
	done
	return 1
}

if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then
	set -- postgres "$@"
fi

if [ "$1" != postgres ] || wants_help "$@"; then
	exec "$@"
fi

if [ "$(id -u)" = 0 ]; then
	mkdir -p "$PGDATA" /var/run/postgresql
	chown postgres:postgres "$PGDATA" /var/run/postgresql
	chmod 700 "$PGDATA"
	chmod 3777 /var/run/postgresql
	exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
	auth="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"
	if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$auth" != trust ]; then
		echo "error: POSTGRES_PASSWORD is not set (or set POSTGRES_HOST_AUTH_METHOD=trust)" >&2
		exit 1
	fi
	user="${POSTGRES_USER:-postgres}"
	pwfile="/tmp/.pwfile.$$"
	(umask 077 && printf '%s\n' "${POSTGRES_PASSWORD:-}" >"$pwfile")
	# shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of arguments
	initdb --username="$user" --pwfile="$pwfile" --encoding=UTF8 --locale=C \
		--auth-local=trust --auth-host="$auth" ${POSTGRES_INITDB_ARGS:-} >/dev/null
	rm -f "$pwfile"
	printf "host all all all %s\n" "$auth" >>"$PGDATA/pg_hba.conf"
	printf "listen_addresses = '*'\n" >>"$PGDATA/postgresql.auto.conf"
	db="${POSTGRES_DB:-$user}"
	if [ "$db" != postgres ]; then
		printf 'CREATE DATABASE "%s";\n' "$db" | postgres --single -D "$PGDATA" -j postgres >/dev/null
	fi
	echo "readiness-postgres: initialised $PGDATA for $user"
fi

exec "$@"
