-- The examples of docs/churn_signals.md, run as written: each function on
-- a few rows, then the whole loop on the demo book (demo/book.sql,
-- demo/usage.sql, demo/churn.sql).
SET DateStyle = ISO;
SET TimeZone = 'UTC';

-- engagement
CREATE TABLE events(customer_id bigint, occurred_at timestamptz, feature text, quantity numeric);
INSERT INTO events VALUES
  (1, '2026-02-02 09:15', 'reports',    3), (1, '2026-02-02 16:40', 'dashboards', 1),
  (1, '2026-02-20 11:05', 'reports',    2), (1, '2026-02-27 10:30', 'exports',    5),
  (1, '2026-01-12 14:00', 'reports',    1), (1, '2026-03-02 08:00', 'alerts',     1),
  (2, '2026-01-08 10:00', 'dashboards', 1), (2, '2026-01-09 10:00', 'dashboards', 1),
  (2, '2026-01-21 15:00', 'reports',    4), (2, '2026-02-03 09:00', 'dashboards', 1),
  (3, '2026-03-05 12:00', 'dashboards', 2);
SELECT customer_id, (engagement(occurred_at, feature, quantity, '2026-03-01', '28 days')).*
FROM events GROUP BY customer_id ORDER BY customer_id;
SELECT customer_id, feature_share(engagement(occurred_at, feature, quantity, '2026-03-01', '28 days'), 6)
FROM events GROUP BY customer_id ORDER BY customer_id;

-- logistic_fit
CREATE TABLE snapshots(customer_id bigint, churned boolean, days_since_last_event integer, active_days integer);
INSERT INTO snapshots VALUES
  (1, false, 1, 20), (2, false, 2, 18), (3, false, 0, 25), (4, false, 5, 12), (5, false, 3, 15),
  (6, false, 9, 8), (7, false, 1, 22), (8, true, 14, 3), (9, true, 30, 0), (10, true, 6, 9),
  (11, true, 21, 2), (12, false, 12, 6), (13, true, 2, 14), (14, false, 20, 4);
SELECT (m).coefficients, (m).std_errors, (m).log_likelihood, (m).iterations, (m).converged
FROM (SELECT logistic_fit(churned, ARRAY[days_since_last_event, active_days]) AS m FROM snapshots) AS f;
SELECT t.* FROM (SELECT logistic_fit(churned, ARRAY[days_since_last_event, active_days]) AS m FROM snapshots) AS f,
     logistic_terms(f.m) AS t;
SELECT s.customer_id, s.churned,
       round(logistic_predict(f.m, ARRAY[days_since_last_event, active_days])::numeric, 3) AS probability,
       logistic_contributions(f.m, ARRAY[days_since_last_event, active_days])::numeric(6,2)[] AS contributions
FROM snapshots AS s, (SELECT logistic_fit(churned, ARRAY[days_since_last_event, active_days]) AS m FROM snapshots) AS f
ORDER BY probability DESC LIMIT 4;
-- separation: without customers 10 and 13, active_days alone tells churners (3 days or fewer) from the others
SELECT (m).converged, (m).reason, (m).std_errors
FROM (SELECT logistic_fit(churned, ARRAY[active_days]) AS m FROM snapshots WHERE customer_id NOT IN (10, 13)) AS f;
SELECT (m).converged, (m).coefficients
FROM (SELECT logistic_fit(churned, ARRAY[active_days], 1) AS m FROM snapshots WHERE customer_id NOT IN (10, 13)) AS f;

-- classifier_report
CREATE TABLE scored(score float8, churned boolean);
INSERT INTO scored VALUES (0.9, true), (0.8, true), (0.8, false), (0.7, false), (0.6, true),
                          (0.5, false), (0.5, false), (0.3, true), (0.2, false), (0.1, false);
SELECT (r).rows, (r).positives, (r).base_rate, (r).auc, (r).log_loss, (r).brier_score
FROM (SELECT classifier_report(score, churned) AS r FROM scored) AS c;
SELECT d.* FROM (SELECT classifier_report(score, churned) AS r FROM scored) AS c, classifier_deciles(c.r) AS d
WHERE d.decile <= 4;

-- the loop on the demo book
\set ECHO none
\i demo/book.sql
\i demo/usage.sql
\i demo/churn.sql
\set ECHO all
SELECT count(*) AS events, count(DISTINCT customer_id) AS customers, min(occurred_at)::date AS first_day,
       max(occurred_at)::date AS last_day
FROM usage_events;
SELECT count(*) AS snapshots, count(*) FILTER (WHERE churned) AS churned, min(day) AS first_day, max(day) AS last_day
FROM churn_snapshots;
SELECT churned, count(*) AS snapshots,
       round(avg((e).days_since_last_event), 1) AS days_since_last_event,
       round(avg((e).active_days), 1) AS active_days,
       round(avg((e).events_per_active_day)::numeric, 2) AS events_per_active_day,
       round(avg(feature_share(e, plan_features))::numeric, 2) AS feature_share,
       round(avg((e).trend)::numeric, 2) AS trend
FROM churn_snapshots GROUP BY churned ORDER BY churned;
SELECT t.term, f.name AS feature, round(t.coefficient::numeric, 4) AS coefficient,
       round(t.std_error::numeric, 4) AS std_error, round(t.z::numeric, 1) AS z,
       round(exp(t.coefficient * coalesce((m.model).feature_scales[t.term], 0))::numeric, 2) AS odds_ratio_per_sd
FROM churn_models AS m, logistic_terms(m.model) AS t
LEFT JOIN unnest(ARRAY['days since last event', 'active days', 'events per active day', 'feature share',
                       'trend', 'tenure (months)', 'ln MRR']) WITH ORDINALITY AS f(name, term) USING (term)
WHERE m.name = 'backtest' ORDER BY t.term;
SELECT scores, (report).rows AS snapshots, (report).positives AS churned,
       round((report).auc::numeric, 3) AS auc, round((report).log_loss::numeric, 4) AS log_loss,
       round((report).brier_score::numeric, 4) AS brier_score
FROM churn_backtest ORDER BY (report).auc DESC;
SELECT d.decile, round(d.rows) AS snapshots, round(d.positives::numeric, 1) AS churned,
       round(100 * d.churn_rate::numeric, 1) AS "churn %", round(d.lift::numeric, 2) AS lift,
       round(100 * d.cumulative_share::numeric, 1) AS "% of churners so far"
FROM churn_backtest AS b, classifier_deciles(b.report) AS d
WHERE b.scores LIKE 'model%' ORDER BY d.decile;
SELECT round((b.report).auc::numeric, 3) AS auc_of_raw_days_since_last_event
FROM (SELECT classifier_report(coalesce((e).days_since_last_event, day - signed_up), churned) AS report
      FROM churn_snapshots WHERE day >= date '2026-01-01') AS b;
SELECT customer_id, name, mrr, churn_probability, mrr_at_risk, top_drivers
FROM churn_risk ORDER BY mrr_at_risk DESC, customer_id LIMIT 8;
SELECT count(*) AS customers, sum(mrr) AS mrr, round(sum(mrr_at_risk), 2) AS mrr_at_risk
FROM churn_risk;

-- the tests share one database: leave nothing behind
\set ECHO none
DROP MATERIALIZED VIEW churn_risk;
DROP TABLE churn_snapshots, churn_models, churn_backtest;
DROP FUNCTION churn_labels(date, interval), active_customers(date), churn_features(engagement, integer, date, date, numeric);
DROP TABLE usage_events, plan_features;
DROP VIEW month_end_customers;
DROP TABLE nps_responses, acquisition_spend, subscriptions, customers;
DROP TABLE events, snapshots, scored;
