-- The worked example of docs/sbg.md: the "Regular" cohort of Fader and
-- Hardie (2007), fitted, projected and valued, against 1 / churn.
CREATE TABLE regular(year integer, active bigint);
INSERT INTO regular VALUES (0, 1000), (1, 631), (2, 468), (3, 382), (4, 326), (5, 289), (6, 262), (7, 241);

SELECT round(alpha::numeric, 4) AS alpha, round(beta::numeric, 4) AS beta,
       round(log_likelihood::numeric, 2) AS log_likelihood, periods, converged
FROM (SELECT (sbg_fit(year, active)).* FROM regular) m;

-- retention rises with tenure: the customers who stay are the loyal ones
SELECT t AS year, round(sbg_retention_rate(m, t)::numeric, 4) AS retention,
       round(sbg_survival(m, t)::numeric, 4) AS survival, round(1000 * sbg_survival(m, t)) AS projected,
       (SELECT active FROM regular WHERE year = t) AS actual
FROM (SELECT sbg_fit(year, active) AS m FROM regular) f, generate_series(1, 12) t;

-- 1 / churn from the first year says 2.7 years; the model says the mean is
-- infinite (alpha < 1).  Valued at d = 10 %, a new customer's future
-- payments of 100 are worth clv_sbg; the constant-churn model on the same
-- basis, (clv_from_churn - the payment now) * (1 + d), gives half of it.
SELECT round(lifetime_from_churn(1 - 631 / 1000.0)::numeric, 2) AS lifetime_1_over_churn,
       sbg_expected_lifetime(m) AS sbg_lifetime,
       round(sbg_derl(m, 0.1)::numeric, 4) AS derl_new,
       round(sbg_derl(m, 0.1, 5)::numeric, 4) AS derl_after_5,
       round(clv_sbg(100, m, 0.1), 2) AS clv_sbg_new,
       round((clv_from_churn(100, 1 - 631 / 1000.0, 1, 0.1) - 100) * 1.1, 2) AS constant_churn_same_basis
FROM (SELECT sbg_fit(year, active) AS m FROM regular) f;

DROP TABLE regular;
