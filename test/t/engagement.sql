-- pgTAP: engagement(occurred_at, feature, quantity, as_of, window).
-- Hand-computed cases for every definition and edge case, then generated
-- events against the plain-SQL reference (test/reference/engagement.sql),
-- date and timestamptz forms, several windows, two time zones; then every
-- error, the limits, and the state's I/O.
BEGIN;
SET client_min_messages = warning;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO';
\i test/reference/book.sql
\i test/reference/engagement.sql
SELECT plan(109);

-- ---------------------------------------------------------------- by hand
-- as_of 2026-01-31, window 28 days: the window is 2026-01-04 .. 2026-01-31,
-- the previous window 2025-12-07 .. 2026-01-03.
CREATE TEMP TABLE hand(customer_id int, occurred_at date, feature text, quantity numeric);
INSERT INTO hand VALUES
  -- 1: two active days in the window, three features, two previous events
  (1, '2026-01-03', 'a', 1),        -- last day of the previous window
  (1, '2026-01-04', 'a', 2),        -- first day of the window
  (1, '2026-01-04', 'b', NULL),     -- same day; no quantity
  (1, '2026-01-31', 'c', 0.5),      -- as_of itself
  (1, '2026-02-01', 'd', 100),      -- after as_of: ignored
  (1, '2025-12-07', 'e', 4),        -- first day of the previous window
  (1, '2025-12-06', 'f', 8),        -- before both windows
  (1, NULL, 'g', 16),               -- no time: no event
  -- 2: nothing since 2025-11-01
  (2, '2025-11-01', 'a', 1),
  -- 3: only an event after as_of
  (3, '2026-02-02', 'a', 1),
  -- 4: events in the window, none in the previous one
  (4, '2026-01-10', 'a', 3), (4, '2026-01-10', 'a', 3), (4, '2026-01-11', 'a', 3),
  -- 5: events in the previous window only
  (5, '2025-12-20', 'a', 1), (5, '2025-12-21', 'b', 1),
  -- 6: a NULL feature and a NULL quantity
  (6, '2026-01-20', NULL, NULL),
  -- 7: a LEFT JOIN's customer without events
  (7, NULL, NULL, NULL);

CREATE TEMP VIEW hand_engagement AS
SELECT customer_id, engagement(occurred_at, feature, quantity, date '2026-01-31', '28 days') AS e
FROM hand GROUP BY customer_id;

SELECT results_eq(
  $$SELECT customer_id, (e).* FROM hand_engagement ORDER BY customer_id$$,
  $$VALUES (1, 2, 3::bigint, 1.5::float8, 3, 0, 2::bigint, 1.5::float8, 2.5),
           (2, 0, 0, NULL, 0, 91, 0, NULL, 0),
           (3, 0, 0, NULL, 0, NULL, 0, NULL, 0),
           (4, 2, 3, 1.5, 1, 20, 0, NULL, 9),
           (5, 0, 0, NULL, 0, 41, 2, 0, 0),
           (6, 1, 1, 1, 0, 11, 0, NULL, 0),
           (7, 0, 0, NULL, 0, NULL, 0, NULL, 0)$$,
  'by hand: every field and edge case, as_of 2026-01-31, window 28 days');
SELECT is((SELECT engagement(occurred_at, feature, quantity, date '2026-01-31', '28 days') FROM hand WHERE false),
          NULL, 'no rows at all: NULL');
SELECT is((SELECT (engagement(occurred_at, feature, quantity, date '2026-02-01', '28 days')).total_quantity
           FROM hand WHERE customer_id = 1),
          100.5, 'as_of 2026-02-01: January 4 falls out, February 1 comes in: 0.5 + 100');
SELECT is((SELECT (engagement(occurred_at, feature, quantity, date '2026-01-31', '1 day')).events
           FROM hand WHERE customer_id = 1),
          1::bigint, 'window 1 day: as_of only');

-- calendar windows: '1 month' back from 2026-03-31 is 2026-02-28, so the
-- window is March (31 days) and the previous one February (28 days)
CREATE TEMP TABLE months(occurred_at date);
INSERT INTO months VALUES ('2026-01-31'), ('2026-02-01'), ('2026-02-28'), ('2026-03-01'), ('2026-03-31');
SELECT results_eq(
  $$SELECT (e).active_days, (e).previous_events, (e).days_since_last_event
    FROM (SELECT engagement(occurred_at, 'f', 1, date '2026-03-31', '1 month') AS e FROM months) s$$,
  $$VALUES (2, 2::bigint, 0)$$,
  'window 1 month from 2026-03-31: March 1 and 31 in the window, February 1 and 28 before');
SELECT results_eq(
  $$SELECT (e).active_days, (e).previous_events
    FROM (SELECT engagement(occurred_at, 'f', 1, date '2026-02-28', '1 month') AS e FROM months) s$$,
  $$VALUES (3, 0::bigint)$$,
  'window 1 month from 2026-02-28: January 29 to February 28, the previous one December 29 to January 28');

-- timestamptz: local days, and windows across a change of daylight saving
SET LOCAL TimeZone = 'America/New_York';
CREATE TEMP TABLE dst(occurred_at timestamptz, feature text);
INSERT INTO dst VALUES
  ('2026-03-07 11:59', 'a'),   -- previous window (as_of - 1 day is 2026-03-07 12:00 local)
  ('2026-03-07 12:00', 'b'),   -- exactly as_of - 1 day: previous window
  ('2026-03-07 12:01', 'c'),   -- window, on March 7
  ('2026-03-08 03:30', 'd'),   -- window, on March 8 (after the change at 02:00)
  ('2026-03-08 12:00', 'e'),   -- as_of: window
  ('2026-03-08 12:01', 'f');   -- after as_of
SELECT results_eq(
  $$SELECT (e).active_days, (e).events, (e).distinct_features, (e).previous_events, (e).days_since_last_event
    FROM (SELECT engagement(occurred_at, feature, 1, timestamptz '2026-03-08 12:00', '1 day') AS e FROM dst) s$$,
  $$VALUES (2, 3::bigint, 3, 2::bigint, 0)$$,
  'timestamptz in America/New_York across the change to summer time: local days, a 23-hour day');
SELECT results_eq(
  $$SELECT (e).active_days, (e).events
    FROM (SELECT engagement(occurred_at, feature, 1, timestamptz '2026-03-08 12:00', '24 hours') AS e FROM dst) s$$,
  $$VALUES (2, 5::bigint)$$,
  'window 24 hours is not 1 day on that day: it starts at 11:00 on March 7, so 5 events');
SET LOCAL TimeZone = 'UTC';

-- feature_share
SELECT is(feature_share(e, 5), 0.6::float8, 'feature_share: 3 of 5 features')
FROM hand_engagement WHERE customer_id = 1;
SELECT is(feature_share(e, 3), 1::float8, 'feature_share: 3 of 3 features')
FROM hand_engagement WHERE customer_id = 1;
SELECT is(feature_share(e, 3), 0::float8, 'feature_share: none used')
FROM hand_engagement WHERE customer_id = 2;
SELECT throws_ok($$SELECT feature_share(e, 2) FROM hand_engagement WHERE customer_id = 1$$,
                 '22023', 'distinct_features must be between 0 and plan_features',
                 'feature_share: more features used than the plan has is an error');
SELECT throws_ok($$SELECT feature_share(e, 0) FROM hand_engagement WHERE customer_id = 1$$,
                 '22023', 'plan_features must be positive', 'feature_share: plan_features 0');
SELECT is(feature_share(NULL::engagement, 3), NULL, 'feature_share: NULL engagement');

-- ---------------------------------------------------------------- against the reference
CALL ref.make_events('eng_events', 600, 7);
SELECT cmp_ok((SELECT count(*) FROM eng_events), '>', 100000::bigint, 'the generated events: over 100,000');
SELECT ok((SELECT count(*) FILTER (WHERE feature IS NULL) > 0 AND count(*) FILTER (WHERE quantity IS NULL) > 0
                  AND count(*) FILTER (WHERE occurred_at IS NULL) > 0 AND count(*) FILTER (WHERE scale(quantity) = 3) > 0
           FROM eng_events), 'the generated events have NULL features, quantities and times, and 3-decimal quantities');

CREATE TEMP TABLE cases(as_of text, win interval);
INSERT INTO cases VALUES ('2026-03-31', '28 days'), ('2026-01-15 13:30', '1 month'), ('2026-06-30', '7 days'),
                         ('2025-08-01', '90 days'), ('2026-02-28', '1 year');

CREATE FUNCTION pg_temp.agg_tz(as_of text, win interval) RETURNS SETOF record LANGUAGE sql AS $$
  SELECT customer_id, (e).* FROM (
    SELECT customer_id, engagement(occurred_at, feature, quantity, as_of::timestamptz, win) AS e
    FROM eng_events GROUP BY customer_id) s WHERE (e).days_since_last_event IS NOT NULL $$;
CREATE FUNCTION pg_temp.agg_date(as_of text, win interval) RETURNS SETOF record LANGUAGE sql AS $$
  SELECT customer_id, (e).* FROM (
    SELECT customer_id, engagement(occurred_on, feature, quantity, as_of::date, win) AS e
    FROM eng_events GROUP BY customer_id) s WHERE (e).days_since_last_event IS NOT NULL $$;

SELECT set_eq(format($$SELECT * FROM pg_temp.agg_tz(%L, %L) AS (c bigint, a int, e bigint, f float8, d int, s int, p bigint, t float8, q numeric)$$, as_of, win),
              format($$SELECT * FROM ref.engagement('eng_events', %L, %L, 'timestamptz')$$, as_of, win),
              format('timestamptz, UTC, as_of %s, window %s: = plain SQL', as_of, win))
FROM cases ORDER BY as_of;
SELECT set_eq(format($$SELECT * FROM pg_temp.agg_date(%L, %L) AS (c bigint, a int, e bigint, f float8, d int, s int, p bigint, t float8, q numeric)$$, as_of::date, win),
              format($$SELECT * FROM ref.engagement('eng_events', %L, %L, 'date')$$, as_of::date, win),
              format('date, as_of %s, window %s: = plain SQL', as_of::date, win))
FROM cases ORDER BY as_of;
SET LOCAL TimeZone = 'Australia/Adelaide';
SELECT set_eq(format($$SELECT * FROM pg_temp.agg_tz(%L, %L) AS (c bigint, a int, e bigint, f float8, d int, s int, p bigint, t float8, q numeric)$$, as_of, win),
              format($$SELECT * FROM ref.engagement('eng_events', %L, %L, 'timestamptz')$$, as_of, win),
              format('timestamptz, Australia/Adelaide, as_of %s, window %s: = plain SQL', as_of, win))
FROM cases WHERE win IN ('28 days', '1 month') ORDER BY as_of;
SET LOCAL TimeZone = 'UTC';

-- customers with no event up to as_of: a row of zeros
SELECT results_eq(
  $$SELECT count(*), count(*) FILTER (WHERE (e).active_days = 0 AND (e).events = 0 AND (e).previous_events = 0
                                        AND (e).distinct_features = 0 AND (e).total_quantity = 0
                                        AND (e).events_per_active_day IS NULL AND (e).trend IS NULL)
    FROM (SELECT customer_id, engagement(occurred_at, feature, quantity, timestamptz '2026-03-31', '28 days') AS e
          FROM eng_events GROUP BY customer_id) s WHERE (e).days_since_last_event IS NULL$$,
  $$SELECT n, n FROM (SELECT count(DISTINCT customer_id) - count(DISTINCT customer_id) FILTER (WHERE occurred_at <= '2026-03-31') AS n
                     FROM eng_events) c$$,
  'the customers whose events all come after as_of (or have no time): a row of zeros');
SELECT cmp_ok((SELECT count(DISTINCT customer_id) - count(DISTINCT customer_id) FILTER (WHERE occurred_at <= '2026-03-31') FROM eng_events),
              '>=', 3::bigint, 'there are such customers');

-- ---------------------------------------------------------------- errors
SELECT throws_ok($$SELECT engagement(occurred_at, feature, quantity, NULL::date, '28 days') FROM hand$$,
                 '22004', 'as_of must not be NULL', 'as_of NULL');
SELECT throws_ok($$SELECT engagement(occurred_at, feature, quantity, date '2026-01-31', NULL) FROM hand$$,
                 '22004', 'window must not be NULL', 'window NULL');
SELECT throws_ok($$SELECT engagement(occurred_at, feature, quantity, date '2026-01-31', '0 days') FROM hand$$,
                 '22023', 'window must be a positive interval', 'window 0');
SELECT throws_ok($$SELECT engagement(occurred_at, feature, quantity, date '2026-01-31', '-1 day') FROM hand$$,
                 '22023', 'window must be a positive interval', 'window negative');
SELECT throws_ok($$SELECT engagement(occurred_at, feature, quantity, date '2026-01-31', '1 month -1 day') FROM hand$$,
                 '22023', 'window must be a positive interval', 'window with a negative part');
SELECT throws_ok($$SELECT engagement(occurred_at, feature, quantity, date '2026-01-31', '36 hours') FROM hand$$,
                 '22023', 'window must be whole days, weeks, months or years for date events', 'window of hours for dates');
SELECT lives_ok($$SELECT engagement(occurred_at::timestamptz, feature, quantity, timestamptz '2026-01-31', '36 hours') FROM hand$$,
                'window of hours for timestamptz');
SELECT throws_ok($$SELECT engagement(occurred_at, feature, quantity, date '2026-01-31', '11 years') FROM hand$$,
                 '22023', 'window must be at most 3700 days', 'window over 3700 days');
SELECT lives_ok($$SELECT engagement(occurred_at, feature, quantity, date '2026-01-31', '10 years') FROM hand$$,
                'window of 10 years (3652 days)');
SELECT throws_ok($$SELECT engagement(occurred_at, feature, quantity, date 'infinity', '28 days') FROM hand$$,
                 '22008', 'as_of must be finite', 'as_of infinity');
SELECT throws_ok($$SELECT engagement(t, 'a', 1, date '2026-01-31', '28 days') FROM (VALUES (date '-infinity')) v(t)$$,
                 '22008', 'occurred_at must be finite', 'occurred_at -infinity');
SELECT throws_ok($$SELECT engagement(t, 'a', 1, timestamptz '2026-01-31', '28 days') FROM (VALUES (timestamptz 'infinity')) v(t)$$,
                 '22008', 'occurred_at must be finite', 'occurred_at infinity (timestamptz)');
SELECT throws_ok($$SELECT engagement(occurred_at, feature, quantity, date '2026-01-31' + (customer_id = 4)::int, '28 days') FROM hand$$,
                 '22023', 'as_of and window must be the same in every row of a group', 'as_of differs between rows');
SELECT throws_ok($$SELECT engagement(occurred_at, feature, quantity, date '2026-01-31', CASE WHEN customer_id = 4 THEN interval '1 month' ELSE '30 days' END) FROM hand$$,
                 '22023', 'as_of and window must be the same in every row of a group', 'window differs between rows: 1 month and 30 days are two windows');
SELECT lives_ok($$SELECT customer_id, engagement(occurred_at, feature, quantity, date '2026-01-31' + customer_id, '28 days') FROM hand GROUP BY customer_id$$,
                'as_of may differ between groups');
SELECT throws_ok($$SELECT engagement(date '2026-01-10', 'x', q, date '2026-01-31', '28 days') FROM (VALUES ('NaN'::numeric)) v(q)$$,
                 '22023', 'quantity must be a finite number, zero or more', 'quantity NaN');
SELECT throws_ok($$SELECT engagement(date '2026-01-10', 'x', q, date '2026-01-31', '28 days') FROM (VALUES ('Infinity'::numeric)) v(q)$$,
                 '22023', 'quantity must be a finite number, zero or more', 'quantity Infinity');
SELECT throws_ok($$SELECT engagement(date '2026-03-10', 'x', q, date '2026-01-31', '28 days') FROM (VALUES (-0.01::numeric)) v(q)$$,
                 '22023', 'quantity must be a finite number, zero or more', 'quantity negative, even after as_of');
SELECT throws_ok($$SELECT engagement(date '2026-01-10', 'x', q, date '2026-01-31', '28 days') FROM (VALUES (-1e300::numeric)) v(q)$$,
                 '22023', 'quantity must be a finite number, zero or more', 'quantity negative (long numeric form)');
SELECT is((SELECT (engagement(date '2026-01-10', 'x', q, date '2026-01-31', '28 days')).total_quantity FROM (VALUES (0::numeric), (-0.0::numeric)) v(q)),
          0::numeric, 'quantity zero and minus zero are zero');
-- the error names the event
\ir lib/error_detail.sql
SELECT is(pg_temp.error_detail($$SELECT engagement(date '2026-01-10', 'reports', 'NaN', date '2026-01-31', '28 days')$$),
          'The event at 2026-01-10, feature ''reports'', has quantity NaN.', 'the quantity error names the event');
-- each quantity rounded half-even at 12 decimals, then summed: two halves
-- of the 12th decimal round to 0 each (not to 1 together), 1.5 of it to 2
SELECT is((SELECT (engagement(date '2026-01-10', 'x', q, date '2026-01-31', '28 days')).total_quantity::text
           FROM (VALUES (0.0000000000005), (0.0000000000005)) v(q)),
          '0.000000000000', 'quantities are rounded half-even at 12 decimals, each on its own (to even: 0)');
SELECT is((SELECT (engagement(date '2026-01-10', 'x', q, date '2026-01-31', '28 days')).total_quantity::text
           FROM (VALUES (0.0000000000015), (1e-16)) v(q)),
          '0.000000000002', 'quantities are rounded half-even at 12 decimals (to even: 2); 1e-16 is 0');
SELECT is((SELECT (engagement(date '2026-01-10', 'x', 1234567890.123456789012, date '2026-01-31', '28 days')).total_quantity::text),
          '1234567890.123456789000', 'a quantity of 22 significant digits is rounded half-even to the 19 that fit');
SELECT is((SELECT (engagement(date '2026-01-10', 'x', q, date '2026-01-31', '28 days')).total_quantity::text
           FROM (VALUES (1e-12), (123456789.5), (0.25)) v(q)),
          '123456789.750000000001', 'quantities of different scales sum exactly');
SELECT is((SELECT (engagement(date '2026-01-10', 'x', q, date '2026-01-31', '28 days')).total_quantity::text
           FROM (VALUES (5.00), (1.5)) v(q)),
          '6.50', 'the total is shown with the most decimals a quantity was written with');
SELECT is((SELECT (engagement(date '2026-01-10', 'x', 90000000000000000.01, date '2026-01-31', '28 days')).total_quantity
           FROM generate_series(1, 3)),
          270000000000000000.03, 'totals beyond bigint units are exact');
SELECT is((SELECT (engagement(date '2026-01-10', 'x', q, date '2026-01-31', '28 days')).total_quantity
           FROM (VALUES (999999999999999999), (0.000000000001)) v(q)),
          999999999999999999.000000000001, 'an 18-digit quantity and a 12-decimal one: 30 digits, exact');
SELECT throws_ok($$SELECT engagement(date '2026-01-10', 'x', 9999999999999999999, date '2026-01-31', '28 days')$$,
                 '22003', 'quantity is out of range', 'a quantity of 19 digits');
SELECT throws_ok($$SELECT engagement(date '2026-01-10', repeat('x', 1001), 1, date '2026-01-31', '28 days')$$,
                 '54000', 'feature must be at most 1000 bytes long', 'a feature over 1000 bytes');
SELECT is((SELECT (engagement(date '2026-01-10', 'f' || i, 1, date '2026-01-31', '28 days')).distinct_features
           FROM generate_series(1, 10000) i),
          10000, '10000 distinct features are counted');
SELECT throws_ok($$SELECT engagement(date '2026-01-10', 'f' || i, 1, date '2026-01-31', '28 days') FROM generate_series(1, 10001) i$$,
                 '54000', 'engagement counts at most 10000 distinct features per group', 'the 10001st distinct feature');
SELECT lives_ok($$SELECT engagement(date '2025-01-10', 'f' || i, 1, date '2026-01-31', '28 days') FROM generate_series(1, 20000) i$$,
                'features outside the window are not kept');
SELECT throws_ok($$SELECT engagement_state_add(NULL, date '2026-01-10', 'x', 1, date '2026-01-31', '28 days')$$,
                 '0A000', 'engagement_state_add can only be called by an aggregate', 'direct call of the transition function');
SELECT throws_ok($$SELECT engagement_state_combine(NULL, NULL)$$,
                 '0A000', 'engagement_state_combine can only be called by an aggregate', 'direct call of the combine function');

-- ---------------------------------------------------------------- the state's I/O
CREATE AGGREGATE pg_temp.engagement_states(date, text, numeric, date, interval) (
    SFUNC = engagement_state_add, STYPE = engagement_state, COMBINEFUNC = engagement_state_combine);
CREATE AGGREGATE pg_temp.engagement_states(timestamptz, text, numeric, timestamptz, interval) (
    SFUNC = engagement_state_add, STYPE = engagement_state, COMBINEFUNC = engagement_state_combine);
CREATE TEMP TABLE states AS
SELECT customer_id, pg_temp.engagement_states(occurred_at, feature, quantity, date '2026-01-31', '28 days') AS s
FROM hand GROUP BY customer_id;
SELECT results_eq($$SELECT customer_id, engagement(s::text::engagement_state) FROM states ORDER BY 1$$,
                  $$SELECT customer_id, e FROM hand_engagement ORDER BY 1$$,
                  'engagement_state text round trip');
SELECT is((SELECT count(*) FROM states WHERE s::text::engagement_state::text = s::text), 7::bigint,
          'engagement_state: the text form reads back to itself');

\ir lib/binary_input.sql
-- A state written by hand, field by field, in network byte order (the
-- format in src/engagement.c): date events, as_of 2024-01-31 (8796 days
-- after 2000-01-01), window 28 days, so the window is 2024-01-04 (8769) ..
-- 2024-01-31 and the previous window 2023-12-07 .. 2024-01-03.  Events:
-- 2024-01-10 'reports' 2.5, 2024-01-12 'exports' 1, 2024-01-12 'reports',
-- 2024-01-30 (no feature) 0.125, and 2023-12-20 'alerts' 4 in the previous
-- window.  pg_temp.hand_state(field, hex, ...) is that state with some
-- fields replaced.
CREATE TEMP TABLE hand_state_field(ord int, field text, hex text);
INSERT INTO hand_state_field VALUES
  (1, 'version', '01'), (2, 'flags', '02'),                 -- date events, a last event
  (3, 'quantity scale', '03'), (4, 'display scale', '03'),  -- 0.125: 3 decimals
  (5, 'as_of', '000000000000225c'),                         -- 8796
  (6, 'window', '00000000' || '0000001c' || '0000000000000000'),  -- 0 months, 28 days, 0 us
  (7, 'window_start', '0000000000002240'),                  -- 8768 = 2024-01-03
  (8, 'previous_start', '0000000000002224'),                -- 8740 = 2023-12-06
  (9, 'first_day', '00002241'), (10, 'as_of_day', '0000225c'),
  (11, 'last_event', '000000000000225b' || '0000225b'),     -- 2024-01-30, its day
  (12, 'events', '0000000000000004'), (13, 'previous_events', '0000000000000001'),
  (14, 'quantity', '0000000000000000' || '0000000000000e29'),  -- 3625 thousandths
  -- window days 6 (2024-01-10), 8 (2024-01-12) and 26 (2024-01-30): bit i % 8 of byte i / 8
  (15, 'bitmap', '40' || '01' || '00' || '04'),
  -- two features, written here out of order
  (16, 'features', '00000002' || '00000007' || encode('reports', 'hex') || '00000007' || encode('exports', 'hex'));
CREATE FUNCTION pg_temp.hand_state(VARIADIC changes text[] DEFAULT '{}') RETURNS bytea LANGUAGE sql AS $$
    SELECT decode(string_agg(coalesce(c.hex, f.hex), '' ORDER BY f.ord), 'hex')
    FROM hand_state_field AS f
    LEFT JOIN (SELECT changes[i] AS field, changes[i + 1] AS hex
               FROM generate_subscripts(changes, 1) AS i WHERE i % 2 = 1) AS c USING (field)
$$;
CREATE TEMP VIEW sorted_features AS
SELECT '00000002' || '00000007' || encode('exports', 'hex') || '00000007' || encode('reports', 'hex') AS hex;

SELECT is(engagement(pg_temp.binary_input('engagement_state', pg_temp.hand_state())::engagement_state),
          ROW(3, 4::bigint, 4 / 3::float8, 2, 1, 1::bigint, 4::float8, 3.625)::engagement,
          'engagement_state_recv of hand-made big-endian bytes: 3 active days, 4 events, 2 features, 1 day since the last, 1 previous event, 3.625');
SELECT is((SELECT engagement_state_send(pg_temp.engagement_states(d, f, q, date '2024-01-31', '28 days'))
           FROM (VALUES (date '2024-01-10', 'reports', 2.5), ('2024-01-12', 'exports', 1), ('2024-01-12', 'reports', NULL),
                        ('2024-01-30', NULL, 0.125), ('2023-12-20', 'alerts', 4)) v(d, f, q)),
          pg_temp.hand_state('features', (SELECT hex FROM sorted_features)),
          'engagement_state_send writes the hand-made bytes (features sorted)');
SELECT is(engagement_state_send(pg_temp.binary_input('engagement_state', pg_temp.hand_state())::engagement_state),
          pg_temp.hand_state('features', (SELECT hex FROM sorted_features)),
          'features read in any order are written sorted');
SELECT is(encode(pg_temp.hand_state(), 'base64')::engagement_state::text,
          translate(encode(pg_temp.hand_state('features', (SELECT hex FROM sorted_features)), 'base64'), E'\n', ''),
          'the text form is the base64 of the binary form');
SELECT is(engagement(encode(pg_temp.hand_state(), 'base64')::engagement_state),
          engagement(pg_temp.binary_input('engagement_state', pg_temp.hand_state())::engagement_state),
          'text and binary input read the same state');

-- crafted states: every field and invariant is checked, in both forms
CREATE FUNCTION pg_temp.crafted_text(VARIADIC changes text[]) RETURNS engagement_state LANGUAGE sql AS $$
    SELECT encode(pg_temp.hand_state(VARIADIC changes), 'base64')::engagement_state
$$;
SELECT throws_ok(format('SELECT pg_temp.crafted_text(%L, %L)', field, hex), '22P03',
                 'invalid engagement_state value: ' || message, 'text input refuses ' || what)
FROM (VALUES
  ('version', '02', 'unknown version', 'another version'),
  ('flags', '06', 'unknown flags', 'an unknown flag'),
  ('quantity scale', '04', 'bad quantity scale', 'a total finer than it is shown'),
  ('display scale', '0d', 'bad quantity scale', 'a display scale of 13'),
  ('as_of', '000000007fffffff', 'bad window', 'an infinite as_of'),
  ('window', '00000000' || '00000000' || '0000000000000000', 'bad window', 'an empty window'),
  ('window', '00000000' || '0000001c' || '0000000000000001', 'bad window', 'a window of 28 days and 1 microsecond for dates'),
  ('window_start', '000000000000225c', 'bad window', 'a window that starts at as_of'),
  ('previous_start', '0000000000002241', 'bad window', 'a previous window after the window'),
  ('as_of_day', '0000225b', 'bad window days', 'as_of''s day is not as_of'),
  ('first_day', '00002240', 'bad window days', 'the first day is not the day after the window''s start'),
  ('previous_start', '0000000000002225', 'the window''s bounds do not match as_of and window', 'a previous window of 27 days'),
  ('last_event', '000000000000225d' || '0000225d', 'bad last event', 'the last event after as_of'),
  ('last_event', '000000000000225b' || '0000225a', 'bad last event', 'the last event''s day is not its date'),
  ('events', '0000000000000000', 'events disagree with the last event', 'no events though the last event is in the window'),
  ('events', 'ffffffffffffffff', 'negative number of events', 'a negative count'),
  ('previous_events', '8000000000000000', 'negative number of events', 'a negative previous count'),
  ('quantity', 'ffffffffffffffff' || 'ffffffffffffffff', 'bad total quantity', 'a negative total'),
  ('bitmap', '40' || '01' || '00' || '14', 'days outside the window', 'a day after as_of'),
  ('bitmap', 'ff' || '01' || '00' || '04', 'active days disagree with the events', '10 active days and 4 events'),
  ('bitmap', '00000000', 'active days disagree with the events', 'events without an active day'),
  ('features', '00000002' || '00000007' || encode('reports', 'hex') || '00000007' || encode('reports', 'hex'),
   'duplicate feature', 'a feature twice'),
  ('features', '00000001' || '000003e9' || repeat('61', 1001), 'bad feature length', 'a feature of 1001 bytes'),
  ('features', '00000001' || 'ffffffff', 'bad feature length', 'a negative feature length'),
  ('features', '00002711' || repeat('00000000', 10001), 'bad number of features', '10001 features'),
  ('features', '00000003' || '00000007' || encode('reports', 'hex') || '00000007' || encode('exports', 'hex'),
   'truncated', 'a missing feature'),
  ('features', '00000001' || '00000007' || encode('reports', 'hex') || '00', 'trailing bytes', 'a byte after the features')
) AS t(field, hex, message, what);
-- flags 0: no last event, so its twelve bytes are not there
SELECT throws_ok($$SELECT pg_temp.crafted_text('flags', '00', 'last_event', '')$$, '22P03',
                 'invalid engagement_state value: events disagree with the last event', 'text input refuses events without a last event');
SELECT throws_ok($$SELECT pg_temp.binary_input('engagement_state', pg_temp.hand_state('version', '02'))$$, '22P03',
                 'invalid engagement_state value: unknown version', 'binary input refuses another version');
SELECT throws_ok($$SELECT pg_temp.binary_input('engagement_state', pg_temp.hand_state('bitmap', 'ff010004'))$$, '22P03',
                 'invalid engagement_state value: active days disagree with the events', 'binary input refuses more active days than events');
SELECT throws_ok($$SELECT pg_temp.binary_input('engagement_state', substr(pg_temp.hand_state(), 1, 40))$$, '22P03',
                 'invalid engagement_state value: truncated', 'binary input refuses a truncated state');
SELECT throws_ok($$SELECT 'not base64!'::engagement_state$$, '22P02', 'invalid input syntax for type engagement_state',
                 'text that is not base64');
SELECT throws_ok($$SELECT '\x0102'::engagement_state$$, '22P02', 'invalid input syntax for type engagement_state',
                 'the hex text of an earlier development version');
-- every single-byte change of a valid state is refused with 22P03 or reads as a state
CREATE FUNCTION pg_temp.state_corruptions() RETURNS TABLE(accepted int, rejected int, other_errors int) LANGUAGE plpgsql AS $$
DECLARE
    good bytea := pg_temp.hand_state();
BEGIN
    accepted := 0; rejected := 0; other_errors := 0;
    FOR i IN 0 .. length(good) - 1 LOOP
        FOR delta IN 1 .. 3 LOOP
            BEGIN
                PERFORM engagement(encode(set_byte(good, i, (get_byte(good, i) + delta * 85) % 256), 'base64')::engagement_state);
                accepted := accepted + 1;
            EXCEPTION
                WHEN invalid_binary_representation THEN rejected := rejected + 1;
                WHEN OTHERS THEN other_errors := other_errors + 1;
            END;
        END LOOP;
    END LOOP;
    RETURN NEXT;
END $$;
SELECT is((SELECT rejected > 0 AND accepted > 0 AND other_errors = 0 FROM pg_temp.state_corruptions()), true,
          'single-byte corruptions are refused with 22P03 or read');

-- a timestamptz state keeps the days of the TimeZone it was built in: read
-- elsewhere it gives the same engagement; extended there with an event whose
-- local day falls outside its days, it refuses the event
SET LOCAL TimeZone = 'Pacific/Auckland';
CREATE TEMP TABLE tz_state AS
SELECT pg_temp.engagement_states(t, 'f', 1, timestamptz '2024-03-01 00:00+13', '1 day')::text AS s,
       engagement(t, 'f', 1, timestamptz '2024-03-01 00:00+13', '1 day') AS e
FROM (VALUES (timestamptz '2024-02-29 23:00+13'), ('2024-02-29 01:00+13')) v(t);
SET LOCAL TimeZone = 'America/New_York';
SELECT is((SELECT engagement(s::engagement_state) FROM tz_state), (SELECT e FROM tz_state),
          'a timestamptz state read under another TimeZone: the same engagement');
DO $$
BEGIN
    EXECUTE format('CREATE AGGREGATE pg_temp.more_events(timestamptz, text, numeric, timestamptz, interval) '
                   '(SFUNC = engagement_state_add, STYPE = engagement_state, INITCOND = %L)', (SELECT s FROM tz_state));
END $$;
-- 2024-02-29 22:00+13 is 04:00 on February 29 in New York, one of the state's days
SELECT is((SELECT (engagement(pg_temp.more_events(timestamptz '2024-02-29 22:00+13', 'g', 1, timestamptz '2024-03-01 00:00+13', '1 day'))).distinct_features),
          2, 'a stored state takes more events');
-- 2024-02-29 00:30+13 is in the window, but on February 28 in New York
SELECT throws_ok($$SELECT pg_temp.more_events(timestamptz '2024-02-29 00:30+13', 'g', 1, timestamptz '2024-03-01 00:00+13', '1 day')$$,
                 '22023', 'an event''s day falls outside the days of the engagement state''s window',
                 'an event on a day the state does not have (its days were counted in another TimeZone)');
SET LOCAL TimeZone = 'UTC';

SELECT * FROM finish();
ROLLBACK;
