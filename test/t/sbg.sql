-- The sBG model.  Expected values:
--  * the published estimates of Fader and Hardie (2007), Table 1 data,
--    "Regular" and "High End" cohorts, years 0-7: alpha 0.704, beta 1.182 and
--    alpha 0.668, beta 3.806;
--  * an independent fit in Python (float64 coordinate-wise golden-section
--    search on log alpha, log beta, 300 rounds) and the log-likelihood at
--    the optimum in 50-digit decimal arithmetic: Regular 0.70407735,
--    1.18204311, LL -1680.2651884632873; High End 0.66808849, 3.80609591,
--    LL -1611.1581473911573;
--  * projections in 50-digit decimal arithmetic (Python decimal): products
--    of r(j) for S(t), S(t-1) alpha / (alpha + beta + t - 1) for P(t), and the
--    2F1 series summed until a term is below 1e-40 for DERL.
BEGIN;
SELECT plan(60);

CREATE FUNCTION pg_temp.close(x float8, expected float8, tolerance float8 DEFAULT 1e-12)
RETURNS boolean LANGUAGE sql AS $$ SELECT abs(x - expected) <= tolerance * greatest(1, abs(expected)) $$;

-- published estimates
SELECT is(round((sbg_fit(ARRAY[1000, 631, 468, 382, 326, 289, 262, 241])).alpha::numeric, 3), 0.704, 'Regular: alpha as published');
SELECT is(round((sbg_fit(ARRAY[1000, 631, 468, 382, 326, 289, 262, 241])).beta::numeric, 3), 1.182, 'Regular: beta as published');
SELECT is(round((sbg_fit(ARRAY[1000, 869, 743, 653, 593, 551, 517, 491])).alpha::numeric, 3), 0.668, 'High End: alpha as published');
SELECT is(round((sbg_fit(ARRAY[1000, 869, 743, 653, 593, 551, 517, 491])).beta::numeric, 3), 3.806, 'High End: beta as published');
SELECT ok(pg_temp.close((sbg_fit(ARRAY[1000, 631, 468, 382, 326, 289, 262, 241])).alpha, 0.70407735, 1e-5)
      AND pg_temp.close((sbg_fit(ARRAY[1000, 631, 468, 382, 326, 289, 262, 241])).beta, 1.18204311, 1e-5),
          'Regular: the independent fit');
SELECT ok(pg_temp.close((sbg_fit(ARRAY[1000, 631, 468, 382, 326, 289, 262, 241])).log_likelihood, -1680.2651884632873, 1e-10),
          'Regular: the maximum log-likelihood');
SELECT ok(pg_temp.close((sbg_fit(ARRAY[1000, 869, 743, 653, 593, 551, 517, 491])).log_likelihood, -1611.1581473911573, 1e-10),
          'High End: the maximum log-likelihood');
SELECT is((sbg_fit(ARRAY[1000, 631, 468, 382, 326, 289, 262, 241])).periods, 7, 'periods fitted');
SELECT ok((sbg_fit(ARRAY[1000, 631, 468, 382, 326, 289, 262, 241])).converged, 'converged');

-- the aggregate: rows in any order, per cohort, in parallel
SELECT is((SELECT sbg_fit(age, n) FROM (VALUES (3, 382), (7, 241), (0, 1000), (1, 631), (5, 289), (2, 468), (4, 326), (6, 262)) v(age, n)),
          sbg_fit(ARRAY[1000, 631, 468, 382, 326, 289, 262, 241]), 'aggregate over shuffled rows = array form');
SELECT is((SELECT sbg_fit(age, n) FROM (VALUES (12, 1000), (13, 631), (14, 468)) v(age, n)),
          sbg_fit(ARRAY[1000, 631, 468]), 'the smallest age is the start');
CREATE TABLE sbg_cohorts AS
SELECT c AS cohort, t AS age,
       round(10000 * exp(coalesce((SELECT sum(ln((2.0 + (c % 7) + j - 1) / (1.0 + (c % 5) * 0.5 + 2.0 + (c % 7) + j - 1)))
                                   FROM generate_series(1, t) j), 0)))::bigint AS active
FROM generate_series(1, 3000) c, generate_series(0, 9) t;
ANALYZE sbg_cohorts;
CREATE TEMP TABLE sbg_serial AS SELECT cohort, sbg_fit(age, active) AS model FROM sbg_cohorts GROUP BY cohort;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2; SET enable_hashagg = off;
SELECT is((SELECT count(*) FROM (SELECT cohort, sbg_fit(age, active) AS model FROM sbg_cohorts GROUP BY cohort) p
           JOIN sbg_serial s USING (cohort) WHERE p.model = s.model), 3000::bigint, 'parallel fits = serial fits');
SELECT is((SELECT sbg_fit(age, active) FROM sbg_cohorts WHERE cohort = 7),
          (SELECT model FROM sbg_serial WHERE cohort = 7), 'one cohort');
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather; RESET enable_hashagg;

-- parameter recovery: survivors simulated from known alpha and beta
-- (expected counts of a cohort of a million, S(t) as a product of r(j))
SELECT ok(pg_temp.close(m.alpha, 0.5, 0.01) AND pg_temp.close(m.beta, 2.0, 0.01) AND m.converged, 'recovers alpha 0.5, beta 2')
FROM sbg_fit((SELECT array_agg(round(1e6 * exp(coalesce((SELECT sum(ln((2.0 + j - 1) / (2.5 + j - 1))) FROM generate_series(1, t) j), 0)))::bigint ORDER BY t)
              FROM generate_series(0, 12) t)) AS m;
SELECT ok(pg_temp.close(m.alpha, 2.0, 0.01) AND pg_temp.close(m.beta, 6.0, 0.01) AND m.converged, 'recovers alpha 2, beta 6')
FROM sbg_fit((SELECT array_agg(round(1e6 * exp(coalesce((SELECT sum(ln((6.0 + j - 1) / (8.0 + j - 1))) FROM generate_series(1, t) j), 0)))::bigint ORDER BY t)
              FROM generate_series(0, 12) t)) AS m;
SELECT ok(pg_temp.close(m.alpha, 40.0, 0.05) AND pg_temp.close(m.beta, 160.0, 0.05) AND m.converged, 'recovers a nearly homogeneous cohort (alpha 40, beta 160)')
FROM sbg_fit((SELECT array_agg(round(1e7 * exp(coalesce((SELECT sum(ln((160.0 + j - 1) / (200.0 + j - 1))) FROM generate_series(1, t) j), 0)))::bigint ORDER BY t)
              FROM generate_series(0, 24) t)) AS m;

-- no estimate exists: reported, not made up
SELECT ok(NOT (sbg_fit(ARRAY[100, 100, 100])).converged, 'nobody churns: not converged');
SELECT ok(NOT (sbg_fit(ARRAY[100, 0, 0])).converged, 'everybody churns at once: not converged');
SELECT ok(NOT (sbg_fit(ARRAY[100, 40, 40, 40])).converged, 'churn only in the first period: not converged');

-- projections at alpha 0.704, beta 1.182
SELECT ok(pg_temp.close(sbg_retention_rate(0.704, 1.182, 1), 0.62672322375397667), 'r(1)');
SELECT ok(pg_temp.close(sbg_retention_rate(0.704, 1.182, 2), 0.75606375606375606), 'r(2)');
SELECT ok(pg_temp.close(sbg_retention_rate(0.704, 1.182, 12), 0.94536706503181748), 'r(12)');
SELECT is(sbg_survival(0.704, 1.182, 0), 1::float8, 'S(0) = 1');
SELECT ok(pg_temp.close(sbg_survival(0.704, 1.182, 5), 0.29237437296433336), 'S(5)');
SELECT ok(pg_temp.close(sbg_survival(0.704, 1.182, 12), 0.17006257680605060), 'S(12)');
SELECT ok(pg_temp.close(sbg_churn_probability(0.704, 1.182, 1), 0.37327677624602333), 'P(1)');
SELECT ok(pg_temp.close(sbg_churn_probability(0.704, 1.182, 2), 0.15288050919015924), 'P(2)');
SELECT ok(pg_temp.close(sbg_churn_probability(0.704, 1.182, 5), 0.039720486022171109), 'P(5)');
SELECT is(sbg_expected_lifetime(0.704, 1.182), 'Infinity'::float8, 'alpha <= 1: infinite expected lifetime');
SELECT ok(pg_temp.close(sbg_expected_lifetime(3, 5), 3.5), 'E[T] = (3 + 5 - 1) / (3 - 1); a 3000-term sum of S(t) gives 3.49999');
SELECT ok(pg_temp.close(sbg_derl(0.704, 1.182, 0.1), 2.9646621461320315), 'DERL, d = 0.1, first payment');
SELECT ok(pg_temp.close(sbg_derl(0.704, 1.182, 0.1, 5), 5.8944228598441600), 'DERL after 5 payments: loyal customers are worth more');
SELECT ok(pg_temp.close(sbg_derl(3, 5, 0.05), 2.0539093467580163) AND pg_temp.close(sbg_derl(3, 5, 0.05, 3), 2.7308941315217110),
          'DERL at alpha 3, beta 5, d = 0.05');
SELECT is(sbg_derl(3, 5, 0), 2.5::float8, 'd = 0: (beta + n - 1) / (alpha - 1)');
SELECT is(sbg_derl(0.704, 1.182, 0), 'Infinity'::float8, 'd = 0 and alpha <= 1: infinite');
SELECT is(clv_sbg(100, 0.704, 1.182, 0.1), 296.466214613203, 'clv_sbg = margin * DERL (DERL to 15 digits)');
SELECT is(clv_sbg(0, 0.704, 1.182, 0), 0::numeric, 'zero margin is worth 0 even when DERL is infinite');
-- homogeneous limit: theta = 0.2 for everyone; DERL -> (1 - theta)(1 + d)/(d + theta) = 2.9333...,
-- and the current payment plus the future ones discounted one period less is clv_from_churn
SELECT ok(pg_temp.close(sbg_derl(2e7, 8e7, 0.1), 0.8 * 1.1 / 0.3, 1e-6), 'homogeneous limit of DERL');
SELECT ok(abs(100 + clv_sbg(100, 2e7, 8e7, 0.1) / 1.1 - clv_from_churn(100, 0.2, 1, 0.1)) < 1e-3, 'homogeneous limit = clv_from_churn');
SELECT is((SELECT sbg_retention_rate(m, 3) = sbg_retention_rate(m.alpha, m.beta, 3) AND sbg_survival(m, 3) = sbg_survival(m.alpha, m.beta, 3)
                  AND sbg_churn_probability(m, 3) = sbg_churn_probability(m.alpha, m.beta, 3)
                  AND sbg_expected_lifetime(m) = sbg_expected_lifetime(m.alpha, m.beta)
                  AND sbg_derl(m, 0.1) = sbg_derl(m.alpha, m.beta, 0.1) AND clv_sbg(10, m, 0.1) = clv_sbg(10, m.alpha, m.beta, 0.1)
           FROM sbg_fit(ARRAY[1000, 631, 468, 382]) m), true, 'projections of an sbg_model');
SELECT is('{0:1000,1:631, 2:468}'::sbg_counts::text, '{0:1000,1:631,2:468}', 'sbg_counts text round trip');

-- bad input
SELECT throws_ok($$SELECT sbg_fit('{}'::bigint[])$$, '22023', NULL, 'empty array');
SELECT throws_ok($$SELECT sbg_fit(ARRAY[1000])$$, '22023', NULL, 'one element');
SELECT throws_ok($$SELECT sbg_fit(ARRAY[1000, NULL, 400])$$, '22004', NULL, 'NULL survivors');
SELECT throws_ok($$SELECT sbg_fit(ARRAY[1000, 600, 700])$$, '22023', 'survivors must not increase with age', 'growing survivors');
SELECT throws_ok($$SELECT sbg_fit(ARRAY[1000, -1])$$, '22023', NULL, 'negative survivors');
SELECT throws_ok($$SELECT sbg_fit(ARRAY[0, 0])$$, '22023', NULL, 'empty cohort');
SELECT throws_ok($$SELECT sbg_fit(age, n) FROM (VALUES (0, 10), (2, 5)) v(age, n)$$, '22023', 'ages must be consecutive', 'gap in ages');
SELECT throws_ok($$SELECT sbg_fit(age, n) FROM (VALUES (0, 10), (1, 5), (1, 5)) v(age, n)$$, '22023', 'age 1 is given more than once', 'duplicate age');
SELECT throws_ok($$SELECT sbg_fit(age, n) FROM (VALUES (0, 10), (NULL, 5)) v(age, n)$$, '22004', NULL, 'NULL age');
SELECT throws_ok($$SELECT sbg_retention_rate(0, 1, 1)$$, '22023', NULL, 'alpha = 0');
SELECT throws_ok($$SELECT sbg_survival(1, 'NaN', 1)$$, '22023', NULL, 'beta NaN');
SELECT throws_ok($$SELECT sbg_churn_probability(1, 1, 0)$$, '22023', NULL, 'period 0 has no churn');
SELECT throws_ok($$SELECT sbg_derl(1, 1, -1)$$, '22023', NULL, 'discount -1');
SELECT throws_ok($$SELECT sbg_derl(1, 1, 0.1, 0)$$, '22023', NULL, 'no payment made');
SELECT throws_ok($$SELECT clv_sbg(-5, 1, 1, 0.1)$$, '22023', NULL, 'negative margin');
SELECT throws_ok($$SELECT 'nonsense'::sbg_counts$$, '22P02', NULL, 'sbg_counts syntax');
SELECT throws_ok($$SELECT sbg_fit(ARRAY[[1000, 600], [500, 400]]::bigint[])$$, '2202E', NULL, 'two-dimensional array');
SELECT throws_ok($$SELECT sbg_derl(1, 1, 'NaN')$$, '22023', NULL, 'discount NaN');
SELECT is(clv_sbg(100, 0.704, 1.182, 0), 'Infinity'::numeric, 'infinite DERL and a positive margin: Infinity');

SELECT * FROM finish();
ROLLBACK;
