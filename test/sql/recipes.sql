-- The recipes of docs/recipes.md on a small table whose numbers are checked
-- by hand (the page itself runs on the demo book in the client tests,
-- test/client): materialized views that a BI tool reads as plain tables,
-- refreshed concurrently (as pg_cron would).
SET DateStyle = ISO;
CREATE TABLE subscriptions(customer_id bigint, plan text, started_at date, ended_at date, mrr numeric(12,2));
INSERT INTO subscriptions VALUES
  (1, 'pro',   '2026-01-05', NULL,         99.00),
  (2, 'basic', '2026-01-20', '2026-03-01', 29.00),
  (3, 'basic', '2026-02-02', '2026-04-02', 29.00),
  (3, 'pro',   '2026-04-02', NULL,         99.00),   -- 3 upgrades on Apr 2
  (4, 'pro',   '2026-03-10', NULL,         99.00);
CREATE TABLE nps_responses(customer_id bigint, answered_on date, score integer);
INSERT INTO nps_responses VALUES
  (1, '2026-01-10', 10), (2, '2026-01-11', 6), (3, '2026-02-03', 9), (4, '2026-03-12', 8), (1, '2026-03-13', 9);

-- Recipe 1: monthly MRR movements with their rates, one row per month
CREATE MATERIALIZED VIEW mrr_monthly AS
SELECT m.*,
       retention_rate(m) AS customer_retention,
       churn_rate(m) AS customer_churn,
       net_revenue_retention(m) AS nrr,
       gross_revenue_retention(m) AS grr,
       quick_ratio(m) AS quick_ratio,
       arr(m) AS arr
FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book FROM subscriptions) AS b,
     mrr_movements(b.book) AS m;
CREATE UNIQUE INDEX ON mrr_monthly (period_start);

-- Recipe 2: the same per plan (a customer who changes plan churns from one and is new in the other)
CREATE MATERIALIZED VIEW mrr_by_plan AS
SELECT b.plan, m.*
FROM (SELECT plan, subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book
      FROM subscriptions GROUP BY plan) AS b,
     mrr_movements(b.book) AS m;
CREATE UNIQUE INDEX ON mrr_by_plan (plan, period_start);

-- Recipe 3: the cohort triangle
CREATE MATERIALIZED VIEW cohorts_monthly AS
SELECT c.*
FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book FROM subscriptions) AS b,
     cohort_retention(b.book) AS c;
CREATE UNIQUE INDEX ON cohorts_monthly (cohort_start, age);

-- Recipe 4: daily NPS summaries, rolled up to any grain
CREATE MATERIALIZED VIEW nps_daily AS
SELECT answered_on, nps_agg(score) AS summary FROM nps_responses GROUP BY answered_on;
CREATE UNIQUE INDEX ON nps_daily (answered_on);

SELECT period_start, customers_end, mrr_end, customer_retention, nrr, arr FROM mrr_monthly ORDER BY 1;
SELECT plan, period_start, new_customers, churned_customers, mrr_end FROM mrr_by_plan ORDER BY 1, 2;
SELECT cohort_start, age, active_customers, logo_retention, revenue_retention FROM cohorts_monthly ORDER BY 1, 2;
SELECT date_trunc('month', answered_on)::date AS month, nps(rollup(summary)) FROM nps_daily GROUP BY 1 ORDER BY 1;

-- Answers read off the stored triangle: Jan cohort (1, 2) keeps 1 of 2 from Mar
SELECT cohort_start, cohort_customers, second_period_logo_retention, churn_peak_age
FROM cohort_summary((SELECT array_agg(ROW(c.*)::cohort_cell) FROM cohorts_monthly c));
SELECT * FROM mrr_by_cohort((SELECT array_agg(ROW(c.*)::cohort_cell) FROM cohorts_monthly c))
WHERE period_start = '2026-03-01';

-- Recipe 5: books kept per year of start roll up to the whole
CREATE TABLE books AS
SELECT date_trunc('year', started_at) AS started_year,
       subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book
FROM subscriptions GROUP BY 1;
SELECT (SELECT array_agg(m.mrr_end ORDER BY m.period_start)
        FROM (SELECT rollup(book) AS book FROM books) r, mrr_movements(r.book) AS m)
     = (SELECT array_agg(mrr_end ORDER BY period_start) FROM mrr_monthly) AS books_roll_up;
DROP TABLE books;

-- New data arrives; the scheduled job refreshes without blocking readers
INSERT INTO subscriptions VALUES (5, 'basic', '2026-04-15', NULL, 29.00);
UPDATE subscriptions SET ended_at = '2026-05-01' WHERE customer_id = 1;
INSERT INTO nps_responses VALUES (5, '2026-04-16', 3);
REFRESH MATERIALIZED VIEW CONCURRENTLY mrr_monthly;
REFRESH MATERIALIZED VIEW CONCURRENTLY mrr_by_plan;
REFRESH MATERIALIZED VIEW CONCURRENTLY cohorts_monthly;
REFRESH MATERIALIZED VIEW CONCURRENTLY nps_daily;
SELECT period_start, customers_start, new_customers, churned_customers, customers_end, mrr_end FROM mrr_monthly
WHERE period_start >= '2026-04-01' ORDER BY 1;
SELECT count(*) AS cells FROM cohorts_monthly;
SELECT date_trunc('month', answered_on)::date AS month, nps(rollup(summary)) FROM nps_daily GROUP BY 1 ORDER BY 1;

DROP MATERIALIZED VIEW mrr_monthly, mrr_by_plan, cohorts_monthly, nps_daily;
DROP TABLE subscriptions, nps_responses;
