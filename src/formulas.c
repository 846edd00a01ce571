/*
 * formulas.c
 *		The closed-form SaaS formulas: retention, churn, lifetime, CLV, ARPA,
 *		CAC, CAC payback and LTV:CAC.
 *
 * Rates are fractions (0.05, not 5) and money is numeric, computed exactly
 * with PostgreSQL's numeric arithmetic.  Where a ratio has a zero
 * denominator the result is NULL (undefined) unless a documented infinity is
 * the meaningful answer (a customer who never churns lives forever).
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/float.h"

#include "saas_metrics.h"

#define NUMERIC_ARG(n, name, neg) sm_check_money(PG_GETARG_NUMERIC(n), (name), (neg))

static Numeric
num_mul(Numeric a, Numeric b)
{
	return DatumGetNumeric(DirectFunctionCall2(numeric_mul, NumericGetDatum(a),
											   NumericGetDatum(b)));
}

/* a / b without the trailing zeros numeric division pads to (50, not 50.0000…) */
static Numeric
num_div(Numeric a, Numeric b)
{
	Datum		quotient = DirectFunctionCall2(numeric_div, NumericGetDatum(a),
											   NumericGetDatum(b));

	return DatumGetNumeric(DirectFunctionCall1(numeric_trim_scale, quotient));
}

static float8
num_float8(Numeric a)
{
	return DatumGetFloat8(DirectFunctionCall1(numeric_float8, NumericGetDatum(a)));
}

PG_FUNCTION_INFO_V1(sm_retention_rate);
Datum
sm_retention_rate(PG_FUNCTION_ARGS)
{
	int64		start = PG_GETARG_INT64(0);
	int64		end = PG_GETARG_INT64(1);
	int64		acquired = PG_GETARG_INT64(2);

	sm_check_count(start, "customers_start");
	sm_check_count(end, "customers_end");
	sm_check_count(acquired, "customers_acquired");
	if (acquired > end)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("customers_acquired must not exceed customers_end"),
				 errdetail("customers_acquired is " INT64_FORMAT ", customers_end is " INT64_FORMAT ".",
						   acquired, end),
				 errhint("Count only the acquired customers still active at the end of the period.")));
	if (end - acquired > start)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retained customers exceed customers_start"),
				 errdetail("customers_end - customers_acquired is " INT64_FORMAT ", customers_start is " INT64_FORMAT ".",
						   end - acquired, start)));
	if (start == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8((float8) (end - acquired) / (float8) start);
}

PG_FUNCTION_INFO_V1(sm_churn_rate);
Datum
sm_churn_rate(PG_FUNCTION_ARGS)
{
	int64		lost = PG_GETARG_INT64(0);
	int64		start = PG_GETARG_INT64(1);

	sm_check_count(lost, "customers_lost");
	sm_check_count(start, "customers_start");
	if (lost > start)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("customers_lost must not exceed customers_start"),
				 errdetail("customers_lost is " INT64_FORMAT ", customers_start is " INT64_FORMAT ".",
						   lost, start)));
	if (start == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8((float8) lost / (float8) start);
}

PG_FUNCTION_INFO_V1(sm_lifetime_from_churn);
Datum
sm_lifetime_from_churn(PG_FUNCTION_ARGS)
{
	float8		churn = PG_GETARG_FLOAT8(0);

	sm_check_fraction(churn, "churn_rate");
	if (churn == 0.0)
		PG_RETURN_FLOAT8(get_float8_infinity());
	PG_RETURN_FLOAT8(1.0 / churn);
}

/* The exponent to/from that turns a rate over from_days into one over to_days. */
static float8
rescale_exponent(float8 from_days, float8 to_days)
{
	sm_check_finite(from_days, "from_days");
	sm_check_finite(to_days, "to_days");
	if (from_days <= 0.0 || to_days <= 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("from_days and to_days must be positive"),
				 errdetail("from_days is %g, to_days is %g.", from_days, to_days)));
	return to_days / from_days;
}

PG_FUNCTION_INFO_V1(sm_churn_rate_rescale);
Datum
sm_churn_rate_rescale(PG_FUNCTION_ARGS)
{
	float8		churn = PG_GETARG_FLOAT8(0);
	float8		exponent = rescale_exponent(PG_GETARG_FLOAT8(1), PG_GETARG_FLOAT8(2));

	sm_check_fraction(churn, "churn_rate");
	/* the limits, also where the exponent under- or overflowed to 0 or inf */
	if (churn == 0.0 || churn == 1.0)
		PG_RETURN_FLOAT8(churn);

	/*
	 * 1 - (1 - churn) ^ exponent, computed without the cancellation of that
	 * form: 1 - churn rounds away most digits of a small churn (1e-18 would
	 * rescale to 0), and 1 - x of an x close to 1 loses the rest.
	 */
	PG_RETURN_FLOAT8(-expm1(exponent * log1p(-churn)));
}

PG_FUNCTION_INFO_V1(sm_retention_rate_rescale);
Datum
sm_retention_rate_rescale(PG_FUNCTION_ARGS)
{
	float8		retention = PG_GETARG_FLOAT8(0);
	float8		exponent = rescale_exponent(PG_GETARG_FLOAT8(1), PG_GETARG_FLOAT8(2));

	sm_check_fraction(retention, "retention_rate");
	PG_RETURN_FLOAT8(pow(retention, exponent));
}

PG_FUNCTION_INFO_V1(sm_clv);
Datum
sm_clv(PG_FUNCTION_ARGS)
{
	Numeric		revenue = NUMERIC_ARG(0, "annual_revenue", false);
	Numeric		years = NUMERIC_ARG(1, "relationship_years", false);
	Numeric		cost = NUMERIC_ARG(2, "acquisition_cost", false);

	PG_RETURN_DATUM(DirectFunctionCall2(numeric_sub,
										NumericGetDatum(num_mul(revenue, years)),
										NumericGetDatum(cost)));
}

PG_FUNCTION_INFO_V1(sm_clv_from_churn);
Datum
sm_clv_from_churn(PG_FUNCTION_ARGS)
{
	Numeric		arpa = NUMERIC_ARG(0, "arpa", false);
	float8		churn = PG_GETARG_FLOAT8(1);
	float8		margin = PG_GETARG_FLOAT8(2);
	float8		discount = PG_GETARG_FLOAT8(3);
	Numeric		value;

	sm_check_fraction(churn, "churn_rate");
	sm_check_fraction(margin, "gross_margin");
	sm_check_finite(discount, "discount_rate");
	if (discount < 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("discount_rate must not be negative"),
				 errdetail("discount_rate is %g.", discount)));

	/* arpa * margin * (1 + d) / (churn + d), each factor as an exact decimal */
	value = num_mul(num_mul(arpa, sm_float8_numeric(margin)),
					sm_float8_numeric(1.0 + discount));
	if (churn + discount == 0.0)
	{
		/* nobody ever leaves: worth nothing if it pays nothing, else unbounded */
		if (sm_numeric_sign(value) == 0)
			PG_RETURN_NUMERIC(value);
		PG_RETURN_DATUM(DirectFunctionCall3(numeric_in, CStringGetDatum("Infinity"),
											ObjectIdGetDatum(InvalidOid),
											Int32GetDatum(-1)));
	}
	PG_RETURN_NUMERIC(num_div(value, sm_float8_numeric(churn + discount)));
}

/* amount / customers, NULL when there are no customers: ARPA and CAC. */
static Datum
per_customer(FunctionCallInfo fcinfo, const char *amount_name, const char *count_name)
{
	Numeric		amount = NUMERIC_ARG(0, amount_name, false);
	int64		customers = PG_GETARG_INT64(1);

	sm_check_count(customers, count_name);
	if (customers == 0)
		PG_RETURN_NULL();
	PG_RETURN_NUMERIC(num_div(amount, int64_to_numeric(customers)));
}

PG_FUNCTION_INFO_V1(sm_arpa);
Datum
sm_arpa(PG_FUNCTION_ARGS)
{
	return per_customer(fcinfo, "revenue", "customers");
}

PG_FUNCTION_INFO_V1(sm_cac);
Datum
sm_cac(PG_FUNCTION_ARGS)
{
	return per_customer(fcinfo, "acquisition_spend", "customers_acquired");
}

PG_FUNCTION_INFO_V1(sm_cac_payback_periods);
Datum
sm_cac_payback_periods(PG_FUNCTION_ARGS)
{
	Numeric		cac = NUMERIC_ARG(0, "cac", false);
	Numeric		arpa = NUMERIC_ARG(1, "arpa", false);
	float8		margin = PG_GETARG_FLOAT8(2);
	Numeric		profit;

	sm_check_fraction(margin, "gross_margin");
	profit = num_mul(arpa, sm_float8_numeric(margin));
	if (sm_numeric_sign(cac) == 0)
		PG_RETURN_FLOAT8(0.0);
	if (sm_numeric_sign(profit) == 0)
		PG_RETURN_FLOAT8(get_float8_infinity());
	PG_RETURN_FLOAT8(num_float8(num_div(cac, profit)));
}

PG_FUNCTION_INFO_V1(sm_ltv_to_cac);
Datum
sm_ltv_to_cac(PG_FUNCTION_ARGS)
{
	Numeric		ltv = PG_GETARG_NUMERIC(0);
	Numeric		cac = NUMERIC_ARG(1, "cac", false);

	/* clv_from_churn() of a customer who never churns is +Infinity */
	bool		ltv_unbounded = numeric_is_inf(ltv) && sm_numeric_sign(ltv) > 0;

	/* every argument is checked, also when the ratio is undefined */
	if (!ltv_unbounded)
		sm_check_money(ltv, "ltv", true);
	if (sm_numeric_sign(cac) == 0)
		PG_RETURN_NULL();
	if (ltv_unbounded)
		PG_RETURN_FLOAT8(get_float8_infinity());
	PG_RETURN_FLOAT8(num_float8(num_div(ltv, cac)));
}
