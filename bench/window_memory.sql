-- saas_metrics benchmark of the windowed shorthand's memory (issue 14): one
-- 200-day row a year for ten years for each of BENCH_WINDOW_CUSTOMERS
-- customers (default 10^6: 10^7 rows), read by month over the whole history
-- and from 2025-07-01 on, against a bare sum() scan of the same table.
-- Each query runs once, serial, in a backend of its own, so that the peak
-- resident memory of the backend (VmHWM in /proc, read with pg_read_file)
-- is that query's; the bare scan's peak is the baseline.  Driven by
-- scripts/bench.sh (BENCH_ONLY=window).
\set ON_ERROR_STOP on
SET client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS bench;
DROP TABLE IF EXISTS bench.history;
CREATE UNLOGGED TABLE bench.history AS
SELECT c AS customer_id,
       (date '2016-01-01' + k * 365 + (c % 300))::date AS started_at,
       (date '2016-01-01' + k * 365 + (c % 300) + 200)::date AS ended_at,
       (10 + c % 90)::numeric AS mrr
FROM generate_series(1, :customers) AS c, generate_series(0, 9) AS k;
VACUUM ANALYZE bench.history;
DROP TABLE IF EXISTS bench.window_results;
CREATE TABLE bench.window_results (n int, query text, ms float8, peak_kb bigint);

CREATE OR REPLACE PROCEDURE bench.window_measure(n int, label text, query text)
LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz := clock_timestamp();
BEGIN
    EXECUTE query;
    INSERT INTO bench.window_results
    SELECT n, label, extract(epoch FROM clock_timestamp() - t0) * 1000,
           substring(pg_read_file('/proc/' || pg_backend_pid() || '/status') FROM 'VmHWM:\s*(\d+) kB')::bigint;
END $$;

\connect
SET max_parallel_workers_per_gather = 0;
CALL bench.window_measure(1, 'bare sum(mrr) scan', 'SELECT sum(mrr) FROM bench.history');
\connect
SET max_parallel_workers_per_gather = 0;
CALL bench.window_measure(2, 'mrr_movements(..., ''month'')',
    'SELECT cardinality(mrr_movements(customer_id, started_at, ended_at, mrr, ''month'')) FROM bench.history');
\connect
SET max_parallel_workers_per_gather = 0;
CALL bench.window_measure(3, 'mrr_movements(..., ''month'', ''2025-07-01'', NULL)',
    'SELECT cardinality(mrr_movements(customer_id, started_at, ended_at, mrr, ''month'', ''2025-07-01'', NULL)) FROM bench.history');

\pset footer off
\echo
\echo 'The windowed shorthand: one query per backend, serial; memory = the backend''s peak resident memory'
\echo '(VmHWM) above the bare scan''s.'
SELECT r.query, (SELECT count(*) FROM bench.history) AS rows, round(r.ms) AS ms,
       round((r.ms / b.ms)::numeric, 2) AS "x bare",
       pg_size_pretty((r.peak_kb - b.peak_kb) * 1024) AS memory
FROM bench.window_results r, bench.window_results b
WHERE b.n = 1 ORDER BY r.n;
DROP TABLE bench.history;
