-- demo/churn.sql: a churn-risk model learned from the demo book's own
-- history and proven on it (run after demo/book.sql and demo/usage.sql).
-- docs/churn_signals.md walks through these steps.
--
--   1. labels, from the subscription book: who is active on a day
--      (customers_at), and who of them has left h later;
--   2. snapshots: each active customer's engagement features as of the
--      first day of each month, 2025-01 to 2026-07, and its label;
--   3. the backtest: a model fitted on the snapshots whose labels were known
--      by the cut-off (2026-01-01), scored on the snapshots after it, against
--      "days since last event" alone;
--   4. the model of all labelled snapshots, and the risk list of today.
--
-- Days of usage events are UTC days.

SET client_min_messages = warning;
SET TimeZone = 'UTC';

DROP MATERIALIZED VIEW IF EXISTS churn_risk;
DROP TABLE IF EXISTS churn_snapshots, churn_models, churn_backtest;
DROP FUNCTION IF EXISTS churn_labels(subscription_book, date, interval),
                        churn_features(engagement, integer, date, date, numeric);

-- 1. Labels, from the subscription book.  customers_at(book, day) lists the
-- customers active on a day with their MRR then (a row with started_at <=
-- day < ended_at, MRR > 0).  A customer active on day has churned within
-- horizon if it is not active on day + horizon (one who leaves and comes
-- back within it has not).  The book's ids are text; the demo's are bigint.
CREATE FUNCTION churn_labels(book subscription_book, day date, horizon interval)
RETURNS TABLE(customer_id bigint, mrr numeric, churned boolean)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT now_active.customer_id::bigint, now_active.mrr, later.customer_id IS NULL
    FROM customers_at(book, day) AS now_active
    LEFT JOIN customers_at(book, (day + horizon)::date) AS later
           ON later.customer_id = now_active.customer_id;
END;

-- The model's features, in one place for fitting, scoring and the risk
-- list: the engagement of the last 28 days (days since the last event, or
-- since sign-up for a customer who never used the product), tenure and
-- MRR.  trend is 1 when there is nothing to compare with.
CREATE FUNCTION churn_features(e engagement, plan_features integer, day date, signed_up date, mrr numeric)
RETURNS float8[]
LANGUAGE sql STABLE
RETURN ARRAY[coalesce(e.days_since_last_event, day - signed_up),
             e.active_days,
             coalesce(e.events_per_active_day, 0),
             feature_share(e, plan_features),
             coalesce(e.trend, 1),
             (day - signed_up) / 30.4,
             ln(mrr)]::float8[];

-- 2. Snapshots: features as of the first day of each month (events before
-- it), churned within the next 3 months, of the customers who signed up at
-- least 28 days before (a whole window of history: the first weeks are an
-- onboarding question).  plan_features is the most of any plan the
-- customer had in the window.
CREATE TABLE churn_snapshots AS
SELECT l.day, l.customer_id, l.mrr, l.churned, c.signed_up,
       (SELECT max(pf.features) FROM subscriptions AS s JOIN plan_features AS pf USING (plan)
        WHERE s.customer_id = l.customer_id AND s.started_at <= l.day
          AND coalesce(s.ended_at, 'infinity') > l.day - 28) AS plan_features,
       engagement(u.occurred_at, u.feature, u.quantity, l.day::timestamptz, '28 days') AS e
FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book FROM subscriptions) AS b,
     generate_series(date '2025-01-01', date '2026-07-01', interval '1 month') AS d,
     LATERAL (SELECT d::date AS day, cl.* FROM churn_labels(b.book, d::date, '3 months') AS cl) AS l
JOIN customers AS c USING (customer_id)
LEFT JOIN usage_events AS u ON u.customer_id = l.customer_id AND u.occurred_at < l.day::timestamptz
WHERE l.day - c.signed_up >= 28
GROUP BY l.day, l.customer_id, l.mrr, l.churned, c.signed_up;

-- 3. The backtest.  Train on the snapshots whose 3-month label was known by
-- the cut-off 2026-01-01 (day <= 2025-10-01), test on those from the
-- cut-off on; compare with one feature, days since the last event.
CREATE TABLE churn_models AS
SELECT 'backtest' AS name,
       logistic_fit(churned, churn_features(e, plan_features, day, signed_up, mrr)) AS model,
       logistic_fit(churned, ARRAY[coalesce((e).days_since_last_event, day - signed_up)]::float8[]) AS baseline
FROM churn_snapshots
WHERE day + interval '3 months' <= date '2026-01-01';

CREATE TABLE churn_backtest AS
SELECT 'model: 7 features' AS scores,
       classifier_report(logistic_predict(m.model, churn_features(e, plan_features, day, signed_up, mrr)), churned) AS report
FROM churn_snapshots, churn_models AS m
WHERE m.name = 'backtest' AND day >= date '2026-01-01'
UNION ALL
SELECT 'days since last event (logistic)',
       classifier_report(logistic_predict(m.baseline, ARRAY[coalesce((e).days_since_last_event, day - signed_up)]::float8[]), churned)
FROM churn_snapshots, churn_models AS m
WHERE m.name = 'backtest' AND day >= date '2026-01-01'
UNION ALL
SELECT 'base rate of the training snapshots',
       classifier_report((m.baseline).positives / (m.baseline).rows::float8, churned)
FROM churn_snapshots, churn_models AS m
WHERE m.name = 'backtest' AND day >= date '2026-01-01';

-- 4. The model of every labelled snapshot, for today's risk list.
INSERT INTO churn_models
SELECT 'current', logistic_fit(churned, churn_features(e, plan_features, day, signed_up, mrr)),
       logistic_fit(churned, ARRAY[coalesce((e).days_since_last_event, day - signed_up)]::float8[])
FROM churn_snapshots;

-- Today's customers (the book ends on 2026-10-31) of 28 days or more,
-- ranked by churn probability, with MRR at risk and the two features that push their
-- score up the most (coefficient x standardised value).
CREATE MATERIALIZED VIEW churn_risk AS
WITH today AS (SELECT date '2026-11-01' AS day),
now_active AS (
    SELECT c.customer_id, a.mrr, c.name, c.signed_up, t.day,
           (SELECT max(pf.features) FROM subscriptions AS s JOIN plan_features AS pf USING (plan)
            WHERE s.customer_id = c.customer_id AND s.started_at <= t.day
              AND coalesce(s.ended_at, 'infinity') > t.day - 28) AS plan_features
    FROM today AS t,
         (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book FROM subscriptions) AS b,
         customers_at(b.book, t.day) AS a JOIN customers AS c ON c.customer_id = a.customer_id::bigint
    WHERE t.day - c.signed_up >= 28
),
scored AS (
    SELECT n.customer_id, n.name, n.mrr, x,
           logistic_predict(m.model, x) AS churn_probability,
           logistic_contributions(m.model, x) AS contributions
    FROM (SELECT n.customer_id, n.name, n.mrr,
                 churn_features(engagement(u.occurred_at, u.feature, u.quantity, n.day::timestamptz, '28 days'),
                                n.plan_features, n.day, n.signed_up, n.mrr) AS x
          FROM now_active AS n
          LEFT JOIN usage_events AS u ON u.customer_id = n.customer_id AND u.occurred_at < n.day::timestamptz
          GROUP BY n.customer_id, n.name, n.mrr, n.day, n.signed_up, n.plan_features) AS n,
         churn_models AS m
    WHERE m.name = 'current'
)
SELECT s.customer_id, s.name, s.mrr, round(s.churn_probability::numeric, 3) AS churn_probability,
       round(s.mrr * s.churn_probability::numeric, 2) AS mrr_at_risk,
       (SELECT string_agg(format('%s %s', f.name, to_char(c.contribution, 'SG0.00')), ', ' ORDER BY c.contribution DESC)
        FROM (SELECT contribution, j FROM unnest(s.contributions) WITH ORDINALITY AS u(contribution, j)
              ORDER BY contribution DESC LIMIT 2) AS c
        JOIN unnest(ARRAY['days since last event', 'active days', 'events per active day', 'feature share',
                          'trend', 'tenure', 'MRR']) WITH ORDINALITY AS f(name, j) USING (j)) AS top_drivers
FROM scored AS s;

CREATE UNIQUE INDEX ON churn_risk (customer_id);
ANALYZE churn_snapshots, churn_models, churn_backtest;
