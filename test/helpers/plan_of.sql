-- pg_temp.plan_of(query): the plan of a query, EXPLAIN (COSTS OFF), as one
-- text for pgTAP's matches(); used by the parallel-plan tests of the CLV models.
CREATE FUNCTION pg_temp.plan_of(query text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
	line text;
	plan text := '';
BEGIN
	FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
		plan := plan || line || E'\n';
	END LOOP;
	RETURN plan;
END
$f$;
