-- The churn benchmark's report (bench/churn.sql): times, ratios, memory.
\pset footer off
\echo
\echo 'Churn signals: wall time (ms, median); x bare = aggregate / bare sum() scan of the same table;'
\echo 'x grouped = aggregate / the same GROUP BY with count() and sum(); plain SQL / agg = how many times faster.'
SELECT s.aggregate, s.rows,
       round(s.ms::numeric) AS serial_ms, round((s.ms / s.bare_ms)::numeric, 1) AS "x bare",
       round((s.ms / s.grouped_bare_ms)::numeric, 1) AS "x grouped",
       round(p.ms::numeric) AS parallel_ms, round((p.ms / p.bare_ms)::numeric, 1) AS "x bare (par)",
       round((s.ms / p.ms)::numeric, 2) AS "speed-up 2 workers",
       CASE WHEN s.plain_sql_ms IS NULL THEN '-'
            ELSE round(s.plain_sql_ms::numeric) || ' ms = ' || round((s.plain_sql_ms / s.ms)::numeric, 1) || 'x' END
           AS "plain SQL / agg"
FROM bench.churn_results s JOIN bench.churn_results p USING (aggregate, rows)
WHERE s.mode = 'serial' AND p.mode = 'parallel'
ORDER BY s.aggregate;

\echo 'Size of the states (flat form).'
SELECT what, groups, round(avg_bytes::numeric, 1) AS avg_bytes, max_bytes FROM bench.churn_memory ORDER BY what;
