-- Plain-SQL reference for MRR movements: what an analyst writes today, a
-- period spine cross-joined with the customers, each customer's state at
-- every period end, and lag() to compare consecutive ends.  Independent of
-- the extension (calls none of its functions); see docs/subscriptions.md
-- for the definitions.
--
--   SELECT * FROM ref.mrr_movements('book');
--   SELECT * FROM ref.mrr_movements('book', 'quarter', '2024-01-01', '2024-12-31');
--
-- `book` is any table with columns (customer_id, started_at date,
-- ended_at date, mrr numeric).
\ir periods.sql

CREATE OR REPLACE FUNCTION ref.mrr_movements(book regclass, period text DEFAULT 'month',
                                             from_date date DEFAULT NULL, to_date date DEFAULT NULL)
RETURNS TABLE (period_start date, customers_start bigint, new_customers bigint,
               reactivated_customers bigint, churned_customers bigint, customers_end bigint,
               mrr_start numeric, new_mrr numeric, expansion_mrr numeric, contraction_mrr numeric,
               churned_mrr numeric, reactivation_mrr numeric, mrr_end numeric)
LANGUAGE plpgsql STABLE
AS $fn$
BEGIN
    RETURN QUERY EXECUTE format($sql$
        WITH subscription AS NOT MATERIALIZED (
            SELECT customer_id, started_at, ended_at, mrr FROM %s
        ),
        history AS (            -- the periods holding any start or end
            SELECT date_trunc($1, min(started_at)::timestamp)::date AS first_period,
                   greatest(date_trunc($1, max(started_at)::timestamp),
                            date_trunc($1, max(ended_at)::timestamp))::date AS last_period
            FROM subscription
        ),
        report AS (             -- the periods asked for
            SELECT coalesce(date_trunc($1, $3::timestamp)::date, first_period) AS first_period,
                   coalesce(date_trunc($1, $4::timestamp)::date, last_period) AS last_period
            FROM history
        ),
        spine AS (              -- from the start of history, so that "ever active" sees all of it
            SELECT p::date AS period_start, (p + $2)::date AS next_start
            FROM history, report,
                 generate_series(least(history.first_period, report.first_period)::timestamp,
                                 report.last_period::timestamp, $2) AS p
        ),
        customer AS (
            SELECT DISTINCT customer_id FROM subscription
        ),
        snapshot AS (           -- each customer at the end of each period: its rows active then
            SELECT c.customer_id, s.period_start,
                   count(r.customer_id) > 0 AS active,
                   coalesce(sum(r.mrr), 0) AS mrr
            FROM customer c
            CROSS JOIN spine s
            LEFT JOIN subscription r
                   ON r.customer_id = c.customer_id
                  AND r.started_at < s.next_start
                  AND (r.ended_at IS NULL OR r.ended_at >= s.next_start)
            GROUP BY c.customer_id, s.period_start
        ),
        change AS (             -- the previous period end, and whether any earlier end saw it active
            SELECT period_start, active, mrr,
                   lag(active, 1, false) OVER w AS was_active,
                   lag(mrr, 1, 0::numeric) OVER w AS previous_mrr,
                   coalesce(bool_or(active) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
                            false) AS active_before
            FROM snapshot
            WINDOW w AS (PARTITION BY customer_id ORDER BY period_start)
        ),
        movement AS (
            SELECT period_start, mrr, previous_mrr, active, was_active,
                   active AND NOT was_active AND NOT active_before AS is_new,
                   active AND NOT was_active AND active_before AS is_reactivated,
                   was_active AND NOT active AS is_churned,
                   was_active AND active AS is_retained
            FROM change
        )
        SELECT s.period_start,
               count(*) FILTER (WHERE m.was_active),
               count(*) FILTER (WHERE m.is_new),
               count(*) FILTER (WHERE m.is_reactivated),
               count(*) FILTER (WHERE m.is_churned),
               count(*) FILTER (WHERE m.active),
               coalesce(sum(m.previous_mrr) FILTER (WHERE m.was_active), 0),
               coalesce(sum(m.mrr) FILTER (WHERE m.is_new), 0),
               coalesce(sum(m.mrr - m.previous_mrr) FILTER (WHERE m.is_retained AND m.mrr > m.previous_mrr), 0),
               coalesce(sum(m.previous_mrr - m.mrr) FILTER (WHERE m.is_retained AND m.mrr < m.previous_mrr), 0),
               coalesce(sum(m.previous_mrr) FILTER (WHERE m.is_churned), 0),
               coalesce(sum(m.mrr) FILTER (WHERE m.is_reactivated), 0),
               coalesce(sum(m.mrr) FILTER (WHERE m.active), 0)
        FROM spine s
        CROSS JOIN report
        LEFT JOIN movement m ON m.period_start = s.period_start
        WHERE s.period_start >= report.first_period
        GROUP BY s.period_start
        ORDER BY s.period_start
    $sql$, book)
    USING period, ref.period_step(period), from_date, to_date;
END
$fn$;
