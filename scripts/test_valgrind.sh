#!/usr/bin/env bash
# make test-valgrind (not part of make test): the regression suite with the
# server under valgrind's memcheck (scripts/valgrind_wrap.sh, suppressions in
# test/valgrind/postgres.supp), then a report of the errors whose stacks
# reach the extension (saas_metrics.so), each with its stack; exit status
# non-zero if there is any.  Errors elsewhere are counted, not listed.
# TESTS selects the tests as for make test; by default the pg_regress tests
# and the pgTAP files that exercise the C code directly (the catalog-driven
# hostile tests use per-call timeouts that valgrind's slowdown would trip).
set -uo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || {
	[ "$(id -u)" -eq 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null
} || { echo "valgrind is missing: apt-get install valgrind" >&2; exit 1; }

export VALGRIND_LOG_DIR
VALGRIND_LOG_DIR=$(mktemp -d /tmp/saas_metrics_valgrind.XXXXXX)
chmod 777 "$VALGRIND_LOG_DIR"
# (a name runs both its pg_regress test and its pgTAP file, if any)
default_tests="$(cd test/sql && ls *.sql | sed 's/\.sql$//' | tr '\n' ' ')sbg sbg_hostile nps_parallel"
echo "== the suite under valgrind (slow): ${TESTS:-$default_tests}"
PG_WRAPPER=scripts/valgrind_wrap.sh TESTS="${TESTS:-$default_tests}" scripts/test.sh | tail -3

# one error per block of lines between blank "==PID== " lines
report=$(awk '
	/^==[0-9]+== $/ { if (block ~ /saas_metrics\.so/ && block !~ /HEAP SUMMARY|LEAK SUMMARY/) { print block; print "" } block = ""; next }
	/^==[0-9]+== / { block = block $0 "\n"; next }
	/^[{}]|^   / { next }
	END { if (block ~ /saas_metrics\.so/) print block }' "$VALGRIND_LOG_DIR"/valgrind.*.log)
all_errors=$(grep -hcE '^==[0-9]+== (Invalid|Conditional|Use of uninitialised|Syscall param|Mismatched|Source and destination)' \
	"$VALGRIND_LOG_DIR"/valgrind.*.log | awk '{s += $1} END {print s + 0}')
extension_errors=$(printf '%s' "$report" | grep -cE '^==[0-9]+== (Invalid|Conditional|Use of uninitialised|Syscall param|Mismatched|Source and destination)')
[ -n "$report" ] && echo "$report"
echo "valgrind: $extension_errors errors whose stacks reach the extension; $all_errors errors in all (logs: $VALGRIND_LOG_DIR)"
[ "$extension_errors" -eq 0 ]
