#!/usr/bin/env bash
# The whole test suite: build (warnings are errors), install, start a
# throwaway cluster, run pg_regress (test/sql vs expected/) and pgTAP
# (test/t/*.sql via pg_prove), and end with "N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/cluster.sh"
cd "$ROOT"

build_and_install || { echo "0 passed, 1 failed"; exit 1; }

TMP=$(mktemp -d /tmp/saas_metrics_test.XXXXXX)
trap 'cluster_stop; rm -rf "$TMP"' EXIT
cluster_start "$TMP" || { echo "0 passed, 1 failed"; exit 1; }

passed=0 failed=0

echo "== pg_regress"
make -s installcheck >"$TMP/regress.log" 2>&1
regress_rc=$?
cat "$TMP/regress.log"
ok=$(grep -cE '\.\.\. ok' "$TMP/regress.log")
bad=$(grep -cE '\.\.\. FAILED|\.\.\. failed' "$TMP/regress.log")
if [ "$regress_rc" -ne 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi
[ "$bad" -gt 0 ] && [ -f regression.diffs ] && head -200 regression.diffs
passed=$((passed + ok)) failed=$((failed + bad))

echo "== pgTAP"
psql -X -q -d postgres -c "CREATE DATABASE saas_metrics_tap" >/dev/null
psql -X -q -d saas_metrics_tap -c "CREATE EXTENSION pgtap; CREATE EXTENSION saas_metrics" >/dev/null
pg_prove -v -d saas_metrics_tap test/t/*.sql >"$TMP/tap.log" 2>&1
tap_rc=$?
grep -vE '^ok [0-9]+' "$TMP/tap.log"
ok=$(grep -cE '^ok [0-9]+' "$TMP/tap.log")
bad=$(grep -cE '^not ok [0-9]+' "$TMP/tap.log")
if [ "$tap_rc" -ne 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi
passed=$((passed + ok)) failed=$((failed + bad))

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
