-- pg_temp.plan_of(query [, options]): the EXPLAIN output of a query as one
-- text, for matches() on the shape of a plan.
CREATE FUNCTION pg_temp.plan_of(query text, options text DEFAULT 'COSTS OFF') RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
	line text;
	plan text := '';
BEGIN
	FOR line IN EXECUTE format('EXPLAIN (%s) %s', options, query) LOOP
		plan := plan || line || E'\n';
	END LOOP;
	RETURN plan;
END
$f$;
