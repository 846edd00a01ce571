-- pgTAP: engagement, logistic_fit and classifier_report under parallel
-- query.  Each is computed with a serial plan and with a forced parallel
-- plan (Partial Aggregate in the workers, the states flattened, sent to the
-- leader and merged by the combine function), with and without the leader
-- taking part.  All three must be identical to every digit: the logistic
-- fit sorts its rows before it sums them, so the workers' blocks of rows,
-- merged in whatever order, give the serial fit.
--
-- Each result is stored by EXPLAIN ANALYZE CREATE TEMP TABLE ... AS, whose
-- plan shows the workers that computed it: a query inside a call of a
-- pgTAP function (is((SELECT agg(...) ...), ...)) would never run in
-- parallel, pgTAP's functions being parallel unsafe.
BEGIN;
SET client_min_messages = warning;
SET TimeZone = 'UTC';
\i test/reference/book.sql
\i test/reference/engagement.sql
SELECT plan(22);

CALL ref.make_events('par_events', 1500, 11);
-- 5 features on different scales and an outcome drawn from a logistic model
CREATE TABLE par_rows AS
SELECT i, x1, x2, x3, x4, ref.unit(i, 9, 21) < 1 / (1 + exp(-(-1 + 0.8 * x1 - 0.5 * x2 + 0.3 * x3 / 1000 + 1.5 * x4))) AS y
FROM (SELECT i, sqrt(-2 * ln(ref.unit(i, 1, 21))) * cos(2 * pi() * ref.unit(i, 2, 21)) AS x1,
             exp(ref.unit(i, 3, 21)) AS x2, 1000 * ref.unit(i, 4, 21) AS x3,
             (ref.unit(i, 5, 21) < 0.3)::int::float8 AS x4
      FROM generate_series(1, 200000) AS i) AS g;
ANALYZE par_rows;

\ir lib/plan_of.sql

CREATE TEMP VIEW q AS VALUES
  ('engagement', 'eng', $$SELECT customer_id, engagement(occurred_at, feature, quantity, timestamptz '2026-03-31', '28 days')::text AS e FROM par_events GROUP BY customer_id$$),
  ('engagement, one group', 'one', $$SELECT engagement(occurred_at, feature, quantity, timestamptz '2026-03-31', '1 year')::text AS e FROM par_events$$),
  ('logistic_fit', 'fit', $$SELECT logistic_fit(y, ARRAY[x1, x2, x3, x4])::text AS m FROM par_rows$$),
  ('classifier_report', 'report', $$SELECT classifier_report(round(x2::numeric, 3)::float8, y)::text AS r FROM par_rows$$);

-- runs query into the temporary table tbl, the leader taking part in a
-- parallel plan or not; returns the plan it ran with
CREATE FUNCTION pg_temp.run_into(tbl text, query text, leader_participates boolean DEFAULT true) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('parallel_leader_participation', leader_participates::text, true);
    RETURN pg_temp.plan_of(format('CREATE TEMP TABLE %I AS %s', tbl, query), 'ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF');
END
$$;
-- with the leader not taking part, every row goes through a worker and the combine function
CREATE TEMP VIEW parallel_modes AS
VALUES ('p_', 'parallel', true), ('w_', 'parallel, leader not participating', false);

-- serial
SET LOCAL max_parallel_workers_per_gather = 0;
SELECT doesnt_match(pg_temp.run_into('s_' || key, query), 'Gather', format('serial: %s has no Gather', name))
FROM q AS v(name, key, query) ORDER BY name;
SELECT ok((m::logistic_model).converged AND (m::logistic_model).rows = 200000, 'serial: the fit converged on 200,000 rows')
FROM s_fit;

-- forced parallel
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
SELECT matches(pg_temp.run_into(m.prefix || v.key, v.query, m.leader),
               'Gather.*Workers Launched: [1-9].*Partial (Hash|Group)?Aggregate.*Parallel Seq Scan',
               format('%s: %s ran with a Partial Aggregate in workers under Gather', m.label, v.name))
FROM parallel_modes AS m(prefix, label, leader), q AS v(name, key, query) ORDER BY m.prefix, v.name;
SELECT set_eq(format('SELECT * FROM %I', m.prefix || v.key), format('SELECT * FROM %I', 's_' || v.key),
              format('%s: %s = serial, every digit', m.label, v.name))
FROM parallel_modes AS m(prefix, label, leader), q AS v(name, key, query) ORDER BY m.prefix, v.name;
SET LOCAL parallel_leader_participation = off;
SELECT throws_ok($$SELECT logistic_fit(y, CASE WHEN i = 150000 THEN ARRAY[x1] ELSE ARRAY[x1, x2] END) FROM par_rows$$,
                 '2202E', 'every row must have the same number of features',
                 'parallel: a row of another width in one worker is caught (in the worker or when merging)');
SET LOCAL parallel_leader_participation = on;

DROP TABLE par_events, par_rows;
SELECT * FROM finish();
ROLLBACK;
