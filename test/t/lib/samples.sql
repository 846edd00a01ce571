-- Included (\ir) by the catalog-driven tests (hostile_arguments,
-- operator_capture): sample values of every argument type of the
-- extension's functions, written as typed literals, and the plan of calls
-- made with them.  Defines, in the current session:
--   sample(typ, literal, normal)    boundary values by type, one normal each
--   extension_function, extension_type   the extension's members
--   call_plan(signature, call, rettype, language)   one statement per call:
--     each argument varied alone (the others normal), then the i-th
--     boundary value of every argument at once; aggregates over one row and
--     over none
--   outcome(signature, call, outcome, detail) and pg_temp.try_call(), which
--     runs a call and records 'ok', 'NaN', 'roundtrip', 'timeout', 'XX000' or
--     'error <sqlstate>' (detail: the message)
-- A type with no sample here gets one from the catalog: a composite from its
-- fields' samples, an array from its element's, a base type of the extension
-- from an aggregate of the extension that returns it, called on one row of
-- normal values.

CREATE TEMP TABLE sample (typ regtype, literal text, normal boolean NOT NULL DEFAULT false);
-- normal values of arguments by name (the readers' options)
CREATE TEMP TABLE named_normal (argname text, literal text);
INSERT INTO named_normal VALUES
  ('period', $$'month'::text$$), ('zero_mrr', $$'inactive'::text$$), ('changes', $$'period_end'::text$$),
  ('started_at', $$'2024-01-15'::date$$), ('ended_at', $$'2024-06-20'::date$$),
  ('from', $$'2024-01-01'::date$$), ('to', $$'2024-12-31'::date$$), ('day', $$'2024-03-01'::date$$),
  ('mrr', $$100::numeric$$), ('age', $$0$$), ('active', $$1000::bigint$$),
  ('alpha', $$0.7::float8$$), ('beta', $$1.2::float8$$), ('discount_rate', $$0.1::float8$$),
  ('t', $$3$$), ('payments_made', $$1$$), ('score', $$9$$),
  ('churn_rate', $$0.05::float8$$), ('retention_rate', $$0.95::float8$$), ('gross_margin', $$0.8::float8$$),
  ('from_days', $$30::float8$$), ('to_days', $$365::float8$$),
  ('window', $$'28 days'::interval$$), ('l2', $$1::float8$$);

INSERT INTO sample (typ, literal, normal) VALUES
  ('smallint', '1::smallint', true), ('smallint', '0::smallint', false), ('smallint', '(-1)::smallint', false),
  ('smallint', '32767::smallint', false), ('smallint', '(-32768)::smallint', false), ('smallint', 'NULL::smallint', false),
  ('integer', '1', true), ('integer', '0', false), ('integer', '-1', false), ('integer', '2147483647', false),
  ('integer', '(-2147483648)', false), ('integer', 'NULL::integer', false), ('integer', '11', false),
  ('bigint', '10::bigint', true), ('bigint', '0::bigint', false), ('bigint', '(-1)::bigint', false),
  ('bigint', '9223372036854775807::bigint', false), ('bigint', '(-9223372036854775808)::bigint', false),
  ('bigint', 'NULL::bigint', false),
  ('double precision', '0.5::float8', true), ('double precision', '0::float8', false), ('double precision', '(-1)::float8', false),
  ('double precision', '1::float8', false), ('double precision', '1e-17::float8', false), ('double precision', '5e-324::float8', false),
  ('double precision', '1.7976931348623157e308::float8', false), ('double precision', '(-1.7976931348623157e308)::float8', false),
  ('double precision', $$'NaN'::float8$$, false), ('double precision', $$'Infinity'::float8$$, false),
  ('double precision', $$'-Infinity'::float8$$, false), ('double precision', 'NULL::float8', false),
  ('numeric', '100::numeric', true), ('numeric', '0::numeric', false), ('numeric', '(-1)::numeric', false),
  ('numeric', '0.000000000000000000001::numeric', false), ('numeric', '1e100::numeric', false),
  ('numeric', '(-1e100)::numeric', false), ('numeric', $$'NaN'::numeric$$, false), ('numeric', $$'Infinity'::numeric$$, false),
  ('numeric', $$'-Infinity'::numeric$$, false), ('numeric', 'NULL::numeric', false),
  ('numeric', $$(repeat('9', 1000) || '.' || repeat('9', 1000))::numeric$$, false),
  ('boolean', 'true', true), ('boolean', 'false', false), ('boolean', 'NULL::boolean', false),
  ('uuid', $$'00000000-0000-0000-0000-000000000001'::uuid$$, true),
  ('uuid', $$'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid$$, false), ('uuid', 'NULL::uuid', false),
  ('text', $$'month'::text$$, true), ('text', $$''::text$$, false), ('text', $$'MONTH'::text$$, false),
  ('text', $$'day'::text$$, false), ('text', $$'week'::text$$, false), ('text', $$'quarter'::text$$, false),
  ('text', $$'year'::text$$, false), ('text', $$'fortnight'::text$$, false), ('text', $$'inactive'::text$$, false),
  ('text', $$'active'::text$$, false), ('text', $$'period_end'::text$$, false), ('text', $$repeat('x', 100000)$$, false),
  ('text', $$E'mon\tth'::text$$, false), ('text', 'NULL::text', false),
  ('date', $$'2024-01-15'::date$$, true), ('date', $$'-infinity'::date$$, false), ('date', $$'infinity'::date$$, false),
  ('date', $$'4713-01-01 BC'::date$$, false), ('date', $$'5874897-12-31'::date$$, false), ('date', $$'2000-02-29'::date$$, false),
  ('date', 'NULL::date', false),
  ('timestamp with time zone', $$'2024-01-15 12:00+00'::timestamptz$$, true),
  ('timestamp with time zone', $$'-infinity'::timestamptz$$, false), ('timestamp with time zone', $$'infinity'::timestamptz$$, false),
  ('timestamp with time zone', $$'4713-01-01 00:00+00 BC'::timestamptz$$, false),
  ('timestamp with time zone', $$'294276-12-31 23:59:59+00'::timestamptz$$, false),
  ('timestamp with time zone', 'NULL::timestamptz', false),
  ('bigint[]', $$'{1000,631,468,382,326,289,262,241}'::bigint[]$$, true), ('bigint[]', $$'{}'::bigint[]$$, false),
  ('bigint[]', $$'{NULL}'::bigint[]$$, false), ('bigint[]', $$'{1}'::bigint[]$$, false), ('bigint[]', $$'{5,5}'::bigint[]$$, false),
  ('bigint[]', $$'{{1000,600},{400,300}}'::bigint[]$$, false), ('bigint[]', $$'{-1,-2}'::bigint[]$$, false),
  ('bigint[]', $$'{9223372036854775807,1,0}'::bigint[]$$, false), ('bigint[]', $$'[5:7]={100,50,10}'::bigint[]$$, false),
  ('bigint[]', 'array_fill(1::bigint, ARRAY[1000001])', false), ('bigint[]', 'NULL::bigint[]', false),
  -- polymorphic customer ids: every kind of type
  ('anyelement', '1::bigint', true), ('anyelement', '42', false), ('anyelement', $$'c1'::text$$, false),
  ('anyelement', $$''::text$$, false), ('anyelement', '(-9223372036854775808)::bigint', false),
  ('anyelement', 'NULL::bigint', false), ('anyelement', $$'00000000-0000-0000-0000-000000000000'::uuid$$, false),
  ('anyelement', '1.5::numeric', false), ('anyelement', 'true', false), ('anyelement', 'ARRAY[1, 2]', false),
  ('anyelement', $$ROW(1, 'a')$$, false), ('anyelement', $$'NaN'::float8$$, false), ('anyelement', $$'\x00'::bytea$$, false),
  ('anyelement', $$'a'::varchar COLLATE "C"$$, false), ('anyelement', $$'2024-01-01'::date$$, false),
  ('cstring', $$''::cstring$$, true), ('cstring', $$'garbage'::cstring$$, false), ('cstring', $$repeat('9', 100)::cstring$$, false),
  ('cstring', $$'{0:99999999999999999999}'::cstring$$, false), ('cstring', $$'promoters=1 passives=1 detractors=1'::cstring$$, false),
  ('cstring', $$'\x00'::cstring$$, false), ('cstring', $$'{0:10,1:5}'::cstring$$, false), ('cstring', $$'\xffffffffffffffffffffffffffffffff'::cstring$$, false),
  -- the summary types of the extension
  ('nps_summary', $$'promoters=3 passives=2 detractors=1'::nps_summary$$, true),
  ('nps_summary', $$'promoters=0 passives=0 detractors=0'::nps_summary$$, false),
  ('nps_summary', $$'promoters=9223372036854775807 passives=9223372036854775807 detractors=9223372036854775807'::nps_summary$$, false),
  ('nps_summary', 'NULL::nps_summary', false),
  ('sbg_counts', $$'{0:1000,1:631,2:468}'::sbg_counts$$, true), ('sbg_counts', $$'{}'::sbg_counts$$, false),
  ('sbg_counts', $$'{0:0}'::sbg_counts$$, false), ('sbg_counts', $$'{0:1,0:1}'::sbg_counts$$, false),
  ('sbg_counts', $$'{5:10,2147483647:1}'::sbg_counts$$, false), ('sbg_counts', $$'{0:9223372036854775807,1:0}'::sbg_counts$$, false),
  ('sbg_counts', 'NULL::sbg_counts', false);

-- the churn signals: feature vectors, windows, and models, reports and
-- states made from a few rows (the state types by their transition
-- functions, in aggregates of this session: the extension's aggregates
-- return what their final functions read)
CREATE AGGREGATE pg_temp.engagement_states(timestamptz, text, numeric, timestamptz, interval) (
    SFUNC = engagement_state_add, STYPE = engagement_state);
CREATE AGGREGATE pg_temp.logistic_rows_of(boolean, float8[]) (SFUNC = logistic_rows_add, STYPE = logistic_rows);
CREATE AGGREGATE pg_temp.classifier_scores_of(float8, boolean) (SFUNC = classifier_scores_add, STYPE = classifier_scores);
CREATE TEMP VIEW churn_rows (churned, features) AS
VALUES (true, '{1,0}'::float8[]), (false, '{2,1}'), (true, '{3,1}'), (false, '{5,0}'), (true, '{2,2}'), (false, '{1,1}');
INSERT INTO sample (typ, literal, normal) VALUES
  ('double precision[]', $$'{1,2}'::float8[]$$, true), ('double precision[]', $$'{}'::float8[]$$, false),
  ('double precision[]', $$'{NULL,1}'::float8[]$$, false), ('double precision[]', $$'{NaN,1}'::float8[]$$, false),
  ('double precision[]', $$'{Infinity,-Infinity}'::float8[]$$, false), ('double precision[]', $$'{0,0}'::float8[]$$, false),
  ('double precision[]', $$'{1.7976931348623157e308,-1.7976931348623157e308}'::float8[]$$, false),
  ('double precision[]', $$'{5e-324,1e-300}'::float8[]$$, false), ('double precision[]', $$'{1}'::float8[]$$, false),
  ('double precision[]', $$'{1,2,3}'::float8[]$$, false), ('double precision[]', $$'{{1,2},{3,4}}'::float8[]$$, false),
  ('double precision[]', $$'[5:6]={1,2}'::float8[]$$, false), ('double precision[]', 'array_fill(1::float8, ARRAY[1001])', false),
  ('double precision[]', 'NULL::float8[]', false),
  ('interval', $$'28 days'::interval$$, true), ('interval', $$'0'::interval$$, false), ('interval', $$'-1 day'::interval$$, false),
  ('interval', $$'1 month -1 day'::interval$$, false), ('interval', $$'36 hours'::interval$$, false),
  ('interval', $$'1 month'::interval$$, false), ('interval', $$'11 years'::interval$$, false),
  ('interval', $$'178000000 years'::interval$$, false), ('interval', $$'1 microsecond'::interval$$, false),
  ('interval', 'NULL::interval', false),
  ('logistic_model', '(SELECT logistic_fit(churned, features) FROM churn_rows)', false),
  ('logistic_model', '(SELECT logistic_fit(churned, features, 1) FROM churn_rows)', false),
  ('logistic_model', $$(SELECT logistic_fit(churned, features) FROM churn_rows WHERE features[2] <> 1::float8)$$, false),
  ('classifier_report', '(SELECT classifier_report(features[1] / 5::float8, churned) FROM churn_rows)', false),
  ('classifier_report', '(SELECT classifier_report(features[1], churned) FROM churn_rows)', false),
  ('engagement_state', $$(SELECT pg_temp.engagement_states(t, f, q, '2024-01-15 12:00+00', '28 days')
                          FROM (VALUES (timestamptz '2024-01-10 09:00+00', 'reports', 2.5), ('2023-12-20 10:00+00', 'exports', 1),
                                       ('2024-01-14 23:00+00', NULL, NULL)) v(t, f, q))$$, true),
  ('engagement_state', $$(SELECT pg_temp.engagement_states(NULL, NULL, NULL, '2024-01-15 12:00+00', '1 year'))$$, false),
  ('logistic_rows', '(SELECT pg_temp.logistic_rows_of(churned, features) FROM churn_rows)', true),
  ('logistic_rows', $$(SELECT pg_temp.logistic_rows_of(true, '{1,2}'))$$, false),
  ('classifier_scores', '(SELECT pg_temp.classifier_scores_of(features[1] / 5::float8, churned) FROM churn_rows)', true),
  ('classifier_scores', $$(SELECT pg_temp.classifier_scores_of(0.5, NULL))$$, false);

-- samples of the types that have none yet, from the catalog
CREATE TEMP TABLE extension_function AS
SELECT p.oid, p.prokind, p.prorettype, p.proretset, p.proargtypes::oid[] AS argtypes,
       coalesce(p.proargnames, '{}') AS argnames,
       format('%I.%I', n.nspname, p.proname) AS qualified_name,
       p.oid::regprocedure::text AS signature,
       (SELECT lanname FROM pg_language WHERE oid = p.prolang) AS language
FROM pg_depend d
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'saas_metrics'
JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE d.deptype = 'e';

CREATE TEMP TABLE extension_type AS
SELECT t.oid, t.typtype, t.typrelid, t.typelem, t.typarray
FROM pg_depend d
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'saas_metrics'
JOIN pg_type t ON d.classid = 'pg_type'::regclass AND t.oid = d.objid
WHERE d.deptype = 'e';

CREATE FUNCTION pg_temp.literal_type(literal text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE t text;
BEGIN
	EXECUTE format('SELECT pg_typeof(%s)::text', literal) INTO t;
	RETURN t;
EXCEPTION WHEN OTHERS THEN
	RETURN NULL;
END $$;

-- the normal literal of an argument: by its name, else by its type
CREATE FUNCTION pg_temp.normal_literal(typ oid, argname text) RETURNS text LANGUAGE sql AS $$
  SELECT coalesce((SELECT literal FROM named_normal n WHERE n.argname = $2 AND
                          (SELECT count(*) FROM sample s WHERE s.typ = $1) > 0 AND
                          (SELECT t FROM pg_temp.literal_type(n.literal) t) = $1::regtype::text),
                  (SELECT literal FROM sample s WHERE s.typ = $1 AND s.normal LIMIT 1))
$$;

-- composite types of the extension: a row of normal fields, a row of NULLs,
-- and rows of the i-th boundary value of every field
INSERT INTO sample (typ, literal, normal)
SELECT t.oid, format('ROW(%s)::%s', string_agg(coalesce(pg_temp.normal_literal(a.atttypid, NULL), 'NULL'), ', ' ORDER BY a.attnum), t.oid::regtype), true
FROM extension_type t JOIN pg_attribute a ON a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
WHERE t.typtype = 'c' GROUP BY t.oid;
INSERT INTO sample (typ, literal)
SELECT t.oid, format('ROW(%s)::%s', string_agg(format('NULL::%s', a.atttypid::regtype), ', ' ORDER BY a.attnum), t.oid::regtype)
FROM extension_type t JOIN pg_attribute a ON a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
WHERE t.typtype = 'c' GROUP BY t.oid;
INSERT INTO sample (typ, literal)
SELECT t.oid, format('ROW(%s)::%s',
                     string_agg((SELECT s.literal FROM sample s WHERE s.typ = a.atttypid AND NOT s.normal
                                 ORDER BY s.literal OFFSET i::bigint % nullif((SELECT count(*) FROM sample s2 WHERE s2.typ = a.atttypid AND NOT s2.normal), 0) LIMIT 1),
                                ', ' ORDER BY a.attnum), t.oid::regtype)
FROM extension_type t JOIN pg_attribute a ON a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped,
     generate_series(0, 11) i
WHERE t.typtype = 'c' GROUP BY t.oid, i;

-- base types of the extension without samples: an aggregate that makes one
INSERT INTO sample (typ, literal, normal)
SELECT DISTINCT ON (t.oid) t.oid,
       format('(SELECT %s(%s))', f.qualified_name,
              (SELECT string_agg(pg_temp.normal_literal(a.typ, f.argnames[a.i]), ', ' ORDER BY a.i)
               FROM unnest(f.argtypes) WITH ORDINALITY a(typ, i))), true
FROM extension_type t JOIN extension_function f ON f.prokind = 'a' AND f.prorettype = t.oid
WHERE t.typtype = 'b' AND NOT EXISTS (SELECT 1 FROM sample s WHERE s.typ = t.oid)
ORDER BY t.oid, cardinality(f.argtypes) DESC;
INSERT INTO sample (typ, literal)
SELECT t.oid, format('NULL::%s', t.oid::regtype) FROM extension_type t
WHERE t.typtype = 'b' AND NOT EXISTS (SELECT 1 FROM sample s WHERE s.typ = t.oid AND s.literal LIKE 'NULL::%');

-- arrays of the extension's types: empty, one NULL, every sample
INSERT INTO sample (typ, literal, normal)
SELECT t.typarray, format('ARRAY[%s]::%s[]', string_agg(s.literal, ', '), t.oid::regtype), true
FROM extension_type t JOIN sample s ON s.typ = t.oid WHERE t.typarray <> 0 AND s.literal NOT LIKE $$NULL::%$$ GROUP BY t.oid, t.typarray;
INSERT INTO sample (typ, literal)
SELECT t.typarray, l FROM extension_type t,
  LATERAL (VALUES (format($$'{}'::%s[]$$, t.oid::regtype)), (format('ARRAY[NULL]::%s[]', t.oid::regtype)),
                  (format('NULL::%s[]', t.oid::regtype))) v(l)
WHERE t.typarray <> 0;

-- a sample that cannot even be written (e.g. an aggregate whose normal call
-- fails) is dropped; the coverage test below reports a type left without one
DELETE FROM sample WHERE pg_temp.literal_type(literal) IS NULL;

CREATE TEMP TABLE outcome (signature text, call text, outcome text, detail text);
CREATE TEMP TABLE call_plan (signature text, call text, rettype oid, language name);

-- the calls: each argument varied alone, then the i-th boundary value of
-- every argument at once
INSERT INTO call_plan
WITH arg AS (
  SELECT f.oid, a.i, a.typ, pg_temp.normal_literal(a.typ, f.argnames[a.i]) AS normal
  FROM extension_function f, unnest(f.argtypes) WITH ORDINALITY a(typ, i)
), variant AS (
  SELECT a.oid, a.i AS varied, s.literal
  FROM arg a JOIN sample s ON s.typ = a.typ
), arglists AS (
  SELECT v.oid, (SELECT string_agg(coalesce(CASE WHEN a.i = v.varied THEN v.literal ELSE a.normal END, '<no sample>'), ', ' ORDER BY a.i)
                 FROM arg a WHERE a.oid = v.oid) AS args
  FROM variant v
  UNION
  SELECT f.oid, (SELECT string_agg(coalesce((SELECT s.literal FROM sample s WHERE s.typ = a.typ ORDER BY s.literal
                                    OFFSET k::bigint % nullif((SELECT count(*) FROM sample s2 WHERE s2.typ = a.typ), 0) LIMIT 1),
                                    '<no sample>'), ', ' ORDER BY a.i)
                 FROM arg a WHERE a.oid = f.oid)
  FROM extension_function f, generate_series(0, 15) k
  WHERE cardinality(f.argtypes) > 0
)
SELECT f.signature,
       CASE WHEN f.prokind = 'a' THEN
                format('SELECT string_agg(r::text, '' '') FROM (SELECT %s(%s) AS r FROM generate_series(1, %s)) s', f.qualified_name, l.args, r.rows)
            ELSE format('SELECT string_agg(r::text, '' '') FROM (SELECT %s(%s) AS r) s', f.qualified_name, l.args) END,
       f.prorettype, f.language
FROM extension_function f JOIN arglists l ON l.oid = f.oid
     -- an aggregate over one row, and over none
     CROSS JOIN LATERAL (SELECT 1 AS rows UNION ALL SELECT 0 WHERE f.prokind = 'a') r
WHERE l.args IS NOT NULL AND l.args NOT LIKE '%<no sample>%' AND NOT ('internal'::regtype = ANY (f.argtypes))
UNION ALL
SELECT f.signature, format('SELECT string_agg(r::text, '' '') FROM (SELECT %s() AS r) s', f.qualified_name), f.prorettype, f.language
FROM extension_function f WHERE cardinality(f.argtypes) = 0;

CREATE FUNCTION pg_temp.try_call(signature text, call text, rettype oid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	result text;
	back text;
BEGIN
	EXECUTE call INTO result;
	IF result ~ '\mNaN\M' THEN
		INSERT INTO outcome VALUES (signature, call, 'NaN', left(result, 200));
		RETURN;
	END IF;
	IF result IS NOT NULL AND rettype IN (SELECT oid FROM extension_type WHERE typtype = 'b') THEN
		BEGIN
			EXECUTE format('SELECT %L::%s::text', result, rettype::regtype) INTO back;
			IF back IS DISTINCT FROM result THEN
				INSERT INTO outcome VALUES (signature, call, 'roundtrip', 'reads back as ' || left(back, 100));
				RETURN;
			END IF;
		EXCEPTION WHEN OTHERS THEN
			INSERT INTO outcome VALUES (signature, call, 'roundtrip', SQLSTATE || ' ' || SQLERRM);
			RETURN;
		END;
	END IF;
	INSERT INTO outcome VALUES (signature, call, 'ok', NULL);
EXCEPTION
	WHEN query_canceled THEN
		INSERT INTO outcome VALUES (signature, call, 'timeout', NULL);
	WHEN OTHERS THEN
		INSERT INTO outcome VALUES (signature, call, CASE WHEN SQLSTATE = 'XX000' THEN 'XX000' ELSE 'error ' || SQLSTATE END, SQLERRM);
END $$;

