-- A book's log larger than saas_metrics.max_memory is written to temporary
-- files as sorted runs and merged when read (src/book_spill.c,
-- src/book_stream.c).  With the smallest setting every aggregate here
-- spills, and its runs merge level by level; the answers must be those of
-- the same query in memory: the shorthands' arrays, and the flat book byte
-- for byte, for bigint, text and uuid ids, windowed or not, serial and
-- parallel, one book or one per group, rescanned, and after an error.
BEGIN;
SET client_min_messages = warning;
\i test/reference/book.sql
\i test/t/lib/plan_of.sql
SELECT plan(44);

CALL ref.make_book('sp_bigint', 12000, 41);
CALL ref.make_book('sp_text', 5000, 42, 'text');
CALL ref.make_book('sp_uuid', 5000, 43, 'uuid');
ANALYZE sp_bigint, sp_text, sp_uuid;
SET max_parallel_workers_per_gather = 0;

CREATE FUNCTION pg_temp.answers(tab text) RETURNS TABLE (what text, answer text) LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE format($q$
        SELECT 'mrr_movements', mrr_movements(customer_id, started_at, ended_at, mrr)::text FROM %1$I
        UNION ALL SELECT 'mrr_movements by quarter',
            mrr_movements(customer_id, started_at, ended_at, mrr, 'quarter')::text FROM %1$I
        UNION ALL SELECT 'cohort_retention', cohort_retention(customer_id, started_at, ended_at, mrr)::text FROM %1$I
        UNION ALL SELECT 'subscription_book_agg', subscription_book_agg(customer_id, started_at, ended_at, mrr)::text FROM %1$I
        UNION ALL SELECT 'mrr_movements(subscription_book_agg)', (SELECT array_agg(m)::text
            FROM mrr_movements((SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) FROM %1$I), 'week') m)
        $q$, tab);
END $$;

-- the answers in memory (the default setting, 512MB)
CREATE TEMP TABLE in_memory AS
SELECT x.tab, a.* FROM unnest(ARRAY['sp_bigint', 'sp_text', 'sp_uuid']) AS x(tab), pg_temp.answers(x.tab) a;

SET saas_metrics.max_memory = '64kB';
SELECT is(current_setting('saas_metrics.max_memory'), '64kB', 'the setting takes the smallest value');

-- it spills: the aggregate writes temporary blocks
SELECT matches(pg_temp.plan_of(format('SELECT mrr_movements(customer_id, started_at, ended_at, mrr) FROM %I', tab),
                               'ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF'),
               'Aggregate.*\n.*temp read=[0-9]+ written=[1-9]', tab || ': the shorthand spills at 64kB')
FROM unnest(ARRAY['sp_bigint', 'sp_text', 'sp_uuid']) tab;
RESET saas_metrics.max_memory;
SELECT doesnt_match(pg_temp.plan_of('SELECT mrr_movements(customer_id, started_at, ended_at, mrr) FROM sp_bigint',
                                    'ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF'),
                    'temp read', 'and not with the default');
SET saas_metrics.max_memory = '64kB';

-- serial: spilled = in memory, every answer
SELECT is(a.answer, m.answer, m.tab || ', spilled: ' || m.what)
FROM unnest(ARRAY['sp_bigint', 'sp_text', 'sp_uuid']) AS x(tab), pg_temp.answers(x.tab) a
JOIN in_memory m ON m.what = a.what WHERE m.tab = x.tab
ORDER BY m.tab, m.what;

-- the windowed shorthand sheds its history while it spills
SELECT is((SELECT mrr_movements(customer_id, started_at, ended_at, mrr, 'month', '2024-03-10', NULL)::text
           FROM sp_bigint WHERE mrr >= 0),
          (SELECT array_agg(m ORDER BY m.period_start)::text
           FROM mrr_movements((SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr)
                               FROM sp_bigint WHERE mrr >= 0), 'month', '2024-03-10', NULL) m),
          'windowed shorthand, spilled = the whole book read over the window');

-- one book per group, each spilling on its own (sorted and hashed groups)
CREATE TEMP TABLE by_group_memory AS
SELECT customer_id % 3 AS g, mrr_movements(customer_id, started_at, ended_at, mrr)::text AS answer
FROM sp_bigint GROUP BY 1;
SET enable_hashagg = off;
SELECT set_eq('SELECT customer_id % 3, mrr_movements(customer_id, started_at, ended_at, mrr)::text FROM sp_bigint GROUP BY 1',
              'SELECT g, answer FROM by_group_memory', 'a book per group (sorted), spilled = in memory');
RESET enable_hashagg;
SET enable_sort = off;
SELECT set_eq('SELECT customer_id % 3, mrr_movements(customer_id, started_at, ended_at, mrr)::text FROM sp_bigint GROUP BY 1',
              'SELECT g, answer FROM by_group_memory', 'a book per group (hashed), spilled = in memory');
RESET enable_sort;

-- rescanned: a correlated subquery runs its spilling aggregate once per outer row
SELECT set_eq($$SELECT g, (SELECT mrr_movements(customer_id, started_at, ended_at, mrr)::text
                           FROM sp_bigint WHERE customer_id % 3 = g) FROM generate_series(0, 2) g$$,
              'SELECT g, answer FROM by_group_memory', 'a spilling aggregate rescanned = in memory');

-- parallel: workers spill too, and merge their runs into the flat book they
-- send; the leader reads those as one stream; the answers are the same
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT matches(pg_temp.plan_of('SELECT mrr_movements(customer_id, started_at, ended_at, mrr) FROM sp_bigint',
                               'ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF'),
               'Partial Aggregate[^\n]*\n[^\n]*temp read=[0-9]+ written=[1-9]', 'the parallel plan is partial, and spills');
SELECT is(a.answer, m.answer, m.tab || ', parallel at 64kB: ' || m.what)
FROM unnest(ARRAY['sp_bigint', 'sp_text']) AS x(tab), pg_temp.answers(x.tab) a
JOIN in_memory m ON m.what = a.what WHERE m.tab = x.tab AND m.what IN ('mrr_movements', 'cohort_retention', 'subscription_book_agg')
ORDER BY m.tab, m.what;
SET max_parallel_workers_per_gather = 0;

-- a partial aggregate's book of 65,536 rows or more leaves for the leader as
-- runs in files even within max_memory; the leader reads them as runs
RESET saas_metrics.max_memory;
CREATE TABLE sp_large AS
SELECT 'cus_' || (i % 150000) AS customer_id, date '2021-01-01' + (i * 7 % 1500) AS started_at,
       CASE WHEN i % 3 = 0 THEN NULL ELSE date '2021-01-01' + (i * 7 % 1500) + (i % 400) END AS ended_at,
       ((i % 97) + 0.5)::numeric(10, 2) AS mrr
FROM generate_series(1, 450000) AS i;
ANALYZE sp_large;
CREATE TEMP TABLE large_serial AS SELECT * FROM pg_temp.answers('sp_large');
SET max_parallel_workers_per_gather = 2;
SELECT matches(pg_temp.plan_of('SELECT mrr_movements(customer_id, started_at, ended_at, mrr) FROM sp_large',
                               'ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF'),
               'Partial Aggregate[^\n]*\n[^\n]*temp written=[1-9]',
               'at the default max_memory, a large partial book leaves as runs');
SELECT is(a.answer, s.answer, 'sp_large, parallel, runs handed to the leader: ' || s.what)
FROM pg_temp.answers('sp_large') a JOIN large_serial s ON s.what = a.what
ORDER BY s.what;
SET max_parallel_workers_per_gather = 0;
SET saas_metrics.max_memory = '64kB';

-- a customer whose parts meet at a lower scale than one of them had: a
-- 10^14 amount at 2 decimals and 1/3 at 12 are read together at 4 decimals
-- (src/book.h); its two rows are 30,000 rows apart, so in different runs,
-- and the stream reads amounts at 12 decimals until the customer is met
CREATE TEMP TABLE sp_scales AS
SELECT i::bigint AS customer_id, date '2024-01-01' + i % 300 AS started_at, NULL::date AS ended_at,
       10.00::numeric AS mrr
FROM generate_series(1, 30000) AS i;
INSERT INTO sp_scales VALUES (0, '2024-02-01', NULL, 100000000000000.00);
INSERT INTO sp_scales SELECT i, date '2024-03-01' + i % 300, NULL, 10.00 FROM generate_series(30001, 60000) AS i;
INSERT INTO sp_scales VALUES (0, '2024-05-01', NULL, 1 / 3.0);
RESET saas_metrics.max_memory;
CREATE TEMP TABLE scales_memory AS
SELECT mrr_movements(customer_id, started_at, ended_at, mrr)::text AS m,
       subscription_book_agg(customer_id, started_at, ended_at, mrr)::text AS b FROM sp_scales;
SET saas_metrics.max_memory = '64kB';
SELECT is((SELECT mrr_movements(customer_id, started_at, ended_at, mrr)::text FROM sp_scales),
          (SELECT m FROM scales_memory), 'parts meeting at a lower scale: spilled movements = in memory');
SELECT is((SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr)::text FROM sp_scales),
          (SELECT b FROM scales_memory), 'parts meeting at a lower scale: spilled book = in memory');
-- by hand: 1/3 read at 4 decimals is 0.3333; by the end of May, 152 start
-- days of the first 30,000 customers and 92 of the next (100 customers
-- each) at 10.00, and customer 0
SELECT is((SELECT ROW(m.expansion_mrr, m.mrr_end)::text
           FROM unnest((SELECT mrr_movements(customer_id, started_at, ended_at, mrr) FROM sp_scales)) AS m
           WHERE m.period_start = '2024-05-01'),
          ROW(0.3333::numeric(30, 12), 100000000244000.3333::numeric(30, 12))::text,
          'May, spilled: the expansion and MRR at the 4 decimals the customer is read at');

-- an error after the log has spilled: the runs go with the subtransaction
SELECT throws_ok($$SELECT mrr_movements(customer_id, started_at, ended_at, mrr)
                   FROM (SELECT * FROM sp_bigint UNION ALL SELECT NULL, '2025-01-01', NULL, 1) t$$,
                 '22004', NULL, 'a bad row after the spill is refused with its SQLSTATE');
SELECT is((SELECT mrr_movements(customer_id, started_at, ended_at, mrr)::text FROM sp_bigint),
          (SELECT answer FROM in_memory WHERE tab = 'sp_bigint' AND what = 'mrr_movements'),
          'and the next query spills again and gives the same answer');

-- the setting's bounds
SELECT throws_ok($$SET saas_metrics.max_memory = '32kB'$$, '22023', NULL,
                 'a setting below 64kB is refused (22023)');
SELECT throws_ok($$SET saas_metrics.max_memory = 'lots'$$, '22023', NULL,
                 'a setting that is not a size is refused (22023)');

SELECT * FROM finish();
ROLLBACK;
