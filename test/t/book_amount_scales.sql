-- Amounts of a customer that have no common exact scale in 64 bits (more
-- than 18 significant digits between them: 1.46 beside 10^17 and 10^18).
-- A book holds every amount as written, each such row at its own scale
-- (src/book.h); a reader brings the customer's amounts to the finest scale
-- at which all fit, rounding each amount once, half-even.  So the answers do
-- not depend on the order of the rows, the plan, spilling, parallel workers
-- or how books were rolled up; rounding twice (1.46 to 1.5 at one decimal,
-- then to 2) would.  Every expected amount here is worked out by hand.
BEGIN;
SET client_min_messages = warning;
\i test/t/lib/plan_of.sql
\i test/t/lib/binary_input.sql
SELECT plan(46);

-- ---- the example: 1.46 is read as 1 -----------------------------------------
-- 1.46 and 10^17 fit together at 1 decimal (10^18 tenths), 10^18 at none:
-- the customer is read at scale 0, where 1.46 is 1 (rounded once; 2 if
-- rounded to 1.5 first).
CREATE TEMP TABLE hr_scales (customer_id bigint, started_at date, ended_at date, mrr numeric);
INSERT INTO hr_scales VALUES (0, '2024-01-01', NULL, 1.46), (0, '2024-01-01', NULL, 100000000000000000),
                             (0, '2024-02-01', NULL, 1000000000000000000);
SELECT is((SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr ORDER BY mrr)::text FROM hr_scales),
          (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr ORDER BY mrr DESC)::text FROM hr_scales),
          'the example: rows in ascending and descending order make the same book');
SELECT is((SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr ORDER BY mrr)::text FROM hr_scales),
          (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr)::text FROM hr_scales),
          'the example: and in the table''s order');
SELECT is((SELECT array_agg(ROW(m.period_start, m.new_mrr, m.expansion_mrr, m.mrr_end)::text ORDER BY m.period_start)
           FROM unnest((SELECT mrr_movements(customer_id, started_at, ended_at, mrr ORDER BY mrr) FROM hr_scales)) m),
          ARRAY['(2024-01-01,100000000000000001.00,0.00,100000000000000001.00)',
                '(2024-02-01,0.00,1000000000000000000.00,1100000000000000001.00)'],
          'the example: 1.46 beside 10^17 and 10^18 is read as 1 (rounded once)');
SELECT is((SELECT array_agg(ROW(m.period_start, m.mrr_end)::text ORDER BY m.period_start)
           FROM unnest((SELECT mrr_movements(customer_id, started_at, ended_at, mrr ORDER BY mrr DESC) FROM hr_scales)) m),
          ARRAY['(2024-01-01,100000000000000001.00)', '(2024-02-01,1100000000000000001.00)'],
          'the example, rows in descending order: the same movements');

-- ---- a book of customers with and without scales of their own ---------------
-- customer 0: 1.46, 10^17 in January, 10^18 from February: 1.46 read as 1
--             (twice: 1.5, then 2);
-- customer 1: the same a month later with 2.52, read as 3 (twice: 2.5, then
--             2, half to even);
-- customer 2: 1 and 0.01 (the same units at scales 0 and 2) beside 10^18
--             in January, read as 1 and 0;
-- customer 3: 0.25 and 7 in January, 1.50 from February, every amount exact
--             at 2 decimals.
-- January:  (10^17 + 1) + (10^18 + 1) + 7.25                   = 1100000000000000009.25
-- February: + 10^18 (0) + (10^17 + 3) (1, new) + 1.50 (3)      = 2200000000000000013.75
-- March:    + 10^18 (1)                                        = 3200000000000000013.75
CREATE TABLE hr_rows (customer_id bigint, started_at date, ended_at date, mrr numeric, part int);
INSERT INTO hr_rows VALUES
  (0, '2024-01-01', NULL, 1.46, 1), (0, '2024-01-01', NULL, 100000000000000000, 2),
  (0, '2024-02-01', NULL, 1000000000000000000, 3),
  (1, '2024-02-01', NULL, 2.52, 1), (1, '2024-02-01', NULL, 100000000000000000, 2),
  (1, '2024-03-01', NULL, 1000000000000000000, 3),
  (2, '2024-01-01', NULL, 1, 1), (2, '2024-01-01', NULL, 0.01, 2), (2, '2024-01-01', NULL, 1000000000000000000, 3),
  (3, '2024-01-01', NULL, 0.25, 1), (3, '2024-01-01', NULL, 7, 2), (3, '2024-02-01', NULL, 1.50, 3);
-- (period, customers at the start, new, churned, at the end, MRR at the
-- start, new MRR, expansion, MRR at the end, customers that expanded)
CREATE TEMP TABLE hr_expected_movements AS
SELECT ARRAY['(2024-01-01,0,3,0,3,0.00,1100000000000000009.25,0.00,1100000000000000009.25,0)',
             '(2024-02-01,3,1,0,4,1100000000000000009.25,100000000000000003.00,1000000000000000001.50,2200000000000000013.75,2)',
             '(2024-03-01,4,0,0,4,2200000000000000013.75,0.00,1000000000000000000.00,3200000000000000013.75,1)'] AS m;
CREATE FUNCTION pg_temp.movements(ms mrr_movement[]) RETURNS text[] LANGUAGE sql AS $$
    SELECT array_agg(ROW(m.period_start, m.customers_start, m.new_customers, m.churned_customers, m.customers_end,
                         m.mrr_start, m.new_mrr, m.expansion_mrr, m.mrr_end, m.expansion_customers)::text
                     ORDER BY m.period_start)
    FROM unnest(ms) m
$$;
CREATE TEMP TABLE hr_serial AS
SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book,
       mrr_movements(customer_id, started_at, ended_at, mrr) AS movements,
       cohort_retention(customer_id, started_at, ended_at, mrr) AS cohorts
FROM hr_rows;

SELECT is((SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr ORDER BY mrr)::text FROM hr_rows),
          (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr ORDER BY mrr DESC)::text FROM hr_rows),
          'rows in ascending and descending order of amount make the same book');
SELECT is((SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr ORDER BY customer_id DESC, part DESC)::text FROM hr_rows),
          (SELECT book::text FROM hr_serial),
          'and rows in another order the same book as the table''s order');
SELECT is(pg_temp.movements((SELECT movements FROM hr_serial)), (SELECT m FROM hr_expected_movements),
          'mrr_movements: every amount rounded once to its customer''s scale');
SELECT is(pg_temp.movements((SELECT mrr_movements(customer_id, started_at, ended_at, mrr ORDER BY mrr DESC) FROM hr_rows)),
          (SELECT m FROM hr_expected_movements), 'mrr_movements, rows in descending order: the same');
SELECT is(pg_temp.movements(ARRAY(SELECT mrr_movements((SELECT book FROM hr_serial)))),
          (SELECT m FROM hr_expected_movements), 'mrr_movements(book): the same');
SELECT set_eq($$SELECT customer_id, mrr FROM customers_at((SELECT book FROM hr_serial), '2024-03-15')$$,
              $$VALUES ('0', 1100000000000000001.00), ('1', 1100000000000000003.00), ('2', 1000000000000000001.00), ('3', 8.75)$$,
              'customers_at: each customer''s amounts rounded once');
SELECT set_eq($$SELECT customer_id, period_start, movement, mrr_before, mrr_after
                FROM customer_movements((SELECT book FROM hr_serial)) WHERE customer_id IN ('0', '1')$$,
              $$VALUES ('0', date '2024-01-01', 'new', 0, 100000000000000001), ('0', '2024-02-01', 'expansion', 100000000000000001, 1100000000000000001),
                       ('1', '2024-02-01', 'new', 0, 100000000000000003), ('1', '2024-03-01', 'expansion', 100000000000000003, 1100000000000000003)$$,
              'customer_movements: the same amounts');
-- the January cohort (customers 0, 2, 3) and the February one (customer 1)
SELECT is((SELECT array_agg(ROW(c.cohort_start, c.age, c.cohort_mrr, c.mrr)::text ORDER BY c.cohort_start, c.age)
           FROM unnest((SELECT cohorts FROM hr_serial)) c),
          ARRAY['(2024-01-01,0,1100000000000000009.25,1100000000000000009.25)',
                '(2024-01-01,1,1100000000000000009.25,2100000000000000010.75)',
                '(2024-01-01,2,1100000000000000009.25,2100000000000000010.75)',
                '(2024-02-01,0,100000000000000003.00,100000000000000003.00)',
                '(2024-02-01,1,100000000000000003.00,1100000000000000003.00)'],
          'cohort_retention: the same amounts');
SELECT is((SELECT cohort_retention(customer_id, started_at, ended_at, mrr ORDER BY mrr DESC)::text FROM hr_rows),
          (SELECT cohorts::text FROM hr_serial), 'cohort_retention, rows in descending order: the same');
SELECT is(ARRAY(SELECT cohort_retention((SELECT book FROM hr_serial)))::text, (SELECT cohorts::text FROM hr_serial),
          'cohort_retention(book): the same');
SELECT is(ARRAY(SELECT c.mrr FROM mrr_by_cohort((SELECT book FROM hr_serial)) c ORDER BY c.period_start, c.cohort_start),
          ARRAY[1100000000000000009.25, 2100000000000000010.75, 100000000000000003.00,
                2100000000000000010.75, 1100000000000000003.00], 'mrr_by_cohort: the same');

-- ---- rollup of books of some of the rows --------------------------------------
-- by part, and by month: January's 1.46 and 10^17 of customer 0, and
-- February's 2.52 and 10^17 of customer 1, have scales of their own in a
-- book of their month (exact at 2 decimals, they fit at 1)
SELECT is((SELECT rollup(b ORDER BY part)::text
           FROM (SELECT part, subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b FROM hr_rows GROUP BY part) p),
          (SELECT book::text FROM hr_serial), 'rollup of the books of each part = the book of all rows');
SELECT is((SELECT rollup(b ORDER BY part DESC)::text
           FROM (SELECT part, subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b FROM hr_rows GROUP BY part) p),
          (SELECT book::text FROM hr_serial), 'and in the other order');
SELECT is((SELECT rollup(b ORDER BY m)::text
           FROM (SELECT started_at AS m, subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b
                 FROM hr_rows GROUP BY started_at) p),
          (SELECT book::text FROM hr_serial), 'rollup of the books of each month = the book of all rows');
SELECT is((SELECT rollup(b ORDER BY m DESC)::text
           FROM (SELECT max(mrr) AS m, subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b
                 FROM hr_rows GROUP BY customer_id, part) p),
          (SELECT book::text FROM hr_serial), 'rollup of a book per row = the book of all rows');
SELECT is(pg_temp.movements(ARRAY(SELECT mrr_movements((SELECT rollup(b ORDER BY part DESC)
                                                        FROM (SELECT part, subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b
                                                              FROM hr_rows GROUP BY part) p)))),
          (SELECT m FROM hr_expected_movements), 'mrr_movements of the rollup: the same');

-- ---- text and binary forms ------------------------------------------------------
SELECT is((SELECT book::text::subscription_book::text FROM hr_serial), (SELECT book::text FROM hr_serial),
          'text round trip of a book with scales of its own');
SELECT is((SELECT book::text::subscription_book = book FROM hr_serial), true, 'and the book read back is equal');
SELECT is(pg_temp.binary_input('subscription_book', (SELECT subscription_book_send(book) FROM hr_serial)),
          (SELECT book::text FROM hr_serial), 'binary round trip');
-- the portable form by hand (src/book_io.c): version 2, bigint ids, no
-- flags, period 0, display scale 2; 2024-01-01 is day 8766 (0x223e),
-- 2024-02-01 day 8797 (0x225d), no end 0x7fffffff; the customer's scale 255
-- (ff): each row is followed by its scale
CREATE FUNCTION pg_temp.crafted(hex text) RETURNS subscription_book LANGUAGE sql AS $$
    SELECT encode(decode(hex, 'hex'), 'base64')::subscription_book
$$;
CREATE FUNCTION pg_temp.example(rows text, display_scale text DEFAULT '02') RETURNS text LANGUAGE sql AS $$
    SELECT '02010000' || display_scale || '0000223e' || '0000225d' || '00000001' ||
           '0000000000000000' || '0000223e' || 'ff' || '00000003' || rows
$$;
SELECT is((SELECT subscription_book_send(subscription_book_agg(customer_id, started_at, ended_at, mrr)) FROM hr_scales),
          decode(pg_temp.example('0000223e' || '7fffffff' || '0000000000000092' || '02' ||
                                 '0000223e' || '7fffffff' || '016345785d8a0000' || '00' ||
                                 '0000225d' || '7fffffff' || '0de0b6b3a7640000' || '00'), 'hex'),
          'the example''s binary form: 146 at scale 2, 10^17 and 10^18 at scale 0');
SELECT is(pg_temp.crafted(pg_temp.example('0000225d' || '7fffffff' || '0de0b6b3a7640000' || '00' ||
                                          '0000223e' || '7fffffff' || '0de0b6b3a7640000' || '01' ||
                                          '0000223e' || '7fffffff' || '0000000000000092' || '02'))::text,
          (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr)::text FROM hr_scales),
          'rows with scales of their own in any order, 10^17 written as 10^18 tenths: the book of the example');
SELECT throws_ok(format('SELECT pg_temp.crafted(%L)',
                        pg_temp.example('0000223e' || '7fffffff' || '0000000000000092' || '0d' ||
                                        '0000223e' || '7fffffff' || '016345785d8a0000' || '00' ||
                                        '0000225d' || '7fffffff' || '0de0b6b3a7640000' || '00')),
                 '22P03', 'invalid subscription_book value: bad scale', 'a row''s scale over 12 is refused');
SELECT throws_ok(format('SELECT pg_temp.crafted(%L)',
                        pg_temp.example('0000223e' || '7fffffff' || '00000000000005b5' || '03' ||
                                        '0000223e' || '7fffffff' || '016345785d8a0000' || '00' ||
                                        '0000225d' || '7fffffff' || '0de0b6b3a7640000' || '00')),
                 '22P03', 'invalid subscription_book value: amounts finer than the display scale',
                 'a row''s amount finer than the display scale (1.461 in a book shown with 2 decimals) is refused');
SELECT throws_ok($$SELECT pg_temp.crafted('0201000002' || '0000223e' || '0000225d' || '00000001' ||
                                           '0000000000000000' || '0000223e' || '0d' || '00000000')$$,
                 '22P03', 'invalid subscription_book value: bad scale', 'a customer''s scale over 12 other than 255 is refused');
SELECT throws_ok(format('SELECT pg_temp.crafted(%L)',
                        pg_temp.example('0000223e' || '7fffffff' || '0000000000000092' || '02' ||
                                        '0000223e' || '7fffffff' || '016345785d8a0000')),
                 '22P03', 'invalid subscription_book value: bad row count', 'rows cut short of their scales are refused');
-- 1.46 and 1.5 written with scales of their own fit at 2 decimals: the
-- customer is read back as every book holds it, at its smallest exact scale
SELECT is(pg_temp.crafted('0201000002' || '0000223e' || '0000223e' || '00000001' ||
                          '0000000000000007' || '0000223e' || 'ff' || '00000002' ||
                          '0000223e' || '7fffffff' || '000000000000000f' || '01' ||
                          '0000223e' || '7fffffff' || '0000000000000092' || '02')::text,
          (SELECT subscription_book_agg(7, date '2024-01-01', NULL::date, m)::text FROM (VALUES (1.46), (1.5)) v(m)),
          'rows with scales of their own that fit at one scale are read as the book of those rows');

-- ---- spilled and parallel ---------------------------------------------------
-- the rows of hr_rows far apart in a table of 60,000 more (from April on):
-- each part in another run of a spilled log (runs of parts 1 and 2 merge
-- before part 3's: 1.46 and 10^17 of customer 0 with scales of their own),
-- and likely in another worker's book
CREATE TABLE hr_many AS
SELECT customer_id, started_at, ended_at, mrr FROM hr_rows WHERE part = 1;
INSERT INTO hr_many SELECT i, date '2024-04-01' + i % 200, NULL, 10.25 FROM generate_series(10, 30009) i;
INSERT INTO hr_many SELECT customer_id, started_at, ended_at, mrr FROM hr_rows WHERE part = 2;
INSERT INTO hr_many SELECT i, date '2024-04-01' + i % 200, NULL, 10.25 FROM generate_series(30010, 60009) i;
INSERT INTO hr_many SELECT customer_id, started_at, ended_at, mrr FROM hr_rows WHERE part = 3;
ANALYZE hr_many;
SET max_parallel_workers_per_gather = 0;
CREATE FUNCTION pg_temp.answers() RETURNS TABLE (what text, answer text) LANGUAGE sql AS $$
    SELECT 'subscription_book_agg', subscription_book_agg(customer_id, started_at, ended_at, mrr)::text FROM hr_many
    UNION ALL SELECT 'mrr_movements', mrr_movements(customer_id, started_at, ended_at, mrr)::text FROM hr_many
    UNION ALL SELECT 'cohort_retention', cohort_retention(customer_id, started_at, ended_at, mrr)::text FROM hr_many
    UNION ALL SELECT 'customers_at', (SELECT array_agg(c ORDER BY c.customer_id)::text
                                      FROM customers_at((SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr)
                                                         FROM hr_many), '2024-03-15') c WHERE c.customer_id IN ('0', '1', '2', '3'))
$$;
CREATE TEMP TABLE many_serial AS SELECT * FROM pg_temp.answers();
SELECT is((SELECT answer FROM many_serial WHERE what = 'customers_at'),
          '{"(0,1100000000000000001.00)","(1,1100000000000000003.00)","(2,1000000000000000001.00)","(3,8.75)"}',
          'among 60,000 other rows: each amount rounded once');
SELECT is((SELECT (pg_temp.movements(mrr_movements(customer_id, started_at, ended_at, mrr)))[1:3] FROM hr_many),
          (SELECT m FROM hr_expected_movements), 'and the movements of January to March');

SET saas_metrics.max_memory = '64kB';
SELECT matches(pg_temp.plan_of('SELECT mrr_movements(customer_id, started_at, ended_at, mrr) FROM hr_many',
                               'ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF'),
               'Aggregate.*\n.*temp read=[0-9]+ written=[1-9]', 'at 64kB the book spills');
SELECT is(a.answer, s.answer, 'spilled = in memory: ' || s.what)
FROM pg_temp.answers() a JOIN many_serial s USING (what) ORDER BY s.what;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT matches(pg_temp.plan_of('SELECT mrr_movements(customer_id, started_at, ended_at, mrr) FROM hr_many'),
               'Partial Aggregate', 'the parallel plan is partial');
SELECT is(a.answer, s.answer, 'parallel, spilled = serial in memory: ' || s.what)
FROM pg_temp.answers() a JOIN many_serial s USING (what) ORDER BY s.what;
RESET saas_metrics.max_memory;
SELECT is(a.answer, s.answer, 'parallel in memory = serial: ' || s.what)
FROM pg_temp.answers() a JOIN many_serial s USING (what) ORDER BY s.what;

SELECT * FROM finish();
ROLLBACK;
