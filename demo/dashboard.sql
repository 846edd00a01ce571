-- demo/dashboard.sql: the metrics dashboard of the demo book (demo/book.sql),
-- printed by scripts/demo.sh.  Run it again at any time:
--   psql -h /tmp/saas_metrics_demo -U postgres -f demo/dashboard.sql saas_demo
--
-- Plain SQL does the counting (month_end_customers is a plain view);
-- saas_metrics turns the counts into rates, lifetimes and values.  Each
-- section stands alone, so sections can be added, dropped or reordered.

\set ON_ERROR_STOP 1
\set QUIET 1
\pset footer off
\pset null '-'
SET DateStyle = ISO;

-- the last month of the book and the assumed gross margin
\set last_month '2026-10-01'
\set gross_margin 0.8

\echo
\echo '================================================================'
\echo ' saas_metrics demo: a generated SaaS book, 2024-01 to 2026-10'
\echo '================================================================'

-- ---------------------------------------------------------------- the book
\echo '== The book'
SELECT (SELECT count(*) FROM customers) AS customers,
       (SELECT count(*) FROM subscriptions) AS subscription_rows,
       (SELECT count(*) FROM nps_responses) AS nps_responses,
       (SELECT count(*) FROM acquisition_spend) AS months_of_spend;

-- ---------------------------------------------------------------- now
\echo '== Now: customers and MRR at the end of October 2026'
SELECT coalesce(c.plan, 'all plans') AS plan,
       count(*) AS customers,
       sum(m.mrr) AS mrr,
       12 * sum(m.mrr) AS arr,
       round(arpa(sum(m.mrr), count(*)), 2) AS arpa
FROM month_end_customers AS m
JOIN customers AS c USING (customer_id)
WHERE m.month = :'last_month'
GROUP BY GROUPING SETS ((c.plan), ())
ORDER BY grouping(c.plan), sum(m.mrr) DESC;

-- ---------------------------------------------------------------- retention
\echo '== Customer retention, last 12 months'
\echo '   counts of customers active at each month end (plain SQL),'
\echo '   retention_rate(start, end, acquired) and churn_rate(lost, start)'
CREATE TEMP VIEW monthly_counts AS
SELECT month,
       count(*) FILTER (WHERE was_active) AS customers_start,
       count(*) FILTER (WHERE is_active AND NOT was_active) AS acquired,
       count(*) FILTER (WHERE was_active AND NOT is_active) AS lost,
       count(*) FILTER (WHERE is_active) AS customers_end
FROM (SELECT coalesce(cur.month, (prev.month + interval '1 month')::date) AS month,
             prev.customer_id IS NOT NULL AS was_active,
             cur.customer_id IS NOT NULL AS is_active
      FROM month_end_customers AS cur
      FULL JOIN month_end_customers AS prev
        ON prev.customer_id = cur.customer_id
       AND prev.month = (cur.month - interval '1 month')::date) AS flags
WHERE month BETWEEN (date :'last_month' - interval '11 months')::date AND :'last_month'
GROUP BY month;

SELECT to_char(month, 'YYYY-MM') AS month, customers_start, acquired, lost, customers_end,
       round(100 * retention_rate(customers_start, customers_end, acquired)::numeric, 2) AS "retention %",
       round(100 * churn_rate(lost, customers_start)::numeric, 2) AS "churn %"
FROM monthly_counts
ORDER BY month;

-- ---------------------------------------------------------------- lifetime
\echo '== Churn and lifetime, pooled over the 12 months'
SELECT metric, value, function
FROM (SELECT churn_rate(sum(lost)::bigint, sum(customers_start)::bigint) AS churn,
             retention_rate(sum(customers_start)::bigint, sum(customers_end)::bigint,
                            sum(acquired)::bigint) AS retention
      FROM monthly_counts) AS r,
LATERAL (VALUES
    ('monthly churn',      round(100 * churn::numeric, 2) || ' %',     'churn_rate(sum(lost), sum(customers_start))'),
    ('annual churn',       round(100 * churn_rate_rescale(churn, 365.25 / 12, 365.25)::numeric, 1) || ' %',
                                                                        'churn_rate_rescale(monthly, 365.25/12, 365.25)'),
    ('monthly retention',  round(100 * retention::numeric, 2) || ' %', 'retention_rate(sum(start), sum(end), sum(acquired))'),
    ('annual retention',   round(100 * retention_rate_rescale(retention, 365.25 / 12, 365.25)::numeric, 1) || ' %',
                                                                        'retention_rate_rescale(monthly, 365.25/12, 365.25)'),
    ('expected lifetime',  round(lifetime_from_churn(churn)::numeric, 1) || ' months', 'lifetime_from_churn(monthly churn)')
) AS v(metric, value, function);

-- ---------------------------------------------------------------- unit economics
\echo '== Unit economics, last 12 months (gross margin ':gross_margin')'
SELECT metric, value, function
FROM (SELECT k.*,
             cac(spend, new_customers) AS cac,
             clv_from_churn(arpa, churn, :gross_margin) AS ltv
      FROM (SELECT (SELECT count(*) FROM customers
                    WHERE signed_up >= date :'last_month' - interval '11 months') AS new_customers,
                   (SELECT sum(amount) FROM acquisition_spend
                    WHERE month >= date :'last_month' - interval '11 months') AS spend,
                   (SELECT arpa(sum(mrr), count(*)) FROM month_end_customers
                    WHERE month = :'last_month') AS arpa,
                   (SELECT churn_rate(sum(lost)::bigint, sum(customers_start)::bigint)
                    FROM monthly_counts) AS churn) AS k) AS e,
LATERAL (VALUES
    ('new customers',          new_customers::text,              'customers who signed up'),
    ('acquisition spend',      round(spend)::text,  'sum(acquisition_spend.amount)'),
    ('CAC',                    round(cac, 2)::text,              'cac(spend, new customers)'),
    ('ARPA (monthly)',         round(arpa, 2)::text,             'arpa(MRR, customers) now'),
    ('CAC payback',            round(cac_payback_periods(cac, arpa, :gross_margin)::numeric, 1) || ' months',
                                                                 'cac_payback_periods(cac, arpa, gross_margin)'),
    ('customer lifetime value', round(ltv, 2)::text,             'clv_from_churn(arpa, churn, gross_margin)'),
    ('... discounted 1 %/month', round(clv_from_churn(arpa, churn, :gross_margin, 0.01), 2)::text,
                                                                 'clv_from_churn(arpa, churn, gross_margin, 0.01)'),
    ('LTV:CAC',                round(ltv_to_cac(ltv, cac)::numeric, 2)::text, 'ltv_to_cac(ltv, cac)'),
    ('CLV net of CAC',         round(clv(12 * arpa * :gross_margin, (lifetime_from_churn(churn) / 12)::numeric, cac), 2)::text,
                                                                 'clv(annual gross profit, lifetime in years, cac)')
) AS v(metric, value, function);

-- ---------------------------------------------------------------- NPS
\echo '== NPS by quarter: daily nps_agg() summaries rolled up with rollup()'
\echo '   (2026 Q4 is October only)'
WITH daily AS (
    SELECT answered_on, nps_agg(score) AS summary
    FROM nps_responses
    GROUP BY answered_on
)
SELECT coalesce(to_char(date_trunc('quarter', answered_on), 'YYYY "Q"Q'), 'all') AS quarter,
       responses(rollup(summary)) AS responses,
       promoters(rollup(summary)) AS promoters,
       passives(rollup(summary)) AS passives,
       detractors(rollup(summary)) AS detractors,
       round(nps(rollup(summary))::numeric, 1) AS nps
FROM daily
GROUP BY GROUPING SETS ((date_trunc('quarter', answered_on)), ())
ORDER BY grouping(date_trunc('quarter', answered_on)), date_trunc('quarter', answered_on);

\echo '== NPS by plan, last 12 months: the nps(score) aggregate'
SELECT c.plan, count(*) AS responses, round(nps(r.score)::numeric, 1) AS nps
FROM nps_responses AS r
JOIN customers AS c USING (customer_id)
WHERE r.answered_on >= date :'last_month' - interval '11 months'
GROUP BY c.plan
ORDER BY nps DESC;

-- ---------------------------------------------------------------- MRR movements
\echo '== MRR movements, last 12 months: mrr_movements() in one scan of subscriptions'
CREATE TEMP VIEW movements AS
SELECT m.*,
       churn_rate(m) AS churn, revenue_churn_rate(m) AS mrr_churn,
       gross_revenue_retention(m) AS grr, net_revenue_retention(m) AS nrr,
       quick_ratio(m) AS quick_ratio, arpa(m) AS arpa, arr(m) AS arr
FROM unnest((SELECT mrr_movements(customer_id, started_at, ended_at, mrr, 'month',
                                  (date :'last_month' - interval '11 months')::date, :'last_month')
             FROM subscriptions)) AS m;

SELECT to_char(period_start, 'YYYY-MM') AS month, mrr_start,
       new_mrr AS "+ new", expansion_mrr AS "+ expansion", contraction_mrr AS "- contraction",
       churned_mrr AS "- churned", reactivation_mrr AS "+ reactivation", mrr_end
FROM movements
ORDER BY period_start;

\echo '== Rates of each month: accessors on mrr_movement'
SELECT to_char(period_start, 'YYYY-MM') AS month,
       customers_end AS customers,
       new_customers AS new, reactivated_customers AS back, churned_customers AS churned,
       round(100 * churn::numeric, 2) AS "churn %",
       round(100 * mrr_churn::numeric, 2) AS "MRR churn %",
       round(100 * grr::numeric, 1) AS "GRR %",
       round(100 * nrr::numeric, 1) AS "NRR %",
       round(quick_ratio::numeric, 2) AS "quick ratio",
       round(arpa, 2) AS arpa,
       arr
FROM movements
ORDER BY period_start;

\echo '== Check: mrr_movements() agrees with the plain SQL month-end counts'
SELECT count(*) AS months,
       bool_and(m.customers_end = p.customers AND m.mrr_end = p.mrr) AS same_customers_and_mrr,
       bool_and(m.mrr_start + m.new_mrr + m.expansion_mrr - m.contraction_mrr - m.churned_mrr
                + m.reactivation_mrr = m.mrr_end) AS reconciles
FROM unnest((SELECT mrr_movements(customer_id, started_at, ended_at, mrr) FROM subscriptions)) AS m
JOIN (SELECT month, count(*) AS customers, sum(mrr) AS mrr
      FROM month_end_customers GROUP BY month) AS p ON p.month = m.period_start;

-- ---------------------------------------------------------------- cohorts
\echo '== Logo retention (%) of quarterly sign-up cohorts by age in quarters: cohort_retention()'
CREATE TEMP VIEW quarterly_cells AS
SELECT (SELECT cohort_retention(customer_id, started_at, ended_at, mrr, 'quarter') FROM subscriptions) AS cells;

SELECT to_char(c.cohort_start, 'YYYY "Q"Q') AS cohort, c.cohort_customers AS customers,
       max(round(100 * c.logo_retention)) FILTER (WHERE c.age = 0) AS "0",
       max(round(100 * c.logo_retention)) FILTER (WHERE c.age = 1) AS "1",
       max(round(100 * c.logo_retention)) FILTER (WHERE c.age = 2) AS "2",
       max(round(100 * c.logo_retention)) FILTER (WHERE c.age = 3) AS "3",
       max(round(100 * c.logo_retention)) FILTER (WHERE c.age = 4) AS "4",
       max(round(100 * c.logo_retention)) FILTER (WHERE c.age = 5) AS "5",
       max(round(100 * c.logo_retention)) FILTER (WHERE c.age = 6) AS "6",
       max(round(100 * c.logo_retention)) FILTER (WHERE c.age = 7) AS "7",
       max(round(100 * c.logo_retention)) FILTER (WHERE c.age = 8) AS "8",
       max(round(100 * c.logo_retention)) FILTER (WHERE c.age = 9) AS "9",
       max(round(100 * c.logo_retention)) FILTER (WHERE c.age = 10) AS "10",
       max(round(100 * c.logo_retention)) FILTER (WHERE c.age = 11) AS "11"
FROM quarterly_cells, unnest(cells) AS c
GROUP BY c.cohort_start, c.cohort_customers
ORDER BY c.cohort_start;

\echo '== Cohort summary: second-quarter and one-year retention, logo and revenue: cohort_summary()'
SELECT to_char(s.cohort_start, 'YYYY "Q"Q') AS cohort, s.cohort_customers AS customers, s.cohort_mrr,
       round(100 * s.second_period_logo_retention::numeric, 1) AS "Q+1 logo %",
       round(100 * s.second_period_revenue_retention::numeric, 1) AS "Q+1 revenue %",
       round(100 * s.annual_logo_retention::numeric, 1) AS "1 year logo %",
       round(100 * s.annual_revenue_retention::numeric, 1) AS "1 year revenue %"
FROM quarterly_cells, cohort_summary(cells, 'quarter') AS s
ORDER BY s.cohort_start;

-- ---------------------------------------------------------------- sBG
\echo '== Predicted lifetime: an sBG model fitted to each 2024 cohort, against 1 / churn (in quarters)'
\echo '   (survivors at age k = the fewest active at any age up to k: a comeback is not survival)'
SELECT to_char(f.cohort_start, 'YYYY "Q"Q') AS cohort,
       round((f.m).alpha::numeric, 3) AS alpha, round((f.m).beta::numeric, 3) AS beta, (f.m).converged,
       round(lifetime_from_churn(1 - f.first_retention)::numeric, 1) AS "1/churn lifetime",
       round(sbg_expected_lifetime(f.m)::numeric, 1) AS "sBG lifetime",
       round(100 * sbg_retention_rate(f.m, 12)::numeric, 1) AS "sBG retention % at q12",
       round(clv_sbg(100, f.m, 0.03), 0) AS "value of 100/q, d=3%",
       round((clv_from_churn(100, 1 - f.first_retention, 1, 0.03) - 100) * 1.03, 0) AS "same, 1/churn"
FROM (SELECT s.cohort_start, sbg_fit(s.age, s.survivors) AS m,
             max(s.survivors) FILTER (WHERE s.age = 1)::float8
               / max(s.survivors) FILTER (WHERE s.age = 0) AS first_retention
      FROM (SELECT c.cohort_start, c.age,
                   min(c.active_customers) OVER (PARTITION BY c.cohort_start ORDER BY c.age) AS survivors
            FROM quarterly_cells, unnest(cells) AS c
            WHERE c.cohort_start < '2025-01-01') AS s
      GROUP BY s.cohort_start) AS f
ORDER BY f.cohort_start;

-- ---------------------------------------------------------------- time to first value
\echo '== Time to first value (days) by sign-up quarter: kaplan_meier() per sign-up month and plan'
\echo '   (demo/lifecycle.sql), rolled up to quarters with rollup(); customers who have not got there'
\echo '   are censored when the data ends.  The onboarding changed on 2025-07-01.'
CREATE TEMP TABLE ttfv_monthly AS
SELECT date_trunc('month', signed_up_at, 'UTC')::date AS signup_month, plan,
       kaplan_meier(extract(epoch FROM coalesce(first_value_at, timestamptz '2026-11-01 00:00 UTC') - signed_up_at) / 86400,
                    first_value_at IS NOT NULL) AS curve
FROM onboarding
GROUP BY 1, 2;

SELECT to_char(date_trunc('quarter', signup_month), 'YYYY "Q"Q') AS signed_up,
       subjects(rollup(curve)) AS customers,
       events(rollup(curve)) AS got_value,
       round(median_survival(rollup(curve))::numeric, 1) AS "median days",
       '[' || round((median_survival_ci(rollup(curve))).lower::numeric, 1) || ', '
           || coalesce(round((median_survival_ci(rollup(curve))).upper::numeric, 1)::text, '-') || ']' AS "95 % CI",
       round(100 * (1 - survival_at(rollup(curve), 7))::numeric, 1) AS "% in 7 days",
       round(100 * (1 - survival_at(rollup(curve), 30))::numeric, 1) AS "% in 30 days"
FROM ttfv_monthly
GROUP BY date_trunc('quarter', signup_month)
ORDER BY date_trunc('quarter', signup_month);

\echo '== Did the onboarding change shorten time to first value?  By plan at sign-up, customers who'
\echo '   signed up in the 12 months before 2025-07-01 against the 12 months from then: median and'
\echo '   restricted mean (to 30 days) of the days to first value, and the log-rank test of the curves'
WITH periods AS (
    SELECT plan, signup_month >= '2025-07-01' AS after, rollup(curve) AS curve
    FROM ttfv_monthly
    WHERE signup_month >= '2024-07-01' AND signup_month < '2026-07-01'
    GROUP BY GROUPING SETS ((plan, signup_month >= '2025-07-01'), (signup_month >= '2025-07-01'))
)
SELECT coalesce(b.plan, 'all plans') AS plan,
       subjects(b.curve) || ' / ' || subjects(a.curve) AS "customers before / after",
       round(median_survival(b.curve)::numeric, 1) || ' / ' || round(median_survival(a.curve)::numeric, 1) AS "median days",
       round(restricted_mean_survival(b.curve, 30)::numeric, 1) || ' / '
           || round(restricted_mean_survival(a.curve, 30)::numeric, 1) AS "mean days (to 30)",
       round(t.chi_square::numeric, 1) AS chi_square,
       to_char(t.p_value, '9.9EEEE') AS p_value
FROM periods AS b
JOIN periods AS a ON a.plan IS NOT DISTINCT FROM b.plan AND a.after AND NOT b.after,
LATERAL logrank_test(ARRAY[b.curve, a.curve]) AS t
ORDER BY b.plan NULLS LAST;

\echo '== Customer lifetime three ways: 1 / churn (this year), Kaplan-Meier of the book (customer_survival),'
\echo '   sBG fitted to the Kaplan-Meier survivors (docs/lifecycle.md says when each is right)'
WITH book AS (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book FROM subscriptions),
     km AS (SELECT customer_survival(book) AS curve FROM book),
     churn AS (SELECT sum(m.churned_customers)::float8 / sum(m.customers_start) AS monthly
               FROM book, mrr_movements(book, 'month', '2026-01-01', '2026-10-31') AS m),
     sbg AS (SELECT * FROM sbg_fit(ARRAY[1000] || (SELECT array_agg(round(1000 * t.survival)::integer ORDER BY t.time)
                                                    FROM km, survival_table(km.curve) AS t WHERE t.time <= 24)))
SELECT round(100 * churn.monthly::numeric, 2) AS "monthly churn %",
       round(lifetime_from_churn(churn.monthly)::numeric, 1) AS "1/churn months",
       median_survival(km.curve) AS "KM median months",
       round(restricted_mean_survival(km.curve, 33)::numeric, 1) AS "KM mean of first 33",
       round(100 * survival_at(km.curve, 24)::numeric, 1) AS "KM % after 24",
       round(100 * sbg_survival(sbg.alpha, sbg.beta, 25)::numeric, 1) AS "sBG % after 24",
       sbg.converged AS "sBG converged"
FROM churn, km, sbg;

-- ---------------------------------------------------------------- churn risk
\echo '== Churn risk from product usage, backtested (demo/usage.sql, demo/churn.sql, docs/churn_signals.md)'
\echo '   logistic_fit on monthly snapshots 2025-01 to 2025-10 (3-month labels known by 2026-01-01),'
\echo '   classifier_report on the snapshots of 2026-01 to 2026-07, against days since the last event alone'
SELECT scores, (report).rows AS snapshots, (report).positives AS churned,
       round((report).auc::numeric, 3) AS auc, round((report).log_loss::numeric, 4) AS log_loss,
       round((report).brier_score::numeric, 4) AS brier_score
FROM churn_backtest
ORDER BY (report).auc DESC;

\echo '   the model''s test snapshots by decile of churn probability: classifier_deciles()'
SELECT d.decile, round(d.rows) AS snapshots, round(d.positives::numeric, 1) AS churned,
       round(100 * d.churn_rate::numeric, 1) AS "churn %", round(d.lift::numeric, 2) AS lift,
       round(100 * d.cumulative_share::numeric, 1) AS "% of churners so far"
FROM churn_backtest AS b, classifier_deciles(b.report) AS d
WHERE b.scores LIKE 'model%'
ORDER BY d.decile;

\echo '== Today''s risk list, by MRR at risk (materialized view churn_risk)'
SELECT name, mrr, churn_probability, mrr_at_risk, top_drivers
FROM churn_risk
ORDER BY mrr_at_risk DESC, customer_id
LIMIT 10;
