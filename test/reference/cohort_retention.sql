-- Plain-SQL reference for cohort retention, written cell by cell as users do
-- today: for every (cohort, age) cell, each cohort member's rows active on
-- the last day of that period, and what they add up to.  Independent of the
-- extension (calls none of its functions); see docs/subscriptions.md for the
-- definitions.
--
--   SELECT * FROM ref.cohort_retention('book');
--   SELECT * FROM ref.cohort_retention('book', 'quarter', 'active');
--
-- `book` is any table with columns (customer_id, started_at date,
-- ended_at date, mrr numeric).  A customer's cohort is the period of its
-- first day with MRR > 0 (zero_mrr 'inactive'; a customer who never pays has
-- none) or of its first started_at ('active').
\ir periods.sql

CREATE OR REPLACE FUNCTION ref.cohort_retention(book regclass, period text DEFAULT 'month',
                                                zero_mrr text DEFAULT 'inactive')
RETURNS TABLE (cohort_start date, age integer, cohort_customers bigint, active_customers bigint,
               logo_retention float8, cohort_mrr numeric, mrr numeric, revenue_retention float8)
LANGUAGE plpgsql STABLE
AS $fn$
BEGIN
    IF zero_mrr NOT IN ('inactive', 'active') THEN
        RAISE EXCEPTION 'unknown convention' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN QUERY EXECUTE format($sql$
        WITH subscription AS NOT MATERIALIZED (
            SELECT customer_id, started_at, ended_at, mrr FROM %s
        ),
        -- the first paying day: the earliest day on which a row starts or ends
        -- and after which the MRR is above zero
        paying AS (
            SELECT customer_id, min(d) AS first_day
            FROM (SELECT c.customer_id, c.d
                  FROM (SELECT DISTINCT s.customer_id, v.d
                        FROM subscription s
                        CROSS JOIN LATERAL (VALUES (s.started_at), (s.ended_at)) AS v(d)
                        WHERE v.d IS NOT NULL) AS c
                  JOIN subscription r
                    ON r.customer_id = c.customer_id AND r.started_at <= c.d
                   AND (r.ended_at IS NULL OR r.ended_at > c.d)
                  GROUP BY c.customer_id, c.d
                  HAVING sum(r.mrr) > 0) AS paid_day
            GROUP BY customer_id
        ),
        member AS (
            SELECT customer_id, date_trunc($1, min(started_at)::timestamp)::date AS cohort_start
            FROM subscription
            WHERE $3 = 'active'
            GROUP BY customer_id
          UNION ALL
            SELECT customer_id, date_trunc($1, first_day::timestamp)::date
            FROM paying
            WHERE $3 = 'inactive'
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
        cell AS (               -- ages 0, 1, ... up to the last period; day: its last day
            SELECT c.cohort_start, c.cohort_customers, (a.ordinality - 1)::integer AS age,
                   (a.period_start + $2)::date - 1 AS day
            FROM cohort c
            CROSS JOIN last_period l
            CROSS JOIN LATERAL generate_series(c.cohort_start::timestamp, l.period_start, $2)
                 WITH ORDINALITY AS a(period_start, ordinality)
        ),
        state AS (              -- each member on the cell's day
            SELECT cell.cohort_start, cell.age, m.customer_id,
                   count(r.customer_id) AS nrows, coalesce(sum(r.mrr), 0) AS mrr
            FROM cell
            JOIN member m ON m.cohort_start = cell.cohort_start
            LEFT JOIN subscription r
                   ON r.customer_id = m.customer_id
                  AND r.started_at <= cell.day AND (r.ended_at IS NULL OR r.ended_at > cell.day)
            GROUP BY cell.cohort_start, cell.age, m.customer_id
        ),
        measured AS (
            SELECT cell.cohort_start, cell.age, cell.cohort_customers,
                   count(*) FILTER (WHERE CASE WHEN $3 = 'active' THEN s.nrows > 0 ELSE s.mrr > 0 END)
                       AS active_customers,
                   coalesce(sum(s.mrr), 0) AS mrr
            FROM cell
            LEFT JOIN state s ON s.cohort_start = cell.cohort_start AND s.age = cell.age
            GROUP BY cell.cohort_start, cell.age, cell.cohort_customers
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
    USING period, ref.period_step(period), zero_mrr;
END
$fn$;
