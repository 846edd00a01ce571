-- Plain-SQL reference for MRR movements: what an analyst writes today, a
-- period spine cross-joined with the customers, each customer's state at
-- every period end (or on every day its rows start or end), and lag() to
-- compare consecutive states.  Independent of the extension (calls none of
-- its functions); see docs/subscriptions.md for the definitions.
--
--   SELECT * FROM ref.mrr_movements('book');
--   SELECT * FROM ref.mrr_movements('book', 'quarter', '2024-01-01', '2024-12-31');
--   SELECT * FROM ref.mrr_movements('book', 'month', NULL, NULL, 'active', 'all');
--   SELECT * FROM ref.customer_movements('book', 'month');
--
-- `book` is any table with columns (customer_id, started_at date,
-- ended_at date, mrr numeric).  zero_mrr: 'inactive' (a customer is active
-- while its MRR > 0) or 'active' (while it has a row); changes:
-- 'period_end' (states at period ends) or 'all' (states after every day on
-- which a row of the customer starts or ends).
\ir periods.sql

-- One row per movement of one customer: the drill-down.
CREATE OR REPLACE FUNCTION ref.customer_movements(book regclass, period text DEFAULT 'month',
                                                  from_date date DEFAULT NULL, to_date date DEFAULT NULL,
                                                  zero_mrr text DEFAULT 'inactive',
                                                  changes text DEFAULT 'period_end')
RETURNS TABLE (customer_id text, period_start date, movement text, mrr_before numeric, mrr_after numeric)
LANGUAGE plpgsql STABLE
AS $fn$
BEGIN
    IF zero_mrr NOT IN ('inactive', 'active') OR changes NOT IN ('period_end', 'all') THEN
        RAISE EXCEPTION 'unknown convention' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN QUERY EXECUTE format($sql$
        WITH subscription AS NOT MATERIALIZED (
            SELECT customer_id::text AS customer_id, started_at, ended_at, mrr FROM %s
        ),
        history AS (
            SELECT date_trunc($1, min(started_at)::timestamp)::date AS first_period,
                   greatest(date_trunc($1, max(started_at)::timestamp),
                            date_trunc($1, max(ended_at)::timestamp))::date AS last_period
            FROM subscription
        ),
        report AS (
            SELECT coalesce(date_trunc($1, $3::timestamp)::date, first_period) AS first_period,
                   coalesce(date_trunc($1, $4::timestamp)::date, last_period) AS last_period
            FROM history
        ),
        -- the instants read: each period's last day, or each day a row starts or ends
        instant AS (
            SELECT c.customer_id, (p + $2)::date - 1 AS day
            FROM (SELECT DISTINCT customer_id FROM subscription) c
            CROSS JOIN history CROSS JOIN report
            CROSS JOIN generate_series(least(history.first_period, report.first_period)::timestamp,
                                       report.last_period::timestamp, $2) AS p
            WHERE $6 = 'period_end'
          UNION
            SELECT customer_id, d
            FROM subscription
            CROSS JOIN LATERAL (VALUES (started_at), (ended_at)) AS v(d)
            WHERE $6 = 'all' AND d IS NOT NULL
        ),
        -- the customer's rows active on that day
        state AS (
            SELECT i.customer_id, i.day,
                   CASE WHEN $5 = 'active' THEN count(r.customer_id) > 0
                        ELSE coalesce(sum(r.mrr), 0) > 0 END AS active,
                   coalesce(sum(r.mrr), 0) AS mrr
            FROM instant i
            LEFT JOIN subscription r
                   ON r.customer_id = i.customer_id
                  AND r.started_at <= i.day AND (r.ended_at IS NULL OR r.ended_at > i.day)
            GROUP BY i.customer_id, i.day
        ),
        change AS (
            SELECT customer_id, date_trunc($1, day::timestamp)::date AS period_start, active, mrr,
                   lag(active, 1, false) OVER w AS was_active,
                   lag(mrr, 1, 0::numeric) OVER w AS previous_mrr,
                   coalesce(bool_or(active) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
                            false) AS active_before
            FROM state
            WINDOW w AS (PARTITION BY customer_id ORDER BY day)
        )
        SELECT c.customer_id, c.period_start,
               CASE WHEN c.active AND NOT c.was_active AND NOT c.active_before THEN 'new'
                    WHEN c.active AND NOT c.was_active THEN 'reactivation'
                    WHEN c.was_active AND NOT c.active THEN 'churn'
                    WHEN c.mrr > c.previous_mrr THEN 'expansion'
                    ELSE 'contraction' END,
               c.previous_mrr, c.mrr
        FROM change c CROSS JOIN report
        WHERE c.period_start BETWEEN report.first_period AND report.last_period
          AND (c.active <> c.was_active OR (c.active AND c.mrr <> c.previous_mrr))
    $sql$, book)
    USING period, ref.period_step(period), from_date, to_date, zero_mrr, changes;
END
$fn$;

-- Movements by period, with customers and MRR at the period ends.
CREATE OR REPLACE FUNCTION ref.mrr_movements(book regclass, period text DEFAULT 'month',
                                             from_date date DEFAULT NULL, to_date date DEFAULT NULL,
                                             zero_mrr text DEFAULT 'inactive',
                                             changes text DEFAULT 'period_end')
RETURNS TABLE (period_start date, customers_start bigint, new_customers bigint,
               reactivated_customers bigint, churned_customers bigint, customers_end bigint,
               mrr_start numeric, new_mrr numeric, expansion_mrr numeric, contraction_mrr numeric,
               churned_mrr numeric, reactivation_mrr numeric, mrr_end numeric,
               expansion_customers bigint, contraction_customers bigint)
LANGUAGE plpgsql STABLE
AS $fn$
BEGIN
    RETURN QUERY EXECUTE format($sql$
        WITH subscription AS NOT MATERIALIZED (
            SELECT customer_id, started_at, ended_at, mrr FROM %s
        ),
        history AS (
            SELECT date_trunc($1, min(started_at)::timestamp)::date AS first_period,
                   greatest(date_trunc($1, max(started_at)::timestamp),
                            date_trunc($1, max(ended_at)::timestamp))::date AS last_period
            FROM subscription
        ),
        report AS (
            SELECT coalesce(date_trunc($1, $3::timestamp)::date, first_period) AS first_period,
                   coalesce(date_trunc($1, $4::timestamp)::date, last_period) AS last_period
            FROM history
        ),
        spine AS (
            SELECT p::date AS period_start, (p + $2)::date AS next_start
            FROM history, report,
                 generate_series(least(history.first_period, report.first_period)::timestamp,
                                 report.last_period::timestamp, $2) AS p
        ),
        -- customers and MRR at each period end
        snapshot AS (
            SELECT s.period_start, c.customer_id,
                   CASE WHEN $5 = 'active' THEN count(r.customer_id) > 0
                        ELSE coalesce(sum(r.mrr), 0) > 0 END AS active,
                   coalesce(sum(r.mrr), 0) AS mrr
            FROM (SELECT DISTINCT customer_id FROM subscription) c
            CROSS JOIN spine s
            LEFT JOIN subscription r
                   ON r.customer_id = c.customer_id
                  AND r.started_at < s.next_start
                  AND (r.ended_at IS NULL OR r.ended_at >= s.next_start)
            GROUP BY s.period_start, c.customer_id
        ),
        total AS (
            SELECT s.period_start,
                   count(*) FILTER (WHERE n.active) AS customers,
                   coalesce(sum(n.mrr) FILTER (WHERE n.active), 0) AS mrr
            FROM spine s LEFT JOIN snapshot n USING (period_start)
            GROUP BY s.period_start
        ),
        moved AS (
            SELECT m.period_start,
                   count(*) FILTER (WHERE m.movement = 'new') AS new_customers,
                   count(*) FILTER (WHERE m.movement = 'reactivation') AS reactivated_customers,
                   count(*) FILTER (WHERE m.movement = 'churn') AS churned_customers,
                   coalesce(sum(m.mrr_after) FILTER (WHERE m.movement = 'new'), 0) AS new_mrr,
                   coalesce(sum(m.mrr_after - m.mrr_before) FILTER (WHERE m.movement = 'expansion'), 0) AS expansion_mrr,
                   coalesce(sum(m.mrr_before - m.mrr_after) FILTER (WHERE m.movement = 'contraction'), 0) AS contraction_mrr,
                   coalesce(sum(m.mrr_before) FILTER (WHERE m.movement = 'churn'), 0) AS churned_mrr,
                   coalesce(sum(m.mrr_after) FILTER (WHERE m.movement = 'reactivation'), 0) AS reactivation_mrr,
                   count(DISTINCT m.customer_id) FILTER (WHERE m.movement = 'expansion') AS expansion_customers,
                   count(DISTINCT m.customer_id) FILTER (WHERE m.movement = 'contraction') AS contraction_customers
            FROM ref.customer_movements(%L, $1, $3, $4, $5, $6) m
            GROUP BY m.period_start
        )
        SELECT t.period_start,
               coalesce(lag(t.customers) OVER w, 0), coalesce(m.new_customers, 0),
               coalesce(m.reactivated_customers, 0), coalesce(m.churned_customers, 0), t.customers,
               coalesce(lag(t.mrr) OVER w, 0), coalesce(m.new_mrr, 0), coalesce(m.expansion_mrr, 0),
               coalesce(m.contraction_mrr, 0), coalesce(m.churned_mrr, 0), coalesce(m.reactivation_mrr, 0),
               t.mrr, coalesce(m.expansion_customers, 0), coalesce(m.contraction_customers, 0)
        FROM total t
        LEFT JOIN moved m USING (period_start)
        CROSS JOIN report
        WINDOW w AS (ORDER BY t.period_start)
        ORDER BY t.period_start
        OFFSET (SELECT count(*) FROM spine, report WHERE spine.period_start < report.first_period)
    $sql$, book, book)
    USING period, ref.period_step(period), from_date, to_date, zero_mrr, changes;
END
$fn$;
