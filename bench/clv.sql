-- saas_metrics benchmark of the CLV models: rfm() over purchases against a
-- bare scan, against the same GROUP BY with count/sum, and against the plain
-- SQL a user would write; bgnbd_fit() and gamma_gamma_fit() over a million
-- customers.  Driven by scripts/bench.sh (BENCH_ONLY=clv runs only this);
-- uses bench.median_ms from bench/bench.sql.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS bench;

-- Purchases of customers who behave as BG/NBD and Gamma-Gamma say, in days:
-- first purchase uniform over 2021, purchase rate ~ Gamma(1.5, 60 days),
-- dropout after each repeat purchase ~ Beta(1, 6), spend per purchase
-- ~ Gamma(4, nu) with nu ~ Gamma(3, 40); purchases simulated to 2024-03-31,
-- a quarter past the observation end of 2023-12-31.  Seeded, deterministic.
CREATE OR REPLACE FUNCTION bench.clv_gamma(shape float8) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
    d float8 := shape - 1.0 / 3;
    c float8 := 1 / sqrt(9 * d);
    z float8;
    v float8;
BEGIN
    -- Marsaglia and Tsang (2000), shape >= 1
    LOOP
        z := sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random());
        v := (1 + c * z) ^ 3;
        IF v > 0 AND ln(1 - random()) < z * z / 2 + d - d * v + d * ln(v) THEN
            RETURN d * v;
        END IF;
    END LOOP;
END $$;

CREATE OR REPLACE FUNCTION bench.clv_purchases(customers integer, seed float8)
RETURNS TABLE(customer_id integer, occurred_at date, amount numeric(10, 2)) LANGUAGE plpgsql AS $$
DECLARE
    horizon constant integer := DATE '2024-03-31' - DATE '2021-01-01';
    lambda float8;
    p float8;
    nu float8;
    t float8;
BEGIN
    PERFORM setseed(seed);
    FOR c IN 1 .. customers LOOP
        lambda := bench.clv_gamma(1.5) / 60;
        p := 1 - (1 - random()) ^ (1.0 / 6);
        nu := -ln((1 - random()) * (1 - random()) * (1 - random())) / 40;
        t := floor(random() * 365);
        customer_id := c;
        occurred_at := DATE '2021-01-01' + t::integer;
        amount := -ln((1 - random()) * (1 - random()) * (1 - random()) * (1 - random())) / nu;
        RETURN NEXT;
        LOOP
            t := t - ln(1 - random()) / lambda;
            EXIT WHEN t > horizon;
            occurred_at := DATE '2021-01-01' + floor(t)::integer;
            amount := -ln((1 - random()) * (1 - random()) * (1 - random()) * (1 - random())) / nu;
            RETURN NEXT;
            EXIT WHEN random() < p;
        END LOOP;
    END LOOP;
END $$;

CREATE TABLE IF NOT EXISTS bench.clv_results(
    customers int, purchases bigint, step text, mode text, ms float8, bare_ms float8, grouped_ms float8, plain_sql_ms float8);
TRUNCATE bench.clv_results;
CREATE TABLE IF NOT EXISTS bench.clv_memory(customers int, summary text, distinct_summaries bigint, bytes bigint);
TRUNCATE bench.clv_memory;

CREATE OR REPLACE PROCEDURE bench.run_clv(customers int, runs int)
LANGUAGE plpgsql AS $$
DECLARE
    purchases text := format('bench.purchases_%s', customers);
    summaries text := format('bench.rfm_%s', customers);
    distinct_summaries text := format('bench.rfm_distinct_%s', customers);
    npurchases bigint;
    par boolean;
    mode text;
    bare float8;
    rfm_query text;
    plain_query text;
BEGIN
    EXECUTE format('DROP TABLE IF EXISTS %s, %s, %s', purchases, summaries, distinct_summaries);
    EXECUTE format('CREATE TABLE %s AS SELECT * FROM bench.clv_purchases(%s, 0.42)', purchases, customers);
    EXECUTE format('ANALYZE %s', purchases);
    EXECUTE format('SELECT count(*) FROM %s', purchases) INTO npurchases;
    -- the summaries the fits read: as rfm() gives them (days / 7, many alike),
    -- and made all distinct by a jitter below a second (the worst case of the
    -- fits' state, which merges only identical summaries)
    EXECUTE format($q$CREATE TABLE %s AS SELECT customer_id, rfm(occurred_at, amount, DATE '2023-12-31', 'week') AS r
                      FROM %s GROUP BY customer_id$q$, summaries, purchases);
    EXECUTE format($q$CREATE TABLE %s AS
                      SELECT customer_id, ROW((r).frequency, CASE WHEN (r).frequency > 0 THEN (r).recency + customer_id * 1e-9 ELSE 0 END,
                                              (r).t + customer_id * 1e-9, (r).monetary_value)::rfm AS r
                      FROM %s WHERE r IS NOT NULL$q$, distinct_summaries, summaries);
    EXECUTE format('ANALYZE %s; ANALYZE %s', summaries, distinct_summaries);

    rfm_query := format($q$SELECT sum((r).frequency), sum((r).t), sum((r).monetary_value)
                           FROM (SELECT customer_id, rfm(occurred_at, amount, DATE '2023-12-31', 'week') AS r
                                 FROM %s GROUP BY customer_id) s$q$, purchases);
    -- what a user writes: group the purchases by day, then by customer
    plain_query := format($q$
        WITH days AS (
            SELECT customer_id, occurred_at AS day, sum(amount) AS amount
            FROM %s WHERE occurred_at <= DATE '2023-12-31' GROUP BY 1, 2),
        firsts AS (
            SELECT customer_id, day, amount, min(day) OVER (PARTITION BY customer_id) AS first_day FROM days)
        SELECT sum(frequency), sum(t), sum(monetary_value) FROM (
            SELECT customer_id, count(*) - 1 AS frequency, (max(day) - min(day)) / 7.0 AS recency,
                   (DATE '2023-12-31' - min(day)) / 7.0 AS t,
                   coalesce(avg(amount) FILTER (WHERE day > first_day), 0) AS monetary_value
            FROM firsts GROUP BY customer_id) s$q$, purchases);

    FOREACH par IN ARRAY ARRAY[false, true] LOOP
        mode := CASE WHEN par THEN 'parallel' ELSE 'serial' END;
        bare := bench.median_ms(format('SELECT sum(amount), count(*) FROM %s', purchases), runs, par);
        INSERT INTO bench.clv_results VALUES (customers, npurchases, 'rfm', mode,
            bench.median_ms(rfm_query, runs, par), bare,
            bench.median_ms(format('SELECT sum(n), sum(s) FROM (SELECT customer_id, count(*) AS n, sum(amount) AS s FROM %s GROUP BY customer_id) g',
                                   purchases), runs, par),
            bench.median_ms(plain_query, 1, par));
        INSERT INTO bench.clv_results VALUES (customers, npurchases, 'bgnbd_fit', mode,
            bench.median_ms(format('SELECT bgnbd_fit(r) FROM %s', summaries), runs, par),
            bench.median_ms(format('SELECT count(r) FROM %s', summaries), runs, par), NULL, NULL);
        INSERT INTO bench.clv_results VALUES (customers, npurchases, 'bgnbd_fit, all distinct', mode,
            bench.median_ms(format('SELECT bgnbd_fit(r) FROM %s', distinct_summaries), runs, par),
            bench.median_ms(format('SELECT count(r) FROM %s', distinct_summaries), runs, par), NULL, NULL);
        INSERT INTO bench.clv_results VALUES (customers, npurchases, 'gamma_gamma_fit', mode,
            bench.median_ms(format('SELECT gamma_gamma_fit(r) FROM %s', summaries), runs, par),
            bench.median_ms(format('SELECT count(r) FROM %s', summaries), runs, par), NULL, NULL);
    END LOOP;

    EXECUTE format($q$INSERT INTO bench.clv_memory
                      SELECT %s, 'bgnbd_counts', (SELECT count(DISTINCT ((r).frequency, (r).recency, (r).t)) FROM %s), pg_column_size(bgnbd_counts_agg(r)) FROM %s
                      UNION ALL
                      SELECT %s, 'bgnbd_counts, all distinct', (SELECT count(*) FROM %s), pg_column_size(bgnbd_counts_agg(r)) FROM %s
                      UNION ALL
                      SELECT %s, 'gamma_gamma_counts', (SELECT count(DISTINCT ((r).frequency, (r).monetary_value)) FROM %s WHERE (r).frequency > 0),
                             pg_column_size(gamma_gamma_counts_agg(r)) FROM %s$q$,
                   customers, summaries, summaries, customers, distinct_summaries, distinct_summaries,
                   customers, summaries, summaries);
    COMMIT;
END $$;
