-- pgTAP: every aggregate of the extension can be split into partial and
-- final steps, by parallel query and by a distributed planner such as
-- Citus: it has a combine function, its state is a real type (not a pseudo
-- type such as internal, which cannot be shipped between nodes), and it is
-- PARALLEL SAFE.  Every function (procedures aside) is PARALLEL SAFE and none is SECURITY
-- DEFINER.  The objects are read from the catalog (pg_depend on the
-- extension), so aggregates and functions added later are checked too, and
-- the plan is counted from the same catalog.
BEGIN;

CREATE TEMP VIEW ext_functions AS
SELECT p.oid, p.oid::regprocedure::text AS signature, p.prokind, p.proparallel, p.prosecdef
FROM pg_extension AS e
JOIN pg_depend AS d ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
                    AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
JOIN pg_proc AS p ON p.oid = d.objid
WHERE e.extname = 'saas_metrics'
  AND p.prokind <> 'p';  -- procedures have no parallel safety

CREATE TEMP VIEW ext_aggregates AS
SELECT f.signature, f.proparallel, a.aggcombinefn, a.aggtranstype::regtype::text AS state_type, t.typtype
FROM ext_functions AS f
JOIN pg_aggregate AS a ON a.aggfnoid = f.oid
JOIN pg_type AS t ON t.oid = a.aggtranstype;

SELECT plan(3 + (SELECT 3 * count(*)::integer FROM ext_aggregates)
              + (SELECT count(*)::integer FROM ext_functions WHERE prokind <> 'a')
              + (SELECT count(*)::integer FROM ext_functions));

-- the catalog query finds what it should: the NPS aggregates and functions
SELECT is((SELECT array_agg(signature ORDER BY signature) FROM ext_aggregates
           WHERE signature IN ('nps(integer)', 'nps_agg(integer)', 'rollup(nps_summary)')),
          ARRAY['nps(integer)', 'nps_agg(integer)', 'rollup(nps_summary)'],
          'the catalog lists the NPS aggregates as objects of the extension');
-- 11 formulas, and nps(bigint, bigint, bigint), nps_category, the 4 I/O
-- functions of nps_summary, its transition and combine functions, nps() of it
-- and its 4 count accessors
SELECT ok((SELECT count(*) FROM ext_functions WHERE prokind = 'f') >= 11 + 1 + 1 + 4 + 2 + 1 + 4,
          'the catalog lists the functions of the extension');
SELECT ok(NOT EXISTS (SELECT FROM ext_functions WHERE signature IN ('count("any")', 'sum(bigint)')),
          'the catalog lists no core functions');

SELECT ok(aggcombinefn::oid <> 0, format('aggregate %s has a combine function', signature))
FROM ext_aggregates ORDER BY signature;

SELECT ok(typtype <> 'p', format('aggregate %s has a state type that is not a pseudo-type (%s)', signature, state_type))
FROM ext_aggregates ORDER BY signature;

SELECT ok(proparallel = 's', format('aggregate %s is PARALLEL SAFE', signature))
FROM ext_aggregates ORDER BY signature;

SELECT ok(proparallel = 's', format('function %s is PARALLEL SAFE', signature))
FROM ext_functions WHERE prokind <> 'a' ORDER BY signature;

SELECT ok(NOT prosecdef, format('%s is not SECURITY DEFINER', signature))
FROM ext_functions ORDER BY signature;

SELECT * FROM finish();
ROLLBACK;
