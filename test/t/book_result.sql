-- subscription_book_agg's result is the aggregate's own book, read-only and
-- not copied (src/book_flat.c, subscription_book_result): a reader of the
-- result reads it in its parts, and only what stores or sends it makes its
-- flat form.  The book must be the same one however the aggregate runs and
-- whatever the consumer does with it: one book or one per group (sorted,
-- hashed), in memory or spilled, read by several readers, kept in a
-- materialized CTE or a table, or changing row by row as a window aggregate.
BEGIN;
SET client_min_messages = warning;
\i test/reference/book.sql
\i test/t/lib/plan_of.sql
SELECT plan(13);

CALL ref.make_book('br_rows', 6000, 51);
ANALYZE br_rows;
SET max_parallel_workers_per_gather = 0;

-- per group, the shorthand's answer: what a reader of the group's book must give
CREATE TEMP TABLE br_expected AS
SELECT customer_id % 5 AS g, mrr_movements(customer_id, started_at, ended_at, mrr, 'month')::text AS answer,
       cohort_retention(customer_id, started_at, ended_at, mrr, 'month')::text AS cohorts
FROM br_rows GROUP BY 1;

CREATE FUNCTION pg_temp.book_path_answers() RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(g || ': ' || (SELECT array_agg(m ORDER BY m.period_start)::text
                                    FROM mrr_movements(b.book, 'month') m), E'\n' ORDER BY g)
    FROM (SELECT customer_id % 5 AS g, subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book
          FROM br_rows GROUP BY 1) b
$$;
CREATE TEMP VIEW br_expected_answers AS
SELECT string_agg(g || ': ' || answer, E'\n' ORDER BY g) AS answers FROM br_expected;

CREATE FUNCTION pg_temp.book_path_plan() RETURNS text LANGUAGE sql AS $$
    SELECT pg_temp.plan_of($q$SELECT g, m.* FROM (SELECT customer_id % 5 AS g,
        subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book FROM br_rows GROUP BY 1) b,
        mrr_movements(b.book, 'month') m$q$)
$$;

SET enable_hashagg = off;
SELECT matches(pg_temp.book_path_plan(), 'Nested Loop.*GroupAggregate.*Function Scan on mrr_movements',
               'a reader of each group''s book, sorted groups');
SELECT is(pg_temp.book_path_answers(), (SELECT answers FROM br_expected_answers),
          'each sorted group''s book, read as it is made = the shorthand');
RESET enable_hashagg;
SET enable_sort = off;
SELECT matches(pg_temp.book_path_plan(), 'Nested Loop.*HashAggregate.*Function Scan on mrr_movements',
               'a reader of each group''s book, hashed groups');
SELECT is(pg_temp.book_path_answers(), (SELECT answers FROM br_expected_answers),
          'each hashed group''s book = the shorthand');
RESET enable_sort;

SET saas_metrics.max_memory = '64kB';
SELECT is(pg_temp.book_path_answers(), (SELECT answers FROM br_expected_answers),
          'spilled books, read in their runs = the shorthand');
SET enable_hashagg = off;
SELECT is(pg_temp.book_path_answers(), (SELECT answers FROM br_expected_answers),
          'spilled books of sorted groups = the shorthand');
RESET enable_hashagg;
RESET saas_metrics.max_memory;

-- several readers of one result, then its flat form
SELECT is((SELECT string_agg(g || ': ' || mv || ' ' || co, E'\n' ORDER BY g)
           FROM (SELECT customer_id % 5 AS g, subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book
                 FROM br_rows GROUP BY 1) b,
                LATERAL (SELECT array_agg(m ORDER BY m.period_start)::text AS mv FROM mrr_movements(b.book, 'month') m) x,
                LATERAL (SELECT array_agg(c ORDER BY c.cohort_start, c.age)::text AS co FROM cohort_retention(b.book, 'month') c) y),
          (SELECT string_agg(g || ': ' || answer || ' ' || cohorts, E'\n' ORDER BY g) FROM br_expected),
          'two readers of the same result');
SELECT is((SELECT string_agg(g || ': ' || md5(b.book::text), E'\n' ORDER BY g)
           FROM (SELECT customer_id % 5 AS g, subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book
                 FROM br_rows GROUP BY 1) b,
                LATERAL (SELECT count(*) FROM mrr_movements(b.book, 'month')) x),
          (SELECT string_agg(g || ': ' || md5(book::text), E'\n' ORDER BY g)
           FROM (SELECT customer_id % 5 AS g,
                        subscription_book_agg(customer_id, started_at, ended_at, mrr ORDER BY mrr, customer_id) AS book
                 FROM br_rows GROUP BY 1) o),
          'a book read, then written as text = the book of the same rows in another order');

-- kept: a materialized CTE and a table hold the flat form
SELECT is((WITH kept AS MATERIALIZED (SELECT customer_id % 5 AS g,
                  subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book FROM br_rows GROUP BY 1)
           SELECT string_agg(g || ': ' || (SELECT array_agg(m ORDER BY m.period_start)::text
                                           FROM mrr_movements(kept.book, 'month') m), E'\n' ORDER BY g) FROM kept),
          (SELECT answers FROM br_expected_answers), 'books kept by a materialized CTE');
CREATE TEMP TABLE br_books AS
SELECT customer_id % 5 AS g, subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book FROM br_rows GROUP BY 1;
SELECT is((SELECT string_agg(g || ': ' || (SELECT array_agg(m ORDER BY m.period_start)::text
                                           FROM mrr_movements(br_books.book, 'month') m), E'\n' ORDER BY g) FROM br_books),
          (SELECT answers FROM br_expected_answers), 'books stored in a table');

-- every reader of a book reads the aggregate's result in its parts (here,
-- spilled runs) as it reads the same book stored, in its flat form
CREATE FUNCTION pg_temp.every_reader(book subscription_book) RETURNS text LANGUAGE sql AS $$
    SELECT concat_ws(E'\n',
        (SELECT md5(array_agg(m ORDER BY m.period_start)::text) FROM mrr_movements(book, 'quarter') m),
        (SELECT md5(array_agg(c ORDER BY c.cohort_start, c.age)::text) FROM cohort_retention(book, 'month') c),
        (SELECT md5(array_agg(m ORDER BY m.customer_id, m.period_start, m.movement)::text)
         FROM customer_movements(book, 'month', changes => 'all') m),
        (SELECT md5(array_agg(a ORDER BY a.customer_id)::text) FROM customers_at(book, '2023-06-30') a),
        (SELECT md5(customer_survival(book, 'month')::text)),
        (SELECT md5(array_agg(c ORDER BY c.cohort_start, c.age)::text) FROM cohort_conversion(book, 'quarter') c),
        (SELECT md5(array_agg(c ORDER BY c.cohort_start)::text) FROM conversion_curves(book, 'quarter') c))
$$;
SET saas_metrics.max_memory = '64kB';
SELECT is((SELECT string_agg(g || ': ' || pg_temp.every_reader(b.book), E'\n' ORDER BY g)
           FROM (SELECT customer_id % 5 AS g, subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book
                 FROM br_rows GROUP BY 1) b),
          (SELECT string_agg(g || ': ' || pg_temp.every_reader(book), E'\n' ORDER BY g) FROM br_books),
          'every reader of each spilled result = of the stored book');
RESET saas_metrics.max_memory;

-- a window aggregate's book changes row by row: each row's value is its own
SELECT is((SELECT array_agg(md5(b::text) ORDER BY i)
           FROM (SELECT i, subscription_book_agg(i % 7, date '2024-01-01' + i * 9, NULL, i::numeric) OVER (ORDER BY i) AS b
                 FROM generate_series(1, 40) i) w WHERE i IN (10, 20, 40)),
          (SELECT array_agg(md5((SELECT subscription_book_agg(j % 7, date '2024-01-01' + j * 9, NULL, j::numeric)
                                 FROM generate_series(1, n) j)::text) ORDER BY n)
           FROM unnest(ARRAY[10, 20, 40]) n),
          'a running window''s book at rows 10, 20 and 40 = the books of the rows up to each');

-- called outside an aggregate, the final function returns its argument
SELECT is(md5(subscription_book_result(book)::text), md5(book::text), 'subscription_book_result(book) = book')
FROM br_books WHERE g = 0;

SELECT * FROM finish();
ROLLBACK;
