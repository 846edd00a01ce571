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
SELECT plan(73);

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
CREATE TEMP TABLE states AS
SELECT customer_id, pg_temp.engagement_states(occurred_at, feature, quantity, date '2026-01-31', '28 days') AS s
FROM hand GROUP BY customer_id;
SELECT results_eq($$SELECT customer_id, engagement(s::text::engagement_state) FROM states ORDER BY 1$$,
                  $$SELECT customer_id, e FROM hand_engagement ORDER BY 1$$,
                  'engagement_state text round trip');
SELECT is((SELECT engagement_state_send(s) = engagement_state_send(s::text::engagement_state) FROM states WHERE customer_id = 1),
          true, 'engagement_state_send of the round trip: the same bytes');
SELECT throws_ok($$SELECT 'abc'::engagement_state$$, '22P02', NULL, 'text input without \x');
SELECT throws_ok($$SELECT '\x0011'::engagement_state$$, '22P03', 'invalid engagement_state value: wrong length', 'too short');
SELECT throws_ok($$SELECT (left(s::text, -2) || 'ff')::engagement_state FROM states WHERE customer_id = 1$$,
                 '22P03', NULL, 'a changed last byte (in the feature arena) is detected');
SELECT throws_ok($$SELECT overlay(s::text placing '02' from 3 + 2 * 6 for 2)::engagement_state FROM states WHERE customer_id = 1$$,
                 '22P03', 'invalid engagement_state value: unknown version', 'another version');
-- a flag that is not one (offset 4 of the header)
SELECT throws_ok($$SELECT overlay(s::text placing 'ff' from 3 + 2 * 4 for 2)::engagement_state FROM states WHERE customer_id = 1$$,
                 '22P03', 'invalid engagement_state value: bad header', 'unknown flags');
-- the day bitmap (after the 120-byte header): a day after as_of
SELECT throws_ok($$SELECT overlay(s::text placing 'ffffffff' from 3 + 2 * 120 for 8)::engagement_state FROM states WHERE customer_id = 1$$,
                 '22P03', NULL, 'a day outside the window');

SELECT * FROM finish();
ROLLBACK;
