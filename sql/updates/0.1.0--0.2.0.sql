-- saas_metrics 0.1.0 -> 0.2.0: changes to objects that 0.1.0 created.  The
-- objects new in 0.2.0 follow, from the install script parts marked
-- "-- new in 0.2.0" (see the Makefile).
\echo Use "ALTER EXTENSION saas_metrics UPDATE TO '0.2.0'" to load this file. \quit

-- The subscription book holds days instead of period numbers, and its
-- readers take the period: the aggregates get concrete customer_id types
-- (bigint, text, uuid) and lose the period of subscription_book_agg; the
-- final functions that were named like the new set-returning readers go.
-- Views that use the 0.1.0 aggregates must be dropped before the update and
-- created again after it (the same SQL works).
DROP AGGREGATE @extschema@.mrr_movements(anyelement, date, date, numeric);
DROP AGGREGATE @extschema@.mrr_movements(anyelement, date, date, numeric, text);
DROP AGGREGATE @extschema@.mrr_movements(anyelement, date, date, numeric, text, date, date);
DROP AGGREGATE @extschema@.mrr_movements(anyelement, timestamptz, timestamptz, numeric);
DROP AGGREGATE @extschema@.mrr_movements(anyelement, timestamptz, timestamptz, numeric, text);
DROP AGGREGATE @extschema@.mrr_movements(anyelement, timestamptz, timestamptz, numeric, text, timestamptz, timestamptz);
DROP AGGREGATE @extschema@.cohort_retention(anyelement, date, date, numeric);
DROP AGGREGATE @extschema@.cohort_retention(anyelement, date, date, numeric, text);
DROP AGGREGATE @extschema@.cohort_retention(anyelement, timestamptz, timestamptz, numeric);
DROP AGGREGATE @extschema@.cohort_retention(anyelement, timestamptz, timestamptz, numeric, text);
DROP AGGREGATE @extschema@.subscription_book_agg(anyelement, date, date, numeric, text);
DROP AGGREGATE @extschema@.subscription_book_agg(anyelement, timestamptz, timestamptz, numeric, text);
DROP FUNCTION @extschema@.subscription_book_add(@extschema@.subscription_book, anyelement, date, date, numeric);
DROP FUNCTION @extschema@.subscription_book_add(@extschema@.subscription_book, anyelement, date, date, numeric, text);
DROP FUNCTION @extschema@.subscription_book_add(@extschema@.subscription_book, anyelement, date, date, numeric, text, date, date);
DROP FUNCTION @extschema@.subscription_book_add(@extschema@.subscription_book, anyelement, timestamptz, timestamptz, numeric);
DROP FUNCTION @extschema@.subscription_book_add(@extschema@.subscription_book, anyelement, timestamptz, timestamptz, numeric, text);
DROP FUNCTION @extschema@.subscription_book_add(@extschema@.subscription_book, anyelement, timestamptz, timestamptz, numeric, text, timestamptz, timestamptz);
DROP FUNCTION @extschema@.mrr_movements(@extschema@.subscription_book);
DROP FUNCTION @extschema@.cohort_retention(@extschema@.subscription_book);
DROP FUNCTION @extschema@.subscription_book_stats(@extschema@.subscription_book);

-- The customers behind expansion and contraction (upgrade and downgrade rates).
ALTER TYPE @extschema@.mrr_movement
    ADD ATTRIBUTE expansion_customers bigint,
    ADD ATTRIBUTE contraction_customers bigint;

COMMENT ON TYPE @extschema@.mrr_movement IS
'one period of MRR movements; mrr_start + new_mrr + expansion_mrr - contraction_mrr - churned_mrr + reactivation_mrr = mrr_end and customers_start + new_customers + reactivated_customers - churned_customers = customers_end';
COMMENT ON TYPE @extschema@.subscription_book IS
'subscription rows (customer_id, started_at, ended_at, mrr) reduced to days and grouped by customer: made by subscription_book_agg(), merged by rollup(), read by any period with mrr_movements(book, ...), cohort_retention(book, ...), customer_movements(), customers_at()';
COMMENT ON FUNCTION @extschema@.subscription_book_in(cstring) IS
'text input of subscription_book: the base64 of its portable binary form, validated completely';
COMMENT ON FUNCTION @extschema@.subscription_book_out(@extschema@.subscription_book) IS
'text output of subscription_book: the base64 of its portable binary form';
COMMENT ON FUNCTION @extschema@.subscription_book_recv(internal) IS
'binary input of subscription_book (network byte order), validated completely';
COMMENT ON FUNCTION @extschema@.subscription_book_send(@extschema@.subscription_book) IS
'binary output of subscription_book (network byte order)';
COMMENT ON FUNCTION @extschema@.subscription_book_combine(@extschema@.subscription_book, @extschema@.subscription_book) IS
'combine function of the subscription aggregates and transition function of rollup(subscription_book): merges two books, a customer in both with the rows of both';
COMMENT ON AGGREGATE @extschema@.rollup(@extschema@.subscription_book) IS
'merge subscription books (e.g. kept per segment or per day): a customer present in several is one customer with the rows of all';
