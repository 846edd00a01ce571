
-- new in 0.2.0
-- Churn signals: engagement features from usage events, a logistic
-- churn-risk model fitted by an aggregate, and the report of a classifier.

-- ---------------------------------------------------------------- engagement

CREATE TYPE @extschema@.engagement AS (
    active_days integer,
    events bigint,
    events_per_active_day float8,
    distinct_features integer,
    days_since_last_event integer,
    previous_events bigint,
    trend float8,
    total_quantity numeric
);

COMMENT ON TYPE @extschema@.engagement IS
'engagement of one customer in the window (as_of - window, as_of]: active_days (distinct days with an event), events, events_per_active_day = events / active_days (NULL with no events), distinct_features, days_since_last_event (from the latest event up to as_of; NULL if none), previous_events (in the window before), trend = events / previous_events (NULL when previous_events = 0), total_quantity';

CREATE TYPE @extschema@.engagement_state;

CREATE FUNCTION @extschema@.engagement_state_in(cstring) RETURNS @extschema@.engagement_state
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.engagement_state_out(@extschema@.engagement_state) RETURNS cstring
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.engagement_state_recv(internal) RETURNS @extschema@.engagement_state
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.engagement_state_send(@extschema@.engagement_state) RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.engagement_state_in(cstring) IS
'text input of engagement_state: the base64 of its binary form, checked completely (22P02 if not base64, 22P03 if not a valid state)';
COMMENT ON FUNCTION @extschema@.engagement_state_out(@extschema@.engagement_state) IS
'text output of engagement_state: the base64 of its binary form';
COMMENT ON FUNCTION @extschema@.engagement_state_recv(internal) IS
'binary input of engagement_state: its portable encoding (a version byte, then every field in network byte order), checked completely (22P03)';
COMMENT ON FUNCTION @extschema@.engagement_state_send(@extschema@.engagement_state) IS
'binary output of engagement_state: its portable encoding, a version byte, then every field in network byte order';

CREATE TYPE @extschema@.engagement_state (
    INPUT = @extschema@.engagement_state_in,
    OUTPUT = @extschema@.engagement_state_out,
    RECEIVE = @extschema@.engagement_state_recv,
    SEND = @extschema@.engagement_state_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);

COMMENT ON TYPE @extschema@.engagement_state IS
'the state of the engagement() aggregate: as_of, window, a bitmap of the window''s active days, the distinct features, event counts, the latest event and the exact total quantity';

CREATE FUNCTION @extschema@.engagement_state_add(@extschema@.engagement_state, date, text, numeric, date, interval)
RETURNS @extschema@.engagement_state
AS 'MODULE_PATHNAME', 'engagement_add_date' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.engagement_state_add(@extschema@.engagement_state, timestamptz, text, numeric, timestamptz, interval)
RETURNS @extschema@.engagement_state
AS 'MODULE_PATHNAME', 'engagement_add_timestamptz' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.engagement_state_combine(@extschema@.engagement_state, @extschema@.engagement_state)
RETURNS @extschema@.engagement_state
AS 'MODULE_PATHNAME', 'engagement_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.engagement_state_add(@extschema@.engagement_state, date, text, numeric, date, interval) IS
'transition function of engagement() for date events';
COMMENT ON FUNCTION @extschema@.engagement_state_add(@extschema@.engagement_state, timestamptz, text, numeric, timestamptz, interval) IS
'transition function of engagement() for timestamptz events (days are local days in TimeZone)';
COMMENT ON FUNCTION @extschema@.engagement_state_combine(@extschema@.engagement_state, @extschema@.engagement_state) IS
'merges the engagement states of two disjoint sets of events of the same as_of and window';

CREATE FUNCTION @extschema@.engagement(@extschema@.engagement_state)
RETURNS @extschema@.engagement
AS 'MODULE_PATHNAME', 'engagement_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.engagement(@extschema@.engagement_state) IS
'the engagement features of an engagement state';

CREATE AGGREGATE @extschema@.engagement(occurred_at date, feature text, quantity numeric, as_of date, "window" interval) (
    SFUNC = @extschema@.engagement_state_add,
    STYPE = @extschema@.engagement_state,
    COMBINEFUNC = @extschema@.engagement_state_combine,
    FINALFUNC = @extschema@.engagement,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE @extschema@.engagement(date, text, numeric, date, interval) IS
'engagement features of usage events (GROUP BY customer) in the window (as_of - window, as_of] and the one before; events after as_of are ignored, a NULL occurred_at is no event';

CREATE AGGREGATE @extschema@.engagement(occurred_at timestamptz, feature text, quantity numeric, as_of timestamptz, "window" interval) (
    SFUNC = @extschema@.engagement_state_add,
    STYPE = @extschema@.engagement_state,
    COMBINEFUNC = @extschema@.engagement_state_combine,
    FINALFUNC = @extschema@.engagement,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE @extschema@.engagement(timestamptz, text, numeric, timestamptz, interval) IS
'engagement features of timestamptz usage events (GROUP BY customer) in the window (as_of - window, as_of], days being local days in TimeZone; events after as_of are ignored';

CREATE FUNCTION @extschema@.feature_share(e @extschema@.engagement, plan_features integer)
RETURNS float8
AS 'MODULE_PATHNAME', 'engagement_feature_share' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.feature_share(@extschema@.engagement, integer) IS
'breadth of use = distinct_features / plan_features, in [0, 1]; plan_features must be positive and at least distinct_features';

-- ---------------------------------------------------------------- logistic regression

CREATE TYPE @extschema@.logistic_model AS (
    coefficients float8[],
    std_errors float8[],
    log_likelihood float8,
    null_log_likelihood float8,
    iterations integer,
    converged boolean,
    reason text,
    rows bigint,
    positives bigint,
    l2 float8,
    feature_means float8[],
    feature_scales float8[]
);

COMMENT ON TYPE @extschema@.logistic_model IS
'a fitted logistic regression P(churned) = 1 / (1 + exp(-(b0 + b1 x1 + ...))): coefficients (intercept first) and std_errors on the features'' scale, log_likelihood, null_log_likelihood (intercept only), Newton iterations, converged (false with a reason, e.g. separation; then std_errors is NULL), rows, positives, l2, and the features'' means and standard deviations used to standardise them';

CREATE TYPE @extschema@.logistic_rows;

CREATE FUNCTION @extschema@.logistic_rows_in(cstring) RETURNS @extschema@.logistic_rows
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.logistic_rows_out(@extschema@.logistic_rows) RETURNS cstring
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.logistic_rows_recv(internal) RETURNS @extschema@.logistic_rows
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.logistic_rows_send(@extschema@.logistic_rows) RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.logistic_rows_in(cstring) IS
'text input of logistic_rows: the base64 of its binary form, checked completely (22P02 if not base64, 22P03 if not a valid state)';
COMMENT ON FUNCTION @extschema@.logistic_rows_out(@extschema@.logistic_rows) IS
'text output of logistic_rows: the base64 of its binary form';
COMMENT ON FUNCTION @extschema@.logistic_rows_recv(internal) IS
'binary input of logistic_rows: its portable encoding (a version byte, then every field in network byte order), checked completely (22P03)';
COMMENT ON FUNCTION @extschema@.logistic_rows_send(@extschema@.logistic_rows) IS
'binary output of logistic_rows: its portable encoding, a version byte, then every field in network byte order';

CREATE TYPE @extschema@.logistic_rows (
    INPUT = @extschema@.logistic_rows_in,
    OUTPUT = @extschema@.logistic_rows_out,
    RECEIVE = @extschema@.logistic_rows_recv,
    SEND = @extschema@.logistic_rows_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);

COMMENT ON TYPE @extschema@.logistic_rows IS
'the state of logistic_fit(): every row''s label and features, 8 bytes a feature and 1 a label, at most 1 GB';

CREATE FUNCTION @extschema@.logistic_rows_add(@extschema@.logistic_rows, boolean, float8[])
RETURNS @extschema@.logistic_rows
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.logistic_rows_add(@extschema@.logistic_rows, boolean, float8[], float8)
RETURNS @extschema@.logistic_rows
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.logistic_rows_combine(@extschema@.logistic_rows, @extschema@.logistic_rows)
RETURNS @extschema@.logistic_rows
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.logistic_rows_add(@extschema@.logistic_rows, boolean, float8[]) IS
'transition function of logistic_fit(churned, features): keeps the row; a NULL label or NULL features skip it';
COMMENT ON FUNCTION @extschema@.logistic_rows_add(@extschema@.logistic_rows, boolean, float8[], float8) IS
'transition function of logistic_fit(churned, features, l2): keeps the row; l2 must be the same in every row';
COMMENT ON FUNCTION @extschema@.logistic_rows_combine(@extschema@.logistic_rows, @extschema@.logistic_rows) IS
'concatenates the rows of two logistic_rows states';

CREATE FUNCTION @extschema@.logistic_fit(@extschema@.logistic_rows)
RETURNS @extschema@.logistic_model
AS 'MODULE_PATHNAME', 'logistic_fit_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.logistic_fit(@extschema@.logistic_rows) IS
'maximum-likelihood (or L2-penalised) logistic regression of the rows by Newton-Raphson on standardised features; no rows: NULL';

CREATE AGGREGATE @extschema@.logistic_fit(churned boolean, features float8[]) (
    SFUNC = @extschema@.logistic_rows_add,
    STYPE = @extschema@.logistic_rows,
    COMBINEFUNC = @extschema@.logistic_rows_combine,
    FINALFUNC = @extschema@.logistic_fit,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE @extschema@.logistic_fit(boolean, float8[]) IS
'maximum-likelihood logistic regression of churned on features (same length in every row), as R''s glm(family = binomial); rows with a NULL label or NULL features are skipped';

CREATE AGGREGATE @extschema@.logistic_fit(churned boolean, features float8[], l2 float8) (
    SFUNC = @extschema@.logistic_rows_add,
    STYPE = @extschema@.logistic_rows,
    COMBINEFUNC = @extschema@.logistic_rows_combine,
    FINALFUNC = @extschema@.logistic_fit,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE @extschema@.logistic_fit(boolean, float8[], float8) IS
'logistic regression maximising log-likelihood - l2 / 2 * (sum of squared standardised coefficients, intercept excluded); l2 >= 0, the same in every row';

CREATE FUNCTION @extschema@.logistic_predict(model @extschema@.logistic_model, features float8[])
RETURNS float8
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.logistic_predict(@extschema@.logistic_model, float8[]) IS
'probability = 1 / (1 + exp(-(b0 + sum b_j x_j))) of a converged model for one row of features';

CREATE FUNCTION @extschema@.logistic_contributions(model @extschema@.logistic_model, features float8[])
RETURNS float8[]
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.logistic_contributions(@extschema@.logistic_model, float8[]) IS
'each feature''s push on the log-odds = b_j * (x_j - mean_j), the coefficient times the standardised value; the log-odds are those at the mean features plus their sum';

CREATE FUNCTION @extschema@.logistic_terms(model @extschema@.logistic_model,
    OUT term integer, OUT coefficient float8, OUT std_error float8, OUT z float8, OUT p_value float8)
RETURNS SETOF record
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 11;

COMMENT ON FUNCTION @extschema@.logistic_terms(@extschema@.logistic_model) IS
'one row per coefficient (term 0 is the intercept) with std_error, z = coefficient / std_error and the Wald p-value 2 (1 - Phi(|z|)), as R''s summary(glm)';

-- ---------------------------------------------------------------- classifier report

CREATE TYPE @extschema@.score_decile AS (
    decile integer,
    rows float8,
    positives float8,
    churn_rate float8,
    lift float8,
    cumulative_share float8,
    cumulative_lift float8,
    min_score float8,
    max_score float8
);

COMMENT ON TYPE @extschema@.score_decile IS
'one tenth of the rows ranked by score, highest first (decile 1): rows, positives, churn_rate = positives / rows, lift = churn_rate / base rate, cumulative_share of all positives in deciles 1 to this one, cumulative_lift, and the score range; tied scores on a boundary are shared in proportion';

CREATE TYPE @extschema@.classifier_report AS (
    rows bigint,
    positives bigint,
    base_rate float8,
    auc float8,
    log_loss float8,
    brier_score float8,
    deciles @extschema@.score_decile[]
);

COMMENT ON TYPE @extschema@.classifier_report IS
'how scores rank and predict a label: rows, positives, base_rate = positives / rows, exact auc (ties count half; NULL with one label only), log_loss and brier_score (NULL unless every score is in [0, 1]), deciles';

CREATE TYPE @extschema@.classifier_scores;

CREATE FUNCTION @extschema@.classifier_scores_in(cstring) RETURNS @extschema@.classifier_scores
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.classifier_scores_out(@extschema@.classifier_scores) RETURNS cstring
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.classifier_scores_recv(internal) RETURNS @extschema@.classifier_scores
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.classifier_scores_send(@extschema@.classifier_scores) RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.classifier_scores_in(cstring) IS
'text input of classifier_scores: the base64 of its binary form, checked completely (22P02 if not base64, 22P03 if not a valid state)';
COMMENT ON FUNCTION @extschema@.classifier_scores_out(@extschema@.classifier_scores) IS
'text output of classifier_scores: the base64 of its binary form';
COMMENT ON FUNCTION @extschema@.classifier_scores_recv(internal) IS
'binary input of classifier_scores: its portable encoding (a version byte, then every field in network byte order), checked completely (22P03)';
COMMENT ON FUNCTION @extschema@.classifier_scores_send(@extschema@.classifier_scores) IS
'binary output of classifier_scores: its portable encoding, a version byte, then every field in network byte order';

CREATE TYPE @extschema@.classifier_scores (
    INPUT = @extschema@.classifier_scores_in,
    OUTPUT = @extschema@.classifier_scores_out,
    RECEIVE = @extschema@.classifier_scores_recv,
    SEND = @extschema@.classifier_scores_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);

COMMENT ON TYPE @extschema@.classifier_scores IS
'the state of classifier_report(): every row''s score and label, 9 bytes a row, at most 1 GB';

CREATE FUNCTION @extschema@.classifier_scores_add(@extschema@.classifier_scores, float8, boolean)
RETURNS @extschema@.classifier_scores
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.classifier_scores_combine(@extschema@.classifier_scores, @extschema@.classifier_scores)
RETURNS @extschema@.classifier_scores
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.classifier_scores_add(@extschema@.classifier_scores, float8, boolean) IS
'transition function of classifier_report(): keeps the row; a NULL score or label skips it';
COMMENT ON FUNCTION @extschema@.classifier_scores_combine(@extschema@.classifier_scores, @extschema@.classifier_scores) IS
'concatenates the rows of two classifier_scores states';

CREATE FUNCTION @extschema@.classifier_report(@extschema@.classifier_scores)
RETURNS @extschema@.classifier_report
AS 'MODULE_PATHNAME', 'classifier_report_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.classifier_report(@extschema@.classifier_scores) IS
'the classifier report of a classifier_scores state';

CREATE AGGREGATE @extschema@.classifier_report(score float8, label boolean) (
    SFUNC = @extschema@.classifier_scores_add,
    STYPE = @extschema@.classifier_scores,
    COMBINEFUNC = @extschema@.classifier_scores_combine,
    FINALFUNC = @extschema@.classifier_report,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE @extschema@.classifier_report(float8, boolean) IS
'AUC (exact, ties half), log loss, Brier score and deciles of scores against a boolean label (e.g. churned); rows with a NULL score or label are skipped; NULL without rows';

CREATE FUNCTION @extschema@.classifier_deciles(report @extschema@.classifier_report)
RETURNS SETOF @extschema@.score_decile
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE ROWS 10
BEGIN ATOMIC
    SELECT d.decile, d.rows, d.positives, d.churn_rate, d.lift, d.cumulative_share,
           d.cumulative_lift, d.min_score, d.max_score
    FROM pg_catalog.unnest(report.deciles) AS d;
END;

COMMENT ON FUNCTION @extschema@.classifier_deciles(@extschema@.classifier_report) IS
'the ten deciles of a classifier report as rows, highest scores first, for a lift chart';
