-- The C aggregates against the independent plain-SQL references
-- (test/reference/) on generated books: several seeds, 50,000 customers,
-- bigint, text and uuid ids, every period, explicit bounds, serial and
-- parallel plans.  Money and counts must be equal exactly; the float ratios
-- of the cohort cells within 1e-12 (the reference divides numerics, the C
-- code too, but float8 conversion may differ in the last bit).
BEGIN;
SET client_min_messages = warning;
\i test/reference/book.sql
\i test/reference/mrr_movements.sql
\i test/reference/cohort_retention.sql
SELECT plan(24);

CALL ref.make_book('xc_bigint', 50000, 11);
CALL ref.make_book('xc_text', 50000, 12, 'text');
CALL ref.make_book('xc_uuid', 50000, 13, 'uuid');
CALL ref.make_book('xc_small', 4000, 14, 'text');

-- The references, computed once each.
CREATE TEMP TABLE ref_movements AS
SELECT name, (SELECT array_agg(ROW(r.*)::mrr_movement ORDER BY r.period_start)
              FROM ref.mrr_movements(book, period, from_date, to_date) AS r) AS m
FROM (VALUES ('bigint month', 'xc_bigint'::regclass, 'month', NULL::date, NULL::date),
             ('text month', 'xc_text', 'month', NULL, NULL),
             ('uuid quarter', 'xc_uuid', 'quarter', NULL, NULL),
             ('small week', 'xc_small', 'week', NULL, NULL),
             ('small year', 'xc_small', 'year', NULL, NULL),
             ('small month', 'xc_small', 'month', NULL, NULL),
             ('small bounded', 'xc_small', 'month', '2023-06-15', '2026-12-01')) AS v(name, book, period, from_date, to_date);
CREATE TEMP TABLE ref_cohorts AS
SELECT name, (SELECT array_agg(ROW(r.*)::cohort_cell ORDER BY r.cohort_start, r.age)
              FROM ref.cohort_retention(book, period) AS r) AS c
FROM (VALUES ('bigint month', 'xc_bigint'::regclass, 'month'),
             ('text month', 'xc_text', 'month'),
             ('uuid quarter', 'xc_uuid', 'quarter'),
             ('small week', 'xc_small', 'week')) AS v(name, book, period);

-- rows of the movements that the reference does not have, and the reverse
CREATE FUNCTION pg_temp.movement_diff(c mrr_movement[], reference text)
RETURNS bigint LANGUAGE sql AS $$
    WITH r AS (SELECT m FROM ref_movements WHERE name = reference)
    SELECT (SELECT count(*) FROM (SELECT * FROM unnest(c) EXCEPT ALL SELECT * FROM unnest((SELECT m FROM r))) d)
         + (SELECT count(*) FROM (SELECT * FROM unnest((SELECT m FROM r)) EXCEPT ALL SELECT * FROM unnest(c)) d)
         + CASE WHEN cardinality(c) = (SELECT cardinality(m) FROM r) THEN 0 ELSE 1 END
$$;

-- cells that differ from the reference's (ratios within 1e-12)
CREATE FUNCTION pg_temp.cohort_diff(c cohort_cell[], reference text)
RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*)
    FROM unnest(c) AS x
    FULL JOIN unnest((SELECT ref_cohorts.c FROM ref_cohorts WHERE name = reference)) AS r USING (cohort_start, age)
    WHERE x.cohort_customers IS DISTINCT FROM r.cohort_customers
       OR x.active_customers IS DISTINCT FROM r.active_customers
       OR x.cohort_mrr IS DISTINCT FROM r.cohort_mrr
       OR x.mrr IS DISTINCT FROM r.mrr
       OR abs(x.logo_retention - r.logo_retention) > 1e-12 OR (x.logo_retention IS NULL) <> (r.logo_retention IS NULL)
       OR abs(x.revenue_retention - r.revenue_retention) > 1e-12
       OR (x.revenue_retention IS NULL) <> (r.revenue_retention IS NULL)
$$;

-- the comparisons bite: another book's answers differ
SELECT cmp_ok(pg_temp.movement_diff((SELECT mrr_movements(customer_id, started_at, ended_at, mrr) FROM xc_bigint), 'text month'),
              '>', 0::bigint, 'movement_diff sees a different book');
SELECT cmp_ok(pg_temp.cohort_diff((SELECT cohort_retention(customer_id, started_at, ended_at, mrr) FROM xc_bigint), 'text month'),
              '>', 0::bigint, 'cohort_diff sees a different book');

-- serial
SET max_parallel_workers_per_gather = 0;
SELECT is(pg_temp.movement_diff((SELECT mrr_movements(customer_id, started_at, ended_at, mrr) FROM xc_bigint), 'bigint month'),
          0::bigint, 'mrr_movements = reference: bigint ids, month, seed 11');
SELECT is(pg_temp.movement_diff((SELECT mrr_movements(customer_id, started_at, ended_at, mrr) FROM xc_text), 'text month'),
          0::bigint, 'mrr_movements = reference: text ids, month, seed 12');
SELECT is(pg_temp.movement_diff((SELECT mrr_movements(customer_id, started_at, ended_at, mrr, 'quarter') FROM xc_uuid), 'uuid quarter'),
          0::bigint, 'mrr_movements = reference: uuid ids, quarter, seed 13');
SELECT is(pg_temp.movement_diff((SELECT mrr_movements(customer_id, started_at, ended_at, mrr, 'week') FROM xc_small), 'small week'),
          0::bigint, 'mrr_movements = reference: week, seed 14');
SELECT is(pg_temp.movement_diff((SELECT mrr_movements(customer_id, started_at, ended_at, mrr, 'year') FROM xc_small), 'small year'),
          0::bigint, 'mrr_movements = reference: year, seed 14');
SELECT is(pg_temp.movement_diff((SELECT mrr_movements(customer_id, started_at, ended_at, mrr, 'month', '2023-06-15', '2026-12-01') FROM xc_small),
                                'small bounded'),
          0::bigint, 'mrr_movements = reference: bounds inside and past the data');
SELECT is(pg_temp.movement_diff((SELECT mrr_movements(customer_id, started_at::timestamptz, ended_at::timestamptz, mrr) FROM xc_small),
                                'small month'),
          0::bigint, 'mrr_movements = reference: timestamptz input');
SELECT is(pg_temp.cohort_diff((SELECT cohort_retention(customer_id, started_at, ended_at, mrr) FROM xc_bigint), 'bigint month'),
          0::bigint, 'cohort_retention = reference: bigint ids, month, seed 11');
SELECT is(pg_temp.cohort_diff((SELECT cohort_retention(customer_id, started_at, ended_at, mrr) FROM xc_text), 'text month'),
          0::bigint, 'cohort_retention = reference: text ids, month, seed 12');
SELECT is(pg_temp.cohort_diff((SELECT cohort_retention(customer_id, started_at, ended_at, mrr, 'quarter') FROM xc_uuid), 'uuid quarter'),
          0::bigint, 'cohort_retention = reference: uuid ids, quarter, seed 13');
SELECT is(pg_temp.cohort_diff((SELECT cohort_retention(customer_id, started_at, ended_at, mrr, 'week') FROM xc_small), 'small week'),
          0::bigint, 'cohort_retention = reference: week, seed 14');

-- two-step: books per segment rolled up give the same as one aggregate
SELECT is(pg_temp.movement_diff((SELECT mrr_movements(rollup(b)) FROM (
              SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr, 'month') AS b
              FROM xc_text GROUP BY started_at < '2024-01-01', mrr > 100) s), 'text month'),
          0::bigint, 'rollup of books split by start and price = reference');
SELECT is(pg_temp.cohort_diff((SELECT cohort_retention(rollup(b)::text::subscription_book) FROM (
              SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr, 'month') AS b
              FROM xc_bigint GROUP BY customer_id % 5) s), 'bigint month'),
          0::bigint, 'cohorts of a rolled-up book through its text form = reference');

-- parallel: the same answers with workers splitting every book
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT is(pg_temp.movement_diff((SELECT mrr_movements(customer_id, started_at, ended_at, mrr) FROM xc_bigint), 'bigint month'),
          0::bigint, 'parallel mrr_movements = reference: bigint ids');
SELECT is(pg_temp.movement_diff((SELECT mrr_movements(customer_id, started_at, ended_at, mrr) FROM xc_text), 'text month'),
          0::bigint, 'parallel mrr_movements = reference: text ids');
SELECT is(pg_temp.movement_diff((SELECT mrr_movements(customer_id, started_at, ended_at, mrr, 'quarter') FROM xc_uuid), 'uuid quarter'),
          0::bigint, 'parallel mrr_movements = reference: uuid ids');
SELECT is(pg_temp.cohort_diff((SELECT cohort_retention(customer_id, started_at, ended_at, mrr) FROM xc_bigint), 'bigint month'),
          0::bigint, 'parallel cohort_retention = reference: bigint ids');
SELECT is(pg_temp.cohort_diff((SELECT cohort_retention(customer_id, started_at, ended_at, mrr) FROM xc_text), 'text month'),
          0::bigint, 'parallel cohort_retention = reference: text ids');

-- and the totals agree with a bare count of what is active at the last period end
SELECT is((SELECT (m).customers_end FROM (SELECT (mrr_movements(customer_id, started_at, ended_at, mrr))[cardinality(mrr_movements(customer_id, started_at, ended_at, mrr))] AS m FROM xc_bigint) x),
          (SELECT count(DISTINCT customer_id) FROM xc_bigint
           WHERE started_at < date_trunc('month', (SELECT max(greatest(started_at, ended_at)) FROM xc_bigint)) + interval '1 month'
             AND (ended_at IS NULL OR ended_at >= date_trunc('month', (SELECT max(greatest(started_at, ended_at)) FROM xc_bigint)) + interval '1 month')),
          'customers at the last period end = active customers counted directly');
SELECT is((SELECT (m).mrr_end FROM (SELECT (mrr_movements(customer_id, started_at, ended_at, mrr))[cardinality(mrr_movements(customer_id, started_at, ended_at, mrr))] AS m FROM xc_bigint) x),
          (SELECT sum(mrr) FROM xc_bigint
           WHERE started_at < date_trunc('month', (SELECT max(greatest(started_at, ended_at)) FROM xc_bigint)) + interval '1 month'
             AND (ended_at IS NULL OR ended_at >= date_trunc('month', (SELECT max(greatest(started_at, ended_at)) FROM xc_bigint)) + interval '1 month')),
          'MRR at the last period end = sum of the rows active then');
SELECT is((SELECT sum(new_customers)::bigint FROM unnest((SELECT mrr_movements(customer_id, started_at, ended_at, mrr) FROM xc_text))),
          (SELECT count(*) FROM (SELECT customer_id FROM xc_text
                                 WHERE date_trunc('month', started_at) < date_trunc('month', coalesce(ended_at, 'infinity'))
                                 GROUP BY customer_id) c),
          'every customer ever active at a period end is new exactly once');
SELECT is((SELECT sum(cohort_customers)::bigint FROM unnest((SELECT cohort_retention(customer_id, started_at, ended_at, mrr) FROM xc_uuid)) WHERE age = 0),
          (SELECT count(DISTINCT customer_id) FROM xc_uuid), 'every customer is in exactly one cohort');

SELECT * FROM finish();
ROLLBACK;
