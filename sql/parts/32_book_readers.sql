-- new in 0.2.0
-- Readers of a subscription book.  The options are the reader's, never the
-- book's: one stored book answers by any period, window and convention.
-- This part is replayed by the update from 0.1.0: the objects 0.1.0 had are
-- written CREATE OR REPLACE.

-- Periods.

CREATE OR REPLACE FUNCTION @extschema@.period_start(day date, period text, shift integer DEFAULT 0)
RETURNS date
AS 'MODULE_PATHNAME', 'period_start' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.period_start(date, text, integer) IS
'first day of the period (day, week = ISO week from Monday, month, quarter or year) containing day, or of the period shift periods after it';

CREATE OR REPLACE FUNCTION @extschema@.periods_per_year(period text)
RETURNS integer
AS 'MODULE_PATHNAME', 'periods_per_year' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.periods_per_year(text) IS
'365, 52, 12, 4 or 1 for day, week, month, quarter or year: the age in periods at which annual retention is read; an unknown period is an error';

-- MRR movements.

CREATE FUNCTION @extschema@.mrr_movements(book @extschema@.subscription_book,
    period text DEFAULT 'month', "from" date DEFAULT NULL, "to" date DEFAULT NULL,
    zero_mrr text DEFAULT 'inactive', changes text DEFAULT 'period_end')
RETURNS SETOF @extschema@.mrr_movement
AS 'MODULE_PATHNAME', 'mrr_movements_of_book' LANGUAGE C IMMUTABLE PARALLEL SAFE ROWS 36;

COMMENT ON FUNCTION @extschema@.mrr_movements(@extschema@.subscription_book, text, date, date, text, text) IS
'MRR movements of a book, one row per period from "from" to "to" (NULL: where the data starts, ends); zero_mrr ''inactive'' (a customer counts while its MRR > 0) or ''active''; changes ''period_end'' (net change between period ends) or ''all'' (every change in the period); each period reconciles exactly';

CREATE FUNCTION @extschema@.customer_movements(book @extschema@.subscription_book,
    period text DEFAULT 'month', "from" date DEFAULT NULL, "to" date DEFAULT NULL,
    zero_mrr text DEFAULT 'inactive', changes text DEFAULT 'period_end')
RETURNS TABLE (customer_id text, period_start date, movement text, mrr_before numeric, mrr_after numeric)
AS 'MODULE_PATHNAME', 'customer_movements' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.customer_movements(@extschema@.subscription_book, text, date, date, text, text) IS
'the customers behind mrr_movements(book, ...) with the same options: one row per movement (new, expansion, contraction, churn, reactivation) with the customer''s MRR before and after; its sums per period are mrr_movements'' figures';

CREATE FUNCTION @extschema@.customers_at(book @extschema@.subscription_book, day date,
    zero_mrr text DEFAULT 'inactive')
RETURNS TABLE (customer_id text, mrr numeric)
AS 'MODULE_PATHNAME', 'customers_at' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.customers_at(@extschema@.subscription_book, date, text) IS
'the customers active on a day (rows with started_at <= day < ended_at) and their MRR then; zero_mrr ''inactive'' lists customers with MRR > 0, ''active'' every customer with a row';

CREATE FUNCTION @extschema@.cohort_retention(book @extschema@.subscription_book,
    period text DEFAULT 'month', zero_mrr text DEFAULT 'inactive', "to" date DEFAULT NULL)
RETURNS SETOF @extschema@.cohort_cell
AS 'MODULE_PATHNAME', 'cohort_retention_of_book' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.cohort_retention(@extschema@.subscription_book, text, text, date) IS
'logo and revenue retention of a book by activation cohort and age, to the last period with data or to the period containing "to"; a customer''s cohort is the period of its first paying day (zero_mrr ''inactive'') or of its first start (''active'')';

CREATE FUNCTION @extschema@.subscription_book_stats(book @extschema@.subscription_book,
    OUT first_day date, OUT last_day date,
    OUT customers bigint, OUT stored_rows bigint, OUT memory_bytes bigint)
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.subscription_book_stats(@extschema@.subscription_book) IS
'what a book holds: its earliest started_at and latest started_at or ended_at, customers, stored rows (rows active on some day) and the memory it takes while aggregated';

-- Metrics of one period of movements.  The rates of money are C functions
-- that check the amounts of the row (a hand-written row could hold NaN);
-- the SQL ones use operands exactly typed, so that no operator of another
-- schema can be captured (bigint with bigint).

CREATE OR REPLACE FUNCTION @extschema@.retention_rate(m @extschema@.mrr_movement)
RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN @extschema@.retention_rate(m.customers_start, m.customers_end,
                                  m.new_customers + m.reactivated_customers);

COMMENT ON FUNCTION @extschema@.retention_rate(@extschema@.mrr_movement) IS
'(customers_end - new - reactivated) / customers_start; NULL when customers_start = 0';

CREATE OR REPLACE FUNCTION @extschema@.churn_rate(m @extschema@.mrr_movement, include_acquired boolean DEFAULT false)
RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN @extschema@.churn_rate(m.churned_customers,
                              m.customers_start + CASE WHEN include_acquired
                                  THEN m.new_customers + m.reactivated_customers ELSE 0::bigint END);

COMMENT ON FUNCTION @extschema@.churn_rate(@extschema@.mrr_movement, boolean) IS
'churned / customers_start, or churned / (customers_start + new + reactivated) with include_acquired (Stripe''s denominator); NULL when the denominator is 0';

CREATE OR REPLACE FUNCTION @extschema@.revenue_churn_rate(m @extschema@.mrr_movement)
RETURNS float8
AS 'MODULE_PATHNAME', 'movement_revenue_churn_rate' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.revenue_churn_rate(@extschema@.mrr_movement) IS
'gross MRR churn rate = (churned_mrr + contraction_mrr) / mrr_start; NULL when mrr_start = 0; a NaN, infinite or negative amount is an error';

CREATE OR REPLACE FUNCTION @extschema@.gross_revenue_retention(m @extschema@.mrr_movement)
RETURNS float8
AS 'MODULE_PATHNAME', 'movement_gross_revenue_retention' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.gross_revenue_retention(@extschema@.mrr_movement) IS
'GRR = (mrr_start - churned_mrr - contraction_mrr) / mrr_start; NULL when mrr_start = 0; a NaN, infinite or negative amount is an error';

CREATE OR REPLACE FUNCTION @extschema@.net_revenue_retention(m @extschema@.mrr_movement)
RETURNS float8
AS 'MODULE_PATHNAME', 'movement_net_revenue_retention' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.net_revenue_retention(@extschema@.mrr_movement) IS
'NRR = (mrr_start - churned_mrr - contraction_mrr + expansion_mrr) / mrr_start (reactivations excluded); NULL when mrr_start = 0; a NaN, infinite or negative amount is an error';

CREATE OR REPLACE FUNCTION @extschema@.quick_ratio(m @extschema@.mrr_movement)
RETURNS float8
AS 'MODULE_PATHNAME', 'movement_quick_ratio' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.quick_ratio(@extschema@.mrr_movement) IS
'SaaS quick ratio = (new_mrr + expansion_mrr + reactivation_mrr) / (contraction_mrr + churned_mrr); NULL when nothing was lost; a NaN, infinite or negative amount is an error';

CREATE OR REPLACE FUNCTION @extschema@.arpa(m @extschema@.mrr_movement)
RETURNS numeric LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN @extschema@.arpa(m.mrr_end, m.customers_end);

COMMENT ON FUNCTION @extschema@.arpa(@extschema@.mrr_movement) IS
'MRR per active customer at the end of the period = mrr_end / customers_end; NULL when customers_end = 0';

CREATE OR REPLACE FUNCTION @extschema@.arr(m @extschema@.mrr_movement)
RETURNS numeric
AS 'MODULE_PATHNAME', 'movement_arr' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.arr(@extschema@.mrr_movement) IS
'annual run rate at the end of the period = 12 * mrr_end; a NaN, infinite or negative amount is an error';

CREATE FUNCTION @extschema@.upgrade_rate(m @extschema@.mrr_movement)
RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE WHEN m.customers_start - m.churned_customers > 0::bigint
            THEN m.expansion_customers::float8 / (m.customers_start - m.churned_customers)::float8 END;

COMMENT ON FUNCTION @extschema@.upgrade_rate(@extschema@.mrr_movement) IS
'expansion_customers / (customers_start - churned_customers): the share of the customers active at both ends whose MRR grew; NULL when there are none';

CREATE FUNCTION @extschema@.downgrade_rate(m @extschema@.mrr_movement)
RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE WHEN m.customers_start - m.churned_customers > 0::bigint
            THEN m.contraction_customers::float8 / (m.customers_start - m.churned_customers)::float8 END;

COMMENT ON FUNCTION @extschema@.downgrade_rate(@extschema@.mrr_movement) IS
'contraction_customers / (customers_start - churned_customers): the share of the customers active at both ends whose MRR shrank; NULL when there are none';
