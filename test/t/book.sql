-- subscription_book: errors with their SQLSTATEs, robustness of the type's
-- input against corrupted values, and parallel plans equal to serial ones.
BEGIN;
SELECT plan(38);

SELECT throws_ok($$SELECT mrr_movements(1, date '2024-02-01', date '2024-01-01', 10)$$,
                 '22023', 'ended_at must not be before started_at', 'end before start');
SELECT throws_ok($$SELECT mrr_movements(1, date '2024-01-01', NULL, -0.01)$$,
                 '22023', 'mrr must not be negative', 'negative mrr');
SELECT throws_ok($$SELECT mrr_movements(1, date '2024-01-01', NULL, 'NaN')$$,
                 '22023', 'mrr must be a finite amount', 'NaN mrr');
SELECT throws_ok($$SELECT mrr_movements(1, date '2024-01-01', NULL, '-Infinity')$$,
                 '22023', 'mrr must be a finite amount', '-Infinity mrr');
SELECT throws_ok($$SELECT mrr_movements(1, date '-infinity', NULL, 10)$$,
                 '22008', 'started_at must be a finite date', 'infinite start');
SELECT throws_ok($$SELECT mrr_movements(1, date 'infinity', NULL, 10)$$,
                 '22008', 'started_at must be a finite date', 'start at +infinity');
SELECT throws_ok($$SELECT mrr_movements(1, date '2024-01-01', date '-infinity', 10)$$,
                 '22023', 'ended_at must not be before started_at', 'end at -infinity');
SELECT throws_ok($$SELECT mrr_movements(NULL::bigint, date '2024-01-01', NULL, 10)$$,
                 '22004', 'customer_id must not be NULL', 'NULL customer_id');
SELECT throws_ok($$SELECT mrr_movements(1, NULL::date, NULL, 10)$$,
                 '22004', 'started_at must not be NULL', 'NULL started_at');
SELECT throws_ok($$SELECT mrr_movements(1, date '2024-01-01', NULL, NULL)$$,
                 '22004', 'mrr must not be NULL', 'NULL mrr');
SELECT throws_ok($$SELECT mrr_movements(1, date '2024-01-01', NULL, 1, NULL)$$,
                 '22004', 'period must not be NULL', 'NULL period');
SELECT throws_ok($$SELECT mrr_movements(1, date '2024-01-01', NULL, 1, 'day')$$,
                 '22023', 'unknown period "day"', 'unknown period');
SELECT throws_ok($$SELECT mrr_movements(1, date '2024-01-01', NULL, 1, p)
                   FROM (VALUES ('month'), ('week')) v(p)$$,
                 '22023', 'period must be the same in every row', 'period changing between rows');
SELECT throws_ok($$SELECT mrr_movements(1, date '2024-01-01', NULL, 1, 'month', date 'infinity', NULL)$$,
                 '22008', 'from must be a finite date', 'infinite bound');
SELECT throws_ok($$SELECT mrr_movements(1, date '2024-01-01', NULL, 1, 'month', date '2024-03-01', date '2024-01-01')$$,
                 '22023', '"from" must not be after "to"', 'bounds reversed');
SELECT throws_ok($$SELECT mrr_movements(1, date '2024-01-01', NULL, 1e-16)$$,
                 '22003', 'mrr has too many digits after the decimal point', 'too many decimals');
SELECT throws_ok($$SELECT mrr_movements(1, date '2024-01-01', NULL, 1e19)$$,
                 '22003', 'mrr is out of range', 'mrr beyond 18 digits');
SELECT throws_ok($$SELECT mrr_movements(i, date '2024-01-01', NULL, v)
                   FROM (VALUES (1, 9300000000000000.00), (2, 0.001)) x(i, v)$$,
                 '22003', 'mrr is out of range', 'raising the scale overflows a stored amount');
SELECT throws_ok($$SELECT mrr_movements(point(1, 1), date '2024-01-01', NULL, 1)$$,
                 '42883', NULL, 'customer_id type without hash opclass');
SELECT throws_ok($$SELECT mrr_movements(1, date '1900-01-01', NULL, 1, 'week', NULL, date '4000-01-01')$$,
                 '54000', NULL, 'too many periods');
SELECT throws_ok($$SELECT cohort_retention(i, date '1900-01-01' + i * 7, NULL, 1, 'week')
                   FROM generate_series(0, 5000, 1000) i$$,
                 '54000', NULL, 'cohort triangle too large');
SELECT throws_ok($$SELECT rollup(b) FROM (
                     SELECT subscription_book_agg(1, date '2024-01-01', NULL, 1, 'month') UNION ALL
                     SELECT subscription_book_agg(1, date '2024-01-01', NULL, 1, 'week')) v(b)$$,
                 '22023', 'cannot combine subscription books of different periods', 'rollup across periods');
SELECT throws_ok($$SELECT rollup(b) FROM (
                     SELECT subscription_book_agg(1, date '2024-01-01', NULL, 1, 'month') UNION ALL
                     SELECT subscription_book_agg('x'::text, date '2024-01-01', NULL, 1, 'month')) v(b)$$,
                 '42804', NULL, 'rollup across customer_id types');
SELECT throws_ok($$SELECT 'junk'::subscription_book$$, '22P02', NULL, 'text syntax');
SELECT throws_ok($$SELECT '\x0102'::subscription_book$$, '22P03', NULL, 'truncated value');

-- every single-byte corruption of a valid book is either rejected or still a
-- valid book: never a crash, never a read out of bounds
CREATE FUNCTION pg_temp.corruptions() RETURNS TABLE(accepted int, rejected int) LANGUAGE plpgsql AS $$
DECLARE
    good bytea := decode(substr((SELECT subscription_book_agg(name, date '2024-01-01' + n * 20,
                                   CASE WHEN n % 2 = 0 THEN date '2024-03-01' + n * 25 END, n * 1.5, 'month')
                                 FROM (VALUES ('alpha', 1), ('bravo', 2), ('charlie', 3), ('alpha', 4)) v(name, n)
                                )::text, 3), 'hex');
BEGIN
    accepted := 0; rejected := 0;
    FOR i IN 0 .. length(good) - 1 LOOP
        BEGIN
            PERFORM mrr_movements(('\x' || encode(set_byte(good, i, (get_byte(good, i) + 1 + i % 200) % 256), 'hex'))::subscription_book);
            PERFORM cohort_retention(('\x' || encode(set_byte(good, i, (get_byte(good, i) + 1 + i % 200) % 256), 'hex'))::subscription_book);
            accepted := accepted + 1;
        EXCEPTION WHEN OTHERS THEN
            rejected := rejected + 1;
        END;
    END LOOP;
    RETURN NEXT;
END $$;
SELECT ok((SELECT rejected > 0 AND accepted + rejected > 100 FROM pg_temp.corruptions()),
          'corrupted books are rejected or read safely');

-- a book with no customers (only possible through its input) rolls up and reads as zeros
SELECT is((SELECT mrr_movements(rollup(b))::text FROM (
               SELECT '\xe00000000100010000000000170000006400000000000080ffffff7fe05e0000e05e00000000000000000000000000000000000000000000'::subscription_book
               FROM generate_series(1, 2)) v(b)),
          '{"(2024-01-01,0,0,0,0,0,0,0,0,0,0,0,0)"}', 'empty books');

-- as a window function the state keeps growing after each final call
SELECT is((SELECT m FROM (SELECT i, mrr_movements(i % 7, date '2024-01-01' + i * 9, CASE WHEN i % 4 = 0 THEN date '2024-03-01' + i * 9 END, i::numeric)
                                 OVER (ORDER BY i) AS m FROM generate_series(1, 60) i) w WHERE i = 60),
          (SELECT mrr_movements(i % 7, date '2024-01-01' + i * 9, CASE WHEN i % 4 = 0 THEN date '2024-03-01' + i * 9 END, i::numeric)
           FROM generate_series(1, 60) i),
          'running window = the whole aggregate at the last row');

-- long text ids, compressed or moved out of line by TOAST, are the same
-- customers as their short equivalents
CREATE TABLE long_ids(customer_id text, started_at date, ended_at date, mrr numeric);
ALTER TABLE long_ids ALTER customer_id SET STORAGE EXTERNAL;
INSERT INTO long_ids
SELECT repeat('customer-', 400) || (i % 50), date '2024-01-01' + i * 3, CASE WHEN i % 3 = 0 THEN date '2024-01-01' + i * 3 + 40 + i END, i
FROM generate_series(1, 200) i;
SELECT is((SELECT mrr_movements(customer_id, started_at, ended_at, mrr) FROM long_ids),
          (SELECT mrr_movements(right(customer_id, 3), started_at, ended_at, mrr) FROM long_ids),
          'toasted text ids');

-- parallel plans: 400k rows, 150k customers, split among workers so the
-- same customer lands in several partial states
CREATE TABLE par_book AS
SELECT i % 150000 AS customer_id,
       date '2022-01-01' + (hashint4(i) & 1023) AS started_at,
       CASE WHEN hashint4(i + 1) & 3 <> 0
            THEN date '2022-01-01' + (hashint4(i) & 1023) + (hashint4(i + 2) & 511) END AS ended_at,
       ((hashint4(i + 3) & 65535) / 100.0)::numeric(12, 2) AS mrr
FROM generate_series(1, 400000) AS i;
ANALYZE par_book;

CREATE FUNCTION pg_temp.plan_of(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE line text; result text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
        result := result || line || E'\n';
    END LOOP;
    RETURN result;
END $$;

SET max_parallel_workers_per_gather = 0;
CREATE TABLE serial_results AS SELECT
    (SELECT mrr_movements(customer_id, started_at, ended_at, mrr) FROM par_book) AS by_month,
    (SELECT mrr_movements(customer_id::text, started_at, ended_at, mrr, 'week') FROM par_book) AS by_week_text,
    (SELECT cohort_retention(customer_id, started_at, ended_at, mrr) FROM par_book) AS cohorts,
    (SELECT array_agg(m ORDER BY g) FROM (
         SELECT customer_id % 3 AS g, mrr_movements(customer_id, started_at, ended_at, mrr) AS m
         FROM par_book GROUP BY 1) x) AS by_group;

-- hash aggregation that spills its states to disk (they are flattened and
-- read back) gives what a sorted group aggregate gives
SET enable_hashagg = off;
CREATE TABLE sorted_groups AS
SELECT customer_id % 500 AS g, mrr_movements(customer_id, started_at, ended_at, mrr, 'quarter') AS m
FROM par_book GROUP BY 1;
RESET enable_hashagg;
SET enable_sort = off;
SET hash_mem_multiplier = 1;
SET work_mem = '64kB';
SELECT matches(pg_temp.plan_of('SELECT customer_id % 500, mrr_movements(customer_id, started_at, ended_at, mrr, ''quarter'') FROM par_book GROUP BY 1'),
               'HashAggregate', 'a hash aggregate is planned');
SELECT is((SELECT count(*) FROM (SELECT customer_id % 500 AS g, mrr_movements(customer_id, started_at, ended_at, mrr, 'quarter') AS m
                                 FROM par_book GROUP BY 1) h JOIN sorted_groups s USING (g) WHERE h.m = s.m),
          500::bigint, 'spilled hash aggregate = sorted group aggregate');
RESET enable_sort;
RESET hash_mem_multiplier;
RESET work_mem;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT matches(pg_temp.plan_of('SELECT mrr_movements(customer_id, started_at, ended_at, mrr) FROM par_book'),
               'Gather.*Partial Aggregate', 'mrr_movements runs as a parallel partial aggregate');
SELECT matches(pg_temp.plan_of('SELECT cohort_retention(customer_id, started_at, ended_at, mrr) FROM par_book'),
               'Gather.*Partial Aggregate', 'cohort_retention runs as a parallel partial aggregate');
SELECT is((SELECT mrr_movements(customer_id, started_at, ended_at, mrr) FROM par_book),
          (SELECT by_month FROM serial_results), 'mrr_movements: parallel = serial (bigint ids, month)');
SELECT is((SELECT mrr_movements(customer_id::text, started_at, ended_at, mrr, 'week') FROM par_book),
          (SELECT by_week_text FROM serial_results), 'mrr_movements: parallel = serial (text ids, week)');
SELECT is((SELECT cohort_retention(customer_id, started_at, ended_at, mrr) FROM par_book),
          (SELECT cohorts FROM serial_results), 'cohort_retention: parallel = serial');
SELECT is((SELECT array_agg(m ORDER BY g) FROM (
               SELECT customer_id % 3 AS g, mrr_movements(customer_id, started_at, ended_at, mrr) AS m
               FROM par_book GROUP BY 1) x),
          (SELECT by_group FROM serial_results), 'GROUP BY: parallel = serial');
SELECT is((SELECT mrr_movements(rollup(b)) FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr, 'month') AS b
                                   FROM par_book GROUP BY started_at) x),
          (SELECT by_month FROM serial_results), 'books split by start date roll up to the whole');
