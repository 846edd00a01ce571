-- The readers of subscription books against the independent plain-SQL
-- references (test/reference/) on generated books (free trials, credits,
-- upgrades, gaps, add-ons, rows inside one month): bigint, text and uuid
-- ids; every period; both zero_mrr and both changes conventions; windows;
-- the drill-down; the shorthand aggregates; serial and parallel plans.
-- Money and counts must be equal exactly; the float ratios of the cohort
-- cells within 1e-12.
BEGIN;
SET client_min_messages = warning;
\i test/reference/book.sql
\i test/reference/mrr_movements.sql
\i test/reference/cohort_retention.sql
\i test/reference/lifecycle.sql
SELECT plan(49);

CALL ref.make_book('xc_bigint', 20000, 11);
CALL ref.make_book('xc_text', 12000, 12, 'text');
CALL ref.make_book('xc_uuid', 12000, 13, 'uuid');
CALL ref.make_book('xc_small', 2500, 14, 'text');

SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE books AS
SELECT 'xc_bigint' AS name, subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book FROM xc_bigint
UNION ALL SELECT 'xc_text', subscription_book_agg(customer_id, started_at, ended_at, mrr) FROM xc_text
UNION ALL SELECT 'xc_uuid', subscription_book_agg(customer_id, started_at, ended_at, mrr) FROM xc_uuid
UNION ALL SELECT 'xc_small', subscription_book_agg(customer_id, started_at, ended_at, mrr) FROM xc_small;

-- The readings compared: (table, period, from, to, zero_mrr, changes).
CREATE TEMP TABLE reading (name text, tab text, period text, from_date date, to_date date,
                           zero_mrr text, changes text);
INSERT INTO reading VALUES
    ('bigint month inactive period_end', 'xc_bigint', 'month', NULL, NULL, 'inactive', 'period_end'),
    ('bigint month inactive all', 'xc_bigint', 'month', NULL, NULL, 'inactive', 'all'),
    ('bigint month active period_end', 'xc_bigint', 'month', NULL, NULL, 'active', 'period_end'),
    ('bigint month active all', 'xc_bigint', 'month', NULL, NULL, 'active', 'all'),
    ('text quarter inactive all', 'xc_text', 'quarter', NULL, NULL, 'inactive', 'all'),
    ('text month active period_end', 'xc_text', 'month', NULL, NULL, 'active', 'period_end'),
    ('uuid year inactive period_end', 'xc_uuid', 'year', NULL, NULL, 'inactive', 'period_end'),
    ('uuid week active all', 'xc_uuid', 'week', NULL, NULL, 'active', 'all'),
    ('small day inactive period_end', 'xc_small', 'day', '2023-01-01', '2023-03-31', 'inactive', 'period_end'),
    ('small day active all', 'xc_small', 'day', '2023-01-01', '2023-03-31', 'active', 'all'),
    ('small week inactive period_end', 'xc_small', 'week', NULL, NULL, 'inactive', 'period_end'),
    ('small month bounded', 'xc_small', 'month', '2023-06-15', '2026-12-01', 'inactive', 'all');

-- The references, computed once each.
CREATE TEMP TABLE ref_movements AS
SELECT r.name, (SELECT array_agg(ROW(m.*)::mrr_movement ORDER BY m.period_start)
                FROM ref.mrr_movements(r.tab::regclass, r.period, r.from_date, r.to_date, r.zero_mrr, r.changes) AS m) AS m
FROM reading r;
CREATE TEMP TABLE ref_drill AS
SELECT r.name, m.*
FROM reading r, ref.customer_movements(r.tab::regclass, r.period, r.from_date, r.to_date, r.zero_mrr, r.changes) AS m
WHERE r.tab IN ('xc_text', 'xc_small');
CREATE TEMP TABLE ref_cohorts AS
SELECT name, (SELECT array_agg(ROW(c.*)::cohort_cell ORDER BY c.cohort_start, c.age)
              FROM ref.cohort_retention(tab::regclass, period, zero_mrr) AS c) AS c
FROM (VALUES ('bigint month inactive', 'xc_bigint', 'month', 'inactive'),
             ('bigint month active', 'xc_bigint', 'month', 'active'),
             ('text quarter inactive', 'xc_text', 'quarter', 'inactive'),
             ('small week active', 'xc_small', 'week', 'active')) AS v(name, tab, period, zero_mrr);

-- The C readers' answers, by reading name.
CREATE FUNCTION pg_temp.c_movements(reading_name text) RETURNS mrr_movement[] LANGUAGE sql AS $$
    SELECT array_agg(m ORDER BY m.period_start)
    FROM reading r JOIN books b ON b.name = r.tab,
         mrr_movements(b.book, r.period, r.from_date, r.to_date, r.zero_mrr, r.changes) AS m
    WHERE r.name = reading_name
$$;

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

-- the comparisons bite: another reading's answers differ
SELECT cmp_ok(pg_temp.movement_diff(pg_temp.c_movements('bigint month inactive all'), 'bigint month inactive period_end'),
              '>', 0::bigint, 'movement_diff tells the changes conventions apart');
SELECT cmp_ok(pg_temp.movement_diff(pg_temp.c_movements('bigint month active period_end'), 'bigint month inactive period_end'),
              '>', 0::bigint, 'movement_diff tells the zero_mrr conventions apart');
SELECT cmp_ok(pg_temp.cohort_diff(ARRAY(SELECT cohort_retention(book, 'month', 'active') FROM books WHERE name = 'xc_bigint'),
                                  'bigint month inactive'),
              '>', 0::bigint, 'cohort_diff tells the zero_mrr conventions apart');

-- every reading = the reference, serial
SELECT is(pg_temp.movement_diff(pg_temp.c_movements(name), name), 0::bigint, 'mrr_movements = reference: ' || name)
FROM reading ORDER BY name;

-- the drill-down = the reference's, row for row
SELECT is((SELECT count(*) FROM (
               (SELECT m.* FROM books b, customer_movements(b.book, r.period, r.from_date, r.to_date, r.zero_mrr, r.changes) m
                WHERE b.name = r.tab
                EXCEPT ALL SELECT customer_id, period_start, movement, mrr_before, mrr_after FROM ref_drill d WHERE d.name = r.name)
               UNION ALL
               (SELECT customer_id, period_start, movement, mrr_before, mrr_after FROM ref_drill d WHERE d.name = r.name
                EXCEPT ALL
                SELECT m.* FROM books b, customer_movements(b.book, r.period, r.from_date, r.to_date, r.zero_mrr, r.changes) m
                WHERE b.name = r.tab)) d),
          0::bigint, 'customer_movements = reference: ' || r.name)
FROM reading r WHERE r.tab IN ('xc_text', 'xc_small') ORDER BY r.name;

-- the drill-down's sums per period are mrr_movements' figures, for every reading
SELECT is((SELECT count(*) FROM reading r JOIN books b ON b.name = r.tab,
                  LATERAL (SELECT m.period_start, m.new_customers, m.reactivated_customers, m.churned_customers,
                                  m.new_mrr, m.expansion_mrr, m.contraction_mrr, m.churned_mrr, m.reactivation_mrr,
                                  m.expansion_customers, m.contraction_customers
                           FROM mrr_movements(b.book, r.period, r.from_date, r.to_date, r.zero_mrr, r.changes) m
                           WHERE m.new_customers + m.reactivated_customers + m.churned_customers
                                 + m.expansion_customers + m.contraction_customers > 0
                           EXCEPT
                           SELECT d.period_start,
                                  count(*) FILTER (WHERE movement = 'new'),
                                  count(*) FILTER (WHERE movement = 'reactivation'),
                                  count(*) FILTER (WHERE movement = 'churn'),
                                  coalesce(sum(mrr_after) FILTER (WHERE movement = 'new'), 0),
                                  coalesce(sum(mrr_after - mrr_before) FILTER (WHERE movement = 'expansion'), 0),
                                  coalesce(sum(mrr_before - mrr_after) FILTER (WHERE movement = 'contraction'), 0),
                                  coalesce(sum(mrr_before) FILTER (WHERE movement = 'churn'), 0),
                                  coalesce(sum(mrr_after) FILTER (WHERE movement = 'reactivation'), 0),
                                  count(DISTINCT customer_id) FILTER (WHERE movement = 'expansion'),
                                  count(DISTINCT customer_id) FILTER (WHERE movement = 'contraction')
                           FROM customer_movements(b.book, r.period, r.from_date, r.to_date, r.zero_mrr, r.changes) d
                           GROUP BY d.period_start) x),
          0::bigint, 'customer_movements sums to mrr_movements for every reading');

-- the shorthand aggregates = the reader with its defaults, and one book read
-- by quarter = a quarterly aggregate
SELECT is((SELECT mrr_movements(customer_id, started_at, ended_at, mrr) FROM xc_bigint),
          pg_temp.c_movements('bigint month inactive period_end'), 'shorthand mrr_movements = reader defaults');
SELECT is((SELECT mrr_movements(customer_id, started_at, ended_at, mrr, 'quarter') FROM xc_text),
          (SELECT array_agg(m ORDER BY m.period_start) FROM books b, mrr_movements(b.book, 'quarter') m WHERE b.name = 'xc_text'),
          'a monthly-default book read by quarter = the quarterly aggregate');
-- (without the credits, which the windowed shorthand refuses before its
-- window: test/t/book_history.sql)
SELECT is((SELECT mrr_movements(customer_id, started_at, ended_at, mrr, 'month', '2023-06-15', '2026-12-01')
           FROM xc_small WHERE mrr >= 0),
          (SELECT array_agg(m ORDER BY m.period_start)
           FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book FROM xc_small WHERE mrr >= 0) b,
                mrr_movements(b.book, 'month', '2023-06-15', '2026-12-01') m),
          'the windowed shorthand = the windowed reader');
SELECT is((SELECT mrr_movements(customer_id, started_at::timestamptz, ended_at::timestamptz, mrr) FROM xc_small),
          (SELECT mrr_movements(customer_id, started_at, ended_at, mrr) FROM xc_small),
          'timestamptz input at midnight = date input');

-- cohorts
SELECT is(pg_temp.cohort_diff(ARRAY(SELECT cohort_retention(book) FROM books WHERE name = 'xc_bigint'), 'bigint month inactive'),
          0::bigint, 'cohort_retention = reference: bigint, month, inactive');
SELECT is(pg_temp.cohort_diff(ARRAY(SELECT cohort_retention(book, 'month', 'active') FROM books WHERE name = 'xc_bigint'),
                              'bigint month active'),
          0::bigint, 'cohort_retention = reference: bigint, month, active');
SELECT is(pg_temp.cohort_diff(ARRAY(SELECT cohort_retention(book, 'quarter') FROM books WHERE name = 'xc_text'), 'text quarter inactive'),
          0::bigint, 'cohort_retention = reference: text, quarter, inactive');
SELECT is((SELECT cohort_retention(customer_id, started_at, ended_at, mrr, 'week') FROM xc_small),
          ARRAY(SELECT cohort_retention(book, 'week') FROM books WHERE name = 'xc_small'),
          'shorthand cohort_retention by week = the reader');
SELECT is(pg_temp.cohort_diff(ARRAY(SELECT cohort_retention(book, 'week', 'active') FROM books WHERE name = 'xc_small'), 'small week active'),
          0::bigint, 'cohort_retention = reference: text, week, active');

-- lifetimes and conversions = the references', through kaplan_meier
SELECT is((SELECT customer_survival(book)::text FROM books WHERE name = 'xc_text'),
          (SELECT kaplan_meier(duration, churned)::text FROM ref.customer_lifetimes('xc_text')),
          'customer_survival = reference lifetimes: text ids, month, inactive');
SELECT is((SELECT customer_survival(book, 'quarter', 'active')::text FROM books WHERE name = 'xc_small'),
          (SELECT kaplan_meier(duration, churned)::text FROM ref.customer_lifetimes('xc_small', 'quarter', 'active')),
          'customer_survival = reference lifetimes: quarter, active');
SELECT is((SELECT array_agg(c.cohort_start || ' ' || c.curve::text ORDER BY c.cohort_start)
           FROM books b, conversion_curves(b.book) c WHERE b.name = 'xc_text'),
          (SELECT array_agg(m || ' ' || curve ORDER BY m) FROM (
               SELECT date_trunc('month', signed_up)::date AS m,
                      kaplan_meier(coalesce(first_paid, last_day) - signed_up, first_paid IS NOT NULL)::text AS curve
               FROM ref.conversions('xc_text') GROUP BY 1) x),
          'conversion_curves = reference conversions, by signup month');
CREATE TEMP TABLE expected_conversion AS
WITH conv AS (SELECT date_trunc('quarter', signed_up)::date AS cohort, first_paid, last_day
              FROM ref.conversions('xc_small')),
     ages AS (SELECT DISTINCT c.cohort, a.age
              FROM conv c CROSS JOIN LATERAL generate_series(0,
                  ((extract(year FROM date_trunc('quarter', c.last_day)) - extract(year FROM c.cohort)) * 4
                   + (extract(quarter FROM c.last_day) - extract(quarter FROM c.cohort)))::int) AS a(age))
SELECT a.cohort, a.age, count(*) AS signups,
       count(*) FILTER (WHERE c.first_paid IS NOT NULL
                          AND date_trunc('quarter', c.first_paid) <= a.cohort + a.age * interval '3 months'
                          AND date_trunc('quarter', c.first_paid) <= date_trunc('quarter', c.last_day)) AS converted
FROM ages a JOIN conv c ON c.cohort = a.cohort
GROUP BY a.cohort, a.age;
SELECT cmp_ok((SELECT count(*) FROM expected_conversion WHERE converted > 0 AND converted < signups), '>', 10::bigint,
              'the conversion reference has partly converted cells to compare');
SELECT is((SELECT count(*) FROM (
               (SELECT cohort, age, signups, converted, converted::float8 / signups FROM expected_conversion
                EXCEPT SELECT c.* FROM books b, cohort_conversion(b.book, 'quarter') c WHERE b.name = 'xc_small')
               UNION ALL
               (SELECT c.* FROM books b, cohort_conversion(b.book, 'quarter') c WHERE b.name = 'xc_small'
                EXCEPT SELECT cohort, age, signups, converted, converted::float8 / signups FROM expected_conversion)) d),
          0::bigint, 'cohort_conversion = reference conversions, by signup quarter');

-- books of disjoint customers read to a common "to" add up: cohort cells,
-- lifetimes and conversions (a Citus shard's, a segment's)
CREATE TEMP TABLE parts AS
SELECT customer_id % 4 AS part, subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book
FROM xc_bigint GROUP BY 1;
SELECT is((SELECT count(*) FROM (
               (SELECT c.cohort_start, c.age, sum(c.cohort_customers) AS n, sum(c.active_customers) AS a, sum(c.mrr) AS m
                FROM parts p, cohort_retention(p.book, "to" => '2025-06-30') c GROUP BY 1, 2
                EXCEPT
                SELECT c.cohort_start, c.age, c.cohort_customers, c.active_customers, c.mrr
                FROM books b, cohort_retention(b.book, "to" => '2025-06-30') c WHERE b.name = 'xc_bigint')
               UNION ALL
               (SELECT c.cohort_start, c.age, c.cohort_customers, c.active_customers, c.mrr
                FROM books b, cohort_retention(b.book, "to" => '2025-06-30') c WHERE b.name = 'xc_bigint'
                EXCEPT
                SELECT c.cohort_start, c.age, sum(c.cohort_customers), sum(c.active_customers), sum(c.mrr)
                FROM parts p, cohort_retention(p.book, "to" => '2025-06-30') c GROUP BY 1, 2)) d),
          0::bigint, 'cohort cells of disjoint books read to a common "to" sum to the whole book''s');
SELECT is((SELECT rollup(customer_survival(book, "to" => '2025-06-30'))::text FROM parts),
          (SELECT customer_survival(book, "to" => '2025-06-30')::text FROM books WHERE name = 'xc_bigint'),
          'lifetimes of disjoint books read to a common "to" roll up to the whole book''s');
SELECT is((SELECT array_agg(x ORDER BY x) FROM (
               SELECT c.cohort_start || ' ' || c.age || ' ' || sum(c.signups) || ' ' || sum(c.converted) AS x
               FROM parts p, cohort_conversion(p.book, 'quarter', '2025-06-30') c GROUP BY c.cohort_start, c.age) s),
          (SELECT array_agg(x ORDER BY x) FROM (
               SELECT c.cohort_start || ' ' || c.age || ' ' || c.signups || ' ' || c.converted AS x
               FROM books b, cohort_conversion(b.book, 'quarter', '2025-06-30') c WHERE b.name = 'xc_bigint') s),
          'conversions of disjoint books read to a common "to" sum to the whole book''s');
SELECT is((SELECT array_agg(x ORDER BY x) FROM (
               SELECT c.cohort_start || ' ' || rollup(c.curve)::text AS x
               FROM parts p, conversion_curves(p.book, 'quarter', '2025-06-30') c GROUP BY c.cohort_start) s),
          (SELECT array_agg(c.cohort_start || ' ' || c.curve::text ORDER BY c.cohort_start || ' ' || c.curve::text)
           FROM books b, conversion_curves(b.book, 'quarter', '2025-06-30') c WHERE b.name = 'xc_bigint'),
          'conversion curves of disjoint books read to a common "to" roll up to the whole book''s');

-- customers_at = the rows active on the day, summed
SELECT is((SELECT count(*) FROM (
               (SELECT c.* FROM books b, customers_at(b.book, d) c WHERE b.name = 'xc_uuid'
                EXCEPT ALL
                SELECT customer_id::text, sum(mrr) FROM xc_uuid
                WHERE started_at <= d AND (ended_at IS NULL OR ended_at > d)
                GROUP BY customer_id HAVING sum(mrr) > 0)
               UNION ALL
               (SELECT customer_id::text, sum(mrr) FROM xc_uuid
                WHERE started_at <= d AND (ended_at IS NULL OR ended_at > d)
                GROUP BY customer_id HAVING sum(mrr) > 0
                EXCEPT ALL
                SELECT c.* FROM books b, customers_at(b.book, d) c WHERE b.name = 'xc_uuid')) x),
          0::bigint, 'customers_at = the rows active on ' || d)
FROM (VALUES (date '2023-03-15'), (date '2025-12-31')) AS v(d);

-- rollup: books of disjoint customers, and books split by rows (customers in
-- several), merge to the very same book
SELECT is((SELECT rollup(b)::text FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b
                                       FROM xc_bigint GROUP BY customer_id % 7) s),
          (SELECT book::text FROM books WHERE name = 'xc_bigint'), 'rollup of books of disjoint customers = the book');
SELECT is((SELECT rollup(b)::text FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b
                                       FROM xc_text GROUP BY started_at < '2024-01-01', mrr > 100) s),
          (SELECT book::text FROM books WHERE name = 'xc_text'), 'rollup of books split by rows = the book');
SELECT is((SELECT book::text::subscription_book::text FROM books WHERE name = 'xc_uuid'),
          (SELECT book::text FROM books WHERE name = 'xc_uuid'), 'a book through its text form is the same book');

-- parallel: workers split every book; the books are the very same
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT is((SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr)::text FROM xc_bigint),
          (SELECT book::text FROM books WHERE name = 'xc_bigint'), 'parallel book = serial book: bigint');
SELECT is((SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr)::text FROM xc_text),
          (SELECT book::text FROM books WHERE name = 'xc_text'), 'parallel book = serial book: text');
SELECT is(pg_temp.movement_diff((SELECT mrr_movements(customer_id, started_at, ended_at, mrr) FROM xc_bigint),
                                'bigint month inactive period_end'),
          0::bigint, 'parallel shorthand mrr_movements = reference');
SELECT is(pg_temp.cohort_diff((SELECT cohort_retention(customer_id, started_at, ended_at, mrr) FROM xc_bigint),
                              'bigint month inactive'),
          0::bigint, 'parallel shorthand cohort_retention = reference');

SELECT * FROM finish();
ROLLBACK;
