-- The report of bench/survival.sql: kaplan_meier against a bare count(*) scan.
\pset footer off
\echo
\echo 'kaplan_meier: wall time (ms, median); x bare = kaplan_meier / bare count(*) scan of the same table'
\echo '(lower is better); plain SQL = GROUP BY duration + window sums for the curve, serial, run once.'
SELECT s.durations, s.rows, s.distinct_durations,
       round(s.ms::numeric, 1) AS serial_ms,
       round((s.ms / s.bare_ms)::numeric, 2) AS "x bare",
       round(p.ms::numeric, 1) AS parallel_ms,
       round((p.ms / p.bare_ms)::numeric, 2) AS "x bare (par)",
       round((s.ms / p.ms)::numeric, 2) AS "speed-up 2 workers",
       round(s.plain_sql_ms::numeric) || ' ms = ' || round((s.plain_sql_ms / s.ms)::numeric, 1) || 'x' AS "plain SQL / agg",
       pg_size_pretty(s.curve_bytes) AS curve
FROM bench.survival_results s JOIN bench.survival_results p USING (durations)
WHERE s.mode = 'serial' AND p.mode = 'parallel'
ORDER BY s.distinct_durations;
