-- make test-citus, step 1 (psql on the coordinator): the same rows in a
-- local table and in two distributed tables, one distributed by the
-- customer (or cohort), one by the row id so that the rows of one customer
-- (one cohort) are on several workers.  Deterministic data, no random().
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

-- Subscription rows: 300 customers with 1 to 4 rows each (overlaps, gaps and
-- reactivations, open rows, zero-MRR rows, trials: zero-MRR first rows),
-- NPS answers with NULLs, the customer id in five types (integer and
-- varchar read by the bigint and text overloads), dates and timestamptz.
CREATE TABLE subs_local (
    id bigint PRIMARY KEY,
    customer_id bigint NOT NULL,
    customer_int integer NOT NULL,
    customer_text text NOT NULL,
    customer_uuid uuid NOT NULL,
    customer_varchar varchar(20) NOT NULL,
    region integer NOT NULL,
    started_at date NOT NULL,
    ended_at date,
    started_ts timestamptz NOT NULL,
    ended_ts timestamptz,
    mrr numeric NOT NULL,
    score integer
);
INSERT INTO subs_local
SELECT row_number() OVER (ORDER BY c, s), c, c, 'cus_' || c, md5(c::text)::uuid, 'cus_' || c, c % 7,
       started, ended,
       started + time '13:30' AT TIME ZONE 'UTC', ended + time '07:15' AT TIME ZONE 'UTC',
       CASE WHEN (c + s) % 11 = 0 THEN 0 ELSE 10 + (c * 7 + s * 3) % 90 + 0.5 * (s % 2) END,
       CASE WHEN (c + s) % 13 = 0 THEN NULL ELSE (c * 3 + s) % 11 END
FROM generate_series(1, 300) AS c,
     generate_series(0, 3) AS s,
     LATERAL (SELECT date '2023-01-01' + (c * 37) % 540 + s * 45 AS started) AS st,
     LATERAL (SELECT CASE WHEN (c + s) % 5 = 0 THEN NULL
                          ELSE started + 30 + (c * (s + 1) * 13) % 200 END AS ended) AS en
WHERE s <= c % 4;

-- Cohort survival counts for sbg_fit: ages 0..7 of six cohorts (the first
-- two are Fader & Hardie's "regular" and "high end" customers).
CREATE TABLE counts_local (
    id bigint PRIMARY KEY,
    cohort date NOT NULL,
    age integer NOT NULL,
    active bigint NOT NULL
);
INSERT INTO counts_local
SELECT row_number() OVER (ORDER BY k, a), date '2024-01-01' + k * 31, a,
       CASE k WHEN 0 THEN (ARRAY[1000, 869, 743, 653, 593, 551, 517, 491])[a + 1]
              WHEN 1 THEN (ARRAY[1000, 631, 468, 382, 326, 289, 262, 241])[a + 1]
              ELSE round((1000 + 37 * k) * power(0.8 + 0.02 * k, a) + 5 * a * k)::bigint END
FROM generate_series(0, 5) AS k, generate_series(0, 7) AS a;

-- Purchases for rfm() and the CLV models: 300 customers who buy as the
-- BG/NBD story has it (so that the fits converge): each at a rate of its
-- own (exponential gaps in whole days, so some purchases share a day),
-- dropping out after a repeat purchase with a probability of its own; at
-- most 12 purchases, and none after one made on or after 2025-03-01 (the
-- cases observe to 2024-12-31, so some purchases are after that); spend
-- around a mean of its own, with 0, 2 or 4 decimals.  Six customers buy
-- only after 2024-12-31 (their rfm is NULL).  Uniform numbers in (0, 1)
-- come from md5, so the data are the same on every run.
CREATE TABLE purchases_local (
    id bigint PRIMARY KEY,
    customer_id bigint NOT NULL,
    segment integer NOT NULL,
    purchased_on date NOT NULL,
    purchased_ts timestamptz NOT NULL,
    amount numeric NOT NULL
);
INSERT INTO purchases_local
WITH RECURSIVE customer AS (
    SELECT c, start_day, (-ln(u[1]) * 0.04)::float8 AS rate_per_day, (u[2] * 0.6)::float8 AS dropout,
           (10 * exp(2 * u[3]))::float8 AS spend
    FROM (SELECT c, CASE WHEN c % 50 = 0 THEN date '2025-01-10' ELSE date '2024-01-01' + (c * 11) % 150 END AS start_day,
                 ARRAY(SELECT (('x' || substr(md5('customer:' || c || ':' || j), 1, 8))::bit(32)::bigint + 0.5) / 4294967296.0
                       FROM generate_series(1, 3) AS j ORDER BY j) AS u
          FROM generate_series(1, 300) AS c) AS h),
purchase(c, k, day) AS (
    SELECT c, 0, start_day FROM customer
    UNION ALL
    SELECT p.c, p.k + 1, p.day + floor(-ln(u.gap) / cu.rate_per_day)::integer
    FROM purchase AS p JOIN customer AS cu USING (c),
         LATERAL (SELECT (('x' || substr(md5('gap:' || p.c || ':' || p.k), 1, 8))::bit(32)::bigint + 0.5) / 4294967296.0 AS gap,
                         (('x' || substr(md5('drop:' || p.c || ':' || p.k), 1, 8))::bit(32)::bigint + 0.5) / 4294967296.0 AS drop) AS u
    WHERE p.k < 11 AND p.day < date '2025-03-01' AND (p.k = 0 OR u.drop >= cu.dropout))
SELECT row_number() OVER (ORDER BY p.c, p.k), p.c, p.c % 5, p.day,
       p.day + make_time((p.c * 7 + p.k * 5) % 24, (p.c + p.k * 13) % 60, 0) AT TIME ZONE 'UTC',
       round((cu.spend * (0.5 + ('x' || substr(md5('amount:' || p.c || ':' || p.k), 1, 8))::bit(32)::bigint / 4294967296.0))::numeric,
             CASE p.k % 3 WHEN 0 THEN 2 WHEN 1 THEN 0 ELSE 4 END)
FROM purchase AS p JOIN customer AS cu USING (c);

-- Usage events for engagement(): 300 customers with 0 to 11 events between
-- 2024-05-01 and 2024-07-14 (so some are after the as_of days of the
-- cases, some in the previous window), NULL features and quantities.
CREATE TABLE events_local (
    id bigint PRIMARY KEY,
    customer_id bigint NOT NULL,
    occurred_on date NOT NULL,
    occurred_ts timestamptz NOT NULL,
    feature text,
    quantity numeric
);
INSERT INTO events_local
SELECT row_number() OVER (ORDER BY c, k), c, d,
       d + make_time((c + k * 7) % 24, (c * 3 + k) % 60, 0) AT TIME ZONE 'UTC',
       (ARRAY['reports', 'dashboards', 'exports', 'alerts', NULL, 'api'])[1 + (c + k * 2) % 6],
       CASE WHEN (c + k) % 7 = 0 THEN NULL ELSE (c * k) % 9 + 0.125 * (k % 3) END
FROM generate_series(1, 300) AS c,
     generate_series(0, 10) AS k,
     LATERAL (SELECT date '2024-05-01' + (c * 7 + k * 19) % 75 AS d) AS days
WHERE k < (c * 5) % 12;

-- Labelled snapshots for logistic_fit() and classifier_report(): 150
-- customers, 16 monthly snapshots each, three features from a
-- deterministic hash, churned drawn from a logistic model of them (every
-- customer has both outcomes: the first snapshot churned, the second not),
-- a few NULL labels (skipped), and a coarse score with many ties.
CREATE TABLE snapshots_local (
    id bigint PRIMARY KEY,
    customer_id bigint NOT NULL,
    segment integer NOT NULL,
    day date NOT NULL,
    churned boolean,
    days_idle float8 NOT NULL,
    active_days float8 NOT NULL,
    trend float8 NOT NULL,
    score float8 NOT NULL
);
INSERT INTO snapshots_local
WITH hashed AS (
    SELECT c, k, j, ('x' || substr(md5(c || ':' || k || ':' || j), 1, 8))::bit(32)::bigint / 4294967296.0 AS u
    FROM generate_series(1, 150) AS c, generate_series(0, 15) AS k, generate_series(0, 3) AS j),
features AS (
    SELECT c, k, (max(u) FILTER (WHERE j = 0))::float8 AS u0,
           floor(max(u) FILTER (WHERE j = 1) * 40)::float8 AS days_idle,
           floor(max(u) FILTER (WHERE j = 2) * 25)::float8 AS active_days,
           (max(u) FILTER (WHERE j = 3) * 3 - 1)::float8 AS trend
    FROM hashed GROUP BY c, k)
SELECT row_number() OVER (ORDER BY c, k), c, c % 4, date '2024-01-01' + make_interval(months => k),
       CASE WHEN k = 0 THEN true WHEN k = 1 THEN false
            WHEN (c + k) % 37 = 0 THEN NULL
            ELSE u0 < 1 / (1 + exp(2.0 - 0.08 * days_idle + 0.1 * active_days - 0.6 * trend)) END,
       days_idle, active_days, trend, round(days_idle / 5) / 10
FROM features;

CREATE TABLE subs_by_customer (LIKE subs_local);
CREATE TABLE subs_by_row (LIKE subs_local);
CREATE TABLE counts_by_cohort (LIKE counts_local);
CREATE TABLE counts_by_row (LIKE counts_local);
SELECT create_distributed_table('subs_by_customer', 'customer_id', shard_count => 4);
SELECT create_distributed_table('subs_by_row', 'id', shard_count => 4);
SELECT create_distributed_table('counts_by_cohort', 'cohort', shard_count => 4);
SELECT create_distributed_table('counts_by_row', 'id', shard_count => 4);
CREATE TABLE purchases_by_customer (LIKE purchases_local);
CREATE TABLE purchases_by_row (LIKE purchases_local);
CREATE TABLE events_by_customer (LIKE events_local);
CREATE TABLE events_by_row (LIKE events_local);
CREATE TABLE snapshots_by_customer (LIKE snapshots_local);
CREATE TABLE snapshots_by_row (LIKE snapshots_local);
SELECT create_distributed_table(t || '_by_customer', 'customer_id', shard_count => 4),
       create_distributed_table(t || '_by_row', 'id', shard_count => 4)
FROM unnest(ARRAY['purchases', 'events', 'snapshots']) AS t;
INSERT INTO subs_by_customer SELECT * FROM subs_local;
INSERT INTO subs_by_row SELECT * FROM subs_local;
INSERT INTO counts_by_cohort SELECT * FROM counts_local;
INSERT INTO counts_by_row SELECT * FROM counts_local;
INSERT INTO purchases_by_customer SELECT * FROM purchases_local;
INSERT INTO purchases_by_row SELECT * FROM purchases_local;
INSERT INTO events_by_customer SELECT * FROM events_local;
INSERT INTO events_by_row SELECT * FROM events_local;
INSERT INTO snapshots_by_customer SELECT * FROM snapshots_local;
INSERT INTO snapshots_by_row SELECT * FROM snapshots_local;
ANALYZE;
