-- Tolerances of the CLV tests: pg_temp.close(x, expected, tolerance) is
-- relative; pg_temp.close_log is relative above 1 in magnitude and absolute
-- below (for log-likelihoods, which may be 0).
CREATE FUNCTION pg_temp.close(x float8, expected float8, tolerance float8)
RETURNS boolean LANGUAGE sql AS $$ SELECT abs(x - expected) <= tolerance * greatest(1e-300, abs(expected)) $$;
CREATE FUNCTION pg_temp.close_log(x float8, expected float8, tolerance float8)
RETURNS boolean LANGUAGE sql AS $$ SELECT abs(x - expected) <= tolerance * greatest(1, abs(expected)) $$;
