-- The query's file set of handed-on runs (src/book_spill.c) must be gone
-- once the transaction is over, also when the leader takes part in no scan
-- (parallel_leader_participation off) and never takes the runs of a book
-- that workers handed on: here group 1's, which the leader reads only to
-- see that group 0 ended, before LIMIT 1 stops the query.  Group 0 is small
-- (no hand-off), group 1 large (each worker's part leaves as runs).
SET client_min_messages = warning;
CREATE TABLE leak_rows AS
SELECT (i % 300000)::bigint AS customer_id, date '2021-01-01' + (i * 7 % 1500) AS started_at,
       CASE WHEN i % 3 = 0 THEN NULL ELSE date '2021-01-01' + (i * 7 % 1500) + (i % 400) END AS ended_at,
       ((i % 97) + 0.5)::numeric(10, 2) AS mrr, CASE WHEN i <= 200 THEN 0 ELSE 1 END AS g
FROM generate_series(1, 600000) AS i;
ANALYZE leak_rows;
CREATE FUNCTION leak_entries() RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM pg_ls_dir('base/pgsql_tmp', true, false) AS d
    WHERE d = 'pgsql_tmp' || pg_backend_pid() || '.1520807948.fileset'
$$;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
SET enable_hashagg = off;
EXPLAIN (COSTS OFF)
SELECT g, cardinality(mrr_movements(customer_id, started_at, ended_at, mrr)) FROM leak_rows GROUP BY g ORDER BY g LIMIT 1;
SELECT g, cardinality(mrr_movements(customer_id, started_at, ended_at, mrr)) FROM leak_rows GROUP BY g ORDER BY g LIMIT 1;
-- the statement's transaction is over: nothing is left
SELECT leak_entries();
RESET enable_hashagg;
RESET parallel_leader_participation;
DROP TABLE leak_rows;
DROP FUNCTION leak_entries();
