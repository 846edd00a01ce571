-- The windowed shorthand mrr_movements(customer_id, started_at, ended_at,
-- mrr, period, "from", "to") keeps of each customer's rows that end before
-- its window only whether the customer was active at a period end
-- (src/book_history.c).  Its answers must equal those of a book that keeps
-- everything, read over the same window, and the plain-SQL reference's;
-- its state must hold only the rows the window reads plus one per customer
-- with history; a credit it could not summarise exactly is refused.
BEGIN;
SET client_min_messages = warning;
\i test/reference/book.sql
\i test/reference/mrr_movements.sql
SELECT plan(39);

CALL ref.make_book('wh_bigint', 20000, 21);
CALL ref.make_book('wh_text', 8000, 22, 'text');
CALL ref.make_book('wh_uuid', 8000, 23, 'uuid');
-- credits before the window are refused (below): these books keep the others
DELETE FROM wh_bigint WHERE mrr < 0;
DELETE FROM wh_text WHERE mrr < 0;
DELETE FROM wh_uuid WHERE mrr < 0;
ANALYZE wh_bigint, wh_text, wh_uuid;

SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE books AS
SELECT 'wh_bigint' AS tab, subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book FROM wh_bigint
UNION ALL SELECT 'wh_text', subscription_book_agg(customer_id, started_at, ended_at, mrr) FROM wh_text
UNION ALL SELECT 'wh_uuid', subscription_book_agg(customer_id, started_at, ended_at, mrr) FROM wh_uuid;

-- (table, period, from, to): the data's first starts run 2021-12 .. 2025-12
CREATE TEMP TABLE reading (tab text, period text, from_date date, to_date date);
INSERT INTO reading VALUES
    ('wh_bigint', 'month', '2024-03-10', NULL),
    ('wh_bigint', 'day', '2025-11-20', '2026-01-10'),
    ('wh_bigint', 'week', '2023-05-03', '2024-02-01'),
    ('wh_bigint', 'quarter', '2023-08-01', NULL),
    ('wh_bigint', 'year', '2024-01-01', NULL),
    ('wh_bigint', 'month', '2020-01-01', '2022-06-30'),
    ('wh_bigint', 'month', '2029-01-15', '2029-12-31'),
    ('wh_text', 'month', '2025-01-31', '2025-12-31'),
    ('wh_uuid', 'quarter', '2024-07-01', NULL);

CREATE FUNCTION pg_temp.shorthand(r reading) RETURNS mrr_movement[] LANGUAGE plpgsql AS $$
DECLARE result mrr_movement[];
BEGIN
    EXECUTE format('SELECT mrr_movements(customer_id, started_at, ended_at, mrr, %L, %L::date, %L::date) FROM %I',
                   r.period, r.from_date, r.to_date, r.tab) INTO result;
    RETURN result;
END $$;
CREATE FUNCTION pg_temp.reader(r reading) RETURNS mrr_movement[] LANGUAGE sql AS $$
    SELECT array_agg(m ORDER BY m.period_start)
    FROM books b, mrr_movements(b.book, r.period, r.from_date, r.to_date) m WHERE b.tab = r.tab
$$;
CREATE FUNCTION pg_temp.label(r reading) RETURNS text LANGUAGE sql AS $$
    SELECT format('%s by %s from %s to %s', r.tab, r.period, r.from_date, coalesce(r.to_date::text, 'the end'))
$$;

-- the windows summarise something, and the comparison bites
SELECT cmp_ok((SELECT count(*) FROM wh_bigint WHERE ended_at < '2024-03-01'), '>', 5000::bigint,
              'the monthly window from 2024-03-10 has history to summarise');
SELECT isnt(pg_temp.shorthand(('wh_bigint', 'month', '2024-03-10', NULL)::reading),
            (SELECT array_agg(m ORDER BY m.period_start)
             FROM books b, mrr_movements(b.book, 'month', '2024-03-10', NULL, 'active') m WHERE b.tab = 'wh_bigint'),
            'the comparison tells a reactivation from a new customer (zero_mrr ''active'' differs)');

-- serial: the shorthand = the book that keeps everything, read over the window
SELECT is(pg_temp.shorthand(r), pg_temp.reader(r), 'serial shorthand = reader: ' || pg_temp.label(r))
FROM reading r ORDER BY pg_temp.label(r);

-- = the plain-SQL reference (independent of the C readers)
SELECT is(pg_temp.shorthand(r),
          (SELECT array_agg(ROW(m.*)::mrr_movement ORDER BY m.period_start)
           FROM ref.mrr_movements(r.tab::regclass, r.period, r.from_date, r.to_date, 'inactive', 'period_end') m),
          'shorthand = reference: ' || pg_temp.label(r))
FROM reading r WHERE (r.tab, r.period) IN (('wh_bigint', 'month'), ('wh_text', 'month'), ('wh_uuid', 'quarter'))
ORDER BY pg_temp.label(r);

-- parallel: workers summarise their own rows, the leader merges the summaries
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT is(pg_temp.shorthand(r), pg_temp.reader(r), 'parallel shorthand = reader: ' || pg_temp.label(r))
FROM reading r WHERE r.tab IN ('wh_bigint', 'wh_text') AND r.period IN ('month', 'week')
ORDER BY pg_temp.label(r);
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
SET max_parallel_workers_per_gather = 0;

-- The state: the shorthand's transition function without its final one.
CREATE AGGREGATE pg_temp.windowed_book(bigint, date, date, numeric, text, date, date) (
    SFUNC = subscription_book_add, STYPE = subscription_book);
CREATE AGGREGATE pg_temp.windowed_book(text, date, date, numeric, text, date, date) (
    SFUNC = subscription_book_add, STYPE = subscription_book);

-- Expected stored rows: the rows active on some day that end in the window's
-- first period or later, plus one per customer for its history if one of
-- its history rows was active at a period end with a positive MRR.
CREATE FUNCTION pg_temp.expected_rows(tab regclass, period text, from_date date) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
    EXECUTE format($q$
        WITH w AS (SELECT date_trunc(%1$L, %2$L::date)::date AS first_day)
        SELECT (SELECT count(*) FROM %3$s, w
                WHERE (ended_at IS NULL OR ended_at >= w.first_day) AND ended_at IS DISTINCT FROM started_at)
             + (SELECT count(DISTINCT customer_id) FROM %3$s, w
                WHERE ended_at < w.first_day AND mrr > 0
                  AND date_trunc(%1$L, started_at) < date_trunc(%1$L, ended_at))$q$,
        period, from_date, tab) INTO n;
    RETURN n;
END $$;

SELECT is((SELECT s.stored_rows FROM (SELECT pg_temp.windowed_book(customer_id, started_at, ended_at, mrr, 'month', '2024-03-10', NULL) b
                                      FROM wh_bigint) x, subscription_book_stats(x.b) s),
          pg_temp.expected_rows('wh_bigint', 'month', '2024-03-10'),
          'the windowed state holds the window''s rows and one row of history per customer that had one active');
SELECT is((SELECT s.stored_rows FROM (SELECT pg_temp.windowed_book(customer_id, started_at, ended_at, mrr, 'week', '2025-06-01', NULL) b
                                      FROM wh_text) x, subscription_book_stats(x.b) s),
          pg_temp.expected_rows('wh_text', 'week', '2025-06-01'),
          'the same with text ids, by week');
SELECT is((SELECT s.customers FROM (SELECT pg_temp.windowed_book(customer_id, started_at, ended_at, mrr, 'month', '2029-01-15', NULL) b
                                    FROM wh_bigint) x, subscription_book_stats(x.b) s),
          (SELECT count(DISTINCT customer_id) FROM wh_bigint),
          'customers are kept, even those whose rows are all history');
SELECT is((SELECT s.first_day FROM (SELECT pg_temp.windowed_book(customer_id, started_at, ended_at, mrr, 'month', '2029-01-15', NULL) b
                                    FROM wh_bigint) x, subscription_book_stats(x.b) s),
          (SELECT min(started_at) FROM wh_bigint),
          'the first start is kept');
SELECT is((SELECT s.stored_rows FROM (SELECT pg_temp.windowed_book(customer_id, started_at, ended_at, mrr, 'month', '2029-01-15', NULL) b
                                      FROM wh_bigint) x, subscription_book_stats(x.b) s),
          pg_temp.expected_rows('wh_bigint', 'month', '2029-01-15'),
          'a window after the data holds the open rows and one row of history per customer that had one active');
SELECT cmp_ok((SELECT s.stored_rows FROM (SELECT pg_temp.windowed_book(customer_id, started_at, ended_at, mrr, 'month', '2029-01-15', NULL) b
                                          FROM wh_bigint) x, subscription_book_stats(x.b) s) * 3,
              '<', (SELECT s.stored_rows * 2 FROM books b, subscription_book_stats(b.book) s WHERE b.tab = 'wh_bigint'),
              'which is under two thirds of what the book that keeps everything holds');
SELECT is((SELECT s.stored_rows FROM (SELECT pg_temp.windowed_book(customer_id, started_at, ended_at, mrr, 'month', '2020-01-01', NULL) b
                                      FROM wh_bigint) x, subscription_book_stats(x.b) s),
          (SELECT s.stored_rows FROM books b, subscription_book_stats(b.book) s WHERE b.tab = 'wh_bigint'),
          'a window before the data summarises nothing');

-- Its text form is a valid book (Citus moves states as text), and the
-- summary survives a merge: the rows split in two, each half summarised,
-- then combined, read the same.
SELECT is((SELECT pg_temp.windowed_book(customer_id, started_at, ended_at, mrr, 'month', '2024-03-10', NULL)::text::subscription_book::text
           FROM wh_bigint),
          (SELECT pg_temp.windowed_book(customer_id, started_at, ended_at, mrr, 'month', '2024-03-10', NULL)::text FROM wh_bigint),
          'the windowed state reads back from its text form');
SELECT is((SELECT array_agg(m ORDER BY m.period_start)
           FROM (SELECT rollup(b) AS book FROM (
                     SELECT pg_temp.windowed_book(customer_id, started_at, ended_at, mrr, 'month', '2024-03-10', NULL) b
                     FROM wh_bigint GROUP BY abs(hashint8(customer_id + (started_at - '2000-01-01'::date))) % 2) halves) x,
                mrr_movements(x.book, 'month', '2024-03-10', NULL) m),
          pg_temp.reader(('wh_bigint', 'month', '2024-03-10', NULL)::reading),
          'halves of the rows (a customer''s rows in both), summarised apart and rolled up, read the same');

-- Credits.  Customer 1 pays 100 from 2023-01-05; the window is months from
-- 2024-03-10, so 2024-02 is the period before it.
CREATE TEMP TABLE credit (customer_id bigint, started_at date, ended_at date, mrr numeric);
INSERT INTO credit VALUES (1, '2023-01-05', NULL, 100.00), (2, '2023-03-01', '2023-09-01', 40.00),
                          (2, '2024-04-02', NULL, 40.00);
CREATE FUNCTION pg_temp.with_credit(started_at date, ended_at date) RETURNS TABLE (windowed mrr_movement[], book mrr_movement[])
LANGUAGE sql AS $$
    WITH rows AS (SELECT * FROM credit UNION ALL SELECT 1, started_at, ended_at, -20.00)
    SELECT (SELECT mrr_movements(customer_id, started_at, ended_at, mrr, 'month', '2024-03-10', NULL) FROM rows),
           (SELECT array_agg(m ORDER BY m.period_start)
            FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) b FROM rows) x,
                 mrr_movements(x.b, 'month', '2024-03-10', NULL) m)
$$;
SELECT throws_ok($$SELECT pg_temp.with_credit('2023-02-10', '2023-04-20')$$, '0A000',
                 'a negative mrr before the period preceding "from" cannot be summarised',
                 'a credit active at the end of 2023-02 and 2023-03 is refused');
SELECT throws_ok($$SELECT pg_temp.with_credit('2024-01-31', NULL)$$, '0A000',
                 'a negative mrr before the period preceding "from" cannot be summarised',
                 'so is one running from before 2024-02 into the window');
DO $$
BEGIN
    PERFORM pg_temp.with_credit('2023-02-10', '2023-04-20');
EXCEPTION WHEN feature_not_supported THEN
    DECLARE detail text; hint text;
    BEGIN
        GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
        CREATE TEMP TABLE credit_error AS SELECT detail, hint;
    END;
END $$;
SELECT is((SELECT detail FROM credit_error), 'Customer 1 has mrr -20.00 from 2023-02-10 to 2023-04-20.',
          'the error names the customer and the row');
SELECT matches((SELECT hint FROM credit_error), 'subscription_book_agg', 'and says how to read it instead');
SELECT is(w.windowed, w.book, 'a credit that starts and ends in one month before the window is summarised away')
FROM pg_temp.with_credit('2023-02-10', '2023-02-25') w;
SELECT is(w.windowed, w.book, 'a credit from the period before the window (2024-02) on is kept')
FROM pg_temp.with_credit('2024-02-01', '2024-05-01') w;
SELECT is(w.windowed[1].customers_start, 1::bigint, 'customer 2, who churned before the window, is not counted at its start')
FROM pg_temp.with_credit('2024-02-01', '2024-05-01') w;
SELECT is((SELECT m.reactivated_customers FROM unnest(w.windowed) m WHERE m.period_start = '2024-04-01'), 1::bigint,
          'and comes back as a reactivation, not as new')
FROM pg_temp.with_credit('2024-02-01', '2024-05-01') w;
SELECT is(array_length(w.book, 1) > 0, true, 'the book that keeps everything reads any credit')
FROM (SELECT array_agg(m) AS book
      FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) b
            FROM (SELECT * FROM credit UNION ALL SELECT 1, '2023-02-10'::date, '2023-04-20'::date, -20.00) r) x,
           mrr_movements(x.b, 'month', '2024-03-10', NULL) m) w;

SELECT * FROM finish();
ROLLBACK;
