-- Worked examples from the README reference, one per formula.
SELECT retention_rate(200, 210, 30);          -- (210 - 30) / 200 = 0.9
SELECT churn_rate(10, 200);                   -- 10 / 200 = 0.05
SELECT lifetime_from_churn(0.01);             -- 1 / 0.01 = 100 periods
SELECT lifetime_from_churn(0);                -- never churns
SELECT round(churn_rate_rescale(0.02, 30, 365)::numeric, 6);   -- monthly 2 % -> annual
SELECT round(retention_rate_rescale(0.9, 365, 30)::numeric, 6); -- annual 90 % -> monthly
SELECT clv(1200, 3.5, 800);                   -- 1200 * 3.5 - 800 = 3400
SELECT clv_from_churn(100, 0.02);             -- 100 / 0.02 = 5000
SELECT clv_from_churn(100, 0.02, 0.8);        -- 100 * 0.8 / 0.02 = 4000
SELECT round(clv_from_churn(100, 0.02, 0.8, 0.01), 2);  -- 100 * 0.8 * 1.01 / 0.03
SELECT arpa(12500, 250);                      -- 50
SELECT cac(30000, 60);                        -- 500
SELECT cac_payback_periods(500, 50, 0.8);     -- 500 / 40 = 12.5
SELECT ltv_to_cac(1500, 500);                 -- 3
SELECT nps(60, 25, 15);                       -- 100 * (60 - 15) / 100 = 45
SELECT s, nps_category(s) FROM generate_series(0, 10) AS s;

-- NULL and zero denominators
SELECT retention_rate(0, 0, 0) IS NULL AS no_start, churn_rate(0, 0) IS NULL AS no_start,
       arpa(0, 0) IS NULL AS no_customers, ltv_to_cac(10, 0) IS NULL AS no_cac,
       nps(0, 0, 0) IS NULL AS no_responses, churn_rate(NULL, 10) IS NULL AS strict;

-- errors, each with its SQLSTATE
\set VERBOSITY terse
SELECT retention_rate(-1, 10, 0);
SELECT churn_rate(11, 10);
SELECT lifetime_from_churn('NaN');
SELECT lifetime_from_churn(1.5);
SELECT nps_category(11);
SELECT clv('NaN', 1, 0);

