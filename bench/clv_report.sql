-- The CLV part of the benchmark's report (bench/clv.sql).
\pset footer off
\echo
\echo 'CLV models: wall time (ms, median). x bare = time / a bare sum(), count(*) scan of the same table;'
\echo 'x grouped = rfm time / the same GROUP BY customer_id with count(*), sum(amount) (the grouping every RFM needs);'
\echo 'plain SQL / agg = how many times faster than the plain SQL a user would write (run once).'
SELECT s.step, s.customers, s.purchases,
       round(s.ms::numeric, 1) AS serial_ms,
       round((s.ms / s.bare_ms)::numeric, 1) AS "x bare",
       round((s.ms / s.grouped_ms)::numeric, 2) AS "x grouped",
       round(p.ms::numeric, 1) AS parallel_ms,
       round((p.ms / p.bare_ms)::numeric, 1) AS "x bare (par)",
       round((p.ms / p.grouped_ms)::numeric, 2) AS "x grouped (par)",
       CASE WHEN s.plain_sql_ms IS NULL THEN ''
            ELSE round(s.plain_sql_ms::numeric) || ' ms = ' || round((s.plain_sql_ms / s.ms)::numeric, 1) || 'x' END
           AS "plain SQL / agg"
FROM bench.clv_results s JOIN bench.clv_results p USING (customers, step)
WHERE s.mode = 'serial' AND p.mode = 'parallel'
ORDER BY s.customers, s.step;

\echo 'Size of the fits'' states (one entry of 32 bytes per distinct summary).'
SELECT customers, summary, distinct_summaries, pg_size_pretty(bytes) AS size FROM bench.clv_memory ORDER BY 1, 2;
