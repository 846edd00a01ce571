-- pgTAP: logistic_fit and its readers against R (test/outside/: glm with
-- family = binomial on two classic data sets and on generated data with
-- badly scaled features, and optim() on the L2-penalised likelihood), hand
-- formulas, and every kind of input that has no estimate.
BEGIN;
SET client_min_messages = warning;
SELECT plan(122);

CREATE TEMP TABLE expected(dataset text, term integer, quantity text, value float8);
\copy expected FROM 'test/outside/logistic_expected.csv' CSV HEADER
CREATE TEMP TABLE infert(y integer, age float8, parity float8, induced float8, spontaneous float8);
\copy infert FROM 'test/outside/infert.csv' CSV HEADER
CREATE TEMP TABLE mtcars(am integer, hp float8, wt float8);
\copy mtcars FROM 'test/outside/mtcars.csv' CSV HEADER
CREATE TEMP TABLE generated(y integer, x1 float8, x2 float8, x3 float8, x4 float8, x5 float8);
\copy generated FROM 'test/outside/generated.csv' CSV HEADER
ALTER TABLE generated ADD COLUMN id serial;

SELECT results_eq($$SELECT (SELECT count(*) FROM infert), (SELECT count(*) FROM mtcars), (SELECT count(*) FROM generated)$$,
                  $$VALUES (248::bigint, 32::bigint, 2000::bigint)$$, 'the data sets R fitted');

CREATE TEMP TABLE fits AS
SELECT 'infert' AS dataset, (SELECT logistic_fit(y = 1, ARRAY[age, parity, induced, spontaneous]) FROM infert) AS m
UNION ALL SELECT 'mtcars', (SELECT logistic_fit(am = 1, ARRAY[hp, wt]) FROM mtcars)
UNION ALL SELECT 'generated', (SELECT logistic_fit(y = 1, ARRAY[x1, x2, x3, x4, x5]) FROM generated)
UNION ALL SELECT 'generated_l2', (SELECT logistic_fit(y = 1, ARRAY[x1, x2, x3, x4, x5], 5) FROM generated);

CREATE TEMP VIEW ours AS
SELECT f.dataset, t.term, q.quantity, q.value
FROM fits AS f, logistic_terms(f.m) AS t,
     LATERAL (VALUES ('coefficient', t.coefficient), ('std_error', t.std_error), ('z', t.z), ('p_value', t.p_value)) AS q(quantity, value)
UNION ALL SELECT dataset, NULL, 'log_likelihood', (m).log_likelihood FROM fits
UNION ALL SELECT dataset, NULL, 'null_log_likelihood', (m).null_log_likelihood FROM fits;

SELECT is((SELECT count(*) FROM expected e JOIN ours o ON o.dataset = e.dataset AND o.quantity = e.quantity
                                                   AND o.term IS NOT DISTINCT FROM e.term),
          (SELECT count(*) FROM expected), 'every value R computed has its counterpart');
SELECT ok(bool_and(abs(o.value - e.value) <= 1e-6 * abs(e.value)),
          format('%s, %s: within 1e-6 of R, relatively (largest difference %s)', e.dataset, e.quantity,
                 to_char(max(abs(o.value - e.value) / abs(e.value)), '9.9EEEE')))
FROM expected e JOIN ours o ON o.dataset = e.dataset AND o.quantity = e.quantity AND o.term IS NOT DISTINCT FROM e.term
GROUP BY e.dataset, e.quantity ORDER BY e.dataset, e.quantity;

SELECT ok((m).converged AND (m).reason IS NULL AND (m).iterations BETWEEN 1 AND 20, format('%s: converged in %s iterations', dataset, (m).iterations))
FROM fits ORDER BY dataset;
SELECT is((m).coefficients, (SELECT array_agg(coefficient ORDER BY term) FROM logistic_terms(m)),
          format('%s: coefficients = logistic_terms', dataset))
FROM fits ORDER BY dataset;
SELECT results_eq($$SELECT (m).rows, (m).positives, (m).l2 FROM fits ORDER BY dataset$$,
                  $$VALUES (2000::bigint, (SELECT count(*) FROM generated WHERE y = 1), 0::float8),
                           (2000, (SELECT count(*) FROM generated WHERE y = 1), 5),
                           (248, (SELECT count(*) FROM infert WHERE y = 1), 0),
                           (32, (SELECT count(*) FROM mtcars WHERE am = 1), 0)$$,
                  'rows, positives and l2 of each fit');
-- The fit does not depend on the order in which the rows arrive (a parallel
-- worker's or a Citus shard's rows come in blocks, in any order): the same
-- rows fed in by id, in reverse, in the order of a hash and churners first
-- give the same model, every digit.
SELECT is(count(DISTINCT m::text), 1::bigint, format('%s: the same model, to every digit, whatever the order of the rows', what))
FROM (SELECT 'unpenalised' AS what, logistic_fit(y = 1, ARRAY[x1, x2, x3, x4, x5] ORDER BY id) AS m FROM generated
      UNION ALL SELECT 'unpenalised', logistic_fit(y = 1, ARRAY[x1, x2, x3, x4, x5] ORDER BY id DESC) FROM generated
      UNION ALL SELECT 'unpenalised', logistic_fit(y = 1, ARRAY[x1, x2, x3, x4, x5] ORDER BY md5(id::text)) FROM generated
      UNION ALL SELECT 'unpenalised', logistic_fit(y = 1, ARRAY[x1, x2, x3, x4, x5] ORDER BY y DESC, x3) FROM generated
      UNION ALL SELECT 'l2 = 5', logistic_fit(y = 1, ARRAY[x1, x2, x3, x4, x5], 5 ORDER BY id) FROM generated
      UNION ALL SELECT 'l2 = 5', logistic_fit(y = 1, ARRAY[x1, x2, x3, x4, x5], 5 ORDER BY md5(id::text)) FROM generated
     ) AS fits_in_orders
GROUP BY what ORDER BY what;
-- the standardisation: means and standard deviations (divisor n) of plain SQL
SELECT ok(abs((m).feature_means[j] - v.mean) <= 1e-12 * abs(v.mean)
          AND abs((m).feature_scales[j] - v.sd) <= 1e-9 * v.sd,
          format('generated: mean and sd of feature %s = avg() and stddev_pop()', j))
FROM fits, (SELECT 1 AS j, avg(x1) AS mean, stddev_pop(x1) AS sd FROM generated UNION ALL
            SELECT 2, avg(x2), stddev_pop(x2) FROM generated UNION ALL
            SELECT 3, avg(x3), stddev_pop(x3) FROM generated UNION ALL
            SELECT 4, avg(x4), stddev_pop(x4) FROM generated UNION ALL
            SELECT 5, avg(x5), stddev_pop(x5) FROM generated) AS v
WHERE dataset = 'generated' ORDER BY j;

-- predictions: the logistic function of R's coefficients, in plain SQL
CREATE TEMP VIEW r_coefficients AS
SELECT array_agg(value ORDER BY term) AS b FROM expected WHERE dataset = 'generated' AND quantity = 'coefficient';
SELECT cmp_ok(max(abs(logistic_predict(f.m, ARRAY[x1, x2, x3, x4, x5])
                      - 1 / (1 + exp(-(b[1] + b[2] * x1 + b[3] * x2 + b[4] * x3 + b[5] * x4 + b[6] * x5))))),
              '<', 1e-9::float8, 'logistic_predict = 1 / (1 + exp(-(b0 + b1 x1 + ...))) with R''s coefficients, every row')
FROM generated, r_coefficients, fits f WHERE f.dataset = 'generated';
SELECT cmp_ok(max(abs(c[1] - b[2] * (x1 - mu[1])) + abs(c[3] - b[4] * (x3 - mu[3])) + abs(c[5] - b[6] * (x5 - mu[5]))),
              '<', 1e-6::float8, 'logistic_contributions = coefficient * (x - mean), with R''s coefficients')
FROM (SELECT g.*, logistic_contributions(f.m, ARRAY[x1, x2, x3, x4, x5]) AS c, (f.m).feature_means AS mu
      FROM generated g, fits f WHERE f.dataset = 'generated') s, r_coefficients;
SELECT cmp_ok(max(abs(ln(p / (1 - p)) - (base + (SELECT sum(v) FROM unnest(c) v)))), '<', 1e-9::float8,
              'log-odds = log-odds at the mean features + the sum of the contributions')
FROM (SELECT logistic_predict(f.m, ARRAY[x1, x2, x3, x4, x5]) AS p,
             logistic_contributions(f.m, ARRAY[x1, x2, x3, x4, x5]) AS c,
             logistic_predict(f.m, (f.m).feature_means) AS p0,
             ln(logistic_predict(f.m, (f.m).feature_means) / (1 - logistic_predict(f.m, (f.m).feature_means))) AS base
      FROM generated, fits f WHERE f.dataset = 'generated') s;
SELECT is(logistic_contributions(m, (m).feature_means), array_fill(0::float8, ARRAY[5]),
          'contributions at the mean features are 0') FROM fits WHERE dataset = 'generated';

-- badly scaled features: x1 in billions, x5 in billionths; the coefficients
-- and standard errors scale by hand from R's
CREATE TEMP TABLE rescaled AS
SELECT logistic_fit(y = 1, ARRAY[x1 * 1e9, x2, x3, x4, x5 * 1e-9]) AS m FROM generated;
SELECT ok((m).converged, 'features scaled by 1e9 and 1e-9: converged') FROM rescaled;
SELECT ok(abs((m).coefficients[j] * k - e.value) <= 1e-6 * abs(e.value),
          format('scaled features: coefficient %s = R''s / scale', e.term))
FROM rescaled, expected e, LATERAL (SELECT e.term + 1 AS j, CASE e.term WHEN 1 THEN 1e9 WHEN 5 THEN 1e-9 ELSE 1 END::float8 AS k) s
WHERE e.dataset = 'generated' AND e.quantity = 'coefficient' ORDER BY e.term;
SELECT ok(bool_and(abs((m).std_errors[e.term + 1] * CASE e.term WHEN 1 THEN 1e9 WHEN 5 THEN 1e-9 ELSE 1 END - e.value) <= 1e-6 * e.value),
          'scaled features: standard errors = R''s / scale')
FROM rescaled, expected e WHERE e.dataset = 'generated' AND e.quantity = 'std_error';

-- no features: the intercept is the log-odds of the base rate, its
-- standard error 1 / sqrt(n p (1 - p))
SELECT results_eq(
  $$SELECT round((m).coefficients[1]::numeric, 12), round((m).std_errors[1]::numeric, 12),
           round((m).log_likelihood::numeric, 9), round((m).null_log_likelihood::numeric, 9)
    FROM (SELECT logistic_fit(y = 1, '{}'::float8[]) AS m FROM generated) s$$,
  $$SELECT round(ln(p / (1 - p))::numeric, 12), round((1 / sqrt(n * p * (1 - p)))::numeric, 12),
           round((n * (p * ln(p) + (1 - p) * ln(1 - p)))::numeric, 9), round((n * (p * ln(p) + (1 - p) * ln(1 - p)))::numeric, 9)
    FROM (SELECT avg(y)::float8 AS p, count(*)::float8 AS n FROM generated) s$$,
  'no features: intercept logit(mean y), std error 1 / sqrt(n p (1 - p)), log-likelihood of the base rate');

-- NULL labels and NULL features are skipped
SELECT is((SELECT logistic_fit(y, f) FROM (SELECT am = 1 AS y, ARRAY[hp, wt] AS f FROM mtcars
                                            UNION ALL VALUES (NULL, ARRAY[1, 2]::float8[]), (true, NULL)) s),
          (SELECT m FROM fits WHERE dataset = 'mtcars'), 'rows with a NULL label or NULL features are skipped');

-- ---------------------------------------------------------------- no estimate
CREATE TEMP TABLE separated AS SELECT x > 0 AS y, x::float8 AS x, (x % 3)::float8 AS w FROM generate_series(-10, 10) x WHERE x <> 0;
CREATE TEMP TABLE sep_fit AS SELECT logistic_fit(y, ARRAY[x, w]) AS m FROM separated;
SELECT ok(NOT (m).converged, 'complete separation: converged = false') FROM sep_fit;
SELECT matches((m).reason, '^separation: 20 rows are fitted with probabilities within 1e-8 of 0 or 1',
               'complete separation: the reason says so and counts the rows') FROM sep_fit;
SELECT ok((m).std_errors IS NULL AND (SELECT bool_and(v = v AND abs(v) < 1e308) FROM unnest((m).coefficients) v)
          AND (m).log_likelihood > -1e-6 AND (m).log_likelihood <= 0,
          'complete separation: finite coefficients, no standard errors, log-likelihood near 0') FROM sep_fit;
SELECT ok((m).iterations < 100, 'complete separation: detected before the iteration limit') FROM sep_fit;
SELECT throws_ok($$SELECT logistic_predict(m, ARRAY[1, 2]) FROM sep_fit$$, '22023', 'the logistic model did not converge',
                 'a model without an estimate predicts nothing');
SELECT throws_ok($$SELECT logistic_contributions(m, ARRAY[1, 2]) FROM sep_fit$$, '22023', 'the logistic model did not converge',
                 'nor gives contributions');
SELECT results_eq($$SELECT count(*), count(std_error) FROM sep_fit, logistic_terms(m)$$, $$VALUES (3::bigint, 0::bigint)$$,
                  'logistic_terms of such a model: coefficients without standard errors');
SELECT ok((SELECT (logistic_fit(y, ARRAY[x, w], 1)).converged FROM separated), 'complete separation with l2 = 1: converged');
-- quasi-complete: x > 0 all churned, x <= 0 mixed
CREATE TEMP TABLE quasi AS
SELECT CASE WHEN x > 0 THEN true ELSE x % 2 = 0 END AS y, greatest(x, 0)::float8 AS x, (x * x % 7)::float8 AS w
FROM generate_series(-30, 10) x;
SELECT ok(NOT (m).converged AND (m).reason LIKE 'separation:%', 'quasi-complete separation: converged = false, separation')
FROM (SELECT logistic_fit(y, ARRAY[x, w]) AS m FROM quasi) s;
SELECT ok((m).converged, 'quasi-complete separation with l2 = 0.1: converged')
FROM (SELECT logistic_fit(y, ARRAY[x, w], 0.1) AS m FROM quasi) s;

SELECT throws_ok($$SELECT logistic_fit(y = 1, ARRAY[x1, x2, x1 + 2 * x2]) FROM generated$$,
                 '22023', 'features are collinear', 'collinear features: an error');
\ir lib/error_detail.sql
SELECT is(pg_temp.error_detail($$SELECT logistic_fit(y = 1, ARRAY[x1, x2, x4, x1 + 2 * x2]) FROM generated$$),
          'Feature 4 is a linear combination of features 1 to 3 and the intercept (1 - R^2 < 1e-10).',
          'the collinearity error names the feature');
SELECT ok((SELECT (logistic_fit(y = 1, ARRAY[x1, x2, x1 + 2 * x2], 1)).converged FROM generated),
          'collinear features with l2 = 1: converged');
SELECT throws_ok($$SELECT logistic_fit(y = 1, ARRAY[x1, 7]) FROM generated$$,
                 '22023', 'feature 2 is constant', 'a constant feature: an error');
SELECT throws_ok($$SELECT logistic_fit(y = 1, ARRAY[x1, 7], 1) FROM generated$$,
                 '22023', 'feature 2 is constant', 'a constant feature, even with l2');
SELECT throws_ok($$SELECT logistic_fit(am = 1, ARRAY[hp, CASE WHEN hp = 175 THEN 'NaN' ELSE wt END]) FROM mtcars$$,
                 '22023', 'features must be finite numbers', 'a NaN feature');
SELECT is(pg_temp.error_detail($$SELECT logistic_fit(am = 1, ARRAY[hp, CASE WHEN hp = 335 THEN '-Infinity' ELSE wt END]) FROM mtcars$$),
          'The row with churned = true has features {335,-Infinity}: feature 2 is -Infinity.', 'an infinite feature: the error names the row');
SELECT throws_ok($$SELECT logistic_fit(am = 1, ARRAY[hp, CASE WHEN hp = 175 THEN NULL ELSE wt END]) FROM mtcars$$,
                 '22004', 'features must not contain NULLs', 'a NULL feature');
SELECT throws_ok($$SELECT logistic_fit(am = 1, CASE WHEN hp = 175 THEN ARRAY[hp] ELSE ARRAY[hp, wt] END) FROM mtcars$$,
                 '2202E', 'every row must have the same number of features', 'arrays of different lengths');
SELECT throws_ok($$SELECT logistic_fit(am = 1, ARRAY[[hp, wt]]) FROM mtcars$$,
                 '2202E', 'features must be a one-dimensional array', 'a two-dimensional array');
SELECT throws_ok($$SELECT logistic_fit(am = 1, array_fill(hp, ARRAY[1001])) FROM mtcars$$,
                 '54000', 'a logistic model takes at most 1000 features', '1001 features');
SELECT is((SELECT logistic_fit(am = 1, ARRAY[hp, wt]) FROM mtcars WHERE false), NULL, 'no rows: NULL');
SELECT is((SELECT logistic_fit(NULL::boolean, ARRAY[hp, wt]) FROM mtcars), NULL, 'every row skipped: NULL');
SELECT is((SELECT logistic_fit(am = 1, ARRAY[hp, wt]) FILTER (WHERE am = 2) FROM mtcars), NULL, 'no rows in the filter: NULL');
SELECT is(pg_temp.error_detail($$SELECT logistic_fit(am = 1, ARRAY[hp, wt]) FROM mtcars WHERE am = 0$$),
          'It got 19 rows, 0 of them churned (rows with a NULL label or NULL features are skipped).',
          'one outcome only: an error that counts the rows');
SELECT is(logistic_fit(NULL::logistic_rows), NULL, 'logistic_fit of a NULL state: NULL');
SELECT throws_ok($$SELECT logistic_fit(am = 1, ARRAY[hp, wt], -1) FROM mtcars$$,
                 '22023', 'l2 must be a finite number, zero or more', 'l2 negative');
SELECT throws_ok($$SELECT logistic_fit(am = 1, ARRAY[hp, wt], 'NaN') FROM mtcars$$,
                 '22023', 'l2 must be a finite number, zero or more', 'l2 NaN');
SELECT throws_ok($$SELECT logistic_fit(am = 1, ARRAY[hp, wt], 'Infinity') FROM mtcars$$,
                 '22023', 'l2 must be a finite number, zero or more', 'l2 infinite');
SELECT throws_ok($$SELECT logistic_fit(am = 1, ARRAY[hp, wt], NULL) FROM mtcars$$,
                 '22004', 'l2 must not be NULL', 'l2 NULL');
SELECT throws_ok($$SELECT logistic_fit(am = 1, ARRAY[hp, wt], hp / 100) FROM mtcars$$,
                 '22023', 'l2 must be the same in every row', 'l2 differs between rows');
SELECT is((SELECT logistic_fit(am = 1, ARRAY[hp, wt], 0) FROM mtcars), (SELECT m FROM fits WHERE dataset = 'mtcars'),
          'l2 = 0 is the unpenalised fit');
SELECT throws_ok($$SELECT logistic_rows_add(NULL, true, ARRAY[1.0::float8])$$,
                 '0A000', 'logistic_rows_add can only be called by an aggregate', 'direct call of the transition function');
SELECT throws_ok($$SELECT logistic_rows_combine(NULL, NULL)$$,
                 '0A000', 'logistic_rows_combine can only be called by an aggregate', 'direct call of the combine function');

-- ---------------------------------------------------------------- the readers' arguments
SELECT throws_ok($$SELECT logistic_predict(m, ARRAY[1, 2, 3]) FROM fits WHERE dataset = 'mtcars'$$,
                 '2202E', 'features must have as many elements as the model has features', 'predict: too many features');
SELECT throws_ok($$SELECT logistic_predict(m, ARRAY[1, NULL]) FROM fits WHERE dataset = 'mtcars'$$,
                 '22004', 'features must not contain NULLs', 'predict: a NULL feature');
SELECT throws_ok($$SELECT logistic_predict(m, ARRAY[1, 'NaN'::float8]) FROM fits WHERE dataset = 'mtcars'$$,
                 '22023', 'features must be finite numbers', 'predict: a NaN feature');
SELECT throws_ok($$SELECT logistic_contributions(m, ARRAY[1]) FROM fits WHERE dataset = 'mtcars'$$,
                 '2202E', 'features must have as many elements as the model has features', 'contributions: too few features');
SELECT is(logistic_predict(NULL, ARRAY[1, 2]), NULL, 'predict of a NULL model: NULL');
SELECT is(logistic_predict(m, ARRAY[1e300, -1e300]), 1::float8, 'predict of huge features: 1, not NaN')
FROM fits WHERE dataset = 'mtcars';
SELECT throws_ok($$SELECT logistic_predict(ROW(ARRAY[1, 2], NULL, 0, 0, 1, true, NULL, 1, 1, 0, ARRAY[1, 2], ARRAY[1, 1])::logistic_model, ARRAY[1, 2])$$,
                 '22023', 'invalid logistic_model', 'predict: a hand-made model with too few coefficients');
SELECT throws_ok($$SELECT logistic_predict(ROW(ARRAY[1, 'NaN'::float8, 2], NULL, 0, 0, 1, true, NULL, 1, 1, 0, ARRAY[1, 2], ARRAY[1, 1])::logistic_model, ARRAY[1, 2])$$,
                 '22023', 'invalid logistic_model', 'predict: a hand-made model with a NaN coefficient');
SELECT is(logistic_predict(ROW(ARRAY[-1, 2, 0.5], NULL, 0, 0, 1, true, NULL, 1, 1, 0, ARRAY[0, 0], ARRAY[1, 1])::logistic_model, ARRAY[1, -2]),
          0.5::float8, 'predict of a hand-made model: -1 + 2 * 1 + 0.5 * -2 = 0, so 0.5');
SELECT is(logistic_contributions(ROW(ARRAY[-1, 2, 0.5], NULL, 0, 0, 1, true, NULL, 1, 1, 0, ARRAY[3, -4], ARRAY[1, 1])::logistic_model, ARRAY[1, -2]),
          ARRAY[-4, 1]::float8[], 'contributions of a hand-made model: 2 * (1 - 3), 0.5 * (-2 + 4)');

-- ---------------------------------------------------------------- the state's I/O
CREATE AGGREGATE pg_temp.logistic_states(boolean, float8[]) (
    SFUNC = logistic_rows_add, STYPE = logistic_rows, COMBINEFUNC = logistic_rows_combine);
CREATE AGGREGATE pg_temp.logistic_states(boolean, float8[], float8) (
    SFUNC = logistic_rows_add, STYPE = logistic_rows, COMBINEFUNC = logistic_rows_combine);
CREATE TEMP TABLE states AS SELECT pg_temp.logistic_states(am = 1, ARRAY[hp, wt]) AS s FROM mtcars;
SELECT is(logistic_fit(s::text::logistic_rows), (SELECT m FROM fits WHERE dataset = 'mtcars'),
          'logistic_rows text round trip: the same fit') FROM states;
SELECT is(length(s::text), 4 * ceil((22 + 32 + 32 * 2 * 8) / 3.0)::int,
          'logistic_rows: the text form is the base64 of a 22-byte header, 32 labels and 32 rows of 2 float8')
FROM states;

\ir lib/binary_input.sql
-- Rows written by hand in network byte order (the format in
-- src/labelled_rows.c): version 1, kind 1 (logistic_rows), width 1, 4 rows,
-- l2 = 1, labels 1 0 1 0, features 1, 2, 3, 5 (float8 bit patterns).
CREATE FUNCTION pg_temp.hand_rows(header text DEFAULT '0101' || '00000001' || '0000000000000004' || '3ff0000000000000',
                                  labels text DEFAULT '01000100',
                                  features text DEFAULT '3ff0000000000000' || '4000000000000000' || '4008000000000000' || '4014000000000000')
RETURNS bytea LANGUAGE sql AS $$ SELECT decode(header || labels || features, 'hex') $$;
CREATE TEMP TABLE hand_fit AS
SELECT logistic_fit(pg_temp.binary_input('logistic_rows', pg_temp.hand_rows())::logistic_rows) AS m;
-- mean of 1, 2, 3, 5 = 2.75; variance (divisor n) = (1.75^2 + 0.75^2 + 0.25^2 + 2.25^2) / 4 = 2.1875
SELECT is(ROW((m).rows, (m).positives, (m).l2, (m).feature_means, (m).feature_scales),
          ROW(4::bigint, 2::bigint, 1::float8, ARRAY[2.75::float8], ARRAY[sqrt(2.1875::float8)]),
          'logistic_rows_recv of hand-made big-endian bytes: 4 rows, 2 churned, l2 1, features of mean 2.75 and sd sqrt(2.1875)')
FROM hand_fit;
SELECT is((SELECT m FROM hand_fit),
          (SELECT logistic_fit(c, ARRAY[x], 1) FROM (VALUES (true, 1::float8), (false, 2), (true, 3), (false, 5)) v(c, x)),
          'the hand-made rows fit as the same rows aggregated');
SELECT is((SELECT logistic_rows_send(pg_temp.logistic_states(c, ARRAY[x], 1))
           FROM (VALUES (true, 1::float8), (false, 2), (true, 3), (false, 5)) v(c, x)),
          pg_temp.hand_rows(), 'logistic_rows_send writes the hand-made bytes');
-- floats read back exactly: the smallest subnormal, extremes, -0, 0.1
SELECT is(logistic_rows_send(s::text::logistic_rows), logistic_rows_send(s),
          'logistic_rows: extreme and inexact floats keep their bits through the text form')
FROM (SELECT pg_temp.logistic_states(i % 2 = 0, ARRAY[v, -v, i]) AS s
      FROM unnest(ARRAY[5e-324, 1e-300, 1.7976931348623157e308, '-0'::float8, 0.1, 1 / 3::float8]) WITH ORDINALITY AS u(v, i)) x;

SELECT throws_ok(format('SELECT encode(pg_temp.hand_rows(%L, %L, %L), %L)::logistic_rows',
                        coalesce(header, '0101' || '00000001' || '0000000000000004' || '3ff0000000000000'),
                        coalesce(labels, '01000100'),
                        coalesce(features, '3ff0000000000000' || '4000000000000000' || '4008000000000000' || '4014000000000000'),
                        'base64'),
                 '22P03', 'invalid logistic_rows value: ' || message, 'text input refuses ' || what)
FROM (VALUES
  ('0201' || '00000001' || '0000000000000004' || '3ff0000000000000', NULL, NULL, 'unknown version', 'another version'),
  ('0102' || '00000001' || '0000000000000004' || '3ff0000000000000', NULL, NULL, 'not logistic rows', 'classifier scores'),
  ('0101' || 'ffffffff' || '0000000000000004' || '3ff0000000000000', NULL, NULL, 'bad width', 'a negative width'),
  ('0101' || '000003e9' || '0000000000000004' || '3ff0000000000000', NULL, NULL, 'bad width', '1001 features'),
  ('0101' || '00000001' || '0000000000000004' || '7ff8000000000000', NULL, NULL, 'bad l2', 'a NaN l2'),
  ('0101' || '00000001' || '0000000000000004' || '7ff0000000000000', NULL, NULL, 'bad l2', 'an infinite l2'),
  ('0101' || '00000001' || '0000000000000004' || 'bff0000000000000', NULL, NULL, 'bad l2', 'a negative l2'),
  ('0101' || '00000001' || '0000000000000000' || '3ff0000000000000', '', '', 'bad row count', 'no rows'),
  ('0101' || '00000001' || '0000000000000005' || '3ff0000000000000', NULL, NULL, 'bad row count', 'a row missing'),
  ('0101' || '00000001' || '0000000000000003' || '3ff0000000000000', NULL, NULL, 'bad row count', 'a row too many'),
  ('0101' || '00000001' || 'ffffffffffffffff' || '3ff0000000000000', NULL, NULL, 'bad row count', 'a negative row count'),
  (NULL, '01000200', NULL, 'bad label', 'a label that is not 0 or 1'),
  (NULL, NULL, '3ff0000000000000' || '7ff8000000000000' || '4008000000000000' || '4014000000000000', 'a value is not finite', 'a NaN feature'),
  (NULL, NULL, '3ff0000000000000' || 'fff0000000000000' || '4008000000000000' || '4014000000000000', 'a value is not finite', 'an infinite feature'),
  (NULL, NULL, '3ff0000000000000' || '4000000000000000' || '4008000000000000' || '4014000000000000' || '00', 'trailing bytes', 'a byte after the rows'),
  ('0101' || '00000001' || '00000000', '', '', 'truncated', 'a truncated header')
) AS t(header, labels, features, message, what);
SELECT throws_ok($$SELECT pg_temp.binary_input('logistic_rows', pg_temp.hand_rows(labels => '01000102'))$$, '22P03',
                 'invalid logistic_rows value: bad label', 'binary input refuses a label that is not 0 or 1');
SELECT throws_ok($$SELECT pg_temp.binary_input('logistic_rows', substr(pg_temp.hand_rows(), 1, 40))$$, '22P03',
                 'invalid logistic_rows value: bad row count', 'binary input refuses a truncated value');
SELECT throws_ok($$SELECT 'not base64!'::logistic_rows$$, '22P02', 'invalid input syntax for type logistic_rows',
                 'text that is not base64');

SELECT * FROM finish();
ROLLBACK;
