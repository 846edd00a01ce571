-- The benchmark's report: times, ratios, parallel speed-up, growth exponent, memory.
\pset footer off
\echo
\echo 'Wall time (ms, median) and ratios: x bare = aggregate / bare sum() scan of the same table (lower is better);'
\echo 'plain SQL / agg = how many times faster than the plain-SQL reference (higher is better).'
SELECT s.aggregate, s.customers, s.rows,
       round(s.ms::numeric, 1) AS serial_ms,
       round((s.ms / s.bare_ms)::numeric, 1) AS "x bare",
       round(p.ms::numeric, 1) AS parallel_ms,
       round((p.ms / p.bare_ms)::numeric, 1) AS "x bare (par)",
       round((s.ms / p.ms)::numeric, 2) AS "speed-up 2 workers",
       CASE WHEN s.plain_sql_ms IS NULL THEN 'skipped'
            ELSE round(s.plain_sql_ms::numeric) || ' ms = ' || round((s.plain_sql_ms / s.ms)::numeric) || 'x' END
           AS "plain SQL / agg"
FROM bench.results s LEFT JOIN bench.results p ON p.customers = s.customers AND p.aggregate = s.aggregate
                                                AND p.mode = 'parallel'
WHERE s.mode = 'serial'
ORDER BY s.aggregate, s.customers;

\echo 'The serial part of a parallel plan: the leader combining the partial books and reading the result'
\echo '(Finalize Aggregate above Gather, EXPLAIN ANALYZE), as a share of the serial plan''s time.'
SELECT l.aggregate, l.customers, round(l.leader_ms::numeric, 1) AS leader_ms, round(s.ms::numeric, 1) AS serial_ms,
       round((100 * l.leader_ms / s.ms)::numeric, 1) AS "serial part %"
FROM bench.leader l JOIN bench.results s ON s.customers = l.customers AND s.aggregate = l.aggregate AND s.mode = 'serial'
ORDER BY 1, 2;

\echo 'Growth: time ~ rows^k between the smallest and largest size (k = 1 is linear).'
SELECT aggregate, mode,
       round((ln(max(ms) FILTER (WHERE customers = hi) / max(ms) FILTER (WHERE customers = lo))
              / ln(max(rows) FILTER (WHERE customers = hi)::float8 / max(rows) FILTER (WHERE customers = lo)))::numeric, 2) AS k
FROM bench.results, (SELECT min(customers) lo, max(customers) hi FROM bench.results) b
GROUP BY aggregate, mode HAVING min(customers) < max(customers)
ORDER BY 1, 2;

\echo 'Memory of the subscription_book state while aggregating (a log of the rows, before grouping).'
SELECT customers, stored_rows, pg_size_pretty(memory_bytes) AS memory,
       round(memory_bytes::numeric / book_customers) AS bytes_per_customer
FROM bench.memory ORDER BY customers;
