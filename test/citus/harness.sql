-- make test-citus, step 2 (pgTAP on the coordinator): every aggregate and
-- reader of the extension gives on a distributed table exactly what it
-- gives on a local one, with the table distributed by the customer (cohort)
-- and by the row id, and EXPLAIN shows it pushed down where Citus can.
-- The cases, and the one list of expected failures, are in cases.sql.
\set QUIET 1
SET client_min_messages = warning;
SET TimeZone = 'UTC';
-- The harness's helpers are temporary objects of this session: nothing to
-- propagate to the workers.
SET citus.enable_ddl_propagation = off;
\ir cases.sql
SELECT * FROM no_plan();

-- The extension's objects, from the catalog.  Readers: every function that
-- is not a transition or combine function of an aggregate and not a type's
-- I/O function (final functions are readers too: nps(nps_summary)).
CREATE TEMP VIEW ext_objects AS
SELECT p.oid, p.oid::regprocedure::text AS signature, p.prokind,
       p.prokind = 'a'
       OR NOT (EXISTS (SELECT FROM pg_aggregate AS a WHERE p.oid IN (a.aggtransfn, a.aggcombinefn))
               OR EXISTS (SELECT FROM pg_type AS t
                          WHERE p.oid IN (t.typinput, t.typoutput, t.typreceive, t.typsend))) AS needs_case
FROM pg_extension AS e
JOIN pg_depend AS d ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
                    AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
JOIN pg_proc AS p ON p.oid = d.objid
WHERE e.extname = 'saas_metrics';

-- 'name(t1,...)' covers every overload whose argument types start with t1.
CREATE FUNCTION pg_temp.covers(pattern text, signature text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN pattern LIKE '%,...)'
                THEN starts_with(signature, left(pattern, -5))
                     AND substr(signature, length(pattern) - 4, 1) IN (',', ')')
                ELSE signature = pattern END
$$;

-- {subs}, {counts}, {purchases}, {events}, {snapshots}: the local table,
-- the one distributed by the customer (cohort), or the one distributed by
-- the row id.
CREATE FUNCTION pg_temp.with_tables(query text, variant text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    result text := query;
    base text;
BEGIN
    FOREACH base IN ARRAY ARRAY['subs', 'counts', 'purchases', 'events', 'snapshots'] LOOP
        result := replace(result, '{' || base || '}',
                          base || CASE variant WHEN 'local' THEN '_local'
                                               WHEN 'by_key' THEN CASE base WHEN 'counts' THEN '_by_cohort' ELSE '_by_customer' END
                                               ELSE '_by_row' END);
    END LOOP;
    RETURN result;
END
$$;

-- The rows of a query as sorted text lines, or the error it raised.
CREATE FUNCTION pg_temp.result_of(query text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    result text;
BEGIN
    EXECUTE format('SELECT string_agg(r::text, E''\n'' ORDER BY r::text) FROM (%s) AS r', query) INTO result;
    RETURN coalesce(result, '(no rows)');
EXCEPTION WHEN OTHERS THEN
    RETURN format('ERROR %s: %s', SQLSTATE, SQLERRM);
END
$$;

CREATE FUNCTION pg_temp.plan_of(query text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    line text;
    plan text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (VERBOSE, COSTS OFF) ' || query LOOP
        plan := plan || line || E'\n';
    END LOOP;
    RETURN plan;
EXCEPTION WHEN OTHERS THEN
    RETURN format('ERROR %s: %s', SQLSTATE, SQLERRM);
END
$$;

-- 'partial:NAME': worker_partial_agg('schema.NAME(...)'::regprocedure, ...)
-- on the shards and coord_combine_agg on the coordinator.  'worker:NAME':
-- a shard query calls schema.NAME(...) itself, and NAME is not split.
-- 'shard_sums': the shards add their rows up before sending them (the shard
-- query groups the rows of a subquery pushed down whole: what travels is a
-- row per group and shard, not one per customer).
CREATE FUNCTION pg_temp.plan_shows(plan text, expectation text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    kind text := split_part(expectation, ':', 1);
    fn text := (SELECT quote_ident(n.nspname) FROM pg_extension AS e JOIN pg_namespace AS n ON n.oid = e.extnamespace
                WHERE e.extname = 'saas_metrics') || '.' || split_part(expectation, ':', 2);
    split boolean := plan ~ ('worker_partial_agg\(''' || fn || '\(');
BEGIN
    IF kind = 'partial' THEN
        RETURN split AND plan ~ 'coord_combine_agg\(';
    ELSIF kind = 'worker' THEN
        RETURN NOT split AND plan ~ ('Query: [^\n]*[^'']' || fn || '\(');
    ELSIF kind = 'shard_sums' THEN
        RETURN plan ~ 'Query: SELECT [^\n]* worker_subquery GROUP BY ';
    END IF;
    RAISE EXCEPTION 'unknown plan expectation %', expectation;
END
$$;

CREATE FUNCTION pg_temp.plan_description(expectation text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE split_part(expectation, ':', 1)
           WHEN 'partial' THEN split_part(expectation, ':', 2) || ' split into partial aggregates on the workers'
           WHEN 'worker' THEN split_part(expectation, ':', 2) || ' run whole on the workers'
           ELSE 'the rows added up on the shards before they travel' END
$$;

-- The cluster ---------------------------------------------------------------

SELECT is((SELECT array_agg(DISTINCT result) FROM run_command_on_workers(
               $$SELECT extversion FROM pg_extension WHERE extname = 'saas_metrics'$$)),
          ARRAY[(SELECT extversion FROM pg_extension WHERE extname = 'saas_metrics')]::text[],
          'saas_metrics is installed on every worker, in the coordinator''s version');
SELECT is((SELECT count(*)::integer FROM pg_dist_node WHERE noderole = 'primary' AND groupid <> 0), 2,
          'two workers');

-- Where each customer's (cohort's) rows are: one row per row of every
-- distributed table, with the worker (group) that holds it.
CREATE FUNCTION pg_temp.placements(tbl regclass, group_column text, distribution_column text)
RETURNS TABLE (grp text, groupid integer)
LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE format(
        'SELECT t.%I::text, pl.groupid FROM %s AS t
         JOIN pg_dist_placement AS pl ON pl.shardid = get_shard_id_for_distribution_column(%L, t.%I)',
        group_column, tbl, tbl, distribution_column);
END
$$;

-- tables distributed by the row id: many customers (every cohort) on both workers
SELECT cmp_ok((SELECT count(*) FROM (SELECT p.grp FROM pg_temp.placements(t.tbl, t.grp, 'id') AS p
                                     GROUP BY p.grp HAVING count(DISTINCT p.groupid) > 1) AS x), '>=', t.least,
              format('%s: at least %s %s have rows on both workers', t.tbl, t.least, t.what))
FROM (VALUES ('subs_by_row'::regclass, 'customer_id', 100::bigint, 'customers'),
             ('counts_by_row', 'cohort', 6, 'cohorts (all)'),
             ('purchases_by_row', 'customer_id', 100, 'customers'),
             ('events_by_row', 'customer_id', 100, 'customers'),
             ('snapshots_by_row', 'customer_id', 100, 'customers')) AS t(tbl, grp, least, what);
-- tables distributed by the customer (cohort): each one's rows on one worker
SELECT is((SELECT count(*) FROM (SELECT p.grp FROM pg_temp.placements(t.tbl, t.grp, t.grp) AS p
                                 GROUP BY p.grp HAVING count(DISTINCT p.groupid) > 1) AS x), 0::bigint,
          format('%s: every %s''s rows are on one worker', t.tbl, t.what))
FROM (VALUES ('subs_by_customer'::regclass, 'customer_id', 'customer'), ('counts_by_cohort', 'cohort', 'cohort'),
             ('purchases_by_customer', 'customer_id', 'customer'), ('events_by_customer', 'customer_id', 'customer'),
             ('snapshots_by_customer', 'customer_id', 'customer')) AS t(tbl, grp, what);
-- the same rows everywhere
CREATE FUNCTION pg_temp.row_count(tbl regclass) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    EXECUTE format('SELECT count(*) FROM %s', tbl) INTO n;
    RETURN n;
END
$$;
SELECT is(pg_temp.row_count(t.dist), pg_temp.row_count(t.loc), format('%s: the rows of %s', t.dist, t.loc))
FROM (VALUES ('subs_by_row'::regclass, 'subs_local'::regclass), ('subs_by_customer', 'subs_local'),
             ('counts_by_row', 'counts_local'), ('counts_by_cohort', 'counts_local'),
             ('purchases_by_row', 'purchases_local'), ('purchases_by_customer', 'purchases_local'),
             ('events_by_row', 'events_local'), ('events_by_customer', 'events_local'),
             ('snapshots_by_row', 'snapshots_local'), ('snapshots_by_customer', 'snapshots_local')) AS t(dist, loc);
-- Coverage: every aggregate and reader has a case; every case names real
-- objects; every expected failure names a case --------------------------------

SELECT ok(EXISTS (SELECT FROM cases AS c, unnest(c.covers) AS pattern WHERE pg_temp.covers(pattern, o.signature)),
          format('%s %s has a Citus case', CASE o.prokind WHEN 'a' THEN 'aggregate' ELSE 'reader' END, o.signature))
FROM ext_objects AS o WHERE o.needs_case ORDER BY o.signature;

SELECT ok(EXISTS (SELECT FROM ext_objects AS o WHERE pg_temp.covers(pattern, o.signature)),
          format('case "%s" names %s, an object of the extension', c.case_name, pattern))
FROM cases AS c, unnest(c.covers) AS pattern
ORDER BY c.case_name, pattern;

SELECT ok(EXISTS (SELECT FROM cases AS c
                  WHERE c.case_name = f.case_name
                    AND coalesce(f.variant, 'by_key') = ANY (c.variants)
                    AND coalesce(f.variant, 'by_row') = ANY (c.variants)),
          format('expected failure "%s" (%s) names a case and a variant it runs on', f.case_name, coalesce(f.variant, 'both')))
FROM expected_failures AS f ORDER BY f.case_name;

-- The cases ------------------------------------------------------------------

-- A case's reference result is its same_as query's on the local table
-- when it has one (then the case's own query must give the same there, if
-- it runs there), else its own query's on the local table.
CREATE FUNCTION pg_temp.run_case(c cases) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
    reference text;
    local_result text;
    dist_result text;
    plan text;
    v text;
    expectation text;
    expected_failure text;
BEGIN
    reference := pg_temp.result_of(pg_temp.with_tables(coalesce(c.same_as, c.query), 'local'));
    RETURN NEXT ok(reference !~ '^ERROR' AND reference <> '(no rows)',
                   format('case "%s": %s on the local table and returns rows', c.case_name,
                          CASE WHEN c.same_as IS NULL THEN 'runs' ELSE 'its reference query runs' END));
    IF reference ~ '^ERROR' THEN
        RETURN NEXT diag(reference);
    END IF;
    IF c.same_as IS NOT NULL AND 'local' = ANY (c.variants) THEN
        local_result := pg_temp.result_of(pg_temp.with_tables(c.query, 'local'));
        RETURN NEXT ok(local_result = reference,
                       format('case "%s": on the local table, the same result as its reference query', c.case_name));
        IF local_result IS DISTINCT FROM reference THEN
            RETURN NEXT diag(format(E'query:     %s\nreference: %s',
                                    left(replace(local_result, E'\n', ' | '), 400),
                                    left(replace(reference, E'\n', ' | '), 400)));
        END IF;
    END IF;

    FOREACH v IN ARRAY ARRAY['by_key', 'by_row'] LOOP
        CONTINUE WHEN NOT v = ANY (c.variants);
        SELECT f.reason INTO expected_failure FROM expected_failures AS f
        WHERE f.case_name = c.case_name AND coalesce(f.variant, v) = v;
        IF expected_failure IS NOT NULL THEN
            PERFORM todo_start(expected_failure);
        END IF;
        dist_result := pg_temp.result_of(pg_temp.with_tables(c.query, v));
        RETURN NEXT ok(dist_result = reference,
                       format('case "%s", table distributed %s: same result as %s', c.case_name,
                              CASE v WHEN 'by_key' THEN 'by customer/cohort' ELSE 'by row id' END,
                              CASE WHEN c.same_as IS NULL THEN 'the local table'
                                   ELSE 'its reference query on the local table' END));
        IF dist_result IS DISTINCT FROM reference THEN
            RETURN NEXT diag(CASE WHEN dist_result ~ '^ERROR' THEN 'distributed: ' || dist_result
                                  ELSE format(E'distributed: %s\nreference:   %s',
                                              left(replace(dist_result, E'\n', ' | '), 400),
                                              left(replace(reference, E'\n', ' | '), 400)) END);
        END IF;
        IF expected_failure IS NOT NULL THEN
            PERFORM todo_end();
        END IF;

        plan := pg_temp.plan_of(pg_temp.with_tables(c.query, v));
        FOREACH expectation IN ARRAY CASE v WHEN 'by_key' THEN c.plan_by_key ELSE c.plan_by_row END LOOP
            RETURN NEXT ok(pg_temp.plan_shows(plan, expectation),
                           format('case "%s", table distributed %s: EXPLAIN shows %s', c.case_name,
                                  CASE v WHEN 'by_key' THEN 'by customer/cohort' ELSE 'by row id' END,
                                  pg_temp.plan_description(expectation)));
        END LOOP;
    END LOOP;
END
$$;

SELECT pg_temp.run_case(c) FROM cases AS c ORDER BY c.case_name;

SELECT * FROM finish();
