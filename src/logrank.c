/*
 * logrank.c
 *		logrank_test(curves survival_curve[]): do two or more survival curves
 *		differ?  The log-rank test (Mantel-Haenszel), as R's survdiff().
 *
 * At each distinct time t with d > 0 events among the n subjects at risk
 * in all groups together, group j has n_j at risk and d_j events; under the
 * hypothesis that the groups share one survival curve,
 *
 *		E_j += d n_j / n
 *		V_jj += d (n - d) n_j (n - n_j) / (n^2 (n - 1))
 *		V_jl -= d (n - d) n_j n_l / (n^2 (n - 1))         (0 when n = 1)
 *
 * and O_j sums d_j.  The groups with E_j > 0 take part; with m of them,
 * chi_square = U' V^-1 U over the first m - 1 (U = O - E, V restricted to
 * them: the last is determined by the others), on m - 1 degrees of
 * freedom.  Events come before censorings at the same time, so subjects
 * censored at t are at risk at t.
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "utils/array.h"
#include "utils/float.h"
#include "utils/lsyscache.h"

#include "distributions.h"
#include "survival.h"

/* the relative size below which a pivot of V counts as zero */
#define SINGULAR_TOLERANCE 1e-10

/* the most curves compared at once: V takes 8 MB, each event time 10^6 steps */
#define MAX_CURVES 1000

/*
 * Solve V x = u for symmetric positive definite V (k x k, row-major) by
 * Cholesky, in place; false if V is singular.
 */
static bool
cholesky_solve(float8 *v, float8 *u, int k)
{
	float8		largest = 0.0;

	for (int i = 0; i < k; i++)
		largest = Max(largest, v[i * k + i]);
	for (int j = 0; j < k; j++)
	{
		float8		pivot = v[j * k + j];

		CHECK_FOR_INTERRUPTS();
		for (int p = 0; p < j; p++)
			pivot -= v[j * k + p] * v[j * k + p];
		if (!(pivot > SINGULAR_TOLERANCE * largest))
			return false;
		pivot = sqrt(pivot);
		v[j * k + j] = pivot;
		for (int i = j + 1; i < k; i++)
		{
			float8		sum = v[i * k + j];

			for (int p = 0; p < j; p++)
				sum -= v[i * k + p] * v[j * k + p];
			v[i * k + j] = sum / pivot;
		}
	}
	/* L y = u, then L' x = y */
	for (int i = 0; i < k; i++)
	{
		CHECK_FOR_INTERRUPTS();
		for (int p = 0; p < i; p++)
			u[i] -= v[i * k + p] * u[p];
		u[i] /= v[i * k + i];
	}
	for (int i = k - 1; i >= 0; i--)
	{
		CHECK_FOR_INTERRUPTS();
		for (int p = i + 1; p < k; p++)
			u[i] -= v[p * k + i] * u[p];
		u[i] /= v[i * k + i];
	}
	return true;
}

PG_FUNCTION_INFO_V1(logrank_test);
Datum
logrank_test(PG_FUNCTION_ARGS)
{
	ArrayType  *array = PG_GETARG_ARRAYTYPE_P(0);
	Datum	   *elements;
	bool	   *element_nulls;
	int			ncurves;
	int16		typlen;
	bool		typbyval;
	char		typalign;
	SurvivalCurve **curves;
	int32	   *next;			/* each curve's next point */
	float8	   *at_risk;
	float8	   *observed;
	float8	   *expected;
	float8	   *variance;
	int		   *taking_part;
	int			m = 0;
	float8		chi_square = 0.0;
	bool		chi_square_null = false;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	if (ARR_NDIM(array) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("logrank_test takes a one-dimensional array of curves")));
	get_typlenbyvalalign(ARR_ELEMTYPE(array), &typlen, &typbyval, &typalign);
	deconstruct_array(array, ARR_ELEMTYPE(array), typlen, typbyval, typalign,
					  &elements, &element_nulls, &ncurves);
	if (ncurves < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("logrank_test needs at least two curves"),
				 errdetail("The array holds %d.", ncurves)));
	if (ncurves > MAX_CURVES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("logrank_test compares at most %d curves", MAX_CURVES),
				 errdetail("The array holds %d.", ncurves)));

	curves = palloc(ncurves * sizeof(SurvivalCurve *));
	next = palloc0(ncurves * sizeof(int32));
	at_risk = palloc(ncurves * sizeof(float8));
	observed = palloc0(ncurves * sizeof(float8));
	expected = palloc0(ncurves * sizeof(float8));
	variance = palloc0((Size) ncurves * ncurves * sizeof(float8));
	for (int j = 0; j < ncurves; j++)
	{
		CHECK_FOR_INTERRUPTS();
		if (element_nulls[j])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("logrank_test does not accept NULL curves"),
					 errdetail("Curve %d of the array is NULL.", j + 1),
					 errhint("A group without subjects is the empty curve '{}'.")));
		curves[j] = survival_curve_from_datum(elements[j]);
		at_risk[j] = (float8) survival_subjects(curves[j]);
	}

	/* merge the curves' times, in increasing order */
	for (;;)
	{
		float8		t = get_float8_infinity();
		bool		more = false;
		float8		n = 0.0;
		float8		d = 0.0;
		float8		factor;

		CHECK_FOR_INTERRUPTS();
		for (int j = 0; j < ncurves; j++)
		{
			if (next[j] < curves[j]->npoints)
			{
				t = Min(t, curves[j]->points[next[j]].time);
				more = true;
			}
			n += at_risk[j];
		}
		if (!more)
			break;
		for (int j = 0; j < ncurves; j++)
		{
			if (next[j] < curves[j]->npoints && curves[j]->points[next[j]].time == t)
				d += (float8) curves[j]->points[next[j]].events;
		}
		factor = (d > 0.0 && n > 1.0) ? d * (n - d) / (n * n * (n - 1.0)) : 0.0;
		for (int j = 0; j < ncurves; j++)
		{
			if (d > 0.0)
				expected[j] += d * at_risk[j] / n;
			if (factor != 0.0 && at_risk[j] > 0.0)
			{
				variance[j * ncurves + j] += factor * at_risk[j] * (n - at_risk[j]);
				for (int l = j + 1; l < ncurves; l++)
				{
					float8		covariance = factor * at_risk[j] * at_risk[l];

					variance[j * ncurves + l] -= covariance;
					variance[l * ncurves + j] -= covariance;
				}
			}
		}
		for (int j = 0; j < ncurves; j++)
		{
			if (next[j] < curves[j]->npoints && curves[j]->points[next[j]].time == t)
			{
				const SurvivalPoint *point = &curves[j]->points[next[j]++];

				observed[j] += (float8) point->events;
				at_risk[j] -= (float8) (point->events + point->censored);
			}
		}
	}

	/* the groups that take part: expected events above 0 */
	taking_part = palloc(ncurves * sizeof(int));
	for (int j = 0; j < ncurves; j++)
	{
		CHECK_FOR_INTERRUPTS();
		if (expected[j] > 0.0)
			taking_part[m++] = j;
	}
	if (m >= 2)
	{
		int			k = m - 1;
		float8	   *v = palloc(k * k * sizeof(float8));
		float8	   *u = palloc(k * sizeof(float8));
		float8	   *x = palloc(k * sizeof(float8));

		/* all but the first of them, as survdiff does */
		for (int a = 0; a < k; a++)
		{
			int			ja = taking_part[a + 1];

			CHECK_FOR_INTERRUPTS();
			u[a] = x[a] = observed[ja] - expected[ja];
			for (int b = 0; b < k; b++)
				v[a * k + b] = variance[ja * ncurves + taking_part[b + 1]];
		}
		if (cholesky_solve(v, x, k))
		{
			for (int a = 0; a < k; a++)
				chi_square += u[a] * x[a];
		}
		else
			chi_square_null = true;
	}

	values[0] = Float8GetDatum(chi_square);
	nulls[0] = chi_square_null;
	values[1] = Int32GetDatum(Max(m - 1, 0));
	if (m >= 2 && !chi_square_null)
		values[2] = Float8GetDatum(sm_chi_square_upper_tail(chi_square, m - 1));
	else
		nulls[2] = true;
	PG_RETURN_DATUM(survival_result_row(fcinfo, values, nulls));
}
