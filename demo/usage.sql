-- demo/usage.sql: product-usage events of the demo book's customers (run
-- after demo/book.sql), the same on every machine.
--
-- A customer uses the product on some days while subscribed, a few events
-- a day, each in one of its plan's features.  How often, how much and how
-- broadly depend on a propensity of its own, lower for the customers whose
-- "fit" makes demo/book.sql more likely to let them churn, and on what is
-- coming: in the 100 days before a customer leaves (the end of a run of
-- subscription rows that no row continues), usage fades, narrows to fewer
-- features and leaves whole weeks without use.  One churner in four leaves
-- without warning (a budget cut), and healthy customers have quiet months
-- too, so usage predicts churn well but not perfectly.
--
-- Every choice is drawn from md5() of a key, as in demo/book.sql, never
-- from random().  Loaded by scripts/demo.sh (make demo); it can be loaded
-- again into the same database.
--
-- Tables: plan_features(plan, features), usage_events(customer_id,
-- occurred_at timestamptz, feature text, quantity numeric).

SET client_min_messages = warning;

DROP TABLE IF EXISTS usage_events, plan_features;

-- A number in [0, 1) drawn from a key: 52 bits of its md5 (as demo/book.sql).
CREATE OR REPLACE FUNCTION pg_temp.u(key text) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT
RETURN ('x' || substr(md5(key), 1, 13))::bit(52)::bigint / 4503599627370496.0;

-- Number i (0, 1 or 2) in [0, 1) of the three that one md5 holds, 40 bits
-- each: one hash per day and per event keeps the generation fast.
CREATE OR REPLACE FUNCTION pg_temp.part(md5 text, i integer) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT
RETURN ('x' || substr(md5, 1 + 10 * i, 10))::bit(40)::bigint / 1099511627776.0;

-- The product's features, the most used first; a plan has the first n.
CREATE TABLE plan_features (
    plan text PRIMARY KEY,
    features integer NOT NULL
);
INSERT INTO plan_features VALUES ('starter', 6), ('growth', 10), ('business', 14);

CREATE TEMP TABLE feature_names AS
SELECT i::integer AS i, name
FROM unnest(ARRAY['dashboards', 'reports', 'alerts', 'exports', 'imports', 'search', 'integrations',
                  'api', 'workflows', 'forecasts', 'sso', 'audit_log', 'roles', 'sandbox']) WITH ORDINALITY AS f(name, i);

-- Runs of activity: a customer's subscription rows that follow one another
-- without a gap.  A run that ends on or before the book's last day ends in
-- churn; the others are still going.
CREATE TEMP TABLE runs AS
WITH r AS (
    SELECT customer_id, started_at, coalesce(ended_at, date '2026-11-01') AS ended_at,
           started_at > max(coalesce(ended_at, date '2026-11-01'))
                        OVER (PARTITION BY customer_id ORDER BY started_at
                              ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS after_gap
    FROM subscriptions
), numbered AS (
    SELECT *, count(*) FILTER (WHERE after_gap IS NOT FALSE)
                OVER (PARTITION BY customer_id ORDER BY started_at) AS run
    FROM r
)
SELECT customer_id, run, min(started_at) AS first_day, max(ended_at) AS end_day
FROM numbered GROUP BY customer_id, run;

-- Each customer's propensities: daily use (lower for a worse fit, as
-- demo/book.sql draws it), breadth, and whether it would leave unannounced.
CREATE TEMP TABLE propensity AS
SELECT customer_id,
       (0.25 + 0.45 * pg_temp.u(customer_id || ':use')) * (1.25 - 0.25 * fit) AS daily,
       0.35 + 0.65 * pg_temp.u(customer_id || ':breadth') AS breadth,
       pg_temp.u(customer_id || ':unannounced') < 0.25 AS unannounced
FROM customers,
     LATERAL (SELECT 0.35 + 1.6 * pg_temp.u(customer_id || ':fit') ^ 2 AS fit) AS f;

-- The days of each subscription row, with the plan's features and the
-- customer's health: 1, falling to 0 over the last 100 days of a run that
-- ends in churn (unless the customer leaves unannounced).
CREATE TEMP TABLE usage_days AS
SELECT s.customer_id, d::date AS day, pf.features AS plan_features, p.daily, p.breadth,
       CASE WHEN r.end_day <= date '2026-10-31' AND NOT p.unannounced
            THEN least(1.0, (r.end_day - d::date) / 100.0) ELSE 1.0 END AS health,
       s.customer_id || ':' || d::date || ':' AS key
FROM subscriptions AS s
JOIN runs AS r ON r.customer_id = s.customer_id AND s.started_at >= r.first_day AND s.started_at < r.end_day
JOIN propensity AS p ON p.customer_id = s.customer_id
JOIN plan_features AS pf ON pf.plan = s.plan
CROSS JOIN LATERAL generate_series(s.started_at, least(coalesce(s.ended_at, date '2026-11-01'), date '2026-11-01') - 1,
                                   interval '1 day') AS d;

-- Quiet months: 8 % of a customer's months, at a third of its usual use.
CREATE TEMP TABLE quiet_months AS
SELECT customer_id, month::date AS month
FROM customers, generate_series(date_trunc('month', signed_up), date '2026-10-01', interval '1 month') AS month
WHERE pg_temp.u(customer_id || ':' || month::date || ':quiet') < 0.08;

-- Days of use: weekends a third as busy, quiet months, and near churn
-- fading use and whole weeks without any (a week is skipped with
-- probability 0.6 - health once health is below 0.6).
CREATE TEMP TABLE active_days AS
SELECT d.customer_id, d.day, d.plan_features, d.breadth, d.health, d.key, pg_temp.part(h, 1) AS events_draw
FROM usage_days AS d
CROSS JOIN LATERAL md5(d.key) AS h
LEFT JOIN quiet_months AS q ON q.customer_id = d.customer_id AND q.month = date_trunc('month', d.day)
WHERE pg_temp.part(h, 0) < d.daily * (CASE WHEN extract(isodow FROM d.day) >= 6 THEN 0.35 ELSE 1 END)
                        * (CASE WHEN q.month IS NULL THEN 1 ELSE 0.3 END)
                        * (0.1 + 0.9 * d.health ^ 2)
  AND CASE WHEN d.health >= 0.6 THEN true
           ELSE pg_temp.u(d.customer_id || ':' || date_trunc('week', d.day)::date || ':gap') >= 0.6 - d.health END;

-- Events: one to five a day (fewer as health fades), each in one of the
-- first k features of the plan (popular ones more often; k shrinks as
-- health fades), in office hours (UTC), with a quantity of work done.
CREATE TABLE usage_events AS
SELECT a.customer_id,
       (a.day + make_interval(secs => 28800 + floor(39600 * pg_temp.part(h, 0))))::timestamp
           AT TIME ZONE 'UTC' AS occurred_at,
       f.name AS feature,
       (1 + floor(50 * pg_temp.part(h, 1)))::numeric AS quantity
FROM active_days AS a
CROSS JOIN LATERAL generate_series(1, 1 + floor(5 * a.events_draw * (0.4 + 0.6 * a.health))::integer) AS e
CROSS JOIN LATERAL md5(a.key || e) AS h
JOIN feature_names AS f
  ON f.i = 1 + floor(greatest(1, round(a.plan_features * a.breadth * (0.35 + 0.65 * a.health)))
                     * pg_temp.part(h, 2) ^ 1.6)::integer
ORDER BY occurred_at, customer_id;

ALTER TABLE usage_events ADD FOREIGN KEY (customer_id) REFERENCES customers;
CREATE INDEX ON usage_events (customer_id, occurred_at);
DROP TABLE feature_names, runs, propensity, usage_days, quiet_months, active_days;
ANALYZE plan_features, usage_events;
