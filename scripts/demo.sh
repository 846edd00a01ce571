#!/usr/bin/env bash
# make demo: build saas_metrics (installing what it needs with apt on
# Debian 12), install it into a private copy of PostgreSQL 15 and start a
# cluster from it in /tmp/saas_metrics_demo (DEMO_DIR overrides),
# create the database saas_demo with the extension, a generated SaaS book
# (demo/book.sql) with its onboarding (demo/lifecycle.sql), product usage
# (demo/usage.sql) and churn-risk model (demo/churn.sql), and the BI views
# of docs/recipes.md (schema bi), print a metrics dashboard
# (demo/dashboard.sql) and write an HTML report of charts (scripts/report.sh)
# to $DEMO_DIR/report/index.html.  The cluster keeps running for you to
# explore; running the demo again starts it afresh.
#
# scripts/demo.sh stop (make demo-stop): stop the demo cluster and remove
# its directory.
set -euo pipefail
. "$(dirname "$0")/cluster.sh"
cd "$ROOT"

DEMO_DIR=${DEMO_DIR:-/tmp/saas_metrics_demo}

# Stop a demo cluster left running, then remove its directory.  A directory
# whose server is still running after the stop is never removed.
demo_stop() {
	if [ -f "$DEMO_DIR/data/postmaster.pid" ]; then
		as_pg "$SYSTEM_PGBIN/pg_ctl" -D "$DEMO_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
		if as_pg "$SYSTEM_PGBIN/pg_ctl" -D "$DEMO_DIR/data" status >/dev/null 2>&1; then
			echo "the demo cluster in $DEMO_DIR is still running and could not be stopped" >&2
			return 1
		fi
	fi
	rm -rf "$DEMO_DIR"
}

if [ "${1:-}" = stop ]; then
	if [ -d "$DEMO_DIR" ]; then
		demo_stop
		echo "demo cluster stopped; $DEMO_DIR removed"
	else
		echo "no demo cluster in $DEMO_DIR"
	fi
	exit 0
fi
if [ $# -gt 0 ]; then
	echo "usage: $0 [stop]" >&2
	exit 2
fi

start=$(date +%s)
demo_stop
mkdir -p "$DEMO_DIR"
chmod 755 "$DEMO_DIR"
echo "== building saas_metrics and installing it into $DEMO_DIR/install"
build_and_install_private "$DEMO_DIR/install"

echo "== starting PostgreSQL 15 in $DEMO_DIR"
cluster_start "$DEMO_DIR"

echo "== loading the demo book, its product usage and churn-risk model into database saas_demo, and the BI views of docs/recipes.md (schema bi)"
demo_book_database saas_demo
scripts/doc_examples.pl sql run docs/recipes.md | psql -X -q -v ON_ERROR_STOP=1 -d saas_demo

psql -X -v ON_ERROR_STOP=1 -P pager=off -d saas_demo -f demo/dashboard.sql

echo "== writing the HTML report to $DEMO_DIR/report"
scripts/report.sh saas_demo "$DEMO_DIR/report"

cat <<EOF
== demo ready in $(($(date +%s) - start)) s; the cluster keeps running
   connect:  psql -h $DEMO_DIR -U postgres saas_demo
   again:    psql -h $DEMO_DIR -U postgres -f demo/dashboard.sql saas_demo
   report:   file://$DEMO_DIR/report/index.html (offline; charts of the views in schema bi)
   stop:     make demo-stop
EOF
