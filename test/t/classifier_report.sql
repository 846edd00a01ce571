-- pgTAP: classifier_report(score, label).  A hand-computed example with
-- ties; generated scores against the plain-SQL reference
-- (test/reference/classifier_report.sql: the AUC as the Mann-Whitney U by
-- the rank-sum formula) and against a count of all pairs; deciles against
-- ntile(); edge cases and errors.
BEGIN;
SET client_min_messages = warning;
\i test/reference/book.sql
\i test/reference/classifier_report.sql
SELECT plan(36);

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
SELECT is(length(s::text), 2 + 2 * (32 + 16 + 10 * 8), 'classifier_scores: a 32-byte header, 10 labels (16 bytes), 10 scores')
FROM states;
SELECT throws_ok($$SELECT overlay(s::text placing '01' from 3 + 2 * 44 for 2)::classifier_scores FROM states$$,
                 '22P03', 'invalid classifier_scores value: bad label', 'a label in the padding');
SELECT throws_ok($$SELECT overlay(s::text placing 'f07f' from 3 + 2 * 54 for 4)::classifier_scores FROM states$$,
                 '22P03', 'invalid classifier_scores value: a value is not finite', 'a NaN score');
SELECT throws_ok($$SELECT overlay(s::text placing '02' from 3 + 2 * 8 for 2)::classifier_scores FROM states$$,
                 '22P03', 'invalid classifier_scores value: bad header', 'two values a row');
SELECT throws_ok($$SELECT overlay(s::text placing '01' from 3 + 2 * 6 for 2)::classifier_scores FROM states$$,
                 '22P03', 'invalid classifier_scores value: unknown version', 'logistic rows read as scores');
SELECT throws_ok($$SELECT '\x'::classifier_scores$$, '22P03', 'invalid classifier_scores value: wrong length', 'empty');

DROP TABLE cr_scores, cr_small, cr_distinct;
SELECT * FROM finish();
ROLLBACK;
