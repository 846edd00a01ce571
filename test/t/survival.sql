-- pgTAP: survival curves (sql/parts/60_survival.sql) on cases worked by hand:
-- the survival_curve type's text and binary forms, the kaplan_meier and
-- rollup aggregates, ties, all-censored, single-subject and empty curves,
-- the readers' conventions, a log-rank statistic, and every error.
-- The comparisons with R's survival package are in survival_outside.sql.
BEGIN;
SELECT plan(173);

-- the detail of the error a query raises
\ir lib/error_detail.sql

-- z of the normal distribution, from R: qnorm(0.975), qnorm(0.95)
CREATE TEMP TABLE z(z95 float8, z90 float8);
INSERT INTO z VALUES (1.959963984540054, 1.6448536269514722);

-- survival_curve text input and output ---------------------------------------------

SELECT is('{(1,2,0),(3.5,1,1)}'::survival_curve::text, '{(1,2,0),(3.5,1,1)}', 'survival_curve: text round trip');
SELECT is('{}'::survival_curve::text, '{}', 'survival_curve: the empty curve');
SELECT is(E' { ( 1 , 2 , 0 ) ,\n(3.5,1,1) } '::survival_curve::text, '{(1,2,0),(3.5,1,1)}',
          'survival_curve: spaces and newlines between tokens are accepted and normalised');
SELECT is(' {  } '::survival_curve::text, '{}', 'survival_curve: the empty curve with spaces');
SELECT is('{(-0,1,0)}'::survival_curve::text, '{(0,1,0)}', 'survival_curve: time -0 reads as 0');
SELECT is('{(1e3,+1,00)}'::survival_curve::text, '{(1000,1,0)}', 'survival_curve: exponents, signs and leading zeros');
SELECT is('{(1,9223372036854775807,0)}'::survival_curve::text, '{(1,9223372036854775807,0)}',
          'survival_curve: a count of bigint max');
SELECT is('{(1e-300,2,0),(0.30000000000000004,1,0),(1.7976931348623157e308,0,1)}'::survival_curve::text,
          '{(1e-300,2,0),(0.30000000000000004,1,0),(1.7976931348623157e+308,0,1)}',
          'survival_curve: times in their shortest exact form, tiny, inexact in decimal, and float8 max');
SET LOCAL extra_float_digits = -15;
SELECT is('{(0.1,1,0),(0.30000000000000004,1,0)}'::survival_curve::text, '{(0.1,1,0),(0.30000000000000004,1,0)}',
          'survival_curve: the text form does not depend on extra_float_digits (-15)');
SET LOCAL extra_float_digits = 3;
SELECT is('{(0.1,1,0),(0.30000000000000004,1,0)}'::survival_curve::text, '{(0.1,1,0),(0.30000000000000004,1,0)}',
          'survival_curve: the text form does not depend on extra_float_digits (3)');
RESET extra_float_digits;
SELECT is(('{(0.1,1,0),(0.30000000000000004,1,0)}'::survival_curve)::text::survival_curve::text,
          '{(0.1,1,0),(0.30000000000000004,1,0)}', 'survival_curve: output is valid input');
SELECT is(survival_table.time, 0.30000000000000004::float8, 'survival_curve: times read back exactly')
  FROM survival_table('{(0.30000000000000004,1,0)}');

-- bad text: syntax 22P02, values outside their domain 22023, beyond bigint or float8 22003
SELECT throws_ok(format('SELECT %L::survival_curve', input), code,
                 CASE code WHEN '22P02' THEN format('invalid input syntax for type survival_curve: "%s"', input)
                           ELSE message END,
                 format('survival_curve: %s, %L is %s', what, input, code))
FROM (VALUES
  ('', 'empty text', '22P02', NULL),
  ('garbage', 'garbage', '22P02', NULL),
  ('{', 'an open brace', '22P02', NULL),
  ('{(1,2,0)', 'no closing brace', '22P02', NULL),
  ('[(1,2,0)]', 'brackets', '22P02', NULL),
  ('{(1,2)}', 'two numbers', '22P02', NULL),
  ('{(1,2,0,0)}', 'four numbers', '22P02', NULL),
  ('{()}', 'an empty point', '22P02', NULL),
  ('{(1,2,0),}', 'a trailing comma', '22P02', NULL),
  ('{(1,2,0)(2,1,0)}', 'a missing comma', '22P02', NULL),
  ('{(1,2,0)} x', 'trailing text', '22P02', NULL),
  ('{(x,1,0)}', 'a time that is not a number', '22P02', NULL),
  ('{(1,1.5,0)}', 'a fractional count', '22P02', NULL),
  ('{(1,0x10,0)}', 'a hexadecimal count', '22P02', NULL),
  ('{(1,,0)}', 'an empty count', '22P02', NULL),
  ('{(1,-,0)}', 'a lone sign', '22P02', NULL),
  ('{(-1,1,0)}', 'a negative time', '22023', 'survival_curve times must be finite numbers not below 0'),
  ('{(NaN,1,0)}', 'time NaN', '22023', 'survival_curve times must be finite numbers not below 0'),
  ('{(Infinity,1,0)}', 'time Infinity', '22023', 'survival_curve times must be finite numbers not below 0'),
  ('{(-inf,1,0)}', 'time -Infinity', '22023', 'survival_curve times must be finite numbers not below 0'),
  ('{(1,-1,0)}', 'negative events', '22023', 'survival_curve counts must not be negative'),
  ('{(1,0,-1)}', 'negative censored', '22023', 'survival_curve counts must not be negative'),
  ('{(1,0,0)}', 'a point without subjects', '22023', 'survival_curve points must count at least one subject'),
  ('{(2,1,0),(1,1,0)}', 'times out of order', '22023', 'survival_curve times must be strictly increasing'),
  ('{(1,1,0),(1,0,1)}', 'a repeated time', '22023', 'survival_curve times must be strictly increasing'),
  ('{(0,1,0),(-0,1,0)}', '0 and -0', '22023', 'survival_curve times must be strictly increasing'),
  ('{(1,9223372036854775808,0)}', 'bigint max + 1', '22003', 'value out of range for type survival_curve: "{(1,9223372036854775808,0)}"'),
  ('{(1,0,99999999999999999999)}', 'a 20-digit count', '22003', 'value out of range for type survival_curve: "{(1,0,99999999999999999999)}"'),
  ('{(1e400,1,0)}', 'a time beyond float8', '22003', '"1e400" is out of range for type double precision'),
  ('{(1,9223372036854775807,0),(2,0,1)}', 'subjects beyond bigint', '22003',
   'number of subjects of a survival_curve is out of range for type bigint'),
  ('{(1,4611686018427387904,4611686018427387904)}', 'one point''s subjects beyond bigint', '22003',
   'number of subjects of a survival_curve is out of range for type bigint')
) AS bad(input, what, code, message);
SELECT is(pg_temp.error_detail($$SELECT '{(1,1,0),(3,2,1),(2,1,0)}'::survival_curve$$), 'Time 2 follows time 3.',
          'survival_curve: the detail names the times out of order');

-- survival_curve binary send and receive ---------------------------------------------

SELECT is(survival_curve_send('{(1,2,0),(3.5,1,1)}'),
          decode('01' || '00000002' || '3ff0000000000000' || '0000000000000002' || '0000000000000000'
                 || '400c000000000000' || '0000000000000001' || '0000000000000001', 'hex'),
          'survival_curve_send: format 1, int4 2 points, then float8 1, int8 2, int8 0, float8 3.5, int8 1, int8 1, big-endian');
SELECT is(survival_curve_send('{}'), '\x0100000000'::bytea, 'survival_curve_send: the empty curve');

-- COPY (FORMAT binary) through a file: out with survival_curve_send, back in
-- with survival_curve_recv; a bytea COPYed out and read back as
-- survival_curve feeds survival_curve_recv exactly its bytes.
CREATE TEMP TABLE binary_back(id integer, c survival_curve);
CREATE FUNCTION pg_temp.binary_copy(query text) RETURNS SETOF text LANGUAGE plpgsql AS $f$
DECLARE
	path text := format('/tmp/saas_metrics_tap_survival_%s.bin', pg_backend_pid());
BEGIN
	EXECUTE format('COPY (%s) TO PROGRAM %L (FORMAT binary)', query, 'cat > ' || path);
	TRUNCATE binary_back;
	EXECUTE format('COPY binary_back FROM PROGRAM %L (FORMAT binary)', 'cat ' || path || ' && rm -f ' || path);
	RETURN QUERY SELECT c::text FROM binary_back ORDER BY id;
END
$f$;
-- the bytes of a curve of the given points (hex of float8 time, int8, int8)
CREATE FUNCTION pg_temp.curve_bytes(format text, npoints text, points text) RETURNS bytea LANGUAGE sql AS $$
    SELECT decode(format || npoints || points, 'hex')
$$;

SELECT results_eq(
  $$SELECT * FROM pg_temp.binary_copy($q$SELECT * FROM (VALUES
      (1, '{(1,2,0),(3.5,1,1)}'::survival_curve), (2, '{}'), (3, NULL),
      (4, '{(0.30000000000000004,9223372036854775807,0)}'), (5, '{(1e-300,1,0),(1.7976931348623157e308,0,1)}'))
    AS v(id, c)$q$)$$,
  $$VALUES ('{(1,2,0),(3.5,1,1)}'), ('{}'), (NULL), ('{(0.30000000000000004,9223372036854775807,0)}'),
           ('{(1e-300,1,0),(1.7976931348623157e+308,0,1)}')$$,
  'survival_curve: COPY binary round trip, the empty curve, NULL, bigint max and extreme times included');
SELECT results_eq(
  $$SELECT * FROM pg_temp.binary_copy(format('SELECT 1, %L::bytea',
      pg_temp.curve_bytes('01', '00000001', '4000000000000000' || '0000000000000003' || '0000000000000004')))$$,
  $$VALUES ('{(2,3,4)}')$$, 'survival_curve_recv: hand-made bytes for the point (2, 3, 4)');
SELECT results_eq(
  $$SELECT * FROM pg_temp.binary_copy(format('SELECT 1, %L::bytea',
      pg_temp.curve_bytes('01', '00000001', '8000000000000000' || '0000000000000001' || '0000000000000000')))$$,
  $$VALUES ('{(0,1,0)}')$$, 'survival_curve_recv: time -0 reads as 0');
SELECT throws_ok(format($$SELECT pg_temp.binary_copy(format('SELECT 1, %%L::bytea', %L::bytea))$$, bytes), code, message,
                 format('survival_curve_recv: %s is %s', what, code))
FROM (VALUES
  (pg_temp.curve_bytes('02', '00000000', ''), 'format byte 2', '22P03', 'invalid binary survival_curve'),
  (pg_temp.curve_bytes('01', 'ffffffff', ''), 'a negative number of points', '22P03', 'invalid binary survival_curve'),
  (pg_temp.curve_bytes('01', '00000002', '3ff0000000000000' || '0000000000000001' || '0000000000000000'),
   'fewer points than announced', '22P03', 'invalid binary survival_curve'),
  (pg_temp.curve_bytes('01', '00000000', '3ff0000000000000' || '0000000000000001' || '0000000000000000'),
   'more points than announced', '22P03', 'invalid binary survival_curve'),
  (pg_temp.curve_bytes('01', '7fffffff', ''), 'two billion points announced, none there', '22P03', 'invalid binary survival_curve'),
  (pg_temp.curve_bytes('01', '', ''), 'no number of points', '08P01', 'insufficient data left in message'),
  (pg_temp.curve_bytes('01', '00000001', 'bff0000000000000' || '0000000000000001' || '0000000000000000'),
   'a negative time', '22023', 'survival_curve times must be finite numbers not below 0'),
  (pg_temp.curve_bytes('01', '00000001', '7ff8000000000000' || '0000000000000001' || '0000000000000000'),
   'time NaN', '22023', 'survival_curve times must be finite numbers not below 0'),
  (pg_temp.curve_bytes('01', '00000001', '3ff0000000000000' || 'ffffffffffffffff' || '0000000000000000'),
   'negative events', '22023', 'survival_curve counts must not be negative'),
  (pg_temp.curve_bytes('01', '00000001', '3ff0000000000000' || '0000000000000000' || '0000000000000000'),
   'a point without subjects', '22023', 'survival_curve points must count at least one subject'),
  (pg_temp.curve_bytes('01', '00000002', '4000000000000000' || '0000000000000001' || '0000000000000000'
                                      || '3ff0000000000000' || '0000000000000001' || '0000000000000000'),
   'times out of order', '22023', 'survival_curve times must be strictly increasing'),
  (pg_temp.curve_bytes('01', '00000002', '3ff0000000000000' || '7fffffffffffffff' || '0000000000000000'
                                      || '4000000000000000' || '0000000000000001' || '0000000000000000'),
   'subjects beyond bigint', '22003', 'number of subjects of a survival_curve is out of range for type bigint')
) AS bad(bytes, what, code, message);

-- the aggregate: ties, events before censorings ---------------------------------------

-- five subjects: events at 2, 2 and 3, censored at 2 and 5
CREATE TEMP TABLE ties(id integer, duration float8, observed boolean, segment text);
INSERT INTO ties VALUES (1, 2, true, 'a'), (2, 2, true, 'b'), (3, 2, false, 'a'), (4, 3, true, 'b'), (5, 5, false, 'a');
SELECT is(kaplan_meier(duration, observed)::text, '{(2,2,1),(3,1,0),(5,0,1)}', 'kaplan_meier: counts by distinct duration')
  FROM ties;
SELECT is(kaplan_meier(duration, observed ORDER BY id DESC)::text, '{(2,2,1),(3,1,0),(5,0,1)}',
          'kaplan_meier: the rows'' order does not matter') FROM ties;
SELECT is(subjects(c) || ' ' || events(c) || ' ' || censored(c), '5 3 2', 'subjects, events, censored: 5, 3, 2')
  FROM (SELECT kaplan_meier(duration, observed) AS c FROM ties) AS k;
-- at 2 all five are at risk: the censored one counts among them (events first):
-- S(2) = 1 - 2/5 = 0.6, not 1 - 2/4; at 3, two at risk: S(3) = 0.6 * (1 - 1/2) = 0.3
-- Greenwood: var(log S(2)) = 2 / (5 * 3), var(log S(3)) = 2/15 + 1 / (2 * 1)
SELECT results_eq($$SELECT time, at_risk, events, censored, survival, std_error
                    FROM survival_table((SELECT kaplan_meier(duration, observed) FROM ties))$$,
                  $$VALUES (2::float8, 5::bigint, 2::bigint, 1::bigint, 0.6::float8, 0.6 * sqrt(2 / 15::float8)),
                           (3, 2, 1, 0, 0.3, 0.3 * sqrt(2 / 15::float8 + 1 / 2::float8)),
                           (5, 1, 0, 1, 0.3, 0.3 * sqrt(2 / 15::float8 + 1 / 2::float8))$$,
                  'survival_table: ties, events before censorings, Greenwood standard errors');
SELECT results_eq($$SELECT t, survival_at((SELECT kaplan_meier(duration, observed) FROM ties), t)
                    FROM unnest('{-1, 0, 1.999, 2, 2.5, 3, 4.9, 5, 1e6}'::float8[]) AS t$$,
                  $$VALUES (-1::float8, 1::float8), (0, 1), (1.999, 1), (2, 0.6), (2.5, 0.6), (3, 0.3), (4.9, 0.3), (5, 0.3), (1e6, 0.3)$$,
                  'survival_at: 1 before the first time, right-continuous steps, the last value after the last time');
-- limits at S(2) = 0.6, se = sqrt(2/15), z = qnorm(0.975)
SELECT results_eq(
  $$SELECT conf_type, round(lower::numeric, 12), round(upper::numeric, 12)
    FROM (SELECT kaplan_meier(duration, observed) AS c FROM ties) AS k,
         unnest('{log-log,log,plain}'::text[]) AS conf_type, survival_ci(c, 2, 0.95, conf_type)$$,
  $$SELECT conf_type, round(lower::numeric, 12), round(upper::numeric, 12) FROM z, LATERAL (VALUES
      ('log-log', exp(-exp(ln(-ln(0.6)) - z95 * sqrt(2 / 15::float8) / ln(0.6))),
                  exp(-exp(ln(-ln(0.6)) + z95 * sqrt(2 / 15::float8) / ln(0.6)))),
      ('log', exp(ln(0.6) - z95 * sqrt(2 / 15::float8)), least(exp(ln(0.6) + z95 * sqrt(2 / 15::float8)), 1)),
      ('plain', greatest(0.6 - z95 * sqrt(2 / 15::float8) * 0.6, 0), least(0.6 + z95 * sqrt(2 / 15::float8) * 0.6, 1))
    ) AS v(conf_type, lower, upper)$$,
  'survival_ci: log-log, log and plain limits at S = 0.6 by their formulas');
SELECT is(round(((survival_ci(c, 3, 0.90, 'log')).lower)::numeric, 12),
          round(exp(ln(0.3) - z90 * sqrt(2 / 15::float8 + 1 / 2::float8))::numeric, 12),
          'survival_ci: the log lower limit at 90 % uses qnorm(0.95)')
  FROM (SELECT kaplan_meier(duration, observed) AS c FROM ties) AS k, z;
SELECT is((survival_ci(c, 3)).lower, (survival_ci(c, 3, 0.95, 'log-log')).lower,
          'survival_ci: conf_level 0.95 and conf_type log-log are the defaults')
  FROM (SELECT kaplan_meier(duration, observed) AS c FROM ties) AS k;
SELECT is((survival_ci(c, 1)), ROW(1, 0, 1, 1)::survival_estimate,
          'survival_ci: before the first event S = 1, std_error 0, limits 1 and 1 (log-log too)')
  FROM (SELECT kaplan_meier(duration, observed) AS c FROM ties) AS k;
-- median: S falls to 0.3 <= 0.5 at 3; the 25 % quantile: S <= 0.75 at 2
SELECT is(median_survival(c), 3::float8, 'median_survival: the first time S <= 0.5')
  FROM (SELECT kaplan_meier(duration, observed) AS c FROM ties) AS k;
SELECT is(survival_quantile(c, 0.25), 2::float8, 'survival_quantile(0.25): the first time S <= 0.75')
  FROM (SELECT kaplan_meier(duration, observed) AS c FROM ties) AS k;
SELECT ok(survival_quantile(c, 0.8) IS NULL, 'survival_quantile(0.8): NULL, S never falls to 0.2')
  FROM (SELECT kaplan_meier(duration, observed) AS c FROM ties) AS k;
-- restricted mean to 4: 2 * 1 + 1 * 0.6 + 1 * 0.3 = 2.9; A(2) = 0.6 + 0.3 = 0.9,
-- A(3) = 0.3; var = 0.9^2 * 2 / (5 * 3) + 0.3^2 * 1 / (2 * 1)
SELECT is(round(restricted_mean_survival(c, 4)::numeric, 12), 2.9, 'restricted_mean_survival(4) = 2 + 0.6 + 0.3')
  FROM (SELECT kaplan_meier(duration, observed) AS c FROM ties) AS k;
SELECT is(round((restricted_mean_survival_ci(c, 4)).std_error::numeric, 12),
          round(sqrt(0.81 * 2 / 15 + 0.09 / 2)::numeric, 12), 'restricted_mean_survival_ci(4): std_error by hand')
  FROM (SELECT kaplan_meier(duration, observed) AS c FROM ties) AS k;
-- past the last time (5) S is carried flat: to 10, 2.9 + 6 * 0.3 = 4.7
SELECT is(round(restricted_mean_survival(c, 10)::numeric, 12), 4.7, 'restricted_mean_survival(10): S carried flat past 5')
  FROM (SELECT kaplan_meier(duration, observed) AS c FROM ties) AS k;
SELECT is(round(restricted_mean_survival(c, 1.5)::numeric, 12), 1.5, 'restricted_mean_survival(1.5) before any event = 1.5')
  FROM (SELECT kaplan_meier(duration, observed) AS c FROM ties) AS k;
SELECT is(restricted_mean_survival_ci(c, 1.5), ROW(1.5, 0, 1.5, 1.5)::restricted_mean_estimate,
          'restricted_mean_survival_ci(1.5): no event before tau, std_error 0')
  FROM (SELECT kaplan_meier(duration, observed) AS c FROM ties) AS k;

-- the median's conventions -----------------------------------------------------------

-- six events at 1..6: S after 3 is 5/6 * 4/5 * 3/4, 0.5 up to rounding; it sits
-- there until 4: the median is the midpoint 3.5 (R: 3.5)
SELECT is(median_survival(kaplan_meier(t, true)), 3.5::float8, 'median_survival: S = 0.5 (to rounding) from 3 to 4 gives 3.5')
  FROM generate_series(1, 6) AS t;
-- events at 1, 2, 3, censored at 4, event at 5, censored at 6: S = 0.5 from 3,
-- through the censoring at 4, to the drop at 5: the median is 4 (R: 4)
SELECT is(median_survival(kaplan_meier(t, t NOT IN (4, 6))), 4::float8,
          'median_survival: S = 0.5 from 3 to the next drop at 5 (past a censoring) gives 4')
  FROM generate_series(1, 6) AS t;
-- events at 1, 2, censored at 3, 4: S = 0.5 from 2 to the end: the median is 2
-- (R's print.survfit: 2; R's quantile.survfit says 3, the midpoint with the last time)
SELECT is(median_survival(kaplan_meier(t, t <= 2)), 2::float8,
          'median_survival: S = 0.5 from 2 to the end of the data gives 2 (no later drop)')
  FROM generate_series(1, 4) AS t;
SELECT is(survival_quantile(kaplan_meier(t, t <= 2), 0.5), median_survival(kaplan_meier(t, t <= 2)),
          'survival_quantile(0.5) = median_survival, the same convention')
  FROM generate_series(1, 4) AS t;
SELECT is(median_survival_ci(kaplan_meier(t, t <= 2)), median_survival_ci(kaplan_meier(t, t <= 2), 0.95, 'log-log'),
          'median_survival_ci: 0.95 and log-log are the defaults')
  FROM generate_series(1, 4) AS t;
SELECT is(survival_quantile_ci(kaplan_meier(t, true), 0.5, 0.9, 'plain'), median_survival_ci(kaplan_meier(t, true), 0.9, 'plain'),
          'survival_quantile_ci(0.5) = median_survival_ci')
  FROM generate_series(1, 6) AS t;

-- all censored -----------------------------------------------------------------------

CREATE TEMP TABLE all_censored AS SELECT kaplan_meier(t, false) AS c FROM generate_series(1, 3) AS t;
SELECT is(c::text, '{(1,0,1),(2,0,1),(3,0,1)}', 'all censored: the curve') FROM all_censored;
SELECT results_eq($$SELECT survival, std_error, lower, upper FROM survival_table((SELECT c FROM all_censored))$$,
                  $$VALUES (1::float8, 0::float8, 1::float8, 1::float8), (1, 0, 1, 1), (1, 0, 1, 1)$$,
                  'all censored: S = 1, std_error 0, limits 1 and 1 at every point');
SELECT ok(median_survival(c) IS NULL AND survival_quantile(c, 0.1) IS NULL, 'all censored: no median, no quantile')
  FROM all_censored;
SELECT is(median_survival_ci(c), ROW(NULL, NULL, NULL)::survival_time_estimate, 'all censored: median_survival_ci all NULL')
  FROM all_censored;
SELECT is(restricted_mean_survival_ci(c, 5), ROW(5, 0, 5, 5)::restricted_mean_estimate, 'all censored: the restricted mean is tau')
  FROM all_censored;
SELECT is(survival_at(c, 100), 1::float8, 'all censored: S = 1 after the last time') FROM all_censored;

-- one subject ------------------------------------------------------------------------

CREATE TEMP TABLE one_event AS SELECT kaplan_meier(5, true) AS c;
SELECT is(c::text, '{(5,1,0)}', 'one subject: the curve') FROM one_event;
SELECT results_eq($$SELECT time, at_risk, events, censored, survival, std_error, lower, upper
                    FROM survival_table((SELECT c FROM one_event))$$,
                  $$VALUES (5::float8, 1::bigint, 1::bigint, 0::bigint, 0::float8, NULL::float8, NULL::float8, NULL::float8)$$,
                  'one subject: S drops to 0; std_error and limits are NULL there (Greenwood''s variance is infinite)');
SELECT is(survival_ci(c, 5, 0.95, 'plain'), ROW(0, NULL, NULL, NULL)::survival_estimate, 'one subject: survival_ci at 5, plain')
  FROM one_event;
SELECT is(survival_at(c, 4.999), 1::float8, 'one subject: S = 1 before 5') FROM one_event;
SELECT is(median_survival_ci(c), ROW(5, NULL, NULL)::survival_time_estimate,
          'one subject: the median is 5, its limits undefined (R: 5, NA, NA)') FROM one_event;
-- n = d at 5: the variance term is 0 (R's convention), the area is 5
SELECT is(restricted_mean_survival_ci(c, 10), ROW(5, 0, 5, 5)::restricted_mean_estimate,
          'one subject: restricted mean to 10 is 5, std_error 0') FROM one_event;
SELECT is(kaplan_meier(5, false)::text, '{(5,0,1)}', 'one subject censored: the curve');
SELECT is(kaplan_meier(0, true)::text, '{(0,1,0)}', 'one subject with its event at time 0');
SELECT is(survival_at(kaplan_meier(0, true), 0), 0::float8, 'an event at time 0: S(0) = 0');
SELECT is(kaplan_meier('-0'::float8, true)::text, '{(0,1,0)}', 'duration -0 counts as 0');

-- no subjects: the empty curve -------------------------------------------------------

CREATE TEMP TABLE empty AS SELECT kaplan_meier(t, true) AS c FROM generate_series(1, 0) AS t;
SELECT is(c::text, '{}', 'no rows: the empty curve') FROM empty;
SELECT is(subjects(c) || ' ' || events(c) || ' ' || censored(c), '0 0 0', 'the empty curve: no subjects') FROM empty;
SELECT ok(survival_at(c, 1) IS NULL AND median_survival(c) IS NULL AND survival_quantile(c, 0.5) IS NULL
          AND restricted_mean_survival(c, 1) IS NULL, 'the empty curve: the scalar readers give NULL') FROM empty;
SELECT ok(survival_ci(c, 1) IS NULL AND median_survival_ci(c) IS NULL AND survival_quantile_ci(c, 0.5) IS NULL
          AND restricted_mean_survival_ci(c, 1) IS NULL, 'the empty curve: the row readers give NULL') FROM empty;
SELECT is_empty($$SELECT * FROM survival_table('{}')$$, 'the empty curve: survival_table has no rows');
SELECT is(kaplan_meier(t, true) FILTER (WHERE false)::text, '{}', 'FILTER (WHERE false): the empty curve')
  FROM generate_series(1, 3) AS t;

-- rollup -------------------------------------------------------------------------------

SELECT is(rollup(c)::text, (SELECT kaplan_meier(duration, observed)::text FROM ties),
          'rollup of the segments'' curves = the curve of all rows')
  FROM (SELECT segment, kaplan_meier(duration, observed) AS c FROM ties GROUP BY segment) AS s;
SELECT is(rollup(c)::text, '{(1,1,0),(2,2,1)}', 'rollup: NULL curves add nothing')
  FROM (VALUES ('{(2,1,1)}'::survival_curve), (NULL), ('{(1,1,0),(2,1,0)}'), ('{}')) AS v(c);
SELECT is(rollup(c)::text, '{}', 'rollup of no rows: the empty curve') FROM (SELECT '{}'::survival_curve AS c) AS v WHERE false;
SELECT is(rollup(c)::text, '{(1,9223372036854775806,0),(2,1,0)}', 'rollup: counts up to bigint max')
  FROM (VALUES ('{(1,9223372036854775806,0)}'::survival_curve), ('{(2,1,0)}')) AS v(c);
SELECT throws_ok($$SELECT rollup(c) FROM (VALUES ('{(1,9223372036854775807,0)}'::survival_curve), ('{(2,1,0)}')) AS v(c)$$,
                 '22003', 'number of subjects of a survival_curve is out of range for type bigint',
                 'rollup: subjects beyond bigint');
SELECT throws_ok($$SELECT rollup(c) FROM (VALUES ('{(1,9223372036854775807,0)}'::survival_curve), ('{(1,1,0)}')) AS v(c)$$,
                 '22003', 'number of subjects of a survival_curve is out of range for type bigint',
                 'rollup: one duration''s events beyond bigint');

-- the state is used correctly by the executor --------------------------------------------

SELECT results_eq($$SELECT subjects(kaplan_meier(t, t % 2 = 0) OVER (ORDER BY t)) FROM generate_series(1, 5) AS t$$,
                  $$VALUES (1::bigint), (2), (3), (4), (5)$$,
                  'kaplan_meier as a running window aggregate: the state survives each final call');
SELECT is(a::text || b::text, '{(1,0,1),(2,1,0)}{(1,0,1),(2,1,0)}',
          'two identical kaplan_meier calls in one query (a shared state) give the same curve')
  FROM (SELECT kaplan_meier(t, t = 2) AS a, kaplan_meier(t, t = 2) AS b FROM generate_series(1, 2) AS t) AS x;
SELECT is(kaplan_meier(t % 3, true)::text, '{(0,333,0),(1,334,0),(2,333,0)}', 'kaplan_meier over 1000 rows, 3 distinct durations')
  FROM generate_series(1, 1000) AS t;
-- the summary holds one 24-byte point per distinct duration after a 16-byte header,
-- whatever the number of rows
SELECT is(pg_column_size(kaplan_meier(t % 1000, t % 7 = 0)), 16 + 24 * 1000,
          'a curve of 200,000 rows with 1000 distinct durations takes 16 + 24 * 1000 bytes')
  FROM generate_series(1, 200000) AS t;
SELECT is(kaplan_meier(t, true)::text, (SELECT kaplan_meier(t, true)::text FROM generate_series(1, 100000) AS t),
          'kaplan_meier: 100,000 distinct durations, in and out of order, give the same curve')
  FROM (SELECT t FROM generate_series(1, 100000) AS t ORDER BY hashint4(t)) AS shuffled;
SELECT is(subjects(kaplan_meier(t, true)), 100000::bigint, 'kaplan_meier: 100,000 distinct durations, 100,000 subjects')
  FROM generate_series(1, 100000) AS t;

-- bad rows -------------------------------------------------------------------------------

SELECT throws_ok($$SELECT kaplan_meier(d, o) FROM (VALUES (1::float8, true), (NULL, false)) AS v(d, o)$$,
                 '22004', 'kaplan_meier does not accept NULL durations', 'kaplan_meier: a NULL duration is 22004');
SELECT is(pg_temp.error_detail($$SELECT kaplan_meier(d, o) FROM (VALUES (1::float8, true), (NULL, false)) AS v(d, o)$$),
          'A row has duration NULL and observed false.', 'kaplan_meier: the detail names the row''s values');
SELECT throws_ok($$SELECT kaplan_meier(d, o) FROM (VALUES (1::float8, true), (2.5, NULL)) AS v(d, o)$$,
                 '22004', 'kaplan_meier does not accept NULL observed flags', 'kaplan_meier: a NULL observed flag is 22004');
SELECT is(pg_temp.error_detail($$SELECT kaplan_meier(d, o) FROM (VALUES (1::float8, true), (2.5, NULL)) AS v(d, o)$$),
          'A row has duration 2.5 and observed NULL.', 'kaplan_meier: the detail names the row''s values');
SELECT throws_ok(format('SELECT kaplan_meier(%s, true)', d), '22023', 'duration must be a finite number not below 0',
                 format('kaplan_meier: duration %s is 22023', d))
FROM unnest(ARRAY['-1', '-1e-300', '''NaN''', '''Infinity''', '''-Infinity''']) AS d;
SELECT is(pg_temp.error_detail($$SELECT kaplan_meier(d, o) FROM (VALUES (1::float8, true), (-3, false)) AS v(d, o)$$),
          'A row has duration -3 and observed false.', 'kaplan_meier: the detail names the negative duration');
SELECT throws_ok($$SELECT survival_curve_add('{}', 1, true)$$, '0A000', 'survival_curve_add can only be called by an aggregate',
                 'survival_curve_add called directly is 0A000');
SELECT throws_ok($$SELECT survival_curve_combine('{}', '{}')$$, '0A000',
                 'survival_curve_combine can only be called by an aggregate', 'survival_curve_combine called directly is 0A000');
SELECT throws_ok($$SELECT survival_curve_final('{}')$$, '0A000', 'survival_curve_final can only be called by an aggregate',
                 'survival_curve_final called directly is 0A000');

-- the readers' arguments -----------------------------------------------------------------

SELECT throws_ok(format('SELECT %s', q), '22023', message, format('%s is 22023', q))
FROM (VALUES
  ($$survival_at('{(1,1,0)}', 'NaN')$$, 't must be a finite number'),
  ($$survival_at('{(1,1,0)}', 'Infinity')$$, 't must be a finite number'),
  ($$survival_ci('{(1,1,0)}', 'NaN')$$, 't must be a finite number'),
  ($$survival_ci('{(1,1,0)}', 1, 0)$$, 'conf_level must be between 0 and 1, exclusive'),
  ($$survival_ci('{(1,1,0)}', 1, 1)$$, 'conf_level must be between 0 and 1, exclusive'),
  ($$survival_ci('{(1,1,0)}', 1, 95)$$, 'conf_level must be between 0 and 1, exclusive'),
  ($$survival_ci('{(1,1,0)}', 1, 'NaN')$$, 'conf_level must be between 0 and 1, exclusive'),
  ($$survival_ci('{(1,1,0)}', 1, 0.95, 'loglog')$$, 'conf_type must be ''log-log'', ''log'' or ''plain'''),
  ($$survival_ci('{(1,1,0)}', 1, 0.95, 'Log')$$, 'conf_type must be ''log-log'', ''log'' or ''plain'''),
  ($$median_survival_ci('{(1,1,0)}', 0)$$, 'conf_level must be between 0 and 1, exclusive'),
  ($$median_survival_ci('{(1,1,0)}', 0.95, 'none')$$, 'conf_type must be ''log-log'', ''log'' or ''plain'''),
  ($$survival_quantile('{(1,1,0)}', 0)$$, 'p must be between 0 and 1, exclusive'),
  ($$survival_quantile('{(1,1,0)}', 1)$$, 'p must be between 0 and 1, exclusive'),
  ($$survival_quantile('{(1,1,0)}', 'NaN')$$, 'p must be between 0 and 1, exclusive'),
  ($$survival_quantile_ci('{(1,1,0)}', 50)$$, 'p must be between 0 and 1, exclusive'),
  ($$survival_quantile_ci('{(1,1,0)}', 0.5, -0.5)$$, 'conf_level must be between 0 and 1, exclusive'),
  ($$restricted_mean_survival('{(1,1,0)}', 0)$$, 'tau must be a finite number above 0'),
  ($$restricted_mean_survival('{(1,1,0)}', -1)$$, 'tau must be a finite number above 0'),
  ($$restricted_mean_survival('{(1,1,0)}', 'Infinity')$$, 'tau must be a finite number above 0'),
  ($$restricted_mean_survival_ci('{(1,1,0)}', 'NaN')$$, 'tau must be a finite number above 0'),
  ($$restricted_mean_survival_ci('{(1,1,0)}', 1, 2)$$, 'conf_level must be between 0 and 1, exclusive'),
  ($$count(*) FROM survival_table('{(1,1,0)}', 0.95, 'arcsin')$$, 'conf_type must be ''log-log'', ''log'' or ''plain'''),
  ($$count(*) FROM survival_table('{(1,1,0)}', 1.5)$$, 'conf_level must be between 0 and 1, exclusive')
) AS bad(q, message);
SELECT ok(survival_at(NULL, 1) IS NULL AND survival_at('{}', NULL) IS NULL AND median_survival(NULL) IS NULL
          AND survival_ci('{(1,1,0)}', 1, NULL) IS NULL AND restricted_mean_survival('{(1,1,0)}', NULL) IS NULL
          AND logrank_test(NULL) IS NULL AND subjects(NULL) IS NULL,
          'the readers are STRICT: a NULL argument gives NULL');
SELECT is(survival_at('{(1,1,0)}', -5), 1::float8, 'survival_at: a negative t is before every duration, S = 1');

-- the log-rank test ----------------------------------------------------------------------

-- group a: events at 1 and 2; group b: events at 3 and 4.  At 1: n = 4, n_a = 2,
-- E_a = 1/2, V = 1 * 3 * 2 * 2 / (16 * 3) = 1/4; at 2: n = 3, n_a = 1, E_a = 1/3,
-- V = 1 * 2 * 1 * 2 / (9 * 2) = 2/9; at 3 and 4 group a is gone.  O_a = 2,
-- O - E = 7/6, chi-square = (7/6)^2 / (17/36) = 49/17 on 1 degree of freedom,
-- p = erfc(sqrt(49/34)) (for 1 degree of freedom P(X > x) = erfc(sqrt(x / 2)))
SELECT is(round(chi_square::numeric, 12), round(49 / 17.0, 12), 'logrank_test: chi-square 49/17 by hand')
  FROM logrank_test(ARRAY['{(1,1,0),(2,1,0)}', '{(3,1,0),(4,1,0)}']::survival_curve[]);
SELECT is(degrees_of_freedom, 1, 'logrank_test: two groups, 1 degree of freedom')
  FROM logrank_test(ARRAY['{(1,1,0),(2,1,0)}', '{(3,1,0),(4,1,0)}']::survival_curve[]);
-- R: pchisq(49/17, 1, lower.tail = FALSE) = 0.0895550744136431 (and survdiff gives 49/17 on these data)
SELECT is(round(p_value::numeric, 14), 0.08955507441364, 'logrank_test: p-value of 49/17 on 1 degree of freedom (R: 0.0895550744136431)')
  FROM logrank_test(ARRAY['{(1,1,0),(2,1,0)}', '{(3,1,0),(4,1,0)}']::survival_curve[]);
SELECT is(round(chi_square::numeric, 12) || ' ' || degrees_of_freedom || ' ' || round(p_value::numeric, 14),
          round(49 / 17.0, 12) || ' 1 0.08955507441364', 'logrank_test: the order of two curves does not matter')
  FROM logrank_test(ARRAY['{(3,1,0),(4,1,0)}', '{(1,1,0),(2,1,0)}']::survival_curve[]);
SELECT is(logrank_test(ARRAY[c, c]), ROW(0, 1, 1)::logrank_result, 'logrank_test: identical curves, chi-square 0, p 1')
  FROM (SELECT kaplan_meier(duration, observed) AS c FROM ties) AS k;
-- the empty curve expects no events and takes no part
SELECT is(logrank_test(ARRAY['{(1,1,0),(2,1,0)}', '{}', '{(3,1,0),(4,1,0)}']::survival_curve[]),
          logrank_test(ARRAY['{(1,1,0),(2,1,0)}', '{(3,1,0),(4,1,0)}']::survival_curve[]),
          'logrank_test: an empty curve takes no part');
-- a group censored before the first event expects none either
SELECT is(degrees_of_freedom, 1, 'logrank_test: a group censored before every event takes no part')
  FROM logrank_test(ARRAY['{(1,1,0),(2,1,0)}', '{(0.5,0,3)}', '{(3,1,0),(4,1,0)}']::survival_curve[]);
SELECT is(logrank_test(ARRAY['{(1,1,0)}', '{}']::survival_curve[]), ROW(0, 0, NULL)::logrank_result,
          'logrank_test: one group with expected events: chi-square 0, 0 degrees of freedom, no p-value');
SELECT is(logrank_test(ARRAY['{(1,0,1)}', '{(2,0,4)}']::survival_curve[]), ROW(0, 0, NULL)::logrank_result,
          'logrank_test: no events at all: 0 degrees of freedom, no p-value');
-- one event time where everyone at risk has the event: the variance is 0
SELECT is(logrank_test(ARRAY['{(1,1,0)}', '{(1,1,0)}']::survival_curve[]), ROW(NULL, 1, NULL)::logrank_result,
          'logrank_test: a variance of 0 (every subject at risk has the event) gives no chi-square');
SELECT throws_ok($$SELECT logrank_test(ARRAY['{(1,1,0)}']::survival_curve[])$$, '22023', 'logrank_test needs at least two curves',
                 'logrank_test: one curve is 22023');
SELECT throws_ok($$SELECT logrank_test('{}'::survival_curve[])$$, '22023', 'logrank_test needs at least two curves',
                 'logrank_test: no curves is 22023');
SELECT throws_ok($$SELECT logrank_test(ARRAY['{(1,1,0)}', NULL]::survival_curve[])$$, '22004',
                 'logrank_test does not accept NULL curves', 'logrank_test: a NULL curve is 22004');
SELECT is(pg_temp.error_detail($$SELECT logrank_test(ARRAY['{(1,1,0)}', NULL]::survival_curve[])$$),
          'Curve 2 of the array is NULL.', 'logrank_test: the detail names the NULL curve');
SELECT throws_ok($$SELECT logrank_test(array_agg(format('{(%s,1,0)}', i)::survival_curve)) FROM generate_series(1, 1001) AS i$$,
                 '54000', 'logrank_test compares at most 1000 curves', 'logrank_test: 1001 curves are 54000');
-- 1000 curves, curve i an event at i: at time t, 1001 - t at risk, one event;
-- each curve is compared and the statistic exists
SELECT is(degrees_of_freedom, 999, 'logrank_test: 1000 curves, 999 degrees of freedom')
  FROM logrank_test((SELECT array_agg(format('{(%s,1,0)}', i)::survival_curve) FROM generate_series(1, 1000) AS i));
SELECT throws_ok($$SELECT logrank_test(ARRAY[['{(1,1,0)}', '{(2,1,0)}'], ['{(1,1,0)}', '{(2,1,0)}']]::survival_curve[])$$,
                 '2202E', 'logrank_test takes a one-dimensional array of curves', 'logrank_test: a two-dimensional array is 2202E');

SELECT * FROM finish();
ROLLBACK;
