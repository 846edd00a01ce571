#!/usr/bin/env bash
# make fuzz (not part of make test): SQLsmith (Debian package sqlsmith)
# generates random queries against a throwaway cluster holding the extension
# and sample tables (test/dump/stored_summaries.sql plus raw subscription,
# NPS and cohort rows) for FUZZ_SECONDS (default 300).  The server logs every
# error with its SQLSTATE and statement; at the end the errors XX000 and the
# backend crashes are reported, each with the query that caused it, and the
# exit status is non-zero if there was any.  KEEP_LOGS=1 keeps the directory.
set -uo pipefail
. "$(dirname "$0")/cluster.sh"
cd "$ROOT"

SECONDS_TO_RUN=${FUZZ_SECONDS:-300}
command -v sqlsmith >/dev/null || {
	[ "$(id -u)" -eq 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlsmith >/dev/null
} || { echo "sqlsmith is missing: apt-get install sqlsmith" >&2; exit 1; }

TMP=$(mktemp -d /tmp/saas_metrics_fuzz.XXXXXX)
chmod 755 "$TMP"
trap 'cluster_stop; [ -n "${KEEP_LOGS:-}" ] && echo "logs kept in $TMP" || rm -rf "$TMP"' EXIT
build_and_install_private "$TMP/install" || exit 1
cluster_start "$TMP" -c log_line_prefix="'%m [%p] %e '" -c log_min_error_statement=error \
	-c statement_timeout=10s -c restart_after_crash=on || exit 1

psql -X -q -d postgres -c "CREATE DATABASE fuzz" || exit 1
psql -X -q -d fuzz -v ON_ERROR_STOP=1 -f test/dump/stored_summaries.sql >/dev/null || exit 1
psql -X -q -d fuzz -v ON_ERROR_STOP=1 >/dev/null <<'SQL' || exit 1
CREATE TABLE subscriptions AS
SELECT (i % 97)::bigint AS customer_id, date '2023-01-01' + (i * 7 % 700) AS started_at,
       CASE WHEN i % 3 = 0 THEN date '2023-01-01' + (i * 7 % 700) + 30 * (1 + i % 9) END AS ended_at,
       (10 + i % 13 * 5)::numeric AS mrr, 'month'::text AS period
FROM generate_series(1, 400) i;
CREATE TABLE nps_responses AS
SELECT i AS id, date '2024-01-01' + i % 60 AS answered_on, (i * 7) % 11 AS score FROM generate_series(1, 500) i;
CREATE TABLE cohort_survivors AS
SELECT a AS age, (1000 * 0.8 ^ a)::bigint AS active FROM generate_series(0, 11) a;
CREATE TABLE params AS
SELECT 0.7::float8 AS alpha, 1.2::float8 AS beta, 0.1::float8 AS discount_rate, 3 AS t, 100::numeric AS margin;
ANALYZE;
SQL

echo "sqlsmith for $SECONDS_TO_RUN s against the extension's sample database"
deadline=$((SECONDS + SECONDS_TO_RUN))
seed=1 runs=0
while [ $SECONDS -lt $deadline ]; do
	# a run ends when the server crashes (it restarts) or on its own error
	timeout $((deadline - SECONDS)) sqlsmith --target="host=$PGHOST port=$PGPORT user=postgres dbname=fuzz" \
		--seed=$seed --exclude-catalog >"$TMP/sqlsmith_$seed.log" 2>&1
	runs=$((runs + 1)) seed=$((seed + 1))
	# wait for a restarting server
	for _ in $(seq 1 30); do psql -X -q -d fuzz -c "SELECT 1" >/dev/null 2>&1 && break; sleep 1; done
done

LOG=$TMP/server.log
queries=$(grep -hoE 'queries: [0-9]+' "$TMP"/sqlsmith_*.log 2>/dev/null | awk '{s += $2} END {print s + 0}')
errors=$(grep -cE '^[0-9-]+ [0-9:.]+ UTC \[[0-9]+\] [0-9A-Z]{5} ERROR' "$LOG")
echo "$runs sqlsmith runs; $errors errors logged by the server"

# XX000: each message with the first statement that raised it (the logged
# statement and its continuation lines), grouped by message; an XX000 whose
# query names no function of the extension is PostgreSQL's own (e.g. the
# OID counter functions sqlsmith calls) and is listed apart
extension_functions=$(psql -X -At -d fuzz -c "SELECT string_agg(DISTINCT p.proname, '|') FROM pg_proc p
	JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
	JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'saas_metrics'")
report=$(awk -v ext="($extension_functions)\\\\(" '
	function flush() {
		if (msg != "" && st != "") {
			if (!(msg in count)) order[++n] = msg
			if (!(msg in seen)) seen[msg] = st
			count[msg]++
		}
		msg = ""; st = ""; collecting = 0
	}
	/ XX000 ERROR: / { flush(); msg = $0; sub(/.* XX000 ERROR: +/, "", msg); next }
	/ XX000 STATEMENT: / && msg != "" { st = $0; sub(/.* STATEMENT: +/, "", st); collecting = 1; next }
	collecting && /^\t/ { st = st " " substr($0, 2); next }
	{ if (collecting) flush() }
	END {
		flush()
		for (i = 1; i <= n; i++) {
			kind = (seen[order[i]] ~ ext) ? "extension" : "core"
			printf "%s XX000 (%d times): %s\n  query: %s\n", kind, count[order[i]], order[i], substr(seen[order[i]], 1, 3000)
		}
	}' "$LOG")
crashes=$(grep -E 'terminated by signal|terminated by exception' -A1 "$LOG" |
          grep -E 'terminated|Failed process was running' | sed 's/^.*\] //')
[ -n "$report" ] && echo "$report"
[ -n "$crashes" ] && { echo "crashes:"; echo "$crashes"; }
extension_xx000=$(echo "$report" | grep -c '^extension XX000')
echo "$extension_xx000 XX000 in queries of the extension, $(echo "$report" | grep -c '^core XX000') in PostgreSQL's own, $(echo "$crashes" | grep -c 'terminated') crashes"
[ "$extension_xx000" -eq 0 ] && [ -z "$crashes" ]
