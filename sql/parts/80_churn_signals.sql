
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
'text input of engagement_state: \x and the hex digits of its flat form, checked';
COMMENT ON FUNCTION @extschema@.engagement_state_out(@extschema@.engagement_state) IS
'text output of engagement_state: \x and the hex digits of its flat form';
COMMENT ON FUNCTION @extschema@.engagement_state_recv(internal) IS
'binary input of engagement_state: its flat form, checked';
COMMENT ON FUNCTION @extschema@.engagement_state_send(@extschema@.engagement_state) IS
'binary output of engagement_state: its flat form';

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
