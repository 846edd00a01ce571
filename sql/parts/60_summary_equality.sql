-- new in 0.2.0
-- Equality of summaries, so that DISTINCT, UNION, GROUP BY, IN and hash
-- joins work on them: two summaries are equal when they hold the same
-- information (their canonical forms, see sm_summaries_equal() in
-- src/saas_metrics.h, are equal byte for byte).  A hash operator class, no
-- btree one: summaries have no meaningful order.

CREATE FUNCTION @extschema@.nps_summary_eq(@extschema@.nps_summary, @extschema@.nps_summary)
RETURNS boolean AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION @extschema@.nps_summary_ne(@extschema@.nps_summary, @extschema@.nps_summary)
RETURNS boolean AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION @extschema@.nps_summary_hash(@extschema@.nps_summary)
RETURNS integer AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.nps_summary_hash_extended(@extschema@.nps_summary, bigint)
RETURNS bigint AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.nps_summary_eq(@extschema@.nps_summary, @extschema@.nps_summary) IS
'true when both summaries have the same promoters, passives and detractors';
COMMENT ON FUNCTION @extschema@.nps_summary_ne(@extschema@.nps_summary, @extschema@.nps_summary) IS
'true when two NPS summaries differ in some count: the negation of nps_summary_eq';
COMMENT ON FUNCTION @extschema@.nps_summary_hash(@extschema@.nps_summary) IS
'hash of the three counts, for the hash operator class';
COMMENT ON FUNCTION @extschema@.nps_summary_hash_extended(@extschema@.nps_summary, bigint) IS
'seeded 64-bit hash of the three counts, for the hash operator class';

CREATE OPERATOR @extschema@.= (
    LEFTARG = @extschema@.nps_summary, RIGHTARG = @extschema@.nps_summary,
    FUNCTION = @extschema@.nps_summary_eq,
    COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES
);
CREATE OPERATOR @extschema@.<> (
    LEFTARG = @extschema@.nps_summary, RIGHTARG = @extschema@.nps_summary,
    FUNCTION = @extschema@.nps_summary_ne,
    COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel
);
COMMENT ON OPERATOR @extschema@.= (@extschema@.nps_summary, @extschema@.nps_summary) IS
'same promoters, passives and detractors';
COMMENT ON OPERATOR @extschema@.<> (@extschema@.nps_summary, @extschema@.nps_summary) IS
'nps_summary <> nps_summary: not the same three counts';

CREATE OPERATOR CLASS @extschema@.nps_summary_hash_ops
DEFAULT FOR TYPE @extschema@.nps_summary USING hash AS
    OPERATOR 1 @extschema@.= (@extschema@.nps_summary, @extschema@.nps_summary),
    FUNCTION 1 @extschema@.nps_summary_hash(@extschema@.nps_summary),
    FUNCTION 2 @extschema@.nps_summary_hash_extended(@extschema@.nps_summary, bigint);

CREATE FUNCTION @extschema@.sbg_counts_eq(@extschema@.sbg_counts, @extschema@.sbg_counts)
RETURNS boolean AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION @extschema@.sbg_counts_ne(@extschema@.sbg_counts, @extschema@.sbg_counts)
RETURNS boolean AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION @extschema@.sbg_counts_hash(@extschema@.sbg_counts)
RETURNS integer AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.sbg_counts_hash_extended(@extschema@.sbg_counts, bigint)
RETURNS bigint AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.sbg_counts_eq(@extschema@.sbg_counts, @extschema@.sbg_counts) IS
'true when both hold the same (age, active) pairs, in any order';
COMMENT ON FUNCTION @extschema@.sbg_counts_ne(@extschema@.sbg_counts, @extschema@.sbg_counts) IS
'true when two sbg_counts hold different (age, active) pairs: the negation of sbg_counts_eq';
COMMENT ON FUNCTION @extschema@.sbg_counts_hash(@extschema@.sbg_counts) IS
'hash of the pairs sorted by age, for the hash operator class';
COMMENT ON FUNCTION @extschema@.sbg_counts_hash_extended(@extschema@.sbg_counts, bigint) IS
'seeded 64-bit hash of the pairs sorted by age, for the hash operator class';

CREATE OPERATOR @extschema@.= (
    LEFTARG = @extschema@.sbg_counts, RIGHTARG = @extschema@.sbg_counts,
    FUNCTION = @extschema@.sbg_counts_eq,
    COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES
);
CREATE OPERATOR @extschema@.<> (
    LEFTARG = @extschema@.sbg_counts, RIGHTARG = @extschema@.sbg_counts,
    FUNCTION = @extschema@.sbg_counts_ne,
    COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel
);
COMMENT ON OPERATOR @extschema@.= (@extschema@.sbg_counts, @extschema@.sbg_counts) IS
'same (age, active) pairs, in any order';
COMMENT ON OPERATOR @extschema@.<> (@extschema@.sbg_counts, @extschema@.sbg_counts) IS
'sbg_counts <> sbg_counts: not the same (age, active) pairs, in any order';

CREATE OPERATOR CLASS @extschema@.sbg_counts_hash_ops
DEFAULT FOR TYPE @extschema@.sbg_counts USING hash AS
    OPERATOR 1 @extschema@.= (@extschema@.sbg_counts, @extschema@.sbg_counts),
    FUNCTION 1 @extschema@.sbg_counts_hash(@extschema@.sbg_counts),
    FUNCTION 2 @extschema@.sbg_counts_hash_extended(@extschema@.sbg_counts, bigint);

CREATE FUNCTION @extschema@.subscription_book_eq(@extschema@.subscription_book, @extschema@.subscription_book)
RETURNS boolean AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION @extschema@.subscription_book_ne(@extschema@.subscription_book, @extschema@.subscription_book)
RETURNS boolean AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION @extschema@.subscription_book_hash(@extschema@.subscription_book)
RETURNS integer AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.subscription_book_hash_extended(@extschema@.subscription_book, bigint)
RETURNS bigint AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.subscription_book_eq(@extschema@.subscription_book, @extschema@.subscription_book) IS
'true when both books hold the same rows of the same customers (their canonical flat forms are equal)';
COMMENT ON FUNCTION @extschema@.subscription_book_ne(@extschema@.subscription_book, @extschema@.subscription_book) IS
'true when two books differ in some customer or row: the negation of subscription_book_eq';
COMMENT ON FUNCTION @extschema@.subscription_book_hash(@extschema@.subscription_book) IS
'hash of a book''s canonical flat form, for the hash operator class';
COMMENT ON FUNCTION @extschema@.subscription_book_hash_extended(@extschema@.subscription_book, bigint) IS
'seeded 64-bit hash of a book''s canonical flat form, for the hash operator class';

CREATE OPERATOR @extschema@.= (
    LEFTARG = @extschema@.subscription_book, RIGHTARG = @extschema@.subscription_book,
    FUNCTION = @extschema@.subscription_book_eq,
    COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES
);
CREATE OPERATOR @extschema@.<> (
    LEFTARG = @extschema@.subscription_book, RIGHTARG = @extschema@.subscription_book,
    FUNCTION = @extschema@.subscription_book_ne,
    COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel
);
COMMENT ON OPERATOR @extschema@.= (@extschema@.subscription_book, @extschema@.subscription_book) IS
'subscription_book = subscription_book: the same rows of the same customers';
COMMENT ON OPERATOR @extschema@.<> (@extschema@.subscription_book, @extschema@.subscription_book) IS
'subscription_book <> subscription_book: some customer or row differs';

CREATE OPERATOR CLASS @extschema@.subscription_book_hash_ops
DEFAULT FOR TYPE @extschema@.subscription_book USING hash AS
    OPERATOR 1 @extschema@.= (@extschema@.subscription_book, @extschema@.subscription_book),
    FUNCTION 1 @extschema@.subscription_book_hash(@extschema@.subscription_book),
    FUNCTION 2 @extschema@.subscription_book_hash_extended(@extschema@.subscription_book, bigint);
