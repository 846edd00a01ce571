#!/usr/bin/env bash
# The benchmark (not a test): builds, installs, starts a throwaway cluster,
# generates deterministic books of 100k, 300k and 1M customers and times each
# aggregate serial and with 2 parallel workers against a bare sum() scan of
# the same table and against the plain-SQL reference implementations of the
# test suite.  BENCH_SIZES, BENCH_RUNS and BENCH_PLAIN_SQL_UP_TO override the
# defaults (plain SQL takes about a minute at 300k customers, so it is run once
# per size up to that and skipped above).
# BENCH_ONLY names the parts to run, all but "scale" by default: "books" (the
# aggregates above), "survival" (kaplan_meier over BENCH_SURVIVAL_ROWS = 10^7
# subjects against a bare count(*) scan, bench/survival.sql), "churn"
# (logistic_fit on BENCH_CHURN_ROWS = 10^6 rows and engagement over
# BENCH_CHURN_EVENTS = 10^7 usage events, bench/churn.sql) and "clv" (the
# CLV models, bench/clv.sql, on about 10 purchases per customer for each of
# BENCH_CLV_SIZES customers, default 10^6: 10^7 purchases, BENCH_CLV_RUNS
# times, default 3).  "window" (bench/window_memory.sql): the windowed
# shorthand's peak memory against the whole history's, on ten yearly rows for
# each of BENCH_WINDOW_CUSTOMERS customers (default 10^6).
# "scale" is not run unless named (make bench-scale, BENCH_ONLY=scale): 7
# minutes at its default sizes while most of its queries are refused (54000),
# about half an hour once they complete.  For each of BENCH_SCALE_SIZES customers
# (default 10^6, 10^7, 2.5 * 10^7 and 5 * 10^7, two rows each,
# bench/scale.sql) it times mrr_movements, subscription_book_agg read by
# mrr_movements(book, 'month') and cohort_retention, serial and with 2
# workers, against a bare scan, each run in a fresh connection whose peak
# private memory (RssAnon) is sampled from /proc by scripts/proc_memory.pl
# (so it runs as root or postgres); a refused query is recorded with its
# SQLSTATE and the time it took.  Median of BENCH_SCALE_RUNS (default 3),
# one run from BENCH_SCALE_ONCE_FROM customers (default 5 * 10^7) up.
# Report: bench/scale_report.sql.
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
SCALE_SIZES=${BENCH_SCALE_SIZES:-"1000000 10000000 25000000 50000000"}
SCALE_RUNS=${BENCH_SCALE_RUNS:-3}
SCALE_ONCE_FROM=${BENCH_SCALE_ONCE_FROM:-50000000}
wants() { [ "$1" != scale ] && [ -z "$ONLY" ] || [[ " $ONLY " == *" $1 "* ]]; }

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
	-f bench/survival.sql -f bench/churn.sql -f bench/clv.sql -f bench/scale.sql >/dev/null

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "server:  $(psql -X -At -d bench -c 'SHOW server_version')"
wants books && echo "runs:    median of $RUNS; plain SQL once, up to $PLAIN_UP_TO customers"
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
if wants scale; then
	# scale_measure CUSTOMERS LABEL MODE RUN: one run of the query LABEL of
	# bench.scale_queries in a fresh connection, the backend's memory sampled
	# from /proc (the cluster runs as postgres: this needs root or postgres).
	scale_measure() {
		local workers=0 sample=$TMP/memory
		[ "$3" = parallel ] && workers=2
		run -v label="$2" <<-EOF
			SET max_parallel_workers_per_gather = $workers;
			SET parallel_setup_cost = 0;
			SET parallel_tuple_cost = 0;
			SET min_parallel_table_scan_size = 0;
			SELECT query FROM bench.scale_queries WHERE label = :'label' \gset
			SELECT pg_backend_pid() AS backend \gset
			\setenv BACKEND :backend
			\! perl scripts/proc_memory.pl start \$BACKEND $sample
			SELECT * FROM bench.scale_time(:'query') \gset
			\! perl scripts/proc_memory.pl stop $sample
			\set memory \`cat $sample.result\`
			INSERT INTO bench.scale_runs
			SELECT $1, :'label', '$3', $4, :ms, :'state', :'message', m[1], m[2], m[3], m[4], m[5], m[6]
			FROM (SELECT string_to_array(:'memory', ' ')::bigint[] AS m) AS memory;
		EOF
	}
	echo "scale:   median of $SCALE_RUNS runs, 1 from $SCALE_ONCE_FROM customers up"
	for n in $SCALE_SIZES; do
		runs=$SCALE_RUNS
		[ "$n" -ge "$SCALE_ONCE_FROM" ] && runs=1
		echo "scale: generating $n customers..."
		run -c "CALL bench.make_scale_book($n)"
		run -c "VACUUM ANALYZE bench.scale_book" \
			-c "UPDATE bench.scale_sizes SET table_bytes = pg_table_size('bench.scale_book') WHERE customers = $n"
		for mode in serial parallel; do
			psql -X -At -d bench -c "SELECT label FROM bench.scale_queries ORDER BY ord" | while read -r label; do
				echo "scale: $n customers, $mode, $label ($runs runs)"
				for run_no in $(seq "$runs"); do
					scale_measure "$n" "$label" "$mode" "$run_no"
				done
			done
		done
		echo "scale: $n customers, the serial part of each parallel plan (EXPLAIN ANALYZE)"
		run -c "CALL bench.scale_serial_parts($n)"
		run -c "DROP TABLE bench.scale_book"
	done
	run -f bench/scale_report.sql
fi
