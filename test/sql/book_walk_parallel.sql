-- A parallel leader's book is walked by several processes at once
-- (src/book_walk_parallel.c): after the Gather, the leader and workers of
-- its own each walk one range of the customers' hashes, and the leader adds
-- their totals up.  The answers are the serial plan's, bit for bit, for
-- every kind of id and reading, with amounts that are rounded when read;
-- a customer's error in a worker's range reaches the client as it would
-- from the leader.  subscription_book_agg's
-- result is its book itself, not a flat copy (src/book_flat.c,
-- subscription_book_result): a reader of it walks it in parts the same way.
SET client_min_messages = warning;
SET jit = off;
CREATE TABLE walk_rows AS
SELECT (i % 400000)::bigint AS customer_id, date '2022-01-01' + (i * 37 % 1000) AS started_at,
       CASE WHEN i % 3 = 0 THEN NULL ELSE date '2022-01-01' + (i * 37 % 1000) + 30 + i % 200 END AS ended_at,
       CASE (i % 400000) % 40000
            -- amounts of no common exact scale in 64 bits, rounded once when read
            WHEN 3 THEN (CASE WHEN i < 300000 THEN 1.46 WHEN i < 600000 THEN 1e17 ELSE 1e18 END)::numeric
            WHEN 5 THEN (i % 97 + 1)::numeric / 7
            ELSE ((i % 97) + 0.25)::numeric(10, 2) END AS mrr
FROM generate_series(1, 880000) AS i;
ANALYZE walk_rows;

-- each query once serially: the answers to compare with
SET max_parallel_workers_per_gather = 0;
CREATE TABLE walk_serial AS
SELECT 'movements' AS query, md5(mrr_movements(customer_id, started_at, ended_at, mrr)::text) AS answer
FROM walk_rows
UNION ALL
SELECT 'cohorts', md5(cohort_retention(customer_id, started_at, ended_at, mrr)::text) FROM walk_rows
UNION ALL
SELECT 'text ids, weeks of a window',
       md5(mrr_movements(customer_id::text, started_at, ended_at, mrr, 'week', '2022-06-01', '2023-03-01')::text)
FROM walk_rows
UNION ALL
SELECT 'movements of the book', md5(array_agg(m ORDER BY m.period_start)::text)
FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book FROM walk_rows) b,
     mrr_movements(b.book, 'month') m
UNION ALL
SELECT 'uuid ids, quarters',
       md5(cohort_retention(md5(customer_id::text)::uuid, started_at, ended_at, mrr, 'quarter')::text)
FROM walk_rows;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT mrr_movements(customer_id, started_at, ended_at, mrr) FROM walk_rows;

-- the walk in three parts shows at DEBUG1, once per query
SET client_min_messages = debug1;
SELECT md5(mrr_movements(customer_id, started_at, ended_at, mrr)::text) =
       (SELECT answer FROM walk_serial WHERE query = 'movements') AS movements_equal
FROM walk_rows;
SELECT md5(cohort_retention(customer_id, started_at, ended_at, mrr)::text) =
       (SELECT answer FROM walk_serial WHERE query = 'cohorts') AS cohorts_equal
FROM walk_rows;
SELECT md5(mrr_movements(customer_id::text, started_at, ended_at, mrr, 'week', '2022-06-01', '2023-03-01')::text) =
       (SELECT answer FROM walk_serial WHERE query = 'text ids, weeks of a window') AS text_window_equal
FROM walk_rows;
SELECT md5(cohort_retention(md5(customer_id::text)::uuid, started_at, ended_at, mrr, 'quarter')::text) =
       (SELECT answer FROM walk_serial WHERE query = 'uuid ids, quarters') AS uuid_quarters_equal
FROM walk_rows;

SELECT md5(array_agg(m ORDER BY m.period_start)::text) =
       (SELECT answer FROM walk_serial WHERE query = 'movements of the book') AS book_equal
FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book FROM walk_rows) b,
     mrr_movements(b.book, 'month') m;

-- the other readers walk the result in its parts too, and leave it so: had
-- one of them made its flat form, mrr_movements would read that, alone
SELECT x.customers > 0 AS read_at, y.movements > 0 AS read_movements, z.survival IS NOT NULL AS read_survival,
       w.periods > 0 AS read_conversions, v.n > 0 AS then_movements
FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book FROM walk_rows) b,
     LATERAL (SELECT count(*) AS customers FROM customers_at(b.book, '2023-06-30')) x,
     LATERAL (SELECT count(*) AS movements FROM customer_movements(b.book, 'quarter')) y,
     LATERAL (SELECT customer_survival(b.book) AS survival) z,
     LATERAL (SELECT count(*) AS periods FROM cohort_conversion(b.book, 'quarter')
              CROSS JOIN (SELECT count(*) FROM conversion_curves(b.book, 'quarter')) c) w,
     -- after the others (it refers to them)
     LATERAL (SELECT count(*) AS n FROM mrr_movements(b.book, 'month')
              WHERE x.customers + y.movements + w.periods > 0 AND z.survival IS NOT NULL) v;

-- no worker to be had: the leader walks every part itself
SET max_parallel_workers = 0;
SELECT md5(mrr_movements(customer_id, started_at, ended_at, mrr)::text) =
       (SELECT answer FROM walk_serial WHERE query = 'movements') AS movements_equal_alone
FROM walk_rows;
RESET max_parallel_workers;

-- a small book is walked by the leader alone: no message
SELECT cardinality(mrr_movements(customer_id, started_at, ended_at, mrr)) FROM walk_rows WHERE customer_id < 1000;
SET client_min_messages = warning;

-- one customer's MRR below zero, wherever it is walked: the same error
\set VERBOSITY terse
SELECT cardinality(mrr_movements(customer_id, started_at, ended_at,
                                 CASE WHEN customer_id = 50007 THEN -mrr ELSE mrr END))
FROM walk_rows;
-- two customers' MRR below zero: 53904 near the end of the second range of
-- hashes, 24833 at the start of the third.  The serial walk meets 53904
-- first (the customers come in hash order), and so must the walk in parts,
-- however soon the worker of the third range fails: the error is the
-- plan's, not the workers' timing.
SET max_parallel_workers_per_gather = 0;
SELECT cardinality(mrr_movements(customer_id, started_at, ended_at,
                                 CASE WHEN customer_id IN (53904, 24833) THEN -mrr ELSE mrr END))
FROM walk_rows;
SET max_parallel_workers_per_gather = 2;
SELECT cardinality(mrr_movements(customer_id, started_at, ended_at,
                                 CASE WHEN customer_id IN (53904, 24833) THEN -mrr ELSE mrr END))
FROM walk_rows;
SELECT count(*)
FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at,
                                   CASE WHEN customer_id IN (53904, 24833) THEN -mrr ELSE mrr END) AS book
      FROM walk_rows) b,
     mrr_movements(b.book, 'month') m;
\set VERBOSITY default

DROP TABLE walk_rows, walk_serial;
