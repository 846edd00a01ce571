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

-- Every object described (issue 16): comments on the 0.1.0 functions that had none.
COMMENT ON FUNCTION @extschema@.nps_summary_in(cstring) IS
'input function of nps_summary: ''promoters=N passives=N detractors=N'', counts non-negative bigints';
COMMENT ON FUNCTION @extschema@.nps_summary_out(@extschema@.nps_summary) IS
'output function of nps_summary: ''promoters=N passives=N detractors=N''';
COMMENT ON FUNCTION @extschema@.nps_summary_recv(internal) IS
'binary input function of nps_summary: three int8, promoters, passives, detractors';
COMMENT ON FUNCTION @extschema@.nps_summary_send(@extschema@.nps_summary) IS
'binary output function of nps_summary: three int8, promoters, passives, detractors';
COMMENT ON FUNCTION @extschema@.nps_summary_add(@extschema@.nps_summary, integer) IS
'transition function of the NPS aggregates: the summary with one more response of score (0-10) counted in its category';
COMMENT ON FUNCTION @extschema@.nps_summary_combine(@extschema@.nps_summary, @extschema@.nps_summary) IS
'combine function of the NPS aggregates and of rollup(): the two summaries'' counts added category by category';
COMMENT ON FUNCTION @extschema@.nps(@extschema@.nps_summary) IS
'Net Promoter Score of a summary = 100 * (promoters - detractors) / responses, in [-100, 100]; NULL when it has no responses';
COMMENT ON FUNCTION @extschema@.promoters(@extschema@.nps_summary) IS
'number of promoters (scores 9-10) in an nps_summary';
COMMENT ON FUNCTION @extschema@.passives(@extschema@.nps_summary) IS
'number of passives (scores 7-8) in an nps_summary';
COMMENT ON FUNCTION @extschema@.detractors(@extschema@.nps_summary) IS
'number of detractors (scores 0-6) in an nps_summary';
COMMENT ON FUNCTION @extschema@.responses(@extschema@.nps_summary) IS
'number of responses in an nps_summary = promoters + passives + detractors';
COMMENT ON FUNCTION @extschema@.sbg_counts_in(cstring) IS
'input function of sbg_counts: ''{age:active,...}'', ages non-negative integers, active counts non-negative bigints';
COMMENT ON FUNCTION @extschema@.sbg_counts_out(@extschema@.sbg_counts) IS
'output function of sbg_counts: ''{age:active,...}'' in the order the pairs arrived';
COMMENT ON FUNCTION @extschema@.sbg_counts_recv(internal) IS
'binary input function of sbg_counts: an int4 number of pairs, then each pair as int4 age and int8 active';
COMMENT ON FUNCTION @extschema@.sbg_counts_send(@extschema@.sbg_counts) IS
'binary output function of sbg_counts: an int4 number of pairs, then each pair as int4 age and int8 active';
COMMENT ON FUNCTION @extschema@.sbg_counts_add(@extschema@.sbg_counts, integer, bigint) IS
'transition function of the sbg_fit(age, active) aggregate: the state with one more (age, active) pair; runs only inside the aggregate';
COMMENT ON FUNCTION @extschema@.sbg_counts_combine(@extschema@.sbg_counts, @extschema@.sbg_counts) IS
'combine function of the sbg_fit(age, active) aggregate: the pairs of both states; runs only inside the aggregate';
COMMENT ON FUNCTION @extschema@.sbg_fit(@extschema@.sbg_counts) IS
'final function of the sbg_fit(age, active) aggregate: sbg_fit of the survivors sorted by age; ages consecutive, each once';
COMMENT ON FUNCTION @extschema@.sbg_retention_rate(@extschema@.sbg_model, integer) IS
'sbg_retention_rate(model.alpha, model.beta, t) = (beta + t - 1) / (alpha + beta + t - 1) of a fitted model, t >= 1';
COMMENT ON FUNCTION @extschema@.sbg_survival(@extschema@.sbg_model, integer) IS
'sbg_survival(model.alpha, model.beta, t) = B(alpha, beta + t) / B(alpha, beta) of a fitted model, t >= 0';
COMMENT ON FUNCTION @extschema@.sbg_churn_probability(@extschema@.sbg_model, integer) IS
'sbg_churn_probability(model.alpha, model.beta, t) = B(alpha + 1, beta + t - 1) / B(alpha, beta) of a fitted model, t >= 1';
COMMENT ON FUNCTION @extschema@.sbg_expected_lifetime(@extschema@.sbg_model) IS
'sbg_expected_lifetime(model.alpha, model.beta) = (alpha + beta - 1) / (alpha - 1) of a fitted model; Infinity when alpha <= 1';
COMMENT ON FUNCTION @extschema@.sbg_derl(@extschema@.sbg_model, float8, integer) IS
'sbg_derl(model.alpha, model.beta, discount_rate, payments_made) of a fitted model: discounted expected residual lifetime';
COMMENT ON FUNCTION @extschema@.clv_sbg(numeric, @extschema@.sbg_model, float8, integer) IS
'clv_sbg(margin, model.alpha, model.beta, discount_rate, payments_made) of a fitted model = margin * sbg_derl(model, discount_rate, payments_made)';
