# Sourced by the test, demo and benchmark scripts: builds the extension,
# installs it into a private copy of PostgreSQL and runs a throwaway PostgreSQL 15 cluster as the unprivileged
# "postgres" user, on a Unix socket in a private directory, with no TCP port
# unless CLUSTER_TCP=1 (the tests of the BI drivers: also 127.0.0.1 on a free
# port, password authentication as on a stock Debian server).

SYSTEM_PGBIN=/usr/lib/postgresql/15/bin
PGBIN=$SYSTEM_PGBIN
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# build_and_install_private DIR: build, and install into a private copy of
# the system PostgreSQL under DIR (PostgreSQL finds its share and lib
# directories relative to its binaries, as in its own "make check").  The
# tests and the benchmark use it, so runs from several checkouts on one
# machine never load each other's library.  Sets PGBIN to the copy.
build_and_install_private() {
	local dir=$1
	"$ROOT/scripts/deps.sh" ${DEPS_GROUP:-}
	make -C "$ROOT" -s WERROR=1 all || return 1
	mkdir -p "$dir/usr/lib/postgresql" "$dir/usr/share/postgresql"
	cp -a /usr/lib/postgresql/15 "$dir/usr/lib/postgresql/"
	cp -a /usr/share/postgresql/15 "$dir/usr/share/postgresql/"
	make -C "$ROOT" -s install DESTDIR="$dir" >/dev/null || return 1
	chmod -R a+rX "$dir/usr"
	PGBIN=$dir/usr/lib/postgresql/15/bin
}

as_pg() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# cluster_start DIR [extra postgres options]: initdb and start in DIR; the
# socket lives in DIR too.  Local (socket) connections are trusted; TCP ones
# need a password (scram-sha-256, Debian's default).  With CLUSTER_TCP=1 the
# server also listens on 127.0.0.1, on a port found free (tried again if
# another process takes it first).  Sets PGHOST, PGPORT, PGUSER for the
# clients.
cluster_start() {
	CLUSTER_DIR=$1; shift
	mkdir -p "$CLUSTER_DIR"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$CLUSTER_DIR"
	as_pg "$PGBIN/initdb" -D "$CLUSTER_DIR/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
		--encoding=UTF8 --locale=C.UTF-8 >"$CLUSTER_DIR/initdb.log" 2>&1 ||
		{ cat "$CLUSTER_DIR/initdb.log" >&2; return 1; }
	local port=5432 listen="''" attempt
	for attempt in 1 2 3 4 5; do
		if [ -n "${CLUSTER_TCP:-}" ]; then
			port=$(free_tcp_port) listen=127.0.0.1
		fi
		if as_pg "$PGBIN/pg_ctl" -D "$CLUSTER_DIR/data" -l "$CLUSTER_DIR/server.log" -w \
			-o "-c listen_addresses=$listen -k $CLUSTER_DIR -p $port -c fsync=off -c max_worker_processes=8 -c max_parallel_workers=4 $*" \
			start >/dev/null; then
			export PGHOST=$CLUSTER_DIR PGPORT=$port PGUSER=postgres
			return 0
		fi
		[ -n "${CLUSTER_TCP:-}" ] || break
	done
	cat "$CLUSTER_DIR/server.log" >&2
	return 1
}

# free_tcp_port: a random port that nothing listens on now (as far as ss,
# when installed, can tell; cluster_start tries another if the bind fails).
free_tcp_port() {
	local port
	while :; do
		port=$((20000 + RANDOM % 40000))
		command -v ss >/dev/null && [ -n "$(ss -Htln "sport = :$port")" ] && continue
		echo "$port"
		return
	done
}

cluster_stop() {
	[ -n "${CLUSTER_DIR:-}" ] && [ -f "$CLUSTER_DIR/data/postmaster.pid" ] &&
		as_pg "$PGBIN/pg_ctl" -D "$CLUSTER_DIR/data" -m fast -w stop >/dev/null 2>&1
	return 0
}

# demo_book_database DB: create database DB with saas_metrics and the demo
# data (demo/book.sql, demo/lifecycle.sql, demo/usage.sql and the churn-risk
# loop of demo/churn.sql), as make demo does.
demo_book_database() {
	psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $1" &&
		psql -X -q -v ON_ERROR_STOP=1 -d "$1" -c "CREATE EXTENSION saas_metrics" -f "$ROOT/demo/book.sql" \
			-f "$ROOT/demo/lifecycle.sql" -f "$ROOT/demo/usage.sql" -f "$ROOT/demo/churn.sql"
}
