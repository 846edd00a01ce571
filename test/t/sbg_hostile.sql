-- The sBG functions and the nps/sbg summary types under hostile input
-- (issue 15): projections at extreme parameters and periods against values
-- computed independently in 60-digit arithmetic (test/outside/sbg_extreme.py
-- with mpmath, stored in test/outside/sbg_extreme.tsv); work that used to
-- run for ever now either returns the right value or is cancelled by
-- statement_timeout (57014), never hangs; crafted text and binary input
-- refused with the right SQLSTATE; equality of summaries.
BEGIN;
SELECT plan(56);

CREATE TEMP TABLE outside (fn text, alpha float8, beta float8, t integer, discount float8, expected float8);
\copy outside FROM 'test/outside/sbg_extreme.tsv'

CREATE FUNCTION pg_temp.projection(fn text, alpha float8, beta float8, t integer, discount float8)
RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE result float8;
BEGIN
	IF fn = 'sbg_derl' THEN
		RETURN sbg_derl(alpha, beta, discount, t);
	END IF;
	EXECUTE format('SELECT %I($1, $2, $3)', fn) INTO result USING alpha, beta, t;
	RETURN result;
END $$;

SELECT is((SELECT count(*) FROM outside), 269::bigint, 'all outside values loaded');
SELECT is_empty($$
  SELECT fn, alpha, beta, t, discount, expected, pg_temp.projection(fn, alpha, beta, t, discount) AS got
  FROM outside
  WHERE NOT abs(pg_temp.projection(fn, alpha, beta, t, discount) - expected) <= 1e-11 * expected + 1e-306$$,
  'sBG projections at extreme parameters and periods up to 2^31 - 1 agree with mpmath to 1e-11');
SELECT is(sbg_retention_rate(1e-17, 1e-17, 1), 0.5::float8, 'sbg_retention_rate(1e-17, 1e-17, 1) = 0.5 (was NaN)');
SELECT is(sbg_churn_probability(1e-17, 1e-17, 1), 0.5::float8, 'sbg_churn_probability(1e-17, 1e-17, 1) = 0.5 (was Infinity)');
SELECT is(sbg_survival(1e308, 1e308, 1), 0.5::float8, 'sbg_survival(1e308, 1e308, 1) = 0.5 (was 0)');
SELECT ok(abs(sbg_survival(1, 1, 2147483647) * 2147483648 - 1) < 1e-13, 'sbg_survival(1, 1, 2^31 - 1) = 1 / 2^31 (looped for ever)');
SELECT is_empty($$SELECT t FROM generate_series(0, 300) t
                  WHERE NOT abs(sbg_survival(1, 1, t) * (t + 1) - 1) <= 1e-13$$,
                'S(t) = 1 / (t + 1) for alpha = beta = 1, on both sides of the closed form''s threshold');
SELECT is_empty($$SELECT t FROM generate_series(1, 300) t
                  WHERE NOT abs(sbg_churn_probability(1, 1, t) * t * (t + 1) - 1) <= 1e-13$$,
                'P(t) = 1 / (t (t + 1)) for alpha = beta = 1');
SELECT ok(abs(sbg_survival(ROW(1, 1, 0, 1, true)::sbg_model, 2147483647) * 2147483648 - 1) < 1e-13,
          'sbg_survival(model, 2^31 - 1) too');

-- EXPLAIN used to hang at plan time (the function is IMMUTABLE and folded)
CREATE FUNCTION pg_temp.explain(query text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN RETURN QUERY EXECUTE 'EXPLAIN (COSTS OFF, VERBOSE) ' || query; END $$;
SET LOCAL statement_timeout = '5s';
SELECT matches((SELECT string_agg(e, ' ') FROM pg_temp.explain('SELECT sbg_churn_probability(2, 2, 2147483647)') e),
               'Output: ''[0-9.e-]+''::double precision', 'EXPLAIN of sbg_churn_probability(2, 2, 2^31 - 1) folds it to a constant at plan time');
RESET statement_timeout;

-- cancellation: each call returns its right value or is cancelled (57014)
CREATE FUNCTION pg_temp.value_or_cancelled(query text, expected text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE got text;
BEGIN
	EXECUTE query INTO got;
	RETURN CASE WHEN got IS NOT DISTINCT FROM expected THEN 'right value' ELSE 'wrong value ' || coalesce(got, 'NULL') END;
EXCEPTION
	WHEN query_canceled THEN
		RETURN 'cancelled';
	WHEN OTHERS THEN
		RETURN CASE WHEN expected = 'error ' || SQLSTATE THEN 'right value' ELSE 'wrong error ' || SQLSTATE || ' ' || SQLERRM END;
END $$;
CREATE TEMP TABLE big_cohort AS
SELECT array_agg(round(1e15 * sbg_survival(0.7, 1.2, t))::bigint ORDER BY t) AS active
FROM generate_series(0, 99999) t;
SET LOCAL statement_timeout = '100ms';
SELECT matches(pg_temp.value_or_cancelled($$SELECT round((sbg_fit(active)).alpha::numeric, 2)::text FROM big_cohort$$, '0.70'),
               '^(right value|cancelled)$', 'sbg_fit of 100,000 ages under a 100 ms timeout: the right alpha or cancelled');
SELECT matches(pg_temp.value_or_cancelled($$SELECT round((sbg_fit(active)).beta::numeric, 2)::text FROM big_cohort$$, '1.20'),
               '^(right value|cancelled)$', 'sbg_fit of 100,000 ages under a 100 ms timeout: the right beta or cancelled');
SELECT matches(pg_temp.value_or_cancelled($$SELECT (abs(sbg_survival(1, 1, 2147483647) * 2147483648 - 1) < 1e-13)::text$$, 'true'),
               '^(right value|cancelled)$', 'sbg_survival(1, 1, 2^31 - 1) under a 100 ms timeout');
SELECT matches(pg_temp.value_or_cancelled($$SELECT sbg_derl(0.5, 1, 1e-12)::text$$, 'error 22003'),
               '^(right value|cancelled)$', 'sbg_derl with a series of 10^8 terms: cancelled by a 100 ms timeout, or its non-convergence error');
RESET statement_timeout;
SELECT throws_ok($$SELECT sbg_derl(2, 1, 1e-17)$$, '22003', 'discount_rate 1e-17 is too close to 0 for the DERL series',
                 'sbg_derl: a discount rate lost in 1 + d is refused at once (no 10^8-term loop)');
SELECT throws_ok($$SELECT sbg_fit(array_fill(1::bigint, ARRAY[100001]))$$, '54000', 'sbg_fit takes at most 100000 ages',
                 'sbg_fit(bigint[]): the length cap');
SELECT throws_ok($$SELECT sbg_fit(t, 1) FROM generate_series(0, 100000) t$$, '54000', 'sbg_fit takes at most 100000 ages',
                 'sbg_fit(age, active): the same cap on ages');
-- the state grows in place: a million rows are linear, and the pair limit holds
SELECT throws_ok($$SELECT sbg_fit(t % 7, 1) FROM generate_series(0, 1000000) t$$, '54000', 'sbg_counts holds at most 1000000 (age, active) pairs',
                 'sbg_fit(age, active): 1,000,001 rows reach the documented pair limit (linear, not quadratic)');
SELECT is((SELECT sbg_fit(age, active) OVER (ORDER BY age ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
           FROM unnest(ARRAY[1000, 631, 468, 382, 326, 289, 262, 241]::bigint[]) WITH ORDINALITY AS c(active, age1),
                LATERAL (SELECT (age1 - 1)::integer AS age) a LIMIT 1)::text,
          (SELECT sbg_fit(ARRAY[1000, 631, 468, 382, 326, 289, 262, 241]))::text,
          'sbg_fit(age, active) as a window aggregate: the expanded state in a window frame');
SELECT is(round((SELECT sbg_fit(age, active) FROM (VALUES (3, 382::bigint), (0, 1000), (2, 468), (1, 631), (7, 241), (5, 289), (4, 326), (6, 262)) v(age, active)).alpha::numeric, 3),
          0.704, 'sbg_fit(age, active) in any order: Regular alpha as published');

-- direct calls of the support functions: 0A000, not XX000
SELECT throws_ok($$SELECT sbg_counts_add(NULL, 0, 10)$$, '0A000', 'sbg_counts_add can only be called by an aggregate',
                 'sbg_counts_add called directly');
SELECT throws_ok($$SELECT sbg_counts_combine('{0:1}', '{1:1}')$$, '0A000', 'sbg_counts_combine can only be called by an aggregate',
                 'sbg_counts_combine called directly');

-- crafted text input: refused, with the right SQLSTATE
SELECT throws_ok($$SELECT '{0:99999999999999999999}'::sbg_counts$$, '22003', NULL, 'sbg_counts: active beyond bigint is 22003 (was clamped)');
SELECT throws_ok($$SELECT '{99999999999999999999:1}'::sbg_counts$$, '22003', NULL, 'sbg_counts: age beyond bigint is 22003');
SELECT throws_ok($$SELECT '{2147483648:1}'::sbg_counts$$, '22003', NULL, 'sbg_counts: age beyond integer is 22003');
SELECT throws_ok($$SELECT '{-1:1}'::sbg_counts$$, '22023', 'age must not be negative', 'sbg_counts: negative age');
SELECT throws_ok($$SELECT '{0:-1}'::sbg_counts$$, '22023', 'active must not be negative', 'sbg_counts: negative active');
SELECT throws_ok($$SELECT '{0:1,}'::sbg_counts$$, '22P02', NULL, 'sbg_counts: trailing comma');
SELECT throws_ok($$SELECT '{0:1}}'::sbg_counts$$, '22P02', NULL, 'sbg_counts: text after the closing brace');
SELECT throws_ok($$SELECT '{0:1:2}'::sbg_counts$$, '22P02', NULL, 'sbg_counts: a pair with two colons');
SELECT throws_ok($$SELECT '{:1}'::sbg_counts$$, '22P02', NULL, 'sbg_counts: a missing age');
SELECT throws_ok($$SELECT '{0:1'::sbg_counts$$, '22P02', NULL, 'sbg_counts: no closing brace');
SELECT throws_ok($$SELECT '{0x10:1}'::sbg_counts$$, '22P02', NULL, 'sbg_counts: hexadecimal');
SELECT is(' { 0 : 10 , 1 : 5 } '::sbg_counts::text, '{0:10,1:5}', 'sbg_counts: spaces around every token');
SELECT is('{}'::sbg_counts::text, '{}', 'sbg_counts: no pairs');
SELECT throws_ok($$SELECT 'promoters=99999999999999999999 passives=0 detractors=0'::nps_summary$$, '22003', NULL,
                 'nps_summary: a count beyond bigint is 22003');
SELECT throws_ok($$SELECT 'promoters=1 passives=-1 detractors=0'::nps_summary$$, '22023', NULL, 'nps_summary: a negative count');

-- crafted binary input
CREATE TEMP TABLE counts_back (id integer, s sbg_counts);
CREATE FUNCTION pg_temp.counts_from_bytes(bytes bytea) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
	path text := format('/tmp/saas_metrics_tap_sbg_%s.bin', pg_backend_pid());
BEGIN
	EXECUTE format('COPY (SELECT 1, %L::bytea) TO PROGRAM %L (FORMAT binary)', bytes, 'cat > ' || path);
	TRUNCATE counts_back;
	EXECUTE format('COPY counts_back FROM PROGRAM %L (FORMAT binary)', 'cat ' || path || ' && rm -f ' || path);
	RETURN (SELECT s::text FROM counts_back);
END
$f$;
SELECT is(pg_temp.counts_from_bytes('\x00000002000000000000000000000064000000010000000000000032'), '{0:100,1:50}',
          'sbg_counts_recv: network byte order, hand-made bytes');
SELECT is(sbg_counts_send('{0:100,1:50}'), '\x00000002000000000000000000000064000000010000000000000032'::bytea,
          'sbg_counts_send: network byte order');
SELECT throws_ok($$SELECT pg_temp.counts_from_bytes('\x7fffffff')$$, '22P03', NULL, 'sbg_counts_recv: a count of pairs beyond the message');
SELECT throws_ok($$SELECT pg_temp.counts_from_bytes('\xffffffff')$$, '22P03', NULL, 'sbg_counts_recv: a negative count of pairs');
SELECT throws_ok($$SELECT pg_temp.counts_from_bytes('\x00000001ffffffff0000000000000001')$$, '22023', 'age must not be negative',
                 'sbg_counts_recv: a negative age');
SELECT throws_ok($$SELECT pg_temp.counts_from_bytes('\x0000000100000000000000000000000100')$$, '22P03', NULL,
                 'sbg_counts_recv: a byte too many');

-- equality: DISTINCT, UNION, GROUP BY, IN, hash joins
SELECT ok('{1:5,0:10}'::sbg_counts = '{0:10,1:5}'::sbg_counts, 'sbg_counts: equal whatever the order of the pairs');
SELECT ok('{0:10,1:5}'::sbg_counts <> '{0:10,1:6}'::sbg_counts, 'sbg_counts: <> on a different count');
SELECT ok('{0:10}'::sbg_counts <> '{0:10,0:10}'::sbg_counts, 'sbg_counts: a repeated pair is not the same state');
SELECT is(sbg_counts_hash('{1:5,0:10}'), sbg_counts_hash('{0:10,1:5}'), 'sbg_counts: equal values hash alike');
SELECT is((SELECT count(*) FROM (SELECT DISTINCT s FROM (VALUES ('{1:5,0:10}'::sbg_counts), ('{0:10,1:5}'), ('{0:10}'), (NULL)) v(s)) d),
          3::bigint, 'sbg_counts: DISTINCT (NULL is one more row)');
SELECT is((SELECT count(*) FROM (SELECT '{0:1}'::sbg_counts UNION SELECT '{0:1}' UNION SELECT '{0:2}') u),
          2::bigint, 'sbg_counts: UNION');
SELECT is((SELECT count(*) FROM (SELECT s FROM (VALUES ('promoters=1 passives=2 detractors=3'::nps_summary),
                                                       ('promoters=1 passives=2 detractors=3'), ('promoters=0 passives=0 detractors=0')) v(s)
                                 GROUP BY s) g), 2::bigint, 'nps_summary: GROUP BY');
SELECT is((SELECT count(*) FROM (SELECT DISTINCT s FROM (VALUES ('promoters=1 passives=2 detractors=3'::nps_summary),
                                                       ('promoters=1 passives=2 detractors=3')) v(s)) d), 1::bigint, 'nps_summary: DISTINCT');
SELECT ok('promoters=1 passives=2 detractors=3'::nps_summary IN (SELECT nps_agg(s) FROM (VALUES (10), (7), (8), (0), (3), (6)) v(s)),
          'nps_summary: IN (subquery) against an aggregate''s result');
SELECT is((SELECT count(*) FROM (VALUES ('promoters=1 passives=0 detractors=0'::nps_summary)) a(s)
           JOIN (VALUES ('promoters=1 passives=0 detractors=0'::nps_summary), ('promoters=0 passives=1 detractors=0')) b(s) USING (s)),
          1::bigint, 'nps_summary: join on equality');

SELECT is(sbg_counts_hash_extended('{1:5,0:10}', 0) & 4294967295, sbg_counts_hash('{0:10,1:5}')::bigint & 4294967295,
          'sbg_counts: the extended hash with seed 0 agrees with the hash in its low 32 bits');
SELECT is(nps_summary_hash_extended('promoters=1 passives=2 detractors=3', 0) & 4294967295,
          nps_summary_hash('promoters=1 passives=2 detractors=3')::bigint & 4294967295,
          'nps_summary: the extended hash with seed 0 agrees with the hash in its low 32 bits');
CREATE TEMP TABLE indexed_summaries AS
SELECT i, format('promoters=%s passives=%s detractors=0', i % 50, i % 7)::nps_summary AS s FROM generate_series(1, 2000) i;
CREATE INDEX ON indexed_summaries USING hash (s);
SET LOCAL enable_seqscan = off;
SELECT is((SELECT count(*) FROM indexed_summaries WHERE s = 'promoters=3 passives=3 detractors=0'),
          (SELECT count(*) FROM generate_series(1, 2000) i WHERE i % 50 = 3 AND i % 7 = 3),
          'nps_summary: a hash index finds the equal summaries');
RESET enable_seqscan;

SELECT * FROM finish();
ROLLBACK;
