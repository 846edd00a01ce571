-- A partial aggregate in a plan without workers hands its books on too
-- (src/book_spill.c): rescanned, it hands the same runs on again, which the
-- combine function must still find (the file set's sweep deletes them, not
-- the combine function).
BEGIN;
SET client_min_messages = warning;
\i test/t/lib/plan_of.sql
SELECT plan(3);

-- A partial aggregate in a serial plan (partitionwise aggregation) hands its
-- large books on as runs in files.  A hashed partial aggregate that is
-- rescanned without a changed parameter emits the same states again; the
-- second time, the combine function must still be able to read them.
CREATE TABLE hr_parted (customer_id bigint, started_at date, ended_at date, mrr numeric, p int, g int)
    PARTITION BY LIST (p);
CREATE TABLE hr_parted0 PARTITION OF hr_parted FOR VALUES IN (0);
CREATE TABLE hr_parted1 PARTITION OF hr_parted FOR VALUES IN (1);
INSERT INTO hr_parted
SELECT i % 50000, date '2021-01-01' + (i * 7 % 1500), NULL, (i % 97) + 0.5, i % 2, (i / 2) % 2
FROM generate_series(1, 400000) AS i;
ANALYZE hr_parted;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE hr_expected AS
SELECT g, mrr_movements(customer_id, started_at, ended_at, mrr)::text AS answer FROM hr_parted GROUP BY g;
SET enable_partitionwise_aggregate = on;
SET enable_material = off;
SELECT matches(pg_temp.plan_of($$SELECT x, s.g FROM generate_series(1, 2) x CROSS JOIN LATERAL
    (SELECT g, mrr_movements(customer_id, started_at, ended_at, mrr) AS m FROM hr_parted GROUP BY g OFFSET x - x) s$$),
    'Nested Loop.*Finalize GroupAggregate.*Partial HashAggregate', 'the plan rescans a hashed partial aggregate');
SELECT lives_ok($$SELECT x, s.g, cardinality(s.m) FROM generate_series(1, 2) x CROSS JOIN LATERAL
    (SELECT g, mrr_movements(customer_id, started_at, ended_at, mrr) AS m FROM hr_parted GROUP BY g OFFSET x - x) s$$,
    'a rescanned hashed partial aggregate that handed its books on can be read again');
-- (an error is the answer here, so that the test fails rather than aborts)
CREATE FUNCTION pg_temp.rescanned_answers() RETURNS text LANGUAGE plpgsql AS $f$
BEGIN
    RETURN (SELECT string_agg(s.g || ': ' || md5(s.m::text), E'\n' ORDER BY x, s.g)
            FROM generate_series(1, 2) x CROSS JOIN LATERAL
                 (SELECT g, mrr_movements(customer_id, started_at, ended_at, mrr) AS m
                  FROM hr_parted GROUP BY g OFFSET x - x) s);
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ' ' || SQLERRM;
END $f$;
SELECT is(pg_temp.rescanned_answers(),
          (SELECT string_agg(g || ': ' || md5(answer), E'\n' ORDER BY x, g) FROM generate_series(1, 2) x, hr_expected),
          'and gives the answers of the plain plan, each time');
RESET enable_partitionwise_aggregate;
RESET enable_material;

SELECT * FROM finish();
ROLLBACK;
