-- pgTAP: engagement, logistic_fit and classifier_report under parallel
-- query.  Each is computed with a serial plan and with a forced parallel
-- plan (Partial Aggregate in the workers, the states flattened, sent to the
-- leader and merged by the combine function), with and without the leader
-- taking part.  Engagement and the classifier report must be identical;
-- the logistic fit, whose sums run in another order, within 1e-9.
BEGIN;
SET client_min_messages = warning;
SET TimeZone = 'UTC';
\i test/reference/book.sql
\i test/reference/engagement.sql
SELECT plan(21);

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
  ('engagement', $$SELECT customer_id, engagement(occurred_at, feature, quantity, timestamptz '2026-03-31', '28 days')::text AS e FROM par_events GROUP BY customer_id$$),
  ('engagement, one group', $$SELECT engagement(occurred_at, feature, quantity, timestamptz '2026-03-31', '1 year')::text AS e FROM par_events$$),
  ('logistic_fit', $$SELECT logistic_fit(y, ARRAY[x1, x2, x3, x4]) AS m FROM par_rows$$),
  ('classifier_report', $$SELECT classifier_report(round(x2::numeric, 3)::float8, y)::text AS r FROM par_rows$$);

-- serial
SET LOCAL max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE s_eng AS
SELECT customer_id, engagement(occurred_at, feature, quantity, timestamptz '2026-03-31', '28 days')::text AS e FROM par_events GROUP BY customer_id;
CREATE TEMP TABLE s_one AS
SELECT engagement(occurred_at, feature, quantity, timestamptz '2026-03-31', '1 year')::text AS e FROM par_events;
CREATE TEMP TABLE s_fit AS SELECT logistic_fit(y, ARRAY[x1, x2, x3, x4]) AS m FROM par_rows;
CREATE TEMP TABLE s_report AS SELECT classifier_report(round(x2::numeric, 3)::float8, y)::text AS r FROM par_rows;
SELECT doesnt_match(pg_temp.plan_of(query), 'Gather', format('serial: %s has no Gather', name))
FROM q AS v(name, query) ORDER BY name;
SELECT ok((m).converged AND (m).rows = 200000, 'serial: the fit converged on 200,000 rows') FROM s_fit;

-- forced parallel
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
SELECT matches(pg_temp.plan_of(query), 'Gather.*Partial (Hash|Group)?Aggregate.*Parallel Seq Scan',
               format('parallel: %s has a Partial Aggregate under Gather', name))
FROM q AS v(name, query) ORDER BY name;
SELECT matches(pg_temp.plan_of(query, 'ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF'), 'Workers Launched: [1-9]',
               format('parallel: %s: the workers run', name))
FROM q AS v(name, query) WHERE name IN ('engagement', 'logistic_fit') ORDER BY name;

SELECT set_eq($$SELECT customer_id, engagement(occurred_at, feature, quantity, timestamptz '2026-03-31', '28 days')::text FROM par_events GROUP BY customer_id$$,
              $$SELECT * FROM s_eng$$, 'parallel: engagement GROUP BY customer = serial');
SELECT is((SELECT engagement(occurred_at, feature, quantity, timestamptz '2026-03-31', '1 year')::text FROM par_events),
          (SELECT e FROM s_one), 'parallel: engagement of all events as one group = serial');
CREATE TEMP TABLE p_fit AS SELECT logistic_fit(y, ARRAY[x1, x2, x3, x4]) AS m FROM par_rows;
SELECT ok(bool_and(abs(p - s) <= 1e-9 * abs(s)), 'parallel: logistic_fit coefficients = serial within 1e-9')
FROM p_fit, s_fit, unnest((p_fit.m).coefficients, (s_fit.m).coefficients) AS u(p, s);
SELECT ok(bool_and(abs(p - s) <= 1e-9 * abs(s)), 'parallel: logistic_fit standard errors = serial within 1e-9')
FROM p_fit, s_fit, unnest((p_fit.m).std_errors, (s_fit.m).std_errors) AS u(p, s);
SELECT ok(abs((p_fit.m).log_likelihood - (s_fit.m).log_likelihood) <= 1e-9 * abs((s_fit.m).log_likelihood)
          AND (p_fit.m).rows = (s_fit.m).rows AND (p_fit.m).positives = (s_fit.m).positives,
          'parallel: logistic_fit log-likelihood within 1e-9, rows and positives equal')
FROM p_fit, s_fit;
SELECT is((SELECT classifier_report(round(x2::numeric, 3)::float8, y)::text FROM par_rows), (SELECT r FROM s_report),
          'parallel: classifier_report = serial, every digit');

-- the leader aggregates nothing itself: every row goes through a worker and the combine function
SET LOCAL parallel_leader_participation = off;
SELECT set_eq($$SELECT customer_id, engagement(occurred_at, feature, quantity, timestamptz '2026-03-31', '28 days')::text FROM par_events GROUP BY customer_id$$,
              $$SELECT * FROM s_eng$$, 'parallel, leader not participating: engagement = serial');
SELECT ok(bool_and(abs(p - s) <= 1e-9 * abs(s)), 'parallel, leader not participating: logistic_fit = serial within 1e-9')
FROM (SELECT logistic_fit(y, ARRAY[x1, x2, x3, x4]) AS m FROM par_rows) p_fit, s_fit,
     unnest((p_fit.m).coefficients || (p_fit.m).std_errors, (s_fit.m).coefficients || (s_fit.m).std_errors) AS u(p, s);
SELECT is((SELECT classifier_report(round(x2::numeric, 3)::float8, y)::text FROM par_rows), (SELECT r FROM s_report),
          'parallel, leader not participating: classifier_report = serial');
SELECT throws_ok($$SELECT logistic_fit(y, CASE WHEN i = 150000 THEN ARRAY[x1] ELSE ARRAY[x1, x2] END) FROM par_rows$$,
                 '2202E', 'every row must have the same number of features',
                 'parallel: a row of another width in one worker is caught (in the worker or when merging)');
SET LOCAL parallel_leader_participation = on;

DROP TABLE par_events, par_rows;
SELECT * FROM finish();
ROLLBACK;
