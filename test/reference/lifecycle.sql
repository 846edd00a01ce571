-- Plain-SQL references for the customer lifecycle read from a book:
-- lifetimes (the first spell, read at period ends) and conversions (signup
-- to first paying day).  Independent of the extension's C code (calls none
-- of its functions); see docs/lifecycle.md for the definitions.
--
--   SELECT * FROM ref.customer_lifetimes('book', 'month', 'inactive');
--   SELECT * FROM ref.conversions('book');
\ir periods.sql

-- One row per customer in a cohort: the age of the first period end at
-- which it is not active (churned), or the last age with data (censored).
CREATE OR REPLACE FUNCTION ref.customer_lifetimes(book regclass, period text DEFAULT 'month',
                                                  zero_mrr text DEFAULT 'inactive')
RETURNS TABLE (customer_id text, duration integer, churned boolean)
LANGUAGE plpgsql STABLE
AS $fn$
BEGIN
    RETURN QUERY EXECUTE format($sql$
        WITH subscription AS NOT MATERIALIZED (
            SELECT customer_id::text AS customer_id, started_at, ended_at, mrr FROM %s
        ),
        paying AS (
            SELECT c.customer_id, min(c.d) AS first_day
            FROM (SELECT DISTINCT s.customer_id, v.d
                  FROM subscription s CROSS JOIN LATERAL (VALUES (s.started_at), (s.ended_at)) AS v(d)
                  WHERE v.d IS NOT NULL) AS c
            JOIN subscription r ON r.customer_id = c.customer_id AND r.started_at <= c.d
                               AND (r.ended_at IS NULL OR r.ended_at > c.d)
            GROUP BY c.customer_id, c.d
            HAVING sum(r.mrr) > 0
        ),
        member AS (
            SELECT customer_id, date_trunc($1, min(first_day)::timestamp) AS cohort_start
            FROM paying WHERE $3 = 'inactive' GROUP BY customer_id
          UNION ALL
            SELECT customer_id, date_trunc($1, min(started_at)::timestamp)
            FROM subscription WHERE $3 = 'active' GROUP BY customer_id
        ),
        last_period AS (
            SELECT greatest(date_trunc($1, max(started_at)::timestamp),
                            date_trunc($1, max(ended_at)::timestamp)) AS period_start
            FROM subscription
        ),
        period_end AS (
            SELECT m.customer_id, (a.ordinality - 1)::integer AS age, (a.p + $2)::date - 1 AS day
            FROM member m CROSS JOIN last_period l
            CROSS JOIN LATERAL generate_series(m.cohort_start, l.period_start, $2) WITH ORDINALITY AS a(p, ordinality)
        ),
        state AS (
            SELECT e.customer_id, e.age,
                   CASE WHEN $3 = 'active' THEN count(r.customer_id) > 0
                        ELSE coalesce(sum(r.mrr), 0) > 0 END AS active
            FROM period_end e
            LEFT JOIN subscription r ON r.customer_id = e.customer_id AND r.started_at <= e.day
                                    AND (r.ended_at IS NULL OR r.ended_at > e.day)
            GROUP BY e.customer_id, e.age
        )
        SELECT customer_id, coalesce(min(age) FILTER (WHERE NOT active), max(age)),
               bool_or(NOT active)
        FROM state GROUP BY customer_id
    $sql$, book)
    USING period, ref.period_step(period), zero_mrr;
END
$fn$;

-- One row per customer: its signup (earliest started_at), its first paying
-- day (NULL if it never paid) and the book's last day (the latest started_at
-- or ended_at), where a customer who never paid is censored.
CREATE OR REPLACE FUNCTION ref.conversions(book regclass)
RETURNS TABLE (customer_id text, signed_up date, first_paid date, last_day date)
LANGUAGE plpgsql STABLE
AS $fn$
BEGIN
    RETURN QUERY EXECUTE format($sql$
        WITH subscription AS NOT MATERIALIZED (
            SELECT customer_id::text AS customer_id, started_at, ended_at, mrr FROM %s
        ),
        paid_day AS (
            SELECT c.customer_id, c.d
            FROM (SELECT DISTINCT s.customer_id, v.d
                  FROM subscription s CROSS JOIN LATERAL (VALUES (s.started_at), (s.ended_at)) AS v(d)
                  WHERE v.d IS NOT NULL) AS c
            JOIN subscription r ON r.customer_id = c.customer_id AND r.started_at <= c.d
                               AND (r.ended_at IS NULL OR r.ended_at > c.d)
            GROUP BY c.customer_id, c.d
            HAVING sum(r.mrr) > 0
        )
        SELECT s.customer_id, min(s.started_at), (SELECT min(p.d) FROM paid_day p WHERE p.customer_id = s.customer_id),
               (SELECT greatest(max(started_at), max(ended_at)) FROM subscription)
        FROM subscription s
        GROUP BY s.customer_id
    $sql$, book);
END
$fn$;
