-- pgTAP: kaplan_meier and rollup(survival_curve) under parallel query.
-- 1,000,000 deterministic subjects (durations in tenths of a day, so with
-- many ties, a third of them censored) are aggregated with a serial plan and
-- with a forced parallel plan (Partial Aggregate in the workers, the
-- combine function in Finalize Aggregate), and both must equal the curve
-- counted independently by plain SQL; per-segment curves rolled up must
-- equal the curve of the union.
BEGIN;
SELECT plan(23);

-- a regular table: temporary tables are never scanned in parallel
CREATE TABLE survival_parallel_subjects AS
SELECT i, i % 4 AS segment,
       ((hashint4(i) & 2147483647) % 36500) / 10.0::float8 AS duration,
       (hashint4(-i) & 2147483647) % 3 <> 0 AS observed
FROM generate_series(1, 1000000) AS i;
ANALYZE survival_parallel_subjects;

-- the expected curves, counted by plain SQL in the text form of survival_curve
CREATE TEMP TABLE expected AS
SELECT segment, '{' || string_agg(format('(%s,%s,%s)', duration, e, c), ',' ORDER BY duration) || '}' AS curve
FROM (SELECT segment, duration, count(*) FILTER (WHERE observed) AS e, count(*) FILTER (WHERE NOT observed) AS c
      FROM survival_parallel_subjects GROUP BY GROUPING SETS ((segment, duration), (duration))) AS counts
GROUP BY segment;

\ir lib/plan_of.sql

SELECT is(count(*), 1000000::bigint, 'the table holds 1,000,000 subjects') FROM survival_parallel_subjects;
SELECT is(count(DISTINCT duration), 36500::bigint, '36,500 distinct durations: many ties') FROM survival_parallel_subjects;
SELECT ok(count(*) FILTER (WHERE NOT observed) BETWEEN 300000 AND 370000, 'about a third censored')
  FROM survival_parallel_subjects;

-- serial ---------------------------------------------------------------------------

SET LOCAL max_parallel_workers_per_gather = 0;
SELECT doesnt_match(pg_temp.plan_of('SELECT kaplan_meier(duration, observed) FROM survival_parallel_subjects'), 'Gather',
                    'serial: the plan has no Gather');
SELECT is(kaplan_meier(duration, observed)::text, (SELECT curve FROM expected WHERE segment IS NULL),
          'serial: kaplan_meier = plain counts') FROM survival_parallel_subjects;
SELECT set_eq('SELECT segment, kaplan_meier(duration, observed)::text FROM survival_parallel_subjects GROUP BY segment',
              'SELECT segment, curve FROM expected WHERE segment IS NOT NULL', 'serial: GROUP BY segment = plain counts');
CREATE TEMP TABLE serial_readers AS
SELECT median_survival(c) AS median, median_survival_ci(c) AS median_ci, restricted_mean_survival_ci(c, 1000) AS rmean,
       survival_ci(c, 1234.5) AS s
FROM (SELECT kaplan_meier(duration, observed) AS c FROM survival_parallel_subjects) AS k;

-- forced parallel --------------------------------------------------------------------

SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;

SELECT matches(pg_temp.plan_of('SELECT kaplan_meier(duration, observed) FROM survival_parallel_subjects'),
               'Finalize Aggregate.*Gather.*Partial Aggregate.*Parallel Seq Scan',
               'parallel: Finalize Aggregate over Gather over Partial Aggregate');
SELECT matches(pg_temp.plan_of('SELECT kaplan_meier(duration, observed) FROM survival_parallel_subjects',
                               'ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF'),
               'Workers Launched: [1-9]', 'parallel: the workers really run');
SELECT is(kaplan_meier(duration, observed)::text, (SELECT curve FROM expected WHERE segment IS NULL),
          'parallel: kaplan_meier = plain counts') FROM survival_parallel_subjects;
SELECT is(m.median || ' ' || m.median_ci::text || ' ' || m.rmean::text || ' ' || m.s::text,
          s.median || ' ' || s.median_ci::text || ' ' || s.rmean::text || ' ' || s.s::text,
          'parallel: the readers of the curve = serial, to the last bit')
  FROM serial_readers AS s,
       (SELECT median_survival(c) AS median, median_survival_ci(c) AS median_ci, restricted_mean_survival_ci(c, 1000) AS rmean,
               survival_ci(c, 1234.5) AS s
        FROM (SELECT kaplan_meier(duration, observed) AS c FROM survival_parallel_subjects) AS k) AS m;
SELECT matches(pg_temp.plan_of('SELECT segment, kaplan_meier(duration, observed) FROM survival_parallel_subjects GROUP BY segment'),
               'Gather.*Partial (Hash|Group)?Aggregate', 'parallel GROUP BY: a partial aggregate under Gather');
SELECT set_eq('SELECT segment, kaplan_meier(duration, observed)::text FROM survival_parallel_subjects GROUP BY segment',
              'SELECT segment, curve FROM expected WHERE segment IS NOT NULL', 'parallel: GROUP BY segment = plain counts');
SELECT is(rollup(c)::text, (SELECT curve FROM expected WHERE segment IS NULL),
          'parallel: rollup of the per-segment curves = the curve of the union')
  FROM (SELECT segment, kaplan_meier(duration, observed) AS c FROM survival_parallel_subjects GROUP BY segment) AS g;

-- the leader aggregates nothing itself: every row goes through a worker and
-- the combine function
SET LOCAL parallel_leader_participation = off;
SELECT matches(pg_temp.plan_of('SELECT kaplan_meier(duration, observed) FROM survival_parallel_subjects',
                               'ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF'),
               'Workers Launched: [1-9]', 'parallel, leader not participating: the workers run');
SELECT is(kaplan_meier(duration, observed)::text, (SELECT curve FROM expected WHERE segment IS NULL),
          'parallel, leader not participating: kaplan_meier = plain counts') FROM survival_parallel_subjects;
SELECT set_eq('SELECT segment, kaplan_meier(duration, observed)::text FROM survival_parallel_subjects GROUP BY segment',
              'SELECT segment, curve FROM expected WHERE segment IS NOT NULL',
              'parallel, leader not participating: GROUP BY segment = plain counts');
-- with the leader out, a bad row in a worker is reported as the same error
SELECT throws_ok($$SELECT kaplan_meier(CASE WHEN i = 700000 THEN -1 ELSE duration END, observed) FROM survival_parallel_subjects$$,
                 '22023', 'duration must be a finite number not below 0', 'parallel: a negative duration in a worker raises 22023');
SELECT throws_ok($$SELECT kaplan_meier(duration, CASE WHEN i = 700000 THEN NULL ELSE observed END) FROM survival_parallel_subjects$$,
                 '22004', 'kaplan_meier does not accept NULL observed flags', 'parallel: a NULL observed flag in a worker raises 22004');
SET LOCAL parallel_leader_participation = on;

-- rollup(survival_curve) in parallel over stored curves ---------------------------

-- row i holds one point: (i % 100, 1 event, i % 3 censored); 300,000 rows
CREATE TABLE survival_parallel_curves AS
SELECT i, i % 2 AS g, format('{(%s,1,%s)}', i % 100, i % 3)::survival_curve AS c
FROM generate_series(1, 300000) AS i;
ANALYZE survival_parallel_curves;
CREATE TEMP TABLE expected_rollup AS
SELECT g, '{' || string_agg(format('(%s,%s,%s)', t, e, c), ',' ORDER BY t) || '}' AS curve
FROM (SELECT g, i % 100 AS t, count(*) AS e, sum(i % 3) AS c FROM survival_parallel_curves
      GROUP BY GROUPING SETS ((g, i % 100), (i % 100))) AS counts
GROUP BY g;

SELECT matches(pg_temp.plan_of('SELECT rollup(c) FROM survival_parallel_curves'),
               'Finalize Aggregate.*Gather.*Partial Aggregate', 'parallel rollup: a partial aggregate under Gather');
SELECT is(rollup(c)::text, (SELECT curve FROM expected_rollup WHERE g IS NULL), 'parallel rollup = plain sums')
  FROM survival_parallel_curves;
SELECT set_eq('SELECT g, rollup(c)::text FROM survival_parallel_curves GROUP BY g',
              'SELECT g, curve FROM expected_rollup WHERE g IS NOT NULL', 'parallel rollup GROUP BY g = plain sums');
-- 300,000 rows: 3,000 per time; the censored of time t: i % 3 over i = t, t + 100, ...
-- cycles through 0, 1, 2, so 1,000 of each: 3,000 censored per time
SELECT is(subjects(rollup(c)) || ' ' || events(rollup(c)) || ' ' || censored(rollup(c)), '600000 300000 300000',
          'parallel rollup: 300,000 events and 300,000 censored (by hand)') FROM survival_parallel_curves;

SET LOCAL max_parallel_workers_per_gather = 0;
SELECT is(rollup(c)::text, (SELECT curve FROM expected_rollup WHERE g IS NULL), 'serial rollup = plain sums')
  FROM survival_parallel_curves;

SELECT * FROM finish();
ROLLBACK;
