-- The worked examples of docs/clv_models.md, run as written: one per model
-- of customer value (sBG, BG/NBD with Gamma-Gamma, clv_from_churn).
SET DateStyle = ISO;

-- 1. Contractual (subscriptions): the sBG model of a cohort's survivors.
-- 1,000 annual subscribers, counted at each renewal (Fader and Hardie
-- 2007, "Regular" cohort); each payment is worth a margin of 100.
SELECT round(m.alpha::numeric, 3) AS alpha, round(m.beta::numeric, 3) AS beta,
       round(sbg_derl(m, 0.10)::numeric, 3) AS derl,
       round(clv_sbg(100, m, 0.10), 2) AS clv_new_subscriber,
       round(clv_sbg(100, m, 0.10, 5), 2) AS clv_after_5_renewals
FROM sbg_fit(ARRAY[1000, 631, 468, 382, 326, 289, 262, 241]) AS m;

-- 2. Non-contractual (repeat purchases, no cancellation): BG/NBD for the
-- purchases, Gamma-Gamma for the spend.  The CDNOW sample: 2,357 customers
-- of an online music shop from their first purchase in early 1997 to June
-- 1998.
CREATE TABLE cdnow_lines(line text);
\copy cdnow_lines FROM 'test/data/cdnow_sample.txt' WITH (FORMAT text, DELIMITER E'\x01')
CREATE TABLE purchases AS
SELECT f[2]::integer AS customer_id, to_date(f[3], 'YYYYMMDD') AS purchased_on, f[5]::numeric AS amount
FROM (SELECT regexp_split_to_array(btrim(line), '\s+') AS f FROM cdnow_lines) AS s;
SELECT * FROM purchases ORDER BY customer_id, purchased_on LIMIT 5;

-- One rfm summary per customer: the first 39 weeks are the calibration period.
CREATE TABLE customer_rfm AS
SELECT customer_id, rfm(purchased_on, amount, '1997-09-30', 'week') AS rfm
FROM purchases GROUP BY customer_id;
SELECT customer_id, (rfm).* FROM customer_rfm ORDER BY customer_id LIMIT 5;

-- The two fits.
SELECT round(r::numeric, 3) AS r, round(alpha::numeric, 3) AS alpha, round(a::numeric, 3) AS a,
       round(b::numeric, 3) AS b, round(log_likelihood::numeric, 1) AS log_likelihood, customers, converged
FROM (SELECT (bgnbd_fit(rfm)).* FROM customer_rfm) AS m;
SELECT round(p::numeric, 2) AS p, round(q::numeric, 2) AS q, round(gamma::numeric, 2) AS gamma, customers, converged
FROM (SELECT (gamma_gamma_fit(rfm)).* FROM customer_rfm) AS m;
CREATE TABLE models AS
SELECT bgnbd_fit(rfm) AS purchases_model, gamma_gamma_fit(rfm) AS spend_model FROM customer_rfm;

-- Each customer: still alive?  purchases and spend to expect, value over
-- the next year at 10 % a year (weekly rate 1.1^(1/52) - 1).
SELECT c.customer_id, (c.rfm).frequency AS x, round((c.rfm).recency::numeric, 1) AS t_x, round((c.rfm).t::numeric, 1) AS t,
       round((c.rfm).monetary_value, 2) AS spend,
       round(bgnbd_p_alive(m.purchases_model, c.rfm)::numeric, 3) AS p_alive,
       round(bgnbd_expected_purchases(m.purchases_model, c.rfm, 52)::numeric, 2) AS purchases_next_52,
       round(gamma_gamma_expected_spend(m.spend_model, c.rfm), 2) AS expected_spend,
       round(clv_bgnbd(m.purchases_model, m.spend_model, c.rfm, 52, 1.1 ^ (1 / 52.0) - 1), 2) AS clv_52_weeks
FROM customer_rfm c, models m
WHERE c.customer_id IN (1, 3, 6, 18, 1516)
ORDER BY c.customer_id;

-- How good is it?  The 39 weeks after the calibration period: repeat
-- purchase days the model expects, and those the customers made.
SELECT round(sum(bgnbd_expected_purchases(m.purchases_model, c.rfm, 39))::numeric) AS expected_in_holdout,
       (SELECT count(DISTINCT (customer_id, purchased_on)) FROM purchases
        WHERE purchased_on BETWEEN '1997-10-01' AND '1998-06-30') AS actual_in_holdout
FROM customer_rfm c, models m;

-- A new customer's repeat purchases over the first 39 and 78 weeks.
SELECT round(bgnbd_expected_purchases(purchases_model, 39)::numeric, 3) AS first_39_weeks,
       round(bgnbd_expected_purchases(purchases_model, 78)::numeric, 3) AS first_78_weeks
FROM models;

-- 3. The quick formula: one churn rate for everyone.  ARPA 50 a month,
-- 3 % monthly churn, 80 % gross margin, 1 % monthly discount rate.
SELECT round(clv_from_churn(50, 0.03, 0.8, 0.01), 2) AS clv_from_churn;

DROP TABLE models, customer_rfm, purchases, cdnow_lines;
