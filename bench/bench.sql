-- saas_metrics benchmark: each aggregate against the plain SQL a user would
-- otherwise write and against a bare sum() scan of the same table, in one run.
-- Driven by scripts/bench.sh; expects ref.make_book, ref.mrr_movements and
-- ref.cohort_retention from test/reference/.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS bench;

-- Median wall time in ms of `runs` executions of query, measured in the server
-- (after one unmeasured run to warm the cache, unless runs = 1).
CREATE OR REPLACE FUNCTION bench.median_ms(query text, runs int, parallel boolean)
RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
    times float8[] := '{}';
    t0 timestamptz;
BEGIN
    PERFORM set_config('max_parallel_workers_per_gather', CASE WHEN parallel THEN '2' ELSE '0' END, true);
    PERFORM set_config('parallel_setup_cost', '0', true);
    PERFORM set_config('parallel_tuple_cost', '0', true);
    PERFORM set_config('min_parallel_table_scan_size', '0', true);
    IF runs > 1 THEN
        EXECUTE query;      -- warm the cache
    END IF;
    FOR i IN 1 .. runs LOOP
        t0 := clock_timestamp();
        EXECUTE query;
        times := times || extract(epoch FROM clock_timestamp() - t0) * 1000;
    END LOOP;
    RETURN (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY t) FROM unnest(times) t);
END $$;

-- The serial part of a parallel plan: the time the leader spends in the
-- Finalize Aggregate above its Gather (combining the partial books and
-- running the final function), from EXPLAIN ANALYZE, median of runs.
CREATE OR REPLACE FUNCTION bench.leader_ms(query text, runs int)
RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
    plan json;
    times float8[] := '{}';
BEGIN
    PERFORM set_config('max_parallel_workers_per_gather', '2', true);
    PERFORM set_config('parallel_setup_cost', '0', true);
    PERFORM set_config('parallel_tuple_cost', '0', true);
    PERFORM set_config('min_parallel_table_scan_size', '0', true);
    FOR i IN 1 .. runs LOOP
        EXECUTE 'EXPLAIN (ANALYZE, TIMING ON, FORMAT JSON) ' || query INTO plan;
        times := times || ((plan->0->'Plan'->>'Actual Total Time')::float8
                           - (plan->0->'Plan'->'Plans'->0->>'Actual Total Time')::float8);
    END LOOP;
    RETURN (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY t) FROM unnest(times) t);
END $$;

CREATE TABLE IF NOT EXISTS bench.leader(customers int, aggregate text, leader_ms float8);
TRUNCATE bench.leader;

CREATE TABLE IF NOT EXISTS bench.results(
    customers int, rows bigint, aggregate text, mode text, ms float8, bare_ms float8, plain_sql_ms float8);
TRUNCATE bench.results;

CREATE OR REPLACE PROCEDURE bench.run(customers int, runs int, plain_sql_up_to int)
LANGUAGE plpgsql AS $$
DECLARE
    book text := format('bench.book_%s', customers);
    answers text := format('bench.answers_%s', customers);
    nrows bigint;
    bare float8;
    par boolean;
    mode text;
    plain float8;
    agg text;
BEGIN
    EXECUTE format('DROP TABLE IF EXISTS %s, %s', book, answers);
    CALL ref.make_book(book, customers, 42);
    -- two NPS answers per customer
    EXECUTE format('CREATE TABLE %s AS SELECT ((hashint8extended(i, 7) & 2147483647) %% 11)::integer AS score
                    FROM generate_series(1, %s::bigint * 2) i', answers, customers);
    EXECUTE format('ANALYZE %s', answers);     -- make_book analyzed the book
    EXECUTE format('SELECT count(*) FROM %s', book) INTO nrows;

    FOREACH par IN ARRAY ARRAY[false, true] LOOP
        mode := CASE WHEN par THEN 'parallel' ELSE 'serial' END;
        bare := bench.median_ms(format('SELECT sum(mrr), count(*) FROM %s', book), runs, par);

        FOREACH agg IN ARRAY ARRAY['mrr_movements', 'cohort_retention'] LOOP
            IF par THEN
                INSERT INTO bench.leader VALUES (customers, agg,
                    bench.leader_ms(format('SELECT %s(customer_id, started_at, ended_at, mrr) FROM %s', agg, book), runs));
            END IF;
            plain := NULL;
            IF NOT par AND customers <= plain_sql_up_to THEN
                plain := bench.median_ms(format('SELECT count(*) FROM ref.%s(%L)', agg, book), 1, false);
            END IF;
            INSERT INTO bench.results VALUES (customers, nrows, agg, mode,
                bench.median_ms(format('SELECT %s(customer_id, started_at, ended_at, mrr) FROM %s', agg, book), runs, par),
                bare, plain);
        END LOOP;

        -- the book alone, then a stored book read by each period and convention
        INSERT INTO bench.results VALUES (customers, nrows, 'subscription_book_agg', mode,
            bench.median_ms(format('SELECT pg_column_size(subscription_book_agg(customer_id, started_at, ended_at, mrr)) FROM %s', book), runs, par),
            bare, NULL);
        IF NOT par THEN
            EXECUTE format('DROP TABLE IF EXISTS %s_stored', book);
            EXECUTE format('CREATE TABLE %s_stored AS SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book FROM %s',
                           book, book);
            INSERT INTO bench.results
            SELECT customers, nrows, 'read stored book: ' || r.label, mode,
                   bench.median_ms(format('SELECT count(*) FROM %s_stored, %s', book, r.reader), runs, false), bare, NULL
            FROM (VALUES ('mrr_movements by month', 'mrr_movements(book)'),
                         ('mrr_movements by quarter', 'mrr_movements(book, ''quarter'')'),
                         ('mrr_movements by day', 'mrr_movements(book, ''day'')'),
                         ('mrr_movements, changes all', 'mrr_movements(book, changes => ''all'')'),
                         ('customer_movements by month', 'customer_movements(book)'),
                         ('cohort_retention by month', 'cohort_retention(book)')) AS r(label, reader);
        END IF;

        INSERT INTO bench.results VALUES (customers, customers * 2, 'nps', mode,
            bench.median_ms(format('SELECT nps(score) FROM %s', answers), runs, par),
            bench.median_ms(format('SELECT sum(score), count(*) FROM %s', answers), runs, par),
            bench.median_ms(format($q$SELECT 100.0 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6))
                                     / count(score) FROM %s$q$, answers), runs, par));
    END LOOP;
    COMMIT;
END $$;

DROP TABLE IF EXISTS bench.memory;
CREATE TABLE bench.memory(
    customers int, first_day date, last_day date,
    book_customers bigint, stored_rows bigint, memory_bytes bigint);
TRUNCATE bench.memory;
