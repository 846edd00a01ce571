-- Deterministic Stripe-shaped billing data for the recipes of
-- docs/recipes.md ("From Stripe billing tables to book rows"): prices,
-- coupons, subscriptions and their items, discounts, item change events,
-- invoices and invoice line items, as Stripe would have them on
-- 2025-06-30 (the data's "now"), in the tables of schema stripe that the
-- recipe defines (create them first).
--
--   CALL ref.make_billing(2000);       -- 2000 subscriptions, seed 1
--   CALL ref.make_billing(500, 7);
--
-- It is written from the billing rules, independently of the recipe's
-- views: the same seed always gives the same rows (every choice is a hash
-- of (subscription number, draw number) keyed by the seed, as in book.sql).
-- Each subscription has one item:
--   * a product (starter, growth, business: 29.00, 79.00, 199.00 a month)
--     billed monthly (55 %), quarterly (3 months, 10 %), yearly (15 %: 12
--     months at 15 % off, 20 % off for growth), weekly or every two weeks
--     (12 %) or daily (8 %); quantity 1-4;
--   * a start between 2024-01-01 and 2025-06-29, with a 14-day free trial
--     (30 %), billing periods anchored at the end of the trial (or the
--     start) and invoiced on the day they start, up to 2025-06-30;
--   * a coupon applied when it starts paying (25 %): 20 % off forever, or,
--     on monthly plans, 50 % off for 3 months or 10.00 off once;
--   * without a coupon, a change of price or quantity in billing period
--     1-6 (35 %): at the renewal (10 %), in mid-period with proration lines
--     (20 %: a credit for the unused time on the old price, a charge for
--     the remaining time on the new one, each rounded to the cent, over
--     the rest of the period) or in mid-period without proration (5 %: the
--     new price is billed from the next period); daily plans change at a
--     renewal only.  Half the changes move up a product, a third add one
--     or two units, the rest remove one (or add one at quantity 1);
--   * an end after 1-10 billing periods: cancelled at the period end
--     (25 %: cancel_at_period_end, paid to the end of the period, still
--     active on 2025-06-30 if that end is later) or at once without a
--     refund (15 %: the period in progress was billed in full).
-- Invoices are paid; a trial has a 0.00 line over the trial.
\ir book.sql

CREATE OR REPLACE PROCEDURE ref.make_billing(subscriptions integer, seed integer DEFAULT 1)
LANGUAGE plpgsql
AS $$
DECLARE
    as_of constant timestamptz := '2025-06-30 00:00+00';
BEGIN
    -- the catalogue: every product on every billing interval
    INSERT INTO stripe.prices
    SELECT format('price_%s_%s_%s', pr.product, b.recurring_interval, b.interval_count), pr.product,
           CASE b.recurring_interval
               WHEN 'month' THEN pr.monthly * b.interval_count
               WHEN 'year' THEN round(pr.monthly * 12 * (1 - pr.annual_discount))
               WHEN 'week' THEN pr.weekly * b.interval_count
               ELSE pr.daily END,
           b.recurring_interval, b.interval_count
    FROM (VALUES ('starter', 2900, 0.15, 700, 100), ('growth', 7900, 0.20, 1900, 260),
                 ('business', 19900, 0.15, 4700, 650)) AS pr(product, monthly, annual_discount, weekly, daily),
         (VALUES ('month', 1), ('month', 3), ('year', 1), ('week', 1), ('week', 2), ('day', 1))
             AS b(recurring_interval, interval_count)
    ON CONFLICT (id) DO NOTHING;
    INSERT INTO stripe.coupons VALUES
        ('gen_20_forever', 20, NULL, 'forever', NULL),
        ('gen_50_3_months', 50, NULL, 'repeating', 3),
        ('gen_10_once', NULL, 1000, 'once', NULL)
    ON CONFLICT (id) DO NOTHING;

    -- what happens to each subscription; draws 0-19
    CREATE TEMP TABLE gen_plan ON COMMIT DROP AS
    WITH d AS (
        SELECT n, ref.unit(n, 0, seed) AS product_draw, ref.unit(n, 1, seed) AS billing_draw,
               ref.unit(n, 2, seed) AS weeks_draw, 1 + floor(ref.unit(n, 3, seed) * 4)::int AS quantity,
               timestamptz '2024-01-01 00:00+00' + floor(ref.unit(n, 4, seed) * 546)::int * interval '1 day' AS start,
               ref.unit(n, 5, seed) < 0.30 AS has_trial,
               ref.unit(n, 6, seed) AS coupon_draw, ref.unit(n, 7, seed) AS coupon_kind_draw,
               ref.unit(n, 8, seed) AS change_draw, 1 + floor(ref.unit(n, 9, seed) * 6)::int AS change_period,
               ref.unit(n, 10, seed) AS change_day_draw, ref.unit(n, 11, seed) AS change_kind_draw,
               1 + floor(ref.unit(n, 12, seed) * 2)::int AS units_added,
               ref.unit(n, 13, seed) AS end_draw, floor(ref.unit(n, 14, seed) * 10)::int AS end_period,
               ref.unit(n, 15, seed) AS end_day_draw
        FROM generate_series(1, subscriptions) AS n
    ), b AS (
        SELECT d.*,
               CASE WHEN product_draw < 0.5 THEN 'starter' WHEN product_draw < 0.85 THEN 'growth' ELSE 'business' END AS product,
               CASE WHEN billing_draw < 0.55 THEN 'month' WHEN billing_draw < 0.65 THEN 'month'
                    WHEN billing_draw < 0.80 THEN 'year' WHEN billing_draw < 0.92 THEN 'week' ELSE 'day' END AS recurring_interval,
               CASE WHEN billing_draw >= 0.55 AND billing_draw < 0.65 THEN 3
                    WHEN billing_draw >= 0.80 AND billing_draw < 0.92 AND weeks_draw < 0.5 THEN 2
                    ELSE 1 END AS interval_count
        FROM d
    ), c AS (
        SELECT b.*,
               CASE WHEN coupon_draw >= 0.25 THEN NULL
                    WHEN coupon_kind_draw < 0.4 OR recurring_interval <> 'month' OR interval_count <> 1 THEN 'gen_20_forever'
                    WHEN coupon_kind_draw < 0.7 THEN 'gen_50_3_months'
                    ELSE 'gen_10_once' END AS coupon,
               CASE WHEN coupon_draw < 0.25 OR change_draw >= 0.35 THEN NULL
                    WHEN change_draw < 0.10 OR recurring_interval = 'day' THEN 'at_renewal'
                    WHEN change_draw < 0.30 THEN 'prorated'
                    ELSE 'unprorated' END AS change,
               CASE WHEN end_draw < 0.25 THEN 'period_end' WHEN end_draw < 0.40 THEN 'immediately' END AS ending
        FROM b
    )
    SELECT n, 'cus_' || lpad(n::text, 6, '0') AS customer, 'sub_' || lpad(n::text, 6, '0') AS subscription,
           'si_' || lpad(n::text, 6, '0') AS item,
           start, CASE WHEN has_trial THEN start + interval '14 days' ELSE start END AS paid_start, has_trial,
           CASE recurring_interval WHEN 'day' THEN interval '1 day' WHEN 'week' THEN interval '7 days'
                WHEN 'month' THEN interval '1 month' ELSE interval '1 year' END * interval_count AS period,
           format('price_%s_%s_%s', product, recurring_interval, interval_count) AS old_price, quantity AS old_quantity,
           format('price_%s_%s_%s',
                  CASE WHEN change_kind_draw < 0.5 AND product = 'starter' THEN 'growth'
                       WHEN change_kind_draw < 0.5 AND product = 'growth' THEN 'business'
                       ELSE product END,
                  recurring_interval, interval_count) AS new_price,
           CASE WHEN change_kind_draw < 0.5 AND product <> 'business' THEN quantity
                WHEN change_kind_draw < 0.83 OR quantity = 1 THEN quantity + units_added
                ELSE quantity - 1 END AS new_quantity,
           coupon, change, change_period, change_day_draw, ending, end_period, end_day_draw
    FROM c;

    -- billing periods from the first paid day on, anchored there, as far as
    -- they could be invoiced by 2025-06-30 and before any end
    CREATE TEMP TABLE gen_period ON COMMIT DROP AS
    SELECT g.n, k, g.paid_start + k * g.period AS period_start, g.paid_start + (k + 1) * g.period AS period_end
    FROM gen_plan AS g,
         generate_series(0, CASE WHEN g.period < interval '7 days' THEN 550 WHEN g.period < interval '1 month' THEN 80
                                 ELSE 20 END) AS k
    WHERE g.paid_start + k * g.period <= as_of;
    CREATE INDEX ON gen_period (n, k);
    ANALYZE gen_plan, gen_period;

    -- when the change and the end happen (NULL: not by 2025-06-30)
    CREATE TEMP TABLE gen_event ON COMMIT DROP AS
    SELECT g.n,
           CASE WHEN e.ended_at <= as_of THEN e.ended_at END AS ended_at,
           CASE WHEN g.ending = 'period_end' AND e.cancel_requested <= as_of THEN e.cancel_requested
                WHEN g.ending = 'immediately' AND e.ended_at <= as_of THEN e.ended_at END AS canceled_at,
           g.ending = 'period_end' AND e.cancel_requested <= as_of AS cancel_at_period_end,
           CASE WHEN ch.changed_at < coalesce(e.ended_at, 'infinity') AND ch.changed_at <= as_of
                THEN ch.changed_at END AS changed_at
    FROM gen_plan AS g
    LEFT JOIN LATERAL (
        SELECT CASE g.ending
                   WHEN 'period_end' THEN p.period_end
                   ELSE p.period_start + (1 + floor(g.end_day_draw * (extract(day FROM p.period_end - p.period_start) - 1)))::int
                                         * interval '1 day' END AS ended_at,
               p.period_start AS cancel_requested
        FROM gen_period AS p
        WHERE p.n = g.n AND p.k = g.end_period AND g.ending IS NOT NULL
          AND (g.ending = 'period_end' OR p.period_end - p.period_start > interval '1 day')
    ) AS e ON true
    LEFT JOIN LATERAL (
        SELECT CASE WHEN g.change = 'at_renewal' THEN p.period_start
                    ELSE p.period_start + (1 + floor(g.change_day_draw * (extract(day FROM p.period_end - p.period_start) - 1)))::int
                                          * interval '1 day' END AS changed_at
        FROM gen_period AS p
        WHERE p.n = g.n AND p.k = g.change_period AND g.change IS NOT NULL
    ) AS ch ON true;

    -- the periods actually billed: those starting before the end
    DELETE FROM gen_period AS p USING gen_event AS e
    WHERE e.n = p.n AND p.period_start >= e.ended_at;

    INSERT INTO stripe.subscriptions
    SELECT g.subscription, g.customer,
           CASE WHEN e.ended_at IS NOT NULL THEN 'canceled' WHEN as_of < g.paid_start THEN 'trialing' ELSE 'active' END,
           g.start,
           CASE WHEN g.has_trial THEN g.start END, CASE WHEN g.has_trial THEN g.paid_start END,
           cur.period_start, cur.period_end,
           coalesce(e.cancel_at_period_end, false), e.canceled_at, e.ended_at
    FROM gen_plan AS g
    JOIN gen_event AS e USING (n)
    CROSS JOIN LATERAL (
        (SELECT p.period_start, p.period_end FROM gen_period AS p WHERE p.n = g.n ORDER BY p.k DESC LIMIT 1)
        UNION ALL
        SELECT g.start, g.paid_start     -- still on trial
        LIMIT 1
    ) AS cur;

    INSERT INTO stripe.subscription_items
    SELECT g.item, g.subscription,
           CASE WHEN e.changed_at IS NOT NULL THEN g.new_price ELSE g.old_price END,
           CASE WHEN e.changed_at IS NOT NULL THEN g.new_quantity ELSE g.old_quantity END
    FROM gen_plan AS g JOIN gen_event AS e USING (n);

    INSERT INTO stripe.subscription_item_events
    SELECT g.start, g.subscription, g.item, g.old_price, g.old_quantity FROM gen_plan AS g
    UNION ALL
    SELECT e.changed_at, g.subscription, g.item, g.new_price, g.new_quantity
    FROM gen_plan AS g JOIN gen_event AS e USING (n)
    WHERE e.changed_at IS NOT NULL;

    INSERT INTO stripe.discounts
    SELECT 'di_' || lpad(g.n::text, 6, '0'), g.subscription, g.coupon, g.paid_start,
           CASE WHEN g.coupon = 'gen_50_3_months' THEN g.paid_start + interval '3 months' END
    FROM gen_plan AS g
    WHERE g.coupon IS NOT NULL;

    -- the lines: a trial line, one line per billed period at the price in
    -- force when it starts, and the two proration lines of a prorated change
    CREATE TEMP TABLE gen_line ON COMMIT DROP AS
    SELECT g.n, 0 AS k, false AS proration, g.old_price AS price, g.old_quantity AS quantity, 0::bigint AS amount,
           0::bigint AS discount_amount, g.start AS period_start, g.paid_start AS period_end
    FROM gen_plan AS g WHERE g.has_trial
    UNION ALL
    SELECT g.n, 1 + p.k, false, v.price, v.quantity, v.amount,
           CASE WHEN g.coupon = 'gen_20_forever' THEN round(v.amount * 0.20)
                WHEN g.coupon = 'gen_50_3_months' AND p.period_start < g.paid_start + interval '3 months' THEN round(v.amount * 0.50)
                WHEN g.coupon = 'gen_10_once' AND p.k = 0 THEN least(v.amount, 1000)
                ELSE 0 END,
           p.period_start, p.period_end
    FROM gen_plan AS g
    JOIN gen_event AS e USING (n)
    JOIN gen_period AS p USING (n)
    CROSS JOIN LATERAL (
        SELECT pr.id, q.quantity, pr.unit_amount * q.quantity
        FROM (SELECT CASE WHEN e.changed_at <= p.period_start THEN g.new_price ELSE g.old_price END,
                     CASE WHEN e.changed_at <= p.period_start THEN g.new_quantity ELSE g.old_quantity END) AS q(price, quantity)
        JOIN stripe.prices AS pr ON pr.id = q.price
    ) AS v(price, quantity, amount)
    UNION ALL
    SELECT g.n, 1000 + s.side, true, s.price, s.quantity,
           s.sign * round(pr.unit_amount * s.quantity * extract(epoch FROM p.period_end - e.changed_at)
                          / extract(epoch FROM p.period_end - p.period_start)),
           0, e.changed_at, p.period_end
    FROM gen_plan AS g
    JOIN gen_event AS e USING (n)
    JOIN gen_period AS p ON p.n = g.n AND p.period_start < e.changed_at AND e.changed_at < p.period_end
    CROSS JOIN LATERAL (VALUES (0, -1, g.old_price, g.old_quantity), (1, 1, g.new_price, g.new_quantity))
        AS s(side, sign, price, quantity)
    JOIN stripe.prices AS pr ON pr.id = s.price
    WHERE g.change = 'prorated';

    INSERT INTO stripe.invoice_line_items
    SELECT format('il_%s_%s', lpad(l.n::text, 6, '0'), l.k), format('in_%s_%s', lpad(l.n::text, 6, '0'), l.k),
           g.subscription, g.item, l.price, l.quantity, l.proration, l.amount, l.discount_amount,
           l.period_start, l.period_end
    FROM gen_line AS l JOIN gen_plan AS g USING (n);
    INSERT INTO stripe.invoices
    SELECT format('in_%s_%s', lpad(l.n::text, 6, '0'), l.k), g.customer, g.subscription, 'paid'
    FROM gen_line AS l JOIN gen_plan AS g USING (n);
    ANALYZE stripe.prices, stripe.coupons, stripe.subscriptions, stripe.subscription_items, stripe.discounts,
            stripe.subscription_item_events, stripe.invoices, stripe.invoice_line_items;
END
$$;
