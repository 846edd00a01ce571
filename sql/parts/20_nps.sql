
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

COMMENT ON FUNCTION @extschema@.nps_summary_in(cstring) IS
'input function of nps_summary: ''promoters=N passives=N detractors=N'', counts non-negative bigints';
COMMENT ON FUNCTION @extschema@.nps_summary_out(@extschema@.nps_summary) IS
'output function of nps_summary: ''promoters=N passives=N detractors=N''';
COMMENT ON FUNCTION @extschema@.nps_summary_recv(internal) IS
'binary input function of nps_summary: three int8, promoters, passives, detractors';
COMMENT ON FUNCTION @extschema@.nps_summary_send(@extschema@.nps_summary) IS
'binary output function of nps_summary: three int8, promoters, passives, detractors';

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

COMMENT ON FUNCTION @extschema@.nps_summary_add(@extschema@.nps_summary, integer) IS
'transition function of the NPS aggregates: the summary with one more response of score (0-10) counted in its category';
COMMENT ON FUNCTION @extschema@.nps_summary_combine(@extschema@.nps_summary, @extschema@.nps_summary) IS
'combine function of the NPS aggregates and of rollup(): the two summaries'' counts added category by category';

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
