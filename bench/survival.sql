-- saas_metrics benchmark of kaplan_meier: the aggregate over 10^7 subjects
-- against a bare count(*) scan of the same table and against the plain SQL
-- a user would write for the Kaplan-Meier curve (GROUP BY duration, then
-- window sums for the subjects at risk and the product of (1 - d / n)).
-- Driven by scripts/bench.sh (BENCH_ONLY=survival runs only this part);
-- uses bench.median_ms from bench/bench.sql.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS bench;

CREATE TABLE IF NOT EXISTS bench.survival_results(
    durations text, rows bigint, distinct_durations bigint, mode text,
    ms float8, bare_ms float8, plain_sql_ms float8, curve_bytes bigint);
TRUNCATE bench.survival_results;

-- Two tables of the same rows: durations in whole days over ten years (3,650
-- distinct: the usual case), and in hundredths of a day over 1,000 days
-- (100,000 distinct: a hash table that no longer fits in the CPU caches).
-- Two thirds of the subjects have the event.
CREATE OR REPLACE PROCEDURE bench.survival_run(nrows bigint, runs int)
LANGUAGE plpgsql AS $$
DECLARE
    kind text;
    tab text;
    par boolean;
    mode text;
    ndistinct bigint;
    plain float8;
BEGIN
    FOREACH kind IN ARRAY ARRAY['days', 'hundredths'] LOOP
        tab := format('bench.survival_%s_%s', kind, nrows);
        EXECUTE format('DROP TABLE IF EXISTS %s', tab);
        EXECUTE format($q$CREATE TABLE %s AS
            SELECT CASE %L WHEN 'days' THEN ((hashint8(i) & 2147483647) %% 3650)::float8
                           ELSE ((hashint8(i) & 2147483647) %% 100000) / 100.0::float8 END AS duration,
                   (hashint8(-i) & 2147483647) %% 3 <> 0 AS observed
            FROM generate_series(1, %s::bigint) AS i$q$, tab, kind, nrows);
        EXECUTE format('ANALYZE %s', tab);
        COMMIT;
        EXECUTE format('SELECT count(DISTINCT duration) FROM %s', tab) INTO ndistinct;

        FOREACH par IN ARRAY ARRAY[false, true] LOOP
            mode := CASE WHEN par THEN 'parallel' ELSE 'serial' END;
            plain := NULL;
            IF NOT par THEN
                plain := bench.median_ms(format($q$
                    SELECT sum(survival) FROM (
                        SELECT duration, exp(sum(ln(CASE WHEN d = n THEN NULL ELSE 1 - d::float8 / n END))
                                             OVER (ORDER BY duration)) AS survival
                        FROM (SELECT duration, d, sum(total) OVER (ORDER BY duration DESC) AS n
                              FROM (SELECT duration, count(*) FILTER (WHERE observed) AS d, count(*) AS total
                                    FROM %s GROUP BY duration) AS counts) AS risk) AS km$q$, tab), 1, false);
            END IF;
            INSERT INTO bench.survival_results VALUES (kind, nrows, ndistinct, mode,
                bench.median_ms(format('SELECT kaplan_meier(duration, observed) FROM %s', tab), runs, par),
                bench.median_ms(format('SELECT count(*) FROM %s', tab), runs, par),
                plain, NULL);
        END LOOP;
        EXECUTE format('UPDATE bench.survival_results SET curve_bytes = (SELECT pg_column_size(kaplan_meier(duration, observed)) FROM %s)
                        WHERE durations = %L', tab, kind);
        EXECUTE format('DROP TABLE %s', tab);
        COMMIT;
    END LOOP;
END $$;
