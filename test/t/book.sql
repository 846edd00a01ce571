-- subscription_book: errors with their SQLSTATEs and the row they name,
-- amounts of any scale, negative adjustments, validation of the text and
-- binary input, and parallel, spilling and windowed plans equal to serial
-- ones.
BEGIN;
SELECT plan(85);
SET DateStyle = ISO;

-- ---- rows the aggregates refuse, naming the row ----------------------------
SELECT throws_ok($$SELECT mrr_movements(42, date '2024-02-01', date '2024-01-01', 10)$$,
                 '22023', 'ended_at must not be before started_at', 'end before start');
SELECT throws_like($$SELECT subscription_book_agg(42, date '2024-02-01', date '2024-01-01', 10)$$,
                   '%ended_at must not be before started_at%', 'end before start, subscription_book_agg');
\ir lib/error_detail.sql
SELECT is(pg_temp.error_detail($$SELECT mrr_movements(42, date '2024-02-01', date '2024-01-01', 10.5)$$),
          'The row is customer_id 42, started_at 2024-02-01, ended_at 2024-01-01, mrr 10.5.',
          'end before start: the detail names the row');
SELECT is(pg_temp.error_detail($$SELECT mrr_movements('cus_9'::text, timestamptz '2024-02-01 10:00+00', timestamptz '2024-01-01 00:00+00', 1)$$),
          'The row is customer_id "cus_9", started_at 2024-02-01 10:00:00+00, ended_at 2024-01-01 00:00:00+00, mrr 1.',
          'timestamptz rows and text ids are named too');
SELECT throws_ok($$SELECT mrr_movements(NULL::bigint, date '2024-01-01', NULL, 10)$$,
                 '22004', 'customer_id must not be NULL', 'NULL customer_id');
SELECT is(pg_temp.error_detail($$SELECT mrr_movements(NULL::bigint, date '2024-01-01', NULL, 10)$$),
          'The row is customer_id NULL, started_at 2024-01-01, ended_at NULL, mrr 10.',
          'NULL customer_id: the detail gives the rest of the row');
SELECT throws_ok($$SELECT mrr_movements(1, NULL::date, NULL, 10)$$,
                 '22004', 'started_at must not be NULL', 'NULL started_at');
SELECT throws_ok($$SELECT mrr_movements(1, date '2024-01-01', NULL, NULL)$$,
                 '22004', 'mrr must not be NULL', 'NULL mrr');
SELECT throws_ok($$SELECT mrr_movements(1, date '2024-01-01', NULL, 'NaN')$$,
                 '22023', 'mrr must be a finite amount', 'NaN mrr');
SELECT throws_ok($$SELECT mrr_movements(1, date '2024-01-01', NULL, '-Infinity')$$,
                 '22023', 'mrr must be a finite amount', '-Infinity mrr');
SELECT throws_ok($$SELECT mrr_movements(1, date '-infinity', NULL, 10)$$,
                 '22008', 'started_at must be a finite date', 'infinite start');
SELECT throws_ok($$SELECT mrr_movements(1, date 'infinity', NULL, 10)$$,
                 '22008', 'started_at must be a finite date', 'start at +infinity');
SELECT throws_ok($$SELECT mrr_movements(1, date '4713-01-01 BC', NULL, 10)$$,
                 '22008', 'started_at must not be before 4712 BC', 'start before 4712 BC');
SELECT throws_ok($$SELECT mrr_movements(1, date '2024-01-01', date '-infinity', 10)$$,
                 '22023', 'ended_at must not be before started_at', 'end at -infinity');
SELECT throws_ok($$SELECT mrr_movements(1, date '2024-01-01', NULL, 1e19)$$,
                 '22003', 'mrr is out of range', 'mrr of 10^19');
SELECT throws_ok($$SELECT mrr_movements(1, date '2024-01-01', NULL, 1, NULL)$$,
                 '22004', 'period must not be NULL', 'NULL period');
SELECT throws_ok($$SELECT mrr_movements(1, date '2024-01-01', NULL, 1, 'fortnight')$$,
                 '22023', 'unknown period "fortnight"', 'unknown period');
SELECT throws_ok($$SELECT mrr_movements(1, date '2024-01-01', NULL, 1, p)
                   FROM (VALUES ('month'), ('week')) v(p)$$,
                 '22023', 'period, "from" and "to" must be the same in every row', 'period changing between rows');
-- a period computed per row reuses the same memory: it is compared by value
SELECT throws_ok($$SELECT mrr_movements(i, date '2024-01-01', NULL, 1, CASE WHEN i < 3 THEN 'month' ELSE 'week' END || '')
                   FROM generate_series(1, 5) i$$,
                 '22023', 'period, "from" and "to" must be the same in every row', 'a computed period changing between rows');
SELECT is((SELECT mrr_movements(i, date '2024-01-01', NULL, 1, CASE WHEN i < 3 THEN 'Month' ELSE 'month' END || '')
           FROM generate_series(1, 5) i),
          (SELECT mrr_movements(i, date '2024-01-01', NULL, 1, 'month') FROM generate_series(1, 5) i),
          'the same period written two ways is the same period');
SELECT throws_ok($$SELECT mrr_movements(1, date '2024-01-01', NULL, 1, 'month', date 'infinity', NULL)$$,
                 '22008', '"from" must be a finite date from 4712 BC on', 'infinite bound');
SELECT throws_ok($$SELECT mrr_movements(1, date '2024-01-01', NULL, 1, 'month', date '2024-03-01', date '2024-01-01')$$,
                 '22023', '"from" must not be after "to"', 'bounds reversed');
SELECT throws_ok($$SELECT mrr_movements(x, date '2024-01-01', NULL, 1) FROM (VALUES (point(1, 1))) v(x)$$,
                 '42883', NULL, 'customer_id of a type without an overload');

-- a log past saas_metrics.max_memory (512MB: 2^23 rows and their sort's
-- copy) spills to temporary files (book_spill.c); one customer's 17 million
-- rows then make a flat book of a 48-byte header, one 24-byte customer and
-- 17,000,000 rows of 16 bytes
SELECT is(pg_column_size(subscription_book_agg(1, date '2024-01-01', NULL, 1)),
          48 + 24 + 17000000 * 16, 'one customer with 17 million rows: spilled, then flattened')
FROM generate_series(1, 17000000);
-- a book that cannot spill (a window aggregate's state stays readable) and
-- could not be flattened in 1 GB is refused while it is made (here at the
-- 16.8 millionth row, one customer per row at worst), with 54000, never XX000
SELECT throws_ok($$SELECT pg_column_size(subscription_book_agg(1, date '2024-01-01', NULL, 1) OVER ())
                   FROM generate_series(1, 17000000) LIMIT 1$$,
                 '54000', 'subscription book is too large', 'a window aggregate of 17 million rows');

-- ---- readers' options ------------------------------------------------------
CREATE TEMP TABLE b AS
SELECT subscription_book_agg(i, date '2024-01-01' + i * 10, CASE WHEN i % 2 = 0 THEN date '2024-03-01' + i * 7 END, 10 * i)
       AS book
FROM generate_series(1, 9) i;
SELECT throws_ok($$SELECT * FROM b, mrr_movements(book, 'fortnight')$$, '22023', 'unknown period "fortnight"', 'reader: unknown period');
SELECT throws_ok($$SELECT * FROM b, mrr_movements(book, NULL)$$, '22004', 'period must not be NULL', 'reader: NULL period');
SELECT throws_ok($$SELECT * FROM b, mrr_movements(book, zero_mrr => 'free')$$, '22023', 'unknown zero_mrr convention "free"',
                 'reader: unknown zero_mrr');
SELECT throws_ok($$SELECT * FROM b, mrr_movements(book, changes => 'daily')$$, '22023', 'unknown changes convention "daily"',
                 'reader: unknown changes');
SELECT throws_ok($$SELECT * FROM b, mrr_movements(book, "from" => '2024-05-01', "to" => '2024-01-01')$$,
                 '22023', '"from" must not be after "to"', 'reader: bounds reversed');
SELECT throws_ok($$SELECT * FROM b, mrr_movements(book, "from" => '-infinity')$$,
                 '22008', '"from" must be a finite date from 4712 BC on', 'reader: infinite bound');
SELECT throws_ok($$SELECT * FROM b, mrr_movements(book, 'day', '1800-01-01', '2100-01-01')$$,
                 '54000', NULL, 'reader: too many periods');
SELECT throws_ok($$SELECT * FROM (SELECT subscription_book_agg(i, d, NULL, 1) AS book
                                  FROM (VALUES (1, date '2000-01-01'), (2, date '2024-01-01')) v(i, d)) c,
                                 cohort_retention(c.book, 'day')$$,
                 '54000', NULL, 'reader: cohort triangle too large');
SELECT throws_ok($$SELECT * FROM b, customers_at(book, NULL)$$, '22004', 'day must not be NULL', 'customers_at: NULL day');
SELECT is((SELECT count(*) FROM b, mrr_movements(book, 'month', '2030-01-01')), 0::bigint,
          'a window after the data has no periods');
SELECT is((SELECT count(*) FROM b, mrr_movements(book, 'month', NULL, '2023-06-30')), 0::bigint,
          'a window before the data has no periods');

-- ---- amounts of any scale --------------------------------------------------
-- price / 12 and friends carry 16 to 20 decimals: rounded half-even at 12,
-- shown with the largest scale written (at most 12)
SELECT is((SELECT mrr_end FROM (SELECT subscription_book_agg(1, date '2024-01-01', NULL, 1200 / 12::numeric) AS book) x,
                                 mrr_movements(x.book)),
          100.000000000000::numeric, 'price / 12: 100.0000000000000000 is 100 at 12 decimals');
SELECT is((SELECT mrr_end FROM (SELECT subscription_book_agg(i, date '2024-01-01', NULL, 1000 / 12.0) AS book
                                FROM generate_series(1, 3) i) x, mrr_movements(x.book)),
          249.999999999999::numeric, '1000 / 12.0 three times: 83.333333333333 each (half-even at 12 decimals), summed exactly');
SELECT is((SELECT mrr_end FROM (SELECT subscription_book_agg(1, date '2024-01-01', NULL, 0.0000000000005) AS book) x,
                                 mrr_movements(x.book, zero_mrr => 'active')),
          0.000000000000::numeric, '0.5e-12 rounds half-even to 0');
SELECT is((SELECT mrr_end FROM (SELECT subscription_book_agg(1, date '2024-01-01', NULL, 0.0000000000015) AS book) x,
                                 mrr_movements(x.book)),
          0.000000000002::numeric, '1.5e-12 rounds half-even to 2e-12');
SELECT is((SELECT mrr_end FROM (SELECT subscription_book_agg(i, date '2024-01-01', NULL, v) AS book
                                FROM (VALUES (1, 999999999999.99), (2, 999999999999.99), (3, 0.000000000001)) t(i, v)) x,
                                 mrr_movements(x.book)),
          1999999999999.980000000001::numeric, 'amounts of 10^12 with 2 decimals beside one of 12 decimals: exact sum');
SELECT is((SELECT mrr_end FROM (SELECT subscription_book_agg(1, date '2024-01-01', NULL, 1000000.123456789012) AS book) x,
                                 mrr_movements(x.book)),
          1000000.123456789012::numeric, '10^6 with 12 decimals is exact');
SELECT is((SELECT mrr_end FROM (SELECT subscription_book_agg(1, date '2024-01-01', NULL, 123456789012.123456789) AS book) x,
                                 mrr_movements(x.book)),
          123456789012.1234568::numeric, 'over 18 significant digits: rounded half-even to fit (7 decimals here)');
SELECT is((SELECT mrr_end FROM (SELECT subscription_book_agg(i, date '2024-01-01', NULL, 9e18) AS book
                                FROM generate_series(1, 4) i) x, mrr_movements(x.book)),
          36e18::numeric, 'totals beyond 64 bits are exact');
SELECT is((SELECT mrr_end::text FROM (SELECT subscription_book_agg(customer_id, date '2024-01-01', NULL, mrr) AS book
                                      FROM (VALUES (1, 19.90::numeric(12,2)), (2, 10.10::numeric(12,2))) t(customer_id, mrr)) x,
                                       mrr_movements(x.book)),
          '30.00', 'results are shown with the scale the amounts were written with');

-- ---- negative rows: adjustments ---------------------------------------------
-- a credit of 30 for February on a plan of 100 reads as a contraction and an expansion
SELECT is((SELECT array_agg(mrr_end ORDER BY period_start)
           FROM (SELECT subscription_book_agg(7, s, e, m) AS book
                 FROM (VALUES (date '2024-01-01', NULL::date, 100), ('2024-02-01', '2024-03-01', -30)) t(s, e, m)) x,
                mrr_movements(x.book)),
          ARRAY[100, 70, 100]::numeric[], 'a negative row lowers the MRR while it lasts');
SELECT throws_ok($$SELECT * FROM (SELECT subscription_book_agg(7, s, e, m) AS book
                                  FROM (VALUES (date '2024-01-01', date '2024-03-01', 100), ('2024-02-01', '2024-04-01', -30)) t(s, e, m)) x,
                                 mrr_movements(x.book)$$,
                 '22023', 'MRR of customer 7 is below zero on 2024-03-31', 'MRR below zero at a period end: the customer and the day');
SELECT is(pg_temp.error_detail($$SELECT * FROM (SELECT subscription_book_agg(7, s, e, m) AS book
                                  FROM (VALUES (date '2024-01-01', date '2024-03-01', 100), ('2024-02-01', '2024-04-01', -30)) t(s, e, m)) x,
                                 mrr_movements(x.book)$$),
          'Its MRR then is -30.', 'the detail gives the MRR');
SELECT throws_ok($$SELECT * FROM (SELECT subscription_book_agg(7, s, e, m) AS book
                                  FROM (VALUES (date '2024-01-01', date '2024-03-10', 100), ('2024-03-09', '2024-03-12', -30)) t(s, e, m)) x,
                                 mrr_movements(x.book, changes => 'all')$$,
                 '22023', 'MRR of customer 7 is below zero on 2024-03-10', 'changes ''all'' reads every day');
SELECT lives_ok($$SELECT * FROM (SELECT subscription_book_agg(7, s, e, m) AS book
                                 FROM (VALUES (date '2024-01-01', date '2024-03-10', 100), ('2024-03-09', '2024-03-12', -30)) t(s, e, m)) x,
                                mrr_movements(x.book)$$,
                'period_end does not read the days between period ends');

-- ---- text and binary forms ---------------------------------------------------
SELECT is((SELECT book::text::subscription_book::text FROM b), (SELECT book::text FROM b), 'text round trip');
SELECT is((SELECT subscription_book_recv_round_trip FROM (
               SELECT (SELECT book FROM b)::text = (SELECT book FROM b)::text AS subscription_book_recv_round_trip) x),
          true, 'the text form is stable');
SELECT throws_ok($$SELECT 'junk'::subscription_book$$, '22P03', NULL, 'junk base64 is not a book');
SELECT throws_ok($$SELECT 'not base64 at all!'::subscription_book$$, '22P02', NULL, 'text syntax');
SELECT throws_ok($$SELECT '\x0102'::subscription_book$$, '0A000',
                 'this subscription_book was written by saas_metrics 0.1.0 and cannot be read', 'a 0.1.0 text form');
SELECT throws_ok($$SELECT encode('\x02010000'::bytea, 'base64')::subscription_book$$, '22P03',
                 'invalid subscription_book value: truncated', 'truncated value');

-- every single-byte corruption of a valid book is either rejected with
-- 22P03 or still a valid book, which reads, or which a reader refuses as it
-- would refuse such rows (an MRR below zero, 22023; too many periods,
-- 54000): never another error, never a crash
CREATE FUNCTION pg_temp.corruptions() RETURNS TABLE(accepted int, rejected int, other_errors int) LANGUAGE plpgsql AS $$
DECLARE
    good bytea := decode((SELECT subscription_book_agg(name, date '2024-01-01' + n * 20,
                                   CASE WHEN n % 2 = 0 THEN date '2024-03-01' + n * 25 END, n * 1.5)
                          FROM (VALUES ('alpha', 1), ('bravo', 2), ('charlie', 3), ('alpha', 4)) v(name, n))::text, 'base64');
    bad subscription_book;
BEGIN
    accepted := 0; rejected := 0; other_errors := 0;
    FOR i IN 0 .. length(good) - 1 LOOP
        FOR delta IN 1 .. 3 LOOP
            BEGIN
                bad := encode(set_byte(good, i, (get_byte(good, i) + delta * 85) % 256), 'base64')::subscription_book;
                PERFORM count(*) FROM mrr_movements(bad, changes => 'all');
                PERFORM count(*) FROM cohort_retention(bad, 'week');
                accepted := accepted + 1;
            EXCEPTION
                WHEN invalid_binary_representation THEN rejected := rejected + 1;
                WHEN invalid_parameter_value OR program_limit_exceeded THEN accepted := accepted + 1;
                WHEN OTHERS THEN other_errors := other_errors + 1;
            END;
        END LOOP;
    END LOOP;
    RETURN NEXT;
END $$;
SELECT is((SELECT rejected > 0 AND accepted > 0 AND other_errors = 0 FROM pg_temp.corruptions()), true,
          'corrupted books are rejected with 22P03 or read safely');

-- crafted books that are well-formed bytes but break an invariant
CREATE FUNCTION pg_temp.crafted(hex text) RETURNS subscription_book LANGUAGE sql AS $$
    SELECT encode(decode(hex, 'hex'), 'base64')::subscription_book
$$;
-- header: version 2, bigint ids, no flags, period 0, display scale 0,
-- min_day, max_day, customers; customer: id, first_start, scale, rows; row: start, end, mrr
SELECT lives_ok($$SELECT pg_temp.crafted('0201000000' || '00002000' || '00002100' || '00000001' ||
                                          '0000000000000007' || '00002000' || '00' || '00000001' ||
                                          '00002000' || '00002100' || '000000000000000a')$$,
                'a hand-made book is accepted');
SELECT throws_ok($$SELECT pg_temp.crafted('0201000000' || '00002000' || '00002100' || '00000001' ||
                                           '0000000000000007' || '00002000' || '00' || '00000001' ||
                                           '00001f00' || '00002100' || '000000000000000a')$$,
                 '22P03', 'invalid subscription_book value: bad row', 'a row before its customer''s first start');
SELECT throws_ok($$SELECT pg_temp.crafted('0201000000' || '00002100' || '00002000' || '00000001' ||
                                           '0000000000000007' || '00002000' || '00' || '00000000')$$,
                 '22P03', 'invalid subscription_book value: bad extent', 'min_day after max_day');
SELECT throws_ok($$SELECT pg_temp.crafted('0201000000' || '00002000' || '00002100' || '00000000')$$,
                 '22P03', 'invalid subscription_book value: bad customer count', 'a book without customers');
SELECT throws_ok($$SELECT pg_temp.crafted('0201000000' || '80000001' || '00002100' || '00000001' ||
                                           '0000000000000007' || '80000001' || '00' || '00000000')$$,
                 '22P03', 'invalid subscription_book value: bad extent', 'days before 4712 BC');
SELECT throws_ok($$SELECT pg_temp.crafted('0201000000' || '00002000' || '00002100' || '00000002' ||
                                           '0000000000000007' || '00002000' || '00' || '00000000' ||
                                           '0000000000000007' || '00002000' || '00' || '00000000')$$,
                 '22P03', 'invalid subscription_book value: duplicate customer', 'the same customer twice');
SELECT throws_ok($$SELECT pg_temp.crafted('0201010000' || '00002100' || '00002000' || '00002000' || '00002100' || '00000001' ||
                                           '0000000000000007' || '00002000' || '00' || '00000000')$$,
                 '22P03', 'invalid subscription_book value: bad reading options', 'an empty window of read options');
SELECT throws_ok($$SELECT pg_temp.crafted('0209000000' || '00002000' || '00002100' || '00000001' ||
                                           '0000000000000007' || '00002000' || '00' || '00000000')$$,
                 '22P03', 'invalid subscription_book value: unknown customer_id kind', 'unknown id kind');
SELECT throws_ok($$SELECT pg_temp.crafted('0202000000' || '00002000' || '00002100' || '00000001' ||
                                           '00000002' || 'ff00' || '00002000' || '00' || '00000000')$$,
                 '22P03', 'invalid subscription_book value: customer_id is not valid text', 'invalid UTF-8 id');
-- customers are put in canonical order on input: any order reads the same book
SELECT is(pg_temp.crafted('0201000000' || '00002000' || '00002100' || '00000002' ||
                          '0000000000000007' || '00002000' || '00' || '00000000' ||
                          '0000000000000008' || '00002010' || '00' || '00000000')::text,
          pg_temp.crafted('0201000000' || '00002000' || '00002100' || '00000002' ||
                          '0000000000000008' || '00002010' || '00' || '00000000' ||
                          '0000000000000007' || '00002000' || '00' || '00000000')::text,
          'customers in any order are the same book');

-- equality: the same rows are the same book, whatever the order; DISTINCT,
-- GROUP BY and UNION work on books
SELECT is((SELECT subscription_book_agg(i, date '2024-01-01' + i, NULL, i) FROM generate_series(1, 50) i)
          = (SELECT subscription_book_agg(i, date '2024-01-01' + i, NULL, i) FROM generate_series(50, 1, -1) i),
          true, 'the same rows in another order: equal books');
SELECT is((SELECT subscription_book_agg(i, date '2024-01-01' + i, NULL, i) FROM generate_series(1, 50) i)
          <> (SELECT subscription_book_agg(i, date '2024-01-01' + i, NULL, i + 0.01) FROM generate_series(1, 50) i),
          true, 'another amount: different books');
SELECT is((SELECT count(*) FROM (SELECT DISTINCT x.b FROM (SELECT book AS b FROM b UNION ALL SELECT book FROM b
                                   UNION ALL SELECT book::text::subscription_book FROM b) x) d),
          1::bigint, 'DISTINCT books: a book and its text round trip are one');
SELECT is((SELECT count(*) FROM (SELECT book FROM b UNION SELECT book FROM b) x), 1::bigint, 'UNION of books');

-- ---- customer ids that share a hash cost a sort, not a comparison of every pair
SELECT is((SELECT customers_end FROM (SELECT subscription_book_agg(k * 4294967297, date '2024-01-01', NULL, 1) AS book
                                      FROM generate_series(1, 50000) k) x, mrr_movements(x.book)),
          50000::bigint, 'ids k * (2^32 + 1) are 50,000 customers');

-- ---- plans -----------------------------------------------------------------
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

-- as a window function the state keeps growing after each final call
SELECT is((SELECT m FROM (SELECT i, mrr_movements(i % 7, date '2024-01-01' + i * 9, CASE WHEN i % 4 = 0 THEN date '2024-03-01' + i * 9 END, i::numeric)
                                 OVER (ORDER BY i) AS m FROM generate_series(1, 60) i) w WHERE i = 60),
          (SELECT mrr_movements(i % 7, date '2024-01-01' + i * 9, CASE WHEN i % 4 = 0 THEN date '2024-03-01' + i * 9 END, i::numeric)
           FROM generate_series(1, 60) i),
          'running window = the whole aggregate at the last row');

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

\ir lib/plan_of.sql

SET max_parallel_workers_per_gather = 0;
CREATE TABLE serial_results AS SELECT
    (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr)::text FROM par_book) AS book,
    (SELECT subscription_book_agg(customer_id::text, started_at, ended_at, mrr)::text FROM par_book) AS text_book,
    (SELECT mrr_movements(customer_id, started_at, ended_at, mrr, 'week') FROM par_book) AS by_week,
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
SELECT matches(pg_temp.plan_of('SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) FROM par_book'),
               'Gather.*Partial Aggregate', 'subscription_book_agg runs as a parallel partial aggregate');
SELECT matches(pg_temp.plan_of('SELECT cohort_retention(customer_id, started_at, ended_at, mrr) FROM par_book'),
               'Gather.*Partial Aggregate', 'cohort_retention runs as a parallel partial aggregate');
SELECT is((SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr)::text FROM par_book),
          (SELECT book FROM serial_results), 'parallel = serial: the very same book (bigint ids)');
SELECT is((SELECT subscription_book_agg(customer_id::text, started_at, ended_at, mrr)::text FROM par_book),
          (SELECT text_book FROM serial_results), 'parallel = serial: the very same book (text ids)');
SELECT is((SELECT mrr_movements(customer_id, started_at, ended_at, mrr, 'week') FROM par_book),
          (SELECT by_week FROM serial_results), 'mrr_movements: parallel = serial (week)');
SELECT is((SELECT cohort_retention(customer_id, started_at, ended_at, mrr) FROM par_book),
          (SELECT cohorts FROM serial_results), 'cohort_retention: parallel = serial');
SELECT is((SELECT array_agg(m ORDER BY g) FROM (
               SELECT customer_id % 3 AS g, mrr_movements(customer_id, started_at, ended_at, mrr) AS m
               FROM par_book GROUP BY 1) x),
          (SELECT by_group FROM serial_results), 'GROUP BY: parallel = serial');
SELECT is((SELECT rollup(b)::text FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b
                                       FROM par_book GROUP BY started_at) x),
          (SELECT book FROM serial_results), 'books split by start date roll up to the whole');
-- a windowed shorthand = the same window read from the whole book
SELECT is((SELECT mrr_movements(customer_id, started_at, ended_at, mrr, 'month', '2023-01-01', '2023-12-31') FROM par_book),
          (SELECT array_agg(m ORDER BY m.period_start) FROM (SELECT book::subscription_book AS book FROM serial_results) s,
                  mrr_movements(s.book, 'month', '2023-01-01', '2023-12-31') m),
          'windowed = unwindowed within the window');

SELECT * FROM finish();
ROLLBACK;
