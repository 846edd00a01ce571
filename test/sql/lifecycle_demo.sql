-- The demo's figures in docs/lifecycle.md: time to first value of the demo's
-- 2,000 customers (demo/book.sql, demo/lifecycle.sql), whose onboarding
-- changed on 2025-07-01.
\set ECHO none
\set QUIET on
\i demo/book.sql
\i demo/lifecycle.sql
RESET client_min_messages;
\set ECHO all
SET TimeZone = 'UTC';
SET DateStyle = ISO;

-- the recipe: one curve per sign-up month and plan
CREATE TABLE ttv_monthly AS
SELECT date_trunc('month', signed_up_at)::date AS signup_month, plan,
       kaplan_meier(extract(epoch FROM coalesce(first_value_at, '2026-11-01 00:00+00') - signed_up_at) / 86400,
                    first_value_at IS NOT NULL) AS curve
FROM onboarding
GROUP BY 1, 2;

SELECT count(*) AS curves, sum(subjects(curve)) AS customers, sum(events(curve)) AS got_value FROM ttv_monthly;

-- by plan, before and after the change: averaging only the customers who
-- got there understates the wait; the Kaplan-Meier median and restricted
-- mean count the others as still waiting
SELECT plan, signup_month >= '2025-07-01' AS after_change,
       subjects(rollup(curve)) AS customers, events(rollup(curve)) AS got_value,
       round(median_survival(rollup(curve))::numeric, 1) AS median_days,
       round((median_survival_ci(rollup(curve))).lower::numeric, 1) AS lower,
       round((median_survival_ci(rollup(curve))).upper::numeric, 1) AS upper,
       round(restricted_mean_survival(rollup(curve), 60)::numeric, 1) AS mean_days_to_60,
       round(100 * (1 - survival_at(rollup(curve), 7))::numeric, 1) AS pct_in_7_days
FROM ttv_monthly
GROUP BY plan, signup_month >= '2025-07-01'
ORDER BY plan, after_change;

SELECT o.plan, o.signed_up_at >= '2025-07-01' AS after_change,
       round(avg(extract(epoch FROM o.first_value_at - o.signed_up_at) / 86400), 1) AS mean_days_of_those_who_got_there
FROM onboarding AS o
GROUP BY 1, 2
ORDER BY 1, 2;

-- did the change shorten time to first value?  One log-rank test per plan
-- and one for all plans: before against after
SELECT coalesce(plan, 'all plans') AS plan, (t).chi_square::numeric(10, 2) AS chi_square, (t).degrees_of_freedom,
       to_char((t).p_value, '9.99EEEE') AS p_value
FROM (SELECT plan,
             logrank_test(ARRAY[rollup(curve) FILTER (WHERE signup_month < '2025-07-01'),
                                rollup(curve) FILTER (WHERE signup_month >= '2025-07-01')]) AS t
      FROM ttv_monthly
      GROUP BY ROLLUP (plan)) AS tests
ORDER BY 1;

DROP TABLE ttv_monthly;
DROP TABLE onboarding;
DROP VIEW month_end_customers;
DROP TABLE nps_responses, acquisition_spend, subscriptions, customers;
