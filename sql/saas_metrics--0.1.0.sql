-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION saas_metrics" to load this file. \quit

-- The closed-form SaaS formulas.  Rates are fractions, money is numeric.

CREATE FUNCTION @extschema@.retention_rate(customers_start bigint, customers_end bigint, customers_acquired bigint)
RETURNS float8
AS 'MODULE_PATHNAME', 'sm_retention_rate'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.retention_rate(bigint, bigint, bigint) IS
'customer retention rate = (customers_end - customers_acquired) / customers_start; NULL when customers_start = 0';

CREATE FUNCTION @extschema@.churn_rate(customers_lost bigint, customers_start bigint)
RETURNS float8
AS 'MODULE_PATHNAME', 'sm_churn_rate'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.churn_rate(bigint, bigint) IS
'churn rate = customers_lost / customers_start; NULL when customers_start = 0';

CREATE FUNCTION @extschema@.lifetime_from_churn(churn_rate float8)
RETURNS float8
AS 'MODULE_PATHNAME', 'sm_lifetime_from_churn'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.lifetime_from_churn(float8) IS
'expected customer lifetime in periods = 1 / churn_rate; Infinity when churn_rate = 0';

CREATE FUNCTION @extschema@.churn_rate_rescale(churn_rate float8, from_days float8, to_days float8)
RETURNS float8
AS 'MODULE_PATHNAME', 'sm_churn_rate_rescale'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.churn_rate_rescale(float8, float8, float8) IS
'churn over to_days from churn over from_days = 1 - (1 - churn_rate) ^ (to_days / from_days)';

CREATE FUNCTION @extschema@.retention_rate_rescale(retention_rate float8, from_days float8, to_days float8)
RETURNS float8
AS 'MODULE_PATHNAME', 'sm_retention_rate_rescale'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.retention_rate_rescale(float8, float8, float8) IS
'retention over to_days from retention over from_days = retention_rate ^ (to_days / from_days)';

CREATE FUNCTION @extschema@.clv(annual_revenue numeric, relationship_years numeric, acquisition_cost numeric)
RETURNS numeric
AS 'MODULE_PATHNAME', 'sm_clv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.clv(numeric, numeric, numeric) IS
'customer lifetime value = annual_revenue * relationship_years - acquisition_cost';

CREATE FUNCTION @extschema@.clv_from_churn(arpa numeric, churn_rate float8,
                                           gross_margin float8 DEFAULT 1,
                                           discount_rate float8 DEFAULT 0)
RETURNS numeric
AS 'MODULE_PATHNAME', 'sm_clv_from_churn'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.clv_from_churn(numeric, float8, float8, float8) IS
'customer lifetime value = arpa * gross_margin * (1 + discount_rate) / (churn_rate + discount_rate)';

CREATE FUNCTION @extschema@.arpa(revenue numeric, customers bigint)
RETURNS numeric
AS 'MODULE_PATHNAME', 'sm_arpa'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.arpa(numeric, bigint) IS
'average revenue per account = revenue / customers; NULL when customers = 0';

CREATE FUNCTION @extschema@.cac(acquisition_spend numeric, customers_acquired bigint)
RETURNS numeric
AS 'MODULE_PATHNAME', 'sm_cac'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.cac(numeric, bigint) IS
'customer acquisition cost = acquisition_spend / customers_acquired; NULL when customers_acquired = 0';

CREATE FUNCTION @extschema@.cac_payback_periods(cac numeric, arpa numeric, gross_margin float8 DEFAULT 1)
RETURNS float8
AS 'MODULE_PATHNAME', 'sm_cac_payback_periods'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.cac_payback_periods(numeric, numeric, float8) IS
'periods to earn back the acquisition cost = cac / (arpa * gross_margin); Infinity when arpa * gross_margin = 0 < cac';

CREATE FUNCTION @extschema@.ltv_to_cac(ltv numeric, cac numeric)
RETURNS float8
AS 'MODULE_PATHNAME', 'sm_ltv_to_cac'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.ltv_to_cac(numeric, numeric) IS
'LTV:CAC ratio = ltv / cac; NULL when cac = 0';

-- Net Promoter Score.

CREATE FUNCTION @extschema@.nps(promoters bigint, passives bigint, detractors bigint)
RETURNS float8
AS 'MODULE_PATHNAME', 'sm_nps_counts'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.nps(bigint, bigint, bigint) IS
'Net Promoter Score = 100 * (promoters - detractors) / (promoters + passives + detractors), in [-100, 100]; NULL with no responses';

CREATE FUNCTION @extschema@.nps_category(score integer)
RETURNS text
AS 'MODULE_PATHNAME', 'sm_nps_category'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.nps_category(integer) IS
'''promoter'' for 9-10, ''passive'' for 7-8, ''detractor'' for 0-6';

CREATE TYPE @extschema@.nps_summary;

CREATE FUNCTION @extschema@.nps_summary_in(cstring) RETURNS @extschema@.nps_summary
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.nps_summary_out(@extschema@.nps_summary) RETURNS cstring
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.nps_summary_recv(internal) RETURNS @extschema@.nps_summary
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.nps_summary_send(@extschema@.nps_summary) RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.nps_summary (
    INPUT = @extschema@.nps_summary_in,
    OUTPUT = @extschema@.nps_summary_out,
    RECEIVE = @extschema@.nps_summary_recv,
    SEND = @extschema@.nps_summary_send,
    INTERNALLENGTH = 24,
    ALIGNMENT = double
);

COMMENT ON TYPE @extschema@.nps_summary IS
'counts of NPS responses by category: the result of nps_agg() and the state of every NPS aggregate';

CREATE FUNCTION @extschema@.nps_summary_add(@extschema@.nps_summary, integer)
RETURNS @extschema@.nps_summary
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.nps_summary_combine(@extschema@.nps_summary, @extschema@.nps_summary)
RETURNS @extschema@.nps_summary
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.nps(@extschema@.nps_summary)
RETURNS float8
AS 'MODULE_PATHNAME', 'nps_summary_score' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.promoters(@extschema@.nps_summary)
RETURNS bigint
AS 'MODULE_PATHNAME', 'nps_summary_promoters' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.passives(@extschema@.nps_summary)
RETURNS bigint
AS 'MODULE_PATHNAME', 'nps_summary_passives' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.detractors(@extschema@.nps_summary)
RETURNS bigint
AS 'MODULE_PATHNAME', 'nps_summary_detractors' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.responses(@extschema@.nps_summary)
RETURNS bigint
AS 'MODULE_PATHNAME', 'nps_summary_responses' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE @extschema@.nps(score integer) (
    SFUNC = @extschema@.nps_summary_add,
    STYPE = @extschema@.nps_summary,
    COMBINEFUNC = @extschema@.nps_summary_combine,
    FINALFUNC = @extschema@.nps,
    INITCOND = 'promoters=0 passives=0 detractors=0',
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE @extschema@.nps(integer) IS
'Net Promoter Score of the non-NULL scores (0-10); NULL when there are none';

CREATE AGGREGATE @extschema@.nps_agg(score integer) (
    SFUNC = @extschema@.nps_summary_add,
    STYPE = @extschema@.nps_summary,
    COMBINEFUNC = @extschema@.nps_summary_combine,
    INITCOND = 'promoters=0 passives=0 detractors=0',
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE @extschema@.nps_agg(integer) IS
'counts of the non-NULL scores by NPS category, as an nps_summary to keep and roll up';

CREATE AGGREGATE @extschema@.rollup(@extschema@.nps_summary) (
    SFUNC = @extschema@.nps_summary_combine,
    STYPE = @extschema@.nps_summary,
    COMBINEFUNC = @extschema@.nps_summary_combine,
    INITCOND = 'promoters=0 passives=0 detractors=0',
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE @extschema@.rollup(@extschema@.nps_summary) IS
'sum of nps_summary values: daily summaries roll up to months exactly';

-- The subscription book: the state of mrr_movements() and cohort_retention().

CREATE TYPE @extschema@.subscription_book;

CREATE FUNCTION @extschema@.subscription_book_in(cstring) RETURNS @extschema@.subscription_book
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.subscription_book_out(@extschema@.subscription_book) RETURNS cstring
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.subscription_book_recv(internal) RETURNS @extschema@.subscription_book
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.subscription_book_send(@extschema@.subscription_book) RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.subscription_book (
    INPUT = @extschema@.subscription_book_in,
    OUTPUT = @extschema@.subscription_book_out,
    RECEIVE = @extschema@.subscription_book_recv,
    SEND = @extschema@.subscription_book_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);

COMMENT ON TYPE @extschema@.subscription_book IS
'subscription rows reduced to per-customer activity by period: the state of mrr_movements() and cohort_retention(), kept and merged with subscription_book_agg() and rollup()';

-- Transition functions: one C function for every arity and for date and
-- timestamptz; timestamptz periods begin at local midnight in TimeZone.
CREATE FUNCTION @extschema@.subscription_book_add(@extschema@.subscription_book, anyelement, date, date, numeric)
RETURNS @extschema@.subscription_book AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.subscription_book_add(@extschema@.subscription_book, anyelement, date, date, numeric, text)
RETURNS @extschema@.subscription_book AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.subscription_book_add(@extschema@.subscription_book, anyelement, date, date, numeric, text, date, date)
RETURNS @extschema@.subscription_book AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.subscription_book_add(@extschema@.subscription_book, anyelement, timestamptz, timestamptz, numeric)
RETURNS @extschema@.subscription_book AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.subscription_book_add(@extschema@.subscription_book, anyelement, timestamptz, timestamptz, numeric, text)
RETURNS @extschema@.subscription_book AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.subscription_book_add(@extschema@.subscription_book, anyelement, timestamptz, timestamptz, numeric, text, timestamptz, timestamptz)
RETURNS @extschema@.subscription_book AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.subscription_book_combine(@extschema@.subscription_book, @extschema@.subscription_book)
RETURNS @extschema@.subscription_book AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- MRR movements.

CREATE TYPE @extschema@.mrr_movement AS (
    period_start date,
    customers_start bigint,
    new_customers bigint,
    reactivated_customers bigint,
    churned_customers bigint,
    customers_end bigint,
    mrr_start numeric,
    new_mrr numeric,
    expansion_mrr numeric,
    contraction_mrr numeric,
    churned_mrr numeric,
    reactivation_mrr numeric,
    mrr_end numeric
);

COMMENT ON TYPE @extschema@.mrr_movement IS
'one period of MRR movements; mrr_start + new_mrr + expansion_mrr - contraction_mrr - churned_mrr + reactivation_mrr = mrr_end';

CREATE FUNCTION @extschema@.mrr_movements(@extschema@.subscription_book)
RETURNS @extschema@.mrr_movement[]
AS 'MODULE_PATHNAME', 'mrr_movements_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.mrr_movements(@extschema@.subscription_book) IS
'MRR movements by period of a subscription book';

CREATE AGGREGATE @extschema@.mrr_movements(customer_id anyelement, started_at date, ended_at date, mrr numeric) (
    SFUNC = @extschema@.subscription_book_add,
    STYPE = @extschema@.subscription_book,
    COMBINEFUNC = @extschema@.subscription_book_combine,
    FINALFUNC = @extschema@.mrr_movements,
    PARALLEL = SAFE
);

CREATE AGGREGATE @extschema@.mrr_movements(customer_id anyelement, started_at date, ended_at date, mrr numeric, period text) (
    SFUNC = @extschema@.subscription_book_add,
    STYPE = @extschema@.subscription_book,
    COMBINEFUNC = @extschema@.subscription_book_combine,
    FINALFUNC = @extschema@.mrr_movements,
    PARALLEL = SAFE
);

CREATE AGGREGATE @extschema@.mrr_movements(customer_id anyelement, started_at date, ended_at date, mrr numeric, period text, "from" date, "to" date) (
    SFUNC = @extschema@.subscription_book_add,
    STYPE = @extschema@.subscription_book,
    COMBINEFUNC = @extschema@.subscription_book_combine,
    FINALFUNC = @extschema@.mrr_movements,
    PARALLEL = SAFE
);

CREATE AGGREGATE @extschema@.mrr_movements(customer_id anyelement, started_at timestamptz, ended_at timestamptz, mrr numeric) (
    SFUNC = @extschema@.subscription_book_add,
    STYPE = @extschema@.subscription_book,
    COMBINEFUNC = @extschema@.subscription_book_combine,
    FINALFUNC = @extschema@.mrr_movements,
    PARALLEL = SAFE
);

CREATE AGGREGATE @extschema@.mrr_movements(customer_id anyelement, started_at timestamptz, ended_at timestamptz, mrr numeric, period text) (
    SFUNC = @extschema@.subscription_book_add,
    STYPE = @extschema@.subscription_book,
    COMBINEFUNC = @extschema@.subscription_book_combine,
    FINALFUNC = @extschema@.mrr_movements,
    PARALLEL = SAFE
);

CREATE AGGREGATE @extschema@.mrr_movements(customer_id anyelement, started_at timestamptz, ended_at timestamptz, mrr numeric, period text, "from" timestamptz, "to" timestamptz) (
    SFUNC = @extschema@.subscription_book_add,
    STYPE = @extschema@.subscription_book,
    COMBINEFUNC = @extschema@.subscription_book_combine,
    FINALFUNC = @extschema@.mrr_movements,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mrr_movements(anyelement, date, date, numeric, text) IS
'MRR movements by period (week, month, quarter or year) from subscription rows, as an array of mrr_movement; read it with unnest()';

-- Two-step form: keep a book, merge books, read movements later.

CREATE AGGREGATE @extschema@.subscription_book_agg(customer_id anyelement, started_at date, ended_at date, mrr numeric, period text) (
    SFUNC = @extschema@.subscription_book_add,
    STYPE = @extschema@.subscription_book,
    COMBINEFUNC = @extschema@.subscription_book_combine,
    PARALLEL = SAFE
);

CREATE AGGREGATE @extschema@.subscription_book_agg(customer_id anyelement, started_at timestamptz, ended_at timestamptz, mrr numeric, period text) (
    SFUNC = @extschema@.subscription_book_add,
    STYPE = @extschema@.subscription_book,
    COMBINEFUNC = @extschema@.subscription_book_combine,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE @extschema@.subscription_book_agg(anyelement, date, date, numeric, text) IS
'a subscription book to keep (e.g. per segment in a materialized view) and read with mrr_movements() or cohort_retention()';

CREATE AGGREGATE @extschema@.rollup(@extschema@.subscription_book) (
    SFUNC = @extschema@.subscription_book_combine,
    STYPE = @extschema@.subscription_book,
    COMBINEFUNC = @extschema@.subscription_book_combine,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE @extschema@.rollup(@extschema@.subscription_book) IS
'merge subscription books (of the same period); a customer present in several is merged';

-- Metrics of one period of movements.

CREATE FUNCTION @extschema@.retention_rate(m @extschema@.mrr_movement)
RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN @extschema@.retention_rate(m.customers_start, m.customers_end,
                                  m.new_customers + m.reactivated_customers);

COMMENT ON FUNCTION @extschema@.retention_rate(@extschema@.mrr_movement) IS
'(customers_end - new - reactivated) / customers_start; NULL when customers_start = 0';

CREATE FUNCTION @extschema@.churn_rate(m @extschema@.mrr_movement, include_acquired boolean DEFAULT false)
RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN @extschema@.churn_rate(m.churned_customers,
                              m.customers_start + CASE WHEN include_acquired
                                  THEN m.new_customers + m.reactivated_customers ELSE 0 END);

COMMENT ON FUNCTION @extschema@.churn_rate(@extschema@.mrr_movement, boolean) IS
'churned / customers_start, or churned / (customers_start + new + reactivated) with include_acquired (Stripe''s denominator); NULL when the denominator is 0';

CREATE FUNCTION @extschema@.revenue_churn_rate(m @extschema@.mrr_movement)
RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE WHEN m.mrr_start > 0
            THEN ((m.churned_mrr + m.contraction_mrr) / m.mrr_start)::float8 END;

COMMENT ON FUNCTION @extschema@.revenue_churn_rate(@extschema@.mrr_movement) IS
'gross MRR churn rate = (churned_mrr + contraction_mrr) / mrr_start; NULL when mrr_start = 0';

CREATE FUNCTION @extschema@.gross_revenue_retention(m @extschema@.mrr_movement)
RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE WHEN m.mrr_start > 0
            THEN ((m.mrr_start - m.churned_mrr - m.contraction_mrr) / m.mrr_start)::float8 END;

COMMENT ON FUNCTION @extschema@.gross_revenue_retention(@extschema@.mrr_movement) IS
'GRR = (mrr_start - churned_mrr - contraction_mrr) / mrr_start; NULL when mrr_start = 0';

CREATE FUNCTION @extschema@.net_revenue_retention(m @extschema@.mrr_movement)
RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE WHEN m.mrr_start > 0
            THEN ((m.mrr_start - m.churned_mrr - m.contraction_mrr + m.expansion_mrr)
                  / m.mrr_start)::float8 END;

COMMENT ON FUNCTION @extschema@.net_revenue_retention(@extschema@.mrr_movement) IS
'NRR = (mrr_start - churned_mrr - contraction_mrr + expansion_mrr) / mrr_start (reactivations excluded); NULL when mrr_start = 0';

CREATE FUNCTION @extschema@.quick_ratio(m @extschema@.mrr_movement)
RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE WHEN m.contraction_mrr + m.churned_mrr > 0
            THEN ((m.new_mrr + m.expansion_mrr + m.reactivation_mrr)
                  / (m.contraction_mrr + m.churned_mrr))::float8 END;

COMMENT ON FUNCTION @extschema@.quick_ratio(@extschema@.mrr_movement) IS
'SaaS quick ratio = (new_mrr + expansion_mrr + reactivation_mrr) / (contraction_mrr + churned_mrr); NULL when nothing was lost';

CREATE FUNCTION @extschema@.arpa(m @extschema@.mrr_movement)
RETURNS numeric LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN @extschema@.arpa(m.mrr_end, m.customers_end);

COMMENT ON FUNCTION @extschema@.arpa(@extschema@.mrr_movement) IS
'MRR per active customer at the end of the period = mrr_end / customers_end; NULL when customers_end = 0';

CREATE FUNCTION @extschema@.arr(m @extschema@.mrr_movement)
RETURNS numeric LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN m.mrr_end * 12;

COMMENT ON FUNCTION @extschema@.arr(@extschema@.mrr_movement) IS
'annual run rate at the end of the period = 12 * mrr_end';

-- Activation cohorts.

CREATE TYPE @extschema@.cohort_cell AS (
    cohort_start date,
    age integer,
    cohort_customers bigint,
    active_customers bigint,
    logo_retention float8,
    cohort_mrr numeric,
    mrr numeric,
    revenue_retention float8
);

COMMENT ON TYPE @extschema@.cohort_cell IS
'one (cohort, age) cell: customers of the cohort active at the end of period cohort + age, and their MRR';

CREATE FUNCTION @extschema@.cohort_retention(@extschema@.subscription_book)
RETURNS @extschema@.cohort_cell[]
AS 'MODULE_PATHNAME', 'cohort_retention_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.cohort_retention(@extschema@.subscription_book) IS
'logo and revenue retention by activation cohort and age of a subscription book';

CREATE AGGREGATE @extschema@.cohort_retention(customer_id anyelement, started_at date, ended_at date, mrr numeric) (
    SFUNC = @extschema@.subscription_book_add,
    STYPE = @extschema@.subscription_book,
    COMBINEFUNC = @extschema@.subscription_book_combine,
    FINALFUNC = @extschema@.cohort_retention,
    PARALLEL = SAFE
);

CREATE AGGREGATE @extschema@.cohort_retention(customer_id anyelement, started_at date, ended_at date, mrr numeric, period text) (
    SFUNC = @extschema@.subscription_book_add,
    STYPE = @extschema@.subscription_book,
    COMBINEFUNC = @extschema@.subscription_book_combine,
    FINALFUNC = @extschema@.cohort_retention,
    PARALLEL = SAFE
);

CREATE AGGREGATE @extschema@.cohort_retention(customer_id anyelement, started_at timestamptz, ended_at timestamptz, mrr numeric) (
    SFUNC = @extschema@.subscription_book_add,
    STYPE = @extschema@.subscription_book,
    COMBINEFUNC = @extschema@.subscription_book_combine,
    FINALFUNC = @extschema@.cohort_retention,
    PARALLEL = SAFE
);

CREATE AGGREGATE @extschema@.cohort_retention(customer_id anyelement, started_at timestamptz, ended_at timestamptz, mrr numeric, period text) (
    SFUNC = @extschema@.subscription_book_add,
    STYPE = @extschema@.subscription_book,
    COMBINEFUNC = @extschema@.subscription_book_combine,
    FINALFUNC = @extschema@.cohort_retention,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE @extschema@.cohort_retention(anyelement, date, date, numeric, text) IS
'logo and revenue retention by activation cohort (period of the first started_at) and age, as an array of cohort_cell; read it with unnest()';

CREATE FUNCTION @extschema@.subscription_book_stats(book @extschema@.subscription_book,
    OUT period text, OUT first_period date, OUT last_period date,
    OUT customers bigint, OUT stored_rows bigint, OUT memory_bytes bigint)
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.subscription_book_stats(@extschema@.subscription_book) IS
'a book''s period, window, customers, stored rows (rows active at some period end) and the memory it takes while aggregated';

-- Answers read off a cohort triangle (the cohort_cell[] of cohort_retention()).

CREATE FUNCTION @extschema@.periods_per_year(period text)
RETURNS integer LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE lower(period) WHEN 'week' THEN 52 WHEN 'month' THEN 12
                          WHEN 'quarter' THEN 4 WHEN 'year' THEN 1 END;

COMMENT ON FUNCTION @extschema@.periods_per_year(text) IS
'52, 12, 4 or 1: the age in periods at which annual retention is read; NULL for an unknown period';

CREATE FUNCTION @extschema@.cohort_churn_hazard(cells @extschema@.cohort_cell[])
RETURNS TABLE(cohort_start date, age integer, at_risk bigint, lost bigint, hazard float8)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT cur.cohort_start, cur.age, prev.active_customers,
           prev.active_customers - cur.active_customers,
           CASE WHEN prev.active_customers > 0
                THEN (prev.active_customers - cur.active_customers)::float8 / prev.active_customers END
    FROM unnest(cells) AS cur
    JOIN unnest(cells) AS prev
      ON prev.cohort_start = cur.cohort_start AND prev.age = cur.age - 1
    ORDER BY 1, 2;
END;

COMMENT ON FUNCTION @extschema@.cohort_churn_hazard(@extschema@.cohort_cell[]) IS
'per cohort and age k >= 1: at_risk = active at age k - 1, lost = at_risk - active at age k (net of reactivations), hazard = lost / at_risk (NULL when at_risk = 0)';

CREATE FUNCTION @extschema@.cohort_churn_peak(cells @extschema@.cohort_cell[])
RETURNS TABLE(cohort_start date, peak_age integer, hazard float8)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    WITH hazards AS (
        SELECT h.cohort_start, h.age, h.hazard FROM @extschema@.cohort_churn_hazard(cells) AS h
        UNION ALL
        SELECT NULL::date, h.age,
               CASE WHEN sum(h.at_risk) > 0 THEN sum(h.lost)::float8 / sum(h.at_risk) END
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

CREATE FUNCTION @extschema@.cohort_summary(cells @extschema@.cohort_cell[], period text DEFAULT 'month')
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
'one row per cohort: second-period (age 1) and annual (age periods_per_year(period)) logo and revenue retention, NULL where the cohort is not that old yet, and its churn-peak age';

CREATE FUNCTION @extschema@.mrr_by_cohort(cells @extschema@.cohort_cell[], period text DEFAULT 'month')
RETURNS TABLE(period_start date, cohort_start date, mrr numeric, share float8)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    WITH layers AS (
        SELECT (c.cohort_start + c.age * CASE lower(period)
                    WHEN 'week' THEN interval '7 days' WHEN 'month' THEN interval '1 month'
                    WHEN 'quarter' THEN interval '3 months' WHEN 'year' THEN interval '1 year' END)::date
                   AS period_start,
               c.cohort_start, c.mrr
        FROM unnest(cells) AS c
    )
    SELECT l.period_start, l.cohort_start, l.mrr,
           CASE WHEN sum(l.mrr) OVER w > 0 THEN (l.mrr / sum(l.mrr) OVER w)::float8 END
    FROM layers AS l
    WINDOW w AS (PARTITION BY l.period_start)
    ORDER BY l.period_start, l.cohort_start;
END;

COMMENT ON FUNCTION @extschema@.mrr_by_cohort(@extschema@.cohort_cell[], text) IS
'the MRR "layer cake": each period''s MRR split by activation cohort, with each cohort''s share of that period''s MRR (NULL when it is 0); period must be the one the cells were made with';

-- The shifted-beta-geometric (sBG) retention model.

CREATE TYPE @extschema@.sbg_model AS (
    alpha float8,
    beta float8,
    log_likelihood float8,
    periods integer,
    converged boolean
);

COMMENT ON TYPE @extschema@.sbg_model IS
'a fitted sBG model: churn probabilities ~ Beta(alpha, beta); log_likelihood and the number of periods fitted; converged = false when there is no maximum-likelihood estimate (e.g. nobody churned)';

CREATE FUNCTION @extschema@.sbg_fit(active bigint[])
RETURNS @extschema@.sbg_model
AS 'MODULE_PATHNAME', 'sbg_fit_array' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.sbg_fit(bigint[]) IS
'maximum-likelihood sBG fit to the survivors of one cohort at ages 0, 1, 2, ... (non-increasing), those still active at the last age right-censored';

CREATE TYPE @extschema@.sbg_counts;

CREATE FUNCTION @extschema@.sbg_counts_in(cstring) RETURNS @extschema@.sbg_counts
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.sbg_counts_out(@extschema@.sbg_counts) RETURNS cstring
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.sbg_counts_recv(internal) RETURNS @extschema@.sbg_counts
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.sbg_counts_send(@extschema@.sbg_counts) RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.sbg_counts (
    INPUT = @extschema@.sbg_counts_in,
    OUTPUT = @extschema@.sbg_counts_out,
    RECEIVE = @extschema@.sbg_counts_recv,
    SEND = @extschema@.sbg_counts_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);

COMMENT ON TYPE @extschema@.sbg_counts IS
'(age, active) pairs of one cohort, written {age:active,...}: the state of the sbg_fit(age, active) aggregate';

CREATE FUNCTION @extschema@.sbg_counts_add(@extschema@.sbg_counts, integer, bigint)
RETURNS @extschema@.sbg_counts AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.sbg_counts_combine(@extschema@.sbg_counts, @extschema@.sbg_counts)
RETURNS @extschema@.sbg_counts AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.sbg_fit(@extschema@.sbg_counts)
RETURNS @extschema@.sbg_model AS 'MODULE_PATHNAME', 'sbg_counts_fit' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE @extschema@.sbg_fit(age integer, active bigint) (
    SFUNC = @extschema@.sbg_counts_add,
    STYPE = @extschema@.sbg_counts,
    COMBINEFUNC = @extschema@.sbg_counts_combine,
    FINALFUNC = @extschema@.sbg_fit,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE @extschema@.sbg_fit(integer, bigint) IS
'sbg_fit over (age, active) rows in any order: ages consecutive, each once, the smallest the cohort''s start';

CREATE FUNCTION @extschema@.sbg_retention_rate(alpha float8, beta float8, t integer)
RETURNS float8 AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.sbg_survival(alpha float8, beta float8, t integer)
RETURNS float8 AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.sbg_churn_probability(alpha float8, beta float8, t integer)
RETURNS float8 AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.sbg_expected_lifetime(alpha float8, beta float8)
RETURNS float8 AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.sbg_derl(alpha float8, beta float8, discount_rate float8, payments_made integer DEFAULT 1)
RETURNS float8 AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.clv_sbg(margin numeric, alpha float8, beta float8, discount_rate float8, payments_made integer DEFAULT 1)
RETURNS numeric AS 'MODULE_PATHNAME', 'sm_clv_sbg' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.sbg_retention_rate(float8, float8, integer) IS
'probability that a customer alive after period t - 1 renews in period t = (beta + t - 1) / (alpha + beta + t - 1), t >= 1';
COMMENT ON FUNCTION @extschema@.sbg_survival(float8, float8, integer) IS
'share of the cohort still active after t periods = B(alpha, beta + t) / B(alpha, beta), t >= 0';
COMMENT ON FUNCTION @extschema@.sbg_churn_probability(float8, float8, integer) IS
'share of the cohort that churns in period t = B(alpha + 1, beta + t - 1) / B(alpha, beta), t >= 1';
COMMENT ON FUNCTION @extschema@.sbg_expected_lifetime(float8, float8) IS
'expected lifetime in periods, counting the first = (alpha + beta - 1) / (alpha - 1); Infinity when alpha <= 1';
COMMENT ON FUNCTION @extschema@.sbg_derl(float8, float8, float8, integer) IS
'discounted expected residual lifetime of a customer who has made payments_made payments = (beta + n - 1) / (alpha + beta + n - 1) * 2F1(1, beta + n; alpha + beta + n; 1 / (1 + d)); Infinity when d = 0 and alpha <= 1';
COMMENT ON FUNCTION @extschema@.clv_sbg(numeric, float8, float8, float8, integer) IS
'expected value of a customer''s future payments = margin * sbg_derl(alpha, beta, discount_rate, payments_made)';

-- The same projections of a fitted model.
CREATE FUNCTION @extschema@.sbg_retention_rate(model @extschema@.sbg_model, t integer)
RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN @extschema@.sbg_retention_rate(model.alpha, model.beta, t);
CREATE FUNCTION @extschema@.sbg_survival(model @extschema@.sbg_model, t integer)
RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN @extschema@.sbg_survival(model.alpha, model.beta, t);
CREATE FUNCTION @extschema@.sbg_churn_probability(model @extschema@.sbg_model, t integer)
RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN @extschema@.sbg_churn_probability(model.alpha, model.beta, t);
CREATE FUNCTION @extschema@.sbg_expected_lifetime(model @extschema@.sbg_model)
RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN @extschema@.sbg_expected_lifetime(model.alpha, model.beta);
CREATE FUNCTION @extschema@.sbg_derl(model @extschema@.sbg_model, discount_rate float8, payments_made integer DEFAULT 1)
RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN @extschema@.sbg_derl(model.alpha, model.beta, discount_rate, payments_made);
CREATE FUNCTION @extschema@.clv_sbg(margin numeric, model @extschema@.sbg_model, discount_rate float8, payments_made integer DEFAULT 1)
RETURNS numeric LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN @extschema@.clv_sbg(margin, model.alpha, model.beta, discount_rate, payments_made);
