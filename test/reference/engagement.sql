-- Plain-SQL reference for engagement(), independent of the C code, and a
-- generator of deterministic usage events to compare them on.
--
--   CALL ref.make_events('events', 2000, 7);   -- customers, seed
--   SELECT * FROM ref.engagement('events', '2026-03-31', '28 days', 'timestamptz');
--
-- The definitions (docs/churn_signals.md), written the way a user would:
-- the window is (as_of - window, as_of], the previous window
-- (as_of - 2 * window, as_of - window], days are occurred_at::date (local
-- days in TimeZone for timestamptz), events after as_of are left out.
-- Customers whose every event is after as_of (or NULL) have no row here.
CREATE SCHEMA IF NOT EXISTS ref;

-- Events of customers 1..n: a customer uses the product on some days of
-- 2025-06-01 .. 2026-06-30 (from a start to an end of its own, with a
-- density of its own), a few events a day at random times, one of 12
-- features (some customers only a few), quantity 0-99.99 (a few NULLs, a
-- few 3-decimal ones) and NULL features now and then; the table also holds
-- rows with a NULL occurred_at and customers whose events all come after
-- 2026-03-31.  Columns: customer_id bigint, occurred_at timestamptz,
-- occurred_on date (its day in TimeZone 'UTC'), feature text, quantity numeric.
CREATE OR REPLACE PROCEDURE ref.make_events(name text, customers integer, seed integer)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('DROP TABLE IF EXISTS %s', name);
    EXECUTE format($q$
        CREATE TABLE %s AS
        WITH c AS (
            SELECT k,
                   date '2025-06-01' + floor(300 * ref.unit(k, 1, %2$s))::int AS first_day,
                   0.05 + 0.9 * ref.unit(k, 2, %2$s) AS density,
                   1 + floor(12 * ref.unit(k, 3, %2$s) ^ 2)::int AS breadth
            FROM generate_series(1, %3$s) AS k
        ), d AS (
            SELECT c.*, day::date AS day, (c.k * 1000 + (day::date - date '2025-06-01')) AS kd
            FROM c, generate_series(c.first_day, c.first_day + 100 + floor(300 * ref.unit(c.k, 4, %2$s))::int, interval '1 day') AS day
            WHERE day <= '2026-06-30'
        ), e AS (
            SELECT d.k, d.day, d.breadth, d.kd, i
            FROM d, generate_series(1, 1 + floor(4 * ref.unit(d.kd, 5, %2$s))::int) AS i
            WHERE ref.unit(d.kd, 6, %2$s) < d.density
        )
        SELECT k::bigint AS customer_id,
               (day + make_interval(secs => floor(86400 * ref.unit(kd, 10 + i, %2$s))))::timestamp
                   AT TIME ZONE 'UTC' AS occurred_at,
               CASE WHEN ref.unit(kd, 30 + i, %2$s) < 0.02 THEN NULL
                    ELSE 'feature ' || (1 + floor(breadth * ref.unit(kd, 50 + i, %2$s)))::int END AS feature,
               CASE WHEN ref.unit(kd, 70 + i, %2$s) < 0.03 THEN NULL
                    WHEN ref.unit(kd, 70 + i, %2$s) < 0.05 THEN round((100 * ref.unit(kd, 90 + i, %2$s))::numeric, 3)
                    ELSE round((100 * ref.unit(kd, 90 + i, %2$s))::numeric, 2) END AS quantity
        FROM e
        UNION ALL   -- rows without a time, and customers who start after 2026-03-31
        SELECT k, NULL, 'feature 1', 1 FROM generate_series(1, %3$s, 97) AS k
        UNION ALL
        SELECT %3$s + k, timestamptz '2026-04-02 12:00+00' + k * interval '1 hour', 'feature 2', 5
        FROM generate_series(1, 3) AS k
    $q$, name, seed, customers);
    EXECUTE format($q$ALTER TABLE %s ADD COLUMN occurred_on date$q$, name);
    EXECUTE format($q$UPDATE %s SET occurred_on = (occurred_at AT TIME ZONE 'UTC')::date$q$, name);
    EXECUTE format('ANALYZE %s', name);
END $$;

-- The engagement of every customer with an event up to as_of, from the
-- column occurred_at (typ 'timestamptz') or occurred_on (typ 'date').
CREATE OR REPLACE FUNCTION ref.engagement(event_table regclass, as_of text, win interval, typ text)
RETURNS TABLE(customer_id bigint, active_days integer, events bigint, events_per_active_day float8,
              distinct_features integer, days_since_last_event integer, previous_events bigint,
              trend float8, total_quantity numeric)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN QUERY EXECUTE format($q$
        WITH x AS (
            SELECT e.customer_id, e.t, e.feature, e.quantity,
                   e.t > $1::%3$s - $2 AND e.t <= $1::%3$s AS in_window,
                   e.t > $1::%3$s - 2 * $2 AND e.t <= $1::%3$s - $2 AS in_previous
            FROM (SELECT customer_id, %2$s AS t, feature, quantity FROM %1$s) AS e
            WHERE e.t <= $1::%3$s
        )
        SELECT customer_id,
               (count(DISTINCT t::date) FILTER (WHERE in_window))::integer,
               count(*) FILTER (WHERE in_window),
               count(*) FILTER (WHERE in_window)::float8
                 / nullif(count(DISTINCT t::date) FILTER (WHERE in_window), 0),
               (count(DISTINCT feature) FILTER (WHERE in_window))::integer,
               $1::%3$s::date - max(t)::date,
               count(*) FILTER (WHERE in_previous),
               count(*) FILTER (WHERE in_window)::float8 / nullif(count(*) FILTER (WHERE in_previous), 0),
               coalesce(sum(quantity) FILTER (WHERE in_window), 0)
        FROM x
        GROUP BY customer_id
    $q$, event_table, CASE typ WHEN 'date' THEN 'occurred_on' ELSE 'occurred_at' END, typ)
    USING as_of, win;
END $$;
