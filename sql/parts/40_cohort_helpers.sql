-- new in 0.2.0
-- Answers read off a cohort triangle: of a book (the period given once), or
-- of the cohort_cell[] of the shorthand aggregate cohort_retention(...)
-- (the period must then be the one the cells were made with).  This part is
-- replayed by the update from 0.1.0: the objects 0.1.0 had are written
-- CREATE OR REPLACE.  Operands are exactly typed so that no operator of
-- another schema can be captured.

CREATE OR REPLACE FUNCTION @extschema@.cohort_churn_hazard(cells @extschema@.cohort_cell[])
RETURNS TABLE(cohort_start date, age integer, at_risk bigint, lost bigint, hazard float8)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT cur.cohort_start, cur.age, prev.active_customers,
           prev.active_customers - cur.active_customers,
           CASE WHEN prev.active_customers > 0::bigint
                THEN (prev.active_customers - cur.active_customers)::float8 / prev.active_customers::float8 END
    FROM unnest(cells) AS cur
    JOIN unnest(cells) AS prev
      ON prev.cohort_start = cur.cohort_start AND prev.age = cur.age - 1
    ORDER BY 1, 2;
END;

COMMENT ON FUNCTION @extschema@.cohort_churn_hazard(@extschema@.cohort_cell[]) IS
'per cohort and age k >= 1: at_risk = active at age k - 1, lost = at_risk - active at age k (net of reactivations), hazard = lost / at_risk (NULL when at_risk = 0)';

CREATE OR REPLACE FUNCTION @extschema@.cohort_churn_peak(cells @extschema@.cohort_cell[])
RETURNS TABLE(cohort_start date, peak_age integer, hazard float8)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    WITH hazards AS (
        SELECT h.cohort_start, h.age, h.hazard FROM @extschema@.cohort_churn_hazard(cells) AS h
        UNION ALL
        SELECT NULL::date, h.age,
               CASE WHEN sum(h.at_risk) > 0::numeric
                    THEN sum(h.lost)::float8 / sum(h.at_risk)::float8 END
        FROM @extschema@.cohort_churn_hazard(cells) AS h
        GROUP BY h.age
    )
    SELECT DISTINCT ON (hazards.cohort_start) hazards.cohort_start, hazards.age, hazards.hazard
    FROM hazards
    WHERE hazards.hazard IS NOT NULL
    ORDER BY hazards.cohort_start NULLS LAST, hazards.hazard DESC, hazards.age;
END;

COMMENT ON FUNCTION @extschema@.cohort_churn_peak(@extschema@.cohort_cell[]) IS
'the age with the highest churn hazard of each cohort, and overall (cohort_start NULL: all cohorts pooled, sum(lost) / sum(at_risk) by age); ties go to the youngest age';

CREATE OR REPLACE FUNCTION @extschema@.cohort_summary(cells @extschema@.cohort_cell[], period text DEFAULT 'month')
RETURNS TABLE(cohort_start date, cohort_customers bigint, cohort_mrr numeric,
              second_period_logo_retention float8, second_period_revenue_retention float8,
              annual_logo_retention float8, annual_revenue_retention float8,
              churn_peak_age integer, churn_peak_hazard float8)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT c.cohort_start, c.cohort_customers, c.cohort_mrr,
           max(c.logo_retention) FILTER (WHERE c.age = 1),
           max(c.revenue_retention) FILTER (WHERE c.age = 1),
           max(c.logo_retention) FILTER (WHERE c.age = @extschema@.periods_per_year(period)),
           max(c.revenue_retention) FILTER (WHERE c.age = @extschema@.periods_per_year(period)),
           max(p.peak_age), max(p.hazard)
    FROM unnest(cells) AS c
    LEFT JOIN @extschema@.cohort_churn_peak(cells) AS p ON p.cohort_start = c.cohort_start
    GROUP BY c.cohort_start, c.cohort_customers, c.cohort_mrr
    ORDER BY c.cohort_start;
END;

COMMENT ON FUNCTION @extschema@.cohort_summary(@extschema@.cohort_cell[], text) IS
'one row per cohort: second-period (age 1) and annual (age periods_per_year(period)) logo and revenue retention, NULL where the cohort is not that old yet, and its churn-peak age; period must be the one the cells were made with';

CREATE OR REPLACE FUNCTION @extschema@.mrr_by_cohort(cells @extschema@.cohort_cell[], period text DEFAULT 'month')
RETURNS TABLE(period_start date, cohort_start date, mrr numeric, share float8)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    WITH layers AS (
        SELECT @extschema@.period_start(c.cohort_start, period, c.age) AS period_start,
               c.cohort_start, c.mrr
        FROM unnest(cells) AS c
    )
    SELECT l.period_start, l.cohort_start, l.mrr,
           CASE WHEN sum(l.mrr) OVER w > 0::numeric THEN (l.mrr / sum(l.mrr) OVER w)::float8 END
    FROM layers AS l
    WINDOW w AS (PARTITION BY l.period_start)
    ORDER BY l.period_start, l.cohort_start;
END;

COMMENT ON FUNCTION @extschema@.mrr_by_cohort(@extschema@.cohort_cell[], text) IS
'the MRR "layer cake": each period''s MRR split by activation cohort, with each cohort''s share of that period''s MRR (NULL when it is 0); period must be the one the cells were made with';

-- The same answers of a book, the period given once.

CREATE FUNCTION @extschema@.cohort_churn_hazard(book @extschema@.subscription_book,
    period text DEFAULT 'month', zero_mrr text DEFAULT 'inactive')
RETURNS TABLE(cohort_start date, age integer, at_risk bigint, lost bigint, hazard float8)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT * FROM @extschema@.cohort_churn_hazard(
        ARRAY(SELECT c FROM @extschema@.cohort_retention(book, period, zero_mrr) AS c));
END;

COMMENT ON FUNCTION @extschema@.cohort_churn_hazard(@extschema@.subscription_book, text, text) IS
'cohort_churn_hazard of the book''s cohort triangle by that period and convention';

CREATE FUNCTION @extschema@.cohort_churn_peak(book @extschema@.subscription_book,
    period text DEFAULT 'month', zero_mrr text DEFAULT 'inactive')
RETURNS TABLE(cohort_start date, peak_age integer, hazard float8)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT * FROM @extschema@.cohort_churn_peak(
        ARRAY(SELECT c FROM @extschema@.cohort_retention(book, period, zero_mrr) AS c));
END;

COMMENT ON FUNCTION @extschema@.cohort_churn_peak(@extschema@.subscription_book, text, text) IS
'cohort_churn_peak of the book''s cohort triangle by that period and convention';

CREATE FUNCTION @extschema@.cohort_summary(book @extschema@.subscription_book,
    period text DEFAULT 'month', zero_mrr text DEFAULT 'inactive')
RETURNS TABLE(cohort_start date, cohort_customers bigint, cohort_mrr numeric,
              second_period_logo_retention float8, second_period_revenue_retention float8,
              annual_logo_retention float8, annual_revenue_retention float8,
              churn_peak_age integer, churn_peak_hazard float8)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT * FROM @extschema@.cohort_summary(
        ARRAY(SELECT c FROM @extschema@.cohort_retention(book, period, zero_mrr) AS c), period);
END;

COMMENT ON FUNCTION @extschema@.cohort_summary(@extschema@.subscription_book, text, text) IS
'cohort_summary of the book''s cohort triangle by that period and convention: second-period and annual retention, churn-peak age';

CREATE FUNCTION @extschema@.mrr_by_cohort(book @extschema@.subscription_book,
    period text DEFAULT 'month', zero_mrr text DEFAULT 'inactive')
RETURNS TABLE(period_start date, cohort_start date, mrr numeric, share float8)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT * FROM @extschema@.mrr_by_cohort(
        ARRAY(SELECT c FROM @extschema@.cohort_retention(book, period, zero_mrr) AS c), period);
END;

COMMENT ON FUNCTION @extschema@.mrr_by_cohort(@extschema@.subscription_book, text, text) IS
'mrr_by_cohort of the book''s cohort triangle by that period and convention: the MRR layer cake';
