-- docs/billing.md, "From Stripe billing tables to book rows", run as
-- written: Stripe-shaped tables, the views that turn them into book rows
-- (from the subscription table, from item change events, from invoice
-- lines), hand-checked cases with the MRR derived in the comments, and the
-- routes compared on generated data (test/reference/billing.sql).
SET DateStyle = ISO;
SET TimeZone = 'UTC';
CREATE SCHEMA stripe;
CREATE TABLE stripe.prices (
    id text PRIMARY KEY,
    product text NOT NULL,
    unit_amount bigint NOT NULL,                  -- minor units: cents
    recurring_interval text NOT NULL,             -- day, week, month or year
    recurring_interval_count integer NOT NULL     -- 3 with month: quarterly
);
CREATE TABLE stripe.coupons (
    id text PRIMARY KEY,
    percent_off numeric,                          -- either this ...
    amount_off bigint,                            -- ... or this, in cents, off each invoice
    duration text NOT NULL,                       -- forever, once or repeating
    duration_in_months integer                    -- for repeating
);
CREATE TABLE stripe.subscriptions (
    id text PRIMARY KEY,
    customer text NOT NULL,
    status text NOT NULL,                         -- trialing, active, past_due, canceled, ...
    start_date timestamptz NOT NULL,
    trial_start timestamptz,
    trial_end timestamptz,
    current_period_start timestamptz NOT NULL,
    current_period_end timestamptz NOT NULL,
    cancel_at_period_end boolean NOT NULL,
    canceled_at timestamptz,
    ended_at timestamptz
);
CREATE TABLE stripe.subscription_items (
    id text PRIMARY KEY,
    subscription text NOT NULL,
    price text NOT NULL,                          -- the current price only
    quantity integer NOT NULL
);
CREATE TABLE stripe.discounts (                   -- a coupon applied to a subscription
    id text PRIMARY KEY,
    subscription text NOT NULL,
    coupon text NOT NULL,
    start timestamptz NOT NULL,
    "end" timestamptz                             -- set by Stripe for repeating coupons
);
CREATE TABLE stripe.subscription_item_events (    -- customer.subscription.created/updated webhooks, one row per item
    created timestamptz NOT NULL,
    subscription text NOT NULL,
    subscription_item text NOT NULL,
    price text NOT NULL,
    quantity integer NOT NULL                     -- 0: the item was removed
);
CREATE TABLE stripe.invoices (
    id text PRIMARY KEY,
    customer text NOT NULL,
    subscription text,
    status text NOT NULL                          -- draft, open, paid, void, uncollectible
);
CREATE TABLE stripe.invoice_line_items (
    id text PRIMARY KEY,
    invoice text NOT NULL,
    subscription text,
    subscription_item text,
    price text,
    quantity integer,
    proration boolean NOT NULL,
    amount bigint NOT NULL,                       -- cents; negative for credits
    discount_amount bigint NOT NULL,              -- the sum of its discount_amounts
    period_start timestamptz NOT NULL,            -- the service period
    period_end timestamptz NOT NULL
);

-- A price's monthly amount: cents to units, then to a month by the billing
-- interval (a year is 12 months, a week 12/52 of a month, a day 12/365),
-- divided once so that exact amounts stay exact.
CREATE FUNCTION stripe_monthly_amount(cents numeric, recurring_interval text, interval_count integer)
RETURNS numeric LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN trim_scale(cents * CASE recurring_interval WHEN 'day' THEN 365 WHEN 'week' THEN 52
                                                  WHEN 'month' THEN 1 WHEN 'year' THEN 1 END
                  / (100.0 * interval_count * CASE recurring_interval WHEN 'month' THEN 1 ELSE 12 END));

-- One billing period of a price, as an interval.
CREATE FUNCTION stripe_billing_period(recurring_interval text, interval_count integer)
RETURNS interval LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN interval_count * CASE recurring_interval WHEN 'day' THEN interval '1 day' WHEN 'week' THEN interval '7 days'
                                                WHEN 'month' THEN interval '1 month' WHEN 'year' THEN interval '1 year' END;

-- By hand: 805.80 a year (12 x 79.00, 15 % off) = 67.15 a month; 758.40 a
-- year (12 x 79.00, 20 % off) = 63.20; 12.00 a week = 12 * 52 / 12 = 52;
-- 24.00 every 2 weeks = 52 too; 210.00 a quarter = 70; 2.40 a day =
-- 2.40 * 365 / 12 = 73; 10.00 a week = 43.33... (520 / 12, not a finite
-- decimal: kept to 16 digits after the point, and the book holds 12).
SELECT stripe_monthly_amount(80580, 'year', 1) AS annual_15_off, stripe_monthly_amount(75840, 'year', 1) AS annual_20_off,
       stripe_monthly_amount(1200, 'week', 1) AS weekly, stripe_monthly_amount(2400, 'week', 2) AS fortnightly,
       stripe_monthly_amount(21000, 'month', 3) AS quarterly, stripe_monthly_amount(240, 'day', 1) AS daily,
       stripe_monthly_amount(1000, 'week', 1) AS weekly_10;

-- When each subscription is on trial and when it pays: paid from the end of
-- its trial to ended_at, or, when it is set to cancel at the period end, to
-- the end of the period it has paid for.
CREATE VIEW stripe_subscription_spans AS
SELECT s.id AS subscription, s.customer,
       CASE WHEN s.trial_end IS NOT NULL
            THEN tstzrange(s.trial_start, least(s.trial_end, s.ended_at)) END AS trial,
       tstzrange(least(coalesce(s.trial_end, s.start_date), paid_until), paid_until) AS paid,
       (SELECT stripe_billing_period(p.recurring_interval, p.recurring_interval_count)
        FROM stripe.subscription_items AS i JOIN stripe.prices AS p ON p.id = i.price
        WHERE i.subscription = s.id LIMIT 1) AS billing_period
FROM stripe.subscriptions AS s,
     LATERAL (SELECT coalesce(s.ended_at, CASE WHEN s.cancel_at_period_end THEN s.current_period_end END)
             ) AS u(paid_until)
WHERE s.status NOT IN ('incomplete', 'incomplete_expired');

-- When each coupon applies, inside the paid span: forever to the end,
-- repeating for its months, once for one billing period.
CREATE VIEW stripe_discount_spans AS
SELECT d.subscription, c.percent_off, c.amount_off,
       tstzrange(d.start, CASE c.duration
                              WHEN 'forever' THEN NULL
                              WHEN 'repeating' THEN coalesce(d."end", d.start + c.duration_in_months * interval '1 month')
                              WHEN 'once' THEN greatest(d.start, lower(sp.paid)) + sp.billing_period
                          END) * sp.paid AS period
FROM stripe.discounts AS d
JOIN stripe.coupons AS c ON c.id = d.coupon
JOIN stripe_subscription_spans AS sp ON sp.subscription = d.subscription;

-- Which price and quantity each item had when, two ways: the subscription
-- table's current items for the whole paid span, or the item events.
CREATE VIEW stripe_item_versions AS
SELECT 'subscriptions' AS source, i.subscription, i.price, i.quantity, sp.paid AS period
FROM stripe.subscription_items AS i
JOIN stripe_subscription_spans AS sp ON sp.subscription = i.subscription
WHERE NOT isempty(sp.paid)
UNION ALL
SELECT 'changes', e.subscription, e.price, e.quantity, e.period * sp.paid
FROM (SELECT subscription, subscription_item, price, quantity,
             tstzrange(created, lead(created) OVER (PARTITION BY subscription_item ORDER BY created)) AS period
      FROM stripe.subscription_item_events) AS e
JOIN stripe_subscription_spans AS sp ON sp.subscription = e.subscription
WHERE e.quantity > 0 AND e.period && sp.paid;

-- Book rows from item versions: each version at its price, with a percent
-- coupon where one applies; amount coupons as negative rows; trials as
-- rows of MRR 0.
CREATE VIEW stripe_book_rows_from_versions AS
SELECT v.source, sp.customer AS customer_id, lower(part.period) AS started_at, upper(part.period) AS ended_at,
       stripe_monthly_amount(p.unit_amount * v.quantity * (100 - part.percent_off) / 100,
                             p.recurring_interval, p.recurring_interval_count) AS mrr
FROM stripe_item_versions AS v
JOIN stripe_subscription_spans AS sp ON sp.subscription = v.subscription
JOIN stripe.prices AS p ON p.id = v.price
CROSS JOIN LATERAL (
    SELECT v.period * d.period, d.percent_off
    FROM stripe_discount_spans AS d
    WHERE d.subscription = v.subscription AND d.percent_off IS NOT NULL AND d.period && v.period
    UNION ALL
    SELECT rest, 0
    FROM unnest(tstzmultirange(v.period)
                - coalesce((SELECT range_agg(d.period) FROM stripe_discount_spans AS d
                            WHERE d.subscription = v.subscription AND d.percent_off IS NOT NULL),
                           '{}')) AS rest
) AS part(period, percent_off)
UNION ALL
SELECT s.source, sp.customer, lower(d.period), upper(d.period),
       -stripe_monthly_amount(d.amount_off, p.recurring_interval, p.recurring_interval_count)
FROM stripe_discount_spans AS d
JOIN stripe_subscription_spans AS sp ON sp.subscription = d.subscription
CROSS JOIN (VALUES ('subscriptions'), ('changes')) AS s(source)
CROSS JOIN LATERAL (SELECT p.* FROM stripe.subscription_items AS i JOIN stripe.prices AS p ON p.id = i.price
                    WHERE i.subscription = d.subscription LIMIT 1) AS p
WHERE d.amount_off IS NOT NULL AND NOT isempty(d.period)
UNION ALL
SELECT s.source, sp.customer, lower(sp.trial), upper(sp.trial), 0
FROM stripe_subscription_spans AS sp
CROSS JOIN (VALUES ('subscriptions'), ('changes')) AS s(source)
WHERE NOT isempty(sp.trial);

CREATE VIEW stripe_book_rows_subscriptions AS
SELECT customer_id, started_at, ended_at, mrr FROM stripe_book_rows_from_versions WHERE source = 'subscriptions';
CREATE VIEW stripe_book_rows_changes AS
SELECT customer_id, started_at, ended_at, mrr FROM stripe_book_rows_from_versions WHERE source = 'changes';

-- Book rows from invoice lines: each subscription line over its service
-- period, net of discounts, normalised by the length of that period against
-- its billing period.  A regular line is one billing period; a proration
-- (a credit, negative, or a charge) covers the rest of the billing period
-- it ends with: that of the item's regular line ending then, else one
-- period of its price back from its end.  The lines of a live
-- subscription's current period stay open: it renews.
CREATE VIEW stripe_book_rows_invoices AS
SELECT inv.customer AS customer_id, l.period_start AS started_at,
       CASE WHEN s.status IN ('trialing', 'active', 'past_due') AND NOT s.cancel_at_period_end
                 AND s.ended_at IS NULL AND l.period_end = s.current_period_end
            THEN NULL ELSE l.period_end END AS ended_at,
       stripe_monthly_amount((l.amount - l.discount_amount)
                             * (extract(epoch FROM l.period_end) - extract(epoch FROM billing.period_start))
                             / (extract(epoch FROM l.period_end) - extract(epoch FROM l.period_start)),
                             p.recurring_interval, p.recurring_interval_count) AS mrr
FROM stripe.invoice_line_items AS l
JOIN stripe.invoices AS inv ON inv.id = l.invoice
JOIN stripe.subscriptions AS s ON s.id = l.subscription
JOIN stripe.prices AS p ON p.id = l.price
LEFT JOIN (SELECT subscription_item, period_end, min(period_start) AS period_start
           FROM stripe.invoice_line_items WHERE NOT proration
           GROUP BY subscription_item, period_end) AS regular
       ON l.proration AND regular.subscription_item = l.subscription_item AND regular.period_end = l.period_end
CROSS JOIN LATERAL (
    SELECT CASE WHEN NOT l.proration THEN l.period_start
                ELSE coalesce(regular.period_start,
                              l.period_end - stripe_billing_period(p.recurring_interval, p.recurring_interval_count))
           END
) AS billing(period_start)
WHERE inv.status IN ('open', 'paid') AND l.period_end > l.period_start;

-- Hand-checked cases, one feature each, as Stripe would have them on
-- 2025-06-30.  The monthly amounts, by hand:
--   cus_weekly     12.00 a week:                        12 * 52 / 12  = 52
--   cus_quarterly  210.00 every 3 months:               210 / 3       = 70
--   cus_seats      3 seats at 20.00:                    3 * 20        = 60
--   cus_forever    79.00 with 20 % off forever:         79 * 0.8      = 63.20
--   cus_once       29.00 with 10.00 off once:           19 in its first month (May), then 29
--   cus_repeating  29.00 with 50 % off for 3 months:    14.50 Feb-Apr, then 29 from May 1
--   cus_trial      a 14-day trial (Jun 2-16), then 79:  0 on trial, 79 from Jun 16
--   cus_upgrade    29.00 from Jan 5, 79.00 from Jan 20 with proration lines,
--                  cancelled at the period end (Mar 5): see below
--   cus_annual     805.80 a year (12 * 79.00 at 15 % off): 805.80 / 12 = 67.15
--   cus_leaving    29.00 from Mar 10, set on Jun 20 to cancel at the period
--                  end: paid, so counted, to Jul 10
--   cus_cancelled  29.00 from Mar 1, cancelled at once on Apr 15 with no
--                  refund: the April period was billed in full
INSERT INTO stripe.prices VALUES
  ('price_weekly',    'starter',    1200, 'week',  1),
  ('price_quarterly', 'growth',    21000, 'month', 3),
  ('price_seat',      'team',       2000, 'month', 1),
  ('price_starter',   'starter',    2900, 'month', 1),
  ('price_growth',    'growth',     7900, 'month', 1),
  ('price_growth_yr', 'growth',    80580, 'year',  1);
INSERT INTO stripe.coupons VALUES
  ('twenty_forever', 20,   NULL, 'forever',   NULL),
  ('ten_off_once',   NULL, 1000, 'once',      NULL),
  ('half_3_months',  50,   NULL, 'repeating', 3);
INSERT INTO stripe.subscriptions
  (id, customer, status, start_date, trial_start, trial_end, current_period_start, current_period_end,
   cancel_at_period_end, canceled_at, ended_at) VALUES
  ('sub_weekly',    'cus_weekly',    'active',   '2025-06-02', NULL, NULL, '2025-06-30', '2025-07-07', false, NULL, NULL),
  ('sub_quarterly', 'cus_quarterly', 'active',   '2025-04-01', NULL, NULL, '2025-04-01', '2025-07-01', false, NULL, NULL),
  ('sub_seats',     'cus_seats',     'active',   '2025-05-15', NULL, NULL, '2025-06-15', '2025-07-15', false, NULL, NULL),
  ('sub_forever',   'cus_forever',   'active',   '2025-05-01', NULL, NULL, '2025-06-01', '2025-07-01', false, NULL, NULL),
  ('sub_once',      'cus_once',      'active',   '2025-05-01', NULL, NULL, '2025-06-01', '2025-07-01', false, NULL, NULL),
  ('sub_repeating', 'cus_repeating', 'active',   '2025-02-01', NULL, NULL, '2025-06-01', '2025-07-01', false, NULL, NULL),
  ('sub_trial',     'cus_trial',     'active',   '2025-06-02', '2025-06-02', '2025-06-16', '2025-06-16', '2025-07-16', false, NULL, NULL),
  ('sub_upgrade',   'cus_upgrade',   'canceled', '2025-01-05', NULL, NULL, '2025-02-05', '2025-03-05', true, '2025-02-20', '2025-03-05'),
  ('sub_annual',    'cus_annual',    'active',   '2025-03-01', NULL, NULL, '2025-03-01', '2026-03-01', false, NULL, NULL),
  ('sub_leaving',   'cus_leaving',   'active',   '2025-03-10', NULL, NULL, '2025-06-10', '2025-07-10', true, '2025-06-20', NULL),
  ('sub_cancelled', 'cus_cancelled', 'canceled', '2025-03-01', NULL, NULL, '2025-04-01', '2025-05-01', false, '2025-04-15', '2025-04-15');
INSERT INTO stripe.subscription_items VALUES
  ('si_weekly', 'sub_weekly', 'price_weekly', 1),
  ('si_quarterly', 'sub_quarterly', 'price_quarterly', 1),
  ('si_seats', 'sub_seats', 'price_seat', 3),
  ('si_forever', 'sub_forever', 'price_growth', 1),
  ('si_once', 'sub_once', 'price_starter', 1),
  ('si_repeating', 'sub_repeating', 'price_starter', 1),
  ('si_trial', 'sub_trial', 'price_growth', 1),
  ('si_upgrade', 'sub_upgrade', 'price_growth', 1),      -- the current price only
  ('si_annual', 'sub_annual', 'price_growth_yr', 1),
  ('si_leaving', 'sub_leaving', 'price_starter', 1),
  ('si_cancelled', 'sub_cancelled', 'price_starter', 1);
INSERT INTO stripe.discounts VALUES
  ('di_forever', 'sub_forever', 'twenty_forever', '2025-05-01', NULL),
  ('di_once', 'sub_once', 'ten_off_once', '2025-05-01', NULL),
  ('di_repeating', 'sub_repeating', 'half_3_months', '2025-02-01', '2025-05-01');
-- the item events: every item as created, and cus_upgrade's upgrade
INSERT INTO stripe.subscription_item_events
SELECT s.start_date, s.id, i.id, CASE i.id WHEN 'si_upgrade' THEN 'price_starter' ELSE i.price END, i.quantity
FROM stripe.subscriptions AS s JOIN stripe.subscription_items AS i ON i.subscription = s.id;
INSERT INTO stripe.subscription_item_events VALUES
  ('2025-01-20', 'sub_upgrade', 'si_upgrade', 'price_growth', 1);
-- Some of their invoice lines.  cus_upgrade moves from 29.00 to 79.00 on
-- Jan 20, 16 days before the end of its 31-day period (Jan 5 - Feb 5):
-- Stripe credits the unused time, -29.00 * 16 / 31 = -14.967... -> -14.97,
-- and charges the rest of the period at the new price, 79.00 * 16 / 31 =
-- 40.774... -> 40.77, both over Jan 20 - Feb 5.
INSERT INTO stripe.invoice_line_items VALUES
  ('il_upgrade_1', 'in_upgrade_1', 'sub_upgrade', 'si_upgrade', 'price_starter', 1, false,  2900,    0, '2025-01-05', '2025-02-05'),
  ('il_upgrade_2', 'in_upgrade_2', 'sub_upgrade', 'si_upgrade', 'price_starter', 1, true,  -1497,    0, '2025-01-20', '2025-02-05'),
  ('il_upgrade_3', 'in_upgrade_2', 'sub_upgrade', 'si_upgrade', 'price_growth',  1, true,   4077,    0, '2025-01-20', '2025-02-05'),
  ('il_upgrade_4', 'in_upgrade_3', 'sub_upgrade', 'si_upgrade', 'price_growth',  1, false,  7900,    0, '2025-02-05', '2025-03-05'),
  ('il_annual',    'in_annual',    'sub_annual',  'si_annual',  'price_growth_yr', 1, false, 80580,  0, '2025-03-01', '2026-03-01'),
  ('il_trial_1',   'in_trial_1',   'sub_trial',   'si_trial',   'price_growth',  1, false,     0,    0, '2025-06-02', '2025-06-16'),
  ('il_trial_2',   'in_trial_2',   'sub_trial',   'si_trial',   'price_growth',  1, false,  7900,    0, '2025-06-16', '2025-07-16'),
  ('il_once_1',    'in_once_1',    'sub_once',    'si_once',    'price_starter', 1, false,  2900, 1000, '2025-05-01', '2025-06-01'),
  ('il_once_2',    'in_once_2',    'sub_once',    'si_once',    'price_starter', 1, false,  2900,    0, '2025-06-01', '2025-07-01'),
  ('il_cancel_1',  'in_cancel_1',  'sub_cancelled', 'si_cancelled', 'price_starter', 1, false, 2900, 0, '2025-03-01', '2025-04-01'),
  ('il_cancel_2',  'in_cancel_2',  'sub_cancelled', 'si_cancelled', 'price_starter', 1, false, 2900, 0, '2025-04-01', '2025-05-01');
INSERT INTO stripe.invoices
SELECT DISTINCT l.invoice, s.customer, s.id, 'paid'
FROM stripe.invoice_line_items AS l JOIN stripe.subscriptions AS s ON s.id = l.subscription;

-- The subscription table's route: the amounts above, each over its paid
-- span; cus_once's coupon is a negative row for its first month; trials
-- are rows of MRR 0; cus_upgrade pays 79 from Jan 5, as if it had never
-- been on 29 (the table holds only the current price).
SELECT customer_id, started_at::date, ended_at::date, mrr
FROM stripe_book_rows_subscriptions
ORDER BY customer_id, started_at, mrr;
-- The change route knows the upgrade: 29 from Jan 5, 79 from Jan 20; the
-- other customers' rows are those of the subscription table.
SELECT customer_id, started_at::date, ended_at::date, mrr
FROM stripe_book_rows_changes
WHERE customer_id = 'cus_upgrade'
ORDER BY started_at;
SELECT NOT EXISTS ((SELECT * FROM stripe_book_rows_changes WHERE customer_id <> 'cus_upgrade'
                    EXCEPT ALL
                    SELECT * FROM stripe_book_rows_subscriptions WHERE customer_id <> 'cus_upgrade')
                   UNION ALL
                   (SELECT * FROM stripe_book_rows_subscriptions WHERE customer_id <> 'cus_upgrade'
                    EXCEPT ALL
                    SELECT * FROM stripe_book_rows_changes WHERE customer_id <> 'cus_upgrade'))
       AS same_rows_without_changes;
-- The invoice route: a regular line is one billing period (cus_annual
-- 805.80 / 12 = 67.15, cus_once 29.00 - 10.00 = 19 then 29); the lines of a
-- live subscription's current period stay open.  cus_upgrade's proration
-- lines cover 16 of the 31 days of their billing period: -14.97 * 31 / 16 =
-- -29.004375 and 40.77 * 31 / 16 = 78.991875, so from Jan 20 to Feb 5 it
-- is at 29 - 29.004375 + 78.991875 = 78.9875, within 1.25 cents of 79.
-- cus_cancelled was billed through Apr 30: paid, so counted, until May 1.
SELECT customer_id, started_at::date, ended_at::date, mrr
FROM stripe_book_rows_invoices
ORDER BY customer_id, started_at, mrr;

-- cus_upgrade and cus_cancelled by the three routes, every change counted:
--   subscriptions: cus_upgrade new 79 in Jan, churn 79 in Mar (no upgrade);
--                  cus_cancelled new 29 in Mar, churn in Apr (Apr 15);
--   changes:       cus_upgrade new 29 and expansion 29 -> 79 in Jan, churn in Mar;
--   invoices:      cus_upgrade new 29, expansion 29 -> 78.9875 in Jan, the
--                  rounding's 78.9875 -> 79 in Feb, churn in Mar;
--                  cus_cancelled churns in May (paid through Apr 30).
SELECT r.route, d.*
FROM (SELECT 'subscriptions', subscription_book_agg(customer_id, started_at, ended_at, mrr)
      FROM stripe_book_rows_subscriptions WHERE customer_id IN ('cus_upgrade', 'cus_cancelled')
      UNION ALL
      SELECT 'changes', subscription_book_agg(customer_id, started_at, ended_at, mrr)
      FROM stripe_book_rows_changes WHERE customer_id IN ('cus_upgrade', 'cus_cancelled')
      UNION ALL
      SELECT 'invoices', subscription_book_agg(customer_id, started_at, ended_at, mrr)
      FROM stripe_book_rows_invoices WHERE customer_id IN ('cus_upgrade', 'cus_cancelled')) AS r(route, book),
     customer_movements(r.book, changes => 'all') AS d
ORDER BY d.customer_id DESC, r.route, d.period_start, d.mrr_before;

-- The trial: under zero_mrr 'inactive' cus_trial is not a customer while on
-- trial (Jun 10) and is new with 79 in June; under 'active' it is a new
-- customer with 0 on Jun 2 and its first payment is an expansion of 79.
SELECT c.zero_mrr, a.*
FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book
      FROM stripe_book_rows_changes WHERE customer_id = 'cus_trial') AS b,
     (VALUES ('inactive'), ('active')) AS c(zero_mrr),
     customers_at(b.book, '2025-06-10', c.zero_mrr) AS a;
SELECT c.zero_mrr, d.*
FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book
      FROM stripe_book_rows_changes WHERE customer_id = 'cus_trial') AS b,
     (VALUES ('inactive'), ('active')) AS c(zero_mrr),
     customer_movements(b.book, zero_mrr => c.zero_mrr, changes => 'all') AS d
ORDER BY c.zero_mrr DESC, d.mrr_before;

-- June 2025 of all the hand cases, by the change route.  At the end of May:
-- cus_annual 67.15, cus_forever 63.20, cus_leaving 29, cus_once 19,
-- cus_quarterly 70, cus_repeating 29, cus_seats 60: 7 customers, 337.35.
-- In June: cus_weekly (52, Jun 2) and cus_trial (79, Jun 16) are new: 131;
-- cus_once's coupon ends: +10.  End: 9 customers, 337.35 + 131 + 10 = 478.35.
SELECT m.period_start, m.customers_start, m.new_customers, m.customers_end,
       m.mrr_start, m.new_mrr, m.expansion_mrr, m.mrr_end
FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book
      FROM stripe_book_rows_changes) AS b,
     mrr_movements(b.book, 'month', '2025-06-01', '2025-06-30') AS m;

-- The routes on generated data (test/reference/billing.sql: 2000
-- subscriptions with every feature above, as of 2025-06-30).
SET client_min_messages = warning;
\set ECHO none
\i test/reference/billing.sql
\set ECHO all
RESET client_min_messages;
CALL ref.make_billing(2000);

-- Annual plans paid up front at 15 % off (20 % for growth) give their
-- discounted monthly value: 12 * 29.00 * 0.85 / 12 = 24.65,
-- 12 * 79.00 * 0.80 / 12 = 63.20, 12 * 199.00 * 0.85 / 12 = 169.15.
SELECT y.product, stripe_monthly_amount(y.unit_amount, y.recurring_interval, y.recurring_interval_count) AS annual_plan_mrr,
       stripe_monthly_amount(m.unit_amount, m.recurring_interval, m.recurring_interval_count) AS monthly_plan_mrr
FROM stripe.prices AS y
JOIN stripe.prices AS m ON m.id = format('price_%s_month_1', y.product)
WHERE y.id = format('price_%s_year_1', y.product)
ORDER BY annual_plan_mrr;

CREATE TEMP TABLE route_books AS
SELECT 'subscriptions' AS route, subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book
FROM stripe_book_rows_subscriptions WHERE customer_id LIKE 'cus\_0%'
UNION ALL
SELECT 'changes', subscription_book_agg(customer_id, started_at, ended_at, mrr)
FROM stripe_book_rows_changes WHERE customer_id LIKE 'cus\_0%'
UNION ALL
SELECT 'invoices', subscription_book_agg(customer_id, started_at, ended_at, mrr)
FROM stripe_book_rows_invoices WHERE customer_id LIKE 'cus\_0%';

-- Where the invoice route and the change route must differ, found in the
-- data, and the instants at which they may:
--   a proration: the cent rounding of its lines, from the change to the end
--     of the billing period, by at most half a cent per line normalised as
--     the line is;
--   a change billed from the next period (no proration): from the change
--     to the next line (if it has been billed yet), by any amount;
--   a cancellation inside a paid period without a refund: from the end to
--     the end of the paid period, by any amount.
CREATE TEMP TABLE route_gap AS
SELECT inv.customer, 'proration' AS why, tstzrange(l.period_start, l.period_end) AS during,
       stripe_monthly_amount(0.5 * (extract(epoch FROM l.period_end) - extract(epoch FROM r.period_start))
                                  / (extract(epoch FROM l.period_end) - extract(epoch FROM l.period_start)),
                             p.recurring_interval, p.recurring_interval_count) AS bound
FROM stripe.invoice_line_items AS l
JOIN stripe.invoices AS inv ON inv.id = l.invoice
JOIN stripe.prices AS p ON p.id = l.price
JOIN stripe.invoice_line_items AS r
  ON r.subscription_item = l.subscription_item AND NOT r.proration AND r.period_end = l.period_end
WHERE l.proration
UNION ALL
SELECT s.customer, 'change billed from the next period', tstzrange(e.created, min(l.period_start)), NULL
FROM stripe.subscription_item_events AS e
JOIN stripe.subscriptions AS s ON s.id = e.subscription
LEFT JOIN stripe.invoice_line_items AS l ON l.subscription = e.subscription AND l.period_start >= e.created
WHERE e.created > s.start_date
GROUP BY s.customer, e.created
HAVING min(l.period_start) IS DISTINCT FROM e.created
UNION ALL
SELECT s.customer, 'cancelled inside a paid period', tstzrange(s.ended_at, max(l.period_end)), NULL
FROM stripe.subscriptions AS s
JOIN stripe.invoice_line_items AS l ON l.subscription = s.id
GROUP BY s.customer, s.ended_at
HAVING s.ended_at < max(l.period_end);
SELECT why, count(*) > 0 AS occurs FROM route_gap GROUP BY why ORDER BY why;

-- Everywhere else the two routes agree exactly: the customers without any
-- of those give the same movements by month under every convention, and
-- the same drill-down ...
CREATE TEMP TABLE clean_books AS
SELECT 'changes' AS route, subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book
FROM stripe_book_rows_changes
WHERE customer_id LIKE 'cus\_0%' AND customer_id NOT IN (SELECT customer FROM route_gap)
UNION ALL
SELECT 'invoices', subscription_book_agg(customer_id, started_at, ended_at, mrr)
FROM stripe_book_rows_invoices
WHERE customer_id LIKE 'cus\_0%' AND customer_id NOT IN (SELECT customer FROM route_gap);
SELECT c.zero_mrr, c.changes,
       (SELECT array_agg(m ORDER BY m.period_start) FROM clean_books AS b,
               mrr_movements(b.book, 'month', '2024-01-01', '2025-06-30', c.zero_mrr, c.changes) AS m
        WHERE b.route = 'invoices')
     = (SELECT array_agg(m ORDER BY m.period_start) FROM clean_books AS b,
               mrr_movements(b.book, 'month', '2024-01-01', '2025-06-30', c.zero_mrr, c.changes) AS m
        WHERE b.route = 'changes') AS same_movements,
       NOT EXISTS ((SELECT d.* FROM clean_books AS b,
                           customer_movements(b.book, 'month', '2024-01-01', '2025-06-30', c.zero_mrr, c.changes) AS d
                    WHERE b.route = 'invoices'
                    EXCEPT ALL
                    SELECT d.* FROM clean_books AS b,
                           customer_movements(b.book, 'month', '2024-01-01', '2025-06-30', c.zero_mrr, c.changes) AS d
                    WHERE b.route = 'changes')
                   UNION ALL
                   (SELECT d.* FROM clean_books AS b,
                           customer_movements(b.book, 'month', '2024-01-01', '2025-06-30', c.zero_mrr, c.changes) AS d
                    WHERE b.route = 'changes'
                    EXCEPT ALL
                    SELECT d.* FROM clean_books AS b,
                           customer_movements(b.book, 'month', '2024-01-01', '2025-06-30', c.zero_mrr, c.changes) AS d
                    WHERE b.route = 'invoices')) AS same_drill_down
FROM (VALUES ('inactive', 'period_end'), ('inactive', 'all'), ('active', 'period_end'), ('active', 'all'))
         AS c(zero_mrr, changes);

-- ... and, for every customer, every month end's MRR agrees unless the
-- month end falls in one of its gaps (within the bound for prorations);
-- each kind of gap does change some month end.
CREATE TEMP TABLE month_end_mrr AS
SELECT d.day, a.customer_id,
       coalesce(sum(a.mrr) FILTER (WHERE b.route = 'invoices'), 0) AS invoices,
       coalesce(sum(a.mrr) FILTER (WHERE b.route = 'changes'), 0) AS changes
FROM (SELECT (m + interval '1 month' - interval '1 day')::date AS day
      FROM generate_series(date '2024-01-01', date '2025-06-01', interval '1 month') AS m) AS d
CROSS JOIN route_books AS b
CROSS JOIN LATERAL customers_at(b.book, d.day, 'active') AS a
WHERE b.route IN ('invoices', 'changes')
GROUP BY d.day, a.customer_id;
SELECT count(*) FILTER (WHERE NOT explained) AS unexplained_differences,
       bool_or(explained AND why = 'proration') AS proration_differs,
       bool_or(explained AND why = 'change billed from the next period') AS unprorated_change_differs,
       bool_or(explained AND why = 'cancelled inside a paid period') AS cancellation_differs
FROM (SELECT e.invoices <> e.changes AND g.why IS NOT NULL
               AND (g.unbounded OR abs(e.invoices - e.changes) <= g.bound) AS explained, g.why
      FROM month_end_mrr AS e
      LEFT JOIN LATERAL (SELECT bool_or(r.bound IS NULL) AS unbounded, sum(r.bound) AS bound,
                                min(r.why) AS why
                         FROM route_gap AS r
                         WHERE r.customer = e.customer_id AND r.during @> e.day::timestamptz) AS g ON true
      WHERE e.invoices <> e.changes) AS differences;

-- The subscription table's route equals the change route for the
-- customers whose items never changed, and misses the others' upgrades:
-- less expansion.
WITH unchanged AS (
    SELECT s.customer FROM stripe.subscriptions AS s
    WHERE s.customer LIKE 'cus\_0%'
      AND (SELECT count(*) FROM stripe.subscription_item_events AS e WHERE e.subscription = s.id) = 1
)
SELECT NOT EXISTS ((SELECT * FROM stripe_book_rows_subscriptions WHERE customer_id IN (SELECT customer FROM unchanged)
                    EXCEPT ALL
                    SELECT * FROM stripe_book_rows_changes WHERE customer_id IN (SELECT customer FROM unchanged))
                   UNION ALL
                   (SELECT * FROM stripe_book_rows_changes WHERE customer_id IN (SELECT customer FROM unchanged)
                    EXCEPT ALL
                    SELECT * FROM stripe_book_rows_subscriptions WHERE customer_id IN (SELECT customer FROM unchanged)))
           AS same_without_changes,
       (SELECT sum(m.expansion_mrr) FROM route_books AS b, mrr_movements(b.book, changes => 'all') AS m
        WHERE b.route = 'subscriptions')
         < (SELECT sum(m.expansion_mrr) FROM route_books AS b, mrr_movements(b.book, changes => 'all') AS m
            WHERE b.route = 'changes') AS subscriptions_miss_expansion;

DROP SCHEMA stripe CASCADE;
DROP FUNCTION stripe_monthly_amount(numeric, text, integer), stripe_billing_period(text, integer);
DROP SCHEMA ref CASCADE;
