/*
 * movement_metrics.c
 *		Rates read off one period of MRR movements (an mrr_movement row).
 *
 * A row made by mrr_movements() always holds finite, non-negative amounts,
 * but a row can also be written by hand (ROW(...)::mrr_movement), so every
 * amount a rate uses is checked first: NaN, an infinity or a negative amount
 * is error 22023 naming the field, never a NaN rate.  A NULL field gives a
 * NULL rate.  The arithmetic is numeric, the result float8, as
 * ((a - b) / c)::float8 would give it in SQL.
 */
#include "postgres.h"

#include "executor/executor.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"

#include "saas_metrics.h"

/* A money field of the row, checked; false if it is NULL. */
static bool
money_field(HeapTupleHeader movement, const char *name, Datum *value)
{
	bool		isnull;

	*value = GetAttributeByName(movement, name, &isnull);
	if (isnull)
		return false;
	sm_check_money(DatumGetNumeric(*value), name, false);
	return true;
}

static Datum
add(Datum a, Datum b)
{
	return DirectFunctionCall2(numeric_add, a, b);
}

static Datum
subtract(Datum a, Datum b)
{
	return DirectFunctionCall2(numeric_sub, a, b);
}

static bool
positive(Datum a)
{
	return sm_numeric_sign(DatumGetNumeric(a)) > 0;
}

static Datum
ratio(Datum numerator, Datum denominator)
{
	return DirectFunctionCall1(numeric_float8, DirectFunctionCall2(numeric_div, numerator, denominator));
}

/* revenue_churn_rate(m) = (churned_mrr + contraction_mrr) / mrr_start */
PG_FUNCTION_INFO_V1(movement_revenue_churn_rate);
Datum
movement_revenue_churn_rate(PG_FUNCTION_ARGS)
{
	HeapTupleHeader m = PG_GETARG_HEAPTUPLEHEADER(0);
	Datum		start,
				churned,
				contraction;

	if (!money_field(m, "mrr_start", &start) || !money_field(m, "churned_mrr", &churned) ||
		!money_field(m, "contraction_mrr", &contraction) || !positive(start))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(ratio(add(churned, contraction), start));
}

/* gross_revenue_retention(m) = (mrr_start - churned_mrr - contraction_mrr) / mrr_start */
PG_FUNCTION_INFO_V1(movement_gross_revenue_retention);
Datum
movement_gross_revenue_retention(PG_FUNCTION_ARGS)
{
	HeapTupleHeader m = PG_GETARG_HEAPTUPLEHEADER(0);
	Datum		start,
				churned,
				contraction;

	if (!money_field(m, "mrr_start", &start) || !money_field(m, "churned_mrr", &churned) ||
		!money_field(m, "contraction_mrr", &contraction) || !positive(start))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(ratio(subtract(subtract(start, churned), contraction), start));
}

/*
 * net_revenue_retention(m) = (mrr_start - churned_mrr - contraction_mrr +
 * expansion_mrr) / mrr_start
 */
PG_FUNCTION_INFO_V1(movement_net_revenue_retention);
Datum
movement_net_revenue_retention(PG_FUNCTION_ARGS)
{
	HeapTupleHeader m = PG_GETARG_HEAPTUPLEHEADER(0);
	Datum		start,
				churned,
				contraction,
				expansion;

	if (!money_field(m, "mrr_start", &start) || !money_field(m, "churned_mrr", &churned) ||
		!money_field(m, "contraction_mrr", &contraction) ||
		!money_field(m, "expansion_mrr", &expansion) || !positive(start))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(ratio(add(subtract(subtract(start, churned), contraction), expansion), start));
}

/*
 * quick_ratio(m) = (new_mrr + expansion_mrr + reactivation_mrr) /
 * (contraction_mrr + churned_mrr)
 */
PG_FUNCTION_INFO_V1(movement_quick_ratio);
Datum
movement_quick_ratio(PG_FUNCTION_ARGS)
{
	HeapTupleHeader m = PG_GETARG_HEAPTUPLEHEADER(0);
	Datum		new_mrr,
				expansion,
				reactivation,
				contraction,
				churned,
				lost;

	if (!money_field(m, "new_mrr", &new_mrr) || !money_field(m, "expansion_mrr", &expansion) ||
		!money_field(m, "reactivation_mrr", &reactivation) ||
		!money_field(m, "contraction_mrr", &contraction) || !money_field(m, "churned_mrr", &churned))
		PG_RETURN_NULL();
	lost = add(contraction, churned);
	if (!positive(lost))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(ratio(add(add(new_mrr, expansion), reactivation), lost));
}

/* arr(m) = 12 * mrr_end */
PG_FUNCTION_INFO_V1(movement_arr);
Datum
movement_arr(PG_FUNCTION_ARGS)
{
	HeapTupleHeader m = PG_GETARG_HEAPTUPLEHEADER(0);
	Datum		mrr_end;

	if (!money_field(m, "mrr_end", &mrr_end))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(DirectFunctionCall2(numeric_mul, mrr_end, NumericGetDatum(int64_to_numeric(12))));
}
