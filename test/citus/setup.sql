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

CREATE TABLE subs_by_customer (LIKE subs_local);
CREATE TABLE subs_by_row (LIKE subs_local);
CREATE TABLE counts_by_cohort (LIKE counts_local);
CREATE TABLE counts_by_row (LIKE counts_local);
SELECT create_distributed_table('subs_by_customer', 'customer_id', shard_count => 4);
SELECT create_distributed_table('subs_by_row', 'id', shard_count => 4);
SELECT create_distributed_table('counts_by_cohort', 'cohort', shard_count => 4);
SELECT create_distributed_table('counts_by_row', 'id', shard_count => 4);
INSERT INTO subs_by_customer SELECT * FROM subs_local;
INSERT INTO subs_by_row SELECT * FROM subs_local;
INSERT INTO counts_by_cohort SELECT * FROM counts_local;
INSERT INTO counts_by_row SELECT * FROM counts_local;
ANALYZE;
