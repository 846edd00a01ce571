-- pg_temp.binary_input(typ, bytes): what the receive function of type typ
-- reads from bytes, as text.  The bytes go out as a bytea field of a
-- COPY (FORMAT binary) file (a length and the bytes, as every field is
-- written) and come back into a column of type typ, so typ's receive
-- function reads exactly those bytes.
CREATE FUNCTION pg_temp.binary_input(typ regtype, bytes bytea) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
	path text := format('/tmp/saas_metrics_binary_input_%s.bin', pg_backend_pid());
	back text := 'binary_input_' || typ::oid;
	value text;
BEGIN
	EXECUTE format('CREATE TEMP TABLE IF NOT EXISTS %I (v %s)', back, typ);
	EXECUTE format('TRUNCATE %I', back);
	EXECUTE format('COPY (SELECT %L::bytea) TO PROGRAM %L (FORMAT binary)', bytes, 'cat > ' || path);
	EXECUTE format('COPY %I FROM PROGRAM %L (FORMAT binary)', back, 'cat ' || path || ' && rm -f ' || path);
	EXECUTE format('SELECT v::text FROM %I', back) INTO value;
	RETURN value;
END
$f$;
