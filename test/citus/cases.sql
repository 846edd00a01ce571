-- make test-citus: the Citus case of every aggregate and reader of the
-- extension.  Included by test/citus/harness.sql, which runs each query on
-- the local tables and on the distributed ones and compares.
--
-- A query names its tables {subs} (subscription rows and NPS answers) and
-- {counts} (cohort survival counts).  The harness runs it three times:
--   local   subs_local,        counts_local
--   by_key  subs_by_customer,  counts_by_cohort  (distributed by customer_id / cohort)
--   by_row  subs_by_row,       counts_by_row     (distributed by the row id: one
--                                                 customer's rows on several workers)
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
--
-- pending: cases written against the API announced for issue 10 (a book of
-- days with set-returning readers, concrete key types for issue 14).  They
-- are reported as skipped while an object they name is missing, and run as
-- soon as it exists.

-- ==========================================================================
-- EXPECTED TO FAIL.  The one place to flip: delete a line when its case
-- passes.  variant NULL = both distributed tables.  A case listed here that
-- passes is reported as a failure ("unexpectedly passed"), so that this list
-- never hides a fixed bug.
-- ==========================================================================
CREATE TEMP TABLE expected_failures (case_name text, variant text, reason text);
INSERT INTO expected_failures VALUES
('mrr_movements(date)',                   NULL,     'issue 14: anyelement customer_id fails worker_partial_agg_sfunc''s type check'),
('mrr_movements(date, period)',           NULL,     'issue 14: anyelement customer_id fails worker_partial_agg_sfunc''s type check'),
('mrr_movements(date, period, window)',   NULL,     'issue 14: anyelement customer_id fails worker_partial_agg_sfunc''s type check'),
('mrr_movements(timestamptz)',            NULL,     'issue 14: anyelement customer_id fails worker_partial_agg_sfunc''s type check'),
('mrr_movements(timestamptz, period)',    NULL,     'issue 14: anyelement customer_id fails worker_partial_agg_sfunc''s type check'),
('mrr_movements(timestamptz, period, window)', NULL, 'issue 14: anyelement customer_id fails worker_partial_agg_sfunc''s type check'),
('mrr_movements per customer',            'by_row', 'issue 14: anyelement customer_id fails worker_partial_agg_sfunc''s type check'),
('movement readers',                      NULL,     'issue 14: anyelement customer_id fails worker_partial_agg_sfunc''s type check'),
('movements summed by period',            'by_row', 'issue 14: anyelement customer_id fails worker_partial_agg_sfunc''s type check'),
('subscription_book_agg(date) and readers', NULL,   'issue 14: anyelement customer_id fails worker_partial_agg_sfunc''s type check'),
('subscription_book_agg(timestamptz)',    NULL,     'issue 14: anyelement customer_id fails worker_partial_agg_sfunc''s type check'),
('rollup(subscription_book)',             'by_row', 'issue 14: anyelement customer_id fails worker_partial_agg_sfunc''s type check'),
('cohort_retention(date)',                NULL,     'issue 14: anyelement customer_id fails worker_partial_agg_sfunc''s type check'),
('cohort_retention(date, period)',        NULL,     'issue 14: anyelement customer_id fails worker_partial_agg_sfunc''s type check'),
('cohort_retention(timestamptz)',         NULL,     'issue 14: anyelement customer_id fails worker_partial_agg_sfunc''s type check'),
('cohort_retention(timestamptz, period)', NULL,     'issue 14: anyelement customer_id fails worker_partial_agg_sfunc''s type check'),
('cohort helpers',                        NULL,     'issue 14: anyelement customer_id fails worker_partial_agg_sfunc''s type check');
-- ==========================================================================

CREATE TEMP TABLE cases (
    case_name text PRIMARY KEY,
    covers text[] NOT NULL,
    query text NOT NULL,
    plan_by_key text[] NOT NULL DEFAULT '{}',
    plan_by_row text[] NOT NULL DEFAULT '{}',
    pending text
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
 '{}', '{}');

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
 '{worker:sbg_fit,worker:sbg_survival}', '{partial:sbg_fit}');

-- Subscription book (the API of 0.2.0 before issue 10) ----------------------

INSERT INTO cases (case_name, covers, query, plan_by_key, plan_by_row) VALUES
('mrr_movements(date)', '{"mrr_movements(anyelement,date,date,numeric)","mrr_movements(subscription_book)"}',
 $$SELECT mrr_movements(customer_id, started_at, ended_at, mrr)::text FROM {subs}$$,
 '{partial:mrr_movements}', '{partial:mrr_movements}'),
('mrr_movements(date, period)', '{"mrr_movements(anyelement,date,date,numeric,text)"}',
 $$SELECT mrr_movements(customer_id, started_at, ended_at, mrr, 'quarter')::text FROM {subs}$$,
 '{partial:mrr_movements}', '{partial:mrr_movements}'),
('mrr_movements(date, period, window)', '{"mrr_movements(anyelement,date,date,numeric,text,date,date)"}',
 $$SELECT mrr_movements(customer_text, started_at, ended_at, mrr, 'month', '2023-06-01', '2024-05-01')::text FROM {subs}$$,
 '{partial:mrr_movements}', '{partial:mrr_movements}'),
('mrr_movements(timestamptz)', '{"mrr_movements(anyelement,timestamp with time zone,timestamp with time zone,numeric)"}',
 $$SELECT mrr_movements(customer_text, started_ts, ended_ts, mrr)::text FROM {subs}$$,
 '{partial:mrr_movements}', '{partial:mrr_movements}'),
('mrr_movements(timestamptz, period)', '{"mrr_movements(anyelement,timestamp with time zone,timestamp with time zone,numeric,text)"}',
 $$SELECT mrr_movements(customer_uuid, started_ts, ended_ts, mrr, 'week')::text FROM {subs}$$,
 '{partial:mrr_movements}', '{partial:mrr_movements}'),
('mrr_movements(timestamptz, period, window)',
 '{"mrr_movements(anyelement,timestamp with time zone,timestamp with time zone,numeric,text,timestamp with time zone,timestamp with time zone)"}',
 $$SELECT mrr_movements(customer_int, started_ts, ended_ts, mrr, 'month', '2023-03-01', '2024-03-01')::text FROM {subs}$$,
 '{partial:mrr_movements}', '{partial:mrr_movements}'),
('mrr_movements per customer', '{"mrr_movements(anyelement,date,date,numeric)"}',
 $$SELECT customer_id, mrr_movements(customer_id, started_at, ended_at, mrr)::text FROM {subs} GROUP BY customer_id$$,
 '{worker:mrr_movements}', '{partial:mrr_movements}'),
('movement readers',
 '{"retention_rate(mrr_movement)","churn_rate(mrr_movement,boolean)","revenue_churn_rate(mrr_movement)","gross_revenue_retention(mrr_movement)","net_revenue_retention(mrr_movement)","quick_ratio(mrr_movement)","arpa(mrr_movement)","arr(mrr_movement)"}',
 $$SELECT u.period_start, retention_rate(u), churn_rate(u), churn_rate(u, true), revenue_churn_rate(u),
          gross_revenue_retention(u), net_revenue_retention(u), quick_ratio(u), arpa(u), arr(u)
   FROM (SELECT mrr_movements(customer_id, started_at, ended_at, mrr) AS m FROM {subs}) AS s,
        LATERAL unnest(s.m) AS u$$,
 '{partial:mrr_movements}', '{partial:mrr_movements}'),
-- The shape that sends O(periods) rows, not O(customers) (issue 14 item 2):
-- per-customer movements over one window on the workers, summed per period
-- there, the shards' sums added on the coordinator.
('movements summed by period', '{"mrr_movements(anyelement,date,date,numeric,text,date,date)","net_revenue_retention(mrr_movement)"}',
 $$SELECT period_start, customers_end, mrr_end,
          net_revenue_retention(ROW(period_start, customers_start, new_customers, reactivated_customers,
                                    churned_customers, customers_end, mrr_start, new_mrr, expansion_mrr,
                                    contraction_mrr, churned_mrr, reactivation_mrr, mrr_end)::mrr_movement)
   FROM (SELECT (u).period_start, sum((u).customers_start) AS customers_start,
                sum((u).new_customers) AS new_customers, sum((u).reactivated_customers) AS reactivated_customers,
                sum((u).churned_customers) AS churned_customers, sum((u).customers_end) AS customers_end,
                sum((u).mrr_start) AS mrr_start, sum((u).new_mrr) AS new_mrr, sum((u).expansion_mrr) AS expansion_mrr,
                sum((u).contraction_mrr) AS contraction_mrr, sum((u).churned_mrr) AS churned_mrr,
                sum((u).reactivation_mrr) AS reactivation_mrr, sum((u).mrr_end) AS mrr_end
         FROM (SELECT customer_id,
                      mrr_movements(customer_id, started_at, ended_at, mrr, 'month', '2023-01-01', '2024-12-01') AS m
               FROM {subs} GROUP BY customer_id) AS per_customer,
              LATERAL unnest(per_customer.m) AS u
         GROUP BY 1) AS per_period$$,
 '{worker:mrr_movements}', '{partial:mrr_movements}'),
('subscription_book_agg(date) and readers',
 '{"subscription_book_agg(anyelement,date,date,numeric,text)","subscription_book_stats(subscription_book)","mrr_movements(subscription_book)","cohort_retention(subscription_book)"}',
 $$SELECT st.period, st.first_period, st.last_period, st.customers, st.stored_rows,
          mrr_movements(q.b)::text, cohort_retention(q.b)::text
   FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr, 'month') AS b FROM {subs}) AS q,
        LATERAL subscription_book_stats(q.b) AS st$$,
 '{partial:subscription_book_agg}', '{partial:subscription_book_agg}'),
('subscription_book_agg(timestamptz)',
 '{"subscription_book_agg(anyelement,timestamp with time zone,timestamp with time zone,numeric,text)"}',
 $$SELECT mrr_movements(subscription_book_agg(customer_text, started_ts, ended_ts, mrr, 'quarter'))::text FROM {subs}$$,
 '{partial:subscription_book_agg}', '{partial:subscription_book_agg}'),
('rollup(subscription_book)', '{"rollup(subscription_book)","mrr_movements(subscription_book)"}',
 $$SELECT mrr_movements(rollup(b))::text
   FROM (SELECT customer_id, subscription_book_agg(customer_id, started_at, ended_at, mrr, 'month') AS b
         FROM {subs} GROUP BY customer_id) AS q$$,
 '{worker:subscription_book_agg,partial:rollup}', '{partial:subscription_book_agg}'),
('cohort_retention(date)', '{"cohort_retention(anyelement,date,date,numeric)","cohort_retention(subscription_book)"}',
 $$SELECT cohort_retention(customer_id, started_at, ended_at, mrr)::text FROM {subs}$$,
 '{partial:cohort_retention}', '{partial:cohort_retention}'),
('cohort_retention(date, period)', '{"cohort_retention(anyelement,date,date,numeric,text)"}',
 $$SELECT cohort_retention(customer_text, started_at, ended_at, mrr, 'quarter')::text FROM {subs}$$,
 '{partial:cohort_retention}', '{partial:cohort_retention}'),
('cohort_retention(timestamptz)', '{"cohort_retention(anyelement,timestamp with time zone,timestamp with time zone,numeric)"}',
 $$SELECT cohort_retention(customer_uuid, started_ts, ended_ts, mrr)::text FROM {subs}$$,
 '{partial:cohort_retention}', '{partial:cohort_retention}'),
('cohort_retention(timestamptz, period)',
 '{"cohort_retention(anyelement,timestamp with time zone,timestamp with time zone,numeric,text)"}',
 $$SELECT cohort_retention(customer_int, started_ts, ended_ts, mrr, 'year')::text FROM {subs}$$,
 '{partial:cohort_retention}', '{partial:cohort_retention}'),
('cohort helpers',
 '{"periods_per_year(text)","cohort_churn_hazard(cohort_cell[])","cohort_churn_peak(cohort_cell[])","cohort_summary(cohort_cell[],text)","mrr_by_cohort(cohort_cell[],text)"}',
 $$SELECT 'hazard', h::text FROM (SELECT cohort_retention(customer_id, started_at, ended_at, mrr) AS c FROM {subs}) AS s,
          LATERAL cohort_churn_hazard(s.c) AS h
   UNION ALL
   SELECT 'peak', p::text FROM (SELECT cohort_retention(customer_id, started_at, ended_at, mrr) AS c FROM {subs}) AS s,
          LATERAL cohort_churn_peak(s.c) AS p
   UNION ALL
   SELECT 'summary', x::text FROM (SELECT cohort_retention(customer_id, started_at, ended_at, mrr) AS c FROM {subs}) AS s,
          LATERAL cohort_summary(s.c, 'month') AS x
   UNION ALL
   SELECT 'by cohort', y::text FROM (SELECT cohort_retention(customer_id, started_at, ended_at, mrr) AS c FROM {subs}) AS s,
          LATERAL mrr_by_cohort(s.c, 'month') AS y
   UNION ALL
   SELECT 'periods', periods_per_year('quarter')::text$$,
 '{partial:cohort_retention}', '{partial:cohort_retention}');

-- Subscription book after issue 10 / issue 14 (pending until it lands) -------
-- subscription_book_agg(customer_id, started_at, ended_at, mrr) builds a book
-- of days; set-returning readers take the period.  One case per key type.

INSERT INTO cases (case_name, covers, query, plan_by_key, plan_by_row, pending) VALUES
('book of days (bigint) read by mrr_movements',
 '{"subscription_book_agg(bigint,date,date,numeric)","mrr_movements(subscription_book,...)"}',
 $$SELECT m.* FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b FROM {subs}) AS q,
          LATERAL mrr_movements(q.b, 'month') AS m$$,
 '{partial:subscription_book_agg}', '{partial:subscription_book_agg}', 'issue 10/14: book of days, concrete key types'),
('book of days (integer) read by cohort_retention',
 '{"subscription_book_agg(integer,date,date,numeric)","cohort_retention(subscription_book,...)"}',
 $$SELECT c.* FROM (SELECT subscription_book_agg(customer_int, started_at, ended_at, mrr) AS b FROM {subs}) AS q,
          LATERAL cohort_retention(q.b, 'quarter') AS c$$,
 '{partial:subscription_book_agg}', '{partial:subscription_book_agg}', 'issue 10/14: book of days, concrete key types'),
('book of days (text) read by customer_movements',
 '{"subscription_book_agg(text,date,date,numeric)","customer_movements(subscription_book,...)"}',
 $$SELECT m.* FROM (SELECT subscription_book_agg(customer_text, started_at, ended_at, mrr) AS b FROM {subs}) AS q,
          LATERAL customer_movements(q.b, 'month', '2023-06-01', '2024-05-01') AS m$$,
 '{partial:subscription_book_agg}', '{partial:subscription_book_agg}', 'issue 10/14: book of days, concrete key types'),
('book of days (uuid) read by customers_at',
 '{"subscription_book_agg(uuid,timestamp with time zone,timestamp with time zone,numeric)","customers_at(subscription_book,...)"}',
 $$SELECT c.* FROM (SELECT subscription_book_agg(customer_uuid, started_ts, ended_ts, mrr) AS b FROM {subs}) AS q,
          LATERAL customers_at(q.b, '2024-01-15') AS c$$,
 '{partial:subscription_book_agg}', '{partial:subscription_book_agg}', 'issue 10/14: book of days, concrete key types'),
('book of days per customer, movements summed by period',
 '{"subscription_book_agg(bigint,date,date,numeric)","customer_movements(subscription_book,...)"}',
 $$SELECT m.period_start, m.movement, count(*), sum(m.mrr_after - m.mrr_before)
   FROM (SELECT customer_id, subscription_book_agg(customer_id, started_at, ended_at, mrr) AS b
         FROM {subs} GROUP BY customer_id) AS q,
        LATERAL customer_movements(q.b, 'month', '2023-01-01', '2024-12-01') AS m
   GROUP BY 1, 2$$,
 '{worker:subscription_book_agg,worker:customer_movements}', '{partial:subscription_book_agg}',
 'issue 10/14: book of days, concrete key types');
