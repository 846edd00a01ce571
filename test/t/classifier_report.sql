-- pgTAP: classifier_report(score, label).  A hand-computed example with
-- ties; generated scores against the plain-SQL reference
-- (test/reference/classifier_report.sql: the AUC as the Mann-Whitney U by
-- the rank-sum formula) and against a count of all pairs; deciles against
-- ntile(); edge cases and errors.
BEGIN;
SET client_min_messages = warning;
\i test/reference/book.sql
\i test/reference/classifier_report.sql
SELECT plan(46);

-- ---------------------------------------------------------------- by hand
CREATE TEMP TABLE hand(score float8, label boolean);
INSERT INTO hand VALUES (0.9, true), (0.8, true), (0.8, false), (0.7, false), (0.6, true),
                        (0.5, false), (0.5, false), (0.3, true), (0.2, false), (0.1, false);
CREATE TEMP TABLE hand_report AS SELECT classifier_report(score, label) AS r FROM hand;
-- U: 0.9 beats 6 negatives, 0.8 beats 5 and ties 1, 0.6 beats 4, 0.3 beats 2: 17.5 of 4 * 6
SELECT results_eq($$SELECT (r).rows, (r).positives, (r).base_rate, (r).auc FROM hand_report$$,
                  $$VALUES (10::bigint, 4::bigint, 0.4::float8, 17.5 / 24::float8)$$,
                  'by hand: rows, positives, base rate, AUC = 17.5 / 24 (a tie counts half)');
SELECT is(round((r).log_loss::numeric, 14),
          round((-(ln(0.9) + ln(0.8) + ln(0.6) + ln(0.3) + ln(0.2) + ln(0.3) + ln(0.5) + ln(0.5) + ln(0.8) + ln(0.9)) / 10)::numeric, 14),
          'by hand: log loss = -mean(ln p of the outcome)') FROM hand_report;
SELECT is(round((r).brier_score::numeric, 15), 0.238, 'by hand: Brier score = (0.01 + 0.04 + 0.64 + 0.49 + 0.16 + 0.25 + 0.25 + 0.49 + 0.04 + 0.01) / 10')
FROM hand_report;
-- deciles of one row each; the tie at 0.8 (one churner) spans deciles 2-3,
-- the tie at 0.5 deciles 6-7
SELECT results_eq(
  $$SELECT decile, rows, positives, churn_rate, lift, cumulative_share, min_score, max_score
    FROM hand_report, classifier_deciles(r)$$,
  $$VALUES (1, 1::float8, 1::float8, 1::float8, 2.5::float8, 0.25::float8, 0.9::float8, 0.9::float8),
           (2, 1, 0.5, 0.5, 1.25, 0.375, 0.8, 0.8), (3, 1, 0.5, 0.5, 1.25, 0.5, 0.8, 0.8),
           (4, 1, 0, 0, 0, 0.5, 0.7, 0.7), (5, 1, 1, 1, 2.5, 0.75, 0.6, 0.6),
           (6, 1, 0, 0, 0, 0.75, 0.5, 0.5), (7, 1, 0, 0, 0, 0.75, 0.5, 0.5),
           (8, 1, 1, 1, 2.5, 1, 0.3, 0.3), (9, 1, 0, 0, 0, 1, 0.2, 0.2), (10, 1, 0, 0, 0, 1, 0.1, 0.1)$$,
  'by hand: deciles, ties shared half and half');
SELECT results_eq($$SELECT decile, round(cumulative_lift::numeric, 12) FROM hand_report, classifier_deciles(r) WHERE decile IN (1, 3, 5, 10)$$,
                  $$VALUES (1, 2.5), (3, round(2 / 3.0 / 0.4, 12)), (5, 1.5), (10, 1.0)$$,
                  'by hand: cumulative lift = churn rate of the top deciles / base rate');
SELECT is((SELECT array_length((r).deciles, 1) FROM hand_report), 10, 'ten deciles');

-- ---------------------------------------------------------------- against plain SQL
-- scores rounded to 0.01 (many ties), label drawn with probability score
CREATE TABLE cr_scores AS
SELECT round(ref.unit(i, 1, 3)::numeric, 2)::float8 AS score, ref.unit(i, 2, 3) < ref.unit(i, 1, 3) AS label
FROM generate_series(1, 20000) AS i;
INSERT INTO cr_scores VALUES (NULL, true), (0.5, NULL);
CREATE TEMP TABLE cr AS SELECT classifier_report(score, label) AS r FROM cr_scores;
CREATE TEMP TABLE cr_ref AS SELECT * FROM ref.classifier_report('cr_scores');
SELECT results_eq($$SELECT (r).rows, (r).positives FROM cr$$, $$SELECT rows, positives FROM cr_ref$$,
                  'generated, ties: rows and positives = plain SQL (NULL scores and labels skipped)');
SELECT cmp_ok(abs((r).auc - auc), '<', 1e-12::float8, 'generated, ties: AUC = the rank-sum Mann-Whitney U / (n+ n-)')
FROM cr, cr_ref;
SELECT cmp_ok(abs((r).log_loss - log_loss) / log_loss, '<', 1e-12::float8, 'generated, ties: log loss = plain SQL')
FROM cr, cr_ref;
SELECT cmp_ok(abs((r).brier_score - brier_score) / brier_score, '<', 1e-12::float8, 'generated, ties: Brier score = plain SQL')
FROM cr, cr_ref;
SELECT ok(bool_and(abs(d.rows - x.rows) < 1e-9 AND abs(d.positives - x.positives) < 1e-9
                   AND d.min_score = x.min_score AND d.max_score = x.max_score),
          'generated, ties: deciles (rows, churners shared in proportion, score ranges) = plain SQL')
FROM cr, classifier_deciles(r) d JOIN ref.classifier_deciles('cr_scores') x USING (decile);
SELECT ok(bool_and(abs(lift - churn_rate / (r).base_rate) < 1e-12), 'lift = churn rate / base rate')
FROM cr, classifier_deciles(r);
-- the AUC by counting pairs, on the first 600 rows
CREATE TABLE cr_small AS SELECT * FROM cr_scores WHERE score IS NOT NULL AND label IS NOT NULL LIMIT 600;
SELECT is((SELECT (classifier_report(score, label)).auc FROM cr_small),
          (SELECT (sum(CASE WHEN p.score > n.score THEN 1 WHEN p.score = n.score THEN 0.5 ELSE 0 END)
                   / count(*))::float8
           FROM cr_small p JOIN cr_small n ON p.label AND NOT n.label),
          'AUC = the share of (churner, non-churner) pairs ranked right, ties half');

-- distinct scores, n a multiple of 10: deciles are ntile(10)
CREATE TABLE cr_distinct AS
SELECT ref.unit(i, 1, 5) AS score, ref.unit(i, 2, 5) < 0.2 + 0.6 * ref.unit(i, 1, 5) AS label
FROM generate_series(1, 5000) AS i;
SELECT results_eq(
  $$SELECT decile, rows, positives FROM (SELECT classifier_report(score, label) AS r FROM cr_distinct) s, classifier_deciles(r)$$,
  $$SELECT t, count(*)::float8, (count(*) FILTER (WHERE label))::float8
    FROM (SELECT label, ntile(10) OVER (ORDER BY score DESC) AS t FROM cr_distinct) x GROUP BY t ORDER BY t$$,
  'distinct scores: deciles = ntile(10) over score descending, whole counts');

-- ---------------------------------------------------------------- edge cases
SELECT is((SELECT classifier_report(score, label) FROM hand WHERE false), NULL, 'no rows: NULL');
SELECT is((SELECT classifier_report(score, NULL) FROM hand), NULL, 'every row skipped: NULL');
SELECT results_eq($$SELECT (r).auc, (r).positives, round((r).log_loss::numeric, 12)
                    FROM (SELECT classifier_report(score, false) AS r FROM hand) s$$,
                  $$VALUES (NULL::float8, 0::bigint, round((-(ln(0.1) + 2 * ln(0.2) + ln(0.3) + ln(0.4) + 2 * ln(0.5) + ln(0.7) + ln(0.8) + ln(0.9)) / 10)::numeric, 12))$$,
                  'one label only: no AUC, but a log loss');
SELECT results_eq($$SELECT decile, lift, cumulative_share FROM (SELECT classifier_report(score, false) AS r FROM hand) s, classifier_deciles(r) WHERE decile = 1$$,
                  $$VALUES (1, NULL::float8, NULL::float8)$$, 'no churners: lift and share are NULL');
SELECT results_eq($$SELECT (r).auc, (r).log_loss, (r).brier_score FROM (SELECT classifier_report(score * 10, label) AS r FROM hand) s$$,
                  $$VALUES (17.5 / 24::float8, NULL::float8, NULL::float8)$$,
                  'scores outside [0, 1]: the same AUC, no log loss or Brier score');
SELECT results_eq($$SELECT (r).auc, (r).log_loss, (r).brier_score FROM (SELECT classifier_report(-score, label) AS r FROM hand) s$$,
                  $$VALUES (6.5 / 24::float8, NULL::float8, NULL::float8)$$,
                  'reversed scores: AUC = 1 - 17.5 / 24');
SELECT is((SELECT (classifier_report(0.3, label)).auc FROM hand), 0.5::float8, 'a constant score: AUC 0.5');
SELECT is((SELECT (classifier_report(CASE WHEN label THEN 1 ELSE 0 END, label)).auc FROM hand), 1::float8, 'a perfect score: AUC 1');
SELECT results_eq($$SELECT (r).log_loss, (r).brier_score FROM (SELECT classifier_report(s, l) AS r FROM (VALUES (0::float8, true), (0.5, false)) v(s, l)) x$$,
                  $$VALUES ('Infinity'::float8, 0.625::float8)$$,
                  'a churner scored 0: log loss Infinity, Brier score (1 + 0.25) / 2');
SELECT results_eq($$SELECT (r).log_loss, (r).brier_score FROM (SELECT classifier_report(s, l) AS r FROM (VALUES (1::float8, true), (0, false)) v(s, l)) x$$,
                  $$VALUES (0::float8, 0::float8)$$, 'certain and right: log loss 0, Brier score 0');
SELECT results_eq($$SELECT decile, rows, round(positives::numeric, 12) FROM (SELECT classifier_report(s, l) AS r FROM (VALUES (0.9::float8, true), (0.1, false), (0.5, true)) v(s, l)) x, classifier_deciles(r) WHERE decile IN (1, 4, 7, 10)$$,
                  $$VALUES (1, 0.3::float8, 0.3), (4, 0.3, 0.3), (7, 0.3, 0.2), (10, 0.3, 0)$$,
                  'three rows: deciles of 0.3 rows; decile 4 holds 0.1 of the first row and 0.2 of the second, decile 7 0.2 of the second and 0.1 of the third');
SELECT throws_ok($$SELECT classifier_report('NaN', true)$$, '22023', 'score must be a finite number', 'a NaN score');
SELECT throws_ok($$SELECT classifier_report('-Infinity', true)$$, '22023', 'score must be a finite number', 'an infinite score');
SELECT throws_ok($$SELECT classifier_scores_add(NULL, 0.5, true)$$, '0A000',
                 'classifier_scores_add can only be called by an aggregate', 'direct call of the transition function');
SELECT throws_ok($$SELECT classifier_scores_combine(NULL, NULL)$$, '0A000',
                 'classifier_scores_combine can only be called by an aggregate', 'direct call of the combine function');

-- ---------------------------------------------------------------- the state's I/O
CREATE AGGREGATE pg_temp.score_states(float8, boolean) (
    SFUNC = classifier_scores_add, STYPE = classifier_scores, COMBINEFUNC = classifier_scores_combine);
CREATE TEMP TABLE states AS SELECT pg_temp.score_states(score, label) AS s FROM hand;
SELECT is(classifier_report(s::text::classifier_scores), (SELECT r FROM hand_report), 'classifier_scores text round trip')
FROM states;
SELECT is(length(s::text), 4 * ceil((22 + 10 + 10 * 8) / 3.0)::int,
          'classifier_scores: the text form is the base64 of a 22-byte header, 10 labels and 10 scores')
FROM states;

\ir lib/binary_input.sql
-- Scores written by hand in network byte order (the format in
-- src/labelled_rows.c): version 1, kind 2 (classifier_scores), width 1,
-- 3 rows, parameter 0, labels 1 0 1, scores 0.1, 5e-324 (the smallest
-- subnormal) and -1.5e300 as float8 bit patterns.
CREATE FUNCTION pg_temp.hand_scores(header text DEFAULT '0102' || '00000001' || '0000000000000003' || '0000000000000000',
                                    labels text DEFAULT '010001',
                                    scores text DEFAULT '3fb999999999999a' || '0000000000000001' || 'fe41eb2d66005835')
RETURNS bytea LANGUAGE sql AS $$ SELECT decode(header || labels || scores, 'hex') $$;
CREATE TEMP TABLE hand_read AS
SELECT classifier_report(pg_temp.binary_input('classifier_scores', pg_temp.hand_scores())::classifier_scores) AS r;
-- the positive 0.1 outranks the negative 5e-324, the positive -1.5e300 does not: AUC 1/2
SELECT is(ROW((r).rows, (r).positives, (r).auc), ROW(3::bigint, 2::bigint, 0.5::float8),
          'classifier_scores_recv of hand-made big-endian bytes: 3 rows, 2 positives, AUC 0.5') FROM hand_read;
SELECT results_eq($$SELECT decile, min_score, max_score FROM hand_read, classifier_deciles(r) WHERE decile IN (1, 5, 10) ORDER BY decile$$,
                  $$VALUES (1, 0.1::float8, 0.1::float8), (5, 5e-324, 5e-324), (10, -1.5e300, -1.5e300)$$,
                  'the hand-made scores read back exactly: 0.1, 5e-324, -1.5e300');
SELECT is((SELECT classifier_scores_send(pg_temp.score_states(s, l))
           FROM (VALUES (0.1::float8, true), (5e-324, false), (-1.5e300, true)) v(s, l)),
          pg_temp.hand_scores(), 'classifier_scores_send writes the hand-made bytes');
SELECT is(classifier_scores_send(s::text::classifier_scores), classifier_scores_send(s),
          'classifier_scores: extreme and inexact scores keep their bits through the text form')
FROM (SELECT pg_temp.score_states(v, i % 2 = 0) AS s
      FROM unnest(ARRAY[5e-324, -1e-300, 1.7976931348623157e308, '-0'::float8, 0.1, 1 / 3::float8]) WITH ORDINALITY AS u(v, i)) x;

SELECT throws_ok(format('SELECT encode(pg_temp.hand_scores(%L, %L, %L), %L)::classifier_scores',
                        coalesce(header, '0102' || '00000001' || '0000000000000003' || '0000000000000000'),
                        coalesce(labels, '010001'),
                        coalesce(scores, '3fb999999999999a' || '0000000000000001' || 'fe41eb2d66005835'), 'base64'),
                 '22P03', 'invalid classifier_scores value: ' || message, 'text input refuses ' || what)
FROM (VALUES
  ('0202' || '00000001' || '0000000000000003' || '0000000000000000', NULL, NULL, 'unknown version', 'another version'),
  ('0101' || '00000001' || '0000000000000003' || '0000000000000000', NULL, NULL, 'not classifier scores', 'logistic rows'),
  ('0102' || '00000002' || '0000000000000003' || '0000000000000000', NULL, NULL, 'bad width', 'two values a row'),
  ('0102' || '00000001' || '0000000000000003' || '3ff0000000000000', NULL, NULL, 'bad parameter', 'a parameter'),
  ('0102' || '00000001' || '0000000000000004' || '0000000000000000', NULL, NULL, 'bad row count', 'a row missing'),
  (NULL, '010003', NULL, 'bad label', 'a label that is not 0 or 1'),
  (NULL, NULL, '3fb999999999999a' || '7ff8000000000001' || 'fe41eb2d66005835', 'a value is not finite', 'a NaN score'),
  (NULL, NULL, '3fb999999999999a' || '0000000000000001' || 'fe41eb2d66005835' || '00', 'trailing bytes', 'a byte after the scores')
) AS t(header, labels, scores, message, what);
SELECT throws_ok($$SELECT pg_temp.binary_input('classifier_scores', pg_temp.hand_scores(scores => '3fb999999999999a' || '7ff0000000000000' || '00'))$$,
                 '22P03', 'invalid classifier_scores value: bad row count', 'binary input refuses a value cut short');
SELECT throws_ok($$SELECT pg_temp.binary_input('classifier_scores', pg_temp.hand_scores(labels => '010101', scores => '3fb999999999999a' || '7ff0000000000000' || '0000000000000000'))$$,
                 '22P03', 'invalid classifier_scores value: a value is not finite', 'binary input refuses an infinite score');
SELECT throws_ok($$SELECT 'not base64!'::classifier_scores$$, '22P02', 'invalid input syntax for type classifier_scores',
                 'text that is not base64');

DROP TABLE cr_scores, cr_small, cr_distinct;
SELECT * FROM finish();
ROLLBACK;
