-- Every function and aggregate of the extension, found in the catalog (so a
-- new one is covered without touching this file), called with the boundary
-- values of its argument types written as typed literals: NULL, 0, -1, the
-- extremes, NaN and the infinities, '', huge and empty arrays, dates at
-- both ends of the calendar, crafted summaries and composite rows.  Each
-- argument is varied alone (the others at a normal value), and then all at
-- once.  Every call is its own top-level statement under a statement_timeout
-- (generated with \gexec), so a call that does not end is cancelled and
-- reported.  Each call must return a value or raise a clean error: never
-- XX000, never time out, never return NaN; a summary it returns must read
-- back from its text form.
--
-- The samples and the plan of calls are built by test/t/lib/samples.sql (a
-- type with no sample there gets one from the catalog).  A function whose
-- argument type has no sample fails the test ("add a sample").
BEGIN;
SELECT plan(8);

\ir lib/samples.sql

SET LOCAL statement_timeout = '5s';
SELECT format($$SELECT pg_temp.try_call(%L, %L, %s)$$, signature, call, rettype) FROM call_plan ORDER BY signature, call
\gexec
RESET statement_timeout;

CREATE TEMP VIEW failure AS
SELECT o.* FROM outcome o
WHERE o.outcome IN ('XX000', 'timeout', 'NaN', 'roundtrip');

SELECT is_empty($$SELECT DISTINCT format_type(a.typ, NULL) FROM extension_function f, unnest(f.argtypes) a(typ)
                  WHERE a.typ <> 'internal'::regtype AND NOT EXISTS (SELECT 1 FROM sample s WHERE s.typ = a.typ)$$,
                'every argument type of the extension''s functions has a sample (add one to this test)');
SELECT is_empty($$SELECT signature FROM extension_function WHERE NOT ('internal'::regtype = ANY (argtypes))
                  EXCEPT SELECT signature FROM outcome$$,
                'every function and aggregate of the extension was called');
SELECT cmp_ok((SELECT count(*) FROM outcome), '>', 2000::bigint, 'thousands of hostile calls made');
SELECT is_empty($$SELECT signature, left(detail, 80), count(*), left(min(call), 400) FROM failure WHERE outcome = 'XX000' GROUP BY 1, 2$$,
                'no call raises XX000');
SELECT is_empty($$SELECT signature, count(*), left(min(call), 400) FROM failure WHERE outcome = 'timeout' GROUP BY 1$$,
                'no call runs past statement_timeout');
SELECT is_empty($$SELECT signature, count(*), left(min(call), 400), left(min(detail), 80) FROM failure WHERE outcome = 'NaN' GROUP BY 1$$,
                'no call returns NaN');
SELECT is_empty($$SELECT signature, left(detail, 80), count(*), left(min(call), 400) FROM failure WHERE outcome = 'roundtrip' GROUP BY 1, 2$$,
                'every summary returned reads back from its text form');
-- the normal values are meaningful: every function (but the aggregates'
-- support functions, which refuse direct calls, and the types' input
-- functions, whose valid inputs the fuzz test makes) returns a value for some
SELECT is_empty($$SELECT signature FROM outcome GROUP BY signature HAVING bool_and(outcome <> 'ok')
                  EXCEPT SELECT f.signature FROM extension_function f JOIN pg_aggregate a ON f.oid IN (a.aggtransfn, a.aggcombinefn)
                  EXCEPT SELECT f.signature FROM extension_function f JOIN pg_type t ON f.oid = t.typinput$$,
                'every function returns a value for some of its calls (its normal arguments are valid)');

SELECT diag(format('%s calls: %s', count(*), string_agg(DISTINCT o.outcome, ', '))) FROM outcome o;
SELECT * FROM finish();
ROLLBACK;
