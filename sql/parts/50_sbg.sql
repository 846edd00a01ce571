
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

COMMENT ON FUNCTION @extschema@.sbg_counts_in(cstring) IS
'input function of sbg_counts: ''{age:active,...}'', ages non-negative integers, active counts non-negative bigints';
COMMENT ON FUNCTION @extschema@.sbg_counts_out(@extschema@.sbg_counts) IS
'output function of sbg_counts: ''{age:active,...}'' in the order the pairs arrived';
COMMENT ON FUNCTION @extschema@.sbg_counts_recv(internal) IS
'binary input function of sbg_counts: an int4 number of pairs, then each pair as int4 age and int8 active';
COMMENT ON FUNCTION @extschema@.sbg_counts_send(@extschema@.sbg_counts) IS
'binary output function of sbg_counts: an int4 number of pairs, then each pair as int4 age and int8 active';

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

COMMENT ON FUNCTION @extschema@.sbg_counts_add(@extschema@.sbg_counts, integer, bigint) IS
'transition function of the sbg_fit(age, active) aggregate: the state with one more (age, active) pair; runs only inside the aggregate';
COMMENT ON FUNCTION @extschema@.sbg_counts_combine(@extschema@.sbg_counts, @extschema@.sbg_counts) IS
'combine function of the sbg_fit(age, active) aggregate: the pairs of both states; runs only inside the aggregate';
COMMENT ON FUNCTION @extschema@.sbg_fit(@extschema@.sbg_counts) IS
'final function of the sbg_fit(age, active) aggregate: sbg_fit of the survivors sorted by age; ages consecutive, each once';

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
