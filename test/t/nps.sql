-- pgTAP: Net Promoter Score (sql/parts/20_nps.sql): the closed formula, the
-- category of a score, the nps_summary type (text and binary I/O), its
-- accessors and the nps / nps_agg / rollup aggregates.
-- Categories: promoters score 9-10, passives 7-8, detractors 0-6;
-- NPS = 100 * (promoters - detractors) / responses.
BEGIN;
SELECT plan(111);

-- nps(promoters, passives, detractors) --------------------------------------

SELECT is(nps(60, 25, 15), 45::float8, 'nps: 100 * (60 - 15) / 100 = 45');
SELECT is(nps(1, 0, 0), 100::float8, 'nps: promoters only, 100 * 1 / 1 = 100');
SELECT is(nps(0, 0, 1), -100::float8, 'nps: detractors only, 100 * -1 / 1 = -100');
SELECT is(nps(0, 1, 0), 0::float8, 'nps: passives only, 100 * 0 / 1 = 0');
SELECT is(nps(1, 1, 1), 0::float8, 'nps: 100 * (1 - 1) / 3 = 0');
SELECT is(nps(2, 1, 1), 25::float8, 'nps: 100 * (2 - 1) / 4 = 25');
SELECT is(nps(1, 2, 0), 100::float8 / 3, 'nps: 100 * 1 / 3 = 33.33...');
SELECT is(nps(9223372036854775807, 0, 0), 100::float8, 'nps: bigint max promoters = 100');
SELECT is(nps(0, 0, 9223372036854775807), -100::float8, 'nps: bigint max detractors = -100');
-- 2^62 promoters of 2^63 - 1 responses: 100 * 2^62 / 2^63 in float8 = 50
SELECT is(nps(4611686018427387904, 4611686018427387903, 0), 50::float8, 'nps: responses summing to bigint max');
SELECT ok(nps(0, 0, 0) IS NULL, 'nps: no responses gives NULL');
SELECT ok(nps(NULL, 1, 1) IS NULL AND nps(1, NULL, 1) IS NULL AND nps(1, 1, NULL) IS NULL, 'nps: STRICT');
SELECT throws_ok('SELECT nps(-1, 0, 0)', '22023', 'promoters must not be negative', 'nps: negative promoters');
SELECT throws_ok('SELECT nps(0, -1, 0)', '22023', 'passives must not be negative', 'nps: negative passives');
SELECT throws_ok('SELECT nps(0, 0, -1)', '22023', 'detractors must not be negative', 'nps: negative detractors');
SELECT throws_ok('SELECT nps(9223372036854775807, 1, 0)', '22003',
                 'number of responses is out of range for type bigint', 'nps: promoters + passives overflow bigint');
SELECT throws_ok('SELECT nps(0, 9223372036854775807, 1)', '22003',
                 'number of responses is out of range for type bigint', 'nps: passives + detractors overflow bigint');

-- nps_category(score) ---------------------------------------------------------

SELECT results_eq('SELECT s, nps_category(s) FROM generate_series(0, 10) AS s ORDER BY s',
                  $$VALUES (0, 'detractor'), (1, 'detractor'), (2, 'detractor'), (3, 'detractor'),
                           (4, 'detractor'), (5, 'detractor'), (6, 'detractor'), (7, 'passive'),
                           (8, 'passive'), (9, 'promoter'), (10, 'promoter')$$,
                  'nps_category: 0-6 detractor, 7-8 passive, 9-10 promoter');
SELECT is(nps_category(0), 'detractor', 'nps_category: 0 is the lowest detractor');
SELECT is(nps_category(6), 'detractor', 'nps_category: 6 is the highest detractor');
SELECT is(nps_category(7), 'passive', 'nps_category: 7 is the lowest passive');
SELECT is(nps_category(8), 'passive', 'nps_category: 8 is the highest passive');
SELECT is(nps_category(9), 'promoter', 'nps_category: 9 is the lowest promoter');
SELECT is(nps_category(10), 'promoter', 'nps_category: 10 is the highest promoter');
SELECT ok(nps_category(NULL) IS NULL, 'nps_category: STRICT');
SELECT throws_ok('SELECT nps_category(-1)', '22023', 'NPS score must be between 0 and 10', 'nps_category: -1');
SELECT throws_ok('SELECT nps_category(11)', '22023', 'NPS score must be between 0 and 10', 'nps_category: 11');
SELECT throws_ok('SELECT nps_category(2147483647)', '22023', 'NPS score must be between 0 and 10',
                 'nps_category: int max');
SELECT throws_ok('SELECT nps_category(-2147483648)', '22023', 'NPS score must be between 0 and 10',
                 'nps_category: int min');

-- nps_summary text input and output -----------------------------------------

SELECT is('promoters=1 passives=2 detractors=3'::nps_summary::text, 'promoters=1 passives=2 detractors=3',
          'nps_summary: text round trip');
SELECT is('promoters=0 passives=0 detractors=0'::nps_summary::text, 'promoters=0 passives=0 detractors=0',
          'nps_summary: zeros round trip');
SELECT is('promoters=9223372036854775807 passives=9223372036854775807 detractors=9223372036854775807'::nps_summary::text,
          'promoters=9223372036854775807 passives=9223372036854775807 detractors=9223372036854775807',
          'nps_summary: bigint max counts round trip');
SELECT is(E' promoters = 1\tpassives=  2 detractors =3 \n'::nps_summary::text, 'promoters=1 passives=2 detractors=3',
          'nps_summary: spaces around names and = are accepted and normalised');
SELECT is('promoters=+1 passives=02 detractors=-0'::nps_summary::text, 'promoters=1 passives=2 detractors=0',
          'nps_summary: signs and leading zeros are accepted');
SELECT is(('promoters=1 passives=2 detractors=3'::nps_summary)::text::nps_summary::text,
          'promoters=1 passives=2 detractors=3', 'nps_summary: output is valid input');
-- bad input text: syntax errors are 22P02 (also when a count is negative as
-- well), a negative count 22023, a count beyond bigint 22003 (not clamped)
SELECT throws_ok(format('SELECT %L::nps_summary', input), code,
                 CASE code WHEN '22P02' THEN format('invalid input syntax for type nps_summary: "%s"', input)
                           WHEN '22003' THEN format('value out of range for type nps_summary: "%s"', input)
                           ELSE message END,
                 format('nps_summary: %s, %L is %s', what, input, code))
FROM (VALUES
  ('garbage', 'garbage', '22P02', NULL),
  ('', 'empty text', '22P02', NULL),
  ('promoters=1 passives=2', 'a missing count', '22P02', NULL),
  ('promoters=1 passives=2 detractors=3 extra', 'trailing text', '22P02', NULL),
  ('passives=2 promoters=1 detractors=3', 'counts out of order', '22P02', NULL),
  ('promoters=1.5 passives=2 detractors=3', 'a fractional count', '22P02', NULL),
  ('promoters= passives=2 detractors=3', 'an empty count', '22P02', NULL),
  ('promoters=x passives=2 detractors=3', 'a count that is not a number', '22P02', NULL),
  ('promoters 1 passives=2 detractors=3', 'a missing =', '22P02', NULL),
  ('promoters=0x10 passives=2 detractors=3', 'a hexadecimal count', '22P02', NULL),
  ('promoters=-1 passives=2 detractors=x', 'bad syntax wins over a negative count', '22P02', NULL),
  ('promoters=-1 passives=2 detractors=3', 'negative promoters', '22023', 'promoters must not be negative'),
  ('promoters=1 passives=-2 detractors=3', 'negative passives', '22023', 'passives must not be negative'),
  ('promoters=1 passives=2 detractors=-3', 'negative detractors', '22023', 'detractors must not be negative'),
  ('promoters=9223372036854775808 passives=0 detractors=0', 'bigint max + 1', '22003', NULL),
  ('promoters=0 passives=99999999999999999999 detractors=0', 'a 20-digit count', '22003', NULL),
  ('promoters=0 passives=0 detractors=-9223372036854775809', 'bigint min - 1', '22003', NULL)
) AS bad(input, what, code, message);

-- nps_summary binary send and receive ---------------------------------------

SELECT is(nps_summary_send('promoters=1 passives=2 detractors=3'),
          '\x000000000000000100000000000000020000000000000003'::bytea,
          'nps_summary_send: three big-endian int8, promoters first');
SELECT is(nps_summary_send('promoters=9223372036854775807 passives=0 detractors=256'),
          '\x7fffffffffffffff00000000000000000000000000000100'::bytea, 'nps_summary_send: bigint max and 256');

-- COPY (FORMAT binary) through a file: out with nps_summary_send, back in
-- with nps_summary_recv.  A bytea field is written as the same length-prefixed
-- bytes, so COPYing a bytea out and reading it back as nps_summary feeds
-- nps_summary_recv exactly those bytes.
CREATE TEMP TABLE binary_back(id integer, s nps_summary);
CREATE FUNCTION pg_temp.binary_copy(query text) RETURNS SETOF text LANGUAGE plpgsql AS $f$
DECLARE
	path text := format('/tmp/saas_metrics_tap_nps_%s.bin', pg_backend_pid());
BEGIN
	EXECUTE format('COPY (%s) TO PROGRAM %L (FORMAT binary)', query, 'cat > ' || path);
	TRUNCATE binary_back;
	EXECUTE format('COPY binary_back FROM PROGRAM %L (FORMAT binary)', 'cat ' || path || ' && rm -f ' || path);
	RETURN QUERY SELECT s::text FROM binary_back ORDER BY id;
END
$f$;

SELECT results_eq(
  $$SELECT * FROM pg_temp.binary_copy($q$SELECT * FROM (VALUES
      (1, 'promoters=1 passives=2 detractors=3'::nps_summary),
      (2, 'promoters=0 passives=0 detractors=0'),
      (3, NULL),
      (4, 'promoters=9223372036854775807 passives=9223372036854775807 detractors=9223372036854775807'))
    AS v(id, s)$q$)$$,
  $$VALUES ('promoters=1 passives=2 detractors=3'), ('promoters=0 passives=0 detractors=0'), (NULL),
           ('promoters=9223372036854775807 passives=9223372036854775807 detractors=9223372036854775807')$$,
  'nps_summary: COPY binary round trip, NULL and bigint max included');
SELECT results_eq(
  $$SELECT * FROM pg_temp.binary_copy($q$SELECT 1, '\x000000000000000a00000000000000140000000000000001'::bytea$q$)$$,
  $$VALUES ('promoters=10 passives=20 detractors=1')$$,
  'nps_summary_recv: hand-made bytes 10, 20, 1');
SELECT throws_ok(
  $$SELECT pg_temp.binary_copy($q$SELECT 1, '\xffffffffffffffff00000000000000000000000000000000'::bytea$q$)$$,
  '22023', 'promoters must not be negative', 'nps_summary_recv: a negative count is rejected');
SELECT throws_ok(
  $$SELECT pg_temp.binary_copy($q$SELECT 1, '\x00000000000000000000000000000000ffffffffffffffff'::bytea$q$)$$,
  '22023', 'detractors must not be negative', 'nps_summary_recv: a negative last count is rejected');
SELECT throws_ok(
  $$SELECT pg_temp.binary_copy($q$SELECT 1, '\x00000000000000010000000000000002'::bytea$q$)$$,
  '08P01', NULL::text, 'nps_summary_recv: 16 bytes are too few');
SELECT throws_ok(
  $$SELECT pg_temp.binary_copy($q$SELECT 1, '\x0000000000000001000000000000000200000000000000030000000000000004'::bytea$q$)$$,
  '22P03', NULL::text, 'nps_summary_recv: 32 bytes are too many');

-- accessors -------------------------------------------------------------------

SELECT is(promoters('promoters=3 passives=2 detractors=1'), 3::bigint, 'promoters()');
SELECT is(passives('promoters=3 passives=2 detractors=1'), 2::bigint, 'passives()');
SELECT is(detractors('promoters=3 passives=2 detractors=1'), 1::bigint, 'detractors()');
SELECT is(responses('promoters=3 passives=2 detractors=1'), 6::bigint, 'responses(): 3 + 2 + 1 = 6');
SELECT is(nps('promoters=3 passives=2 detractors=1'::nps_summary), 200::float8 / 6,
          'nps(nps_summary): 100 * (3 - 1) / 6 = 33.33...');
SELECT is(nps('promoters=0 passives=5 detractors=0'::nps_summary), 0::float8, 'nps(nps_summary): passives only, 0');
SELECT is(responses('promoters=0 passives=0 detractors=0'), 0::bigint, 'responses(): zeros');
SELECT ok(nps('promoters=0 passives=0 detractors=0'::nps_summary) IS NULL, 'nps(nps_summary): no responses gives NULL');
SELECT is(responses('promoters=9223372036854775806 passives=1 detractors=0'), 9223372036854775807,
          'responses(): exactly bigint max');
SELECT ok(promoters(NULL) IS NULL AND passives(NULL) IS NULL AND detractors(NULL) IS NULL
          AND responses(NULL) IS NULL AND nps(NULL::nps_summary) IS NULL, 'accessors: STRICT');
SELECT throws_ok($$SELECT responses('promoters=9223372036854775807 passives=0 detractors=1')$$, '22003', NULL::text,
                 'responses(): a total beyond bigint is out of range');
SELECT throws_ok($$SELECT nps('promoters=9223372036854775807 passives=1 detractors=0'::nps_summary)$$, '22003',
                 'number of responses is out of range for type bigint', 'nps(nps_summary): a total beyond bigint');

-- the aggregates ---------------------------------------------------------------

CREATE TEMP TABLE answers(i integer, day date, score integer);
INSERT INTO answers VALUES
  (1, '2026-01-01', 10), (2, '2026-01-01', 9), (3, '2026-01-01', 6),
  (4, '2026-01-02', 8), (5, '2026-01-02', 7), (6, '2026-01-02', 0),
  (7, '2026-01-03', 10), (8, '2026-01-03', NULL);

-- 10, 9, 10 promote; 8, 7 are passive; 6, 0 detract; NULL is ignored
SELECT is(nps(score), 100::float8 / 7, 'nps(score): 100 * (3 - 2) / 7') FROM answers;
SELECT is(nps_agg(score)::text, 'promoters=3 passives=2 detractors=2', 'nps_agg(score): 3, 2, 2') FROM answers;
SELECT is(nps(nps_agg(score)), nps(score), 'nps(nps_agg(score)) = nps(score) in one query') FROM answers;
SELECT results_eq($$SELECT day, nps_agg(score)::text, nps(score) FROM answers GROUP BY day ORDER BY day$$,
                  $$VALUES ('2026-01-01'::date, 'promoters=2 passives=0 detractors=1', 100::float8 / 3),
                           ('2026-01-02', 'promoters=0 passives=2 detractors=1', -100::float8 / 3),
                           ('2026-01-03', 'promoters=1 passives=0 detractors=0', 100::float8)$$,
                  'nps_agg and nps GROUP BY day: (2 - 1) / 3, (0 - 1) / 3, 1 / 1');
-- each score 0 to 10 once: 2 promoters, 2 passives, 7 detractors
SELECT is(nps(s), -500::float8 / 11, 'nps: 0..10 once each, 100 * (2 - 7) / 11') FROM generate_series(0, 10) AS s;
SELECT is(nps_agg(s)::text, 'promoters=2 passives=2 detractors=7', 'nps_agg: 0..10 once each')
  FROM generate_series(0, 10) AS s;
SELECT is(nps(DISTINCT s % 11), -500::float8 / 11, 'nps(DISTINCT): 0..10 repeated counts once each')
  FROM generate_series(0, 109) AS s;
SELECT is(nps(score ORDER BY score DESC), 100::float8 / 7, 'nps(score ORDER BY score)') FROM answers;
SELECT is(nps(score) FILTER (WHERE day > '2026-01-01'), 0::float8, 'nps FILTER: days 2 and 3, (1 - 1) / 4')
  FROM answers;
SELECT is(nps(s), 100::float8, 'nps: promoters only') FROM (VALUES (9), (10), (10)) AS v(s);
SELECT is(nps(s), -100::float8, 'nps: detractors only') FROM (VALUES (0), (6), (3)) AS v(s);
SELECT is(nps(s), 0::float8, 'nps: passives only') FROM (VALUES (7), (8)) AS v(s);
SELECT ok(nps(score) IS NULL, 'nps: no rows gives NULL') FROM answers WHERE false;
SELECT ok(nps(score) IS NULL, 'nps: only NULL scores gives NULL') FROM answers WHERE score IS NULL;
SELECT is(nps_agg(score)::text, 'promoters=0 passives=0 detractors=0', 'nps_agg: no rows gives zeros')
  FROM answers WHERE false;
SELECT is(nps_agg(score)::text, 'promoters=0 passives=0 detractors=0', 'nps_agg: only NULL scores gives zeros')
  FROM answers WHERE score IS NULL;
SELECT throws_ok('SELECT nps(s) FROM (VALUES (10), (11)) AS v(s)', '22023', 'NPS score must be between 0 and 10',
                 'nps: score 11');
SELECT throws_ok('SELECT nps(s) FROM (VALUES (0), (-1)) AS v(s)', '22023', 'NPS score must be between 0 and 10',
                 'nps: score -1');
SELECT throws_ok('SELECT nps_agg(s) FROM (VALUES (10), (11)) AS v(s)', '22023', 'NPS score must be between 0 and 10',
                 'nps_agg: score 11');
SELECT throws_ok('SELECT nps_agg(s) FROM (VALUES (-1), (NULL)) AS v(s)', '22023', 'NPS score must be between 0 and 10',
                 'nps_agg: score -1');

-- as window functions: the state is updated in place, and restarted when the
-- frame head moves, so running and sliding frames both must come out right
SELECT results_eq($$SELECT nps_agg(score) OVER (ORDER BY i)::text FROM answers ORDER BY i$$,
                  $$VALUES ('promoters=1 passives=0 detractors=0'), ('promoters=2 passives=0 detractors=0'),
                           ('promoters=2 passives=0 detractors=1'), ('promoters=2 passives=1 detractors=1'),
                           ('promoters=2 passives=2 detractors=1'), ('promoters=2 passives=2 detractors=2'),
                           ('promoters=3 passives=2 detractors=2'), ('promoters=3 passives=2 detractors=2')$$,
                  'nps_agg OVER (ORDER BY i): running counts');
-- pairs (10), (10 9), (9 6), (6 8), (8 7), (7 0), (0 10), (10 NULL)
SELECT results_eq($$SELECT nps(score) OVER (ORDER BY i ROWS 1 PRECEDING) FROM answers ORDER BY i$$,
                  $$VALUES (100::float8), (100), (0), (-50), (0), (-50), (0), (100)$$,
                  'nps OVER (ROWS 1 PRECEDING): sliding pairs');
SELECT results_eq($$SELECT nps_agg(score) OVER (PARTITION BY day)::text FROM answers ORDER BY i$$,
                  $$VALUES ('promoters=2 passives=0 detractors=1'), ('promoters=2 passives=0 detractors=1'),
                           ('promoters=2 passives=0 detractors=1'), ('promoters=0 passives=2 detractors=1'),
                           ('promoters=0 passives=2 detractors=1'), ('promoters=0 passives=2 detractors=1'),
                           ('promoters=1 passives=0 detractors=0'), ('promoters=1 passives=0 detractors=0')$$,
                  'nps_agg OVER (PARTITION BY day)');

-- rollup(nps_summary) -------------------------------------------------------------

CREATE TEMP TABLE daily AS SELECT day, nps_agg(score) AS summary FROM answers GROUP BY day;
SELECT is(rollup(summary)::text, 'promoters=3 passives=2 detractors=2', 'rollup: daily summaries add up') FROM daily;
SELECT is(nps(rollup(summary)), 100::float8 / 7, 'nps(rollup): = nps of all scores, (3 - 2) / 7') FROM daily;
SELECT is(rollup(summary)::text, 'promoters=0 passives=0 detractors=0', 'rollup: no rows gives zeros')
  FROM daily WHERE false;
SELECT is(rollup(s)::text, 'promoters=5 passives=7 detractors=9', 'rollup: NULL summaries are skipped')
  FROM (VALUES ('promoters=1 passives=2 detractors=3'::nps_summary), (NULL),
               ('promoters=4 passives=5 detractors=6')) AS v(s);
SELECT is(rollup(s)::text, 'promoters=9223372036854775807 passives=0 detractors=0', 'rollup: up to exactly bigint max')
  FROM (VALUES ('promoters=9223372036854775806 passives=0 detractors=0'::nps_summary),
               ('promoters=1 passives=0 detractors=0')) AS v(s);
SELECT throws_ok($$SELECT rollup(s) FROM (VALUES ('promoters=9223372036854775807 passives=0 detractors=0'::nps_summary),
                                                 ('promoters=1 passives=0 detractors=0')) AS v(s)$$,
                 '22003', 'number of NPS responses is out of range for type bigint', 'rollup: promoters overflow');
SELECT throws_ok($$SELECT rollup(s) FROM (VALUES ('promoters=0 passives=5000000000000000000 detractors=0'::nps_summary),
                                                 ('promoters=0 passives=5000000000000000000 detractors=0')) AS v(s)$$,
                 '22003', 'number of NPS responses is out of range for type bigint', 'rollup: passives overflow');
SELECT throws_ok($$SELECT rollup(s) FROM (VALUES ('promoters=0 passives=0 detractors=9223372036854775807'::nps_summary),
                                                 ('promoters=0 passives=0 detractors=9223372036854775807')) AS v(s)$$,
                 '22003', 'number of NPS responses is out of range for type bigint', 'rollup: detractors overflow');
SELECT results_eq($$SELECT rollup(summary) OVER (ORDER BY day)::text FROM daily ORDER BY day$$,
                  $$VALUES ('promoters=2 passives=0 detractors=1'), ('promoters=2 passives=2 detractors=2'),
                           ('promoters=3 passives=2 detractors=2')$$,
                  'rollup OVER (ORDER BY day): running totals');

-- the transition and combine functions called directly must not change their
-- argument: here it is a datum pointing into a table row
CREATE TEMP TABLE stored(s nps_summary);
INSERT INTO stored VALUES ('promoters=1 passives=1 detractors=1');
SELECT results_eq($$SELECT nps_summary_add(s, 10)::text, nps_summary_add(s, 7)::text, nps_summary_add(s, 0)::text,
                           nps_summary_combine(s, s)::text, s::text FROM stored$$,
                  $$VALUES ('promoters=2 passives=1 detractors=1', 'promoters=1 passives=2 detractors=1',
                            'promoters=1 passives=1 detractors=2', 'promoters=2 passives=2 detractors=2',
                            'promoters=1 passives=1 detractors=1')$$,
                  'nps_summary_add / _combine as plain functions leave their argument alone');
SELECT is(s::text, 'promoters=1 passives=1 detractors=1', 'the stored summary is unchanged afterwards') FROM stored;
SELECT throws_ok($$SELECT nps_summary_add('promoters=9223372036854775807 passives=0 detractors=0', 9)$$, '22003',
                 'number of NPS responses is out of range for type bigint', 'nps_summary_add: promoters overflow');
SELECT is(nps_summary_add('promoters=9223372036854775807 passives=0 detractors=0', 8)::text,
          'promoters=9223372036854775807 passives=1 detractors=0', 'nps_summary_add: a passive next to bigint max');
SELECT throws_ok($$SELECT nps_summary_add('promoters=0 passives=0 detractors=0', 11)$$, '22023',
                 'NPS score must be between 0 and 10', 'nps_summary_add: score 11');

-- many groups with a tiny work_mem: the hash aggregate spills its states to
-- disk and must still add up; checked against plain counts
CREATE TEMP TABLE many AS SELECT i, (i * 7 + i / 13) % 11 AS score FROM generate_series(1, 40000) AS i;
ANALYZE many;
SET LOCAL work_mem = '64kB';
SET LOCAL enable_sort = off;
CREATE FUNCTION pg_temp.explain_analyze(query text) RETURNS SETOF text LANGUAGE plpgsql AS $f$
BEGIN
	RETURN QUERY EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || query;
END
$f$;
SELECT ok(bool_or(line ~ 'HashAggregate') AND bool_or(line ~ 'Disk Usage'), 'the grouped nps_agg spills a hash aggregate')
  FROM pg_temp.explain_analyze('SELECT i % 4000, nps_agg(score) FROM many GROUP BY 1') AS line;
SELECT set_eq($$SELECT i % 4000, nps_agg(score)::text, nps(score) FROM many GROUP BY 1$$,
              $$SELECT i,
                         format('promoters=%s passives=%s detractors=%s', p, n, d),
                         100 * (p - d)::float8 / (p + n + d)
                  FROM (SELECT i % 4000 AS i, count(*) FILTER (WHERE score >= 9) AS p,
                               count(*) FILTER (WHERE score IN (7, 8)) AS n,
                               count(*) FILTER (WHERE score <= 6) AS d
                        FROM many GROUP BY 1) AS counts$$,
              'spilled hash aggregate: every group equals its plain counts');
RESET work_mem;
RESET enable_sort;

SELECT * FROM finish();
ROLLBACK;
