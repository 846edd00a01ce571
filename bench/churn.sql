-- saas_metrics benchmark of the churn-signal aggregates, driven by
-- scripts/bench.sh (BENCH_ONLY=churn runs only this part); expects
-- bench.median_ms from bench/bench.sql and ref.unit from
-- test/reference/book.sql.
--
--   logistic_fit: 10 features (on scales from 0.001 to 1000) on n rows,
--     against a bare scan that reads every row's array;
--   engagement: GROUP BY customer over m usage events of a year, window 28
--     days (a twelfth of the events fall in it) and 1 year (all of them),
--     against a bare sum() scan, the same GROUP BY with count() and sum(),
--     and the plain SQL a user would write (count(DISTINCT) with FILTER).
\set ON_ERROR_STOP on
SET client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS bench;

CREATE TABLE IF NOT EXISTS bench.churn_results(
    aggregate text, rows bigint, mode text, ms float8, bare_ms float8, grouped_bare_ms float8, plain_sql_ms float8);
TRUNCATE bench.churn_results;
CREATE TABLE IF NOT EXISTS bench.churn_memory(what text, groups bigint, avg_bytes float8, max_bytes float8);
TRUNCATE bench.churn_memory;

-- the states of engagement() and logistic_fit() as values, to measure their size
CREATE OR REPLACE AGGREGATE bench.engagement_states(timestamptz, text, numeric, timestamptz, interval) (
    SFUNC = engagement_state_add, STYPE = engagement_state, COMBINEFUNC = engagement_state_combine);
CREATE OR REPLACE AGGREGATE bench.logistic_states(boolean, float8[]) (
    SFUNC = logistic_rows_add, STYPE = logistic_rows, COMBINEFUNC = logistic_rows_combine);

CREATE OR REPLACE PROCEDURE bench.run_churn(fit_rows bigint, events bigint, runs int)
LANGUAGE plpgsql AS $$
DECLARE
    customers bigint := greatest(events / 100, 1);
    par boolean;
    mode text;
    q text;
    w text;
    plain float8;
BEGIN
    DROP TABLE IF EXISTS bench.logistic_rows, bench.usage_events;
    CREATE TABLE bench.logistic_rows AS
    SELECT ref.unit(i, 20, 7) < 1 / (1 + exp(-(-1.5 + 0.5 * x[1] - 0.3 * x[2] + 0.002 * x[3] + 400 * x[4]
                                              + 0.2 * x[5] - 0.1 * x[6] + 0.05 * x[7] + 0.3 * x[8]
                                              - 0.2 * x[9] + 0.1 * x[10]))) AS churned,
           x AS features
    FROM (SELECT i, ARRAY[ref.unit(i, 1, 7) - 0.5, 2 * ref.unit(i, 2, 7), 1000 * ref.unit(i, 3, 7),
                          0.001 * ref.unit(i, 4, 7), ref.unit(i, 5, 7) ^ 2, sqrt(ref.unit(i, 6, 7)),
                          10 * ref.unit(i, 7, 7), (ref.unit(i, 8, 7) < 0.3)::int, ref.unit(i, 9, 7) * ref.unit(i, 10, 7),
                          ln(1 + ref.unit(i, 11, 7))]::float8[] AS x
          FROM generate_series(1, fit_rows) AS i) AS g;
    ANALYZE bench.logistic_rows;
    -- a year of events, in time order as logs are, spread over customers
    CREATE TABLE bench.usage_events AS
    SELECT (hashint8extended(i, 1) & 2147483647) % customers + 1 AS customer_id,
           timestamptz '2025-11-01 00:00+00' + i * (31536000.0 / events) * interval '1 second' AS occurred_at,
           'feature ' || (hashint8extended(i, 2) & 2147483647) % 20 AS feature,
           ((hashint8extended(i, 3) & 2147483647) % 100)::numeric AS quantity
    FROM generate_series(1, events) AS i;
    ANALYZE bench.usage_events;
    COMMIT;

    FOREACH par IN ARRAY ARRAY[false, true] LOOP
        mode := CASE WHEN par THEN 'parallel' ELSE 'serial' END;
        INSERT INTO bench.churn_results VALUES ('logistic_fit, 10 features', fit_rows, mode,
            bench.median_ms('SELECT logistic_fit(churned, features) FROM bench.logistic_rows', runs, par),
            bench.median_ms('SELECT count(*), sum(features[1]) FROM bench.logistic_rows', runs, par),
            NULL, NULL);
        FOREACH w IN ARRAY ARRAY['28 days', '1 year'] LOOP
            q := format($q$SELECT count(e) FROM (SELECT customer_id,
                              engagement(occurred_at, feature, quantity, timestamptz '2026-11-01 00:00+00', %L) AS e
                            FROM bench.usage_events GROUP BY customer_id) AS s$q$, w);
            plain := NULL;
            IF NOT par THEN
                -- count(s): a whole-row reference, or the planner drops the unused aggregates
                plain := bench.median_ms(format($q$
                    SELECT count(s) FROM (
                      SELECT customer_id,
                             count(DISTINCT occurred_at::date) FILTER (WHERE occurred_at > a - w) AS active_days,
                             count(*) FILTER (WHERE occurred_at > a - w) AS events,
                             count(DISTINCT feature) FILTER (WHERE occurred_at > a - w) AS distinct_features,
                             a::date - max(occurred_at)::date AS days_since_last_event,
                             count(*) FILTER (WHERE occurred_at > a - 2 * w AND occurred_at <= a - w) AS previous_events,
                             coalesce(sum(quantity) FILTER (WHERE occurred_at > a - w), 0) AS total_quantity
                      FROM bench.usage_events, (VALUES (timestamptz '2026-11-01 00:00+00', interval %L)) AS p(a, w)
                      WHERE occurred_at <= a
                      GROUP BY customer_id, a) AS s$q$, w), 1, false);
            END IF;
            INSERT INTO bench.churn_results VALUES (format('engagement, window %s', w), events, mode,
                bench.median_ms(q, runs, par),
                bench.median_ms('SELECT count(*), sum(quantity) FROM bench.usage_events', runs, par),
                bench.median_ms($q$SELECT count(s) FROM (SELECT customer_id, count(*) AS n, sum(quantity)
                                   FROM bench.usage_events GROUP BY customer_id) AS s$q$, runs, par),
                plain);
        END LOOP;
    END LOOP;

    INSERT INTO bench.churn_memory
    SELECT format('engagement_state, window %s', v.win), count(*), avg(pg_column_size(g.s)), max(pg_column_size(g.s))
    FROM (VALUES ('28 days'::interval), ('1 year')) AS v(win),
         LATERAL (SELECT bench.engagement_states(occurred_at, feature, quantity, timestamptz '2026-11-01 00:00+00', v.win) AS s
                  FROM bench.usage_events GROUP BY customer_id) AS g
    GROUP BY v.win;
    INSERT INTO bench.churn_memory
    SELECT 'logistic_rows, 10 features', 1, pg_column_size(s)::float8 / fit_rows, pg_column_size(s)
    FROM (SELECT bench.logistic_states(churned, features) AS s FROM bench.logistic_rows) AS g;
    COMMIT;
END $$;
