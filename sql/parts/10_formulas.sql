-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION saas_metrics" to load this file. \quit

-- The closed-form SaaS formulas.  Rates are fractions, money is numeric.

CREATE FUNCTION @extschema@.retention_rate(customers_start bigint, customers_end bigint, customers_acquired bigint)
RETURNS float8
AS 'MODULE_PATHNAME', 'sm_retention_rate'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.retention_rate(bigint, bigint, bigint) IS
'customer retention rate = (customers_end - customers_acquired) / customers_start; NULL when customers_start = 0';

CREATE FUNCTION @extschema@.churn_rate(customers_lost bigint, customers_start bigint)
RETURNS float8
AS 'MODULE_PATHNAME', 'sm_churn_rate'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.churn_rate(bigint, bigint) IS
'churn rate = customers_lost / customers_start; NULL when customers_start = 0';

CREATE FUNCTION @extschema@.lifetime_from_churn(churn_rate float8)
RETURNS float8
AS 'MODULE_PATHNAME', 'sm_lifetime_from_churn'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.lifetime_from_churn(float8) IS
'expected customer lifetime in periods = 1 / churn_rate; Infinity when churn_rate = 0';

CREATE FUNCTION @extschema@.churn_rate_rescale(churn_rate float8, from_days float8, to_days float8)
RETURNS float8
AS 'MODULE_PATHNAME', 'sm_churn_rate_rescale'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.churn_rate_rescale(float8, float8, float8) IS
'churn over to_days from churn over from_days = 1 - (1 - churn_rate) ^ (to_days / from_days)';

CREATE FUNCTION @extschema@.retention_rate_rescale(retention_rate float8, from_days float8, to_days float8)
RETURNS float8
AS 'MODULE_PATHNAME', 'sm_retention_rate_rescale'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.retention_rate_rescale(float8, float8, float8) IS
'retention over to_days from retention over from_days = retention_rate ^ (to_days / from_days)';

CREATE FUNCTION @extschema@.clv(annual_revenue numeric, relationship_years numeric, acquisition_cost numeric)
RETURNS numeric
AS 'MODULE_PATHNAME', 'sm_clv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.clv(numeric, numeric, numeric) IS
'customer lifetime value = annual_revenue * relationship_years - acquisition_cost';

CREATE FUNCTION @extschema@.clv_from_churn(arpa numeric, churn_rate float8,
                                           gross_margin float8 DEFAULT 1,
                                           discount_rate float8 DEFAULT 0)
RETURNS numeric
AS 'MODULE_PATHNAME', 'sm_clv_from_churn'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.clv_from_churn(numeric, float8, float8, float8) IS
'customer lifetime value = arpa * gross_margin * (1 + discount_rate) / (churn_rate + discount_rate)';

CREATE FUNCTION @extschema@.arpa(revenue numeric, customers bigint)
RETURNS numeric
AS 'MODULE_PATHNAME', 'sm_arpa'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.arpa(numeric, bigint) IS
'average revenue per account = revenue / customers; NULL when customers = 0';

CREATE FUNCTION @extschema@.cac(acquisition_spend numeric, customers_acquired bigint)
RETURNS numeric
AS 'MODULE_PATHNAME', 'sm_cac'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.cac(numeric, bigint) IS
'customer acquisition cost = acquisition_spend / customers_acquired; NULL when customers_acquired = 0';

CREATE FUNCTION @extschema@.cac_payback_periods(cac numeric, arpa numeric, gross_margin float8 DEFAULT 1)
RETURNS float8
AS 'MODULE_PATHNAME', 'sm_cac_payback_periods'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.cac_payback_periods(numeric, numeric, float8) IS
'periods to earn back the acquisition cost = cac / (arpa * gross_margin); Infinity when arpa * gross_margin = 0 < cac';

CREATE FUNCTION @extschema@.ltv_to_cac(ltv numeric, cac numeric)
RETURNS float8
AS 'MODULE_PATHNAME', 'sm_ltv_to_cac'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.ltv_to_cac(numeric, numeric) IS
'LTV:CAC ratio = ltv / cac; NULL when cac = 0';
