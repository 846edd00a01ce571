-- Operator capture through search_path (issue 15.3).  A role with CREATE on
-- the schema the extension is installed into can plant there, before CREATE
-- EXTENSION ... SCHEMA, operators that match exactly the operand types of
-- an expression for which pg_catalog has only an inexact match (numeric >
-- integer, numeric * integer, float8 / bigint, ...).  An SQL-language body
-- that uses such an expression then runs the planted operator, as whoever
-- calls it.  Here an operator that raises "planted operator ran" is planted
-- for every operator symbol and every pair of common types without an exact
-- match in pg_catalog, with the result type PostgreSQL itself would give,
-- in a fresh database; the extension is installed into that schema; then
--  * statically: no operator referenced by a parsed SQL body (prosqlbody)
--    is one outside pg_catalog and the extension, and
--  * dynamically: every SQL-language function of the extension, found in the
--    catalog, is called with the sample arguments of test/t/lib/samples.sql
--    (each argument varied alone, and all at once) with the planting schema
--    first in search_path, as its users have it, and no call runs a planted
--    operator.
SELECT current_database() AS tap_db \gset
SET client_min_messages = warning;
DROP DATABASE IF EXISTS saas_metrics_capture;
CREATE DATABASE saas_metrics_capture;
\c saas_metrics_capture
SET client_min_messages = warning;
CREATE EXTENSION pgtap;
CREATE SCHEMA capture;

-- the operators to plant: every symbol and pair of types for which
-- pg_catalog has no exact operator but resolves one
CREATE TABLE plant_candidate (symbol text, lefttype regtype, righttype regtype, resulttype regtype);
DO $$
DECLARE
	sym text;
	l regtype;
	r regtype;
	result regtype;
BEGIN
	FOREACH sym IN ARRAY ARRAY['+', '-', '*', '/', '%', '^', '<', '>', '<=', '>=', '=', '<>', '||'] LOOP
		FOREACH l IN ARRAY ARRAY['smallint', 'integer', 'bigint', 'numeric', 'real', 'double precision', 'date',
		                         'timestamp', 'timestamptz', 'interval', 'text', 'boolean']::regtype[] LOOP
			FOREACH r IN ARRAY ARRAY['smallint', 'integer', 'bigint', 'numeric', 'real', 'double precision', 'date',
			                         'timestamp', 'timestamptz', 'interval', 'text', 'boolean']::regtype[] LOOP
				CONTINUE WHEN EXISTS (SELECT 1 FROM pg_operator WHERE oprname = sym AND oprleft = l AND oprright = r
				                      AND oprnamespace = 'pg_catalog'::regnamespace);
				BEGIN
					EXECUTE format('SELECT pg_typeof(NULL::%s %s NULL::%s)', l, sym, r) INTO result;
					INSERT INTO plant_candidate VALUES (sym, l, r, result);
				EXCEPTION WHEN OTHERS THEN
					NULL;  -- no operator at all for this pair
				END;
			END LOOP;
		END LOOP;
	END LOOP;
END $$;

DO $$
DECLARE
	c record;
	n int := 0;
BEGIN
	FOR c IN SELECT * FROM plant_candidate LOOP
		n := n + 1;
		EXECUTE format($f$CREATE FUNCTION capture.planted_%s(%s, %s) RETURNS %s LANGUAGE plpgsql AS
		               'BEGIN RAISE EXCEPTION USING MESSAGE = ''planted operator ran: %s %s %s''; END'$f$,
		               n, c.lefttype, c.righttype, c.resulttype, c.lefttype, c.symbol, c.righttype);
		EXECUTE format('CREATE OPERATOR capture.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = capture.planted_%s)',
		               c.symbol, c.lefttype, c.righttype, n);
	END LOOP;
END $$;

CREATE EXTENSION saas_metrics SCHEMA capture;

BEGIN;
-- the extension's users have its schema in search_path (the samples and the
-- calls need it); pgTAP's own functions would run the planted operators, so
-- its assertions run with public alone
SET LOCAL search_path = capture, public;
\ir lib/samples.sql

-- dynamic: call every SQL-language function
SET LOCAL statement_timeout = '5s';
SELECT format($$SELECT pg_temp.try_call(%L, %L, %s)$$, signature, call, rettype) FROM call_plan WHERE language = 'sql'
\gexec
RESET statement_timeout;

SET LOCAL search_path = public;
SELECT plan(5);
SELECT cmp_ok((SELECT count(*) FROM pg_operator WHERE oprnamespace = 'capture'::regnamespace
               AND oprcode::text LIKE '%planted%'), '>', 200::bigint,
              'hundreds of exact-match operators planted in the extension''s schema');

-- static: the operators a parsed SQL body refers to
CREATE TEMP TABLE body_operator AS
SELECT f.signature, f.qualified_name, (m[1])::oid::regoperator AS op
FROM extension_function f JOIN pg_proc p ON p.oid = f.oid,
     regexp_matches(p.prosqlbody::text, ':opno (\d+)', 'g') m
WHERE f.language = 'sql' AND p.prosqlbody IS NOT NULL;
SELECT is_empty($$SELECT signature, op::text FROM body_operator b JOIN pg_operator o ON o.oid = b.op
                  WHERE o.oprcode::text LIKE '%planted%'$$,
                'no SQL body of the extension refers to a planted operator');
SELECT cmp_ok((SELECT count(DISTINCT signature) FROM body_operator), '>', 0::bigint,
              'the static check sees the operators of the parsed bodies');

SELECT is_empty($$SELECT f.signature FROM extension_function f WHERE f.language = 'sql'
                  EXCEPT SELECT signature FROM outcome WHERE outcome = 'ok'$$,
                'every SQL-language function of the extension ran to a value with the operators planted');
SELECT is_empty($$SELECT signature, detail, count(*), left(min(call), 300) FROM outcome
                  WHERE detail LIKE 'planted operator ran%'
                  GROUP BY 1, 2$$,
                'no call of an SQL-language function runs a planted operator');


SELECT * FROM finish();
ROLLBACK;
\c :tap_db
DROP DATABASE saas_metrics_capture;
