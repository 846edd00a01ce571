-- pgTAP: the Gamma-Gamma spend model and clv_bgnbd().  Expected values:
--  * the published estimates on the CDNOW repeat customers (Fader and
--    Hardie, "The Gamma-Gamma Model of Monetary Value", 2013): p = 6.25,
--    q = 3.74, gamma = 15.44 for 946 customers, fitted here from the raw
--    purchase lines through rfm();
--  * test/outside/clv_models.py (values in clv_models_values.sql): a scipy
--    fit of the same summary, the closed forms of the log-likelihood and
--    the expected spend in 40-digit arithmetic, and discounted CLVs summed
--    period by period from mpmath's BG/NBD expectations;
--  * parameter recovery on customers simulated from known parameters;
--  * degenerate data, where no estimate exists.
BEGIN;
SELECT plan(52);
SET client_min_messages = warning;
\i test/outside/clv_models_values.sql
\i test/helpers/clv_simulate.sql
RESET client_min_messages;

\i test/helpers/close.sql
CREATE FUNCTION pg_temp.model(p float8, q float8, gamma float8) RETURNS gamma_gamma_model
LANGUAGE sql AS $$ SELECT ROW(p, q, gamma, NULL, NULL, NULL, NULL)::gamma_gamma_model $$;

\i test/helpers/cdnow.sql
CREATE TABLE clv_gg_cdnow_rfm AS
SELECT customer_id, rfm(purchased_on, amount, '1997-09-30', 'week') AS r FROM cdnow GROUP BY customer_id;
ANALYZE clv_gg_cdnow_rfm;
CREATE TEMP TABLE cdnow_fit AS SELECT (gamma_gamma_fit(r)).* FROM clv_gg_cdnow_rfm;
CREATE TEMP VIEW scipy AS SELECT parameter, value FROM outside_fit WHERE model = 'gamma_gamma';

SELECT is(round(p::numeric, 2), 6.25, 'CDNOW: p as published') FROM cdnow_fit;
SELECT is(round(q::numeric, 2), 3.74, 'CDNOW: q as published') FROM cdnow_fit;
SELECT is(round(gamma::numeric, 2), 15.44, 'CDNOW: gamma as published') FROM cdnow_fit;
SELECT is(customers, 946::bigint, 'CDNOW: the 946 customers with repeat purchases') FROM cdnow_fit;
SELECT ok(converged, 'CDNOW: converged') FROM cdnow_fit;
SELECT ok(pg_temp.close(f.p, (SELECT value FROM scipy WHERE parameter = 'p'), 1e-6)
      AND pg_temp.close(f.q, (SELECT value FROM scipy WHERE parameter = 'q'), 1e-6)
      AND pg_temp.close(f.gamma, (SELECT value FROM scipy WHERE parameter = 'gamma'), 1e-6),
          'CDNOW: the scipy fit to 1e-6') FROM cdnow_fit f;
SELECT ok(pg_temp.close(log_likelihood, (SELECT value FROM scipy WHERE parameter = 'log_likelihood'), 1e-12),
          'CDNOW: the scipy maximum log-likelihood to 1e-12') FROM cdnow_fit;
SELECT ok(pg_temp.close((SELECT sum(gamma_gamma_log_likelihood(pg_temp.model(6.25, 3.74, 15.44), r)) FROM clv_gg_cdnow_rfm),
                        (SELECT value FROM scipy WHERE parameter = 'log_likelihood_at_published'), 1e-12),
          'CDNOW: the log-likelihood at the published parameters = the 40-digit sum');

-- the closed forms at fixed parameters
SELECT is(count(*) FILTER (WHERE o.frequency > 0 AND NOT pg_temp.close_log(gamma_gamma_log_likelihood(m, c), o.log_likelihood, 1e-12)),
          0::bigint, 'log-likelihood at fixed parameters = the 40-digit closed form to 1e-12')
FROM outside_gamma_gamma o, pg_temp.model(o.p, o.q, o.gamma) m, CAST(ROW(o.frequency, 0, 1, o.monetary_value) AS rfm) c;
SELECT is(count(*) FILTER (WHERE NOT pg_temp.close(gamma_gamma_expected_spend(m, c)::float8, o.expected_spend, 1e-14)),
          0::bigint, 'expected spend at fixed parameters = the 40-digit closed form (15 significant digits)')
FROM outside_gamma_gamma o, pg_temp.model(o.p, o.q, o.gamma) m, CAST(ROW(o.frequency, 0, 1, o.monetary_value) AS rfm) c;
SELECT ok(gamma_gamma_log_likelihood(pg_temp.model(6.25, 3.74, 15.44), ROW(0, 0, 5, 0)::rfm) IS NULL,
          'log-likelihood of a customer without repeat purchases: NULL (not part of the model)');
-- p gamma / (q - 1) = 2 * 3 / (1.5 - 1) = 12: the population mean for x = 0
SELECT is(gamma_gamma_expected_spend(pg_temp.model(2, 1.5, 3), ROW(0, 0, 5, 0)::rfm), 12::numeric, 'x = 0: p gamma / (q - 1)');
SELECT is(gamma_gamma_expected_spend(pg_temp.model(2, 0.9, 3), ROW(0, 0, 5, 0)::rfm), 'Infinity'::numeric,
          'q <= 1: the population mean spend is infinite');
-- 2 * (3 + 10 * 1) / (2 * 1 + 0.9 - 1) = 26 / 1.9
SELECT is(gamma_gamma_expected_spend(pg_temp.model(2, 0.9, 3), ROW(1, 0, 5, 10)::rfm), round(26 / 1.9, 13),
          'q <= 1 but p x + q > 1: finite');

-- discounted CLV: sum of E[M] (E[Y(i)] - E[Y(i - 1)]) / (1 + d)^i against mpmath
SELECT is(count(*), 24::bigint, 'outside CLV values') FROM outside_clv;
SELECT is(count(*) FILTER (WHERE NOT pg_temp.close(clv_bgnbd(bm, gm, c, o.periods, o.discount_rate)::float8, o.clv, 1e-13)), 0::bigint,
          'clv_bgnbd = the period-by-period sum in 40-digit arithmetic to 1e-13')
FROM outside_clv o,
     CAST(ROW(o.r, o.alpha, o.a, o.b, NULL, NULL, NULL, NULL) AS bgnbd_model) bm,
     pg_temp.model(o.p, o.q, o.gamma) gm,
     CAST(ROW(o.frequency, o.recency, o.t, o.monetary_value) AS rfm) c;
SELECT is(clv_bgnbd(ROW(0.243, 4.414, 0.793, 2.426, NULL, NULL, NULL, NULL)::bgnbd_model, pg_temp.model(6.25, 3.74, 15.44),
                    ROW(2, 30, 38, 25)::rfm, 0, 0.01), 0::numeric, 'no periods: 0');
SELECT is(clv_bgnbd(ROW(0.243, 4.414, 0.793, 2.426, NULL, NULL, NULL, NULL)::bgnbd_model, pg_temp.model(6.25, 0.9, 15.44),
                    ROW(0, 0, 38, 0)::rfm, 52, 0.01), 'Infinity'::numeric, 'infinite expected spend and purchases expected: Infinity');
SELECT ok(clv_bgnbd(ROW(0.243, 4.414, 0.793, 2.426, NULL, NULL, NULL, NULL)::bgnbd_model, pg_temp.model(6.25, 3.74, 15.44),
                    ROW(2, 30, 38, 25)::rfm, 52, 0.01)
          < clv_bgnbd(ROW(0.243, 4.414, 0.793, 2.426, NULL, NULL, NULL, NULL)::bgnbd_model, pg_temp.model(6.25, 3.74, 15.44),
                      ROW(2, 30, 38, 25)::rfm, 52, 0), 'discounting lowers the value');
-- a lifetime: 2^31 - 1 periods at 5 % a period; mpmath summed 1,500 of them,
-- after which the rest is below 1e-30 of the value
SELECT is(count(*) FILTER (WHERE pg_temp.close(clv_bgnbd(bm, gm, c, 2147483647, o.discount_rate)::float8, o.clv, 1e-13)), 6::bigint,
          'clv_bgnbd over 2^31 - 1 periods = the sum in 40-digit arithmetic to 1e-13 (summing stops once the rest is below float8 resolution)')
FROM outside_clv_lifetime o,
     CAST(ROW(o.r, o.alpha, o.a, o.b, NULL, NULL, NULL, NULL) AS bgnbd_model) bm,
     pg_temp.model(o.p, o.q, o.gamma) gm,
     CAST(ROW(o.frequency, o.recency, o.t, o.monetary_value) AS rfm) c;
-- bounded work: all the expectations of one call share 10^7 terms of the series
SELECT throws_ok($$SELECT clv_bgnbd(ROW(0.243, 4.414, 0.793, 2.426, NULL, NULL, NULL, NULL)::bgnbd_model, ROW(6.25, 3.74, 15.44, NULL, NULL, NULL, NULL)::gamma_gamma_model,
                                    ROW(2, 30, 38, 25)::rfm, 2147483647, 0)$$, '22003',
                 'the hypergeometric series of the BG/NBD expectation did not converge',
                 'no discounting over 2^31 - 1 periods: one expectation, beyond the series'' reach: 22003');
SELECT throws_ok($$SELECT clv_bgnbd(ROW(0.243, 4.414, 0.793, 2.426, NULL, NULL, NULL, NULL)::bgnbd_model, ROW(6.25, 3.74, 15.44, NULL, NULL, NULL, NULL)::gamma_gamma_model,
                                    ROW(2, 30, 38, 25)::rfm, 2147483647, 1e-9)$$, '22003',
                 'the hypergeometric series of the BG/NBD expectation did not converge',
                 'a discount too small to end the sum over 2^31 - 1 periods: 22003 once the terms are spent');
SELECT is(clv_bgnbd(ROW(0.243, 4.414, 0.793, 2.426, NULL, NULL, NULL, NULL)::bgnbd_model, pg_temp.model(6.25, 3.74, 15.44),
                    ROW(2, 30, 38, 25)::rfm, 52, 1e-17),
          clv_bgnbd(ROW(0.243, 4.414, 0.793, 2.426, NULL, NULL, NULL, NULL)::bgnbd_model, pg_temp.model(6.25, 3.74, 15.44),
                    ROW(2, 30, 38, 25)::rfm, 52, 0), 'a discount below float8 resolution is no discount');

-- parameter recovery from 50,000 simulated repeat customers each: within 10 %
CREATE TEMP TABLE recovered AS
SELECT 1 AS k, gamma_gamma_fit(summary) AS m FROM pg_temp.simulate_gamma_gamma(0.3, 50000, 6, 4, 15, 8)
UNION ALL
SELECT 2, gamma_gamma_fit(summary) FROM pg_temp.simulate_gamma_gamma(0.4, 50000, 2, 3, 50, 8);
SELECT ok((m).converged AND pg_temp.close((m).p, 6, 0.1) AND pg_temp.close((m).q, 4, 0.1) AND pg_temp.close((m).gamma, 15, 0.1),
          'recovers p 6, q 4, gamma 15') FROM recovered WHERE k = 1;
SELECT ok((m).converged AND pg_temp.close((m).p, 2, 0.1) AND pg_temp.close((m).q, 3, 0.1) AND pg_temp.close((m).gamma, 50, 0.1),
          'recovers p 2, q 3, gamma 50') FROM recovered WHERE k = 2;

-- degenerate data: no estimate, and no NaN
CREATE FUNCTION pg_temp.no_estimate(m gamma_gamma_model) RETURNS boolean LANGUAGE sql AS $$
    SELECT NOT m.converged AND m.p > 0 AND m.q > 0 AND m.gamma > 0
       AND m.p <> 'NaN' AND m.q <> 'NaN' AND m.gamma <> 'NaN'
       AND m.log_likelihood > '-Infinity' AND m.log_likelihood < 'Infinity' $$;
SELECT ok(pg_temp.no_estimate(gamma_gamma_fit(ROW(2, 1, 2, 10)::rfm)), 'everyone spends the same: converged = false')
FROM generate_series(1, 100);
SELECT ok(pg_temp.no_estimate(gamma_gamma_fit(ROW(3, 1, 2, 17.5)::rfm)), 'a single customer: converged = false');
SELECT ok(gamma_gamma_fit(ROW(0, 0, t, 0)::rfm) IS NULL, 'nobody repeats: NULL, there is nothing to fit')
FROM generate_series(1, 10) t;

-- summaries, rollup, parallel
SELECT is(customers(gamma_gamma_counts_agg(r)), 946::bigint, 'gamma_gamma_counts: the 946 repeat customers') FROM clv_gg_cdnow_rfm;
SELECT is('{(2,25.5):3,(1,10):2,(2,25.5):1}'::gamma_gamma_counts::text, '{(1,10):2,(2,25.5):4}',
          'gamma_gamma_counts: text, entries sorted and merged');
SELECT is((SELECT rollup(s)::text FROM (SELECT customer_id % 4 g, gamma_gamma_counts_agg(r) s FROM clv_gg_cdnow_rfm GROUP BY 1) x),
          (SELECT gamma_gamma_counts_agg(r)::text FROM clv_gg_cdnow_rfm), 'rollup of disjoint quarters = the whole');
SELECT is(gamma_gamma_fit(gamma_gamma_counts_agg(r)), gamma_gamma_fit(r), 'gamma_gamma_fit of the summary = of the rows')
FROM clv_gg_cdnow_rfm;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL parallel_leader_participation = off;
\i test/helpers/plan_of.sql
SELECT matches(pg_temp.plan_of('SELECT gamma_gamma_fit(r) FROM clv_gg_cdnow_rfm'), 'Finalize Aggregate.*Gather.*Partial Aggregate',
               'parallel: gamma_gamma_fit as partial aggregates');
SELECT is((SELECT gamma_gamma_fit(r)::text FROM clv_gg_cdnow_rfm), (SELECT ROW(f.*)::gamma_gamma_model::text FROM cdnow_fit f),
          'parallel fit = serial fit');
RESET parallel_leader_participation;
RESET max_parallel_workers_per_gather;

-- bad input, each with its SQLSTATE
SELECT throws_ok($$SELECT gamma_gamma_fit(ROW(2, 1, 5, 0)::rfm)$$, '22023',
                 'monetary_value must be positive for a customer with repeat purchases', 'zero spend with repeat purchases');
SELECT throws_ok($$SELECT gamma_gamma_fit(ROW(2, 1, 5, -3)::rfm)$$, '22023', NULL, 'negative spend');
SELECT throws_ok($$SELECT gamma_gamma_fit(ROW(2, 1, 5, NULL)::rfm)$$, '22023', NULL, 'NULL spend with repeat purchases');
SELECT throws_ok($$SELECT gamma_gamma_fit(ROW(2, 1, 5, 'NaN')::rfm)$$, '22023', NULL, 'NaN spend');
SELECT throws_ok($$SELECT gamma_gamma_expected_spend(ROW(6, 3, -1, NULL, NULL, NULL, NULL)::gamma_gamma_model, ROW(2, 1, 5, 3)::rfm)$$,
                 '22023', 'the model''s gamma must be between 1e-8 and 1e8', 'negative gamma');
SELECT throws_ok($$SELECT gamma_gamma_log_likelihood(ROW(1.7976931348623157e308, 3, 15, NULL, NULL, NULL, NULL)::gamma_gamma_model, ROW(2, 1, 5, 3)::rfm)$$,
                 '22023', 'the model''s p must be between 1e-8 and 1e8', 'p beyond 1e8');
SELECT throws_ok($$SELECT clv_bgnbd(ROW(0.2, 4, 1, 2, NULL, NULL, NULL, NULL)::bgnbd_model, ROW(6, 'NaN', 15, NULL, NULL, NULL, NULL)::gamma_gamma_model,
                                    ROW(2, 1, 5, 3)::rfm, 12, 0.01)$$, '22023', 'the model''s q must be between 1e-8 and 1e8', 'NaN q');
SELECT throws_ok($$SELECT gamma_gamma_expected_spend(ROW(6, 3, NULL, 1, 1, 1, true)::gamma_gamma_model, ROW(2, 1, 5, 3)::rfm)$$,
                 '22004', 'the model''s gamma must not be NULL', 'a model without gamma');
-- a spend so large that m x exceeds float8 while the expectation does not:
-- p gamma / (p x + q - 1) + m p x / (p x + q - 1), and ln L with
-- ln Gamma(px + q) - ln Gamma(px) = ln(2000 * 2001 * 2002), ln Gamma(3) = ln 2,
-- evaluated in numeric
SELECT ok(pg_temp.close(gamma_gamma_expected_spend(pg_temp.model(2, 3, 10), ROW(1000, 1, 5, 1e306)::rfm)::float8,
                        (20 / 2002.0 + 1e306 * 2000 / 2002.0)::float8, 1e-14),
          'expected spend where m x is beyond float8');
SELECT ok(pg_temp.close(gamma_gamma_log_likelihood(pg_temp.model(2, 3, 10), ROW(1000, 1, 5, 1e306)::rfm),
                        (ln(2000.0) + ln(2001.0) + ln(2002.0) - ln(2.0) + 3 * ln(10.0) + 1999 * ln(1e306) + 2000 * ln(1000.0)
                         - 2003 * ln(10 + 1e309))::float8, 1e-13),
          'log-likelihood where m x is beyond float8');
SELECT throws_ok($$SELECT clv_bgnbd(ROW(0.2, 4, 1, 2, NULL, NULL, NULL, NULL)::bgnbd_model, ROW(2, 3, 10, NULL, NULL, NULL, NULL)::gamma_gamma_model,
                                    ROW(1000, 5, 5, 1e307)::rfm, 1000, 0)$$, '22003', 'the customer''s expected value is out of range',
                 'a value beyond float8: 22003');
SELECT ok(pg_temp.close((m).log_likelihood, 5 * gamma_gamma_log_likelihood(m, ROW(3, 1, 1, 1e308)::rfm)
                                           + 2 * gamma_gamma_log_likelihood(m, ROW(1, 1, 1, 5)::rfm)
                                           + gamma_gamma_log_likelihood(m, ROW(2, 1, 1, 7)::rfm), 1e-9),
          'a fit with m x beyond float8: its log-likelihood is finite, the sum of its customers''')
FROM (SELECT gamma_gamma_fit('{(3,1e308):5,(1,5):2,(2,7):1}'::gamma_gamma_counts) m) s;
SELECT ok((m).q = 1e8 AND gamma_gamma_expected_spend(m, ROW(3, 10, 20, 5)::rfm) > 0,
          'a fit that ran to the bounds of its box (everyone spends the same) returns them exactly, and can be read')
FROM (SELECT gamma_gamma_fit(ROW(2, 1, 2, 10)::rfm) m FROM generate_series(1, 10)) s;
SELECT throws_ok($$SELECT clv_bgnbd(ROW(0.2, 4, 1, 2, NULL, NULL, NULL, NULL)::bgnbd_model, ROW(6, 3, 15, NULL, NULL, NULL, NULL)::gamma_gamma_model,
                                    ROW(2, 1, 5, 3)::rfm, -1, 0.01)$$, '22023', NULL, 'negative horizon_periods');
SELECT throws_ok($$SELECT clv_bgnbd(ROW(0.2, 4, 1, 2, NULL, NULL, NULL, NULL)::bgnbd_model, ROW(6, 3, 15, NULL, NULL, NULL, NULL)::gamma_gamma_model,
                                    ROW(2, 1, 5, 3)::rfm, 12, -0.01)$$, '22023', NULL, 'negative discount rate');
SELECT throws_ok($$SELECT clv_bgnbd(ROW(0.2, 4, 1, 2, NULL, NULL, NULL, NULL)::bgnbd_model, ROW(6, 3, 15, NULL, NULL, NULL, NULL)::gamma_gamma_model,
                                    ROW(2, 1, 5, 3)::rfm, 12, 'NaN')$$, '22023', NULL, 'NaN discount rate');
SELECT throws_ok($$SELECT '{(0,10):1}'::gamma_gamma_counts$$, '22023', NULL, 'gamma_gamma_counts: frequency 0');
SELECT throws_ok($$SELECT '{(1,10)}'::gamma_gamma_counts$$, '22P02', NULL, 'gamma_gamma_counts: syntax');

SELECT * FROM finish();
ROLLBACK;
