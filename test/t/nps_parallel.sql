-- pgTAP: the NPS aggregates under parallel query.  1,200,000 deterministic
-- scores (about 1 % NULL) are aggregated with a serial plan and with a forced
-- parallel plan (Partial Aggregate in the workers, the combine function in
-- Finalize Aggregate), and both must equal the value computed independently
-- from plain counts.
BEGIN;
SELECT plan(30);

-- a regular table: temporary tables are never scanned in parallel
CREATE TABLE nps_parallel_scores AS
SELECT i, i % 5 AS grp,
       CASE WHEN i % 97 = 0 THEN NULL ELSE (hashint4(i) & 2147483647) % 11 END AS score
FROM generate_series(1, 1200000) AS i;
ANALYZE nps_parallel_scores;

-- the expected counts per group, from plain SQL
CREATE TEMP TABLE expected AS
SELECT grp, count(*) FILTER (WHERE score >= 9) AS p, count(*) FILTER (WHERE score IN (7, 8)) AS n,
       count(*) FILTER (WHERE score <= 6) AS d
FROM nps_parallel_scores GROUP BY grp;
CREATE TEMP VIEW expected_summary AS
SELECT grp, format('promoters=%s passives=%s detractors=%s', p, n, d) AS summary,
       100 * (p - d)::float8 / (p + n + d) AS score
FROM (SELECT grp, p, n, d FROM expected
      UNION ALL
      SELECT NULL, sum(p)::bigint, sum(n)::bigint, sum(d)::bigint FROM expected) AS e;

\ir lib/plan_of.sql

SELECT is(count(*), 1200000::bigint, 'the table holds 1,200,000 rows') FROM nps_parallel_scores;
SELECT is(count(DISTINCT score), 11::bigint, 'every score 0 to 10 occurs') FROM nps_parallel_scores;
SELECT is(count(*) - count(score), 12371::bigint, 'floor(1200000 / 97) = 12371 scores are NULL')
  FROM nps_parallel_scores;
SELECT ok(min(p + n + d) > 200000 AND min(p) > 0 AND min(n) > 0 AND min(d) > 0,
          'every group has many responses of each category') FROM expected;

-- serial ---------------------------------------------------------------------------

SET LOCAL max_parallel_workers_per_gather = 0;
SELECT doesnt_match(pg_temp.plan_of('SELECT nps(score), nps_agg(score) FROM nps_parallel_scores'), 'Gather',
                    'serial: the plan has no Gather');
SELECT is(nps(score), (SELECT score FROM expected_summary WHERE grp IS NULL), 'serial: nps(score) = plain counts')
  FROM nps_parallel_scores;
SELECT is(nps_agg(score)::text, (SELECT summary FROM expected_summary WHERE grp IS NULL),
          'serial: nps_agg(score) = plain counts') FROM nps_parallel_scores;
SELECT set_eq('SELECT grp, nps_agg(score)::text, nps(score) FROM nps_parallel_scores GROUP BY grp',
              'SELECT grp, summary, score FROM expected_summary WHERE grp IS NOT NULL',
              'serial: GROUP BY grp = plain counts');

-- forced parallel --------------------------------------------------------------------

SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;

SELECT matches(pg_temp.plan_of('SELECT nps(score), nps_agg(score) FROM nps_parallel_scores'),
               'Finalize Aggregate.*Gather.*Partial Aggregate.*Parallel Seq Scan',
               'parallel: Finalize Aggregate over Gather over Partial Aggregate');
SELECT matches(pg_temp.plan_of('SELECT nps(score), nps_agg(score) FROM nps_parallel_scores',
                               'ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF'),
               'Workers Launched: [1-9]', 'parallel: the workers really run');
SELECT is(nps(score), (SELECT score FROM expected_summary WHERE grp IS NULL), 'parallel: nps(score) = plain counts')
  FROM nps_parallel_scores;
SELECT is(nps_agg(score)::text, (SELECT summary FROM expected_summary WHERE grp IS NULL),
          'parallel: nps_agg(score) = plain counts') FROM nps_parallel_scores;
SELECT is(nps(nps_agg(score)), nps(score), 'parallel: nps(nps_agg(score)) = nps(score)') FROM nps_parallel_scores;
SELECT is(responses(nps_agg(score)), count(score), 'parallel: responses(nps_agg(score)) = count(score)')
  FROM nps_parallel_scores;

SELECT matches(pg_temp.plan_of('SELECT grp, nps_agg(score), nps(score) FROM nps_parallel_scores GROUP BY grp'),
               'Gather.*Partial (Hash|Group)?Aggregate', 'parallel GROUP BY: a partial aggregate under Gather');
SELECT set_eq('SELECT grp, nps_agg(score)::text, nps(score) FROM nps_parallel_scores GROUP BY grp',
              'SELECT grp, summary, score FROM expected_summary WHERE grp IS NOT NULL',
              'parallel: GROUP BY grp = plain counts');
SELECT is(rollup(s)::text, (SELECT summary FROM expected_summary WHERE grp IS NULL),
          'parallel: rollup of the per-group nps_agg = the whole')
  FROM (SELECT grp, nps_agg(score) AS s FROM nps_parallel_scores GROUP BY grp) AS g;

-- the leader aggregates nothing itself: every row goes through a worker and
-- the combine function
SET LOCAL parallel_leader_participation = off;
SELECT matches(pg_temp.plan_of('SELECT nps_agg(score) FROM nps_parallel_scores',
                               'ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF'),
               'Workers Launched: [1-9]', 'parallel, leader not participating: the workers run');
SELECT is(nps_agg(score)::text, (SELECT summary FROM expected_summary WHERE grp IS NULL),
          'parallel, leader not participating: nps_agg(score) = plain counts') FROM nps_parallel_scores;
SELECT is(nps(score), (SELECT score FROM expected_summary WHERE grp IS NULL),
          'parallel, leader not participating: nps(score) = plain counts') FROM nps_parallel_scores;
SELECT set_eq('SELECT grp, nps_agg(score)::text, nps(score) FROM nps_parallel_scores GROUP BY grp',
              'SELECT grp, summary, score FROM expected_summary WHERE grp IS NOT NULL',
              'parallel, leader not participating: GROUP BY grp = plain counts');
-- with the leader out, a score out of range in a worker is reported as the same error
SELECT throws_ok($$SELECT nps(CASE WHEN i = 1000000 THEN 11 ELSE score END) FROM nps_parallel_scores$$,
                 '22023', 'NPS score must be between 0 and 10', 'parallel: a bad score in a worker raises 22023');
SET LOCAL parallel_leader_participation = on;


-- rollup(nps_summary) in parallel over stored summaries ---------------------------

-- row i holds promoters i % 7, passives i % 5, detractors i % 3
CREATE TABLE nps_parallel_summaries AS
SELECT i, i % 3 AS g, format('promoters=%s passives=%s detractors=%s', i % 7, i % 5, i % 3)::nps_summary AS s
FROM generate_series(1, 300000) AS i;
ANALYZE nps_parallel_summaries;

-- 300000 = 7 * 42857 + 1: 42857 full cycles of 0+1+...+6 = 21 plus i = 300000 (% 7 = 1)
--   promoters = 42857 * 21 + 1 = 899998
-- 300000 = 5 * 60000: passives = 60000 * (0+1+2+3+4) = 600000
-- 300000 = 3 * 100000: detractors = 100000 * (0+1+2) = 300000
SELECT is(sum(i % 7) || ' ' || sum(i % 5) || ' ' || sum(i % 3), '899998 600000 300000',
          'the hand-computed sums of the stored summaries') FROM nps_parallel_summaries;
SELECT matches(pg_temp.plan_of('SELECT rollup(s) FROM nps_parallel_summaries'),
               'Finalize Aggregate.*Gather.*Partial Aggregate', 'parallel rollup: a partial aggregate under Gather');
SELECT is(rollup(s)::text, 'promoters=899998 passives=600000 detractors=300000', 'parallel rollup = the sums')
  FROM nps_parallel_summaries;
-- 100 * (899998 - 300000) / (899998 + 600000 + 300000)
SELECT is(nps(rollup(s)), 100 * 599998::float8 / 1799998, 'parallel: nps(rollup(s)) = 100 * 599998 / 1799998')
  FROM nps_parallel_summaries;
SELECT matches(pg_temp.plan_of('SELECT g, rollup(s) FROM nps_parallel_summaries GROUP BY g'),
               'Gather.*Partial (Hash|Group)?Aggregate', 'parallel rollup GROUP BY: a partial aggregate under Gather');
-- group g = k holds i = 3m + k; its passives and detractors sums by hand:
-- detractors = 100000 * k; passives: i % 5 over 100000 values cycling all residues = 100000 / 5 * 10 = 200000
SELECT set_eq($$SELECT g, passives(rollup(s)), detractors(rollup(s)) FROM nps_parallel_summaries GROUP BY g$$,
              $$VALUES (0, 200000::bigint, 0::bigint), (1, 200000, 100000), (2, 200000, 200000)$$,
              'parallel rollup GROUP BY g = i % 3: passives and detractors per group');
SELECT set_eq($$SELECT g, rollup(s)::text FROM nps_parallel_summaries GROUP BY g$$,
              $$SELECT g, format('promoters=%s passives=%s detractors=%s', sum(i % 7), sum(i % 5), sum(i % 3))
                FROM nps_parallel_summaries GROUP BY g$$,
              'parallel rollup GROUP BY g = plain sums');

SET LOCAL max_parallel_workers_per_gather = 0;
SELECT is(rollup(s)::text, 'promoters=899998 passives=600000 detractors=300000', 'serial rollup = the sums')
  FROM nps_parallel_summaries;

SELECT * FROM finish();
ROLLBACK;
