#!/bin/sh
# with_postgres.sh — runs a command against a private PostgreSQL 15 that lives only for that
# command: initdb in a temporary folder owned by the postgres user, a server listening on a unix
# socket in that folder only (no TCP port), stopped and deleted at the end whatever happens.
# The command finds it in AGENDA_CENTRAL_PG, a libpq key=value string without dbname.
# Exits 77 (ctest's SKIP_RETURN_CODE) only when the PostgreSQL 15 binaries are missing.
# Usage: with_postgres.sh COMMAND [ARG...]
set -eu
bindir=${AGENDA_PG_BINDIR:-/usr/lib/postgresql/15/bin}
if [ ! -x "$bindir/initdb" ] || [ ! -x "$bindir/pg_ctl" ]; then
	echo "SKIP: PostgreSQL 15 not installed ($bindir/initdb missing):" \
		"sh image/setup-debian.sh installs postgresql-15"
	exit 77
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/agenda-pg-XXXXXX")
private_null=""
if [ "$(id -u)" -eq 0 ]; then
	chown postgres: "$dir"
	# initdb and the server write to /dev/null. Where it is not writable by others (a program
	# run as root narrowed it to 0600), they get their own null device, bound over /dev/null
	# in a private mount namespace: the machine's /dev/null is left as it is.
	if ! runuser -u postgres -- sh -c ': >/dev/null' 2>/dev/null; then
		private_null="$dir/null"
		mknod -m 666 "$private_null" c 1 3
	fi
fi

# PostgreSQL refuses to run as root: as root the server runs as the postgres user.
as_server() {
	if [ "$(id -u)" -ne 0 ]; then
		"$@"
	elif [ -n "$private_null" ]; then
		unshare --mount sh -c 'mount --bind "$0" /dev/null && exec runuser -u postgres -- "$@"' \
			"$private_null" "$@"
	else
		runuser -u postgres -- "$@"
	fi
}
stop() {
	as_server "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap stop EXIT
trap 'exit 143' TERM INT HUP
# Killed outright (SIGKILL: a ctest timeout kills the process tree), this script runs no trap:
# a detached watchdog then stops the server (SIGQUIT: immediate shutdown) and deletes the folder.
(setsid sh -c 'while kill -0 "$0" 2>/dev/null; do sleep 1; done
	pid=$(head -n 1 "$1/data/postmaster.pid" 2>/dev/null) && kill -QUIT "$pid" 2>/dev/null
	sleep 2; rm -rf "$1"' "$$" "$dir" </dev/null >/dev/null 2>&1 &)

# -N: the throw-away cluster need not be fsynced at creation (the server itself still fsyncs).
as_server "$bindir/initdb" -D "$dir/data" -A trust -U agenda -N >"$dir/initdb.log" 2>&1 || {
	cat "$dir/initdb.log" >&2
	exit 1
}
if ! as_server "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
	-o "-k $dir -c listen_addresses='' -c max_connections=120" start >/dev/null; then
	cat "$dir/server.log" >&2
	exit 1
fi
export AGENDA_CENTRAL_PG="host=$dir user=agenda"
status=0
"$@" || status=$?
[ "$status" -eq 0 ] || tail -n 20 "$dir/server.log" >&2
exit "$status"
