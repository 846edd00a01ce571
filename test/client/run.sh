#!/usr/bin/env bash
# test/client/run.sh [NAME...]: the client tests, run by scripts/test.sh once
# its cluster is up (PGHOST, PGPORT and PGUSER set; the cluster listens on
# 127.0.0.1 too and preloads pg_cron).  Prints TAP lines, which test.sh
# counts; artefacts (the report and its screenshot, logs) stay in
# test/output/ (not in git).  NAMEs (default: all):
#
#   docs     the examples of README.md and docs/*.md (scripts/doc_examples.pl),
#            each file's in a copy of saas_demo
#   drivers  the BI views and the docs' tool queries through JDBC and
#            node-postgres (drivers.sh)
#   cron     the pg_cron recipe, run (cron.sh; in the background, as it
#            waits for the next minute)
#   report   the demo's HTML report, opened in headless Chromium
#            (report_check.js); test/output/report/report.png is its screenshot
#
# First, whatever the NAMEs, the database saas_demo is built as make demo
# builds it: the demo book, then docs/recipes.md, whose examples are checked
# on the way (they create the views of schema bi the others read).
set -uo pipefail
. "$(dirname "$0")/../../scripts/cluster.sh"
cd "$ROOT"
names=" ${*:-docs drivers cron report} "
out=$ROOT/test/output
rm -rf "$out"
mkdir -p "$out"
status=0

if ! demo_book_database saas_demo >"$out/demo_book.log" 2>&1; then
	echo "not ok 1 - the demo book loads into saas_demo"
	sed 's/^/# /' "$out/demo_book.log"
	exit 1
fi
scripts/doc_examples.pl check docs/recipes.md saas_demo || status=1

if [[ $names == *" docs "* ]]; then
	for f in README.md docs/*.md; do
		[ "$f" = docs/recipes.md ] && continue
		db=doc_$(basename "$f" .md | tr 'A-Z' 'a-z' | tr -c 'a-z0-9\n' _)
		if psql -X -q -d postgres -c "CREATE DATABASE $db TEMPLATE saas_demo"; then
			scripts/doc_examples.pl check "$f" "$db" || status=1
		else
			echo "not ok 1 - $f: a copy of saas_demo to run its examples in"
			status=1
		fi
		psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db"
	done
fi

if [[ $names == *" cron "* ]]; then
	test/client/cron.sh >"$out/cron.log" 2>&1 &
	cron_pid=$!
fi

if [[ $names == *" drivers "* ]]; then
	test/client/drivers.sh "$out" || status=1
fi

if [[ $names == *" report "* ]]; then
	if scripts/report.sh saas_demo "$out/report" >"$out/report.log" 2>&1; then
		echo "ok 1 - report: scripts/report.sh writes the report of saas_demo"
		NODE_PATH=$(scripts/npm_deps.sh) node test/client/report_check.js "$out/report" || status=1
	else
		echo "not ok 1 - report: scripts/report.sh writes the report of saas_demo"
		sed 's/^/# /' "$out/report.log"
		status=1
	fi
fi

if [ -n "${cron_pid:-}" ]; then
	wait "$cron_pid" || status=1
	cat "$out/cron.log"
fi
exit $status
