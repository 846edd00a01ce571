-- Tables holding every summary type of the extension, for the pg_dump /
-- pg_restore round trip (scripts/dump_roundtrip.sh): one table per stored
-- kind, named stored_*, each with an id and a value column.  Books are stored
-- for every customer id type a user may use.
\set ON_ERROR_STOP 1
CREATE EXTENSION saas_metrics;

CREATE TABLE stored_nps_summary (id integer, v nps_summary);
INSERT INTO stored_nps_summary VALUES
  (1, 'promoters=3 passives=2 detractors=1'), (2, 'promoters=0 passives=0 detractors=0'),
  (3, 'promoters=9223372036854775807 passives=9223372036854775807 detractors=9223372036854775807'), (4, NULL);
INSERT INTO stored_nps_summary SELECT 5, nps_agg(s) FROM generate_series(0, 10) s;

CREATE TABLE stored_sbg_counts (id integer, v sbg_counts);
INSERT INTO stored_sbg_counts VALUES (1, '{0:1000,1:631,2:468}'), (2, '{}'), (3, '{7:9223372036854775807,2147483647:0}');
-- a state made by the aggregate (flattened from its expanded form)
INSERT INTO stored_sbg_counts
SELECT 4, sbg_counts FROM (SELECT pg_catalog.string_agg(format('%s:%s', a, 1000 - a), ',') FROM generate_series(0, 500) a) s(t),
     LATERAL (SELECT ('{' || t || '}')::sbg_counts AS sbg_counts) c;

CREATE TABLE stored_sbg_model (id integer, v sbg_model);
INSERT INTO stored_sbg_model VALUES (1, sbg_fit(ARRAY[1000, 631, 468, 382, 326, 289, 262, 241])),
  (2, sbg_fit(ARRAY[100, 100, 100])), (3, NULL);

-- books of every customer id type the aggregate takes (smallint and integer
-- are read as bigint, varchar as text; other types have no overload: a book
-- is refused when it would be made, never when it is read)
CREATE FUNCTION pg_temp.store_books(id_type text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	ids text := format('(VALUES (%s), (%s), (%s))',
	                   CASE id_type WHEN 'uuid' THEN $q$'00000000-0000-0000-0000-000000000001'::uuid$q$
	                                WHEN 'bytea' THEN $q$'\x01'::bytea$q$ WHEN 'boolean' THEN 'true'
	                                WHEN 'integer[]' THEN 'ARRAY[1]' WHEN 'date' THEN $q$'2020-01-01'::date$q$
	                                ELSE format('1::%s', id_type) END,
	                   CASE id_type WHEN 'uuid' THEN $q$'00000000-0000-0000-0000-000000000002'::uuid$q$
	                                WHEN 'bytea' THEN $q$'\x0200ff'::bytea$q$ WHEN 'boolean' THEN 'false'
	                                WHEN 'integer[]' THEN 'ARRAY[1, 2]' WHEN 'date' THEN $q$'2020-01-02'::date$q$
	                                ELSE format('2::%s', id_type) END,
	                   CASE id_type WHEN 'uuid' THEN $q$'00000000-0000-0000-0000-000000000003'::uuid$q$
	                                WHEN 'bytea' THEN $q$''::bytea$q$ WHEN 'boolean' THEN 'NULL::boolean'
	                                WHEN 'integer[]' THEN 'ARRAY[3]' WHEN 'date' THEN $q$'2020-01-03'::date$q$
	                                ELSE format('3::%s', id_type) END);
	rows text := format($q$SELECT c, s, e, m FROM %s AS i(c)
	                      CROSS JOIN LATERAL (VALUES (date '2024-01-15', date '2024-05-20', 100::numeric),
	                                                 (date '2024-07-01', NULL::date, 120.5::numeric)) r(s, e, m)
	                      WHERE c IS NOT NULL$q$, ids);
	table_name text := 'stored_book_' || regexp_replace(id_type, '\W', '_', 'g');
BEGIN
	EXECUTE format('CREATE TABLE %I (id integer, v subscription_book)', table_name);
	EXECUTE format('INSERT INTO %I SELECT 1, subscription_book_agg(c, s, e, m) FROM (%s) x', table_name, rows);
END $$;
SELECT pg_temp.store_books(t) FROM unnest(ARRAY['bigint', 'integer', 'smallint', 'text', 'varchar', 'uuid']) t \g /dev/null

CREATE TABLE stored_survival_curve (id integer, v survival_curve);
INSERT INTO stored_survival_curve VALUES (1, '{(1,2,0),(3.5,1,1),(8,0,3)}'), (2, '{}');
INSERT INTO stored_survival_curve SELECT 3, kaplan_meier(d / 7.0, d % 3 <> 0) FROM generate_series(0, 100) d;

-- the states of the churn signals' aggregates, made by their transition
-- functions (the extension's aggregates return what their final functions
-- read): a user may keep them to merge later with the combine functions
CREATE AGGREGATE pg_temp.engagement_states(timestamptz, text, numeric, timestamptz, interval) (
    SFUNC = engagement_state_add, STYPE = engagement_state);
CREATE AGGREGATE pg_temp.engagement_states(date, text, numeric, date, interval) (
    SFUNC = engagement_state_add, STYPE = engagement_state);
CREATE AGGREGATE pg_temp.logistic_rows_of(boolean, float8[]) (SFUNC = logistic_rows_add, STYPE = logistic_rows);
CREATE AGGREGATE pg_temp.classifier_scores_of(float8, boolean) (SFUNC = classifier_scores_add, STYPE = classifier_scores);

CREATE TABLE stored_engagement_state (id integer, v engagement_state);
INSERT INTO stored_engagement_state
SELECT c, pg_temp.engagement_states(t, 'feature ' || (i * c) % 7, i / 4.0, timestamptz '2024-03-01 00:00+00', '28 days')
FROM generate_series(1, 3) c, generate_series(1, 60) i, LATERAL (SELECT timestamptz '2024-01-01 08:00+00' + i * interval '1 day') x(t)
GROUP BY c;
INSERT INTO stored_engagement_state VALUES (4, NULL);
-- date events, a window of months, features with bytes beyond ASCII, and a state without events
INSERT INTO stored_engagement_state
SELECT 5, pg_temp.engagement_states(d, f, q, date '2024-03-31', '1 month')
FROM (VALUES (date '2024-03-01', 'rapports é', 0.000000000001), ('2024-02-29', 'exports', 12345678901234.5), ('2024-03-31', NULL, NULL)) v(d, f, q);
INSERT INTO stored_engagement_state
SELECT 6, pg_temp.engagement_states(NULL::date, NULL, NULL, date '2024-03-31', '7 days');

CREATE TABLE stored_logistic_rows (id integer, v logistic_rows);
INSERT INTO stored_logistic_rows
SELECT 1, pg_temp.logistic_rows_of(i % 3 = 0, ARRAY[i, i % 5, sqrt(i)]::float8[]) FROM generate_series(1, 40) i;
INSERT INTO stored_logistic_rows
SELECT 2, pg_temp.logistic_rows_of(true, ARRAY[1e-300, -1.5e300]::float8[]);

CREATE TABLE stored_classifier_scores (id integer, v classifier_scores);
INSERT INTO stored_classifier_scores
SELECT 1, pg_temp.classifier_scores_of(i::float8 / 40, i % 3 = 0) FROM generate_series(1, 40) i;
INSERT INTO stored_classifier_scores
SELECT 2, pg_temp.classifier_scores_of(s, l) FROM (VALUES (-1e300::float8, true), (0, false), (0, true)) v(s, l);
-- the CLV models' states: one customer's purchases (the aggregate's state,
-- as text), customers counted by summary, and fitted models
CREATE TABLE stored_rfm_state (id integer, v rfm_state);
INSERT INTO stored_rfm_state VALUES
  (1, 'observation_end=2024-01-31 unit=week amount_scale=1 total=35 first_day_total=10 days={2024-01-05,2024-01-01}'),
  (2, 'observation_end=2024-01-31 unit=day amount_scale=0 total=0 first_day_total=0 days={}'),
  (3, 'observation_end=1997-09-30 unit=month amount_scale=12 total=180000000000000000000000 first_day_total=29330000000000 days={1997-01-01,1997-01-18,1997-08-02}'),
  (4, NULL);

CREATE TABLE stored_bgnbd_counts (id integer, v bgnbd_counts);
INSERT INTO stored_bgnbd_counts VALUES (1, '{(0,0,38.857142857142854):3,(2,30.428571428571427,38.857142857142854):1}'), (2, '{}');
INSERT INTO stored_bgnbd_counts
SELECT 3, bgnbd_counts_agg(ROW(c % 5, (c % 5) * 2.5, 20 + c % 7, 0)::rfm) FROM generate_series(1, 1000) c;

CREATE TABLE stored_gamma_gamma_counts (id integer, v gamma_gamma_counts);
INSERT INTO stored_gamma_gamma_counts VALUES (1, '{(1,10):2,(2,25.5):4}'), (2, '{}');
INSERT INTO stored_gamma_gamma_counts
SELECT 3, gamma_gamma_counts_agg(ROW(1 + c % 5, 1, 20, 10 + c % 11 / 3.0)::rfm) FROM generate_series(1, 1000) c;

CREATE TABLE stored_bgnbd_model (id integer, v bgnbd_model);
INSERT INTO stored_bgnbd_model SELECT 1, bgnbd_fit(v) FROM stored_bgnbd_counts WHERE id = 3;
INSERT INTO stored_bgnbd_model VALUES (2, ROW(0.243, 4.414, 0.793, 2.426, NULL, NULL, NULL, NULL));

CREATE TABLE stored_gamma_gamma_model (id integer, v gamma_gamma_model);
INSERT INTO stored_gamma_gamma_model SELECT 1, gamma_gamma_fit(v) FROM stored_gamma_gamma_counts WHERE id = 3;

-- every base type of the extension is stored in some table (catalog check;
-- composite types are stored as records, portable by construction)
DO $$
DECLARE missing text;
BEGIN
	SELECT string_agg(format_type(t.oid, NULL), ', ') INTO missing
	FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'saas_metrics'
	JOIN pg_type t ON d.classid = 'pg_type'::regclass AND t.oid = d.objid
	WHERE d.deptype = 'e' AND t.typtype = 'b'
	  AND NOT EXISTS (SELECT 1 FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
	                  WHERE c.relname LIKE 'stored\_%' AND a.atttypid = t.oid);
	IF missing IS NOT NULL THEN
		RAISE EXCEPTION 'extension types not stored: %', missing
			USING HINT = 'Add them to test/dump/stored_summaries.sql.';
	END IF;
END $$;
