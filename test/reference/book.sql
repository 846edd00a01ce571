-- Deterministic test data for the subscription metrics: books of
-- subscription rows (customer_id, started_at, ended_at, mrr) with every case
-- the MRR movement and cohort definitions care about.
--
--   CALL ref.make_book('book', 300000);            -- bigint ids, seed 1
--   CALL ref.make_book('s.book', 2000, 7, 'uuid');  -- text and uuid ids too
--   SELECT * FROM ref.make_book_rows(1000, 7);      -- the rows, customer_no ids
--
-- The same seed always gives the same rows, whatever the plan: every random
-- choice is a hash of (customer number, draw number) keyed by the seed, never
-- random().  A customer is one of:
--   * 4%: a single row that starts and ends inside one month (a quarter of
--     those the same day);
--   * otherwise a chain of 1-4 rows (a quarter each): a first plan (60% monthly
--     at 10.00-500.00, 30% annual at 120-6000 a year normalised to price/12
--     rounded to cents, 10% free at 0), then each next row either an upgrade
--     (40%: x1.1-2.5, or a free plan becoming a paid monthly one) or a
--     downgrade (30%: x0.3-0.9, or to the free plan) starting the day the
--     previous row ends, or a reactivation (30%) after a gap of 31-430 days;
--     the last row stays open (ended_at NULL) half the time.  Monthly rows
--     last 1-540 days, 3% end the day they start and 22% end on the first
--     day of a month; annual rows last 1 or 2 whole years;
--   * 20% of those also have an overlapping add-on row (5.00-100.00), open
--     half the time;
--   * 15% of those start with a free trial: a zero-MRR row of 7-30 days
--     ending the day the first plan starts;
--   * 10% of those with a paid first plan get a credit on it: a negative row
--     of 10-50% of its MRR for 1-60 days inside it (so no customer's MRR is
--     ever below zero).
-- First starts are spread over 2022-01-01 .. 2025-12-31 (free trials begin up
-- to 30 days earlier) and no row starts after that; about 2.2 rows per
-- customer on average.
CREATE SCHEMA IF NOT EXISTS ref;

-- A pseudo-random number in [0, 1): 53 bits of a seeded hash.
CREATE OR REPLACE FUNCTION ref.unit(n bigint, draw integer, seed integer)
RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (hashint8extended(n * 128 + draw, seed) & 9007199254740991)::float8 / 9007199254740992 $$;

-- Where a row ends: annual plans after whole years, the others
-- after 1-540 days, the same day (shape < 0.03) or on the first day of the
-- month after that (shape < 0.25).
CREATE OR REPLACE FUNCTION ref.book_row_end(plan text, started_at date, length_draw float8, shape_draw float8)
RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE
        WHEN plan = 'annual' THEN (started_at + (1 + floor(length_draw * 2)::int) * interval '1 year')::date
        WHEN shape_draw < 0.03 THEN started_at
        WHEN shape_draw < 0.25 THEN (date_trunc('month', started_at + 1 + floor(length_draw * 540)::int)
                                     + interval '1 month')::date
        ELSE started_at + 1 + floor(length_draw * 540)::int
    END
$$;

-- A fresh price for a plan: monthly 10.00-500.00, annual 120-6000 a year.
CREATE OR REPLACE FUNCTION ref.book_price(plan text, draw float8)
RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE plan
        WHEN 'free' THEN 0
        WHEN 'annual' THEN 120 + floor(draw * 5881)
        ELSE (1000 + floor(draw * 49001)) / 100
    END
$$;

-- MRR of a price: annual prices normalised to a month, rounded to cents.
CREATE OR REPLACE FUNCTION ref.book_mrr(plan text, price numeric)
RETURNS numeric(12,2)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (CASE plan WHEN 'annual' THEN round(price / 12, 2) ELSE price END)::numeric(12,2) $$;

CREATE OR REPLACE FUNCTION ref.make_book_rows(customers integer, seed integer DEFAULT 1)
RETURNS TABLE (customer_no bigint, started_at date, ended_at date, mrr numeric(12,2))
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
WITH RECURSIVE customer AS (
    SELECT n,
           ref.unit(n, 0, seed) < 0.04 AS one_month_only,
           CASE WHEN ref.unit(n, 1, seed) < 0.10 THEN 'free'
                WHEN ref.unit(n, 1, seed) < 0.40 THEN 'annual'
                ELSE 'monthly' END AS plan,
           date '2022-01-01' + floor(ref.unit(n, 2, seed) * 1461)::int AS first_start,
           CASE WHEN ref.unit(n, 3, seed) < 0.25 THEN 1
                WHEN ref.unit(n, 3, seed) < 0.50 THEN 2
                WHEN ref.unit(n, 3, seed) < 0.75 THEN 3
                ELSE 4 END AS chain_length,
           ref.unit(n, 4, seed) < 0.5 AS stays_open
    FROM generate_series(1::bigint, customers) AS n
),
-- The chain of consecutive plans; draws 16 * j + k belong to row j.
chain (n, j, chain_length, stays_open, plan, price, started_at, ended_at) AS (
    SELECT n, 1, chain_length, stays_open, plan, ref.book_price(plan, ref.unit(n, 16, seed)), first_start,
           CASE WHEN chain_length = 1 AND stays_open THEN NULL
                ELSE ref.book_row_end(plan, first_start, ref.unit(n, 17, seed), ref.unit(n, 18, seed)) END
    FROM customer
    WHERE NOT one_month_only
  UNION ALL
    SELECT c.n, c.j + 1, c.chain_length, c.stays_open, nxt.plan, nxt.price, nxt.started_at,
           CASE WHEN c.j + 1 = c.chain_length AND c.stays_open THEN NULL
                ELSE ref.book_row_end(nxt.plan, nxt.started_at, ref.unit(c.n, 16 * (c.j + 1) + 1, seed),
                                      ref.unit(c.n, 16 * (c.j + 1) + 2, seed)) END
    FROM chain c
    CROSS JOIN LATERAL (
        SELECT ref.unit(c.n, 16 * (c.j + 1), seed) AS move,       -- < 0.4 up, < 0.7 down, else back after a gap
               ref.unit(c.n, 16 * (c.j + 1) + 3, seed) AS amount
    ) d
    CROSS JOIN LATERAL (
        SELECT CASE WHEN d.move < 0.4 AND c.plan = 'free' THEN 'monthly'
                    WHEN d.move >= 0.4 AND d.move < 0.7 AND d.amount < 0.15 THEN 'free'
                    ELSE c.plan END AS plan,
               CASE WHEN d.move < 0.4 AND c.plan = 'free' THEN ref.book_price('monthly', d.amount)
                    WHEN d.move < 0.4 THEN round(c.price * (1.1 + d.amount * 1.4)::numeric, 2)
                    WHEN d.move < 0.7 AND d.amount < 0.15 THEN 0
                    WHEN d.move < 0.7 THEN round(c.price * (0.3 + d.amount * 0.6)::numeric, 2)
                    ELSE ref.book_price(c.plan, d.amount) END AS price,
               CASE WHEN d.move < 0.7 THEN c.ended_at
                    ELSE c.ended_at + 31 + floor(ref.unit(c.n, 16 * (c.j + 1) + 4, seed) * 400)::int END AS started_at
    ) nxt
    WHERE c.j < c.chain_length AND nxt.started_at <= date '2025-12-31'
)
SELECT n, started_at, ended_at, ref.book_mrr(plan, price)
FROM chain
UNION ALL
-- overlapping add-ons
SELECT n, a.started_at,
       CASE WHEN ref.unit(n, 7, seed) < 0.5 THEN NULL
            ELSE ref.book_row_end('monthly', a.started_at, ref.unit(n, 8, seed), ref.unit(n, 9, seed)) END,
       ((500 + floor(ref.unit(n, 10, seed) * 9501)) / 100)::numeric(12,2)
FROM customer
CROSS JOIN LATERAL (SELECT least(first_start + floor(ref.unit(n, 6, seed) * 200)::int, date '2025-12-31') AS started_at) a
WHERE NOT one_month_only AND ref.unit(n, 5, seed) < 0.20
UNION ALL
-- free trials before the first plan
SELECT n, first_start - (7 + floor(ref.unit(n, 14, seed) * 24)::int), first_start, 0::numeric(12,2)
FROM customer
WHERE NOT one_month_only AND ref.unit(n, 15, seed) < 0.15
UNION ALL
-- credits inside the first plan
SELECT c.n, c.started_at + k.offset_days,
       least(c.started_at + k.offset_days + k.length_days, c.ended_at),
       -round(ref.book_mrr(c.plan, c.price) * (0.1 + 0.4 * ref.unit(c.n, 20, seed))::numeric, 2)
FROM chain c
CROSS JOIN LATERAL (SELECT floor(ref.unit(c.n, 21, seed) * 30)::int AS offset_days,
                           1 + floor(ref.unit(c.n, 22, seed) * 60)::int AS length_days) k
WHERE c.j = 1 AND c.price > 0 AND ref.unit(c.n, 19, seed) < 0.10
  AND (c.ended_at IS NULL OR c.started_at + k.offset_days < c.ended_at)
UNION ALL
-- customers whose only row starts and ends inside one month
SELECT n, first_start,
       CASE WHEN ref.unit(n, 11, seed) < 0.25 THEN first_start
            ELSE first_start + floor(ref.unit(n, 12, seed)
                                     * ((date_trunc('month', first_start) + interval '1 month')::date - first_start))::int END,
       ref.book_mrr(plan, ref.book_price(plan, ref.unit(n, 13, seed)))
FROM customer
WHERE one_month_only
$$;

-- Create table `name` (possibly schema-qualified) and fill it with the book
-- of `customers` customers; id_type is 'bigint' (1, 2, ...), 'text'
-- ('cus_1', ...) or 'uuid' (md5 of the text id).
CREATE OR REPLACE PROCEDURE ref.make_book(name text, customers integer, seed integer DEFAULT 1,
                                          id_type text DEFAULT 'bigint')
LANGUAGE plpgsql
AS $$
DECLARE
    customer_id text := CASE id_type
        WHEN 'bigint' THEN 'customer_no'
        WHEN 'text' THEN $e$'cus_' || customer_no$e$
        WHEN 'uuid' THEN $e$md5('cus_' || customer_no)::uuid$e$
    END;
    target text := (SELECT string_agg(quote_ident(part), '.') FROM unnest(parse_ident(name)) AS part);
BEGIN
    IF customer_id IS NULL THEN
        RAISE EXCEPTION 'unknown id_type "%"', id_type
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use bigint, text or uuid.';
    END IF;
    EXECUTE format('CREATE TABLE %s (customer_id %s NOT NULL, started_at date NOT NULL, ended_at date
                        CHECK (ended_at >= started_at), mrr numeric(12,2) NOT NULL)',
                   target, id_type);
    EXECUTE format('INSERT INTO %s SELECT %s, started_at, ended_at, mrr FROM ref.make_book_rows($1, $2)',
                   target, customer_id)
        USING customers, seed;
    EXECUTE format('ANALYZE %s', target);
END
$$;
