-- pgTAP: the rfm() aggregate.  Expected values:
--  * small cases worked out by hand in the comments;
--  * the RFM summary of every CDNOW customer built from the raw purchase
--    lines by test/outside/clv_models.py in plain Python (stored in
--    test/outside/cdnow_rfm_week.csv);
--  * a plain-SQL reference (GROUP BY day, then by customer) on 300,000
--    generated purchases;
--  * the same aggregate with a forced parallel plan.
BEGIN;
SELECT plan(63);

CREATE TEMP TABLE purchases(customer_id integer, occurred_at date, amount numeric);
-- customer 1: two purchases on Jan 1 (10 + 5), one on Jan 8 (20), two on
-- Jan 15 (7.50 + 2.50), one after the end of observation (Feb 1)
-- customer 2: one purchase; customer 3: only after the end; customer 4:
-- a repeat purchase on the last day observed
INSERT INTO purchases VALUES
  (1, '2024-01-15', 7.50), (1, '2024-01-01', 10), (1, '2024-02-01', 100), (1, '2024-01-08', 20),
  (1, '2024-01-01', 5), (1, '2024-01-15', 2.50),
  (2, '2024-01-10', 42.42),
  (3, '2024-02-02', 1),
  (4, '2024-01-30', 3), (4, '2024-01-31', 4.5);

-- customer 1 in days: distinct days Jan 1, 8, 15 -> frequency 2; recency
-- Jan 15 - Jan 1 = 14; t = Jan 31 - Jan 1 = 30; the repeat days' totals
-- are 20 and 10, mean 15 (the first day's 15 is left out)
SELECT is((SELECT rfm(occurred_at, amount, '2024-01-31') FROM purchases WHERE customer_id = 1),
          ROW(2, 14, 30, 15)::rfm, 'customer 1 in days');
SELECT is((SELECT rfm(occurred_at, amount, '2024-01-31', 'day') FROM purchases WHERE customer_id = 1),
          ROW(2, 14, 30, 15)::rfm, 'unit day = no unit');
-- in weeks: 14 / 7 = 2, 30 / 7
SELECT is((SELECT rfm(occurred_at, amount, '2024-01-31', 'week') FROM purchases WHERE customer_id = 1),
          ROW(2, 2, 30 / 7.0::float8, 15)::rfm, 'customer 1 in weeks: t = 30 / 7');
-- in months of 365.2425 / 12 = 30.436875 days
SELECT is((SELECT rfm(occurred_at, amount, '2024-01-31', 'month') FROM purchases WHERE customer_id = 1),
          ROW(2, 14 / 30.436875::float8, 30 / 30.436875::float8, 15)::rfm, 'customer 1 in months of 30.436875 days');
SELECT is((SELECT rfm(occurred_at, amount, '2024-01-31', 'WEEK') FROM purchases WHERE customer_id = 1),
          (SELECT rfm(occurred_at, amount, '2024-01-31', 'week') FROM purchases WHERE customer_id = 1),
          'unit names are case-insensitive');
SELECT is((SELECT rfm(occurred_at, amount, '2024-01-31' ORDER BY occurred_at DESC, amount) FROM purchases WHERE customer_id = 1),
          (SELECT rfm(occurred_at, amount, '2024-01-31' ORDER BY occurred_at, amount DESC) FROM purchases WHERE customer_id = 1),
          'rows in any order give the same summary');
-- with the end on Feb 1 the purchase of 100 counts: days Jan 1, 8, 15, Feb 1 -> frequency 3,
-- recency 31, t 31, monetary (20 + 10 + 100) / 3 = 43.33...
SELECT is((SELECT rfm(occurred_at, amount, '2024-02-01') FROM purchases WHERE customer_id = 1),
          ROW(3, 31, 31, 130 / 3.0)::rfm, 'a purchase on the observation end counts');
SELECT is((SELECT rfm(occurred_at, amount, '2024-01-31') FROM purchases WHERE customer_id = 2),
          ROW(0, 0, 21, 0)::rfm, 'one purchase: frequency, recency and monetary_value 0, t from it to the end');
SELECT ok((SELECT rfm(occurred_at, amount, '2024-01-31') FROM purchases WHERE customer_id = 3) IS NULL,
          'first purchase after the end of observation: NULL');
SELECT ok((SELECT rfm(occurred_at, amount, '2024-01-31') FROM purchases WHERE customer_id = 5) IS NULL,
          'no rows: NULL');
SELECT is((SELECT rfm(occurred_at, amount, '2024-01-31') FROM purchases WHERE customer_id = 4),
          ROW(1, 1, 1, 4.5)::rfm, 'a repeat purchase on the last day');
SELECT is((SELECT rfm(occurred_at, amount, '2024-01-30') FROM purchases WHERE customer_id = 4),
          ROW(0, 0, 0, 0)::rfm, 'first purchase on the observation end: t = 0');
SELECT set_eq($$SELECT customer_id, rfm(occurred_at, amount, '2024-01-31', 'week') FROM purchases GROUP BY customer_id$$,
              $$VALUES (1, ROW(2, 2, 30 / 7.0::float8, 15)::rfm), (2, ROW(0, 0, 3, 0)::rfm), (3, NULL::rfm),
                       (4, ROW(1, 1 / 7.0::float8, 1 / 7.0::float8, 4.5)::rfm)$$,
              'GROUP BY customer_id');
SELECT is((SELECT (rfm(occurred_at, amount, '2024-01-31')).monetary_value::text FROM
             (VALUES ('2024-01-01'::date, 1.0), ('2024-01-02', 1.00), ('2024-01-03', 2.000)) v(occurred_at, amount)),
          '1.5', 'monetary_value: mean of 1.00 and 2.000, trailing zeros trimmed');
SELECT is((SELECT (rfm(occurred_at, amount, '2024-01-31')).monetary_value FROM
             (VALUES ('2024-01-01'::date, 1), ('2024-01-02', 1), ('2024-01-03', 1), ('2024-01-04', 0)) v(occurred_at, amount)),
          2 / 3.0, 'monetary_value: 2 / 3 by numeric division');
-- 9e16 at scale 2 is 9e18 hundredths, near the top of a 64-bit integer; two of them are beyond it
SELECT is((SELECT (rfm(occurred_at, amount, '2024-01-31')).monetary_value FROM
             (VALUES ('2024-01-01'::date, 0.01), ('2024-01-02', 90000000000000000.00), ('2024-01-02', 90000000000000000.01),
                     ('2024-01-03', 0.5)) v(occurred_at, amount)),
          (180000000000000000.01 + 0.5) / 2, 'monetary_value: exact sums beyond 64 bits');
SELECT is((SELECT (rfm(occurred_at, amount, '2024-01-31')).monetary_value FROM
             (VALUES ('2024-01-01'::date, 1), ('2024-01-02', 0.5), ('2024-01-03', 0.000000000001)) v(occurred_at, amount)),
          0.2500000000005, 'monetary_value: amounts of scales 0, 1 and 12 (the finest kept) summed exactly');
SELECT is((SELECT (rfm(occurred_at, amount, '2024-01-31')).monetary_value FROM
             (VALUES ('2024-01-01'::date, 74.7600000000000000), ('2024-01-02', 10 / 4.0)) v(occurred_at, amount)),
          2.5, 'trailing zeros beyond 12 decimal places, as numeric division leaves them, change nothing');

-- timestamptz: the days of the purchases in the session's TimeZone.  At
-- 23:30 and 00:30 UTC the first two are two days in UTC and one in Tokyo
-- (UTC+9); the third, at 20:00 UTC on the last day, is on Feb 1 in Tokyo.
CREATE TEMP TABLE stamped(occurred_at timestamptz, amount numeric);
INSERT INTO stamped VALUES ('2024-01-01 23:30+00', 1), ('2024-01-02 00:30+00', 2), ('2024-01-31 20:00+00', 4);
SET LOCAL TimeZone = 'UTC';
-- days Jan 1, 2, 31: frequency 2, recency 30, t 30, monetary (2 + 4) / 2
SELECT is((SELECT rfm(occurred_at, amount, '2024-01-31 12:00+00') FROM stamped), ROW(2, 30, 30, 3)::rfm,
          'timestamptz in UTC: three days, the last day counts whatever its time');
SET LOCAL TimeZone = 'Asia/Tokyo';
-- days Jan 2 (1 + 2) and Feb 1 (after the end, Jan 31 in Tokyo): one day
SELECT is((SELECT rfm(occurred_at, amount, '2024-01-31 12:00+00') FROM stamped), ROW(0, 0, 29, 0)::rfm,
          'timestamptz in Asia/Tokyo: one day, the last purchase after the end');
SELECT is((SELECT rfm(occurred_at, amount, '2024-01-31 12:00+00', 'week') FROM stamped), ROW(0, 0, 29 / 7.0::float8, 0)::rfm,
          'timestamptz with a unit');
RESET TimeZone;

-- CDNOW: every customer's summary from the raw lines = the independent Python summary
\i test/helpers/cdnow.sql
CREATE TEMP TABLE cdnow_outside(customer integer, frequency integer, recency float8, t float8, monetary_value numeric);
\copy cdnow_outside FROM 'test/outside/cdnow_rfm_week.csv' WITH (FORMAT csv, HEADER)
CREATE TEMP TABLE cdnow_rfm AS
SELECT customer_id, rfm(purchased_on, amount, '1997-09-30', 'week') AS r FROM cdnow GROUP BY customer_id;

SELECT is((SELECT count(*) FROM cdnow), 6919::bigint, 'CDNOW: 6,919 purchase lines');
SELECT is((SELECT count(*) FROM cdnow_outside), 2357::bigint, 'CDNOW: 2,357 customers in the outside summary');
SELECT is((SELECT count(*) FROM cdnow_rfm WHERE r IS NOT NULL), 2357::bigint, 'CDNOW: 2,357 customers summarised');
SELECT is((SELECT count(*) FROM cdnow_rfm c JOIN cdnow_outside o ON o.customer = c.customer_id
           WHERE (c.r).frequency = o.frequency AND (c.r).recency = o.recency AND (c.r).t = o.t
             AND abs((c.r).monetary_value - o.monetary_value) < 1e-14), 2357::bigint,
          'CDNOW: every customer''s frequency, recency and t equal the Python summary''s, monetary_value to 1e-14');
-- the paper: 1,411 of the 2,357 made no repeat purchase in the calibration period
SELECT is((SELECT count(*) FROM cdnow_rfm WHERE (r).frequency = 0), 1411::bigint, 'CDNOW: 1,411 customers without a repeat purchase');
SELECT ok((SELECT count(*) FROM (SELECT customer_id, purchased_on FROM cdnow WHERE purchased_on <= '1997-09-30'
                                 GROUP BY 1, 2 HAVING count(*) > 1) s) > 0,
          'CDNOW has same-day purchases, which count as one');

-- a plain-SQL reference on generated purchases: days first, then customers
CREATE TABLE clv_rfm_generated AS
SELECT 1 + (hashint4(i) & 2147483647) % 20000 AS customer_id,
       DATE '2023-01-01' + (hashint4(i + 7777777) & 2147483647) % 500 AS occurred_at,
       ((hashint4(i + 99999999) & 2147483647) % 100000 / 100.0)::numeric(10, 2) AS amount
FROM generate_series(1, 300000) AS i;
ANALYZE clv_rfm_generated;
CREATE TEMP VIEW plain_rfm AS
WITH days AS (
    SELECT customer_id, occurred_at AS day, sum(amount) AS amount
    FROM clv_rfm_generated WHERE occurred_at <= DATE '2024-03-31' GROUP BY 1, 2),
customers AS (
    SELECT customer_id, min(day) AS first_day, max(day) AS last_day, count(*) AS days, sum(amount) AS total
    FROM days GROUP BY 1)
SELECT c.customer_id, (c.days - 1)::integer AS frequency,
       (c.last_day - c.first_day) / 7.0::float8 AS recency, (DATE '2024-03-31' - c.first_day) / 7.0::float8 AS t,
       CASE WHEN c.days = 1 THEN 0 ELSE (c.total - d.amount) / (c.days - 1) END AS monetary_value
FROM customers c JOIN days d ON d.customer_id = c.customer_id AND d.day = c.first_day;
CREATE TEMP TABLE serial_rfm AS
SELECT customer_id, rfm(occurred_at, amount, '2024-03-31', 'week') AS r FROM clv_rfm_generated GROUP BY customer_id;

SELECT ok((SELECT count(*) FROM clv_rfm_generated WHERE occurred_at > '2024-03-31') > 0
          AND (SELECT count(*) FROM plain_rfm WHERE frequency = 0) > 0,
          'the generated purchases include purchases after the end and customers without repeats');
SELECT is((SELECT count(*) FROM serial_rfm WHERE r IS NOT NULL), (SELECT count(*) FROM plain_rfm),
          'generated: as many summaries as the plain-SQL reference');
SELECT set_eq($$SELECT customer_id, (r).frequency, (r).recency, (r).t, (r).monetary_value FROM serial_rfm WHERE r IS NOT NULL$$,
              $$SELECT customer_id, frequency, recency, t, monetary_value FROM plain_rfm$$,
              'generated: rfm() = the plain-SQL reference for every customer');

-- parallel plans: partial states in the workers, merged by rfm_combine
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL enable_hashagg = off;
\i test/helpers/plan_of.sql
SELECT matches(pg_temp.plan_of($$SELECT customer_id, rfm(occurred_at, amount, '2024-03-31', 'week') FROM clv_rfm_generated GROUP BY customer_id$$),
               'Finalize GroupAggregate.*Gather Merge.*Partial GroupAggregate',
               'parallel GROUP BY: partial aggregates in the workers');
SELECT set_eq($$SELECT customer_id, rfm(occurred_at, amount, '2024-03-31', 'week')::text FROM clv_rfm_generated GROUP BY customer_id$$,
              $$SELECT customer_id, r::text FROM serial_rfm$$, 'parallel GROUP BY = serial');
SELECT matches(pg_temp.plan_of($$SELECT rfm(occurred_at, amount, '2024-03-31', 'week') FROM clv_rfm_generated$$),
               'Finalize Aggregate.*Gather.*Partial Aggregate', 'parallel, one group: a partial aggregate');
SET LOCAL parallel_leader_participation = off;
-- one customer's rows split between two workers: the days and sums merge
SELECT is((SELECT rfm(occurred_at, amount, '2024-03-31', 'week') FROM clv_rfm_generated),
          (SELECT ROW((count(DISTINCT occurred_at) - 1)::integer, (max(occurred_at) - min(occurred_at)) / 7.0::float8,
                      ('2024-03-31' - min(occurred_at)) / 7.0::float8,
                      (sum(amount) - sum(amount) FILTER (WHERE occurred_at = (SELECT min(occurred_at) FROM clv_rfm_generated)))
                      / (count(DISTINCT occurred_at) - 1))::rfm
           FROM clv_rfm_generated WHERE occurred_at <= '2024-03-31'),
          'parallel, the whole table as one customer = the plain-SQL summary');
RESET parallel_leader_participation;
RESET enable_hashagg;
RESET max_parallel_workers_per_gather;

-- the state: text form, a round trip, and what it refuses
SELECT is('observation_end=2024-01-31 unit=week amount_scale=1 total=35 first_day_total=10 days={2024-01-05,2024-01-01}'::rfm_state::text,
          'observation_end=2024-01-31 unit=week amount_scale=1 total=35 first_day_total=10 days={2024-01-05,2024-01-01}',
          'rfm_state text round trip');
SELECT is(rfm('observation_end=2024-01-31 unit=week amount_scale=1 total=35 first_day_total=10 days={2024-01-05,2024-01-01}'::rfm_state),
          ROW(1, 4 / 7.0::float8, 30 / 7.0::float8, 2.5)::rfm, 'rfm() of a state: (3.5 - 1.0) over one repeat day');
\getenv cluster_dir PGHOST
SELECT :'cluster_dir' || '/clv_rfm_state.bin' AS binary_file \gset
CREATE TEMP TABLE states_sent AS
SELECT 'observation_end=2024-01-31 unit=month amount_scale=3 total=180000000000000000000000 first_day_total=10 days={2024-01-05,2024-01-01,2024-01-05}'::rfm_state AS s
UNION ALL SELECT 'observation_end=2024-01-31 unit=day amount_scale=0 total=0 first_day_total=0 days={}';
COPY states_sent TO STDOUT WITH (FORMAT binary) \g :binary_file
CREATE TEMP TABLE states_received (LIKE states_sent);
COPY states_received FROM :'binary_file' WITH (FORMAT binary);
SELECT set_eq('SELECT s::text FROM states_received', 'SELECT s::text FROM states_sent',
              'rfm_state: binary round trip, sums beyond 64 bits included');
-- binary input with an observation end beyond the range of date (found by
-- the input fuzz: it was accepted, and its text form could not be read back)
COPY (SELECT decode('7ffffffe' || '00000000' || '00000000' || repeat('00', 32) || '00000000', 'hex')) TO STDOUT WITH (FORMAT binary) \g :binary_file
CREATE TEMP TABLE state_beyond_dates (s rfm_state);
SELECT throws_ok($$COPY state_beyond_dates FROM '$$ || :'binary_file' || $$' WITH (FORMAT binary)$$, '22023', 'invalid rfm_state: binary input',
                 'rfm_state: binary input with a date beyond the range of date');
SELECT throws_ok($$SELECT 'unit=week'::rfm_state$$, '22P02', NULL, 'rfm_state: syntax');
SELECT throws_ok($$SELECT 'observation_end=2024-01-31 unit=week amount_scale=1 total=5 first_day_total=10 days={2024-01-01}'::rfm_state$$,
                 '22023', NULL, 'rfm_state: first day''s total above the total');
SELECT throws_ok($$SELECT 'observation_end=2024-01-31 unit=week amount_scale=1 total=5 first_day_total=1 days={2024-02-01}'::rfm_state$$,
                 '22023', NULL, 'rfm_state: a day after the end');

-- bad input, each with its SQLSTATE
SELECT throws_ok($$SELECT rfm(NULL::date, 1, '2024-01-31')$$, '22004', 'occurred_at must not be NULL', 'NULL occurred_at');
SELECT throws_ok($$SELECT rfm('2024-01-01'::date, NULL, '2024-01-31')$$, '22004', 'amount must not be NULL', 'NULL amount');
SELECT throws_ok($$SELECT rfm('2024-01-01'::date, 1, NULL::date)$$, '22004', 'observation_end must not be NULL', 'NULL observation_end');
SELECT throws_ok($$SELECT rfm('2024-01-01'::date, 1, '2024-01-31'::date, NULL)$$, '22004', 'unit must not be NULL', 'NULL unit');
SELECT throws_ok($$SELECT rfm('2024-01-01'::date, -0.01, '2024-01-31')$$, '22023', 'amount must be a finite amount, not negative',
                 'negative amount');
SELECT throws_ok($$SELECT rfm('2024-01-01'::date, 'NaN', '2024-01-31')$$, '22023', 'amount must be a finite amount, not negative',
                 'NaN amount');
SELECT throws_ok($$SELECT rfm('2024-01-01'::date, 'Infinity', '2024-01-31')$$, '22023', NULL, 'infinite amount');
SELECT throws_ok($$SELECT rfm('2024-03-01'::date, -1, '2024-01-31')$$, '22023', NULL, 'a bad amount after the end is still refused');
-- precision (src/money.c): each amount is rounded half-even to 12 decimal
-- places, then to the digits that fit in 64 bits; 2^63 units and more are refused
CREATE FUNCTION pg_temp.repeat_spend(amount numeric) RETURNS numeric LANGUAGE sql AS $f$
    SELECT (rfm(d, a, '2024-01-31')).monetary_value FROM (VALUES ('2024-01-01'::date, 1), ('2024-01-02', amount)) v(d, a) $f$;
SELECT is(ARRAY[pg_temp.repeat_spend(0.0000000000025), pg_temp.repeat_spend(0.0000000000035),
                pg_temp.repeat_spend(0.00000000000050000001), pg_temp.repeat_spend(2.0000000000000001),
                pg_temp.repeat_spend(0.0000000000000001)],
          ARRAY[0.000000000002, 0.000000000004, 0.000000000001, 2, 0],
          'an amount with more than 12 decimal places is rounded half-even at 12');
SELECT is(ARRAY[pg_temp.repeat_spend(1234567890123456789.5), pg_temp.repeat_spend(1234567890123456788.5),
                pg_temp.repeat_spend(12345678.1234567890125), pg_temp.repeat_spend(9223372036854775807)],
          ARRAY[1234567890123456790, 1234567890123456788, 12345678.12345678901, 9223372036854775807],
          'an amount beyond 64 bits at its scale is rounded half-even to the digits that fit; 2^63 - 1 is exact');
SELECT is((SELECT (rfm(d, a, '2024-01-31')).monetary_value
           FROM (VALUES ('2024-01-01'::date, 1), ('2024-01-02', 1234567890123456789.25), ('2024-01-03', 0.001)) v(d, a)),
          (1234567890123456789 + 0.001) / 2, 'amounts of 19 digits and of 3 decimals sum exactly at the finer scale, beyond 64 bits');
SELECT throws_ok($$SELECT rfm('2024-01-01'::date, 9223372036854775808, '2024-01-31')$$,
                 '22003', 'amount is out of range', 'an amount of 2^63 (9.2e18) units is refused');
SELECT throws_ok($$SELECT rfm('2024-01-01'::date, 9223372036854775807.5, '2024-01-31')$$,
                 '22003', 'amount is out of range', 'an amount that rounds to 2^63 is refused');
SELECT throws_ok($$SELECT rfm('2024-01-01'::date, 1e100, '2024-01-31')$$,
                 '22003', 'amount is out of range', 'an amount of 1e100 is refused');
SELECT throws_ok($$SELECT rfm('2024-01-01'::date, 1, '2024-01-31', 'fortnight')$$, '22023', 'unknown unit "fortnight"', 'unknown unit');
CREATE FUNCTION pg_temp.error_hint(query text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
	hint text;
BEGIN
	EXECUTE query;
	RETURN NULL;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS hint = PG_EXCEPTION_HINT;
	RETURN hint;
END
$f$;
SELECT is(pg_temp.error_hint($$SELECT rfm('2024-01-01'::date, 1, '2024-01-31', 'year')$$),
          'Use ''day'', ''week'' or ''month''.', 'unknown unit: the hint lists the units');
SELECT throws_ok($$SELECT rfm('infinity'::date, 1, '2024-01-31')$$, '22008', NULL, 'infinite occurred_at');
SELECT throws_ok($$SELECT rfm('2024-01-01'::date, 1, '-infinity'::date)$$, '22008', NULL, 'infinite observation_end');
SELECT throws_ok($$SELECT rfm(d, 1, e) FROM (VALUES ('2024-01-01'::date, '2024-01-31'::date), ('2024-01-02', '2024-02-29')) v(d, e)$$,
                 '22023', 'observation_end must be the same in every row of a customer', 'observation_end changes between rows');
SELECT throws_ok($$SELECT rfm(d, 1, '2024-01-31', u) FROM (VALUES ('2024-01-01'::date, 'day'), ('2024-01-02', 'week')) v(d, u)$$,
                 '22023', 'unit must be the same in every row of a customer', 'unit changes between rows');
SELECT throws_ok($$SELECT rfm_add(NULL, '2024-01-01'::date, 1, '2024-01-31'::date)$$, '0A000', NULL,
                 'the transition function called directly');
SELECT throws_ok($$SELECT rfm_combine(NULL, NULL)$$, '0A000', NULL, 'the combine function called directly');

SELECT * FROM finish();
ROLLBACK;
