-- Customers simulated from known BG/NBD and Gamma-Gamma parameters, for the
-- parameter-recovery tests (test/t/clv_bgnbd.sql, test/t/clv_gamma_gamma.sql).
-- Deterministic: each simulation first calls setseed(seed), then draws from
-- random() in a fixed order, in one backend (the functions are PARALLEL
-- UNSAFE, as random() is).

-- uniform on (0, 1]
CREATE FUNCTION pg_temp.uniform() RETURNS float8 LANGUAGE sql PARALLEL UNSAFE AS $$ SELECT 1.0 - random() $$;

-- Gamma(shape, 1) by Marsaglia and Tsang (2000); a shape below 1 as
-- Gamma(shape + 1) * u^(1 / shape)
CREATE FUNCTION pg_temp.gamma_draw(shape float8) RETURNS float8 LANGUAGE plpgsql PARALLEL UNSAFE AS $$
DECLARE
	d float8 := (CASE WHEN shape < 1 THEN shape + 1 ELSE shape END) - 1.0 / 3;
	c float8 := 1 / sqrt(9 * d);
	z float8;
	v float8;
	u float8;
BEGIN
	LOOP
		z := sqrt(-2 * ln(pg_temp.uniform())) * cos(2 * pi() * pg_temp.uniform());
		v := (1 + c * z) ^ 3;
		u := pg_temp.uniform();
		IF v > 0 AND ln(u) < z * z / 2 + d - d * v + d * ln(v) THEN
			RETURN CASE WHEN shape < 1 THEN d * v * pg_temp.uniform() ^ (1 / shape) ELSE d * v END;
		END IF;
	END LOOP;
END $$;

-- BG/NBD: rate lambda ~ Gamma(r, alpha), dropout p ~ Beta(a, b); observed
-- for T uniform in [t_min, t_max] after the first purchase; repeat
-- purchases at the times of a Poisson process of rate lambda, each followed
-- by dropping out with probability p.  Times are continuous.
CREATE FUNCTION pg_temp.simulate_bgnbd(seed float8, customers integer, r float8, alpha float8, a float8, b float8,
                                       t_min float8, t_max float8)
RETURNS TABLE(customer integer, summary rfm) LANGUAGE plpgsql PARALLEL UNSAFE AS $$
DECLARE
	lambda float8;
	p float8;
	ga float8;
	t float8;
	tx float8;
	x integer;
	big_t float8;
BEGIN
	PERFORM setseed(seed);
	FOR i IN 1 .. customers LOOP
		lambda := pg_temp.gamma_draw(r) / alpha;
		ga := pg_temp.gamma_draw(a);
		p := ga / (ga + pg_temp.gamma_draw(b));
		big_t := t_min + (t_max - t_min) * pg_temp.uniform();
		t := 0;
		tx := 0;
		x := 0;
		LOOP
			t := t - ln(pg_temp.uniform()) / lambda;
			EXIT WHEN t > big_t;
			x := x + 1;
			tx := t;
			EXIT WHEN pg_temp.uniform() <= p;
		END LOOP;
		customer := i;
		summary := ROW(x, tx, big_t, 0)::rfm;
		RETURN NEXT;
	END LOOP;
END $$;

-- Gamma-Gamma: nu ~ Gamma(q, gamma) per customer, each of its x repeat
-- purchases (x uniform in 1 .. max_frequency) worth Gamma(p, nu);
-- monetary_value is their mean.
CREATE FUNCTION pg_temp.simulate_gamma_gamma(seed float8, customers integer, p float8, q float8, gamma float8,
                                             max_frequency integer)
RETURNS TABLE(customer integer, summary rfm) LANGUAGE plpgsql PARALLEL UNSAFE AS $$
DECLARE
	nu float8;
	x integer;
	total float8;
BEGIN
	PERFORM setseed(seed);
	FOR i IN 1 .. customers LOOP
		nu := pg_temp.gamma_draw(q) / gamma;
		x := 1 + floor(pg_temp.uniform() * max_frequency - 1e-12)::integer;
		total := 0;
		FOR k IN 1 .. x LOOP
			total := total + pg_temp.gamma_draw(p) / nu;
		END LOOP;
		customer := i;
		summary := ROW(x, x, x + 1, (total / x)::numeric)::rfm;
		RETURN NEXT;
	END LOOP;
END $$;
