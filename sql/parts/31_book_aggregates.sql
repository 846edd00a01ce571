-- new in 0.2.0
-- The subscription aggregates: subscription_book_agg() makes a book to keep
-- and read later; mrr_movements(customer_id, ...) and
-- cohort_retention(customer_id, ...) are shorthands that make one and read
-- it at once (with the defaults of the readers in 32_book_readers.sql).
--
-- Every aggregate has one overload per customer_id type (bigint, text,
-- uuid: smallint and integer ids are read as bigint, varchar and char as
-- text) and per date type (date, timestamptz: a timestamptz counts on its
-- local date in the session's TimeZone).  Each overload's transition
-- function is a C entry point of its own, so that nothing depends on the
-- call site's argument types, which a distributed planner such as Citus
-- does not pass.  They are generated here from those lists.

CREATE FUNCTION @extschema@.mrr_movements_final(@extschema@.subscription_book)
RETURNS @extschema@.mrr_movement[]
AS 'MODULE_PATHNAME', 'mrr_movements_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.mrr_movements_final(@extschema@.subscription_book) IS
'final function of the aggregate mrr_movements(customer_id, ...): the book read by the period and window it was given, as an array of mrr_movement';

CREATE FUNCTION @extschema@.cohort_retention_final(@extschema@.subscription_book)
RETURNS @extschema@.cohort_cell[]
AS 'MODULE_PATHNAME', 'cohort_retention_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.cohort_retention_final(@extschema@.subscription_book) IS
'final function of the aggregate cohort_retention(customer_id, ...): the book''s cohort triangle by the period it was given, as an array of cohort_cell';

CREATE FUNCTION @extschema@.subscription_book_result(@extschema@.subscription_book)
RETURNS @extschema@.subscription_book
AS 'MODULE_PATHNAME', 'subscription_book_result' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.subscription_book_result(@extschema@.subscription_book) IS
'final function of the aggregate subscription_book_agg(): the book, read in its parts by a reader of the result without being copied; its flat form (at most 1 GB) is made only to store or send it';

DO $generate$
DECLARE
    id_type text;
    day_type text;
    volatility text;
    transition text;
    arguments text;
    signature text;
BEGIN
    FOREACH id_type IN ARRAY ARRAY['bigint', 'text', 'uuid'] LOOP
        FOREACH day_type IN ARRAY ARRAY['date', 'timestamptz'] LOOP
            -- a timestamptz's day depends on the session's TimeZone
            volatility := CASE day_type WHEN 'date' THEN 'IMMUTABLE' ELSE 'STABLE' END;
            transition := format('subscription_book_add_%s_%s', id_type, day_type);
            arguments := format('customer_id %1$s, started_at %2$s, ended_at %2$s, mrr numeric',
                                id_type, day_type);

            -- transition functions: 4 arguments, + period, + period and window
            FOREACH signature IN ARRAY ARRAY[
                format('%1$s, %2$s, %2$s, numeric', id_type, day_type),
                format('%1$s, %2$s, %2$s, numeric, text', id_type, day_type),
                format('%1$s, %2$s, %2$s, numeric, text, %2$s, %2$s', id_type, day_type)] LOOP
                EXECUTE format($f$
                    CREATE FUNCTION @extschema@.subscription_book_add(@extschema@.subscription_book, %s)
                    RETURNS @extschema@.subscription_book
                    AS 'MODULE_PATHNAME', %L LANGUAGE C %s PARALLEL SAFE$f$,
                    signature, transition, volatility);
                EXECUTE format($f$
                    COMMENT ON FUNCTION @extschema@.subscription_book_add(@extschema@.subscription_book, %s) IS
                    'transition function of the subscription aggregates: appends one row (customer_id, started_at, ended_at, mrr) to the book'$f$,
                    signature);
            END LOOP;

            EXECUTE format($f$
                CREATE AGGREGATE @extschema@.subscription_book_agg(%s) (
                    SFUNC = @extschema@.subscription_book_add,
                    STYPE = @extschema@.subscription_book,
                    FINALFUNC = @extschema@.subscription_book_result,
                    COMBINEFUNC = @extschema@.subscription_book_combine,
                    PARALLEL = SAFE)$f$, arguments);
            EXECUTE format($f$
                COMMENT ON AGGREGATE @extschema@.subscription_book_agg(%s) IS
                'a subscription book of the rows: days, not periods, so any reader chooses its period; keep it (e.g. per segment in a materialized view), merge with rollup(), read with mrr_movements(book, ...), cohort_retention(book, ...), customer_movements(), customers_at()'$f$,
                arguments);

            FOREACH signature IN ARRAY ARRAY[
                arguments,
                arguments || ', period text',
                format('%s, period text, "from" %s, "to" %s', arguments, day_type, day_type)] LOOP
                EXECUTE format($f$
                    CREATE AGGREGATE @extschema@.mrr_movements(%s) (
                        SFUNC = @extschema@.subscription_book_add,
                        STYPE = @extschema@.subscription_book,
                        COMBINEFUNC = @extschema@.subscription_book_combine,
                        FINALFUNC = @extschema@.mrr_movements_final,
                        PARALLEL = SAFE)$f$, signature);
                EXECUTE format($f$
                    COMMENT ON AGGREGATE @extschema@.mrr_movements(%s) IS
                    'MRR movements by period (month unless given; day, week, month, quarter or year) of the rows, as an array of mrr_movement: the same as mrr_movements(subscription_book_agg(...), period, "from", "to") with its default conventions; read it with unnest(); with "from", rows ending before the window are kept only as whether the customer was active before it, and a credit active at a period end before the period preceding the window is refused (0A000)'$f$,
                    signature);
            END LOOP;

            FOREACH signature IN ARRAY ARRAY[arguments, arguments || ', period text'] LOOP
                EXECUTE format($f$
                    CREATE AGGREGATE @extschema@.cohort_retention(%s) (
                        SFUNC = @extschema@.subscription_book_add,
                        STYPE = @extschema@.subscription_book,
                        COMBINEFUNC = @extschema@.subscription_book_combine,
                        FINALFUNC = @extschema@.cohort_retention_final,
                        PARALLEL = SAFE)$f$, signature);
                EXECUTE format($f$
                    COMMENT ON AGGREGATE @extschema@.cohort_retention(%s) IS
                    'logo and revenue retention by activation cohort and age (month unless a period is given), as an array of cohort_cell: the same as cohort_retention(subscription_book_agg(...), period) with its default convention; read it with unnest()'$f$,
                    signature);
            END LOOP;
        END LOOP;
    END LOOP;
END
$generate$;
