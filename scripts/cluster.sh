# Sourced by the test, demo and benchmark scripts: builds the extension,
# installs it into a private copy of PostgreSQL and runs a throwaway PostgreSQL 15 cluster as the unprivileged
# "postgres" user, on a Unix socket in a private directory, with no TCP port.

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
	"$ROOT/scripts/deps.sh"
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
# socket lives in DIR too.  Sets PGHOST, PGPORT, PGUSER for the clients.
cluster_start() {
	CLUSTER_DIR=$1; shift
	mkdir -p "$CLUSTER_DIR"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$CLUSTER_DIR"
	as_pg "$PGBIN/initdb" -D "$CLUSTER_DIR/data" -U postgres --auth=trust \
		--encoding=UTF8 --locale=C.UTF-8 >"$CLUSTER_DIR/initdb.log" 2>&1 ||
		{ cat "$CLUSTER_DIR/initdb.log" >&2; return 1; }
	as_pg "$PGBIN/pg_ctl" -D "$CLUSTER_DIR/data" -l "$CLUSTER_DIR/server.log" -w \
		-o "-c listen_addresses='' -k $CLUSTER_DIR -p 5432 -c fsync=off -c max_worker_processes=8 -c max_parallel_workers=4 $*" \
		start >/dev/null || { cat "$CLUSTER_DIR/server.log" >&2; return 1; }
	export PGHOST=$CLUSTER_DIR PGPORT=5432 PGUSER=postgres
}

cluster_stop() {
	[ -n "${CLUSTER_DIR:-}" ] && [ -f "$CLUSTER_DIR/data/postmaster.pid" ] &&
		as_pg "$PGBIN/pg_ctl" -D "$CLUSTER_DIR/data" -m fast -w stop >/dev/null 2>&1
	return 0
}
