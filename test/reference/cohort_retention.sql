-- Plain-SQL reference for cohort retention, written cell by cell as users do
-- today: for every (cohort, age) cell, which cohort members have a row
-- active at the end of that period (EXISTS) and what those rows add up to.
-- Independent of the extension (calls none of its functions); see
-- docs/subscriptions.md for the definitions.
--
--   SELECT * FROM ref.cohort_retention('book');
--   SELECT * FROM ref.cohort_retention('book', 'quarter');
--
-- `book` is any table with columns (customer_id, started_at date,
-- ended_at date, mrr numeric).
\ir periods.sql

CREATE OR REPLACE FUNCTION ref.cohort_retention(book regclass, period text DEFAULT 'month')
RETURNS TABLE (cohort_start date, age integer, cohort_customers bigint, active_customers bigint,
               logo_retention float8, cohort_mrr numeric, mrr numeric, revenue_retention float8)
LANGUAGE plpgsql STABLE
AS $fn$
BEGIN
    RETURN QUERY EXECUTE format($sql$
        WITH subscription AS NOT MATERIALIZED (
            SELECT customer_id, started_at, ended_at, mrr FROM %s
        ),
        member AS (             -- a customer's cohort is the period of its first start
            SELECT customer_id, date_trunc($1, min(started_at)::timestamp)::date AS cohort_start
            FROM subscription
            GROUP BY customer_id
        ),
        cohort AS (
            SELECT cohort_start, count(*) AS cohort_customers
            FROM member
            GROUP BY cohort_start
        ),
        last_period AS (        -- the last period holding any start or end
            SELECT greatest(date_trunc($1, max(started_at)::timestamp),
                            date_trunc($1, max(ended_at)::timestamp)) AS period_start
            FROM subscription
        ),
        cell AS (               -- ages 0, 1, ... up to the last period; next_start ends the period
            SELECT c.cohort_start, c.cohort_customers, (a.ordinality - 1)::integer AS age,
                   (a.period_start + $2)::date AS next_start
            FROM cohort c
            CROSS JOIN last_period l
            CROSS JOIN LATERAL generate_series(c.cohort_start::timestamp, l.period_start, $2)
                 WITH ORDINALITY AS a(period_start, ordinality)
        ),
        active AS (             -- members with a row active at the end of the cell's period
            SELECT cell.cohort_start, cell.age, count(*) AS active_customers
            FROM cell
            JOIN member m ON m.cohort_start = cell.cohort_start
            WHERE EXISTS (SELECT FROM subscription r
                          WHERE r.customer_id = m.customer_id
                            AND r.started_at < cell.next_start
                            AND (r.ended_at IS NULL OR r.ended_at >= cell.next_start))
            GROUP BY cell.cohort_start, cell.age
        ),
        revenue AS (            -- the MRR of those rows
            SELECT cell.cohort_start, cell.age, sum(r.mrr) AS mrr
            FROM cell
            JOIN member m ON m.cohort_start = cell.cohort_start
            JOIN subscription r
              ON r.customer_id = m.customer_id
             AND r.started_at < cell.next_start
             AND (r.ended_at IS NULL OR r.ended_at >= cell.next_start)
            GROUP BY cell.cohort_start, cell.age
        ),
        measured AS (
            SELECT cell.cohort_start, cell.age, cell.cohort_customers,
                   coalesce(a.active_customers, 0) AS active_customers,
                   coalesce(v.mrr, 0) AS mrr
            FROM cell
            LEFT JOIN active a ON a.cohort_start = cell.cohort_start AND a.age = cell.age
            LEFT JOIN revenue v ON v.cohort_start = cell.cohort_start AND v.age = cell.age
        )
        SELECT cohort_start, age, cohort_customers, active_customers,
               active_customers::float8 / cohort_customers,
               first_value(mrr) OVER w,
               mrr,
               (mrr / nullif(first_value(mrr) OVER w, 0))::float8
        FROM measured
        WINDOW w AS (PARTITION BY cohort_start ORDER BY age)
        ORDER BY cohort_start, age
    $sql$, book)
    USING period, ref.period_step(period);
END
$fn$;
