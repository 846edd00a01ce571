-- A partial aggregate's large book reaches the parallel leader as runs in
-- files of the query's file set, a directory named after the leader's pid
-- (src/book_spill.c).  However the statement ends, normally or failing in
-- a worker, in the leader's final function or before the leader read every
-- worker's book, no file and no directory is left once its transaction is
-- over.  (In autocommit, every statement is its own transaction.)
SET client_min_messages = warning;
CREATE TABLE handoff_rows AS
SELECT (i % 300000)::bigint AS customer_id, date '2021-01-01' + (i * 7 % 1500) AS started_at,
       CASE WHEN i % 3 = 0 THEN NULL ELSE date '2021-01-01' + (i * 7 % 1500) + (i % 400) END AS ended_at,
       ((i % 97) + 0.5)::numeric(10, 2) AS mrr, (i % 300000) % 2 AS g
FROM generate_series(1, 900000) AS i;
ANALYZE handoff_rows;

-- the leader's file set: pgsql_tmp<leader pid>.1520807948.fileset (0x5AA5B00C)
CREATE FUNCTION handoff_entries() RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM pg_ls_dir('base/pgsql_tmp', true, false) AS d
    WHERE d = 'pgsql_tmp' || pg_backend_pid() || '.1520807948.fileset'
$$;
CREATE FUNCTION spills_to_leader(query text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    line text;
    partial boolean := false;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || query LOOP
        -- the lines of a partial aggregate's node, up to its child's
        IF line ~ '->' OR line !~ '^ ' THEN
            partial := line ~ 'Partial (Group)?Aggregate';
        ELSIF partial AND line ~ 'temp (read=[0-9]+ )?written=[1-9]' THEN
            RETURN true;
        END IF;
    END LOOP;
    RETURN false;
END $$;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;

-- the books leave as runs (at the default max_memory: 65,536 rows or more)
SELECT spills_to_leader('SELECT mrr_movements(customer_id, started_at, ended_at, mrr) FROM handoff_rows');
SELECT handoff_entries();

-- a normal end
SELECT cardinality(mrr_movements(customer_id, started_at, ended_at, mrr)) FROM handoff_rows;
SELECT handoff_entries();

\set VERBOSITY terse
-- a failure in the final function, after the leader took the runs
-- (customer 7's credit takes its MRR below zero)
SELECT cardinality(mrr_movements(customer_id, started_at, ended_at, mrr))
FROM (SELECT * FROM handoff_rows UNION ALL SELECT 7, '2022-06-01', '2022-07-01', -1000, 0) AS r;
SELECT handoff_entries();

-- a failure in the scan (a worker's or the leader's)
SELECT cardinality(mrr_movements(customer_id, started_at, ended_at, mrr))
FROM (SELECT * FROM handoff_rows UNION ALL SELECT NULL, '2022-06-01', '2022-07-01', 1, 0) AS r;
SELECT handoff_entries();

-- a failure in the first group's final function: the leader has read the
-- next group's first partial book (to see the group end), so every process
-- has handed on its book of that group, which the leader never takes; the
-- file set goes at the end of the transaction
INSERT INTO handoff_rows VALUES (8, '2022-06-01', '2022-07-01', -1000, 0);
ANALYZE handoff_rows;
SET enable_hashagg = off;
SELECT g, cardinality(mrr_movements(customer_id, started_at, ended_at, mrr))
FROM handoff_rows GROUP BY g ORDER BY g;
SELECT handoff_entries();

-- in a transaction block: still there after the savepoint, gone at its end
BEGIN;
SAVEPOINT before;
SELECT g, cardinality(mrr_movements(customer_id, started_at, ended_at, mrr))
FROM handoff_rows GROUP BY g ORDER BY g;
ROLLBACK TO before;
SELECT handoff_entries();
COMMIT;
SELECT handoff_entries();
RESET enable_hashagg;
\set VERBOSITY default

DROP TABLE handoff_rows;
DROP FUNCTION handoff_entries();
DROP FUNCTION spills_to_leader(text);
