-- The worked example of docs/lifecycle.md: time to first value of ten
-- customers, the data ending on 2026-03-01.  By hand: events at 2, 2, 3.5,
-- 5, 5, 8 and 10 days, censored at 3.5 (tied with the event, which comes
-- first), 8.58 and 47.67 days; S = 8/10 after 2, * 7/8 = 0.7 after 3.5,
-- * 4/6 = 0.467 after 5, * 3/4 = 0.35 after 8, * 1/2 = 0.175 after 10; the
-- median is 5 days; the area under S to 14 days is
-- 2 + 1.5 * 0.8 + 1.5 * 0.7 + 3 * 0.467 + 2 * 0.35 + 4 * 0.175 = 7.05.
SET TimeZone = 'UTC';
SET DateStyle = ISO;
CREATE TABLE onboarding_example(customer_id bigint, plan text, signed_up_at timestamptz, first_value_at timestamptz);
INSERT INTO onboarding_example VALUES
  (1,  'starter', '2026-01-05 09:00', '2026-01-07 09:00'),
  (2,  'starter', '2026-01-06 10:00', '2026-01-11 10:00'),
  (3,  'starter', '2026-01-12 08:00', NULL),
  (4,  'starter', '2026-01-20 12:00', '2026-01-22 12:00'),
  (5,  'growth',  '2026-01-08 09:00', '2026-01-16 09:00'),
  (6,  'growth',  '2026-01-15 15:00', '2026-01-20 15:00'),
  (7,  'growth',  '2026-02-02 09:00', '2026-02-12 09:00'),
  (8,  'growth',  '2026-02-20 10:00', NULL),
  (9,  'starter', '2026-02-25 12:00', NULL),
  (10, 'growth',  '2026-02-10 09:00', '2026-02-13 21:00');

-- days to first value; a customer not there yet is censored when the data ends
CREATE VIEW time_to_value AS
SELECT customer_id, plan, signed_up_at,
       extract(epoch FROM coalesce(first_value_at, '2026-03-01 00:00+00') - signed_up_at) / 86400 AS days,
       first_value_at IS NOT NULL AS reached
FROM onboarding_example;

SELECT kaplan_meier(days, reached) FROM time_to_value;

SELECT time, at_risk, events, censored, round(survival::numeric, 4) AS survival,
       round(std_error::numeric, 4) AS std_error, round(lower::numeric, 4) AS lower, round(upper::numeric, 4) AS upper
FROM survival_table((SELECT kaplan_meier(days, reached) FROM time_to_value));

SELECT median_survival(c), (median_survival_ci(c)).*, survival_at(c, 7),
       round(restricted_mean_survival(c, 14)::numeric, 3) AS mean_days_to_14
FROM (SELECT kaplan_meier(days, reached) AS c FROM time_to_value) AS k;

-- the classic mistake: the mean of the customers who got there, and the share who did
SELECT round(avg(days) FILTER (WHERE reached), 2) AS mean_of_reached,
       round(avg(reached::int), 2) AS share_reached
FROM time_to_value;

SELECT (survival_ci(c, 7)).*, (survival_ci(c, 7, 0.9, 'plain')).*
FROM (SELECT kaplan_meier(days, reached) AS c FROM time_to_value) AS k;

SELECT (restricted_mean_survival_ci(c, 14)).*
FROM (SELECT kaplan_meier(days, reached) AS c FROM time_to_value) AS k;

SELECT survival_quantile(c, 0.25) AS q25, survival_quantile(c, 0.75) AS q75, (survival_quantile_ci(c, 0.25)).*
FROM (SELECT kaplan_meier(days, reached) AS c FROM time_to_value) AS k;

-- by plan, and the log-rank test of the plans' curves
SELECT plan, subjects(c), events(c), censored(c), median_survival(c), round(survival_at(c, 7)::numeric, 3) AS s7
FROM (SELECT plan, kaplan_meier(days, reached) AS c FROM time_to_value GROUP BY plan) AS p
ORDER BY plan;

SELECT * FROM logrank_test((SELECT array_agg(c) FROM (SELECT kaplan_meier(days, reached) AS c FROM time_to_value GROUP BY plan) AS p));

-- curves per sign-up month and plan, kept in a table and rolled up later
CREATE TABLE ttv_curves AS
SELECT date_trunc('month', signed_up_at)::date AS signup_month, plan, kaplan_meier(days, reached) AS curve
FROM time_to_value
GROUP BY 1, 2;

SELECT signup_month, plan, curve FROM ttv_curves ORDER BY 1, 2;

SELECT signup_month, subjects(rollup(curve)), median_survival(rollup(curve))
FROM ttv_curves GROUP BY signup_month ORDER BY 1;

SELECT rollup(curve)::text = (SELECT kaplan_meier(days, reached)::text FROM time_to_value) AS same_as_all_rows
FROM ttv_curves;

-- bad rows are errors, never skipped
SELECT kaplan_meier(days, reached) FROM (VALUES (3.0, true), (NULL, false)) AS v(days, reached);
SELECT kaplan_meier(days, reached) FROM (VALUES (3.0, true), (-2, true)) AS v(days, reached);

DROP TABLE ttv_curves;
DROP VIEW time_to_value;
DROP TABLE onboarding_example;
