-- demo/lifecycle.sql: when the demo's customers first got value from the
-- product, the same on every machine.  Loaded by scripts/demo.sh after
-- demo/book.sql (it reads customers and subscriptions); it can be loaded
-- again into the same database.
--
-- onboarding(customer_id, plan, signed_up_at, first_value_at): the moment a
-- customer first did the thing the product is for (first report shared,
-- first invoice sent...).  first_value_at is NULL for the customers who had
-- not got there when the data ends, 2026-11-01 00:00 UTC: some are recent
-- sign-ups still on their way, some never will.
--
-- The onboarding changed on 2025-07-01 (a guided setup): customers who
-- signed up from then on reach first value in about half the time, and
-- fewer give up.  Days to first value follow a Weibull distribution (shape
-- 1.3) whose median depends on the plan at sign-up (starter 6 days, growth
-- 9, business 14) and falls to 55 % of it after the change; the share who
-- never get there is 18 %, 12 % and 8 %, and 60 % of that after.  Each
-- draw comes from md5() of a key, as in demo/book.sql.

SET client_min_messages = warning;

DROP TABLE IF EXISTS onboarding;

CREATE OR REPLACE FUNCTION pg_temp.draw(key text) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT
RETURN ('x' || substr(md5('lifecycle:' || key), 1, 13))::bit(52)::bigint / 4503599627370496.0;

CREATE TABLE onboarding (
    customer_id bigint PRIMARY KEY,      -- customers.customer_id
    plan text NOT NULL,                  -- the plan at sign-up
    signed_up_at timestamptz NOT NULL,
    first_value_at timestamptz,          -- NULL: not yet, when the data ends
    CHECK (first_value_at >= signed_up_at)
);

INSERT INTO onboarding
SELECT customer_id, plan, signed_up_at,
       CASE WHEN NOT gives_up AND reached < timestamptz '2026-11-01 00:00 UTC' THEN reached END
FROM (
    SELECT c.customer_id, first.plan, s.signed_up_at,
           pg_temp.draw(c.customer_id || ':never')
             < CASE first.plan WHEN 'starter' THEN 0.18 WHEN 'growth' THEN 0.12 ELSE 0.08 END
               * CASE WHEN c.signed_up >= date '2025-07-01' THEN 0.6 ELSE 1 END AS gives_up,
           -- days of 24 hours: '1 day' would be a calendar day of the
           -- session's time zone, 23 or 25 hours across a DST change
           date_trunc('minute', s.signed_up_at
             + interval '24 hours'
               -- Weibull(1.3) with the median of the plan: scale = median / ln(2)^(1/1.3)
               * CASE first.plan WHEN 'starter' THEN 6 WHEN 'growth' THEN 9 ELSE 14 END
               * CASE WHEN c.signed_up >= date '2025-07-01' THEN 0.55 ELSE 1 END
               / ln(2) ^ (1 / 1.3)
               * (-ln(1 - pg_temp.draw(c.customer_id || ':days'))) ^ (1 / 1.3), 'UTC') AS reached
    FROM customers AS c
    CROSS JOIN LATERAL (SELECT (c.signed_up + interval '8 hours'
                                + interval '10 hours' * pg_temp.draw(c.customer_id || ':hour'))::timestamp
                               AT TIME ZONE 'UTC' AS signed_up_at) AS s
    CROSS JOIN LATERAL (SELECT plan FROM subscriptions AS sub WHERE sub.customer_id = c.customer_id
                        ORDER BY started_at LIMIT 1) AS first
) AS drawn
ORDER BY customer_id;

ANALYZE onboarding;
