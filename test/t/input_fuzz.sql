-- Mutation fuzz of the text and binary input of every base type of the
-- extension (found in the catalog): valid seed values are mutated
-- (characters and bytes flipped, deleted, duplicated, truncated; numbers
-- beyond every integer type spliced in; length and count fields set to
-- extremes) with a fixed random seed, so a run is repeatable.  Each mutant is
-- its own statement under statement_timeout.  A mutant must be refused with
-- a clean error, or accepted; an accepted one must read back from its own
-- output unchanged and every reader of the type (each function and
-- aggregate of the extension taking just that type) must return or raise a
-- clean error.  Never XX000, never a hang, never a crash.
BEGIN;
SELECT plan(6);

-- seeds: valid values of each base type, as SQL expressions
CREATE TEMP TABLE seed (typ regtype, expr text);
INSERT INTO seed VALUES
  ('nps_summary', $$'promoters=3 passives=2 detractors=1'$$),
  ('nps_summary', $$'promoters=0 passives=0 detractors=0'$$),
  ('nps_summary', $$'promoters=9223372036854775807 passives=1 detractors=4294967296'$$),
  ('sbg_counts', $$'{0:1000,1:631,2:468,3:382,4:326}'$$),
  ('sbg_counts', $$'{}'$$),
  ('sbg_counts', $$'{7:9223372036854775807,2147483647:0}'$$),
  ('survival_curve', $$'{(1,2,0),(3.5,1,1),(8,0,3)}'$$),
  ('survival_curve', $$'{}'$$),
  ('survival_curve', $$(SELECT kaplan_meier(d, d < 40) FROM generate_series(0, 60, 3) d)$$),
  -- subscription books: the old aggregate with a period, and the rewritten
  -- one without (whichever this build has is used)
  ('subscription_book', $$(SELECT subscription_book_agg(c, s, e, m, 'month') FROM (VALUES (1::bigint, date '2024-01-15', date '2024-05-20', 100::numeric), (2, date '2024-02-01', NULL, 50), (1, date '2024-06-01', NULL, 120)) v(c, s, e, m))$$),
  ('subscription_book', $$(SELECT subscription_book_agg(c, s, e, m, 'week') FROM (VALUES ('a'::text, date '2023-12-31', date '2024-01-20', 10::numeric), ('bb', date '2024-01-03', NULL, 0)) v(c, s, e, m))$$),
  ('subscription_book', $$(SELECT subscription_book_agg(c, s, e, m) FROM (VALUES (1::bigint, date '2024-01-15', date '2024-05-20', 100::numeric), (2, date '2024-02-01', NULL, 50), (1, date '2024-06-01', NULL, 120)) v(c, s, e, m))$$),
  ('subscription_book', $$(SELECT subscription_book_agg(c, s, e, m) FROM (VALUES ('a'::text, date '2023-12-31', date '2024-01-20', 10::numeric), ('bb', date '2024-01-03', NULL, 0)) v(c, s, e, m))$$),
  -- the CLV models' states: one customer's purchases, and customers counted by summary
  ('rfm_state', $$'observation_end=2024-01-31 unit=week amount_scale=1 total=35 first_day_total=10 days={2024-01-05,2024-01-01}'$$),
  ('rfm_state', $$'observation_end=2024-01-31 unit=day amount_scale=0 total=0 first_day_total=0 days={}'$$),
  ('rfm_state', $$'observation_end=1997-09-30 unit=month amount_scale=12 total=180000000000000000000000 first_day_total=29330000000000 days={1997-01-01,1997-01-18,1997-08-02,1997-01-18}'$$),
  ('bgnbd_counts', $$'{(0,0,38.857142857142854):3,(2,30.428571428571427,38.857142857142854):1,(7,20,38):2}'$$),
  ('bgnbd_counts', $$'{}'$$),
  ('bgnbd_counts', $$(SELECT bgnbd_counts_agg(r) FROM (VALUES (ROW(0, 0, 5, 0)::rfm), (ROW(3, 10, 20, 5)::rfm), (ROW(3, 10, 20, 5)::rfm), (ROW(1, 0.25, 1e6, 1)::rfm)) v(r))$$),
  ('gamma_gamma_counts', $$'{(1,10):2,(2,25.5):4,(40,250.123456789):1}'$$),
  ('gamma_gamma_counts', $$'{}'$$),
  ('gamma_gamma_counts', $$(SELECT gamma_gamma_counts_agg(r) FROM (VALUES (ROW(0, 0, 5, 0)::rfm), (ROW(3, 10, 20, 5)::rfm), (ROW(2, 1, 2, 1e-6)::rfm)) v(r))$$);

-- the states of the churn signals' aggregates, made by their transition
-- functions in aggregates of this session (the extension's aggregates return
-- what their final functions read)
CREATE AGGREGATE pg_temp.engagement_states(date, text, numeric, date, interval) (
    SFUNC = engagement_state_add, STYPE = engagement_state);
CREATE AGGREGATE pg_temp.engagement_states(timestamptz, text, numeric, timestamptz, interval) (
    SFUNC = engagement_state_add, STYPE = engagement_state);
CREATE AGGREGATE pg_temp.logistic_rows_of(boolean, float8[]) (SFUNC = logistic_rows_add, STYPE = logistic_rows);
CREATE AGGREGATE pg_temp.logistic_rows_of(boolean, float8[], float8) (SFUNC = logistic_rows_add, STYPE = logistic_rows);
CREATE AGGREGATE pg_temp.classifier_scores_of(float8, boolean) (SFUNC = classifier_scores_add, STYPE = classifier_scores);
INSERT INTO seed VALUES
  ('engagement_state', $$(SELECT pg_temp.engagement_states(d, f, q, date '2024-01-31', '28 days')
                          FROM (VALUES (date '2024-01-10', 'reports', 2.5), ('2024-01-12', 'exports', 1), ('2024-01-12', 'reports', NULL),
                                       ('2023-12-20', 'alerts', 4), ('2024-01-30', NULL, 0.125)) v(d, f, q))$$),
  ('engagement_state', $$(SELECT pg_temp.engagement_states(t, 'feature ' || i % 7, i, timestamptz '2024-03-01 00:00+00', '1 month')
                          FROM generate_series(1, 60) i, LATERAL (SELECT timestamptz '2024-01-01 08:00+00' + i * interval '1 day') x(t))$$),
  ('engagement_state', $$(SELECT pg_temp.engagement_states(NULL::date, NULL, NULL, date '2024-01-31', '7 days'))$$),
  ('logistic_rows', $$(SELECT pg_temp.logistic_rows_of(i % 3 = 0, ARRAY[i, i % 5, sqrt(i)]::float8[]) FROM generate_series(1, 40) i)$$),
  ('logistic_rows', $$(SELECT pg_temp.logistic_rows_of(c, ARRAY[x]::float8[], 1) FROM (VALUES (true, 1), (false, 2), (true, 3), (false, 5)) v(c, x))$$),
  ('classifier_scores', $$(SELECT pg_temp.classifier_scores_of(i / 40.0::float8, i % 3 = 0) FROM generate_series(1, 40) i)$$),
  ('classifier_scores', $$(SELECT pg_temp.classifier_scores_of(s, l) FROM (VALUES (0.9::float8, true), (0.8, false), (0.8, true)) v(s, l))$$);

CREATE TEMP VIEW extension_base_type AS
SELECT t.oid::regtype AS typ, t.typsend::regproc AS send
FROM pg_depend d
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'saas_metrics'
JOIN pg_type t ON d.classid = 'pg_type'::regclass AND t.oid = d.objid
WHERE d.deptype = 'e' AND t.typtype = 'b';

-- readers: the extension's functions and aggregates of exactly one argument
-- of the type (its I/O functions aside)
CREATE TEMP TABLE reader AS
SELECT p.proargtypes[0]::regtype AS typ, format('%I.%I', n.nspname, p.proname) AS name, p.prokind
FROM pg_depend d
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'saas_metrics'
JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE d.deptype = 'e' AND p.pronargs = 1
  AND p.proargtypes[0] IN (SELECT typ FROM extension_base_type)
  AND p.oid NOT IN (SELECT typoutput FROM pg_type UNION ALL SELECT typsend FROM pg_type);

CREATE TEMP TABLE seed_value (typ regtype, text_form text, binary_form bytea);
CREATE FUNCTION pg_temp.evaluate_seeds() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	s record;
	t text;
	b bytea;
BEGIN
	FOR s IN SELECT seed.typ, seed.expr, bt.send FROM seed JOIN extension_base_type bt USING (typ) LOOP
		BEGIN
			EXECUTE format('SELECT (%s)::%s::text, %s((%s)::%s)', s.expr, s.typ, s.send, s.expr, s.typ) INTO t, b;
			INSERT INTO seed_value VALUES (s.typ, t, b);
		EXCEPTION WHEN OTHERS THEN
			NULL;  -- a seed for another version of the type's aggregate
		END;
	END LOOP;
END $$;
SELECT pg_temp.evaluate_seeds();

SELECT is_empty($$SELECT typ FROM extension_base_type EXCEPT SELECT typ FROM seed_value$$,
                'every base type of the extension has seed values (add seeds to this test)');

-- mutations
CREATE FUNCTION pg_temp.pick(VARIADIC choices text[]) RETURNS text LANGUAGE sql AS
$$ SELECT choices[1 + floor(random() * cardinality(choices))::int] $$;
CREATE FUNCTION pg_temp.mutate_text(s text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	pos int;
	len int;
BEGIN
	FOR i IN 1 .. 1 + floor(random() * 3)::int LOOP
		pos := 1 + floor(random() * greatest(length(s), 1))::int;
		len := 1 + floor(random() * 8)::int;
		CASE floor(random() * 7)::int
			WHEN 0 THEN s := overlay(s PLACING pg_temp.pick('0', '1', '9', '-', '+', ' ', '{', '}', ':', ',', '=', 'x', 'f', 'e', '.', '\', E'\t') FROM pos FOR 1);
			WHEN 1 THEN s := overlay(s PLACING '' FROM pos FOR len);
			WHEN 2 THEN s := left(s, pos) || substr(s, pos, len) || substr(s, pos + 1);
			WHEN 3 THEN s := overlay(s PLACING pg_temp.pick('99999999999999999999', '-1', '2147483648', '-2147483649',
			                                                '9223372036854775808', '-9223372036854775809', '0', '', 'NaN',
			                                                'ffffffff', '7fffffff', '80000000', '00000000', '1e5', ' 1 ')
			                        FROM pos FOR floor(random() * 3)::int);
			WHEN 4 THEN s := left(s, pos - 1);
			WHEN 5 THEN s := s || s;
			ELSE s := overlay(s PLACING substr(s, pos + len, 1) || substr(s, pos, 1) FROM pos FOR 1);
		END CASE;
	END LOOP;
	RETURN s;
END $$;
CREATE FUNCTION pg_temp.mutate_bytes(b bytea) RETURNS bytea LANGUAGE plpgsql AS $$
DECLARE
	pos int;
	len int;
BEGIN
	FOR i IN 1 .. 1 + floor(random() * 3)::int LOOP
		pos := floor(random() * greatest(length(b), 1))::int;  -- 0-based
		len := 1 + floor(random() * 8)::int;
		CASE floor(random() * 7)::int
			WHEN 0 THEN
				IF length(b) > 0 THEN
					b := set_byte(b, pos, pg_temp.pick('0', '1', '127', '128', '255', floor(random() * 256)::int::text)::int);
				END IF;
			WHEN 1 THEN  -- a 32-bit field (a count, a length, a period) set to an extreme
				b := overlay(b PLACING decode(pg_temp.pick('ffffffff', '7fffffff', '80000000', '00000000', '00000001', '0000ffff'), 'hex')
				             FROM (pos / 4) * 4 + 1 FOR 4);
			WHEN 2 THEN b := overlay(b PLACING '' FROM pos + 1 FOR len);
			WHEN 3 THEN b := substr(b, 1, pos) || substr(b, pos + 1, len) || substr(b, pos + 1);
			WHEN 4 THEN b := substr(b, 1, pos);
			WHEN 5 THEN b := b || decode(md5(random()::text), 'hex');
			ELSE  -- a 64-bit field set to an extreme
				b := overlay(b PLACING decode(pg_temp.pick('7fffffffffffffff', '8000000000000000', 'ffffffffffffffff'), 'hex')
				             FROM (pos / 8) * 8 + 1 FOR 8);
		END CASE;
	END LOOP;
	RETURN b;
END $$;

SELECT setseed(0.15);
CREATE TEMP TABLE mutant AS
SELECT row_number() OVER () AS id, typ, kind, text_form, binary_form
FROM (SELECT typ, 'text' AS kind, pg_temp.mutate_text(text_form) AS text_form, NULL::bytea AS binary_form
      FROM seed_value, generate_series(1, 1200 / (SELECT count(*) FROM seed_value s2 WHERE s2.typ = seed_value.typ)) i
      UNION ALL
      SELECT typ, 'binary', NULL, pg_temp.mutate_bytes(binary_form)
      FROM seed_value, generate_series(1, 1200 / (SELECT count(*) FROM seed_value s2 WHERE s2.typ = seed_value.typ)) i) m;

CREATE TEMP TABLE outcome (id bigint, outcome text, detail text);
-- one table per type to COPY binary mutants into
CREATE FUNCTION pg_temp.back_table(typ regtype) RETURNS text LANGUAGE plpgsql AS $$
DECLARE name text := 'fuzz_back_' || typ::oid;
BEGIN
	EXECUTE format('CREATE TEMP TABLE IF NOT EXISTS %I (v %s)', name, typ);
	RETURN name;
END $$;
SELECT count(pg_temp.back_table(typ)) > 0 FROM extension_base_type \g /dev/null

-- an accepted value: stable through its text form, and no reader fails badly
CREATE FUNCTION pg_temp.check_accepted(id bigint, typ regtype, value text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	back text;
	r record;
BEGIN
	EXECUTE format('SELECT %L::%s::text', value, typ) INTO back;
	IF back IS DISTINCT FROM value THEN
		INSERT INTO outcome VALUES (id, 'unstable', format('%s reads back as %s', left(value, 100), left(back, 100)));
	END IF;
	FOR r IN SELECT * FROM reader WHERE reader.typ = check_accepted.typ LOOP
		BEGIN
			IF r.prokind = 'a' THEN
				EXECUTE format('SELECT %s(x)::text FROM (VALUES (%L::%s), (%L::%s)) v(x)', r.name, value, typ, value, typ);
			ELSE
				EXECUTE format('SELECT %s(%L::%s)::text', r.name, value, typ);
			END IF;
		EXCEPTION WHEN OTHERS THEN
			IF SQLSTATE = 'XX000' THEN
				INSERT INTO outcome VALUES (id, 'XX000', format('%s: %s on %s', r.name, SQLERRM, left(value, 200)));
			END IF;
		END;
	END LOOP;
END $$;

CREATE FUNCTION pg_temp.try_mutant(mutant_id bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	m mutant;
	value text;
	path text := format('/tmp/saas_metrics_fuzz_%s.bin', pg_backend_pid());
BEGIN
	SELECT * INTO m FROM mutant WHERE id = mutant_id;
	BEGIN
		IF m.kind = 'text' THEN
			EXECUTE format('SELECT %L::%s::text', m.text_form, m.typ) INTO value;
		ELSE
			EXECUTE format('COPY (SELECT %L::bytea) TO %L (FORMAT binary)', m.binary_form, path);
			EXECUTE format('TRUNCATE %I', 'fuzz_back_' || m.typ::oid);
			EXECUTE format('COPY %I FROM %L (FORMAT binary)', 'fuzz_back_' || m.typ::oid, path);
			EXECUTE format('SELECT v::text FROM %I', 'fuzz_back_' || m.typ::oid) INTO value;
		END IF;
	EXCEPTION
		WHEN query_canceled THEN
			RAISE;
		WHEN OTHERS THEN
			INSERT INTO outcome VALUES (mutant_id, CASE WHEN SQLSTATE = 'XX000' THEN 'XX000' ELSE 'refused' END, SQLSTATE || ' ' || SQLERRM);
			RETURN;
	END;
	INSERT INTO outcome VALUES (mutant_id, 'accepted', NULL);
	PERFORM pg_temp.check_accepted(mutant_id, m.typ, value);
EXCEPTION WHEN query_canceled THEN
	INSERT INTO outcome VALUES (mutant_id, 'timeout', NULL);
END $$;

SET LOCAL statement_timeout = '5s';
SELECT format('SELECT pg_temp.try_mutant(%s)', id) FROM mutant ORDER BY id
\gexec
RESET statement_timeout;

CREATE TEMP VIEW failure AS
SELECT m.typ, m.kind, coalesce(m.text_form, encode(m.binary_form, 'hex')) AS input, o.outcome, o.detail
FROM outcome o JOIN mutant m USING (id)
WHERE o.outcome IN ('XX000', 'timeout', 'unstable');

SELECT cmp_ok((SELECT count(DISTINCT id) FROM outcome), '>=', 3000::bigint, 'thousands of mutants tried');
SELECT is_empty($$SELECT typ, kind FROM mutant GROUP BY typ, kind
                  EXCEPT SELECT m.typ, m.kind FROM outcome o JOIN mutant m USING (id) WHERE o.outcome = 'refused'
                  GROUP BY 1, 2 HAVING count(*) > 10$$,
                'the mutants of every type and form reach its input validation (many are refused)');
SELECT is_empty($$SELECT typ, kind, left(input, 200), detail FROM failure WHERE outcome = 'XX000' LIMIT 20$$,
                'no mutant raises XX000, at input or in a reader');
SELECT is_empty($$SELECT typ, kind, left(input, 200) FROM failure WHERE outcome = 'timeout' LIMIT 20$$,
                'no mutant makes its input or a reader run past statement_timeout');
SELECT is_empty($$SELECT typ, kind, left(input, 200), detail FROM failure WHERE outcome = 'unstable' LIMIT 20$$,
                'every accepted mutant reads back from its own text form unchanged');

SELECT diag(format('%s %s mutants: %s', typ, kind, string_agg(format('%s %s', outcome, n), ', ' ORDER BY outcome)))
FROM (SELECT m.typ, m.kind, o.outcome, count(*) AS n FROM outcome o JOIN mutant m USING (id) GROUP BY 1, 2, 3) s
GROUP BY typ, kind ORDER BY typ::text, kind;

SELECT * FROM finish();
ROLLBACK;
