-- The vendor conventions of docs/conventions.md, each on the vendor's own
-- worked example, run as written there.  The expected figures are derived
-- by hand in the comments from the vendor's story; where the extension
-- cannot reproduce a vendor exactly, the comment says what differs.
SET DateStyle = ISO;

-- ChartMogul's customer lifecycle ("Lifecycle of a customer",
-- help.chartmogul.com/hc/en-us/articles/201244842): Silver is $30 a month
-- or $300 a year, Gold $50 a month or $500 a year, with a free trial.
-- Syncalytics trials (a lead, MRR 0), subscribes to 4 Gold yearly plans
-- ($2,000 billed: new business 2000 / 12 = 166.67), adds 2 Silver monthly
-- plans a few days later ($60: expansion, not new business), cancels them
-- two weeks later (contraction 60, not churn: Gold is still active), lets
-- Gold end after its paid year (churn 166.67 at the end of the billing
-- period) and comes back on 3 Gold monthly plans (reactivation 3 * 50 = 150).
-- The dates are ours; ChartMogul's story gives none.
CREATE TABLE chartmogul_example (customer_id text, started_at date, ended_at date, mrr numeric(12,2));
INSERT INTO chartmogul_example VALUES
  ('syncalytics', '2024-01-03', '2024-01-17', 0),              -- free trial: a lead
  ('syncalytics', '2024-01-17', '2025-01-17', 4 * 500 / 12.0), -- 4 Gold yearly
  ('syncalytics', '2024-01-22', '2024-02-05', 2 * 30),         -- 2 Silver monthly
  ('syncalytics', '2025-03-10', NULL,         3 * 50);         -- back on 3 Gold monthly
-- changes => 'all' lists ChartMogul's five movements, one per change:
--   Jan 2024 new 0 -> 166.67 (the trial is not a customer under zero_mrr
--   'inactive'), Jan 2024 expansion 166.67 -> 226.67, Feb 2024 contraction
--   226.67 -> 166.67, Jan 2025 churn 166.67 -> 0, Mar 2025 reactivation 0 -> 150
SELECT d.*
FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book FROM chartmogul_example) AS b,
     customer_movements(b.book, changes => 'all') AS d;
-- January 2024 by both conventions: 'all' is ChartMogul's new business
-- 166.67 + expansion 60; 'period_end' compares the ends of December and
-- January only, so the customer is new with 226.67 and there is no expansion.
SELECT c.changes, m.period_start, m.new_customers, m.new_mrr, m.expansion_mrr, m.mrr_end
FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book FROM chartmogul_example) AS b,
     (VALUES ('all'), ('period_end')) AS c(changes),
     mrr_movements(b.book, 'month', '2024-01-01', '2024-01-31', changes => c.changes) AS m;
-- zero_mrr 'active' (not ChartMogul's rule): the trial makes Syncalytics a
-- customer on Jan 3 with MRR 0, and its first payment is expansion 0 -> 166.67.
SELECT d.*
FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book FROM chartmogul_example) AS b,
     customer_movements(b.book, 'month', '2024-01-01', '2024-01-31', zero_mrr => 'active', changes => 'all') AS d;
-- ChartMogul's default Free Customer Handling keeps a paying customer that
-- moves to a $0 plan active.  Frugal pays 30 from Feb 1 (after a trial
-- from Jan 20) and moves to the free plan on Apr 1:
--   zero_mrr 'inactive': Feb new 30, Apr churn 30 (the mrr-playbook, Stripe);
--   ChartMogul's default: Feb new 30, Apr contraction 30, still a customer.
-- No single option gives the latter; zero_mrr 'active' on the rows from the
-- first paid one on (the trial, a lead, dropped) does:
--   Feb new 0 -> 30, Apr contraction 30 -> 0.
INSERT INTO chartmogul_example VALUES
  ('frugal', '2024-01-20', '2024-02-01', 0),
  ('frugal', '2024-02-01', '2024-04-01', 30),
  ('frugal', '2024-04-01', NULL,         0);
SELECT d.*
FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book
      FROM chartmogul_example WHERE customer_id = 'frugal') AS b,
     customer_movements(b.book) AS d;
SELECT d.*
FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book
      FROM chartmogul_example AS c
      WHERE customer_id = 'frugal'
        AND started_at >= (SELECT min(started_at) FROM chartmogul_example AS p
                           WHERE p.customer_id = c.customer_id AND p.mrr > 0)) AS b,
     customer_movements(b.book, zero_mrr => 'active') AS d;

-- ProfitWell ("Are cancellations in the first month counted as churn?",
-- paddle.com/help/profitwell-metrics/...): a user pays $100 on 12/5 and
-- churns on 12/6; ProfitWell shows the $100 as new revenue on 12/5 and
-- takes it back from new revenue on 12/6: the month's churn is unaffected.
-- A second customer who stays gives December a starting base.
CREATE TABLE profitwell_example (customer_id text, started_at date, ended_at date, mrr numeric(12,2));
INSERT INTO profitwell_example VALUES
  ('pays_and_leaves', '2023-12-05', '2023-12-06', 100),
  ('stays',           '2023-11-20', NULL,          50);
-- December, changes 'period_end' (ProfitWell): start 1 customer / 50, no
-- new, no churn, end 1 / 50: the $100 customer is invisible, as ProfitWell
-- shows it at the end of the month.
-- December, changes 'all' (Stripe, Chargify per ProfitWell's comparisons):
-- 1 new (100) and 1 churned (100); the same end, 1 / 50.
SELECT c.changes, m.period_start, m.customers_start, m.new_customers, m.churned_customers,
       m.customers_end, m.new_mrr, m.churned_mrr, m.mrr_end
FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book FROM profitwell_example) AS b,
     (VALUES ('period_end'), ('all')) AS c(changes),
     mrr_movements(b.book, 'month', '2023-12-01', '2023-12-31', changes => c.changes) AS m;
-- the drill-down of December: nothing under 'period_end' ...
SELECT count(*) AS december_movements_period_end
FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book FROM profitwell_example) AS b,
     customer_movements(b.book, 'month', '2023-12-01', '2023-12-31') AS d;
-- ... and the in-and-out under 'all' (ProfitWell's CSV export calls it new_cancelled)
SELECT d.*
FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book FROM profitwell_example) AS b,
     customer_movements(b.book, 'month', '2023-12-01', '2023-12-31', changes => 'all') AS d
ORDER BY d.movement DESC;
-- Read by day, the extension shows a new customer on 12/5 and a churned
-- one on 12/6 (a day has nothing inside it to net out), where ProfitWell's
-- month-to-date figures show new +100 on 12/5 and new -100 on 12/6: the
-- month totals agree, the daily labels cannot.
SELECT m.period_start, m.new_customers, m.churned_customers, m.new_mrr, m.churned_mrr, m.mrr_end
FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book FROM profitwell_example) AS b,
     mrr_movements(b.book, 'day', '2023-12-04', '2023-12-07') AS m;

-- Baremetrics ("Reactivating Subscriptions", baremetrics.com/blog/...): a
-- customer paying $100/month cancels in March and comes back in June with a
-- new subscription at $120/month; the $120 is June's reactivation MRR.
-- Expected by month, either changes convention: Jan new 100; Mar churn 100;
-- Jun reactivation 120 (not new: it paid before); nothing else.
CREATE TABLE baremetrics_example (customer_id text, started_at date, ended_at date, mrr numeric(12,2));
INSERT INTO baremetrics_example VALUES
  ('comes_back', '2024-01-15', '2024-03-15', 100),
  ('comes_back', '2024-06-10', NULL,         120);
SELECT m.period_start, m.new_customers, m.churned_customers, m.reactivated_customers,
       m.new_mrr, m.churned_mrr, m.reactivation_mrr, m.mrr_end
FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book FROM baremetrics_example) AS b,
     mrr_movements(b.book, changes => 'all') AS m;
-- Baremetrics reads trailing 30-day windows, not calendar months.  Under
-- changes 'all' every change counts on its day, so a 30-day window is the
-- sum of its days: May 15 .. Jun 13 holds the reactivation (120) and no
-- churn (Mar 15 is outside it).
SELECT sum(m.reactivated_customers) AS reactivated, sum(m.reactivation_mrr) AS reactivation_mrr,
       sum(m.churned_customers) AS churned
FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book FROM baremetrics_example) AS b,
     mrr_movements(b.book, 'day', '2024-05-15', '2024-06-13', changes => 'all') AS m;
-- The 30 days ending Apr 13 hold the churn (Mar 15) and nothing else.
SELECT sum(m.churned_customers) AS churned, sum(m.churned_mrr) AS churned_mrr,
       sum(m.reactivated_customers) AS reactivated
FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book FROM baremetrics_example) AS b,
     mrr_movements(b.book, 'day', '2024-03-15', '2024-04-13', changes => 'all') AS m;

-- Stripe ("Billing metric definitions", docs.stripe.com/billing/subscriptions/
-- analytics/glossary): a customer is an active subscriber while one of its
-- subscriptions is paid (active or past_due); free plans and trials are not
-- in MRR; a new subscriber is a new, non-trial, paid subscriber.
--   free_then_paid: free plan from Feb 1, pays 29 from Apr 12;
--   always_free:    free plan from Feb 1, never pays;
--   paid_then_free: pays 29 from Feb 10, moves to the free plan on May 20.
-- zero_mrr 'inactive' (Stripe): Feb 1 new (paid_then_free, 29), end 1 / 29;
--   Mar nothing; Apr 1 new (free_then_paid, 29: its first paid subscription
--   makes it a new subscriber), end 2 / 58; May 1 churned (29), end 1 / 29.
-- zero_mrr 'active': Feb 3 new (0 + 0 + 29), end 3 / 29; Apr expansion 29
--   (1 customer), end 3 / 58; May contraction 29 (1 customer), no churn, end 3 / 29.
CREATE TABLE stripe_example (customer_id text, started_at date, ended_at date, mrr numeric(12,2));
INSERT INTO stripe_example VALUES
  ('free_then_paid', '2024-02-01', '2024-04-12', 0),
  ('free_then_paid', '2024-04-12', NULL,        29),
  ('always_free',    '2024-02-01', NULL,         0),
  ('paid_then_free', '2024-02-10', '2024-05-20', 29),
  ('paid_then_free', '2024-05-20', NULL,         0);
SELECT c.zero_mrr, m.period_start, m.new_customers, m.churned_customers, m.customers_end,
       m.new_mrr, m.expansion_mrr, m.contraction_mrr, m.churned_mrr, m.mrr_end
FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book FROM stripe_example) AS b,
     (VALUES ('inactive'), ('active')) AS c(zero_mrr),
     mrr_movements(b.book, zero_mrr => c.zero_mrr) AS m
ORDER BY c.zero_mrr DESC, m.period_start;
-- the active subscribers on Jun 1: Stripe's (free_then_paid, 29) and,
-- under 'active', every customer with a subscription
SELECT c.zero_mrr, a.customer_id, a.mrr
FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book FROM stripe_example) AS b,
     (VALUES ('inactive'), ('active')) AS c(zero_mrr),
     customers_at(b.book, '2024-06-01', c.zero_mrr) AS a
ORDER BY c.zero_mrr DESC, a.customer_id;
-- Stripe's churn rate divides by the subscribers at the start plus the new
-- ones: in May 1 churned / (2 at the start + 0 new) = 0.5
SELECT m.period_start, churn_rate(m, include_acquired => true) AS stripe_churn_rate
FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book FROM stripe_example) AS b,
     mrr_movements(b.book, 'month', '2024-05-01', '2024-05-31') AS m;
-- Stripe's MRR example: 100 subscribers on Plan A (100 USD a month) and 50
-- on Plan B (600 USD a year): MRR = 100 * 100 + 50 * 600 / 12 = 12,500
-- (the page writes "50 × (800 USD/12)" in the formula, a typo for 600:
-- with 800 the sum would be 13,333.33, not the 12,500 it states).
CREATE TABLE stripe_mrr_example AS
SELECT 'cus_' || n AS customer_id, date '2024-01-01' AS started_at, NULL::date AS ended_at,
       (CASE WHEN n <= 100 THEN 100 ELSE 600 / 12.0 END)::numeric(12,2) AS mrr
FROM generate_series(1, 150) AS n;
SELECT m.period_start, m.customers_end, m.mrr_end
FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book FROM stripe_mrr_example) AS b,
     mrr_movements(b.book) AS m;

DROP TABLE chartmogul_example, profitwell_example, baremetrics_example, stripe_example, stripe_mrr_example;
