
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
