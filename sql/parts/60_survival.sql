-- Survival curves with censoring: the Kaplan-Meier estimator, its readers
-- and the log-rank test (docs/lifecycle.md).
-- new in 0.2.0

CREATE TYPE @extschema@.survival_curve;

CREATE FUNCTION @extschema@.survival_curve_in(cstring) RETURNS @extschema@.survival_curve
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.survival_curve_out(@extschema@.survival_curve) RETURNS cstring
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.survival_curve_recv(internal) RETURNS @extschema@.survival_curve
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.survival_curve_send(@extschema@.survival_curve) RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.survival_curve (
    INPUT = @extschema@.survival_curve_in,
    OUTPUT = @extschema@.survival_curve_out,
    RECEIVE = @extschema@.survival_curve_recv,
    SEND = @extschema@.survival_curve_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);

COMMENT ON TYPE @extschema@.survival_curve IS
'counts of events and censorings at each distinct duration, ''{(time,events,censored),...}'': the result of kaplan_meier(), the state of the survival aggregates, read by the Kaplan-Meier readers';
COMMENT ON FUNCTION @extschema@.survival_curve_in(cstring) IS
'text input of survival_curve: ''{(time,events,censored),...}'', times finite, >= 0 and strictly increasing, counts >= 0 and not both 0';
COMMENT ON FUNCTION @extschema@.survival_curve_out(@extschema@.survival_curve) IS
'text output of survival_curve: ''{(time,events,censored),...}'' in increasing order of time, times in their shortest exact form';
COMMENT ON FUNCTION @extschema@.survival_curve_recv(internal) IS
'binary input of survival_curve: format byte 1, int4 number of points, then float8 time, int8 events, int8 censored per point, network byte order';
COMMENT ON FUNCTION @extschema@.survival_curve_send(@extschema@.survival_curve) IS
'binary output of survival_curve: format byte 1, int4 number of points, then float8 time, int8 events, int8 censored per point, network byte order';

-- the readers' composite results

CREATE TYPE @extschema@.survival_estimate AS (
    survival float8,
    std_error float8,
    lower float8,
    upper float8
);
COMMENT ON TYPE @extschema@.survival_estimate IS
'S(t) with its Greenwood standard error and confidence limits, as survival_ci() returns it';

CREATE TYPE @extschema@.survival_time_estimate AS (
    time float8,
    lower float8,
    upper float8
);
COMMENT ON TYPE @extschema@.survival_time_estimate IS
'a quantile of the time to the event (the median, ...) with its confidence limits, as median_survival_ci() and survival_quantile_ci() return it';

CREATE TYPE @extschema@.restricted_mean_estimate AS (
    rmean float8,
    std_error float8,
    lower float8,
    upper float8
);
COMMENT ON TYPE @extschema@.restricted_mean_estimate IS
'the restricted mean survival time to tau with its standard error and rmean -/+ z std_error limits, as restricted_mean_survival_ci() returns it';

CREATE TYPE @extschema@.logrank_result AS (
    chi_square float8,
    degrees_of_freedom integer,
    p_value float8
);
COMMENT ON TYPE @extschema@.logrank_result IS
'the log-rank test of survival curves: chi-square statistic, its degrees of freedom (groups with expected events - 1) and p-value';

-- the aggregates

CREATE FUNCTION @extschema@.survival_curve_add(@extschema@.survival_curve, duration float8, observed boolean)
RETURNS @extschema@.survival_curve
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.survival_curve_add(@extschema@.survival_curve, float8, boolean) IS
'transition function of kaplan_meier(): counts one subject, an event at duration if observed, else censored at duration';

CREATE FUNCTION @extschema@.survival_curve_combine(@extschema@.survival_curve, @extschema@.survival_curve)
RETURNS @extschema@.survival_curve
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.survival_curve_combine(@extschema@.survival_curve, @extschema@.survival_curve) IS
'combine function of kaplan_meier() and rollup(survival_curve): adds the counts of two curves duration by duration';

CREATE FUNCTION @extschema@.survival_curve_final(@extschema@.survival_curve)
RETURNS @extschema@.survival_curve
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.survival_curve_final(@extschema@.survival_curve) IS
'final function of kaplan_meier() and rollup(survival_curve): the curve in its flat form, sorted by duration';

CREATE AGGREGATE @extschema@.kaplan_meier(duration float8, observed boolean) (
    SFUNC = @extschema@.survival_curve_add,
    STYPE = @extschema@.survival_curve,
    COMBINEFUNC = @extschema@.survival_curve_combine,
    FINALFUNC = @extschema@.survival_curve_final,
    INITCOND = '{}',
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.kaplan_meier(float8, boolean) IS
'the survival_curve of the rows: one subject each, with its event at duration (observed) or censored at duration (not observed); a NULL, negative, NaN or infinite duration or a NULL observed is an error';

CREATE AGGREGATE @extschema@.rollup(@extschema@.survival_curve) (
    SFUNC = @extschema@.survival_curve_combine,
    STYPE = @extschema@.survival_curve,
    COMBINEFUNC = @extschema@.survival_curve_combine,
    FINALFUNC = @extschema@.survival_curve_final,
    INITCOND = '{}',
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rollup(@extschema@.survival_curve) IS
'the survival_curve of the union of the curves'' subjects: counts added duration by duration; NULL curves add nothing';

-- counts

CREATE FUNCTION @extschema@.subjects(@extschema@.survival_curve) RETURNS bigint
AS 'MODULE_PATHNAME', 'survival_curve_subjects' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.subjects(@extschema@.survival_curve) IS
'number of subjects of the curve (events + censored): the number at risk at its start';

CREATE FUNCTION @extschema@.events(@extschema@.survival_curve) RETURNS bigint
AS 'MODULE_PATHNAME', 'survival_curve_events' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.events(@extschema@.survival_curve) IS
'number of subjects of the curve whose event was observed';

CREATE FUNCTION @extschema@.censored(@extschema@.survival_curve) RETURNS bigint
AS 'MODULE_PATHNAME', 'survival_curve_censored' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.censored(@extschema@.survival_curve) IS
'number of subjects of the curve censored (event not observed by the end of their observation)';

-- the Kaplan-Meier readers

CREATE FUNCTION @extschema@.survival_at(curve @extschema@.survival_curve, t float8) RETURNS float8
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.survival_at(@extschema@.survival_curve, float8) IS
'Kaplan-Meier S(t) = product over event times t_i <= t of (1 - d_i / n_i): the share still without the event after t; 1 before the first time, the last value after the last; NULL for an empty curve';

CREATE FUNCTION @extschema@.survival_ci(curve @extschema@.survival_curve, t float8,
                                        conf_level float8 DEFAULT 0.95, conf_type text DEFAULT 'log-log')
RETURNS @extschema@.survival_estimate
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.survival_ci(@extschema@.survival_curve, float8, float8, text) IS
'S(t), its Greenwood standard error S(t) sqrt(sum d_i / (n_i (n_i - d_i))) and confidence limits (conf_type ''log-log'', ''log'' or ''plain''; NULL at S = 0, where the variance of log S is infinite), as R''s survfit';

CREATE FUNCTION @extschema@.median_survival(curve @extschema@.survival_curve) RETURNS float8
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.median_survival(@extschema@.survival_curve) IS
'median time to the event: the first time S falls to 0.5 or below, the midpoint to the next drop if S sits exactly at 0.5 (R''s print.survfit); NULL if S never reaches 0.5';

CREATE FUNCTION @extschema@.median_survival_ci(curve @extschema@.survival_curve,
                                               conf_level float8 DEFAULT 0.95, conf_type text DEFAULT 'log-log')
RETURNS @extschema@.survival_time_estimate
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.median_survival_ci(@extschema@.survival_curve, float8, text) IS
'median time to the event with its confidence limits: the times the lower and upper confidence curves of S reach 0.5 (R''s survfit 0.95LCL, 0.95UCL); NULL where a curve never reaches 0.5';

CREATE FUNCTION @extschema@.survival_quantile(curve @extschema@.survival_curve, p float8) RETURNS float8
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.survival_quantile(@extschema@.survival_curve, float8) IS
'p-quantile of the time to the event (0 < p < 1): the first time S falls to 1 - p or below, the midpoint to the next drop if S sits exactly at 1 - p; NULL if S never reaches 1 - p';

CREATE FUNCTION @extschema@.survival_quantile_ci(curve @extschema@.survival_curve, p float8,
                                                 conf_level float8 DEFAULT 0.95, conf_type text DEFAULT 'log-log')
RETURNS @extschema@.survival_time_estimate
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.survival_quantile_ci(@extschema@.survival_curve, float8, float8, text) IS
'p-quantile of the time to the event with its confidence limits: the times the lower and upper confidence curves of S reach 1 - p';

CREATE FUNCTION @extschema@.restricted_mean_survival(curve @extschema@.survival_curve, tau float8) RETURNS float8
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.restricted_mean_survival(@extschema@.survival_curve, float8) IS
'restricted mean survival time: the area under S from 0 to tau (> 0), the mean time to the event counted up to tau; S is carried flat past its last time (R''s print.survfit rmean)';

CREATE FUNCTION @extschema@.restricted_mean_survival_ci(curve @extschema@.survival_curve, tau float8,
                                                        conf_level float8 DEFAULT 0.95)
RETURNS @extschema@.restricted_mean_estimate
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.restricted_mean_survival_ci(@extschema@.survival_curve, float8, float8) IS
'restricted mean survival time to tau, its standard error sqrt(sum A_i^2 d_i / (n_i (n_i - d_i))) with A_i the area under S from t_i to tau (R''s se(rmean), survRM2), and rmean -/+ z std_error';

CREATE FUNCTION @extschema@.survival_table(curve @extschema@.survival_curve,
                                           conf_level float8 DEFAULT 0.95, conf_type text DEFAULT 'log-log')
RETURNS TABLE("time" float8, at_risk bigint, events bigint, censored bigint,
              survival float8, std_error float8, lower float8, upper float8)
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 100;
COMMENT ON FUNCTION @extschema@.survival_table(@extschema@.survival_curve, float8, text) IS
'one row per distinct time of the curve: subjects at risk, events, censored, S after the time, its Greenwood standard error and confidence limits (R''s summary(survfit, censored = TRUE))';

CREATE FUNCTION @extschema@.logrank_test(curves @extschema@.survival_curve[])
RETURNS @extschema@.logrank_result
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.logrank_test(@extschema@.survival_curve[]) IS
'log-rank test that two or more curves come from one survival function: chi-square = (O - E)'' V^-1 (O - E) over the groups with expected events, on their number - 1 degrees of freedom (R''s survdiff)';
