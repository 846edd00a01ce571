-- The plain-SQL references (test/reference/) checked against movements and
-- cohort cells worked out by hand on tiny books, one edge case at a time,
-- then reconciliation and determinism on a generated book.  Every expected
-- row below is derived in the comment above it from the end-of-period
-- snapshot: a row counts at the end of p iff started_at < start of p+1 and
-- (ended_at IS NULL or ended_at >= start of p+1).
BEGIN;
SET client_min_messages = warning;
\i test/reference/book.sql
\i test/reference/mrr_movements.sql
\i test/reference/cohort_retention.sql
SELECT plan(34);

-- Expected rows are written as row literals of this type, in column order:
-- (period_start, customers_start, new, reactivated, churned, customers_end,
--  mrr_start, new_mrr, expansion, contraction, churned_mrr, reactivation_mrr, mrr_end,
--  expansion_customers, contraction_customers)
CREATE TEMP TABLE movement (
    period_start date, customers_start bigint, new_customers bigint, reactivated_customers bigint,
    churned_customers bigint, customers_end bigint, mrr_start numeric, new_mrr numeric,
    expansion_mrr numeric, contraction_mrr numeric, churned_mrr numeric, reactivation_mrr numeric,
    mrr_end numeric, expansion_customers bigint, contraction_customers bigint);

-- results_eq of ref.mrr_movements(book, period, from_date, to_date, zero_mrr,
-- changes) against expected row literals.  The cases below were worked out
-- under zero_mrr 'active' and changes 'period_end' unless they say otherwise.
CREATE FUNCTION pg_temp.movements_are(book text, period text, from_date date, to_date date,
                                      expected text[], description text,
                                      zero_mrr text DEFAULT 'active', changes text DEFAULT 'period_end')
RETURNS text LANGUAGE sql AS $$
    SELECT results_eq(format('SELECT * FROM ref.mrr_movements(%L, %L, %L, %L, %L, %L)',
                             book, period, from_date, to_date, zero_mrr, changes),
                      format('SELECT * FROM unnest(%L::movement[])', expected),
                      description)
$$;

-- Book A: rows invisible at every period end, and an end on the first day of
-- the next month.
--   1: same-day start and end                        never counts
--   2: joins and cancels inside January              never counts
--   3: ends 2024-02-01                               100 at the end of Jan, churns in Feb
--   4: starts in February, open                      20 from the end of Feb
--   5: cancels inside January, back in February      25 from the end of Feb: new, not
--                                                    reactivated (never seen at an end)
CREATE TEMP TABLE book_a (customer_id integer, started_at date, ended_at date, mrr numeric);
INSERT INTO book_a VALUES
    (1, '2024-01-10', '2024-01-10', 30),
    (2, '2024-01-05', '2024-01-25', 40),
    (3, '2024-01-15', '2024-02-01', 100),
    (4, '2024-02-10', NULL, 20),
    (5, '2024-01-03', '2024-01-20', 10), (5, '2024-02-05', NULL, 25);
-- Jan: 3 new (100); Feb: 3 churns (100), 4 and 5 new (20 + 25 = 45).
SELECT pg_temp.movements_are('book_a', 'month', NULL, NULL, ARRAY[
    '(2024-01-01,0,1,0,0,1,0,100,0,0,0,0,100,0,0)',
    '(2024-02-01,1,2,0,1,2,100,45,0,0,100,0,45,0,0)'],
    'same-day and same-month rows are invisible; ending on the 1st churns in that month');

-- Book B: several subscriptions per customer, overlapping rows, an upgrade and
-- a downgrade as consecutive rows, NULL ends, and months with no activity.
--   1: base 100 from Jan, open; add-on 30 from Feb 15 to Apr 1
--   2: 200 from Jan 20, downgraded to 120 on Mar 10, open
--   3: 50 from Jan 5, upgraded to 80 on Feb 20, ends Apr 20
--   4: 60 from Jul 3, open
-- MRR at the month ends:   Jan  Feb  Mar  Apr  May  Jun  Jul
--   1                      100  130  130  100  100  100  100
--   2                      200  200  120  120  120  120  120
--   3                       50   80   80    -    -    -    -
--   4                        -    -    -    -    -    -   60
--   total                  350  410  330  220  220  220  280
CREATE TEMP TABLE book_b (customer_id bigint, started_at date, ended_at date, mrr numeric);
INSERT INTO book_b VALUES
    (1, '2024-01-01', NULL, 100), (1, '2024-02-15', '2024-04-01', 30),
    (2, '2024-01-20', '2024-03-10', 200), (2, '2024-03-10', NULL, 120),
    (3, '2024-01-05', '2024-02-20', 50), (3, '2024-02-20', '2024-04-20', 80),
    (4, '2024-07-03', NULL, 60);
-- Feb: expansion 30 (1) + 30 (3); Mar: contraction 80 (2); Apr: contraction
-- 30 (1), 3 churns with 80; May, Jun: nothing; Jul: 4 new with 60.
SELECT pg_temp.movements_are('book_b', 'month', NULL, NULL, ARRAY[
    '(2024-01-01,0,3,0,0,3,0,350,0,0,0,0,350,0,0)',
    '(2024-02-01,3,0,0,0,3,350,0,60,0,0,0,410,2,0)',
    '(2024-03-01,3,0,0,0,3,410,0,0,80,0,0,330,0,1)',
    '(2024-04-01,3,0,0,1,2,330,0,0,30,80,0,220,0,1)',
    '(2024-05-01,2,0,0,0,2,220,0,0,0,0,0,220,0,0)',
    '(2024-06-01,2,0,0,0,2,220,0,0,0,0,0,220,0,0)',
    '(2024-07-01,2,1,0,0,3,220,60,0,0,0,0,280,0,0)'],
    'overlapping rows add up; upgrade is expansion, downgrade contraction; quiet months are zeros');

-- The same book by year: one period; at the end of 2024: 1 has 100, 2 has
-- 120, 3 is gone, 4 has 60.
SELECT pg_temp.movements_are('book_b', 'year', NULL, NULL, ARRAY['(2024-01-01,0,3,0,0,3,0,280,0,0,0,0,280,0,0)'],
    'year: moves inside the year are invisible');

-- Explicit bounds ending early: January and February only.
SELECT pg_temp.movements_are('book_b', 'month', NULL, '2024-02-29', ARRAY[
    '(2024-01-01,0,3,0,0,3,0,350,0,0,0,0,350,0,0)',
    '(2024-02-01,3,0,0,0,3,350,0,60,0,0,0,410,2,0)'],
    'to_date only: the window stops at the period containing it');

-- Book C (text ids): a gap then reactivation, and zero-MRR rows.
--   a: 70 from Jan 10 to Feb 15, back with 90 on Apr 5
--   b: free (0) from Jan 1 to Mar 1, then paid 50 from Mar 1
--   c: free (0) from Feb 3, open
-- At the month ends:   Jan  Feb  Mar  Apr
--   a                   70    -    -   90
--   b                    0    0   50   50
--   c                    -    0    0    0
CREATE TEMP TABLE book_c (customer_id text, started_at date, ended_at date, mrr numeric);
INSERT INTO book_c VALUES
    ('a', '2024-01-10', '2024-02-15', 70), ('a', '2024-04-05', NULL, 90),
    ('b', '2024-01-01', '2024-03-01', 0), ('b', '2024-03-01', NULL, 50),
    ('c', '2024-02-03', NULL, 0);
-- Jan: a, b new (70 + 0); Feb: a churns (70), c new with 0; Mar: b expands
-- 0 -> 50; Apr: a reactivated with 90.
SELECT pg_temp.movements_are('book_c', 'month', NULL, NULL, ARRAY[
    '(2024-01-01,0,2,0,0,2,0,70,0,0,0,0,70,0,0)',
    '(2024-02-01,2,1,0,1,2,70,0,0,0,70,0,0,0,0)',
    '(2024-03-01,2,0,0,0,2,0,0,50,0,0,0,50,1,0)',
    '(2024-04-01,2,0,1,0,3,50,0,0,0,0,90,140,0,0)'],
    'gap then reactivation; a zero-MRR customer is active; 0 -> 50 is expansion');

-- By quarter, a's gap falls inside Q1: at the end of Q1 only b (50) and c
-- (0) are active, so a is never seen before Q2 and is new there, not
-- reactivated.
SELECT pg_temp.movements_are('book_c', 'quarter', NULL, NULL, ARRAY[
    '(2024-01-01,0,2,0,0,2,0,50,0,0,0,0,50,0,0)',
    '(2024-04-01,2,1,0,0,3,50,90,0,0,0,0,140,0,0)'],
    'quarter: a gap inside one period is invisible');

-- Bounds March-April: a was active at the end of January, before the window,
-- so in April it is reactivated, not new.
SELECT pg_temp.movements_are('book_c', 'month', '2024-03-15', '2024-04-30', ARRAY[
    '(2024-03-01,2,0,0,0,2,0,0,50,0,0,0,50,1,0)',
    '(2024-04-01,2,0,1,0,3,50,0,0,0,0,90,140,0,0)'],
    'explicit bounds: history before the window makes a customer reactivated');

-- Bounds before the data (December 2023 is empty) and after it (May and June
-- 2024 carry April's 3 customers and 140 unchanged).
SELECT pg_temp.movements_are('book_c', 'month', '2023-12-20', '2024-01-31', ARRAY[
    '(2023-12-01,0,0,0,0,0,0,0,0,0,0,0,0,0,0)',
    '(2024-01-01,0,2,0,0,2,0,70,0,0,0,0,70,0,0)'],
    'explicit bounds before the data: an empty period of zeros');
SELECT pg_temp.movements_are('book_c', 'month', '2024-05-01', '2024-06-01', ARRAY[
    '(2024-05-01,3,0,0,0,3,140,0,0,0,0,0,140,0,0)',
    '(2024-06-01,3,0,0,0,3,140,0,0,0,0,0,140,0,0)'],
    'explicit bounds after the data: the state carries on');

-- Book W, by ISO week (Monday start; 2024-01-01 is a Monday).
--   1: 10 from Wed Jan 3 to Wed Jan 17
--   2: 20 from Mon Jan 8, open; an add-on 5 from Jan 9 to Mon Jan 15
-- At the week ends:   wk Jan 1  wk Jan 8  wk Jan 15
--   1                       10        10          -
--   2                        -        25         20
CREATE TEMP TABLE book_w (customer_id bigint, started_at date, ended_at date, mrr numeric);
INSERT INTO book_w VALUES
    (1, '2024-01-03', '2024-01-17', 10),
    (2, '2024-01-08', NULL, 20), (2, '2024-01-09', '2024-01-15', 5);
SELECT pg_temp.movements_are('book_w', 'week', NULL, NULL, ARRAY[
    '(2024-01-01,0,1,0,0,1,0,10,0,0,0,0,10,0,0)',
    '(2024-01-08,1,1,0,0,2,10,25,0,0,0,0,35,0,0)',
    '(2024-01-15,2,0,0,1,1,35,0,0,5,10,0,20,0,1)'],
    'week: ISO weeks; an add-on ending on Monday counts for the week before');

-- A week across the new year: the ISO week of 2025-01-01 starts on Monday
-- 2024-12-30; a row ending on Monday 2025-01-06 counts at that week's end.
CREATE TEMP TABLE book_w2 (customer_id bigint, started_at date, ended_at date, mrr numeric);
INSERT INTO book_w2 VALUES (1, '2025-01-01', '2025-01-06', 40);
SELECT pg_temp.movements_are('book_w2', 'week', NULL, NULL, ARRAY[
    '(2024-12-30,0,1,0,0,1,0,40,0,0,0,0,40,0,0)',
    '(2025-01-06,1,0,0,1,0,40,0,0,0,40,0,0,0,0)'],
    'week: the ISO week across the new year');

-- Book Y, by year.
--   1: 100 from 2022-06-01 to 2023-01-01, back with 10 on 2024-11-11
--   2: 40 from 2022-12-31, upgraded to 60 on 2024-03-01, open
-- At the year ends:   2022  2023  2024
--   1                  100     -    10
--   2                   40    40    60
CREATE TEMP TABLE book_y (customer_id bigint, started_at date, ended_at date, mrr numeric);
INSERT INTO book_y VALUES
    (1, '2022-06-01', '2023-01-01', 100), (1, '2024-11-11', NULL, 10),
    (2, '2022-12-31', '2024-03-01', 40), (2, '2024-03-01', NULL, 60);
SELECT pg_temp.movements_are('book_y', 'year', NULL, NULL, ARRAY[
    '(2022-01-01,0,2,0,0,2,0,140,0,0,0,0,140,0,0)',
    '(2023-01-01,2,0,0,1,1,140,0,0,0,100,0,40,0,0)',
    '(2024-01-01,1,0,1,0,2,40,0,20,0,0,10,70,1,0)'],
    'year: ending on January 1 churns in the new year; reactivation and expansion');

-- zero_mrr 'inactive' on book C: b and c are customers only while they pay.
-- Jan: a new (70); Feb: a churns; Mar: b pays, new (50); Apr: a reactivated (90).
SELECT pg_temp.movements_are('book_c', 'month', NULL, NULL, ARRAY[
    '(2024-01-01,0,1,0,0,1,0,70,0,0,0,0,70,0,0)',
    '(2024-02-01,1,0,0,1,0,70,0,0,0,70,0,0,0,0)',
    '(2024-03-01,0,1,0,0,1,0,50,0,0,0,0,50,0,0)',
    '(2024-04-01,1,0,1,0,2,50,0,0,0,0,90,140,0,0)'],
    'zero_mrr inactive: free to paid is new, not expansion; a free customer is not counted', 'inactive');

-- changes 'all' on book A: every change inside January counts.
-- Jan: 5 new Jan 3 (10), 2 new Jan 5 (40), 3 new Jan 15 (100); 5 churns Jan 20
-- (10), 2 churns Jan 25 (40): 3 new (150), 2 churned (50), 1 customer, 100.
-- Feb: 3 churns Feb 1 (100); 5 back Feb 5: reactivated (25), having been a
-- customer in January; 4 new Feb 10 (20): 2 customers, 45.
SELECT pg_temp.movements_are('book_a', 'month', NULL, NULL, ARRAY[
    '(2024-01-01,0,3,0,2,1,0,150,0,0,50,0,100,0,0)',
    '(2024-02-01,1,1,1,1,2,100,20,0,0,100,25,45,0,0)'],
    'changes all: joins and cancels inside a month are a new and a churn; a return is a reactivation',
    'inactive', 'all');
-- Book B has no change reversed inside a month: both conventions agree.
SELECT results_eq($$SELECT * FROM ref.mrr_movements('book_b', 'month', NULL, NULL, 'inactive', 'all')$$,
                  $$SELECT * FROM ref.mrr_movements('book_b', 'month', NULL, NULL, 'inactive', 'period_end')$$,
                  'changes all = period_end when nothing reverses inside a period');

SELECT throws_ok($$SELECT * FROM ref.mrr_movements('book_a', 'decade')$$, '22023',
                 'unknown period "decade"', 'mrr_movements: unknown period');
SELECT is_empty($$SELECT * FROM ref.mrr_movements('book_a', 'month', '2024-03-01', '2024-01-01')$$,
                'mrr_movements: from after to gives no periods');

-- Cohorts.  Book K:
--   a1: 100 from 2024-01-05, open
--   a2: 50 from 2024-01-10 to 02-15, back with 60 on 04-01 (stays in January's cohort)
--   a3: joins and cancels in January: a cohort member never active at an end
--   b1: free (0) from 2024-03-03, open, plus an add-on 25 from 04-10
--   b2: 40 from 2024-03-31 to 05-01
--   c1: free (0) from 2024-05-20
-- No one starts in February: no cohort.  The last period is May (b2's end).
-- January cohort (3):  Jan  Feb  Mar  Apr  May        March cohort (2):  Mar  Apr  May
--   a1                 100  100  100  100  100          b1                 0   25   25
--   a2                  50    -    -   60   60          b2                40   40    -
--   active / MRR     2/150 1/100 1/100 2/160 2/160     active / MRR     2/40 2/65 1/25
-- May cohort (1): c1 active with 0, so revenue retention is NULL.
CREATE TEMP TABLE book_k (customer_id bigint, started_at date, ended_at date, mrr numeric);
INSERT INTO book_k VALUES
    (1, '2024-01-05', NULL, 100),
    (2, '2024-01-10', '2024-02-15', 50), (2, '2024-04-01', NULL, 60),
    (3, '2024-01-20', '2024-01-25', 30),
    (4, '2024-03-03', NULL, 0), (4, '2024-04-10', NULL, 25),
    (5, '2024-03-31', '2024-05-01', 40),
    (6, '2024-05-20', NULL, 0);
-- Retention ratios rounded to 12 places: 2/3, 1/3; 100/150, 160/150; 65/40, 25/40.
SELECT results_eq(
    $$SELECT cohort_start, age, cohort_customers, active_customers, round(logo_retention::numeric, 12),
             cohort_mrr, mrr, round(revenue_retention::numeric, 12)
      FROM ref.cohort_retention('book_k', 'month', 'active')$$,
    $$VALUES ('2024-01-01'::date, 0, 3::bigint, 2::bigint, 0.666666666667, 150::numeric, 150::numeric, 1::numeric),
             ('2024-01-01', 1, 3, 1, 0.333333333333, 150, 100, 0.666666666667),
             ('2024-01-01', 2, 3, 1, 0.333333333333, 150, 100, 0.666666666667),
             ('2024-01-01', 3, 3, 2, 0.666666666667, 150, 160, 1.066666666667),
             ('2024-01-01', 4, 3, 2, 0.666666666667, 150, 160, 1.066666666667),
             ('2024-03-01', 0, 2, 2, 1, 40, 40, 1),
             ('2024-03-01', 1, 2, 2, 1, 40, 65, 1.625),
             ('2024-03-01', 2, 2, 1, 0.5, 40, 25, 0.625),
             ('2024-05-01', 0, 1, 1, 1, 0, 0, NULL)$$,
    'cohort_retention: two cohorts cell by cell, reactivation in the original cohort');

-- By quarter: everyone but c1 is in Q1 (5 customers); the last period is Q2.
-- End of Q1: a1 100, b1 0, b2 40 -> 3 active, 140.  End of Q2: a1 100, a2 60,
-- b1 25 -> 3 active, 185 (185/140 = 1.32142857142857...).  Q2 cohort: c1.
SELECT results_eq(
    $$SELECT cohort_start, age, cohort_customers, active_customers, round(logo_retention::numeric, 12),
             cohort_mrr, mrr, round(revenue_retention::numeric, 12)
      FROM ref.cohort_retention('book_k', 'quarter', 'active')$$,
    $$VALUES ('2024-01-01'::date, 0, 5::bigint, 3::bigint, 0.6, 140::numeric, 140::numeric, 1::numeric),
             ('2024-01-01', 1, 5, 3, 0.6, 140, 185, 1.321428571429),
             ('2024-04-01', 0, 1, 1, 1, 0, 0, NULL)$$,
    'cohort_retention by quarter');

-- zero_mrr 'inactive': a cohort is the period of the first paying day.  a3
-- paid in January (Jan 20-25): January cohort; b1 first pays on Apr 10: April
-- cohort; b2 March; c1 never pays: no cohort.
-- March cohort (b2): Mar 40, Apr 40, May gone.  April cohort (b1): 25, 25.
SELECT results_eq(
    $$SELECT cohort_start, age, cohort_customers, active_customers, round(logo_retention::numeric, 12),
             cohort_mrr, mrr, round(revenue_retention::numeric, 12)
      FROM ref.cohort_retention('book_k', 'month', 'inactive')$$,
    $$VALUES ('2024-01-01'::date, 0, 3::bigint, 2::bigint, 0.666666666667, 150::numeric, 150::numeric, 1::numeric),
             ('2024-01-01', 1, 3, 1, 0.333333333333, 150, 100, 0.666666666667),
             ('2024-01-01', 2, 3, 1, 0.333333333333, 150, 100, 0.666666666667),
             ('2024-01-01', 3, 3, 2, 0.666666666667, 150, 160, 1.066666666667),
             ('2024-01-01', 4, 3, 2, 0.666666666667, 150, 160, 1.066666666667),
             ('2024-03-01', 0, 1, 1, 1, 40, 40, 1),
             ('2024-03-01', 1, 1, 1, 1, 40, 40, 1),
             ('2024-03-01', 2, 1, 0, 0, 40, 0, 0),
             ('2024-04-01', 0, 1, 1, 1, 25, 25, 1),
             ('2024-04-01', 1, 1, 1, 1, 25, 25, 1)$$,
    'cohort_retention, zero_mrr inactive: cohorts of the first paying day');

SELECT throws_ok($$SELECT * FROM ref.cohort_retention('book_k', 'decade')$$, '22023',
                 'unknown period "decade"', 'cohort_retention: unknown period');

-- The generator: a 2,000-customer book.
CALL ref.make_book('gen', 2000, 7);

SELECT ok((SELECT count(*) BETWEEN 2000 * 1.9 AND 2000 * 2.5 FROM gen)
          AND (SELECT count(DISTINCT customer_id) = 2000 FROM gen),
          'generator: 2,000 customers with about two rows each');
SELECT ok((SELECT min(started_at) >= '2021-12-01' AND max(started_at) <= '2025-12-31' FROM gen),
          'generator: starts within 2022-2025 (free trials up to 30 days earlier)');
SELECT is(ARRAY(SELECT name FROM (VALUES
        ('same-day row', EXISTS (SELECT FROM gen WHERE ended_at = started_at)),
        ('end on the 1st', EXISTS (SELECT FROM gen WHERE extract(day FROM ended_at) = 1)),
        ('open row', EXISTS (SELECT FROM gen WHERE ended_at IS NULL)),
        ('zero MRR', EXISTS (SELECT FROM gen WHERE mrr = 0)),
        ('free trial before a paid row', EXISTS (SELECT FROM gen a JOIN gen b USING (customer_id)
                                                 WHERE a.mrr = 0 AND b.started_at = a.ended_at AND b.mrr > 0)),
        ('credit', EXISTS (SELECT FROM gen WHERE mrr < 0)),
        ('upgrade', EXISTS (SELECT FROM gen a JOIN gen b USING (customer_id)
                            WHERE b.started_at = a.ended_at AND b.mrr > a.mrr)),
        ('downgrade', EXISTS (SELECT FROM gen a JOIN gen b USING (customer_id)
                              WHERE b.started_at = a.ended_at AND b.mrr < a.mrr)),
        ('gap of a month', EXISTS (SELECT FROM gen a JOIN gen b USING (customer_id)
                                   WHERE b.started_at > a.ended_at + 30)),
        ('overlap', EXISTS (SELECT FROM gen a JOIN gen b USING (customer_id)
                            WHERE a.started_at < b.started_at
                              AND (a.ended_at IS NULL OR a.ended_at > b.started_at))),
        ('one row in one month', EXISTS (SELECT FROM gen GROUP BY customer_id
                                         HAVING count(*) = 1
                                            AND date_trunc('month', min(started_at))
                                                = date_trunc('month', min(ended_at)))))
        AS c(name, present) WHERE NOT present),
    '{}'::text[], 'generator: every edge case occurs');

-- Each period reconciles and starts where the previous one ended, for every
-- period length.
SELECT is_empty($$
    SELECT p, period_start
    FROM unnest(ARRAY['week', 'month', 'quarter', 'year']) AS p,
         unnest(ARRAY['inactive', 'active']) AS z,
         unnest(ARRAY['period_end', 'all']) AS c,
         LATERAL (SELECT m.*, lag(customers_end, 1, 0::bigint) OVER (ORDER BY period_start) AS previous_customers,
                         lag(mrr_end, 1, 0::numeric) OVER (ORDER BY period_start) AS previous_mrr
                  FROM ref.mrr_movements('gen', p, NULL, NULL, z, c) m) m
    WHERE mrr_start + new_mrr + expansion_mrr - contraction_mrr - churned_mrr + reactivation_mrr <> mrr_end
       OR customers_start + new_customers + reactivated_customers - churned_customers <> customers_end
       OR customers_start <> previous_customers OR mrr_start <> previous_mrr$$,
    'generated book: every period reconciles, for week, month, quarter and year, under every convention');
SELECT ok(sum(new_customers) > 0 AND sum(reactivated_customers) > 0 AND sum(churned_customers) > 0
          AND sum(expansion_mrr) > 0 AND sum(contraction_mrr) > 0 AND sum(reactivation_mrr) > 0,
          'generated book: every kind of movement occurs')
FROM ref.mrr_movements('gen');

-- The two references agree: summed over cohorts, the active customers and
-- MRR at each month's end are customers_end and mrr_end.
SELECT is_empty($$
    SELECT m.period_start
    FROM ref.mrr_movements('gen') m
    LEFT JOIN (SELECT (cohort_start + age * interval '1 month')::date AS period_start,
                      sum(active_customers) AS customers, sum(mrr) AS mrr
               FROM ref.cohort_retention('gen')
               GROUP BY 1) c ON c.period_start = m.period_start
    WHERE coalesce(c.customers, 0) <> m.customers_end OR coalesce(c.mrr, 0) <> m.mrr_end$$,
    'generated book: cohort cells add up to the month-end customers and MRR');
SELECT is((SELECT sum(cohort_customers) FROM ref.cohort_retention('gen', 'month', 'active') WHERE age = 0),
          2000::numeric, 'generated book, zero_mrr active: every customer is in one cohort');
SELECT is((SELECT sum(cohort_customers) FROM ref.cohort_retention('gen') WHERE age = 0),
          (SELECT count(DISTINCT g.customer_id) FROM gen g
           WHERE (SELECT sum(r.mrr) FROM gen r WHERE r.customer_id = g.customer_id
                    AND r.started_at <= g.started_at AND (r.ended_at IS NULL OR r.ended_at > g.started_at)) > 0)::numeric,
          'generated book, zero_mrr inactive: every customer who pays on a start day is in one cohort');

-- Determinism: md5 of the ordered contents.
CREATE FUNCTION pg_temp.book_md5(book regclass, customer_id text DEFAULT 'customer_id')
RETURNS text LANGUAGE plpgsql AS $$
DECLARE digest text;
BEGIN
    EXECUTE format('SELECT md5(string_agg(concat_ws(''|'', %1$s, started_at, ended_at, mrr), '',''
                                          ORDER BY %1$s, started_at, ended_at, mrr)) FROM %2$s',
                   customer_id, book)
        INTO digest;
    RETURN digest;
END $$;
CALL ref.make_book('gen_again', 2000, 7);
CALL ref.make_book('gen_seed_8', 2000, 8);
CALL ref.make_book('gen_text', 2000, 7, 'text');
SELECT is(pg_temp.book_md5('gen_again'), pg_temp.book_md5('gen'), 'generator: same seed, same book');
SELECT isnt(pg_temp.book_md5('gen_seed_8'), pg_temp.book_md5('gen'), 'generator: another seed, another book');
SELECT is(pg_temp.book_md5('gen_text'), pg_temp.book_md5('gen', $e$'cus_' || customer_id$e$),
          'generator: text ids are cus_<n>, the rows the same');

CREATE SCHEMA gen_schema;
CALL ref.make_book('gen_schema.uuid_book', 300, 7, 'uuid');
SELECT is((SELECT count(DISTINCT customer_id) FROM gen_schema.uuid_book), 300::bigint,
          'generator: uuid ids, schema-qualified table name');
SELECT throws_ok($$CALL ref.make_book('gen_bad', 10, 1, 'integer')$$, '22023',
                 'unknown id_type "integer"', 'generator: unknown id_type');

SELECT * FROM finish();
ROLLBACK;
