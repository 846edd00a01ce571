-- saas_metrics benchmark, scale part (issue 14): the subscription aggregates
-- over 10^6 to 5 * 10^7 customers, serial and parallel, against a bare scan,
-- with the peak private memory of the backend.  Driven by scripts/bench.sh
-- (BENCH_ONLY=scale, make bench-scale), which runs each measurement in a
-- fresh connection and samples /proc with scripts/proc_memory.pl; the
-- report is bench/scale_report.sql.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS bench;

-- The book of `customers` customers in bench.scale_book, deterministic and
-- fast (one INSERT ... SELECT, no recursion: about 1.5 s per 10^6
-- customers, where ref.make_book takes 8): customer i has 1, 2 or 3 rows (2
-- on average), a chain of plans of one length each (30-429 days) from a
-- first start in 2022-2025; 30 % of the rows end a third of that length
-- early (a churn, then a reactivation when a next row follows); the last
-- row stays open half the time; 10 % of the rows are free (0), the others
-- 10.00-500.00 (so consecutive rows are expansions and contractions).
-- Every draw is a hash of (customer, row) keyed by 42.  The rows come in
-- order of row number, then customer (all first rows, then all second
-- rows...), roughly the order in which they would be inserted in time, so
-- a customer's rows are not together in the table.
CREATE OR REPLACE PROCEDURE bench.make_scale_book(customers bigint)
LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz := clock_timestamp();
BEGIN
    DROP TABLE IF EXISTS bench.scale_book;
    CREATE UNLOGGED TABLE bench.scale_book (
        customer_id bigint NOT NULL, started_at date NOT NULL, ended_at date, mrr numeric(12,2) NOT NULL);
    INSERT INTO bench.scale_book
    SELECT s.i,
           date '2022-01-01' + ((c.h >> 20) % 1461)::int + s.j * d.step,
           CASE WHEN s.j = d.nrows - 1 AND c.h & 32 = 0 THEN NULL
                ELSE date '2022-01-01' + ((c.h >> 20) % 1461)::int + (s.j + 1) * d.step
                     - CASE WHEN d.r % 10 < 3 THEN d.step / 3 ELSE 0 END END,
           CASE WHEN (d.r >> 4) % 10 = 0 THEN 0 ELSE (1000 + (d.r >> 8) % 49001) * 0.01 END
    FROM (SELECT g % customers + 1 AS i, (g / customers)::int AS j
          FROM (SELECT generate_series(0, 3 * customers - 1) AS g) AS series) AS s,
         LATERAL (SELECT hashint8extended(s.i, 42) & 9223372036854775807 AS h) AS c,
         LATERAL (SELECT (1 + c.h % 3)::int AS nrows, (30 + (c.h >> 8) % 400)::int AS step,
                         hashint8extended(s.i * 4 + s.j, 42) & 9223372036854775807 AS r) AS d
    WHERE s.j < d.nrows;
    DELETE FROM bench.scale_sizes s WHERE s.customers = make_scale_book.customers;
    INSERT INTO bench.scale_sizes
    SELECT customers, count(*), extract(epoch FROM clock_timestamp() - t0) * 1000, NULL
    FROM bench.scale_book;
END $$;

CREATE TABLE IF NOT EXISTS bench.scale_sizes(customers bigint, rows bigint, generate_ms float8, table_bytes bigint);
TRUNCATE bench.scale_sizes;

-- The queries, each run alone in a fresh connection.  An array result is
-- counted rather than sent; a set is counted.
CREATE TABLE IF NOT EXISTS bench.scale_queries(ord int, label text, query text);
TRUNCATE bench.scale_queries;
INSERT INTO bench.scale_queries VALUES
    (1, 'bare scan', 'SELECT sum(mrr), count(*) FROM bench.scale_book'),
    (2, 'mrr_movements(customer_id, ...)',
     'SELECT cardinality(mrr_movements(customer_id, started_at, ended_at, mrr)) FROM bench.scale_book'),
    (3, 'mrr_movements(book, ''month'')',
     'SELECT count(*) FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book
                            FROM bench.scale_book) AS b, mrr_movements(b.book, ''month'')'),
    (4, 'cohort_retention(customer_id, ...)',
     'SELECT cardinality(cohort_retention(customer_id, started_at, ended_at, mrr)) FROM bench.scale_book');

-- One run of a query, timed in the server; an error is caught and its
-- SQLSTATE kept with the time it took to come.
CREATE OR REPLACE FUNCTION bench.scale_time(query text, OUT ms float8, OUT state text, OUT message text)
LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz := clock_timestamp();
BEGIN
    state := '';
    message := '';
    BEGIN
        EXECUTE query;
    EXCEPTION WHEN OTHERS THEN
        state := SQLSTATE;
        message := SQLERRM;
    END;
    ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
END $$;

-- Every run: its time or error, and the memory from /proc in kB (see
-- scripts/proc_memory.pl): the backend's RssAnon before the query and its
-- peak, the largest peak of a parallel worker, the peak of their sum.
CREATE TABLE IF NOT EXISTS bench.scale_runs(
    customers bigint, label text, mode text, run int, ms float8, state text, message text,
    base_kb bigint NOT NULL, peak_kb bigint NOT NULL, worker_peak_kb bigint, all_peak_kb bigint, samples int, workers int);
TRUNCATE bench.scale_runs;

-- The serial part of a parallel plan, as bench.leader_ms measures it for the
-- books part, for any plan shape: the time of the whole plan minus that of
-- its Gather (the leader combining the partial books, then the final
-- function or the reader, after the last worker is done), EXPLAIN ANALYZE,
-- once.  An error leaves no row.
CREATE TABLE IF NOT EXISTS bench.scale_leader(customers bigint, label text, leader_ms float8, total_ms float8,
                                               workers_launched int);
TRUNCATE bench.scale_leader;

CREATE OR REPLACE PROCEDURE bench.scale_serial_parts(customers bigint)
LANGUAGE plpgsql AS $$
DECLARE
    q record;
    plan jsonb;
BEGIN
    PERFORM set_config('max_parallel_workers_per_gather', '2', false);
    PERFORM set_config('parallel_setup_cost', '0', false);
    PERFORM set_config('parallel_tuple_cost', '0', false);
    PERFORM set_config('min_parallel_table_scan_size', '0', false);
    FOR q IN SELECT * FROM bench.scale_queries WHERE ord > 1 ORDER BY ord LOOP
        -- not a query that failed in the timed runs: it would only fail again
        CONTINUE WHEN EXISTS (SELECT FROM bench.scale_runs r WHERE r.customers = scale_serial_parts.customers
                                 AND r.label = q.label AND r.mode = 'parallel' AND r.state <> '');
        BEGIN
            EXECUTE 'EXPLAIN (ANALYZE, TIMING ON, FORMAT JSON) ' || q.query INTO plan;
        EXCEPTION WHEN OTHERS THEN
            CONTINUE;
        END;
        INSERT INTO bench.scale_leader
        SELECT customers, q.label,
               (plan->0->'Plan'->>'Actual Total Time')::float8 - (g->>'Actual Total Time')::float8,
               (plan->0->'Plan'->>'Actual Total Time')::float8, (g->>'Workers Launched')::int
        FROM jsonb_path_query_first(plan, 'strict $.**?(@."Node Type" == "Gather")') AS g;
        COMMIT;
    END LOOP;
END $$;
