-- pgTAP: the BG/NBD model.  Expected values:
--  * the published estimates on the CDNOW sample (Fader, Hardie and Lee 2005,
--    39-week calibration, 2,357 customers): r = 0.243, alpha = 4.414,
--    a = 0.793, b = 2.426, log-likelihood -9582.4, fitted here from the raw
--    purchase lines through rfm();
--  * test/outside/clv_models.py (values in clv_models_values.sql): an
--    independent scipy fit of the same summary, and the closed forms
--    (log-likelihood, P(alive), expected purchases with mpmath.hyp2f1) in
--    40-digit arithmetic at fixed parameters;
--  * parameter recovery on customers simulated from known parameters
--    (test/helpers/clv_simulate.sql, seeded);
--  * degenerate data, where no estimate exists.
BEGIN;
SELECT plan(68);
SET client_min_messages = warning;
\i test/outside/clv_models_values.sql
\i test/helpers/clv_simulate.sql
RESET client_min_messages;

\i test/helpers/close.sql
CREATE FUNCTION pg_temp.model(r float8, alpha float8, a float8, b float8) RETURNS bgnbd_model
LANGUAGE sql AS $$ SELECT ROW(r, alpha, a, b, NULL, NULL, NULL, NULL)::bgnbd_model $$;

-- CDNOW, from the raw lines (a regular table of summaries: parallel plans scan it)
\i test/helpers/cdnow.sql
CREATE TABLE clv_cdnow_rfm AS
SELECT customer_id, rfm(purchased_on, amount, '1997-09-30', 'week') AS r FROM cdnow GROUP BY customer_id;
ANALYZE clv_cdnow_rfm;
CREATE TEMP TABLE cdnow_fit AS SELECT (bgnbd_fit(r)).* FROM clv_cdnow_rfm;
CREATE TEMP VIEW scipy AS SELECT parameter, value FROM outside_fit WHERE model = 'bgnbd';

SELECT is(round(r::numeric, 3), 0.243, 'CDNOW: r as published') FROM cdnow_fit;
SELECT is(round(alpha::numeric, 3), 4.414, 'CDNOW: alpha as published') FROM cdnow_fit;
SELECT is(round(a::numeric, 3), 0.793, 'CDNOW: a as published') FROM cdnow_fit;
SELECT is(round(b::numeric, 3), 2.426, 'CDNOW: b as published') FROM cdnow_fit;
SELECT is(round(log_likelihood::numeric, 1), -9582.4, 'CDNOW: log-likelihood as published') FROM cdnow_fit;
SELECT is(customers, 2357::bigint, 'CDNOW: 2,357 customers') FROM cdnow_fit;
SELECT ok(converged AND iterations BETWEEN 1 AND 100, 'CDNOW: converged') FROM cdnow_fit;
SELECT ok(pg_temp.close(f.r, (SELECT value FROM scipy WHERE parameter = 'r'), 1e-6)
      AND pg_temp.close(f.alpha, (SELECT value FROM scipy WHERE parameter = 'alpha'), 1e-6)
      AND pg_temp.close(f.a, (SELECT value FROM scipy WHERE parameter = 'a'), 1e-6)
      AND pg_temp.close(f.b, (SELECT value FROM scipy WHERE parameter = 'b'), 1e-6),
          'CDNOW: the scipy fit to 1e-6') FROM cdnow_fit f;
SELECT ok(pg_temp.close(log_likelihood, (SELECT value FROM scipy WHERE parameter = 'log_likelihood'), 1e-12),
          'CDNOW: the scipy maximum log-likelihood to 1e-12') FROM cdnow_fit;
SELECT ok(pg_temp.close((SELECT sum(bgnbd_log_likelihood(pg_temp.model(0.243, 4.414, 0.793, 2.426), r)) FROM clv_cdnow_rfm),
                        (SELECT value FROM scipy WHERE parameter = 'log_likelihood_at_published'), 1e-12),
          'CDNOW: the log-likelihood at the published parameters = the 40-digit sum');
SELECT ok(pg_temp.close((SELECT sum(bgnbd_log_likelihood(f.m, r)) FROM clv_cdnow_rfm), (f.m).log_likelihood, 1e-12),
          'the fit''s log-likelihood = the sum of the customers'' at its parameters')
FROM (SELECT bgnbd_fit(r) AS m FROM clv_cdnow_rfm) f;

-- the closed forms at fixed parameters (6 parameter sets x 9 customers x 5 horizons)
SELECT is(count(*), 270::bigint, 'outside values at fixed parameters') FROM outside_bgnbd;
SELECT is(count(*) FILTER (WHERE NOT pg_temp.close_log(bgnbd_log_likelihood(m, c), o.log_likelihood, 1e-12)), 0::bigint,
          'log-likelihood at fixed parameters = the 40-digit closed form to 1e-12')
FROM outside_bgnbd o, pg_temp.model(o.r, o.alpha, o.a, o.b) m, CAST(ROW(o.frequency, o.recency, o.t, 0) AS rfm) c;
SELECT is(count(*) FILTER (WHERE NOT pg_temp.close(bgnbd_p_alive(m, c), o.p_alive, 1e-12)), 0::bigint,
          'P(alive) at fixed parameters = the 40-digit closed form to 1e-12')
FROM outside_bgnbd o, pg_temp.model(o.r, o.alpha, o.a, o.b) m, CAST(ROW(o.frequency, o.recency, o.t, 0) AS rfm) c;
SELECT is(count(*) FILTER (WHERE NOT pg_temp.close(bgnbd_expected_purchases(m, c, o.horizon), o.expected_purchases, 1e-13)), 0::bigint,
          'conditional expected purchases = mpmath.hyp2f1 of the untransformed formula to 1e-13 (horizons 0.5 to 5000)')
FROM outside_bgnbd o, pg_temp.model(o.r, o.alpha, o.a, o.b) m, CAST(ROW(o.frequency, o.recency, o.t, 0) AS rfm) c;
SELECT is(count(*) FILTER (WHERE NOT pg_temp.close(bgnbd_expected_purchases(pg_temp.model(r, alpha, a, b), t), expected_purchases, 1e-13)),
          0::bigint, 'a new customer''s expected purchases = mpmath to 1e-13, a = 1 and a + b < 1 included')
FROM outside_bgnbd_new;
SELECT ok(EXISTS (SELECT FROM outside_bgnbd_new WHERE a = 1) AND EXISTS (SELECT FROM outside_bgnbd_new WHERE a + b < 1),
          'the outside values include a = 1 (0/0 in the printed formula) and a + b < 1');
SELECT is(bgnbd_p_alive(pg_temp.model(0.243, 4.414, 0.793, 2.426), ROW(0, 0, 38, 0)::rfm), 1::float8,
          'P(alive) without repeat purchases is 1 (dropout follows a repeat purchase)');
SELECT is(bgnbd_expected_purchases(pg_temp.model(0.243, 4.414, 0.793, 2.426), 0), 0::float8, 'E[X(0)] = 0');
SELECT is(bgnbd_expected_purchases(pg_temp.model(0.243, 4.414, 0.793, 2.426), ROW(2, 30, 38, 0)::rfm, 0), 0::float8,
          'E[Y(0) | history] = 0');
SELECT ok(bgnbd_p_alive(pg_temp.model(0.243, 4.414, 0.793, 2.426), ROW(2, 38, 38, 0)::rfm)
          > bgnbd_p_alive(pg_temp.model(0.243, 4.414, 0.793, 2.426), ROW(2, 10, 38, 0)::rfm),
          'a recent last purchase means more likely alive');
-- far beyond the customer's age the series needs too many terms: a clear error
SELECT throws_ok($$SELECT bgnbd_expected_purchases(ROW(0.243, 4.414, 0.793, 2.426, NULL, NULL, NULL, NULL)::bgnbd_model, 1e9)$$,
                 '22003', NULL, 'a horizon of 1e9 weeks: the series is refused, not truncated');

-- parameter recovery from 200,000 simulated customers each (T from 26 to 78
-- periods): the estimates land within 5 % (r, alpha) and 10 % (a, b) of the
-- true values, about three standard errors
CREATE TEMP TABLE recovered AS
SELECT 1 AS k, bgnbd_fit(summary) AS m FROM pg_temp.simulate_bgnbd(0.1, 200000, 0.25, 4.0, 0.8, 2.5, 26, 78)
UNION ALL
SELECT 2, bgnbd_fit(summary) FROM pg_temp.simulate_bgnbd(0.2, 200000, 2.0, 10.0, 1.5, 4.0, 26, 78);
SELECT ok((m).converged AND pg_temp.close((m).r, 0.25, 0.05) AND pg_temp.close((m).alpha, 4.0, 0.05)
          AND pg_temp.close((m).a, 0.8, 0.1) AND pg_temp.close((m).b, 2.5, 0.1),
          'recovers r 0.25, alpha 4, a 0.8, b 2.5') FROM recovered WHERE k = 1;
SELECT ok((m).converged AND pg_temp.close((m).r, 2.0, 0.05) AND pg_temp.close((m).alpha, 10.0, 0.05)
          AND pg_temp.close((m).a, 1.5, 0.1) AND pg_temp.close((m).b, 4.0, 0.1),
          'recovers r 2, alpha 10, a 1.5, b 4') FROM recovered WHERE k = 2;

-- degenerate data: no estimate, and no NaN
CREATE FUNCTION pg_temp.no_estimate(m bgnbd_model) RETURNS boolean LANGUAGE sql AS $$
    SELECT NOT m.converged AND m.r > 0 AND m.alpha > 0 AND m.a > 0 AND m.b > 0
       AND m.r <> 'NaN' AND m.alpha <> 'NaN' AND m.a <> 'NaN' AND m.b <> 'NaN'
       AND m.log_likelihood > '-Infinity' AND m.log_likelihood < 'Infinity' $$;
SELECT ok(pg_temp.no_estimate(bgnbd_fit(ROW(0, 0, t, 0)::rfm)), 'nobody repeats: converged = false')
FROM generate_series(1, 100) t;
SELECT ok(pg_temp.no_estimate(bgnbd_fit(r)), 'everyone buys every day: converged = false')
FROM (SELECT c, rfm(d, 10, '2024-03-31') r
      FROM generate_series(1, 50) c, generate_series(DATE '2024-01-01' + c, '2024-03-31', '1 day') d GROUP BY c) s;
SELECT ok(pg_temp.no_estimate(bgnbd_fit(ROW(3, 10, 20, 5)::rfm)), 'a single customer: converged = false');
SELECT ok(pg_temp.no_estimate(bgnbd_fit(ROW(3, 10, 20, 5)::rfm)), 'identical customers: converged = false')
FROM generate_series(1, 100);
SELECT ok(pg_temp.no_estimate(bgnbd_fit(ROW(0, 0, 0, 0)::rfm)), 'customers observed for no time: converged = false')
FROM generate_series(1, 10);
SELECT ok(bgnbd_fit(r) IS NULL, 'no customers: NULL') FROM clv_cdnow_rfm WHERE false;
SELECT ok(bgnbd_fit(r) IS NULL, 'only NULL summaries: NULL') FROM (VALUES (NULL::rfm), (NULL)) v(r);
SELECT is((SELECT bgnbd_fit(r) FROM clv_cdnow_rfm), (SELECT bgnbd_fit(r) FROM (SELECT r FROM clv_cdnow_rfm UNION ALL SELECT NULL) s),
          'NULL summaries are skipped');

-- the summary of the fit: identical (frequency, recency, t) merged and counted
SELECT is(customers(bgnbd_counts_agg(r)), 2357::bigint, 'bgnbd_counts: 2,357 customers') FROM clv_cdnow_rfm;
SELECT is((SELECT (length(s) - length(replace(s, '):', ''))) / 2 FROM (SELECT bgnbd_counts_agg(r)::text s FROM clv_cdnow_rfm) x),
          (SELECT count(DISTINCT ((r).frequency, (r).recency, (r).t))::integer FROM clv_cdnow_rfm),
          'bgnbd_counts: one entry per distinct (frequency, recency, t)');
SELECT is('{(2,30.5,38.5):3,(0,0,38.5):2, (0,0,38.5):1}'::bgnbd_counts::text, '{(0,0,38.5):3,(2,30.5,38.5):3}',
          'bgnbd_counts: text, entries sorted and merged');
SELECT is(bgnbd_counts_agg(r)::text::bgnbd_counts::text, bgnbd_counts_agg(r)::text, 'bgnbd_counts: text round trip')
FROM clv_cdnow_rfm;
SELECT is(bgnbd_fit(bgnbd_counts_agg(r)), bgnbd_fit(r), 'bgnbd_fit of the summary = bgnbd_fit of the rows') FROM clv_cdnow_rfm;
SELECT is((SELECT rollup(s)::text FROM (SELECT customer_id % 3 g, bgnbd_counts_agg(r) s FROM clv_cdnow_rfm GROUP BY 1) x),
          (SELECT bgnbd_counts_agg(r)::text FROM clv_cdnow_rfm), 'rollup of disjoint thirds = the whole');
SELECT is((SELECT bgnbd_fit(rollup(s)) FROM (SELECT customer_id % 3 g, bgnbd_counts_agg(r) s FROM clv_cdnow_rfm GROUP BY 1) x),
          (SELECT bgnbd_fit(r) FROM clv_cdnow_rfm), 'the fit of the rollup = the fit of the whole');
-- binary send and receive (as Citus and COPY BINARY use them), through a
-- file in the test cluster's private directory
\getenv cluster_dir PGHOST
SELECT :'cluster_dir' || '/clv_counts.bin' AS binary_file \gset
CREATE TEMP TABLE counts_sent AS SELECT bgnbd_counts_agg(r) AS b, gamma_gamma_counts_agg(r) AS g FROM clv_cdnow_rfm;
COPY counts_sent TO STDOUT WITH (FORMAT binary) \g :binary_file
CREATE TEMP TABLE counts_received (LIKE counts_sent);
COPY counts_received FROM :'binary_file' WITH (FORMAT binary);
SELECT is((SELECT b::text || g::text FROM counts_received), (SELECT b::text || g::text FROM counts_sent),
          'bgnbd_counts and gamma_gamma_counts: binary round trip');
SELECT ok((SELECT customers(rollup(s)) FROM (VALUES ('{}'::bgnbd_counts)) v(s)) = 0
          AND (SELECT bgnbd_fit('{}'::bgnbd_counts)) IS NULL, 'an empty bgnbd_counts: no customers, no fit');

-- parallel: partial summaries in the workers, merged in the leader
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
\i test/helpers/plan_of.sql
SELECT matches(pg_temp.plan_of('SELECT bgnbd_fit(r) FROM clv_cdnow_rfm'), 'Finalize Aggregate.*Gather.*Partial Aggregate',
               'parallel: bgnbd_fit as partial aggregates');
SELECT is((SELECT bgnbd_fit(r)::text FROM clv_cdnow_rfm), (SELECT ROW(f.*)::bgnbd_model::text FROM cdnow_fit f),
          'parallel fit = serial fit');
SET LOCAL parallel_leader_participation = off;
SELECT is((SELECT bgnbd_counts_agg(r)::text FROM clv_cdnow_rfm),
          (SELECT bgnbd_counts_agg(r ORDER BY customer_id)::text FROM clv_cdnow_rfm), 'parallel bgnbd_counts_agg = serial');
RESET parallel_leader_participation;
RESET max_parallel_workers_per_gather;

-- bad input, each with its SQLSTATE
SELECT throws_ok($$SELECT bgnbd_fit(ROW(-1, 0, 5, 0)::rfm)$$, '22023', 'invalid rfm summary', 'negative frequency');
SELECT throws_ok($$SELECT bgnbd_fit(ROW(2, 6, 5, 0)::rfm)$$, '22023', 'invalid rfm summary', 'recency after t');
SELECT throws_ok($$SELECT bgnbd_fit(ROW(0, 1, 5, 0)::rfm)$$, '22023', 'invalid rfm summary', 'recency without repeat purchases');
SELECT throws_ok($$SELECT bgnbd_fit(ROW(1, 'NaN', 5, 0)::rfm)$$, '22023', 'invalid rfm summary', 'NaN recency');
SELECT throws_ok($$SELECT bgnbd_fit(ROW(1, 1, 'Infinity', 0)::rfm)$$, '22023', 'invalid rfm summary', 'infinite t');
SELECT throws_ok($$SELECT bgnbd_fit(ROW(NULL, 1, 5, 0)::rfm)$$, '22004', NULL, 'NULL frequency');
SELECT throws_ok($$SELECT bgnbd_p_alive(ROW(0.2, 4, -1, 2, NULL, NULL, NULL, NULL)::bgnbd_model, ROW(1, 1, 5, 0)::rfm)$$,
                 '22023', 'the model''s a must be between 1e-8 and 1e8', 'negative a');
SELECT throws_ok($$SELECT bgnbd_p_alive(ROW(0.2, 'Infinity', 1, 2, NULL, NULL, NULL, NULL)::bgnbd_model, ROW(1, 1, 5, 0)::rfm)$$,
                 '22023', 'the model''s alpha must be between 1e-8 and 1e8', 'infinite alpha');
-- a model written by hand: its parameters in the box the fits search, where
-- the formulas stay finite (beyond, lgamma and a + b overflow, or a + b - 1
-- rounds to -1: NaN)
SELECT throws_ok($$SELECT bgnbd_log_likelihood(ROW(1.7976931348623157e308, 4, 1, 2, NULL, NULL, NULL, NULL)::bgnbd_model, ROW(1, 1, 5, 0)::rfm)$$,
                 '22023', 'the model''s r must be between 1e-8 and 1e8', 'r beyond 1e8');
SELECT throws_ok($$SELECT bgnbd_expected_purchases(ROW(0.2, 4, 1, 5e-324, NULL, NULL, NULL, NULL)::bgnbd_model, 5)$$,
                 '22023', 'the model''s b must be between 1e-8 and 1e8', 'b below 1e-8');
SELECT throws_ok($$SELECT bgnbd_p_alive(ROW(0.2, 4, 'NaN', 2, NULL, NULL, NULL, NULL)::bgnbd_model, ROW(1, 1, 5, 0)::rfm)$$,
                 '22023', 'the model''s a must be between 1e-8 and 1e8', 'NaN a');
SELECT ok(bgnbd_p_alive(ROW(1e8, 1e-8, 1e-8, 1e8, -1, -5, -1, NULL)::bgnbd_model, ROW(2, 1, 5, 0)::rfm) BETWEEN 0 AND 1,
          'the corners of the box are accepted; the fields a fit describes itself with are not read');
SELECT ok((m).r = 1e8 AND (m).a = 1e-8 AND bgnbd_p_alive(m, ROW(3, 10, 20, 5)::rfm) BETWEEN 0 AND 1
          AND bgnbd_expected_purchases(m, 39) >= 0,
          'a fit that ran to the bounds of its box (everyone buys every day) returns them exactly, and can be read')
FROM (SELECT bgnbd_fit(r) m
      FROM (SELECT c, rfm(d, 10, '2024-03-31') r
            FROM generate_series(1, 50) c, generate_series(DATE '2024-01-01' + c, '2024-03-31', '1 day') d GROUP BY c) s) f;
SELECT throws_ok($$SELECT bgnbd_p_alive(ROW(NULL, 4, 1, 2, NULL, NULL, NULL, NULL)::bgnbd_model, ROW(1, 1, 5, 0)::rfm)$$,
                 '22004', NULL, 'a model without r');
SELECT throws_ok($$SELECT bgnbd_expected_purchases(ROW(0.2, 4, 1, 2, NULL, NULL, NULL, NULL)::bgnbd_model, -1)$$,
                 '22023', NULL, 'negative t');
SELECT throws_ok($$SELECT bgnbd_expected_purchases(ROW(0.2, 4, 1, 2, NULL, NULL, NULL, NULL)::bgnbd_model, ROW(1, 1, 5, 0)::rfm, 'NaN')$$,
                 '22023', NULL, 'NaN horizon');
SELECT throws_ok($$SELECT '{(1,2,3):1'::bgnbd_counts$$, '22P02', NULL, 'bgnbd_counts: syntax');
SELECT throws_ok($$SELECT '{(1,4,3):1}'::bgnbd_counts$$, '22023', NULL, 'bgnbd_counts: recency after t');
SELECT throws_ok($$SELECT '{(1,2,3):0}'::bgnbd_counts$$, '22023', NULL, 'bgnbd_counts: no customers in an entry');
SELECT throws_ok($$SELECT '{(1.5,2,3):1}'::bgnbd_counts$$, '22023', NULL, 'bgnbd_counts: a fractional frequency');
SELECT throws_ok($$SELECT bgnbd_counts_add('{}', ROW(1, 1, 5, 0)::rfm)$$, '0A000', NULL, 'the transition function called directly');
SELECT is((bgnbd_fit('{(0,0,5):9007199254740993,(1,1,5):1}'::bgnbd_counts)).customers, 9007199254740994::bigint,
          'bgnbd_fit counts its customers exactly (beyond 2^53)');
SELECT throws_ok($$SELECT bgnbd_fit('{(0,0,5):9223372036854775807,(1,1,5):1}'::bgnbd_counts)$$, '22003',
                 'number of customers is out of range for type bigint', 'bgnbd_fit: more customers than bigint holds');
SELECT ok(bgnbd_p_alive(pg_temp.model(0.2, 4, 1, 2), NULL) IS NULL, 'a NULL summary (first purchase after the end): NULL');

SELECT * FROM finish();
ROLLBACK;
