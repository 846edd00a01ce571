-- Every object described: a COMMENT ON every function, aggregate (each
-- overload), type, cast and operator that saas_metrics creates, found in the
-- catalog (the extension's member objects), with its definition in one line,
-- which psql's \df+, \da+ and \dT+ show.  test/t/upgrade.sql checks that an
-- update from 0.1.0 ends with the same comments.
BEGIN;

CREATE TEMP TABLE members AS
SELECT pg_describe_object(d.classid, d.objid, 0) AS object,
       obj_description(d.objid, d.classid::regclass::name) AS comment
FROM pg_depend AS d
JOIN pg_extension AS e ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
WHERE e.extname = 'saas_metrics' AND d.deptype = 'e'
  AND d.classid IN ('pg_proc'::regclass, 'pg_type'::regclass, 'pg_cast'::regclass, 'pg_operator'::regclass);

SELECT plan(1 + (SELECT count(*)::integer FROM members));

SELECT cmp_ok((SELECT count(*) FROM members), '>', 80::bigint,
              'the catalog query finds the extension''s functions, aggregates and types');

SELECT ok(comment IS NOT NULL AND comment !~ '[\n\r]' AND length(btrim(comment)) >= 20,
          object || ' has a one-line comment' || coalesce(': ' || left(comment, 60), ' (none)'))
FROM members
ORDER BY object;

SELECT * FROM finish();
ROLLBACK;
