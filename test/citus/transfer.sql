-- make bench-citus (scripts/test_citus.sh transfer): what travels from the
-- workers to the coordinator, and how long it takes, for each metric read
-- from a subscription book on Citus, in the shapes of docs/citus.md:
--   whole book     one book of all rows: Citus splits the aggregate, each
--                  shard's book travels as text (its output function)
--   per customer   books per customer (GROUP BY customer_id, run whole on
--                  the shards), read over a common window and added up per
--                  period on the shards: O(periods) rows travel
--   per shard      one book per shard read on its shard
--                  (run_command_on_shards): O(periods) values travel
-- on a table distributed by customer_id, and the per-customer shape on one
-- distributed by row id (one customer's rows on several shards).  Timings
-- are the best of three runs; the machine is shared, so they are
-- preliminary.  Run with psql -v customers=N -v shards=N.
\set ON_ERROR_STOP 1
\if :{?customers}
\else
\set customers 100000
\endif
\if :{?shards}
\else
\set shards 4
\endif
\pset footer off
SET client_min_messages = error;  -- not Citus's notes on the temporary functions

-- Rows: 1 to 3 per customer, over five years (2022-2026): trials at zero
-- MRR, open rows, upgrades and downgrades, churn and comebacks.
CREATE TABLE transfer_local (id bigint, customer_id bigint, started_at date, ended_at date, mrr numeric);
INSERT INTO transfer_local
SELECT row_number() OVER (), c, st,
       CASE WHEN (c + s) % 3 = 0 THEN NULL ELSE st + 20 + (c * 7 + s * 13) % 400 END,
       CASE WHEN s = 0 AND c % 10 = 0 THEN 0 ELSE 10 + (c * 13 + s * 7) % 190 + 0.5 * (c % 2) END
FROM generate_series(1, :customers) AS c, generate_series(0, 2) AS s,
     LATERAL (SELECT date '2022-01-01' + (c * 37 + s * 200) % 1400 AS st) AS x
WHERE s <= c % 3;
CREATE TABLE transfer_by_customer (LIKE transfer_local);
CREATE TABLE transfer_by_row (LIKE transfer_local);
SELECT create_distributed_table('transfer_by_customer', 'customer_id', shard_count => :shards) \gset
SELECT create_distributed_table('transfer_by_row', 'id', shard_count => :shards) \gset
INSERT INTO transfer_by_customer SELECT * FROM transfer_local;
INSERT INTO transfer_by_row SELECT * FROM transfer_local;
ANALYZE;

SELECT count(DISTINCT customer_id) AS customers, count(*) AS rows, :shards AS shards_on_2_workers,
       min(started_at) AS first_day, max(greatest(started_at, ended_at)) AS last_day,
       pg_size_pretty(sum(octet_length(t::text))) AS rows_as_text
FROM transfer_local AS t;
SELECT max(greatest(started_at, ended_at)) AS last_day FROM transfer_local \gset

-- The best wall time of three runs of a query, in ms (count(q) makes every
-- column of the query be computed).
CREATE FUNCTION pg_temp.best_ms(query text) RETURNS numeric
LANGUAGE plpgsql AS $$
DECLARE
    started timestamptz;
    best numeric;
BEGIN
    FOR i IN 1..3 LOOP
        started := clock_timestamp();
        EXECUTE 'SELECT count(q) FROM (' || query || ') AS q';
        best := least(best, extract(epoch FROM clock_timestamp() - started) * 1000);
    END LOOP;
    RETURN round(best);
END
$$;

-- Bytes the workers sent, from EXPLAIN ANALYZE ("Tuple data received from
-- nodes", in bytes, kB or MB); Citus cannot EXPLAIN ANALYZE a split custom
-- aggregate.
CREATE FUNCTION pg_temp.received_bytes(query text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    line text;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || query LOOP
        IF line ~ 'Tuple data received from nodes: ' THEN
            RETURN substring(line FROM 'received from nodes: (\d+) ')::bigint *
                   CASE substring(line FROM 'received from nodes: \d+ (\w+)')
                        WHEN 'bytes' THEN 1 WHEN 'kB' THEN 1024 WHEN 'MB' THEN 1024 * 1024 END;
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

-- The length of the text a query makes on each shard (%s: the shard's
-- table), added up: with the state of a split aggregate as text, what its
-- worker step sends.
CREATE FUNCTION pg_temp.shard_bytes(tbl regclass, shard_query text) RETURNS bigint
LANGUAGE sql AS $$
    SELECT sum(octet_length(result))::bigint FROM run_command_on_shards(tbl, shard_query)
$$;

-- The sum of the numbers a query makes on each shard.
CREATE FUNCTION pg_temp.shard_sum(tbl regclass, shard_query text) RETURNS bigint
LANGUAGE sql AS $$
    SELECT sum(result::bigint)::bigint FROM run_command_on_shards(tbl, shard_query)
$$;

CREATE TEMP TABLE measured (metric text, shape text, tbl text, travels text, bytes bigint, ms numeric);

-- measure(metric, shape, table, what travels, bytes, query): the query's
-- best time on that table (TBL in the query: its name).
CREATE FUNCTION pg_temp.measure(metric text, shape text, tbl text, travels text, bytes bigint, query text)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO measured
    SELECT metric, shape, tbl, travels, bytes,
           pg_temp.best_ms(replace(query, 'TBL', CASE tbl WHEN 'local' THEN 'transfer_local'
                                                          WHEN 'by customer' THEN 'transfer_by_customer'
                                                          ELSE 'transfer_by_row' END))
$$;

-- The two shapes every metric has: the whole book (local; on the table
-- distributed by customer, where each shard's book travels as text) and
-- per customer (local; distributed by customer, where what travels is
-- per_customer_bytes).
CREATE FUNCTION pg_temp.measure_metric(metric text, whole text, per_customer text,
                                       per_customer_travels text, per_customer_bytes bigint)
RETURNS void LANGUAGE sql AS $$
    SELECT pg_temp.measure(metric, 'whole book', 'local', 'nothing', NULL, whole);
    SELECT pg_temp.measure(metric, 'whole book', 'by customer', 'each shard''s book as text',
                           pg_temp.shard_bytes('transfer_by_customer',
                                               'SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr)::text FROM %s'),
                           whole);
    SELECT pg_temp.measure(metric, 'per customer', 'local', 'nothing', NULL, per_customer);
    SELECT pg_temp.measure(metric, 'per customer', 'by customer', per_customer_travels, per_customer_bytes, per_customer);
$$;

-- (the measuring calls print nothing)
\o /dev/null

-- MRR movements -----------------------------------------------------------------

\set movements_whole 'SELECT m.* FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b FROM TBL) AS whole, LATERAL mrr_movements(whole.b, ''month'', ''2022-01-01'', ''2026-12-31'') AS m'
\set movements_per_customer 'SELECT m.period_start, sum(m.customers_start) AS customers_start, sum(m.new_customers) AS new_customers, sum(m.reactivated_customers) AS reactivated_customers, sum(m.churned_customers) AS churned_customers, sum(m.customers_end) AS customers_end, sum(m.mrr_start) AS mrr_start, sum(m.new_mrr) AS new_mrr, sum(m.expansion_mrr) AS expansion_mrr, sum(m.contraction_mrr) AS contraction_mrr, sum(m.churned_mrr) AS churned_mrr, sum(m.reactivation_mrr) AS reactivation_mrr, sum(m.mrr_end) AS mrr_end, sum(m.expansion_customers) AS expansion_customers, sum(m.contraction_customers) AS contraction_customers FROM (SELECT customer_id, subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b FROM TBL GROUP BY customer_id) AS per_customer, LATERAL mrr_movements(per_customer.b, ''month'', ''2022-01-01'', ''2026-12-31'') AS m GROUP BY m.period_start'
-- the flows from customer_movements (the stocks would come from customers_at)
\set flows_per_customer 'SELECT m.period_start, m.movement, count(*) AS customers, sum(m.mrr_after - m.mrr_before) AS mrr FROM (SELECT customer_id, subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b FROM TBL GROUP BY customer_id) AS per_customer, LATERAL customer_movements(per_customer.b, ''month'', ''2022-01-01'', ''2026-12-31'') AS m GROUP BY 1, 2'
\set movements_shard_query 'SELECT array_agg(m ORDER BY m.period_start) FROM mrr_movements((SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) FROM %s), ''month'', ''2022-01-01'', ''2026-12-31'') AS m'
\set movements_per_shard 'SELECT m.period_start, sum(m.customers_end) AS customers_end, sum(m.mrr_end) AS mrr_end FROM run_command_on_shards(''TBL'', $shard$' :movements_shard_query '$shard$) AS shard, LATERAL unnest(shard.result::mrr_movement[]) AS m GROUP BY m.period_start'

SELECT pg_temp.measure_metric('movements', :'movements_whole', :'movements_per_customer', 'per-period sums of each shard',
                              pg_temp.received_bytes(replace(:'movements_per_customer', 'TBL', 'transfer_by_customer')));
SELECT pg_temp.measure('movements', 'whole book', 'by row id', 'each shard''s book as text',
                       pg_temp.shard_bytes('transfer_by_row', 'SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr)::text FROM %s'),
                       :'movements_whole');
SELECT pg_temp.measure('movements', 'per customer', 'by row id', 'each shard''s book of each of its customers',
                       pg_temp.shard_sum('transfer_by_row', 'SELECT sum(octet_length(b::text)) FROM (SELECT customer_id, subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b FROM %s GROUP BY customer_id) AS q'),
                       :'movements_per_customer');
SELECT pg_temp.measure('movements', 'per customer, sorted', 'by customer', 'per-period sums of each shard', NULL,
                       replace(:'movements_per_customer', 'mrr) AS b FROM TBL GROUP BY', 'mrr ORDER BY customer_id) AS b FROM TBL GROUP BY'));
SELECT pg_temp.measure('movements', 'flows per customer', 'by customer', 'per-period-and-movement sums of each shard',
                       pg_temp.received_bytes(replace(:'flows_per_customer', 'TBL', 'transfer_by_customer')),
                       :'flows_per_customer');
SELECT pg_temp.measure('movements', 'per shard', 'by customer', 'each shard''s periods as text',
                       pg_temp.shard_bytes('transfer_by_customer', :'movements_shard_query'), :'movements_per_shard');

-- Cohort cells ------------------------------------------------------------------

\set cohorts_whole 'SELECT c.* FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b FROM TBL) AS whole, LATERAL cohort_retention(whole.b, ''month'') AS c'
\set cohorts_per_customer 'SELECT x.cohort_start, (row_number() OVER w - 1)::integer AS age, x.cohort_customers, x.active_customers, x.active_customers::float8 / x.cohort_customers::float8 AS logo_retention, first_value(x.mrr) OVER w AS cohort_mrr, x.mrr, CASE WHEN first_value(x.mrr) OVER w <> 0 THEN (x.mrr / first_value(x.mrr) OVER w)::float8 END AS revenue_retention FROM (SELECT c.cohort_start, m.period_start, count(*) AS cohort_customers, sum(m.customers_end)::bigint AS active_customers, sum(m.mrr_end) AS mrr FROM (SELECT customer_id, subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b FROM TBL GROUP BY customer_id) AS per_customer, LATERAL (SELECT min(cr.cohort_start) AS cohort_start FROM cohort_retention(per_customer.b, ''month'') AS cr) AS c, LATERAL mrr_movements(per_customer.b, ''month'', c.cohort_start, ''' :last_day ''') AS m WHERE c.cohort_start IS NOT NULL GROUP BY c.cohort_start, m.period_start) AS x WINDOW w AS (PARTITION BY x.cohort_start ORDER BY x.period_start)'

SELECT pg_temp.measure_metric('cohort cells', :'cohorts_whole', :'cohorts_per_customer', 'per-cohort-and-period sums of each shard',
                              pg_temp.received_bytes(replace(:'cohorts_per_customer', 'TBL', 'transfer_by_customer')));

-- Survival counts --------------------------------------------------------------

\set survival_whole 'SELECT customer_survival(subscription_book_agg(customer_id, started_at, ended_at, mrr), ''month'') AS curve FROM TBL'
\set survival_per_customer 'SELECT kaplan_meier(life.duration, life.observed) AS curve FROM (SELECT customer_id, subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b FROM TBL GROUP BY customer_id) AS per_customer, LATERAL (SELECT min(cr.cohort_start) AS cohort_start FROM cohort_retention(per_customer.b, ''month'') AS cr) AS c, LATERAL (SELECT coalesce(min(a.age) FILTER (WHERE a.customers_end = 0), max(a.age))::float8 AS duration, bool_or(a.customers_end = 0) AS observed FROM (SELECT row_number() OVER (ORDER BY m.period_start) - 1 AS age, m.customers_end FROM mrr_movements(per_customer.b, ''month'', c.cohort_start, ''' :last_day ''') AS m) AS a) AS life WHERE c.cohort_start IS NOT NULL'

SELECT pg_temp.measure_metric('survival counts', :'survival_whole', :'survival_per_customer', 'each shard''s curve as text',
                              pg_temp.shard_bytes('transfer_by_customer', replace(:'survival_per_customer', 'TBL', '%s')));

-- Conversion curves ------------------------------------------------------------

\set conversion_whole 'SELECT k.* FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b FROM TBL) AS whole, LATERAL conversion_curves(whole.b, ''month'') AS k'
\set conversion_per_customer 'SELECT period_start(x.signup, ''month'') AS cohort_start, kaplan_meier((coalesce(x.paid_on, ''' :last_day '''::date) - x.signup)::float8, x.paid_on IS NOT NULL) AS curve FROM (SELECT st.first_day AS signup, (SELECT min(m.period_start) FROM customer_movements(per_customer.b, ''day'', NULL, NULL, ''inactive'', ''all'') AS m WHERE m.movement = ''new'') AS paid_on FROM (SELECT customer_id, subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b FROM TBL GROUP BY customer_id) AS per_customer, LATERAL subscription_book_stats(per_customer.b) AS st) AS x GROUP BY 1'

SELECT pg_temp.measure_metric('conversion curves', :'conversion_whole', :'conversion_per_customer', 'each shard''s curve per cohort as text',
                              pg_temp.shard_sum('transfer_by_customer',
                                                'SELECT sum(octet_length(curve::text)) FROM (' || replace(:'conversion_per_customer', 'TBL', '%s') || ') AS q'));

\o

-- The results -------------------------------------------------------------------

SELECT replace(:'movements_per_customer', 'TBL', 'transfer_by_customer') AS movements_per_customer_by_customer,
       replace(:'cohorts_per_customer', 'TBL', 'transfer_by_customer') AS cohorts_per_customer_by_customer,
       replace(:'survival_per_customer', 'TBL', 'transfer_by_customer') AS survival_per_customer_by_customer,
       replace(:'movements_per_shard', 'TBL', 'transfer_by_customer') AS movements_per_shard_by_customer \gset

\echo
\echo '== What travels from the workers, and the time of the query (best of 3; preliminary: shared machine)'
SELECT metric, shape, tbl AS "table", travels, pg_size_pretty(bytes) AS bytes, ms
FROM measured ORDER BY metric, shape = 'whole book' DESC, shape, tbl = 'local' DESC, tbl;

\echo
\echo '== At this size too, the O(periods) shapes on the table distributed by customer give the whole book''s figures'
SELECT (SELECT string_agg(r::text, ' ' ORDER BY r::text)
        FROM (SELECT m.period_start, m.customers_start, m.customers_end, m.new_mrr, m.mrr_end
              FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b FROM transfer_local) AS whole,
                   LATERAL mrr_movements(whole.b, 'month', '2022-01-01', '2026-12-31') AS m) AS r)
       = (SELECT string_agg(r::text, ' ' ORDER BY r::text)
          FROM (SELECT s.period_start, s.customers_start::bigint, s.customers_end::bigint, s.new_mrr, s.mrr_end
                FROM (:movements_per_customer_by_customer) AS s) AS r) AS movements_per_customer,
       (SELECT string_agg(r::text, ' ' ORDER BY r::text)
        FROM (SELECT m.period_start, m.customers_end, m.mrr_end
              FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b FROM transfer_local) AS whole,
                   LATERAL mrr_movements(whole.b, 'month', '2022-01-01', '2026-12-31') AS m) AS r)
       = (SELECT string_agg(r::text, ' ' ORDER BY r::text)
          FROM (SELECT s.period_start, s.customers_end::bigint, s.mrr_end
                FROM (:movements_per_shard_by_customer) AS s) AS r) AS movements_per_shard,
       (SELECT customer_survival(subscription_book_agg(customer_id, started_at, ended_at, mrr), 'month')::text FROM transfer_local)
       = (SELECT curve::text FROM (:survival_per_customer_by_customer) AS s) AS survival_per_customer;

\echo
\echo '== EXPLAIN ANALYZE VERBOSE: MRR movements per customer, summed by period on the shards'
EXPLAIN (ANALYZE, VERBOSE, COSTS OFF, TIMING OFF, SUMMARY OFF) :movements_per_customer_by_customer;
\echo
\echo '== EXPLAIN ANALYZE VERBOSE: cohort cells per customer, summed by cohort and period on the shards'
EXPLAIN (ANALYZE, VERBOSE, COSTS OFF, TIMING OFF, SUMMARY OFF) :cohorts_per_customer_by_customer;
\echo
\echo '== EXPLAIN VERBOSE: survival counts from per-customer lifetimes (Citus cannot EXPLAIN ANALYZE a split custom aggregate)'
EXPLAIN (VERBOSE, COSTS OFF) :survival_per_customer_by_customer;
