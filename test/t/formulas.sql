-- pgTAP: the closed-form formulas of sql/parts/10_formulas.sql.
-- Every expected value is worked out by hand in the comment beside it;
-- numerics are compared exactly, float8 results exactly where the IEEE
-- arithmetic is exact and within a stated tolerance otherwise.
BEGIN;
SELECT plan(226);

-- retention_rate(start, end, acquired) = (end - acquired) / start ---------

SELECT is(retention_rate(200, 210, 30), 0.9::float8, 'retention_rate: (210 - 30) / 200 = 0.9');
SELECT is(retention_rate(100, 100, 0), 1::float8, 'retention_rate: everyone stays, (100 - 0) / 100 = 1');
SELECT is(retention_rate(100, 5, 5), 0::float8, 'retention_rate: only new customers left, (5 - 5) / 100 = 0');
SELECT is(retention_rate(100, 0, 0), 0::float8, 'retention_rate: nobody left, 0 / 100 = 0');
SELECT is(retention_rate(3, 1, 0), 1::float8 / 3, 'retention_rate: (1 - 0) / 3 = 1/3');
SELECT is(retention_rate(9223372036854775807, 9223372036854775807, 0), 1::float8,
          'retention_rate: bigint max / bigint max = 1');
SELECT ok(retention_rate(0, 0, 0) IS NULL, 'retention_rate: customers_start = 0 gives NULL');
SELECT ok(retention_rate(0, 7, 7) IS NULL, 'retention_rate: customers_start = 0 with only new customers gives NULL');
SELECT ok(retention_rate(NULL, 1, 0) IS NULL AND retention_rate(1, NULL, 0) IS NULL
          AND retention_rate(1, 1, NULL) IS NULL, 'retention_rate: STRICT, NULL in any argument');
SELECT throws_ok('SELECT retention_rate(10, 5, 6)', '22023', 'customers_acquired must not exceed customers_end',
                 'retention_rate: acquired (6) > end (5)');
SELECT throws_ok('SELECT retention_rate(10, 21, 10)', '22023', 'retained customers exceed customers_start',
                 'retention_rate: end - acquired = 11 > start = 10');
SELECT throws_ok('SELECT retention_rate(0, 1, 0)', '22023', 'retained customers exceed customers_start',
                 'retention_rate: one retained customer out of none');

-- churn_rate(lost, start) = lost / start ----------------------------------

SELECT is(churn_rate(10, 200), 0.05::float8, 'churn_rate: 10 / 200 = 0.05');
SELECT is(churn_rate(0, 200), 0::float8, 'churn_rate: nobody lost, churn 0');
SELECT is(churn_rate(200, 200), 1::float8, 'churn_rate: everyone lost, churn 1');
SELECT is(churn_rate(1, 3), 1::float8 / 3, 'churn_rate: 1 / 3');
SELECT ok(churn_rate(0, 0) IS NULL, 'churn_rate: customers_start = 0 gives NULL');
SELECT ok(churn_rate(NULL, 10) IS NULL AND churn_rate(1, NULL) IS NULL, 'churn_rate: STRICT');
SELECT throws_ok('SELECT churn_rate(11, 10)', '22023', 'customers_lost must not exceed customers_start',
                 'churn_rate: lost 11 > start 10');
SELECT throws_ok('SELECT churn_rate(1, 0)', '22023', 'customers_lost must not exceed customers_start',
                 'churn_rate: lost 1 > start 0');

-- lifetime_from_churn(churn) = 1 / churn ----------------------------------

SELECT is(lifetime_from_churn(0.01), 100::float8, 'lifetime_from_churn: 1 / 0.01 = 100');
SELECT is(lifetime_from_churn(0.25), 4::float8, 'lifetime_from_churn: 1 / 0.25 = 4');
SELECT is(lifetime_from_churn(1), 1::float8, 'lifetime_from_churn: churn 1, 1 / 1 = 1 period');
SELECT is(lifetime_from_churn(0.3), 1::float8 / 0.3::float8, 'lifetime_from_churn: 1 / 0.3');
SELECT is(lifetime_from_churn(0), 'Infinity'::float8, 'lifetime_from_churn: churn 0 lives forever');
SELECT ok(lifetime_from_churn(NULL) IS NULL, 'lifetime_from_churn: STRICT');

-- churn_rate_rescale(churn, from, to) = 1 - (1 - churn) ^ (to / from) ------

SELECT is(churn_rate_rescale(0.75, 30, 60), 0.9375::float8, 'churn_rate_rescale: 1 - 0.25^2 = 0.9375');
SELECT is(churn_rate_rescale(0.75, 60, 30), 0.5::float8, 'churn_rate_rescale: 1 - 0.25^0.5 = 0.5');
SELECT is(churn_rate_rescale(0.5, 30, 90), 0.875::float8, 'churn_rate_rescale: 1 - 0.5^3 = 0.875');
SELECT is(churn_rate_rescale(0.3, 30, 30), 0.3::float8, 'churn_rate_rescale: to = from gives the rate back');
SELECT is(round(churn_rate_rescale(0.02, 30, 365)::numeric, 6), 0.217921,
          'churn_rate_rescale: monthly 2 % -> annual, 1 - 0.98^(365/30) = 0.217921');
SELECT is(churn_rate_rescale(0, 30, 365), 0::float8, 'churn_rate_rescale: churn 0 stays 0');
SELECT is(churn_rate_rescale(1, 30, 365), 1::float8, 'churn_rate_rescale: churn 1 stays 1');
SELECT is(churn_rate_rescale(1, 365, 1), 1::float8, 'churn_rate_rescale: churn 1 stays 1 on a shorter period');
-- 1 - (1 - 1e-12)^365 = 365e-12 - C(365, 2)e-24 + ... = 3.6499999993357e-10
SELECT ok(abs(churn_rate_rescale(1e-12, 1, 365) / 3.6499999993357e-10 - 1) < 1e-12,
          'churn_rate_rescale: a small daily churn keeps its digits');
-- 1 - (1 - 1e-18)^365 = 3.65e-16 (the next term is 6.6e-32)
SELECT ok(abs(churn_rate_rescale(1e-18, 1, 365) / 3.65e-16 - 1) < 1e-14,
          'churn_rate_rescale: churn 1e-18 does not vanish to 0');
SELECT ok(abs(churn_rate_rescale(churn_rate_rescale(0.02, 30, 365), 365, 30) - 0.02) < 1e-15,
          'churn_rate_rescale: monthly -> annual -> monthly comes back');
SELECT ok(abs(churn_rate_rescale(0.02, 30, 365) - (1 - retention_rate_rescale(0.98, 30, 365))) < 1e-15,
          'churn_rate_rescale agrees with 1 - retention_rate_rescale(1 - churn)');
SELECT ok(churn_rate_rescale(NULL, 30, 365) IS NULL AND churn_rate_rescale(0.1, NULL, 365) IS NULL
          AND churn_rate_rescale(0.1, 30, NULL) IS NULL, 'churn_rate_rescale: STRICT');

-- retention_rate_rescale(retention, from, to) = retention ^ (to / from) ----

SELECT is(retention_rate_rescale(0.25, 60, 30), 0.5::float8, 'retention_rate_rescale: 0.25^0.5 = 0.5');
SELECT is(retention_rate_rescale(0.5, 30, 90), 0.125::float8, 'retention_rate_rescale: 0.5^3 = 0.125');
SELECT is(retention_rate_rescale(0.8, 30, 30), 0.8::float8, 'retention_rate_rescale: to = from gives the rate back');
SELECT is(retention_rate_rescale(0.9, 365, 30), power(0.9::float8, 30::float8 / 365),
          'retention_rate_rescale: annual 90 % -> monthly, 0.9^(30/365)');
SELECT is(round(retention_rate_rescale(0.9, 365, 30)::numeric, 6), 0.991378,
          'retention_rate_rescale: 0.9^(30/365) = 0.991378');
SELECT is(retention_rate_rescale(1, 30, 365), 1::float8, 'retention_rate_rescale: retention 1 stays 1');
SELECT is(retention_rate_rescale(0, 30, 365), 0::float8, 'retention_rate_rescale: retention 0 stays 0');
SELECT ok(retention_rate_rescale(NULL, 30, 365) IS NULL AND retention_rate_rescale(0.9, NULL, 365) IS NULL
          AND retention_rate_rescale(0.9, 30, NULL) IS NULL, 'retention_rate_rescale: STRICT');

-- clv(annual_revenue, years, acquisition_cost) = revenue * years - cost ----

SELECT is(clv(1200.50, 2.5, 100.25), 2901.00, 'clv: 1200.50 * 2.5 - 100.25 = 3001.25 - 100.25 = 2901.00');
SELECT is(clv(1200, 3.5, 800), 3400::numeric, 'clv: 1200 * 3.5 - 800 = 3400');
SELECT is(clv(0.1, 3, 0), 0.3, 'clv: exact decimals, 0.1 * 3 - 0 = 0.3');
SELECT is(clv(100, 0, 50), -50::numeric, 'clv: a customer who leaves at once costs the acquisition, 0 - 50 = -50');
SELECT is(clv(0, 10, 0), 0::numeric, 'clv: all zero');
SELECT is(clv(99999999999999999999.99, 100, 0.01), 9999999999999999999998.99,
          'clv: exact beyond float8, 99999999999999999999.99 * 100 - 0.01');
SELECT ok(clv(NULL, 1, 0) IS NULL AND clv(1, NULL, 0) IS NULL AND clv(1, 1, NULL) IS NULL, 'clv: STRICT');

-- clv_from_churn(arpa, churn, margin = 1, discount = 0)
--   = arpa * margin * (1 + discount) / (churn + discount) ------------------

SELECT is(clv_from_churn(100, 0.02), 5000::numeric, 'clv_from_churn/2: 100 / 0.02 = 5000');
SELECT is(clv_from_churn(100, 0.02, 0.8), 4000::numeric, 'clv_from_churn/3: 100 * 0.8 / 0.02 = 4000');
SELECT is(clv_from_churn(100, 0.02, 0.8, 0.01), 2693.3333333333333333,
          'clv_from_churn/4: 100 * 0.8 * 1.01 / 0.03 = 80.8 / 0.03 = 2693.33...');
SELECT is(clv_from_churn(100, 0.25, 0.5, 1), 80::numeric, 'clv_from_churn: 100 * 0.5 * 2 / 1.25 = 80');
-- 0.2 + 0.1 is 0.30000000000000004 in float8; the factors are exact decimals
SELECT is(round(clv_from_churn(100, 0.2, 1, 0.1), 12), 366.666666666667,
          'clv_from_churn: 100 * 1.1 / 0.3 = 366.67 (no float noise in 0.2 + 0.1)');
SELECT is(clv_from_churn(100, 0.02), clv_from_churn(100, 0.02, 1, 0), 'clv_from_churn: defaults are margin 1, discount 0');
SELECT is(clv_from_churn(100, 0.02, 0.8), clv_from_churn(100, 0.02, 0.8, 0), 'clv_from_churn: default discount 0');
-- named: margin keeps its default 1, 100 * 1 * 1.01 / (0.02 + 0.01) = 101 / 0.03
SELECT is(round(clv_from_churn(arpa => 100, churn_rate => 0.02, discount_rate => 0.01), 10), 3366.6666666667,
          'clv_from_churn: named discount_rate with the default margin, 101 / 0.03');
SELECT is(clv_from_churn(120, 1), 120::numeric, 'clv_from_churn: churn 1, one period, 120 / 1');
SELECT is(clv_from_churn(100, 0.5, 0), 0::numeric, 'clv_from_churn: margin 0, 0 / 0.5 = 0');
SELECT is(clv_from_churn(0, 0.1), 0::numeric, 'clv_from_churn: arpa 0');
SELECT is(clv_from_churn(100, 0, 1, 0.1), 1100::numeric, 'clv_from_churn: churn 0 but discounted, 100 * 1.1 / 0.1 = 1100');
SELECT is(clv_from_churn(100, 0), 'Infinity'::numeric, 'clv_from_churn: churn 0 and discount 0 is Infinity');
SELECT is(clv_from_churn(100, 0, 1, 0), 'Infinity'::numeric, 'clv_from_churn/4: churn 0 and discount 0 is Infinity');
SELECT is(clv_from_churn(0, 0), 0::numeric, 'clv_from_churn: churn 0 with arpa 0 is 0, not Infinity');
SELECT is(clv_from_churn(0.00, 0, 1, 0), 0::numeric, 'clv_from_churn: churn 0 with arpa 0.00 is 0');
SELECT is(clv_from_churn(100, 0, 0), 0::numeric, 'clv_from_churn: churn 0 with margin 0 is 0, not Infinity');
SELECT ok(clv_from_churn(NULL, 0.1) IS NULL AND clv_from_churn(1, NULL) IS NULL
          AND clv_from_churn(1, 0.1, NULL) IS NULL AND clv_from_churn(1, 0.1, 1, NULL) IS NULL,
          'clv_from_churn: STRICT');

-- arpa(revenue, customers) = revenue / customers ---------------------------

SELECT is(arpa(12500, 250), 50::numeric, 'arpa: 12500 / 250 = 50');
SELECT is(arpa(12500, 250)::text, '50', 'arpa: no trailing zeros, 50 not 50.0000000000000000');
SELECT is(arpa(10, 4)::text, '2.5', 'arpa: 10 / 4 = 2.5');
SELECT is(arpa(100, 3), 33.3333333333333333, 'arpa: 100 / 3 = 33.33... to the numeric division scale');
SELECT is(arpa(0, 5), 0::numeric, 'arpa: no revenue');
SELECT ok(arpa(0.01, 9223372036854775807) > 0, 'arpa: one cent over bigint max customers is positive');
SELECT ok(arpa(100, 0) IS NULL AND arpa(0, 0) IS NULL, 'arpa: customers = 0 gives NULL');
SELECT ok(arpa(NULL, 1) IS NULL AND arpa(1, NULL) IS NULL, 'arpa: STRICT');

-- cac(spend, acquired) = spend / acquired -----------------------------------

SELECT is(cac(30000, 60), 500::numeric, 'cac: 30000 / 60 = 500');
SELECT is(cac(30000, 60)::text, '500', 'cac: no trailing zeros');
SELECT is(cac(1000, 3), 333.3333333333333333, 'cac: 1000 / 3 = 333.33...');
SELECT is(cac(99.99, 3), 33.33, 'cac: 99.99 / 3 = 33.33 exactly');
SELECT is(cac(0, 60), 0::numeric, 'cac: no spend');
SELECT ok(cac(100, 0) IS NULL, 'cac: customers_acquired = 0 gives NULL');
SELECT ok(cac(NULL, 1) IS NULL AND cac(1, NULL) IS NULL, 'cac: STRICT');

-- cac_payback_periods(cac, arpa, margin = 1) = cac / (arpa * margin) --------

SELECT is(cac_payback_periods(500, 50, 0.8), 12.5::float8, 'cac_payback_periods: 500 / (50 * 0.8) = 500 / 40 = 12.5');
SELECT is(cac_payback_periods(500, 50), 10::float8, 'cac_payback_periods/2: default margin 1, 500 / 50 = 10');
SELECT is(cac_payback_periods(gross_margin => 0.5, arpa => 50, cac => 500), 20::float8,
          'cac_payback_periods: named arguments, 500 / (50 * 0.5) = 20');
SELECT is(cac_payback_periods(100, 30), 10::float8 / 3, 'cac_payback_periods: 100 / 30 = 3.33...');
SELECT is(cac_payback_periods(0, 50), 0::float8, 'cac_payback_periods: free customers pay back at once');
SELECT is(cac_payback_periods(0, 0), 0::float8, 'cac_payback_periods: cac 0 and profit 0 is 0, not NaN');
SELECT is(cac_payback_periods(500, 0), 'Infinity'::float8, 'cac_payback_periods: arpa 0 never pays back');
SELECT is(cac_payback_periods(500, 50, 0), 'Infinity'::float8, 'cac_payback_periods: margin 0 never pays back');
SELECT ok(cac_payback_periods(NULL, 1) IS NULL AND cac_payback_periods(1, NULL) IS NULL
          AND cac_payback_periods(1, 1, NULL) IS NULL, 'cac_payback_periods: STRICT');
-- 1e300 / 1e-300 = 1e600 does not fit a float8
SELECT throws_ok('SELECT cac_payback_periods(1e300, 1e-300)', '22003', NULL::text,
                 'cac_payback_periods: a ratio beyond float8 is out of range');

-- ltv_to_cac(ltv, cac) = ltv / cac ------------------------------------------

SELECT is(ltv_to_cac(1500, 500), 3::float8, 'ltv_to_cac: 1500 / 500 = 3');
SELECT is(ltv_to_cac(1000, 3), 1000::float8 / 3, 'ltv_to_cac: 1000 / 3');
SELECT is(ltv_to_cac(-1500, 500), -3::float8, 'ltv_to_cac: a negative LTV gives a negative ratio');
SELECT is(ltv_to_cac(0, 500), 0::float8, 'ltv_to_cac: ltv 0');
SELECT is(ltv_to_cac('Infinity', 500), 'Infinity'::float8, 'ltv_to_cac: an Infinity ltv gives Infinity');
SELECT is(ltv_to_cac(clv_from_churn(100, 0), 500), 'Infinity'::float8,
          'ltv_to_cac: of clv_from_churn with churn 0 is Infinity');
SELECT ok(ltv_to_cac(10, 0) IS NULL, 'ltv_to_cac: cac 0 gives NULL');
SELECT ok(ltv_to_cac('Infinity', 0) IS NULL, 'ltv_to_cac: Infinity ltv over cac 0 is NULL too');
SELECT ok(ltv_to_cac(NULL, 1) IS NULL AND ltv_to_cac(1, NULL) IS NULL, 'ltv_to_cac: STRICT');
SELECT throws_ok('SELECT ltv_to_cac(1e300, 1e-300)', '22003', NULL::text, 'ltv_to_cac: a ratio beyond float8 is out of range');

-- the shared argument checks, for every argument that uses them -----------
-- Each call has one bad argument, %s; each kind of argument lists its bad
-- values with the message (%s the argument's name).  All raise 22023.

CREATE TEMP TABLE bad_value(kind, value, message) AS VALUES
  -- a count of customers: zero or more
  ('count', '-1', '%s must not be negative'),
  ('count', '-9223372036854775808', '%s must not be negative'),
  -- a rate as a fraction in [0, 1]: NaN and the infinities are outside too
  ('fraction', '-0.01', '%s must be between 0 and 1'),
  ('fraction', '1.0000000000000002', '%s must be between 0 and 1'),
  ('fraction', '1.5', '%s must be between 0 and 1'),
  ('fraction', 'NaN', '%s must be between 0 and 1'),
  ('fraction', 'Infinity', '%s must be between 0 and 1'),
  ('fraction', '-Infinity', '%s must be between 0 and 1'),
  -- an amount of money: finite and not negative
  ('money', '-0.01', '%s must not be negative'),
  ('money', 'NaN', '%s must be a finite amount'),
  ('money', 'Infinity', '%s must be a finite amount'),
  ('money', '-Infinity', '%s must be a finite amount'),
  -- a length of period in days: finite and positive
  ('days', '0', 'from_days and to_days must be positive'),
  ('days', '-30', 'from_days and to_days must be positive'),
  ('days', 'NaN', '%s must be a finite number'),
  ('days', 'Infinity', '%s must be a finite number'),
  ('days', '-Infinity', '%s must be a finite number'),
  -- a discount rate: finite and not negative, but it may exceed 1
  ('discount', '-0.01', '%s must not be negative'),
  ('discount', 'NaN', '%s must be a finite number'),
  ('discount', 'Infinity', '%s must be a finite number'),
  ('discount', '-Infinity', '%s must be a finite number');

CREATE TEMP TABLE bad_call(call, argname, kind) AS VALUES
  ('retention_rate(%s, 10, 0)', 'customers_start', 'count'),
  ('retention_rate(10, %s, 0)', 'customers_end', 'count'),
  ('retention_rate(10, 10, %s)', 'customers_acquired', 'count'),
  ('churn_rate(%s, 10)', 'customers_lost', 'count'),
  ('churn_rate(1, %s)', 'customers_start', 'count'),
  ('arpa(10, %s)', 'customers', 'count'),
  ('cac(10, %s)', 'customers_acquired', 'count'),
  ('lifetime_from_churn(%s)', 'churn_rate', 'fraction'),
  ('churn_rate_rescale(%s, 30, 365)', 'churn_rate', 'fraction'),
  ('retention_rate_rescale(%s, 30, 365)', 'retention_rate', 'fraction'),
  ('clv_from_churn(100, %s)', 'churn_rate', 'fraction'),
  ('clv_from_churn(100, 0.1, %s)', 'gross_margin', 'fraction'),
  ('cac_payback_periods(500, 50, %s)', 'gross_margin', 'fraction'),
  ('clv(%s, 1, 0)', 'annual_revenue', 'money'),
  ('clv(1, %s, 0)', 'relationship_years', 'money'),
  ('clv(1, 1, %s)', 'acquisition_cost', 'money'),
  ('clv_from_churn(%s, 0.1)', 'arpa', 'money'),
  ('arpa(%s, 10)', 'revenue', 'money'),
  ('arpa(%s, 0)', 'revenue', 'money'),  -- checked even with no customers
  ('cac(%s, 10)', 'acquisition_spend', 'money'),
  ('cac_payback_periods(%s, 50)', 'cac', 'money'),
  ('cac_payback_periods(500, %s)', 'arpa', 'money'),
  ('ltv_to_cac(10, %s)', 'cac', 'money'),
  ('churn_rate_rescale(0.5, %s, 365)', 'from_days', 'days'),
  ('churn_rate_rescale(0.5, 30, %s)', 'to_days', 'days'),
  ('retention_rate_rescale(0.5, %s, 365)', 'from_days', 'days'),
  ('retention_rate_rescale(0.5, 30, %s)', 'to_days', 'days'),
  ('clv_from_churn(100, 0.1, 1, %s)', 'discount_rate', 'discount');

SELECT throws_ok('SELECT ' || format(call, quote_literal(value)), '22023', format(message, argname),
                 format(call, value) || ': ' || format(message, argname))
FROM bad_call JOIN bad_value USING (kind)
ORDER BY kind, call, value;

-- ltv may be negative and +Infinity (a customer who never churns), not NaN or -Infinity
SELECT throws_ok($$SELECT ltv_to_cac('-Infinity', 500)$$, '22023', 'ltv must be a finite amount',
                 'ltv_to_cac: -Infinity ltv');
SELECT throws_ok($$SELECT ltv_to_cac('NaN', 500)$$, '22023', 'ltv must be a finite amount', 'ltv_to_cac: NaN ltv');
SELECT throws_ok($$SELECT ltv_to_cac('NaN', 0)$$, '22023', 'ltv must be a finite amount',
                 'ltv_to_cac: NaN ltv is an error even with cac 0, like arpa and cac');
SELECT throws_ok($$SELECT ltv_to_cac('-Infinity', 0)$$, '22023', 'ltv must be a finite amount',
                 'ltv_to_cac: -Infinity ltv is an error even with cac 0');

-- the formulas compose: the README's chain from raw counts to LTV:CAC -------

-- churn 10 / 200 = 0.05, arpa 12500 / 250 = 50, clv 50 * 0.8 / 0.05 = 800,
-- cac 30000 / 60 = 500, ltv:cac 800 / 500 = 1.6
SELECT is(ltv_to_cac(clv_from_churn(arpa(12500, 250), churn_rate(10, 200), 0.8), cac(30000, 60)), 1.6::float8,
          'ltv_to_cac(clv_from_churn(arpa, churn_rate, 0.8), cac) = 800 / 500 = 1.6');

SELECT * FROM finish();
ROLLBACK;
