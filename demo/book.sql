-- demo/book.sql: a generated demo SaaS book, the same on every machine.
--
-- About 2,000 customers sign up between 2024-01-01 and 2026-10-31 (more each
-- month) on three plans, billed monthly or annually (annual plans are stored
-- as their monthly share, two months free).  They upgrade, add seats,
-- downgrade, switch to annual billing, cancel (a few ask for a refund in
-- their first two weeks), and some come back months later.  Active customers
-- answer an NPS survey every quarter or so, and marketing spends on
-- acquisition every month.
--
-- Every choice is drawn from md5() of a key such as '42:3:what-next', never
-- from random(), so the book is deterministic.  Loaded by scripts/demo.sh
-- (make demo); it can be loaded again into the same database.
--
-- Tables: customers, subscriptions, nps_responses, acquisition_spend;
-- view month_end_customers (plain SQL, no extension).

SET client_min_messages = warning;

DROP VIEW IF EXISTS month_end_customers;
DROP TABLE IF EXISTS nps_responses, acquisition_spend, subscriptions, customers;

-- A number in [0, 1) drawn from a key: 52 bits of its md5.
CREATE FUNCTION pg_temp.u(key text) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT
RETURN ('x' || substr(md5(key), 1, 13))::bit(52)::bigint / 4503599627370496.0;

-- The list price of one seat per month; annual billing is 10 months' price
-- for 12, stored as its monthly share.
CREATE FUNCTION pg_temp.price(plan text, billing text, seats integer) RETURNS numeric
LANGUAGE sql IMMUTABLE STRICT
RETURN round(CASE plan WHEN 'starter' THEN 29 WHEN 'growth' THEN 79 ELSE 199 END * seats
             * CASE billing WHEN 'annual' THEN 10 / 12.0 ELSE 1 END, 2);

-- One subscription row: given how it starts, when it ends (NULL: still
-- active at the end of the book) and what follows it (next_start NULL:
-- nothing).  A monthly row lasts a geometric number of months, an annual
-- one a geometric number of years; then the customer churns, upgrades,
-- downgrades or switches to annual billing.  Churn falls as the product
-- matures (progress goes from 0 to 1 over the book) and depends on the
-- customer's fit, drawn once per customer.
CREATE FUNCTION pg_temp.segment(cid bigint, n integer, started date, plan text, billing text, seats integer,
                                OUT ended date, OUT next_start date, OUT next_plan text,
                                OUT next_billing text, OUT next_seats integer)
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
    book_end constant date := '2026-10-31';
    k constant text := cid || ':' || n || ':';
    progress constant float8 := (started - date '2024-01-01') / 1034.0;
    fit constant float8 := 0.35 + 1.6 * pg_temp.u(cid || ':fit') ^ 2;
    months_per_period constant integer := CASE billing WHEN 'annual' THEN 12 ELSE 1 END;
    p_churn float8;
    p_up float8;
    p_down float8;
    p_switch float8 := 0;
    h float8;
    periods integer;
    v float8;
BEGIN
    next_plan := plan;
    next_billing := billing;
    next_seats := seats;

    -- 3 % of new customers cancel within two weeks and never come back
    IF n = 1 AND started <= book_end - 14 AND pg_temp.u(k || 'refund') < 0.03 THEN
        ended := started + 3 + floor(11 * pg_temp.u(k || 'refund-days'))::integer;
        RETURN;
    END IF;

    IF billing = 'monthly' THEN
        p_churn := CASE plan WHEN 'starter' THEN 0.055 WHEN 'growth' THEN 0.036 ELSE 0.022 END;
        p_up := CASE plan WHEN 'starter' THEN 0.016 WHEN 'growth' THEN 0.014 ELSE 0.010 END;
        p_down := CASE plan WHEN 'starter' THEN 0 WHEN 'growth' THEN 0.006 ELSE 0.008 END;
        p_switch := 0.005;
    ELSE
        p_churn := CASE plan WHEN 'starter' THEN 0.30 WHEN 'growth' THEN 0.22 ELSE 0.14 END;
        p_up := CASE plan WHEN 'starter' THEN 0.15 WHEN 'growth' THEN 0.14 ELSE 0.12 END;
        p_down := CASE plan WHEN 'starter' THEN 0 WHEN 'growth' THEN 0.05 ELSE 0.06 END;
    END IF;
    p_churn := least(0.6, p_churn * fit * (1.25 - 0.5 * progress));
    h := p_churn + p_up + p_down + p_switch;

    periods := greatest(1, ceil(ln(1 - pg_temp.u(k || 'how-long')) / ln(1 - h)));
    ended := (started + make_interval(months => periods * months_per_period))::date;
    IF ended > book_end THEN
        ended := NULL;
        RETURN;
    END IF;

    v := h * pg_temp.u(k || 'what-next');
    IF v < p_churn THEN
        -- cancelled; one in five comes back two to ten months later, monthly
        IF n < 6 AND pg_temp.u(k || 'come-back') < 0.2 THEN
            next_start := ended + 60 + floor(240 * pg_temp.u(k || 'gap'))::integer;
            next_billing := 'monthly';
        END IF;
    ELSIF v < p_churn + p_up THEN
        next_start := ended;
        IF plan = 'starter' THEN
            next_plan := 'growth';
        ELSIF plan = 'growth' AND (seats >= 4 OR pg_temp.u(k || 'up') < 0.4) THEN
            next_plan := 'business';
            next_seats := greatest(1, seats / 2);
        ELSE
            next_seats := seats + 1 + floor(2 * pg_temp.u(k || 'seats'))::integer;
        END IF;
    ELSIF v < p_churn + p_up + p_down THEN
        next_start := ended;
        IF seats > 1 THEN
            next_seats := seats - 1;
        ELSE
            next_plan := CASE plan WHEN 'business' THEN 'growth' ELSE 'starter' END;
        END IF;
    ELSE
        next_start := ended;
        next_billing := 'annual';
    END IF;
    IF next_start > book_end THEN
        next_start := NULL;
    END IF;
END;
$$;

CREATE TABLE customers (
    customer_id bigint PRIMARY KEY,
    name text NOT NULL,
    plan text NOT NULL,          -- current plan, or the last one for a customer who left
    region text NOT NULL,
    signed_up date NOT NULL
);

CREATE TABLE subscriptions (
    customer_id bigint NOT NULL REFERENCES customers,
    plan text NOT NULL,
    billing text NOT NULL,       -- 'monthly' or 'annual'
    started_at date NOT NULL,
    ended_at date,               -- active on [started_at, ended_at); NULL = still active
    mrr numeric(12,2) NOT NULL   -- annual plans as their monthly share
);

CREATE TABLE nps_responses (
    customer_id bigint NOT NULL REFERENCES customers,
    answered_on date NOT NULL,
    score integer NOT NULL CHECK (score BETWEEN 0 AND 10)
);

CREATE TABLE acquisition_spend (
    month date PRIMARY KEY,
    amount numeric(12,2) NOT NULL
);

-- Customers: sign-ups grow linearly over the 34 months (density 0.4 to 1.6
-- of the mean), numbered in order of sign-up.
CREATE TEMP TABLE signups AS
WITH draw AS (
    SELECT k,
           date '2024-01-01'
             + floor(1035 * (sqrt(0.16 + 2.4 * pg_temp.u(k || ':signup')) - 0.4) / 1.2)::integer AS signed_up,
           pg_temp.u(k || ':plan') AS p, pg_temp.u(k || ':billing') AS b,
           pg_temp.u(k || ':seats') AS s, pg_temp.u(k || ':region') AS r
    FROM generate_series(1, 2000) AS k
)
SELECT row_number() OVER (ORDER BY signed_up, k) AS customer_id, k, signed_up,
       CASE WHEN p < 0.55 THEN 'starter' WHEN p < 0.88 THEN 'growth' ELSE 'business' END AS plan,
       CASE WHEN b < 0.22 THEN 'annual' ELSE 'monthly' END AS billing,
       CASE WHEN p < 0.55 THEN 1 ELSE 1 + floor(4 * s ^ 2)::integer END AS seats,
       CASE WHEN r < 0.40 THEN 'North America' WHEN r < 0.75 THEN 'EMEA'
            WHEN r < 0.90 THEN 'APAC' ELSE 'LATAM' END AS region
FROM draw;

INSERT INTO customers
SELECT customer_id,
       (ARRAY['Blue', 'Bright', 'Cedar', 'Copper', 'Crimson', 'Delta', 'Ember', 'Falcon', 'Granite', 'Harbor',
              'Iron', 'Juniper', 'Lumen', 'Maple', 'Nimbus', 'Northwind', 'Oak', 'Orbit', 'Pine', 'Quartz',
              'River', 'Silver', 'Summit', 'Tidal', 'Vector'])[1 + floor(25 * pg_temp.u(k || ':name1'))::integer]
       || ' ' ||
       (ARRAY['Analytics', 'Bakery', 'Clinic', 'Logistics', 'Media', 'Robotics', 'Studio', 'Systems',
              'Travel', 'Ventures', 'Works', 'Foods', 'Health', 'Labs', 'Legal', 'Motors'])[1 + floor(16 * pg_temp.u(k || ':name2'))::integer]
       || ' #' || customer_id,
       plan, region, signed_up
FROM signups;

-- Subscriptions: each customer's chain of rows, one segment() at a time.
INSERT INTO subscriptions
WITH RECURSIVE chain AS (
    SELECT c.customer_id, 1 AS n, c.signed_up AS started_at, c.plan, c.billing, c.seats, seg.*
    FROM signups AS c,
         LATERAL pg_temp.segment(c.customer_id, 1, c.signed_up, c.plan, c.billing, c.seats) AS seg
    UNION ALL
    SELECT p.customer_id, p.n + 1, p.next_start, p.next_plan, p.next_billing, p.next_seats, seg.*
    FROM chain AS p,
         LATERAL pg_temp.segment(p.customer_id, p.n + 1, p.next_start, p.next_plan, p.next_billing,
                                 p.next_seats) AS seg
    WHERE p.next_start IS NOT NULL
)
SELECT customer_id, plan, billing, started_at, ended, pg_temp.price(plan, billing, seats)
FROM chain
ORDER BY customer_id, started_at;

UPDATE customers AS c SET plan = last.plan
FROM (SELECT DISTINCT ON (customer_id) customer_id, plan
      FROM subscriptions ORDER BY customer_id, started_at DESC) AS last
WHERE last.customer_id = c.customer_id;

-- NPS: a survey 30 days after sign-up and every 91 days after, while the
-- customer is active; 40 % answer within five days.  Scores rise as the
-- product matures and on the business plan, and fall for customers who
-- leave within the next four months.
INSERT INTO nps_responses
SELECT c.customer_id, d.day + floor(5 * pg_temp.u(key || 'lag'))::integer,
       floor(11 * pg_temp.u(key || 'score')
                  ^ (1 / (2.2 + 1.3 * (d.day - date '2024-01-01') / 1034.0
                          + CASE c.plan WHEN 'business' THEN 0.5 ELSE 0 END
                          - CASE WHEN leaving THEN 1.4 ELSE 0 END)))::integer
FROM customers AS c
CROSS JOIN LATERAL (SELECT day::date FROM generate_series(c.signed_up + 30, date '2026-10-26', interval '91 days') AS day) AS d
CROSS JOIN LATERAL (SELECT c.customer_id || ':' || d.day || ':' AS key) AS k
CROSS JOIN LATERAL (
    SELECT NOT EXISTS (SELECT FROM subscriptions AS s
                       WHERE s.customer_id = c.customer_id AND s.started_at <= d.day + 120
                         AND (s.ended_at IS NULL OR s.ended_at > d.day + 120)) AS leaving
) AS l
WHERE pg_temp.u(key || 'answers') < 0.4
  AND EXISTS (SELECT FROM subscriptions AS s
              WHERE s.customer_id = c.customer_id AND s.started_at <= d.day
                AND (s.ended_at IS NULL OR s.ended_at > d.day))
ORDER BY 2, 1;

-- Acquisition spend: about 900 to 1,200 per expected sign-up, to the dollar.
INSERT INTO acquisition_spend
SELECT month::date,
       round(2000 / 34.0 * (0.4 + 1.2 * (i + 0.5) / 34) * (900 + 300 * pg_temp.u(month::date || ':spend')))
FROM generate_series(date '2024-01-01', date '2026-10-01', interval '1 month') WITH ORDINALITY AS m(month, i0),
     LATERAL (SELECT i0 - 1 AS i) AS idx;

CREATE INDEX ON subscriptions (customer_id);
CREATE INDEX ON nps_responses (answered_on);

-- Customers active at the end of each month (the last instant before the
-- next month starts), with their MRR: plain SQL, no extension.  A row is
-- active on [started_at, ended_at), so one that ends on the 1st churns in
-- that month, and one that starts and ends inside a month is never seen.
CREATE VIEW month_end_customers AS
SELECT m.month::date AS month, s.customer_id, sum(s.mrr) AS mrr
FROM generate_series(date '2024-01-01', date '2026-10-01', interval '1 month') AS m(month)
JOIN subscriptions AS s
  ON s.started_at < m.month + interval '1 month'
 AND (s.ended_at IS NULL OR s.ended_at >= m.month + interval '1 month')
GROUP BY 1, 2;

DROP TABLE signups;
ANALYZE customers, subscriptions, nps_responses, acquisition_spend;
