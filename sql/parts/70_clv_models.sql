
-- new in 0.2.0
-- Buy-till-you-die models of non-contractual customer value: the rfm()
-- summary, BG/NBD (purchases and P(alive)), Gamma-Gamma (spend) and their
-- discounted CLV.  See docs/clv_models.md.

-- The RFM summary of one customer.

CREATE TYPE @extschema@.rfm AS (
    frequency integer,
    recency float8,
    t float8,
    monetary_value numeric
);

COMMENT ON TYPE @extschema@.rfm IS
'one customer''s purchase history as the buy-till-you-die models take it: frequency = repeat purchase days, recency = first to last purchase day, t = first purchase day to the observation end (in units), monetary_value = mean total of the repeat purchase days';

CREATE TYPE @extschema@.rfm_state;

CREATE FUNCTION @extschema@.rfm_state_in(cstring) RETURNS @extschema@.rfm_state
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.rfm_state_out(@extschema@.rfm_state) RETURNS cstring
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.rfm_state_recv(internal) RETURNS @extschema@.rfm_state
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.rfm_state_send(@extschema@.rfm_state) RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.rfm_state (
    INPUT = @extschema@.rfm_state_in,
    OUTPUT = @extschema@.rfm_state_out,
    RECEIVE = @extschema@.rfm_state_recv,
    SEND = @extschema@.rfm_state_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);

COMMENT ON TYPE @extschema@.rfm_state IS
'the purchase days and exact amount sums of one customer up to the observation end: the state of the rfm() aggregate';

COMMENT ON FUNCTION @extschema@.rfm_state_in(cstring) IS 'input function of rfm_state';
COMMENT ON FUNCTION @extschema@.rfm_state_out(@extschema@.rfm_state) IS 'output function of rfm_state';
COMMENT ON FUNCTION @extschema@.rfm_state_recv(internal) IS 'binary input function of rfm_state';
COMMENT ON FUNCTION @extschema@.rfm_state_send(@extschema@.rfm_state) IS 'binary output function of rfm_state';

CREATE FUNCTION @extschema@.rfm_add(@extschema@.rfm_state, date, numeric, date)
RETURNS @extschema@.rfm_state AS 'MODULE_PATHNAME', 'rfm_add' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.rfm_add(@extschema@.rfm_state, date, numeric, date, text)
RETURNS @extschema@.rfm_state AS 'MODULE_PATHNAME', 'rfm_add' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.rfm_add(@extschema@.rfm_state, timestamptz, numeric, timestamptz)
RETURNS @extschema@.rfm_state AS 'MODULE_PATHNAME', 'rfm_add_tz' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.rfm_add(@extschema@.rfm_state, timestamptz, numeric, timestamptz, text)
RETURNS @extschema@.rfm_state AS 'MODULE_PATHNAME', 'rfm_add_tz' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.rfm_combine(@extschema@.rfm_state, @extschema@.rfm_state)
RETURNS @extschema@.rfm_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.rfm(@extschema@.rfm_state)
RETURNS @extschema@.rfm AS 'MODULE_PATHNAME', 'rfm_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.rfm_add(@extschema@.rfm_state, date, numeric, date) IS
'transition function of rfm(date, numeric, date): adds one purchase';
COMMENT ON FUNCTION @extschema@.rfm_add(@extschema@.rfm_state, date, numeric, date, text) IS
'transition function of rfm(date, numeric, date, text): adds one purchase';
COMMENT ON FUNCTION @extschema@.rfm_add(@extschema@.rfm_state, timestamptz, numeric, timestamptz) IS
'transition function of rfm(timestamptz, numeric, timestamptz): adds one purchase on its day in TimeZone';
COMMENT ON FUNCTION @extschema@.rfm_add(@extschema@.rfm_state, timestamptz, numeric, timestamptz, text) IS
'transition function of rfm(timestamptz, numeric, timestamptz, text): adds one purchase on its day in TimeZone';
COMMENT ON FUNCTION @extschema@.rfm_combine(@extschema@.rfm_state, @extschema@.rfm_state) IS
'combine function of rfm(): the purchases of both partial states';
COMMENT ON FUNCTION @extschema@.rfm(@extschema@.rfm_state) IS
'the rfm summary of an rfm_state; NULL without purchases up to the observation end';

CREATE AGGREGATE @extschema@.rfm(occurred_at date, amount numeric, observation_end date) (
    SFUNC = @extschema@.rfm_add,
    STYPE = @extschema@.rfm_state,
    COMBINEFUNC = @extschema@.rfm_combine,
    FINALFUNC = @extschema@.rfm,
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.rfm(occurred_at date, amount numeric, observation_end date, unit text) (
    SFUNC = @extschema@.rfm_add,
    STYPE = @extschema@.rfm_state,
    COMBINEFUNC = @extschema@.rfm_combine,
    FINALFUNC = @extschema@.rfm,
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.rfm(occurred_at timestamptz, amount numeric, observation_end timestamptz) (
    SFUNC = @extschema@.rfm_add,
    STYPE = @extschema@.rfm_state,
    COMBINEFUNC = @extschema@.rfm_combine,
    FINALFUNC = @extschema@.rfm,
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.rfm(occurred_at timestamptz, amount numeric, observation_end timestamptz, unit text) (
    SFUNC = @extschema@.rfm_add,
    STYPE = @extschema@.rfm_state,
    COMBINEFUNC = @extschema@.rfm_combine,
    FINALFUNC = @extschema@.rfm,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE @extschema@.rfm(date, numeric, date) IS
'one customer''s rfm summary in days: frequency = distinct purchase days - 1, recency = last - first purchase day, t = observation_end - first purchase day, monetary_value = mean total of the repeat days; purchases after observation_end ignored, NULL if none before';
COMMENT ON AGGREGATE @extschema@.rfm(date, numeric, date, text) IS
'one customer''s rfm summary with recency and t in unit ''day'', ''week'' (7 days) or ''month'' (30.436875 days): frequency = distinct purchase days - 1, monetary_value = mean total of the repeat days; purchases after observation_end ignored, NULL if none before';
COMMENT ON AGGREGATE @extschema@.rfm(timestamptz, numeric, timestamptz) IS
'rfm(date, numeric, date) of the days of the timestamps in the session''s TimeZone';
COMMENT ON AGGREGATE @extschema@.rfm(timestamptz, numeric, timestamptz, text) IS
'rfm(date, numeric, date, unit) of the days of the timestamps in the session''s TimeZone';

-- Counts of customers with identical summaries: the states of the fits.

CREATE TYPE @extschema@.bgnbd_counts;

CREATE FUNCTION @extschema@.bgnbd_counts_in(cstring) RETURNS @extschema@.bgnbd_counts
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.bgnbd_counts_out(@extschema@.bgnbd_counts) RETURNS cstring
AS 'MODULE_PATHNAME', 'customer_counts_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.bgnbd_counts_recv(internal) RETURNS @extschema@.bgnbd_counts
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.bgnbd_counts_send(@extschema@.bgnbd_counts) RETURNS bytea
AS 'MODULE_PATHNAME', 'customer_counts_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.bgnbd_counts (
    INPUT = @extschema@.bgnbd_counts_in,
    OUTPUT = @extschema@.bgnbd_counts_out,
    RECEIVE = @extschema@.bgnbd_counts_recv,
    SEND = @extschema@.bgnbd_counts_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);

COMMENT ON TYPE @extschema@.bgnbd_counts IS
'customers counted by their (frequency, recency, t), written {(frequency,recency,t):customers,...}: the state of bgnbd_fit(), kept with bgnbd_counts_agg() and merged with rollup()';
COMMENT ON FUNCTION @extschema@.bgnbd_counts_in(cstring) IS 'input function of bgnbd_counts';
COMMENT ON FUNCTION @extschema@.bgnbd_counts_out(@extschema@.bgnbd_counts) IS 'output function of bgnbd_counts';
COMMENT ON FUNCTION @extschema@.bgnbd_counts_recv(internal) IS 'binary input function of bgnbd_counts';
COMMENT ON FUNCTION @extschema@.bgnbd_counts_send(@extschema@.bgnbd_counts) IS 'binary output function of bgnbd_counts';

CREATE TYPE @extschema@.gamma_gamma_counts;

CREATE FUNCTION @extschema@.gamma_gamma_counts_in(cstring) RETURNS @extschema@.gamma_gamma_counts
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.gamma_gamma_counts_out(@extschema@.gamma_gamma_counts) RETURNS cstring
AS 'MODULE_PATHNAME', 'customer_counts_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.gamma_gamma_counts_recv(internal) RETURNS @extschema@.gamma_gamma_counts
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.gamma_gamma_counts_send(@extschema@.gamma_gamma_counts) RETURNS bytea
AS 'MODULE_PATHNAME', 'customer_counts_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.gamma_gamma_counts (
    INPUT = @extschema@.gamma_gamma_counts_in,
    OUTPUT = @extschema@.gamma_gamma_counts_out,
    RECEIVE = @extschema@.gamma_gamma_counts_recv,
    SEND = @extschema@.gamma_gamma_counts_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);

COMMENT ON TYPE @extschema@.gamma_gamma_counts IS
'repeat customers counted by their (frequency, monetary_value), written {(frequency,monetary_value):customers,...}: the state of gamma_gamma_fit(), kept with gamma_gamma_counts_agg() and merged with rollup()';
COMMENT ON FUNCTION @extschema@.gamma_gamma_counts_in(cstring) IS 'input function of gamma_gamma_counts';
COMMENT ON FUNCTION @extschema@.gamma_gamma_counts_out(@extschema@.gamma_gamma_counts) IS 'output function of gamma_gamma_counts';
COMMENT ON FUNCTION @extschema@.gamma_gamma_counts_recv(internal) IS 'binary input function of gamma_gamma_counts';
COMMENT ON FUNCTION @extschema@.gamma_gamma_counts_send(@extschema@.gamma_gamma_counts) IS 'binary output function of gamma_gamma_counts';

CREATE FUNCTION @extschema@.bgnbd_counts_add(@extschema@.bgnbd_counts, @extschema@.rfm)
RETURNS @extschema@.bgnbd_counts AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.bgnbd_counts_combine(@extschema@.bgnbd_counts, @extschema@.bgnbd_counts)
RETURNS @extschema@.bgnbd_counts AS 'MODULE_PATHNAME', 'customer_counts_combine' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.bgnbd_counts_final(@extschema@.bgnbd_counts)
RETURNS @extschema@.bgnbd_counts AS 'MODULE_PATHNAME', 'customer_counts_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.customers(@extschema@.bgnbd_counts)
RETURNS bigint AS 'MODULE_PATHNAME', 'customer_counts_customers' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.gamma_gamma_counts_add(@extschema@.gamma_gamma_counts, @extschema@.rfm)
RETURNS @extschema@.gamma_gamma_counts AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.gamma_gamma_counts_combine(@extschema@.gamma_gamma_counts, @extschema@.gamma_gamma_counts)
RETURNS @extschema@.gamma_gamma_counts AS 'MODULE_PATHNAME', 'customer_counts_combine' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.gamma_gamma_counts_final(@extschema@.gamma_gamma_counts)
RETURNS @extschema@.gamma_gamma_counts AS 'MODULE_PATHNAME', 'customer_counts_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.customers(@extschema@.gamma_gamma_counts)
RETURNS bigint AS 'MODULE_PATHNAME', 'customer_counts_customers' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.bgnbd_counts_add(@extschema@.bgnbd_counts, @extschema@.rfm) IS
'transition function of bgnbd_fit(rfm) and bgnbd_counts_agg(rfm): counts one customer';
COMMENT ON FUNCTION @extschema@.bgnbd_counts_combine(@extschema@.bgnbd_counts, @extschema@.bgnbd_counts) IS
'combine function of the bgnbd_counts aggregates: the customers of both';
COMMENT ON FUNCTION @extschema@.bgnbd_counts_final(@extschema@.bgnbd_counts) IS
'final function of bgnbd_counts_agg() and rollup(bgnbd_counts): equal summaries merged, no spare room';
COMMENT ON FUNCTION @extschema@.customers(@extschema@.bgnbd_counts) IS
'number of customers counted in a bgnbd_counts';
COMMENT ON FUNCTION @extschema@.gamma_gamma_counts_add(@extschema@.gamma_gamma_counts, @extschema@.rfm) IS
'transition function of gamma_gamma_fit(rfm) and gamma_gamma_counts_agg(rfm): counts one customer with frequency > 0, skips the others';
COMMENT ON FUNCTION @extschema@.gamma_gamma_counts_combine(@extschema@.gamma_gamma_counts, @extschema@.gamma_gamma_counts) IS
'combine function of the gamma_gamma_counts aggregates: the customers of both';
COMMENT ON FUNCTION @extschema@.gamma_gamma_counts_final(@extschema@.gamma_gamma_counts) IS
'final function of gamma_gamma_counts_agg() and rollup(gamma_gamma_counts): equal summaries merged, no spare room';
COMMENT ON FUNCTION @extschema@.customers(@extschema@.gamma_gamma_counts) IS
'number of repeat customers counted in a gamma_gamma_counts';

CREATE AGGREGATE @extschema@.bgnbd_counts_agg(customer @extschema@.rfm) (
    SFUNC = @extschema@.bgnbd_counts_add,
    STYPE = @extschema@.bgnbd_counts,
    COMBINEFUNC = @extschema@.bgnbd_counts_combine,
    FINALFUNC = @extschema@.bgnbd_counts_final,
    INITCOND = '{}',
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.rollup(@extschema@.bgnbd_counts) (
    SFUNC = @extschema@.bgnbd_counts_combine,
    STYPE = @extschema@.bgnbd_counts,
    COMBINEFUNC = @extschema@.bgnbd_counts_combine,
    FINALFUNC = @extschema@.bgnbd_counts_final,
    INITCOND = '{}',
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.gamma_gamma_counts_agg(customer @extschema@.rfm) (
    SFUNC = @extschema@.gamma_gamma_counts_add,
    STYPE = @extschema@.gamma_gamma_counts,
    COMBINEFUNC = @extschema@.gamma_gamma_counts_combine,
    FINALFUNC = @extschema@.gamma_gamma_counts_final,
    INITCOND = '{}',
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.rollup(@extschema@.gamma_gamma_counts) (
    SFUNC = @extschema@.gamma_gamma_counts_combine,
    STYPE = @extschema@.gamma_gamma_counts,
    COMBINEFUNC = @extschema@.gamma_gamma_counts_combine,
    FINALFUNC = @extschema@.gamma_gamma_counts_final,
    INITCOND = '{}',
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE @extschema@.bgnbd_counts_agg(@extschema@.rfm) IS
'the customers'' (frequency, recency, t) with their counts, as a bgnbd_counts to keep, roll up and fit; NULL summaries skipped';
COMMENT ON AGGREGATE @extschema@.rollup(@extschema@.bgnbd_counts) IS
'the customers of several bgnbd_counts: summaries of disjoint sets of customers merge into the summary of their union';
COMMENT ON AGGREGATE @extschema@.gamma_gamma_counts_agg(@extschema@.rfm) IS
'the repeat customers'' (frequency, monetary_value) with their counts, as a gamma_gamma_counts to keep, roll up and fit; customers with frequency 0 and NULL summaries skipped';
COMMENT ON AGGREGATE @extschema@.rollup(@extschema@.gamma_gamma_counts) IS
'the customers of several gamma_gamma_counts: summaries of disjoint sets of customers merge into the summary of their union';

-- BG/NBD.

CREATE TYPE @extschema@.bgnbd_model AS (
    r float8,
    alpha float8,
    a float8,
    b float8,
    log_likelihood float8,
    customers bigint,
    iterations integer,
    converged boolean
);

COMMENT ON TYPE @extschema@.bgnbd_model IS
'a fitted BG/NBD model: purchase rates ~ Gamma(r, alpha), dropout probabilities after each repeat purchase ~ Beta(a, b); the maximum log-likelihood, customers fitted, iterations; converged = false when there is no maximum-likelihood estimate inside 1e-8 .. 1e8';

CREATE FUNCTION @extschema@.bgnbd_fit(@extschema@.bgnbd_counts)
RETURNS @extschema@.bgnbd_model AS 'MODULE_PATHNAME', 'bgnbd_fit_counts' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.bgnbd_fit(@extschema@.bgnbd_counts) IS
'maximum-likelihood BG/NBD fit (Fader, Hardie and Lee 2005) to the customers of a bgnbd_counts; NULL without customers';

CREATE AGGREGATE @extschema@.bgnbd_fit(customer @extschema@.rfm) (
    SFUNC = @extschema@.bgnbd_counts_add,
    STYPE = @extschema@.bgnbd_counts,
    COMBINEFUNC = @extschema@.bgnbd_counts_combine,
    FINALFUNC = @extschema@.bgnbd_fit,
    INITCOND = '{}',
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE @extschema@.bgnbd_fit(@extschema@.rfm) IS
'maximum-likelihood BG/NBD fit (Fader, Hardie and Lee 2005) to one rfm summary per customer; NULL summaries skipped, NULL without customers';

CREATE FUNCTION @extschema@.bgnbd_log_likelihood(model @extschema@.bgnbd_model, customer @extschema@.rfm)
RETURNS float8 AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.bgnbd_p_alive(model @extschema@.bgnbd_model, customer @extschema@.rfm)
RETURNS float8 AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.bgnbd_expected_purchases(model @extschema@.bgnbd_model, customer @extschema@.rfm, horizon float8)
RETURNS float8 AS 'MODULE_PATHNAME', 'bgnbd_expected_purchases_customer' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.bgnbd_expected_purchases(model @extschema@.bgnbd_model, t float8)
RETURNS float8 AS 'MODULE_PATHNAME', 'bgnbd_expected_purchases_new' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.bgnbd_log_likelihood(@extschema@.bgnbd_model, @extschema@.rfm) IS
'ln L(r, alpha, a, b | x, t_x, T) of one customer (Fader, Hardie and Lee 2005, eq. 6)';
COMMENT ON FUNCTION @extschema@.bgnbd_p_alive(@extschema@.bgnbd_model, @extschema@.rfm) IS
'probability that the customer is still alive at t = 1 / (1 + [x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x)); 1 without repeat purchases';
COMMENT ON FUNCTION @extschema@.bgnbd_expected_purchases(@extschema@.bgnbd_model, @extschema@.rfm, float8) IS
'expected purchases of the customer in the next horizon units = E[Y(horizon) | x, t_x, T] (Fader, Hardie and Lee 2005, eq. 10)';
COMMENT ON FUNCTION @extschema@.bgnbd_expected_purchases(@extschema@.bgnbd_model, float8) IS
'expected repeat purchases of a new customer in its first t units = E[X(t)] (Fader, Hardie and Lee 2005, eq. 7)';

-- Gamma-Gamma.

CREATE TYPE @extschema@.gamma_gamma_model AS (
    p float8,
    q float8,
    gamma float8,
    log_likelihood float8,
    customers bigint,
    iterations integer,
    converged boolean
);

COMMENT ON TYPE @extschema@.gamma_gamma_model IS
'a fitted Gamma-Gamma spend model: purchase values ~ Gamma(p, nu), nu ~ Gamma(q, gamma) across customers; the maximum log-likelihood, repeat customers fitted, iterations; converged = false when there is no maximum-likelihood estimate inside 1e-8 .. 1e8';

CREATE FUNCTION @extschema@.gamma_gamma_fit(@extschema@.gamma_gamma_counts)
RETURNS @extschema@.gamma_gamma_model AS 'MODULE_PATHNAME', 'gamma_gamma_fit_counts' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.gamma_gamma_fit(@extschema@.gamma_gamma_counts) IS
'maximum-likelihood Gamma-Gamma fit (Fader and Hardie 2013) to the repeat customers of a gamma_gamma_counts; NULL without them';

CREATE AGGREGATE @extschema@.gamma_gamma_fit(customer @extschema@.rfm) (
    SFUNC = @extschema@.gamma_gamma_counts_add,
    STYPE = @extschema@.gamma_gamma_counts,
    COMBINEFUNC = @extschema@.gamma_gamma_counts_combine,
    FINALFUNC = @extschema@.gamma_gamma_fit,
    INITCOND = '{}',
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE @extschema@.gamma_gamma_fit(@extschema@.rfm) IS
'maximum-likelihood Gamma-Gamma fit (Fader and Hardie 2013) to the customers with frequency > 0 (the others skipped, as the model requires); NULL without them';

CREATE FUNCTION @extschema@.gamma_gamma_log_likelihood(model @extschema@.gamma_gamma_model, customer @extschema@.rfm)
RETURNS float8 AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.gamma_gamma_expected_spend(model @extschema@.gamma_gamma_model, customer @extschema@.rfm)
RETURNS numeric AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.gamma_gamma_log_likelihood(@extschema@.gamma_gamma_model, @extschema@.rfm) IS
'ln L(p, q, gamma | x, m) of one repeat customer = ln Gamma(px + q) - ln Gamma(px) - ln Gamma(q) + q ln gamma + (px - 1) ln m + px ln x - (px + q) ln(gamma + mx); NULL when x = 0';
COMMENT ON FUNCTION @extschema@.gamma_gamma_expected_spend(@extschema@.gamma_gamma_model, @extschema@.rfm) IS
'expected spend per purchase of the customer = p (gamma + m x) / (p x + q - 1), p gamma / (q - 1) when x = 0; Infinity when p x + q <= 1';

CREATE FUNCTION @extschema@.clv_bgnbd(purchases @extschema@.bgnbd_model, spend @extschema@.gamma_gamma_model,
                                      customer @extschema@.rfm, horizon_periods integer, discount_rate_per_period float8)
RETURNS numeric AS 'MODULE_PATHNAME', 'sm_clv_bgnbd' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.clv_bgnbd(@extschema@.bgnbd_model, @extschema@.gamma_gamma_model, @extschema@.rfm, integer, float8) IS
'discounted expected revenue of the customer over the next horizon_periods units = sum over i = 1..H of expected spend * (E[Y(i)] - E[Y(i - 1)]) / (1 + d)^i';
