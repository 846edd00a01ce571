
-- The subscription book: subscription rows reduced to days and grouped by
-- customer; the state of the subscription aggregates and the summary their
-- readers read (31_book_aggregates.sql, 32_book_readers.sql).

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

COMMENT ON FUNCTION @extschema@.subscription_book_in(cstring) IS
'text input of subscription_book: the base64 of its portable binary form, validated completely';
COMMENT ON FUNCTION @extschema@.subscription_book_out(@extschema@.subscription_book) IS
'text output of subscription_book: the base64 of its portable binary form';
COMMENT ON FUNCTION @extschema@.subscription_book_recv(internal) IS
'binary input of subscription_book (network byte order), validated completely';
COMMENT ON FUNCTION @extschema@.subscription_book_send(@extschema@.subscription_book) IS
'binary output of subscription_book (network byte order)';

COMMENT ON TYPE @extschema@.subscription_book IS
'subscription rows (customer_id, started_at, ended_at, mrr) reduced to days and grouped by customer: made by subscription_book_agg(), merged by rollup(), read by any period with mrr_movements(book, ...), cohort_retention(book, ...), customer_movements(), customers_at()';

CREATE FUNCTION @extschema@.subscription_book_combine(@extschema@.subscription_book, @extschema@.subscription_book)
RETURNS @extschema@.subscription_book AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.subscription_book_combine(@extschema@.subscription_book, @extschema@.subscription_book) IS
'combine function of the subscription aggregates and transition function of rollup(subscription_book): merges two books, a customer in both with the rows of both';

CREATE AGGREGATE @extschema@.rollup(@extschema@.subscription_book) (
    SFUNC = @extschema@.subscription_book_combine,
    STYPE = @extschema@.subscription_book,
    COMBINEFUNC = @extschema@.subscription_book_combine,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE @extschema@.rollup(@extschema@.subscription_book) IS
'merge subscription books (e.g. kept per segment or per day): a customer present in several is one customer with the rows of all';

-- One period of MRR movements, and one cell of a cohort triangle: the rows
-- of the readers mrr_movements(book, ...) and cohort_retention(book, ...).

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
    mrr_end numeric,
    expansion_customers bigint,
    contraction_customers bigint
);

COMMENT ON TYPE @extschema@.mrr_movement IS
'one period of MRR movements; mrr_start + new_mrr + expansion_mrr - contraction_mrr - churned_mrr + reactivation_mrr = mrr_end and customers_start + new_customers + reactivated_customers - churned_customers = customers_end';

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
