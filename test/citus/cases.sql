-- make test-citus: the Citus case of every aggregate and reader of the
-- extension.  Included by test/citus/harness.sql, which runs each query on
-- the local tables and on the distributed ones and compares.
--
-- A query names its tables {subs} (subscription rows and NPS answers),
-- {counts} (cohort survival counts), {purchases} (purchase rows, for rfm
-- and the CLV models), {events} (usage events, for engagement) and
-- {snapshots} (labelled feature rows, for logistic_fit and
-- classifier_report); setup.sql makes them.  The harness runs it three
-- times:
--   local   subs_local,        counts_local,      purchases_local, ...
--   by_key  subs_by_customer,  counts_by_cohort,  purchases_by_customer, ...
--           (distributed by customer_id / cohort)
--   by_row  subs_by_row,       counts_by_row,     purchases_by_row, ...
--           (distributed by the row id: one customer's rows on several workers)
-- and checks that both distributed results equal the local one.
--
-- covers: the objects the case exercises, as regprocedure text
-- ('nps(integer)'), or 'name(type,...)' for every overload whose leading
-- argument types are those.  The harness checks against the catalog that
-- every aggregate and every reader of the extension is covered (transition
-- and combine functions and type I/O functions are not readers), and that
-- every object a case names exists.
--
-- plan_by_key / plan_by_row: what EXPLAIN must show for that table:
--   'worker:NAME'   NAME runs whole on the shards (GROUP BY the distribution
--                   column, or a per-row function): the shard query calls it
--   'partial:NAME'  aggregate NAME is split: worker_partial_agg on the shards,
--                   coord_combine_agg on the coordinator
--   'shard_sums'    the shards add their rows up (GROUP BY on the shards)
--                   before sending them
--
-- same_as: a query whose result on the local table the case must give, on
-- the local table (if it runs there) and on every distributed one.  The
-- O(periods) query shapes use it: per-customer readings summed by period
-- must equal the whole book's reading.
--
-- variants: where the case runs (default all three).  A query that only
-- makes sense on a table distributed by the customer (one book per shard,
-- through run_command_on_shards) runs on by_key alone.

-- ==========================================================================
-- EXPECTED TO FAIL.  The one place to flip: delete a line when its case
-- passes.  variant NULL = both distributed tables.  A case listed here that
-- passes is reported as a failure ("unexpectedly passed"), so that this list
-- never hides a fixed bug.  Empty: everything passes on Citus 13.2.
-- ==========================================================================
CREATE TEMP TABLE expected_failures (case_name text, variant text, reason text);
-- ==========================================================================

CREATE TEMP TABLE cases (
    case_name text PRIMARY KEY,
    covers text[] NOT NULL,
    query text NOT NULL,
    plan_by_key text[] NOT NULL DEFAULT '{}',
    plan_by_row text[] NOT NULL DEFAULT '{}',
    same_as text,
    variants text[] NOT NULL DEFAULT '{local,by_key,by_row}'
);

-- NPS ----------------------------------------------------------------------

INSERT INTO cases (case_name, covers, query, plan_by_key, plan_by_row) VALUES
('nps', '{"nps(integer)"}',
 $$SELECT nps(score) FROM {subs}$$,
 '{partial:nps}', '{partial:nps}'),
('nps per customer', '{"nps(integer)"}',
 $$SELECT customer_id, nps(score) FROM {subs} GROUP BY customer_id$$,
 '{worker:nps}', '{partial:nps}'),
('nps per region', '{"nps(integer)"}',
 $$SELECT region, nps(score) FROM {subs} GROUP BY region$$,
 '{partial:nps}', '{partial:nps}'),
('nps_agg and its readers',
 '{"nps_agg(integer)","promoters(nps_summary)","passives(nps_summary)","detractors(nps_summary)","responses(nps_summary)","nps(nps_summary)"}',
 $$SELECT s::text, promoters(s), passives(s), detractors(s), responses(s), nps(s)
   FROM (SELECT nps_agg(score) AS s FROM {subs}) AS q$$,
 '{partial:nps_agg}', '{partial:nps_agg}'),
('nps_agg per customer with readers',
 '{"nps_agg(integer)","promoters(nps_summary)","passives(nps_summary)","detractors(nps_summary)","responses(nps_summary)","nps(nps_summary)"}',
 $$SELECT customer_id, nps_agg(score)::text, promoters(nps_agg(score)), passives(nps_agg(score)),
          detractors(nps_agg(score)), responses(nps_agg(score)), nps(nps_agg(score))
   FROM {subs} GROUP BY customer_id$$,
 '{worker:nps_agg}', '{partial:nps_agg}'),
('rollup(nps_summary)', '{"rollup(nps_summary)","nps(nps_summary)"}',
 $$SELECT rollup(s)::text, nps(rollup(s))
   FROM (SELECT customer_id, nps_agg(score) AS s FROM {subs} GROUP BY customer_id) AS q$$,
 '{worker:nps_agg,partial:rollup}', '{partial:nps_agg}'),
('rollup(nps_summary) per region', '{"rollup(nps_summary)"}',
 $$SELECT region, rollup(s)::text
   FROM (SELECT customer_id, region, nps_agg(score) AS s FROM {subs} GROUP BY customer_id, region) AS q
   GROUP BY region$$,
 '{worker:nps_agg,partial:rollup}', '{partial:nps_agg}'),
-- = and <> of summaries, their hash (UNION, GROUP BY) and extended hash:
-- the per-region summaries made on the shards are the local ones, byte for
-- byte, so they compare equal and hash alike.
('nps_summary equality and hashing',
 '{"nps_summary_eq(nps_summary,nps_summary)","nps_summary_ne(nps_summary,nps_summary)","nps_summary_hash(nps_summary)","nps_summary_hash_extended(nps_summary,bigint)"}',
 $$SELECT a.region, a.s = b.s AS same, a.s <> b.s AS differs, a.s = c.s AS same_as_next,
          nps_summary_hash(a.s), nps_summary_hash_extended(a.s, 42),
          (SELECT count(*) FROM (SELECT s FROM (SELECT region, nps_agg(score) AS s FROM {subs} GROUP BY region) AS x
                                 UNION SELECT s FROM (SELECT region, nps_agg(score) AS s FROM {subs} GROUP BY region) AS y) AS u) AS distinct_summaries
   FROM (SELECT region, nps_agg(score) AS s FROM {subs} GROUP BY region) AS a
   JOIN (SELECT region, nps_agg(score) AS s FROM {subs} GROUP BY region) AS b USING (region)
   JOIN (SELECT (region + 1) % 7 AS region, nps_agg(score) AS s FROM {subs} GROUP BY region) AS c USING (region)$$,
 '{partial:nps_agg}', '{partial:nps_agg}'),
('nps formulas per row', '{"nps(bigint,bigint,bigint)","nps_category(integer)"}',
 $$SELECT id, nps_category(score), nps(score, 10 - score, 3) FROM {subs} WHERE score IS NOT NULL$$,
 '{worker:nps_category}', '{worker:nps_category}');

-- Closed formulas ----------------------------------------------------------

INSERT INTO cases (case_name, covers, query, plan_by_key, plan_by_row) VALUES
('formulas per row',
 '{"retention_rate(bigint,bigint,bigint)","churn_rate(bigint,bigint)","lifetime_from_churn(double precision)","churn_rate_rescale(double precision,double precision,double precision)","retention_rate_rescale(double precision,double precision,double precision)","clv(numeric,numeric,numeric)","clv_from_churn(numeric,double precision,double precision,double precision)","arpa(numeric,bigint)","cac(numeric,bigint)","cac_payback_periods(numeric,numeric,double precision)","ltv_to_cac(numeric,numeric)"}',
 $$SELECT id, retention_rate(100 + score, 95 + score, 3 + score % 4), churn_rate(score % 5, 50),
          lifetime_from_churn(0.01 * (1 + score % 5)), churn_rate_rescale(0.01 * (1 + score % 5), 30, 365),
          retention_rate_rescale(0.9 + 0.005 * score, 30, 365), clv(mrr * 12, 2.5, 100),
          clv_from_churn(mrr, 0.05, 0.8, 0.01), arpa(mrr * 10, 1 + score), cac(mrr * 3, 1 + score % 3),
          cac_payback_periods(120, mrr + 1, 0.8), ltv_to_cac(mrr * 30, 100)
   FROM {subs} WHERE score IS NOT NULL$$,
 '{worker:retention_rate,worker:ltv_to_cac}', '{worker:retention_rate,worker:ltv_to_cac}'),
('formulas over aggregates', '{"churn_rate(bigint,bigint)","arpa(numeric,bigint)"}',
 $$SELECT region, churn_rate(count(*) FILTER (WHERE ended_at IS NOT NULL), count(*)), arpa(sum(mrr), count(*))
   FROM {subs} GROUP BY region$$,
 '{}', '{}'),
('period_start per row', '{"period_start(date,text,integer)","periods_per_year(text)"}',
 $$SELECT id, period_start(started_at, p), period_start(started_at, p, -2), periods_per_year(p)
   FROM {subs}, unnest(ARRAY['day', 'week', 'month', 'quarter', 'year']) AS p$$,
 '{worker:period_start}', '{worker:period_start}');

-- sBG ----------------------------------------------------------------------

INSERT INTO cases (case_name, covers, query, plan_by_key, plan_by_row) VALUES
('sbg_fit per cohort', '{"sbg_fit(integer,bigint)","sbg_fit(sbg_counts)"}',
 $$SELECT cohort, sbg_fit(age, active)::text FROM {counts} GROUP BY cohort$$,
 '{worker:sbg_fit}', '{partial:sbg_fit}'),
('sbg_fit of one cohort', '{"sbg_fit(integer,bigint)"}',
 $$SELECT sbg_fit(age, active)::text FROM {counts} WHERE cohort = '2024-02-01'$$,
 '{worker:sbg_fit}', '{partial:sbg_fit}'),
('sbg_fit of an array', '{"sbg_fit(bigint[])"}',
 $$SELECT cohort, sbg_fit(array_agg(active ORDER BY age))::text FROM {counts} GROUP BY cohort$$,
 '{worker:sbg_fit}', '{}'),
('sbg model readers',
 '{"sbg_retention_rate(sbg_model,integer)","sbg_survival(sbg_model,integer)","sbg_churn_probability(sbg_model,integer)","sbg_expected_lifetime(sbg_model)","sbg_derl(sbg_model,double precision,integer)","clv_sbg(numeric,sbg_model,double precision,integer)","sbg_retention_rate(double precision,double precision,integer)","sbg_survival(double precision,double precision,integer)","sbg_churn_probability(double precision,double precision,integer)","sbg_expected_lifetime(double precision,double precision)","sbg_derl(double precision,double precision,double precision,integer)","clv_sbg(numeric,double precision,double precision,double precision,integer)"}',
 $$SELECT cohort, sbg_retention_rate(m, 3), sbg_survival(m, 3), sbg_churn_probability(m, 3),
          sbg_expected_lifetime(m), sbg_derl(m, 0.1), clv_sbg(100, m, 0.1, 2),
          sbg_retention_rate((m).alpha, (m).beta, 5), sbg_survival((m).alpha, (m).beta, 5),
          sbg_churn_probability((m).alpha, (m).beta, 5), sbg_expected_lifetime((m).alpha, (m).beta),
          sbg_derl((m).alpha, (m).beta, 0.05, 3), clv_sbg(50, (m).alpha, (m).beta, 0.05)
   FROM (SELECT cohort, sbg_fit(age, active) AS m FROM {counts} GROUP BY cohort) AS q$$,
 '{worker:sbg_fit,worker:sbg_survival}', '{partial:sbg_fit}'),
-- sbg_counts values are written as text ('{age:active,...}'); made per
-- cohort on the workers (by_key) or on the coordinator (by_row).
('sbg_counts equality and hashing',
 '{"sbg_counts_eq(sbg_counts,sbg_counts)","sbg_counts_ne(sbg_counts,sbg_counts)","sbg_counts_hash(sbg_counts)","sbg_counts_hash_extended(sbg_counts,bigint)","sbg_fit(sbg_counts)"}',
 $$SELECT a.cohort, a.c = b.c AS same, a.c <> b.c AS differs, a.c = d.c AS same_as_next,
          sbg_counts_hash(a.c), sbg_counts_hash_extended(a.c, 42), sbg_fit(a.c)::text,
          (SELECT count(*) FROM (SELECT c FROM (SELECT ('{' || string_agg(age || ':' || active, ',' ORDER BY age) || '}')::sbg_counts AS c
                                                FROM {counts} GROUP BY cohort) AS x
                                 UNION SELECT c FROM (SELECT ('{' || string_agg(age || ':' || active, ',' ORDER BY age) || '}')::sbg_counts AS c
                                                      FROM {counts} GROUP BY cohort) AS y) AS u) AS distinct_counts
   FROM (SELECT cohort, ('{' || string_agg(age || ':' || active, ',' ORDER BY age) || '}')::sbg_counts AS c FROM {counts} GROUP BY cohort) AS a
   JOIN (SELECT cohort, ('{' || string_agg(age || ':' || active, ',' ORDER BY age) || '}')::sbg_counts AS c FROM {counts} GROUP BY cohort) AS b USING (cohort)
   JOIN (SELECT (cohort - 31) AS cohort, ('{' || string_agg(age || ':' || active, ',' ORDER BY age) || '}')::sbg_counts AS c
         FROM {counts} GROUP BY cohort) AS d USING (cohort)$$,
 '{}', '{}');

-- Survival curves ------------------------------------------------------------
-- Lifetimes of subscription rows in days: an event when the row ended, else
-- censored on 2025-06-01.

INSERT INTO cases (case_name, covers, query, plan_by_key, plan_by_row) VALUES
('kaplan_meier', '{"kaplan_meier(double precision,boolean)","survival_curve_final(survival_curve)"}',
 $$SELECT kaplan_meier((coalesce(ended_at, date '2025-06-01') - started_at)::float8, ended_at IS NOT NULL)::text
   FROM {subs}$$,
 '{partial:kaplan_meier}', '{partial:kaplan_meier}'),
('kaplan_meier per region with readers',
 '{"kaplan_meier(double precision,boolean)","subjects(survival_curve)","events(survival_curve)","censored(survival_curve)","survival_at(survival_curve,double precision)","survival_ci(survival_curve,double precision,double precision,text)","median_survival(survival_curve)","median_survival_ci(survival_curve,double precision,text)","survival_quantile(survival_curve,double precision)","survival_quantile_ci(survival_curve,double precision,double precision,text)","restricted_mean_survival(survival_curve,double precision)","restricted_mean_survival_ci(survival_curve,double precision,double precision)"}',
 $$SELECT region, subjects(k), events(k), censored(k), survival_at(k, 180), survival_ci(k, 180),
          survival_ci(k, 90, 0.9, 'plain'), median_survival(k), median_survival_ci(k),
          median_survival_ci(k, 0.8, 'log'), survival_quantile(k, 0.25), survival_quantile_ci(k, 0.25, 0.95, 'log-log'),
          restricted_mean_survival(k, 365), restricted_mean_survival_ci(k, 365), restricted_mean_survival_ci(k, 200, 0.9)
   FROM (SELECT region, kaplan_meier((coalesce(ended_at, date '2025-06-01') - started_at)::float8, ended_at IS NOT NULL) AS k
         FROM {subs} GROUP BY region) AS q$$,
 '{partial:kaplan_meier}', '{partial:kaplan_meier}'),
('survival_table and logrank_test', '{"survival_table(survival_curve,double precision,text)","logrank_test(survival_curve[])"}',
 $$SELECT 'table', t::text FROM (SELECT kaplan_meier((coalesce(ended_at, date '2025-06-01') - started_at)::float8,
                                                    ended_at IS NOT NULL) AS k FROM {subs}) AS q,
                               LATERAL survival_table(q.k, 0.9, 'log') AS t
   UNION ALL
   SELECT 'logrank', logrank_test(array_agg(k ORDER BY region))::text
   FROM (SELECT region % 3 AS region,
                kaplan_meier((coalesce(ended_at, date '2025-06-01') - started_at)::float8, ended_at IS NOT NULL) AS k
         FROM {subs} GROUP BY region % 3) AS q$$,
 '{partial:kaplan_meier}', '{partial:kaplan_meier}'),
('rollup(survival_curve)', '{"rollup(survival_curve)","kaplan_meier(double precision,boolean)"}',
 $$SELECT rollup(k)::text, median_survival(rollup(k))
   FROM (SELECT customer_id, kaplan_meier((coalesce(ended_at, date '2025-06-01') - started_at)::float8,
                                          ended_at IS NOT NULL) AS k
         FROM {subs} GROUP BY customer_id) AS q$$,
 '{worker:kaplan_meier,partial:rollup}', '{partial:kaplan_meier}');

-- Subscription book: the aggregates, every overload ---------------------------
-- One case per overload of subscription_book_agg, mrr_movements(customer_id,
-- ...) and cohort_retention(customer_id, ...): bigint, text and uuid ids
-- (integer and varchar columns reach the bigint and text overloads through
-- their implicit casts), date and timestamptz bounds, with and without a
-- period and a window.  The book's text form is compared byte for byte
-- (md5): the shards' books combined on the coordinator are the local book.

CREATE TEMP TABLE book_inputs (id_type text, day_type text, id_column text, started text, ended text,
                               window_from text, window_to text, period text);
INSERT INTO book_inputs VALUES
('bigint', 'date', 'customer_id', 'started_at', 'ended_at', '2023-06-01', '2024-05-01', 'quarter'),
('bigint', 'timestamp with time zone', 'customer_int', 'started_ts', 'ended_ts', '2023-03-01 00:00+00', '2024-03-01 00:00+00', 'week'),
('text', 'date', 'customer_text', 'started_at', 'ended_at', '2023-02-15', '2025-01-31', 'month'),
('text', 'timestamp with time zone', 'customer_varchar', 'started_ts', 'ended_ts', '2023-01-01 00:00+00', '2025-12-31 00:00+00', 'year'),
('uuid', 'date', 'customer_uuid', 'started_at', 'ended_at', '2024-01-01', '2024-02-29', 'day'),
('uuid', 'timestamp with time zone', 'customer_uuid', 'started_ts', 'ended_ts', '2023-09-10 00:00+00', '2024-09-10 00:00+00', 'month');

INSERT INTO cases (case_name, covers, query, plan_by_key, plan_by_row)
SELECT format('subscription_book_agg(%s, %s)', i.id_column, i.day_type),
       ARRAY[format('subscription_book_agg(%s,%s,%s,numeric)', i.id_type, i.day_type, i.day_type),
             'subscription_book_stats(subscription_book)', 'subscription_book_result(subscription_book)'],
       format($$SELECT md5(q.b::text), st.*
                FROM (SELECT subscription_book_agg(%s, %s, %s, mrr) AS b FROM {subs}) AS q,
                     LATERAL subscription_book_stats(q.b) AS st$$, i.id_column, i.started, i.ended),
       '{partial:subscription_book_agg}', '{partial:subscription_book_agg}'
FROM book_inputs AS i;

-- The shorthands: mrr_movements with no period, a period, a period and a
-- window; cohort_retention with no period and a period (by week rather than
-- day: a triangle of days is too large to compare).
INSERT INTO cases (case_name, covers, query, plan_by_key, plan_by_row)
SELECT format('%s(%s, %s%s)', a.name, i.id_column, i.day_type, f.label),
       ARRAY[format('%s(%s,%s,%s,numeric%s)', a.name, i.id_type, i.day_type, i.day_type, f.types),
             a.name || '_final(subscription_book)'],
       format($$SELECT r.* FROM (SELECT %s(%s, %s, %s, mrr%s) AS a FROM {subs}) AS q, unnest(q.a) AS r$$,
              a.name, i.id_column, i.started, i.ended, f.arguments),
       ARRAY['partial:' || a.name], ARRAY['partial:' || a.name]
FROM book_inputs AS i,
     unnest(ARRAY['mrr_movements', 'cohort_retention']) AS a(name),
     LATERAL (SELECT CASE WHEN a.name = 'cohort_retention' AND i.period = 'day' THEN 'week' ELSE i.period END) AS p(period),
     LATERAL (VALUES ('', '', ''),
                     (', period', ',text', format(', %L', p.period)),
                     (', period, window', format(',text,%s,%s', i.day_type, i.day_type),
                      format(', %L, %L, %L', p.period, i.window_from, i.window_to))) AS f(label, types, arguments)
WHERE a.name = 'mrr_movements' OR f.label <> ', period, window';

-- Grouped by the customer: whole on the shards when the table is
-- distributed by it, split when one customer's rows are on several.
INSERT INTO cases (case_name, covers, query, plan_by_key, plan_by_row) VALUES
('mrr_movements per customer', '{"mrr_movements(bigint,date,date,numeric,text)"}',
 $$SELECT customer_id, mrr_movements(customer_id, started_at, ended_at, mrr, 'quarter')::text FROM {subs} GROUP BY customer_id$$,
 '{worker:mrr_movements}', '{partial:mrr_movements}'),
('cohort_retention per region', '{"cohort_retention(text,date,date,numeric)"}',
 $$SELECT region, cohort_retention(customer_text, started_at, ended_at, mrr)::text FROM {subs} GROUP BY region$$,
 '{partial:cohort_retention}', '{partial:cohort_retention}');

-- Subscription book: the readers ---------------------------------------------
-- A book made from the distributed table (split: each shard's book travels
-- as text, the coordinator merges them; then it reaches the reader through
-- an intermediate result, in binary) read by every reader, under both
-- conventions and several periods.

INSERT INTO cases (case_name, covers, query, plan_by_key, plan_by_row) VALUES
('mrr_movements(book) by period and convention',
 '{"subscription_book_agg(bigint,date,date,numeric)","mrr_movements(subscription_book,text,date,date,text,text)"}',
 $$SELECT p, z, ch, m.*
   FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b FROM {subs}) AS q,
        unnest(ARRAY['week', 'month', 'quarter', 'year']) AS p, unnest(ARRAY['inactive', 'active']) AS z,
        unnest(ARRAY['period_end', 'all']) AS ch,
        LATERAL mrr_movements(q.b, p, NULL, NULL, z, ch) AS m
   UNION ALL
   SELECT 'day', z, ch, m.*
   FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b FROM {subs}) AS q,
        unnest(ARRAY['inactive', 'active']) AS z, unnest(ARRAY['period_end', 'all']) AS ch,
        LATERAL mrr_movements(q.b, 'day', '2024-03-01', '2024-04-15', z, ch) AS m$$,
 '{partial:subscription_book_agg}', '{partial:subscription_book_agg}'),
('movement readers',
 '{"retention_rate(mrr_movement)","churn_rate(mrr_movement,boolean)","revenue_churn_rate(mrr_movement)","gross_revenue_retention(mrr_movement)","net_revenue_retention(mrr_movement)","quick_ratio(mrr_movement)","arpa(mrr_movement)","arr(mrr_movement)","upgrade_rate(mrr_movement)","downgrade_rate(mrr_movement)"}',
 $$SELECT z, m.period_start, retention_rate(m), churn_rate(m), churn_rate(m, true), revenue_churn_rate(m),
          gross_revenue_retention(m), net_revenue_retention(m), quick_ratio(m), arpa(m), arr(m),
          upgrade_rate(m), downgrade_rate(m)
   FROM (SELECT subscription_book_agg(customer_uuid, started_at, ended_at, mrr) AS b FROM {subs}) AS q,
        unnest(ARRAY['inactive', 'active']) AS z,
        LATERAL mrr_movements(q.b, 'month', NULL, NULL, z, 'all') AS m$$,
 '{partial:subscription_book_agg}', '{partial:subscription_book_agg}'),
('customer_movements(book)',
 '{"subscription_book_agg(text,timestamp with time zone,timestamp with time zone,numeric)","customer_movements(subscription_book,text,date,date,text,text)"}',
 $$SELECT p, z, ch, m.*
   FROM (SELECT subscription_book_agg(customer_text, started_ts, ended_ts, mrr) AS b FROM {subs}) AS q,
        unnest(ARRAY['month', 'quarter']) AS p, unnest(ARRAY['inactive', 'active']) AS z,
        unnest(ARRAY['period_end', 'all']) AS ch,
        LATERAL customer_movements(q.b, p, '2023-06-01', '2024-05-31', z, ch) AS m$$,
 '{partial:subscription_book_agg}', '{partial:subscription_book_agg}'),
('customers_at(book)',
 '{"subscription_book_agg(uuid,timestamp with time zone,timestamp with time zone,numeric)","customers_at(subscription_book,date,text)"}',
 $$SELECT d, z, c.*
   FROM (SELECT subscription_book_agg(customer_uuid, started_ts, ended_ts, mrr) AS b FROM {subs}) AS q,
        unnest(ARRAY[date '2023-02-01', '2024-01-15', '2025-04-11']) AS d, unnest(ARRAY['inactive', 'active']) AS z,
        LATERAL customers_at(q.b, d, z) AS c$$,
 '{partial:subscription_book_agg}', '{partial:subscription_book_agg}'),
('cohort_retention(book)',
 '{"subscription_book_agg(text,date,date,numeric)","cohort_retention(subscription_book,text,text,date)"}',
 $$SELECT p, z, c.*
   FROM (SELECT subscription_book_agg(customer_varchar, started_at, ended_at, mrr) AS b FROM {subs}) AS q,
        unnest(ARRAY['month', 'quarter', 'year']) AS p, unnest(ARRAY['inactive', 'active']) AS z,
        LATERAL cohort_retention(q.b, p, z) AS c$$,
 '{partial:subscription_book_agg}', '{partial:subscription_book_agg}'),
('cohort helpers of a book',
 '{"cohort_churn_hazard(subscription_book,text,text)","cohort_churn_peak(subscription_book,text,text)","cohort_summary(subscription_book,text,text)","mrr_by_cohort(subscription_book,text,text)"}',
 $$SELECT p, z, r.*
   FROM (SELECT subscription_book_agg(customer_id, started_ts, ended_ts, mrr) AS b FROM {subs}) AS q,
        unnest(ARRAY['month', 'quarter']) AS p, unnest(ARRAY['inactive', 'active']) AS z,
        LATERAL (SELECT 'hazard', h::text FROM cohort_churn_hazard(q.b, p, z) AS h
                 UNION ALL SELECT 'peak', k::text FROM cohort_churn_peak(q.b, p, z) AS k
                 UNION ALL SELECT 'summary', s::text FROM cohort_summary(q.b, p, z) AS s
                 UNION ALL SELECT 'by cohort', y::text FROM mrr_by_cohort(q.b, p, z) AS y) AS r(helper, result)$$,
 '{partial:subscription_book_agg}', '{partial:subscription_book_agg}'),
-- The cell-array forms read the shorthand aggregate's cohort_cell[] (by
-- quarter, and by month, the helpers' default period).
('cohort helpers of cells',
 '{"cohort_retention(bigint,date,date,numeric,text)","cohort_retention(bigint,date,date,numeric)","cohort_churn_hazard(cohort_cell[])","cohort_churn_peak(cohort_cell[])","cohort_summary(cohort_cell[],text)","mrr_by_cohort(cohort_cell[],text)"}',
 $$SELECT r.*
   FROM (SELECT cohort_retention(customer_id, started_at, ended_at, mrr, 'quarter') AS by_quarter,
                cohort_retention(customer_id, started_at, ended_at, mrr) AS by_month
         FROM {subs}) AS s,
        LATERAL (SELECT 'hazard', h::text FROM cohort_churn_hazard(s.by_quarter) AS h
                 UNION ALL SELECT 'peak', k::text FROM cohort_churn_peak(s.by_quarter) AS k
                 UNION ALL SELECT 'summary', x::text FROM cohort_summary(s.by_quarter, 'quarter') AS x
                 UNION ALL SELECT 'summary by month', x::text FROM cohort_summary(s.by_month) AS x
                 UNION ALL SELECT 'by cohort', y::text FROM mrr_by_cohort(s.by_quarter, 'quarter') AS y
                 UNION ALL SELECT 'by cohort by month', y::text FROM mrr_by_cohort(s.by_month) AS y) AS r(helper, result)$$,
 '{partial:cohort_retention}', '{partial:cohort_retention}'),
('customer_survival(book)',
 '{"customer_survival(subscription_book,text,text,date)","survival_table(survival_curve,double precision,text)","median_survival(survival_curve)"}',
 $$SELECT p, z, s.curve::text, median_survival(s.curve), t::text
   FROM (SELECT subscription_book_agg(customer_text, started_at, ended_at, mrr) AS b FROM {subs}) AS q,
        unnest(ARRAY['month', 'quarter']) AS p, unnest(ARRAY['inactive', 'active']) AS z,
        LATERAL (SELECT customer_survival(q.b, p, z) AS curve) AS s,
        LATERAL survival_table(s.curve) AS t$$,
 '{partial:subscription_book_agg}', '{partial:subscription_book_agg}'),
('cohort_conversion and conversion_curves(book)',
 '{"cohort_conversion(subscription_book,text,date)","conversion_curves(subscription_book,text,date)","median_survival(survival_curve)"}',
 $$SELECT 'conversion', p, c::text
   FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b FROM {subs}) AS q,
        unnest(ARRAY['month', 'quarter']) AS p,
        LATERAL cohort_conversion(q.b, p) AS c
   UNION ALL
   SELECT 'curve', p, concat_ws(' ', k.cohort_start, k.curve, median_survival(k.curve))
   FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b FROM {subs}) AS q,
        unnest(ARRAY['month', 'quarter']) AS p,
        LATERAL conversion_curves(q.b, p) AS k$$,
 '{partial:subscription_book_agg}', '{partial:subscription_book_agg}');

-- Every reader of a book with its default options.
INSERT INTO cases (case_name, covers, query, plan_by_key, plan_by_row) VALUES
('book readers with their defaults',
 '{"mrr_movements(subscription_book,text,date,date,text,text)","customer_movements(subscription_book,text,date,date,text,text)","customers_at(subscription_book,date,text)","cohort_retention(subscription_book,text,text,date)","cohort_churn_hazard(subscription_book,text,text)","cohort_churn_peak(subscription_book,text,text)","cohort_summary(subscription_book,text,text)","mrr_by_cohort(subscription_book,text,text)","customer_survival(subscription_book,text,text,date)","cohort_conversion(subscription_book,text,date)","conversion_curves(subscription_book,text,date)"}',
 $$SELECT r.*
   FROM (SELECT subscription_book_agg(customer_text, started_at, ended_at, mrr) AS b FROM {subs}) AS q,
        LATERAL (SELECT 'mrr_movements', m::text FROM mrr_movements(q.b) AS m
                 UNION ALL SELECT 'customer_movements', m::text FROM customer_movements(q.b) AS m
                 UNION ALL SELECT 'customers_at', c::text FROM customers_at(q.b, '2024-06-30') AS c
                 UNION ALL SELECT 'cohort_retention', c::text FROM cohort_retention(q.b) AS c
                 UNION ALL SELECT 'cohort_churn_hazard', h::text FROM cohort_churn_hazard(q.b) AS h
                 UNION ALL SELECT 'cohort_churn_peak', k::text FROM cohort_churn_peak(q.b) AS k
                 UNION ALL SELECT 'cohort_summary', x::text FROM cohort_summary(q.b) AS x
                 UNION ALL SELECT 'mrr_by_cohort', y::text FROM mrr_by_cohort(q.b) AS y
                 UNION ALL SELECT 'customer_survival', customer_survival(q.b)::text
                 UNION ALL SELECT 'cohort_conversion', c::text FROM cohort_conversion(q.b) AS c
                 UNION ALL SELECT 'conversion_curves', c::text FROM conversion_curves(q.b) AS c) AS r(reader, result)$$,
 '{partial:subscription_book_agg}', '{partial:subscription_book_agg}');

-- Books kept and merged --------------------------------------------------------
-- rollup() of books of disjoint customers (one per customer, per region),
-- and of books that share customers (one per year of started_at: a
-- customer's rows in several books), must give the book of all the rows,
-- byte for byte.

INSERT INTO cases (case_name, covers, query, plan_by_key, plan_by_row, same_as)
SELECT format('rollup(subscription_book) of %s books', r.label),
       ARRAY['rollup(subscription_book)', format('subscription_book_agg(%s)', r.signature)],
       format($$SELECT md5(rollup(b)::text)
                FROM (SELECT %s AS g, subscription_book_agg(%s) AS b FROM {subs} GROUP BY 1) AS q$$, r.grp, r.arguments),
       r.plan_by_key, '{partial:subscription_book_agg}',
       format($$SELECT md5(subscription_book_agg(%s)::text) FROM {subs}$$, r.arguments)
FROM (VALUES ('per-customer', 'customer_id', 'customer_id, started_at, ended_at, mrr', 'bigint,date,date,numeric',
              '{worker:subscription_book_agg,partial:rollup}'::text[]),
             ('per-region', 'region', 'customer_text, started_ts, ended_ts, mrr',
              'text,timestamp with time zone,timestamp with time zone,numeric', '{partial:subscription_book_agg}'),
             ('per-year (sharing customers)', 'extract(year FROM started_at)', 'customer_uuid, started_at, ended_at, mrr',
              'uuid,date,date,numeric', '{partial:subscription_book_agg}')
     ) AS r(label, grp, arguments, signature, plan_by_key);

-- = and <> compare books by their canonical form, and their hash agrees:
-- integer ids make the book of the same ids as bigint, varchar the book of
-- the same ids as text, on every node.
INSERT INTO cases (case_name, covers, query, plan_by_key, plan_by_row) VALUES
('subscription_book equality and hashing',
 '{"subscription_book_eq(subscription_book,subscription_book)","subscription_book_ne(subscription_book,subscription_book)","subscription_book_hash(subscription_book)","subscription_book_hash_extended(subscription_book,bigint)"}',
 $$SELECT a.region, a.b = i.b AS integer_ids_same, a.b <> i.b AS integer_ids_differ, a.b = n.b AS same_as_next,
          t.b = v.b AS varchar_ids_same, t.b <> v.b AS varchar_ids_differ,
          subscription_book_hash(a.b), subscription_book_hash_extended(a.b, 42), subscription_book_hash(t.b),
          (SELECT count(*) FROM (SELECT b FROM (SELECT region, subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b
                                                FROM {subs} GROUP BY region) AS x
                                 UNION
                                 SELECT b FROM (SELECT region, subscription_book_agg(customer_int, started_at, ended_at, mrr) AS b
                                                FROM {subs} GROUP BY region) AS y) AS u) AS distinct_books
   FROM (SELECT region, subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b FROM {subs} GROUP BY region) AS a
   JOIN (SELECT region, subscription_book_agg(customer_int, started_at, ended_at, mrr) AS b FROM {subs} GROUP BY region) AS i USING (region)
   JOIN (SELECT (region + 1) % 7 AS region, subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b
         FROM {subs} GROUP BY region) AS n USING (region)
   JOIN (SELECT region, subscription_book_agg(customer_text, started_ts, ended_ts, mrr) AS b FROM {subs} GROUP BY region) AS t USING (region)
   JOIN (SELECT region, subscription_book_agg(customer_varchar, started_ts, ended_ts, mrr) AS b FROM {subs} GROUP BY region) AS v USING (region)$$,
 '{partial:subscription_book_agg}', '{partial:subscription_book_agg}');

-- ==========================================================================
-- O(periods), not O(customers) (issue 14, item 2): what a Citus user writes
-- on a table distributed by the customer.  Citus keeps a GROUP BY on the
-- shards only when it contains the distribution column, so the books are
-- made per customer (GROUP BY customer_id: run whole on the shards), read
-- per customer over one COMMON window (every customer reports the same
-- periods, so stocks add up), and the readings are added up by period on
-- the shards; the coordinator adds the shards' sums.  Counts and amounts of
-- disjoint customers add; ratios are recomputed from the sums (the readers
-- of mrr_movement applied to the summed row).  Each shape must equal the
-- whole book's reading on the local table (same_as).  On the table
-- distributed by row id the same query is correct too, but the books are
-- merged on the coordinator first (one state per customer and shard
-- travels).
-- Amounts are shown by trim_scale(): a sum of per-customer amounts has the
-- scale of the customers in it, the whole book's the scale of all rows.
-- ==========================================================================

-- the movement figures of a mrr_movement m, amounts without trailing zeros,
-- and every ratio read from m
\set movement_of_m '(m).period_start, (m).customers_start, (m).new_customers, (m).reactivated_customers, (m).churned_customers, (m).customers_end, trim_scale((m).mrr_start), trim_scale((m).new_mrr), trim_scale((m).expansion_mrr), trim_scale((m).contraction_mrr), trim_scale((m).churned_mrr), trim_scale((m).reactivation_mrr), trim_scale((m).mrr_end), (m).expansion_customers, (m).contraction_customers, retention_rate(m), churn_rate(m), churn_rate(m, true), revenue_churn_rate(m), gross_revenue_retention(m), net_revenue_retention(m), quick_ratio(m), trim_scale(arpa(m)), trim_scale(arr(m)), upgrade_rate(m), downgrade_rate(m)'
-- the sums by period of the mrr_movement rows mm, as a mrr_movement
\set summed_movement 'ROW(mm.period_start, sum(mm.customers_start)::bigint, sum(mm.new_customers)::bigint, sum(mm.reactivated_customers)::bigint, sum(mm.churned_customers)::bigint, sum(mm.customers_end)::bigint, sum(mm.mrr_start), sum(mm.new_mrr), sum(mm.expansion_mrr), sum(mm.contraction_mrr), sum(mm.churned_mrr), sum(mm.reactivation_mrr), sum(mm.mrr_end), sum(mm.expansion_customers)::bigint, sum(mm.contraction_customers)::bigint)::mrr_movement'
-- the reference: the whole book read over the common window
\set whole_book_movements 'SELECT ' :movement_of_m ' FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b FROM {subs}) AS whole, LATERAL mrr_movements(whole.b, ''month'', ''2023-07-01'', ''2025-06-30'', ''{zero_mrr}'', ''{changes}'') AS m'

INSERT INTO cases (case_name, covers, query, plan_by_key, plan_by_row, same_as)
SELECT format('O(periods): mrr_movements per customer summed by period (%s, %s)', zero_mrr, changes),
       '{"mrr_movements(subscription_book,text,date,date,text,text)","net_revenue_retention(mrr_movement)"}',
       replace(replace(replace(replace($$
SELECT {movement_of_m}
FROM (SELECT {summed_movement} AS m
      FROM (SELECT customer_id, subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b
            FROM {subs} GROUP BY customer_id) AS per_customer,
           LATERAL mrr_movements(per_customer.b, 'month', '2023-07-01', '2025-06-30', '{zero_mrr}', '{changes}') AS mm
      GROUP BY mm.period_start) AS per_period$$,
           '{movement_of_m}', :'movement_of_m'), '{summed_movement}', :'summed_movement'),
           '{zero_mrr}', zero_mrr), '{changes}', changes),
       '{worker:subscription_book_agg,worker:mrr_movements,shard_sums}', '{partial:subscription_book_agg}',
       replace(replace(:'whole_book_movements', '{zero_mrr}', zero_mrr), '{changes}', changes)
FROM (VALUES ('inactive', 'period_end'), ('active', 'all')) AS conventions(zero_mrr, changes);

-- The same from the movements alone: customer_movements emits a row only
-- where a customer's state changes (O(changes) rows on the shards, not
-- O(customers x periods)), summed per period on the shards; the stocks are
-- the customers and MRR at the end of the period before the window
-- (customers_at, also summed on the shards) plus the running sum of the
-- flows, on the coordinator.
INSERT INTO cases (case_name, covers, query, plan_by_key, plan_by_row, same_as)
SELECT format('O(periods): customer_movements per customer summed by period (%s, %s)', zero_mrr, changes),
       '{"customer_movements(subscription_book,text,date,date,text,text)","customers_at(subscription_book,date,text)"}',
       replace(replace(replace($$
WITH flows AS (
    SELECT cm.period_start,
           sum(cm.new_customers) AS new_customers, sum(cm.reactivated_customers) AS reactivated_customers,
           sum(cm.churned_customers) AS churned_customers, sum(cm.new_mrr) AS new_mrr,
           sum(cm.expansion_mrr) AS expansion_mrr, sum(cm.contraction_mrr) AS contraction_mrr,
           sum(cm.churned_mrr) AS churned_mrr, sum(cm.reactivation_mrr) AS reactivation_mrr,
           sum(cm.expanded) AS expansion_customers, sum(cm.contracted) AS contraction_customers
    FROM (SELECT customer_id, subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b
          FROM {subs} GROUP BY customer_id) AS per_customer,
         LATERAL (SELECT m.period_start,
                         count(*) FILTER (WHERE m.movement = 'new') AS new_customers,
                         count(*) FILTER (WHERE m.movement = 'reactivation') AS reactivated_customers,
                         count(*) FILTER (WHERE m.movement = 'churn') AS churned_customers,
                         coalesce(sum(m.mrr_after) FILTER (WHERE m.movement = 'new'), 0) AS new_mrr,
                         coalesce(sum(m.mrr_after - m.mrr_before) FILTER (WHERE m.movement = 'expansion'), 0) AS expansion_mrr,
                         coalesce(sum(m.mrr_before - m.mrr_after) FILTER (WHERE m.movement = 'contraction'), 0) AS contraction_mrr,
                         coalesce(sum(m.mrr_before) FILTER (WHERE m.movement = 'churn'), 0) AS churned_mrr,
                         coalesce(sum(m.mrr_after) FILTER (WHERE m.movement = 'reactivation'), 0) AS reactivation_mrr,
                         max((m.movement = 'expansion')::integer) AS expanded,
                         max((m.movement = 'contraction')::integer) AS contracted
                  FROM customer_movements(per_customer.b, 'month', '2023-07-01', '2025-06-30', '{zero_mrr}', '{changes}') AS m
                  GROUP BY m.period_start) AS cm
    GROUP BY cm.period_start),
opening AS (
    SELECT count(*) AS customers, coalesce(sum(c.mrr), 0) AS mrr
    FROM (SELECT customer_id, subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b
          FROM {subs} GROUP BY customer_id) AS per_customer,
         LATERAL customers_at(per_customer.b, '2023-06-30', '{zero_mrr}') AS c),
per_period AS (
    SELECT p.period_start,
           coalesce(f.new_customers, 0) AS new_customers, coalesce(f.reactivated_customers, 0) AS reactivated_customers,
           coalesce(f.churned_customers, 0) AS churned_customers, coalesce(f.new_mrr, 0) AS new_mrr,
           coalesce(f.expansion_mrr, 0) AS expansion_mrr, coalesce(f.contraction_mrr, 0) AS contraction_mrr,
           coalesce(f.churned_mrr, 0) AS churned_mrr, coalesce(f.reactivation_mrr, 0) AS reactivation_mrr,
           coalesce(f.expansion_customers, 0) AS expansion_customers,
           coalesce(f.contraction_customers, 0) AS contraction_customers,
           o.customers + sum(coalesce(f.new_customers + f.reactivated_customers - f.churned_customers, 0)) OVER w
               AS customers_end,
           o.mrr + sum(coalesce(f.new_mrr + f.expansion_mrr - f.contraction_mrr - f.churned_mrr + f.reactivation_mrr, 0))
               OVER w AS mrr_end
    FROM (SELECT d::date AS period_start FROM generate_series(date '2023-07-01', date '2025-06-01', interval '1 month') AS d) AS p
    CROSS JOIN opening AS o
    LEFT JOIN flows AS f USING (period_start)
    WINDOW w AS (ORDER BY p.period_start))
SELECT {movement_of_m}
FROM (SELECT ROW(period_start, customers_end - new_customers - reactivated_customers + churned_customers,
                 new_customers, reactivated_customers, churned_customers, customers_end,
                 trim_scale(mrr_end - new_mrr - expansion_mrr + contraction_mrr + churned_mrr - reactivation_mrr),
                 new_mrr, expansion_mrr, contraction_mrr, churned_mrr, reactivation_mrr, trim_scale(mrr_end),
                 expansion_customers, contraction_customers)::mrr_movement AS m
      FROM per_period) AS rows$$,
           '{movement_of_m}', :'movement_of_m'), '{zero_mrr}', zero_mrr), '{changes}', changes),
       '{worker:subscription_book_agg,worker:customer_movements,worker:customers_at,shard_sums}',
       '{partial:subscription_book_agg}',
       replace(replace(:'whole_book_movements', '{zero_mrr}', zero_mrr), '{changes}', changes)
FROM (VALUES ('inactive', 'period_end'), ('active', 'all')) AS conventions(zero_mrr, changes);

-- One book per shard: Citus has no GROUP BY "shard", but its utility
-- run_command_on_shards() runs a query on each shard (%s: the shard's table)
-- and returns its one value as text.  Each shard reads its own book over
-- the common window and sends its periods; the coordinator adds them up.
-- Only on a table distributed by the customer (elsewhere shards share
-- customers and their sums count them twice).
INSERT INTO cases (case_name, covers, query, variants, same_as)
SELECT 'O(periods): one book per shard (run_command_on_shards), summed by period',
       '{"subscription_book_agg(bigint,date,date,numeric)","mrr_movements(subscription_book,text,date,date,text,text)"}',
       replace(replace($$
SELECT {movement_of_m}
FROM (SELECT {summed_movement} AS m
      FROM run_command_on_shards('{subs}', $shard$
               SELECT array_agg(m ORDER BY m.period_start)
               FROM mrr_movements((SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) FROM %s),
                                  'month', '2023-07-01', '2025-06-30') AS m$shard$) AS shard,
           LATERAL unnest(shard.result::mrr_movement[]) AS mm
      GROUP BY mm.period_start) AS per_period$$,
               '{movement_of_m}', :'movement_of_m'), '{summed_movement}', :'summed_movement'),
       '{by_key}',
       replace(replace(:'whole_book_movements', '{zero_mrr}', 'inactive'), '{changes}', 'period_end');

-- Cohort cells.  cohort_retention(book) reads to the book's last period, and
-- a customer's own book ends with its own rows, so per-customer triangles
-- do not add up.  Per customer: its cohort (the one cohort of its own
-- triangle), then its state at each period end from its cohort to the
-- data's last day (mrr_movements over that window); on the shards, per
-- cohort and period: customers, active ones, their MRR.  The coordinator
-- numbers the ages and recomputes the retentions.  '2025-04-12' is the last
-- day of the test data (the whole book's last_day).
INSERT INTO cases (case_name, covers, query, plan_by_key, plan_by_row, same_as)
SELECT format('O(periods): cohort cells per customer summed by cohort and period (%s)', zero_mrr),
       '{"cohort_retention(subscription_book,text,text,date)","mrr_movements(subscription_book,text,date,date,text,text)"}',
       replace($$
SELECT x.cohort_start, (row_number() OVER w - 1)::integer AS age, x.cohort_customers, x.active_customers,
       x.active_customers::float8 / x.cohort_customers::float8 AS logo_retention,
       trim_scale(first_value(x.mrr) OVER w) AS cohort_mrr, trim_scale(x.mrr) AS mrr,
       CASE WHEN first_value(x.mrr) OVER w <> 0 THEN (x.mrr / first_value(x.mrr) OVER w)::float8 END AS revenue_retention
FROM (SELECT c.cohort_start, mm.period_start, count(*) AS cohort_customers,
             sum(mm.customers_end)::bigint AS active_customers, sum(mm.mrr_end) AS mrr
      FROM (SELECT customer_id, subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b
            FROM {subs} GROUP BY customer_id) AS per_customer,
           LATERAL (SELECT min(cr.cohort_start) AS cohort_start
                    FROM cohort_retention(per_customer.b, 'month', '{zero_mrr}') AS cr) AS c,
           LATERAL mrr_movements(per_customer.b, 'month', c.cohort_start, '2025-04-12', '{zero_mrr}') AS mm
      WHERE c.cohort_start IS NOT NULL
      GROUP BY c.cohort_start, mm.period_start) AS x
WINDOW w AS (PARTITION BY x.cohort_start ORDER BY x.period_start)$$, '{zero_mrr}', zero_mrr),
       '{worker:subscription_book_agg,worker:cohort_retention,shard_sums}', '{partial:subscription_book_agg}',
       replace($$
SELECT c.cohort_start, c.age, c.cohort_customers, c.active_customers, c.logo_retention,
       trim_scale(c.cohort_mrr), trim_scale(c.mrr), c.revenue_retention
FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b FROM {subs}) AS whole,
     LATERAL cohort_retention(whole.b, 'month', '{zero_mrr}') AS c$$, '{zero_mrr}', zero_mrr)
FROM (VALUES ('inactive'), ('active')) AS conventions(zero_mrr);

-- Survival counts.  customer_survival(book) censors a customer still active
-- at the book's last period, so per-customer curves do not add up either.
-- Per customer, from the same per-period states: its lifetime (the first
-- age at whose period end it is not active, else censored at the last
-- age); kaplan_meier() of the lifetimes is split by Citus, each shard's
-- curve (its counts per age: O(ages)) merged on the coordinator.
INSERT INTO cases (case_name, covers, query, plan_by_key, plan_by_row, same_as)
SELECT format('O(periods): customer_survival from per-customer lifetimes (%s)', zero_mrr),
       '{"customer_survival(subscription_book,text,text,date)","kaplan_meier(double precision,boolean)","survival_table(survival_curve,double precision,text)"}',
       replace($$
SELECT k.curve::text, t::text
FROM (SELECT kaplan_meier(life.duration, life.observed) AS curve
      FROM (SELECT customer_id, subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b
            FROM {subs} GROUP BY customer_id) AS per_customer,
           LATERAL (SELECT min(cr.cohort_start) AS cohort_start
                    FROM cohort_retention(per_customer.b, 'month', '{zero_mrr}') AS cr) AS c,
           LATERAL (SELECT coalesce(min(a.age) FILTER (WHERE a.customers_end = 0), max(a.age))::float8 AS duration,
                           bool_or(a.customers_end = 0) AS observed
                    FROM (SELECT row_number() OVER (ORDER BY mm.period_start) - 1 AS age, mm.customers_end
                          FROM mrr_movements(per_customer.b, 'month', c.cohort_start, '2025-04-12', '{zero_mrr}') AS mm) AS a
                   ) AS life
      WHERE c.cohort_start IS NOT NULL) AS k,
     LATERAL survival_table(k.curve) AS t$$, '{zero_mrr}', zero_mrr),
       '{worker:subscription_book_agg,partial:kaplan_meier}', '{partial:subscription_book_agg}',
       replace($$
SELECT k.curve::text, t::text
FROM (SELECT customer_survival(subscription_book_agg(customer_id, started_at, ended_at, mrr), 'month', '{zero_mrr}') AS curve
      FROM {subs}) AS k,
     LATERAL survival_table(k.curve) AS t$$, '{zero_mrr}', zero_mrr)
FROM (VALUES ('inactive'), ('active')) AS conventions(zero_mrr);

-- Conversion.  Per customer: signup day (its book's first_day) and first
-- paying day (its first 'new' movement read by day); conversion_curves is
-- kaplan_meier() of the days between, per signup cohort, never-converted
-- customers censored at the data's last day; cohort_conversion counts per
-- cohort and conversion period on the shards and accumulates over the ages
-- on the coordinator.
\set conversions 'SELECT st.first_day AS signup, (SELECT min(m.period_start) FROM customer_movements(per_customer.b, ''day'', NULL, NULL, ''inactive'', ''all'') AS m WHERE m.movement = ''new'') AS paid_on FROM (SELECT customer_id, subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b FROM {subs} GROUP BY customer_id) AS per_customer, LATERAL subscription_book_stats(per_customer.b) AS st'

INSERT INTO cases (case_name, covers, query, plan_by_key, plan_by_row, same_as) VALUES
('O(periods): conversion_curves from per-customer conversion times',
 '{"conversion_curves(subscription_book,text,date)","customer_movements(subscription_book,text,date,date,text,text)","kaplan_meier(double precision,boolean)"}',
 replace($$
SELECT period_start(x.signup, 'month') AS cohort_start,
       kaplan_meier((coalesce(x.paid_on, date '2025-04-12') - x.signup)::float8, x.paid_on IS NOT NULL)::text AS curve
FROM ({conversions}) AS x
GROUP BY 1$$, '{conversions}', :'conversions'),
 '{worker:subscription_book_agg,worker:customer_movements,partial:kaplan_meier}', '{partial:subscription_book_agg}',
 $$SELECT k.cohort_start, k.curve::text
   FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b FROM {subs}) AS whole,
        LATERAL conversion_curves(whole.b, 'month') AS k$$),
('O(periods): cohort_conversion from per-customer conversion periods',
 '{"cohort_conversion(subscription_book,text,date)","customer_movements(subscription_book,text,date,date,text,text)"}',
 replace($$
WITH per_cohort AS (
    SELECT period_start(x.signup, 'month') AS cohort_start, period_start(x.paid_on, 'month') AS converted_in,
           count(*) AS customers
    FROM ({conversions}) AS x
    GROUP BY 1, 2)
SELECT s.cohort_start, (row_number() OVER (PARTITION BY s.cohort_start ORDER BY p.period_start) - 1)::integer AS age,
       s.signups, c.converted, c.converted::float8 / s.signups::float8 AS conversion_rate
FROM (SELECT cohort_start, sum(customers)::bigint AS signups FROM per_cohort GROUP BY cohort_start) AS s,
     LATERAL generate_series(s.cohort_start, date '2025-04-01', interval '1 month') AS p(period_start),
     LATERAL (SELECT coalesce(sum(pc.customers), 0)::bigint AS converted FROM per_cohort AS pc
              WHERE pc.cohort_start = s.cohort_start AND pc.converted_in <= p.period_start) AS c$$,
         '{conversions}', :'conversions'),
 '{worker:customer_movements,shard_sums}', '{partial:subscription_book_agg}',
 $$SELECT c.* FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b FROM {subs}) AS whole,
                   LATERAL cohort_conversion(whole.b, 'month') AS c$$);

-- ==========================================================================
-- CLV models (docs/clv_models.md): rfm() per customer from {purchases},
-- the fits over customers, their two-step forms (a summary per segment,
-- rollup(), the fit of the rollup) and the readers per customer.  On the
-- table distributed by the customer the per-customer rfm runs whole on the
-- shards and the fit over it is split (each shard's bgnbd_counts or
-- gamma_gamma_counts travels); on the table distributed by the row id the
-- rfm states of a customer meet on the coordinator first.  The fits sort
-- their distinct summaries before they read them, so the order in which
-- the shards' states arrive does not matter: every digit must agree.
-- ==========================================================================

-- one rfm per customer, in weeks, to the observation end 2024-12-31
\set rfm_per_customer '(SELECT customer_id, segment, rfm(purchased_on, amount, ''2024-12-31'', ''week'') AS r FROM {purchases} GROUP BY customer_id, segment)'

INSERT INTO cases (case_name, covers, query, plan_by_key, plan_by_row) VALUES
('rfm per customer',
 '{"rfm(date,numeric,date)","rfm(date,numeric,date,text)","rfm(rfm_state)"}',
 $$SELECT customer_id, rfm(purchased_on, amount, '2024-12-31'), rfm(purchased_on, amount, '2024-12-31', 'week'),
          rfm(purchased_on, amount, '2024-09-30', 'Month')
   FROM {purchases} GROUP BY customer_id$$,
 '{worker:rfm}', '{partial:rfm}'),
('rfm per customer, timestamptz',
 '{"rfm(timestamp with time zone,numeric,timestamp with time zone)","rfm(timestamp with time zone,numeric,timestamp with time zone,text)","rfm(rfm_state)"}',
 $$SELECT customer_id, rfm(purchased_ts, amount, '2024-12-31 12:00+00'),
          rfm(purchased_ts, amount, '2024-10-15 00:00+00', 'week'), rfm(purchased_ts, amount, '2025-02-01 00:00+00', 'month')
   FROM {purchases} GROUP BY customer_id$$,
 '{worker:rfm}', '{partial:rfm}'),
-- rfm of all purchases as one customer's, and per segment (not the
-- distribution column): split on both tables
('rfm of all purchases and per segment',
 '{"rfm(date,numeric,date)","rfm(timestamp with time zone,numeric,timestamp with time zone,text)"}',
 $$SELECT NULL::integer AS segment, rfm(purchased_on, amount, '2024-12-31'), rfm(purchased_ts, amount, '2024-12-31 00:00+00', 'week')
   FROM {purchases}
   UNION ALL
   SELECT segment, rfm(purchased_on, amount, '2024-12-31'), rfm(purchased_ts, amount, '2024-12-31 00:00+00', 'week')
   FROM {purchases} GROUP BY segment$$,
 '{partial:rfm}', '{partial:rfm}');

-- Each model: its fit over all customers and per segment, and its summary
-- per segment with the summary's readers.
INSERT INTO cases (case_name, covers, query, plan_by_key, plan_by_row)
SELECT format(f.label, m.fit, m.counts), f.covers,
       replace(format(f.query, m.fit, m.counts), '{rfm_per_customer}', :'rfm_per_customer'),
       ARRAY['worker:rfm', 'partial:' || format(f.split, m.fit, m.counts)], '{partial:rfm}'
FROM (VALUES ('bgnbd_counts', 'bgnbd_fit'), ('gamma_gamma_counts', 'gamma_gamma_fit')) AS m(counts, fit),
     LATERAL (VALUES
         ('%s of per-customer rfm', ARRAY[m.fit || '(rfm)'],
          $$SELECT %1$s(c.r) FROM {rfm_per_customer} AS c$$, '%1$s'),
         ('%s per segment', ARRAY[m.fit || '(rfm)'],
          $$SELECT c.segment, %1$s(c.r) FROM {rfm_per_customer} AS c GROUP BY c.segment$$, '%1$s'),
         ('%2$s_agg per segment and its readers',
          ARRAY[m.counts || '_agg(rfm)', format('%s_final(%s)', m.counts, m.counts), format('customers(%s)', m.counts),
                format('%s(%s)', m.fit, m.counts)],
          $$SELECT c.segment, %2$s_agg(c.r)::text, customers(%2$s_agg(c.r)), %1$s(%2$s_agg(c.r))
            FROM {rfm_per_customer} AS c GROUP BY c.segment$$, '%2$s_agg')
     ) AS f(label, covers, query, split);

-- The two-step forms: a summary per segment, kept, rolled up and fitted,
-- must be the summary and the fit of all customers at once (same_as).
INSERT INTO cases (case_name, covers, query, plan_by_key, plan_by_row, same_as)
SELECT format('rollup(%s) of per-segment summaries, and the fit of the rollup', m.counts),
       ARRAY[format('rollup(%s)', m.counts), format('%s_agg(rfm)', m.counts), format('%s_final(%s)', m.counts, m.counts),
             format('customers(%s)', m.counts), format('%s(%s)', m.fit, m.counts)],
       replace(format($$SELECT rollup(s.c)::text, customers(rollup(s.c)), %s(rollup(s.c))
                        FROM (SELECT c.segment, %s_agg(c.r) AS c FROM {rfm_per_customer} AS c GROUP BY c.segment) AS s$$,
                      m.fit, m.counts), '{rfm_per_customer}', :'rfm_per_customer'),
       ARRAY['worker:rfm', format('partial:%s_agg', m.counts)], '{partial:rfm}',
       replace(format($$SELECT %s_agg(c.r)::text, customers(%s_agg(c.r)), %s(c.r) FROM {rfm_per_customer} AS c$$,
                      m.counts, m.counts, m.fit), '{rfm_per_customer}', :'rfm_per_customer')
FROM (VALUES ('bgnbd_counts', 'bgnbd_fit'), ('gamma_gamma_counts', 'gamma_gamma_fit')) AS m(counts, fit);

-- The readers, per customer, of models fitted over all customers: Citus
-- makes the models first (a subplan) and sends them to the shards, where
-- the per-customer rfm and the readers run.
INSERT INTO cases (case_name, covers, query, plan_by_key, plan_by_row) VALUES
('CLV readers per customer',
 '{"bgnbd_p_alive(bgnbd_model,rfm)","bgnbd_expected_purchases(bgnbd_model,rfm,double precision)","bgnbd_expected_purchases(bgnbd_model,double precision)","bgnbd_log_likelihood(bgnbd_model,rfm)","gamma_gamma_expected_spend(gamma_gamma_model,rfm)","gamma_gamma_log_likelihood(gamma_gamma_model,rfm)","clv_bgnbd(bgnbd_model,gamma_gamma_model,rfm,integer,double precision)"}',
 replace($$SELECT c.customer_id, c.r, bgnbd_p_alive(m.purchases, c.r), bgnbd_expected_purchases(m.purchases, c.r, 26),
                  bgnbd_expected_purchases(m.purchases, (c.r).t), bgnbd_log_likelihood(m.purchases, c.r),
                  gamma_gamma_expected_spend(m.spend, c.r), gamma_gamma_log_likelihood(m.spend, c.r),
                  clv_bgnbd(m.purchases, m.spend, c.r, 52, 0.002), clv_bgnbd(m.purchases, m.spend, c.r, 12, 0)
           FROM {rfm_per_customer} AS c,
                (SELECT bgnbd_fit(x.r) AS purchases, gamma_gamma_fit(x.r) AS spend FROM {rfm_per_customer} AS x) AS m$$,
         '{rfm_per_customer}', :'rfm_per_customer'),
 '{worker:rfm,partial:bgnbd_fit,worker:bgnbd_p_alive,worker:clv_bgnbd}', '{partial:rfm}');

-- ==========================================================================
-- Churn signals (docs/churn_signals.md): engagement() per customer from
-- {events}; logistic_fit() and classifier_report() over {snapshots}
-- (labelled feature rows, 16 per customer), grouped and ungrouped, and the
-- backtest: a model fitted on the early snapshots, read on the later ones.
-- engagement merges exactly; logistic_fit and classifier_report put the
-- rows they collected in an order of their contents before reading them,
-- so the order in which the shards' states arrive does not matter either.
-- ==========================================================================

-- per customer, in both forms: a window of days, one of another length
-- (hours for timestamptz), and the feature share of a month
INSERT INTO cases (case_name, covers, query, plan_by_key, plan_by_row)
SELECT format('engagement per customer (%s)', f.day_type),
       ARRAY[format('engagement(%s,text,numeric,%s,interval)', f.day_type, f.day_type),
             'engagement(engagement_state)', 'feature_share(engagement,integer)'],
       format($$SELECT customer_id, engagement(%1$s, feature, quantity, %2$L, '28 days'),
                       engagement(%1$s, feature, quantity, %3$L, %4$L),
                       feature_share(engagement(%1$s, feature, quantity, %2$L, '1 month'), 6)
                FROM {events} GROUP BY customer_id$$, f.day_column, f.as_of, f.other_as_of, f.other_window),
       '{worker:engagement,worker:feature_share}', '{partial:engagement}'
FROM (VALUES ('date', 'occurred_on', '2024-06-30', '2024-07-01', '2 weeks'),
             ('timestamp with time zone', 'occurred_ts', '2024-06-30 12:00+00', '2024-07-01 00:00+00', '36 hours')
     ) AS f(day_type, day_column, as_of, other_as_of, other_window);

INSERT INTO cases (case_name, covers, query, plan_by_key, plan_by_row) VALUES
('engagement of all events and per feature',
 '{"engagement(date,text,numeric,date,interval)","engagement(timestamp with time zone,text,numeric,timestamp with time zone,interval)"}',
 $$SELECT NULL AS feature, engagement(occurred_on, feature, quantity, '2024-06-30', '28 days'),
          engagement(occurred_ts, feature, quantity, '2024-06-30 00:00+00', '2 weeks')
   FROM {events}
   UNION ALL
   SELECT feature, engagement(occurred_on, feature, quantity, '2024-06-30', '28 days'),
          engagement(occurred_ts, feature, quantity, '2024-06-30 00:00+00', '2 weeks')
   FROM {events} GROUP BY feature$$,
 '{partial:engagement}', '{partial:engagement}');

INSERT INTO cases (case_name, covers, query, plan_by_key, plan_by_row) VALUES
('logistic_fit',
 '{"logistic_fit(boolean,double precision[])","logistic_fit(boolean,double precision[],double precision)","logistic_fit(logistic_rows)"}',
 $$SELECT logistic_fit(churned, ARRAY[days_idle, active_days, trend]),
          logistic_fit(churned, ARRAY[days_idle, active_days, trend, days_idle * active_days], 2.5),
          logistic_fit(churned, ARRAY[active_days])
   FROM {snapshots}$$,
 '{partial:logistic_fit}', '{partial:logistic_fit}'),
('logistic_fit per segment', '{"logistic_fit(boolean,double precision[])","logistic_fit(logistic_rows)"}',
 $$SELECT segment, logistic_fit(churned, ARRAY[days_idle, active_days, trend]) FROM {snapshots} GROUP BY segment$$,
 '{partial:logistic_fit}', '{partial:logistic_fit}'),
-- 16 rows a customer: penalised, so that every customer's fit has an estimate
('logistic_fit per customer', '{"logistic_fit(boolean,double precision[],double precision)","logistic_fit(logistic_rows)"}',
 $$SELECT customer_id, logistic_fit(churned, ARRAY[days_idle, active_days, trend], 1) FROM {snapshots} GROUP BY customer_id$$,
 '{worker:logistic_fit}', '{partial:logistic_fit}'),
('classifier_report and its deciles',
 '{"classifier_report(double precision,boolean)","classifier_report(classifier_scores)","classifier_deciles(classifier_report)"}',
 $$SELECT q.name, q.report, d.*
   FROM (SELECT 'score' AS name, classifier_report(score, churned) AS report FROM {snapshots}
         UNION ALL
         SELECT 'trend', classifier_report(trend, churned) FROM {snapshots}) AS q,
        LATERAL classifier_deciles(q.report) AS d$$,
 '{partial:classifier_report}', '{partial:classifier_report}'),
('classifier_report per segment', '{"classifier_report(double precision,boolean)","classifier_deciles(classifier_report)"}',
 $$SELECT q.segment, q.report, d.*
   FROM (SELECT segment, classifier_report(score, churned) AS report FROM {snapshots} GROUP BY segment) AS q,
        LATERAL classifier_deciles(q.report) AS d$$,
 '{partial:classifier_report}', '{partial:classifier_report}'),
('classifier_report per customer', '{"classifier_report(double precision,boolean)","classifier_deciles(classifier_report)"}',
 $$SELECT q.customer_id, q.report, d.*
   FROM (SELECT customer_id, classifier_report(days_idle / 40, churned) AS report FROM {snapshots} GROUP BY customer_id) AS q,
        LATERAL classifier_deciles(q.report) AS d$$,
 '{worker:classifier_report,worker:classifier_deciles}', '{partial:classifier_report}'),
-- The backtest: fitted on the snapshots of January to August, read on
-- September to April by every reader of a model, and reported.
('logistic readers and the backtest',
 '{"logistic_predict(logistic_model,double precision[])","logistic_contributions(logistic_model,double precision[])","logistic_terms(logistic_model)","classifier_report(double precision,boolean)"}',
 $$SELECT 'row', s.id::text, logistic_predict(m.model, ARRAY[s.days_idle, s.active_days, s.trend])::text,
          logistic_contributions(m.model, ARRAY[s.days_idle, s.active_days, s.trend])::text
   FROM {snapshots} AS s,
        (SELECT logistic_fit(churned, ARRAY[days_idle, active_days, trend]) AS model FROM {snapshots} WHERE day < '2024-09-01') AS m
   WHERE s.day >= '2024-09-01'
   UNION ALL
   SELECT 'term', t.term::text, t::text, NULL
   FROM (SELECT logistic_fit(churned, ARRAY[days_idle, active_days, trend]) AS model FROM {snapshots} WHERE day < '2024-09-01') AS m,
        LATERAL logistic_terms(m.model) AS t
   UNION ALL
   SELECT 'report', NULL, classifier_report(logistic_predict(m.model, ARRAY[s.days_idle, s.active_days, s.trend]), s.churned)::text, NULL
   FROM {snapshots} AS s,
        (SELECT logistic_fit(churned, ARRAY[days_idle, active_days, trend]) AS model FROM {snapshots} WHERE day < '2024-09-01') AS m
   WHERE s.day >= '2024-09-01'$$,
 '{partial:logistic_fit,worker:logistic_predict,partial:classifier_report}',
 '{partial:logistic_fit,worker:logistic_predict,partial:classifier_report}');
