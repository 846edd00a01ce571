#!/usr/bin/env bash
# The benchmark (not a test): builds, installs, starts a throwaway cluster,
# generates deterministic books of 100k, 300k and 1M customers and times each
# aggregate serial and with 2 parallel workers against a bare sum() scan of
# the same table and against the plain-SQL reference implementations of the
# test suite.  BENCH_SIZES, BENCH_RUNS and BENCH_PLAIN_SQL_UP_TO override the
# defaults (plain SQL takes about a minute at 300k customers, so it is run once
# per size up to that and skipped above).
# BENCH_ONLY names the parts to run, all of them by default: "books" (the
# aggregates above), "survival" (kaplan_meier over BENCH_SURVIVAL_ROWS = 10^7
# subjects against a bare count(*) scan, bench/survival.sql), "churn"
# (logistic_fit on BENCH_CHURN_ROWS = 10^6 rows and engagement over
# BENCH_CHURN_EVENTS = 10^7 usage events, bench/churn.sql) and "clv" (the
# CLV models, bench/clv.sql, on about 10 purchases per customer for each of
# BENCH_CLV_SIZES customers, default 10^6: 10^7 purchases, BENCH_CLV_RUNS
# times, default 3).  "window" (bench/window_memory.sql): the windowed
# shorthand's peak memory against the whole history's, on ten yearly rows for
# each of BENCH_WINDOW_CUSTOMERS customers (default 10^6).
set -euo pipefail
. "$(dirname "$0")/cluster.sh"
cd "$ROOT"

SIZES=${BENCH_SIZES:-"100000 300000 1000000"}
RUNS=${BENCH_RUNS:-5}
PLAIN_UP_TO=${BENCH_PLAIN_SQL_UP_TO:-300000}
ONLY=${BENCH_ONLY:-}
SURVIVAL_ROWS=${BENCH_SURVIVAL_ROWS:-10000000}
CHURN_ROWS=${BENCH_CHURN_ROWS:-1000000}
CHURN_EVENTS=${BENCH_CHURN_EVENTS:-10000000}
CLV_SIZES=${BENCH_CLV_SIZES:-1000000}
CLV_RUNS=${BENCH_CLV_RUNS:-3}
WINDOW_CUSTOMERS=${BENCH_WINDOW_CUSTOMERS:-1000000}
wants() { [ -z "$ONLY" ] || [[ " $ONLY " == *" $1 "* ]]; }

TMP=$(mktemp -d /tmp/saas_metrics_bench.XXXXXX)
chmod 755 "$TMP"
trap 'cluster_stop; rm -rf "$TMP"' EXIT
build_and_install_private "$TMP/install"
cluster_start "$TMP" -c shared_buffers=1GB -c work_mem=256MB -c max_parallel_workers_per_gather=2 \
	-c jit=off

psql -X -q -d postgres -c "CREATE DATABASE bench" >/dev/null
run() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -d bench -v ON_ERROR_STOP=1 "$@"; }
run -c "CREATE EXTENSION saas_metrics" -f test/reference/book.sql \
	-f test/reference/mrr_movements.sql -f test/reference/cohort_retention.sql -f bench/bench.sql \
	-f bench/survival.sql -f bench/churn.sql -f bench/clv.sql >/dev/null

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "server:  $(psql -X -At -d bench -c 'SHOW server_version')"
echo "runs:    median of $RUNS; plain SQL once, up to $PLAIN_UP_TO customers"
if wants books; then
	for n in $SIZES; do
		echo "generating and timing $n customers..."
		run -c "CALL bench.run($n, $RUNS, $PLAIN_UP_TO)"
		run -c "INSERT INTO bench.memory SELECT $n, s.* FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) b FROM bench.book_$n) x, subscription_book_stats(b) s"
	done
	run -f bench/report.sql
fi
if wants survival; then
	echo "generating and timing kaplan_meier over $SURVIVAL_ROWS subjects..."
	run -c "CALL bench.survival_run($SURVIVAL_ROWS, $RUNS)"
	run -f bench/survival_report.sql
fi
if wants churn; then
	echo "generating and timing the churn aggregates: $CHURN_ROWS rows to fit, $CHURN_EVENTS usage events..."
	run -c "CALL bench.run_churn($CHURN_ROWS, $CHURN_EVENTS, $RUNS)"
	run -f bench/churn_report.sql
fi
if wants clv; then
	for n in $CLV_SIZES; do
		echo "CLV models: generating and timing the purchases of $n customers (median of $CLV_RUNS)..."
		run -c "CALL bench.run_clv($n, $CLV_RUNS)"
	done
	run -f bench/clv_report.sql
fi
if wants window; then
	echo "the windowed shorthand's memory: ten yearly rows for each of $WINDOW_CUSTOMERS customers..."
	run -v customers="$WINDOW_CUSTOMERS" -f bench/window_memory.sql
fi
