#!/usr/bin/env bash
# The whole test suite: build (warnings are errors), install into a private
# copy of PostgreSQL, start a throwaway cluster from it, run pg_regress (test/sql vs expected/) and pgTAP
# (test/t/*.sql via pg_prove) and the client tests (test/client/run.sh: the
# docs' examples, BI drivers, pg_cron, the HTML report), and end with
# "N passed, N failed".
# TESTS="nps sbg" runs only the tests of those names (while developing).
set -uo pipefail
. "$(dirname "$0")/cluster.sh"
cd "$ROOT"

TMP=$(mktemp -d /tmp/saas_metrics_test.XXXXXX)
chmod 755 "$TMP"
trap 'cluster_stop; [ -n "${KEEP_LOGS:-}" ] || rm -rf "$TMP"' EXIT
DEPS_GROUP=test build_and_install_private "$TMP/install" || { echo "0 passed, 1 failed"; exit 1; }
# PG_WRAPPER=script: run on the private install's bin directory before the
# cluster starts (scripts/test_valgrind.sh puts postgres under valgrind)
[ -n "${PG_WRAPPER:-}" ] && { "$PG_WRAPPER" "$PGBIN" || { echo "0 passed, 1 failed"; exit 1; }; }
# TCP on 127.0.0.1 for the BI drivers, and pg_cron as docs/recipes.md sets it up.
CLUSTER_TCP=1 cluster_start "$TMP" -c shared_preload_libraries=pg_cron -c cron.database_name=postgres \
	-c cron.use_background_workers=on -c max_worker_processes=16 || { echo "0 passed, 1 failed"; exit 1; }

regress_tests=() tap_files=() client_tests=(docs drivers cron report)
for f in test/sql/*.sql; do regress_tests+=("$(basename "$f" .sql)"); done
for f in test/t/*.sql; do [ -f "$f" ] && tap_files+=("$f"); done
if [ -n "${TESTS:-}" ]; then
	regress_tests=() tap_files=() client_tests=()
	for t in $TESTS; do
		[ -f "test/sql/$t.sql" ] && regress_tests+=("$t")
		[ -f "test/t/$t.sql" ] && tap_files+=("test/t/$t.sql")
		[[ " docs drivers cron report " == *" $t "* ]] && client_tests+=("$t")
	done
fi

passed=0 failed=0

# count OK_PATTERN FAIL_PATTERN LOG RC: add a log's counts to the totals; a
# runner that failed without reporting a failing test counts as one failure.
count() {
	local ok bad
	ok=$(grep -cE "$1" "$3")
	bad=$(grep -cE "$2" "$3")
	if [ "$4" -ne 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi
	passed=$((passed + ok)) failed=$((failed + bad))
}

if [ ${#regress_tests[@]} -gt 0 ]; then
	echo "== pg_regress"
	rm -f regression.diffs
	make -s installcheck REGRESS="${regress_tests[*]}" >"$TMP/regress.log" 2>&1
	rc=$?
	cat "$TMP/regress.log"
	[ -f regression.diffs ] && head -300 regression.diffs
	count '\.\.\. ok' '\.\.\. (FAILED|failed)' "$TMP/regress.log" $rc
fi

if [ ${#tap_files[@]} -gt 0 ]; then
	echo "== pgTAP"
	psql -X -q -d postgres -c "CREATE DATABASE saas_metrics_tap" >/dev/null
	psql -X -q -d saas_metrics_tap -c "CREATE EXTENSION pgtap; CREATE EXTENSION saas_metrics" >/dev/null
	pg_prove -v -d saas_metrics_tap "${tap_files[@]}" >"$TMP/tap.log" 2>&1
	rc=$?
	grep -vE '^ok [0-9]+' "$TMP/tap.log"
	count '^ok [0-9]+' '^not ok [0-9]+' "$TMP/tap.log" $rc
fi

# pg_dump / pg_restore of stored summaries (a shell step: pg_regress and
# pgTAP cannot run pg_dump); its TAP lines count like pgTAP's
if [ -z "${TESTS:-}" ] || [[ " $TESTS " == *" dump_roundtrip "* ]]; then
	echo "== pg_dump / pg_restore"
	PGBIN=$PGBIN scripts/dump_roundtrip.sh "$TMP" >"$TMP/dump.log" 2>&1
	rc=$?
	grep -vE '^ok [0-9]+' "$TMP/dump.log"
	count '^ok [0-9]+' '^not ok [0-9]+' "$TMP/dump.log" $rc
fi

if [ ${#client_tests[@]} -gt 0 ]; then
	echo "== client tests: ${client_tests[*]}"
	test/client/run.sh "${client_tests[@]}" >"$TMP/client.log" 2>&1
	rc=$?
	grep -vE '^ok [0-9]+' "$TMP/client.log"
	count '^ok [0-9]+' '^not ok [0-9]+' "$TMP/client.log" $rc
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
