-- subscription_book: a book of a few rows stays flat between rows, with no
-- memory context of its own, and becomes a log at its eighth row.  One
-- book per customer (GROUP BY customer_id, the Citus shape that sends
-- O(periods)) then takes a few hundred bytes per group in a hash
-- aggregate, not a context each (which PostgreSQL's hash aggregate walks
-- for every new group: quadratic).  The books are the same either way.
BEGIN;
SELECT plan(11);
SET DateStyle = ISO;

-- customers with 1 to 20 rows: books that stay flat and books that cross to
-- a log; zero-length rows (never active, but they set the first start),
-- zero MRR, open rows, amounts at several scales
CREATE TEMP TABLE subs AS
SELECT c AS customer_id, 'cus_' || c AS customer_text, md5(c::text)::uuid AS customer_uuid,
       st AS started_at,
       CASE WHEN r % 5 = 0 THEN st WHEN r % 3 = 0 THEN NULL ELSE st + 10 + (c + r) % 300 END AS ended_at,
       CASE WHEN (c + r) % 11 = 0 THEN 0 ELSE (c * 7 + r * 3) % 50 + 0.25 * (r % 4) END AS mrr
FROM generate_series(1, 2000) AS c, generate_series(1, 20) AS r,
     LATERAL (SELECT date '2023-01-01' + (c * 13 + r * 29) % 700 AS st) AS s
WHERE r <= 1 + c % 20;
ANALYZE subs;

-- the per-customer books, merged, are the book of all rows, byte for byte
SELECT is((SELECT rollup(b)::text FROM (SELECT customer_id, subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b
                                        FROM subs GROUP BY 1) AS q),
          (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr)::text FROM subs),
          'bigint ids: per-customer books merged = the whole book');
SELECT is((SELECT rollup(b)::text FROM (SELECT customer_id, subscription_book_agg(customer_text, started_at, ended_at, mrr) AS b
                                        FROM subs GROUP BY 1) AS q),
          (SELECT subscription_book_agg(customer_text, started_at, ended_at, mrr)::text FROM subs),
          'text ids: per-customer books merged = the whole book');
SELECT is((SELECT rollup(b)::text FROM (SELECT customer_id, subscription_book_agg(customer_uuid, started_at, ended_at, mrr) AS b
                                        FROM subs GROUP BY 1) AS q),
          (SELECT subscription_book_agg(customer_uuid, started_at, ended_at, mrr)::text FROM subs),
          'uuid ids: per-customer books merged = the whole book');

-- a book that stays flat and one that crosses to a log read the same as
-- the same rows in one whole book (a customer's rows in row order, or
-- reversed: the crossing happens at another row)
SELECT is((SELECT string_agg(m::text, ' ' ORDER BY c.customer_id, m.period_start)
           FROM (SELECT customer_id, subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b
                 FROM subs GROUP BY 1) AS c,
                LATERAL mrr_movements(c.b, 'quarter', '2023-01-01', '2025-12-31') AS m),
          (SELECT string_agg(m::text, ' ' ORDER BY c.customer_id, m.period_start)
           FROM (SELECT customer_id, subscription_book_agg(customer_id, started_at, ended_at, mrr
                                                           ORDER BY started_at DESC, ended_at DESC NULLS FIRST, mrr DESC) AS b
                 FROM subs GROUP BY 1) AS c,
                LATERAL mrr_movements(c.b, 'quarter', '2023-01-01', '2025-12-31') AS m),
          'rows in another order: the same per-customer movements');

-- the shorthands keep their period and window in a flat book too
SELECT set_eq($$SELECT customer_id, mrr_movements(customer_id, started_at, ended_at, mrr, 'quarter', '2023-01-01', '2025-12-31')::text
                FROM subs GROUP BY 1$$,
              $$SELECT c.customer_id, (SELECT array_agg(m ORDER BY m.period_start)
                                       FROM mrr_movements(c.b, 'quarter', '2023-01-01', '2025-12-31') AS m)::text
                FROM (SELECT customer_id, subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b
                      FROM subs GROUP BY 1) AS c$$,
              'mrr_movements(customer_id, ..., period, window) per customer = the reader of the customer''s book');
SELECT set_eq($$SELECT customer_id, cohort_retention(customer_text, started_at, ended_at, mrr, 'month')::text
                FROM subs GROUP BY 1$$,
              $$SELECT c.customer_id, coalesce((SELECT array_agg(x ORDER BY x.cohort_start, x.age)
                                                FROM cohort_retention(c.b, 'month') AS x), '{}')::text
                FROM (SELECT customer_id, subscription_book_agg(customer_text, started_at, ended_at, mrr) AS b
                      FROM subs GROUP BY 1) AS c$$,
              'cohort_retention(customer_id, ..., period) per customer = the reader of the customer''s book');

-- the period must stay the same, whether the book is still flat or a log
SELECT throws_ok($$SELECT mrr_movements(1, date '2024-01-01' + i, NULL, 1, CASE WHEN i < 2 THEN 'month' ELSE 'week' END)
                   FROM generate_series(1, 3) AS i$$,
                 '22023', 'period, "from" and "to" must be the same in every row', 'a period changing in a flat book');
SELECT throws_ok($$SELECT mrr_movements(1, date '2024-01-01' + i, NULL, 1, CASE WHEN i < 12 THEN 'month' ELSE 'week' END)
                   FROM generate_series(1, 20) AS i$$,
                 '22023', 'period, "from" and "to" must be the same in every row', 'a period changing once the book is a log');
SELECT throws_ok($$SELECT mrr_movements(1, date '2024-01-01' + i, NULL, 1, 'month', '2024-01-01', CASE WHEN i < 3 THEN date '2024-12-31' ELSE NULL END)
                   FROM generate_series(1, 5) AS i$$,
                 '22023', 'period, "from" and "to" must be the same in every row', 'a window changing in a flat book');

-- memory: 20,000 one-row books in one hash aggregate (no spill) take a few
-- hundred bytes each, against 2 kB or more with a context per book
CREATE TEMP TABLE one_row AS
SELECT c AS customer_id, date '2024-01-01' + c % 300 AS started_at, NULL::date AS ended_at, (c % 90 + 10)::numeric AS mrr
FROM generate_series(1, 20000) AS c;
ANALYZE one_row;
SET LOCAL work_mem = '256MB';
SET LOCAL enable_sort = off;
CREATE FUNCTION pg_temp.hash_memory_kb(query text) RETURNS bigint LANGUAGE plpgsql AS $f$
DECLARE
    line text;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || query LOOP
        IF line ~ 'Memory Usage: \d+kB' AND line !~ 'Disk Usage' THEN
            RETURN substring(line FROM 'Memory Usage: (\d+)kB')::bigint;
        END IF;
    END LOOP;
    RETURN NULL;
END
$f$;
SELECT cmp_ok(pg_temp.hash_memory_kb('SELECT customer_id, subscription_book_agg(customer_id, started_at, ended_at, mrr) FROM one_row GROUP BY 1'),
              '<', 20000::bigint, '20,000 one-customer books in a hash aggregate: under 20 MB (about 9 MB)');
SELECT cmp_ok(pg_temp.hash_memory_kb('SELECT customer_id, mrr_movements(customer_id, started_at, ended_at, mrr, ''month'') FROM one_row GROUP BY 1'),
              '<', 20000::bigint, 'the same for the shorthand mrr_movements per customer');

SELECT * FROM finish();
ROLLBACK;
