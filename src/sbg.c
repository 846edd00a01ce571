/*
 * sbg.c
 *		The shifted-beta-geometric (sBG) retention model of Fader and Hardie
 *		("How to Project Customer Retention", 2007; "Customer-Base Valuation
 *		in a Contractual Setting", 2010): fitting it to one cohort's
 *		survivors and projecting churn, survival, lifetime and value.
 *
 * Each customer churns at the end of any period with a probability theta of
 * its own, and theta varies across customers as Beta(alpha, beta).  Then
 *   P(T = t) = B(alpha + 1, beta + t - 1) / B(alpha, beta)   (churn in period t)
 *   S(t)     = B(alpha, beta + t) / B(alpha, beta)            (alive after t)
 *   r(t)     = S(t) / S(t - 1) = (beta + t - 1) / (alpha + beta + t - 1),
 * so both follow from products of r(t) and are computed by recursion, in
 * logarithms, without special functions.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type_d.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"

#include "saas_metrics.h"

#define SBG_MAX_ITERATIONS 2000
/* |log alpha| or |log beta| beyond this is a degenerate fit, not an estimate */
#define SBG_MAX_LOG_PARAMETER 25.0

typedef struct SbgFit
{
	double		alpha;
	double		beta;
	double		log_likelihood;
	int			periods;
	bool		converged;
} SbgFit;

/* ---- the likelihood ------------------------------------------------- */

/*
 * Log-likelihood of survivors n[0..periods]: the d_t = n[t-1] - n[t] who
 * churned in period t contribute ln P(t) each, the n[periods] still alive
 * ln S(periods) (right-censoring).  ln P(t) = ln alpha - ln(alpha + beta + t
 * - 1) + ln S(t - 1).
 */
static double
sbg_log_likelihood(const int64 *n, int periods, double alpha, double beta)
{
	double		ll = 0.0;
	double		log_s = 0.0;	/* ln S(t - 1) */

	for (int t = 1; t <= periods; t++)
	{
		double		lost = (double) (n[t - 1] - n[t]);

		if (lost > 0)
			ll += lost * (log(alpha) - log(alpha + beta + t - 1) + log_s);
		log_s += log(beta + t - 1) - log(alpha + beta + t - 1);
	}
	return ll + (double) n[periods] * log_s;
}

/* Gradient of the log-likelihood in (ln alpha, ln beta). */
static void
sbg_gradient(const int64 *n, int periods, double alpha, double beta,
			 double *g_alpha, double *g_beta)
{
	double		da = 0.0,
				db = 0.0;
	double		sum_ab = 0.0;	/* sum_{j=1..t} 1/(alpha + beta + j - 1) */
	double		sum_b = 0.0;	/* sum_{j=1..t-1} 1/(beta + j - 1) */

	for (int t = 1; t <= periods; t++)
	{
		double		lost = (double) (n[t - 1] - n[t]);

		sum_ab += 1.0 / (alpha + beta + t - 1);
		da += lost * (1.0 / alpha - sum_ab);
		db += lost * (sum_b - sum_ab);
		sum_b += 1.0 / (beta + t - 1);
	}
	da -= (double) n[periods] * sum_ab;
	db += (double) n[periods] * (sum_b - sum_ab);
	*g_alpha = alpha * da;
	*g_beta = beta * db;
}

/*
 * Maximum likelihood by Nelder-Mead on (ln alpha, ln beta) from alpha = beta
 * = 1: derivative-free, so it cannot be thrown off by a bad step, and in two
 * dimensions it converges in a few hundred likelihood evaluations of O(T)
 * each.  The fit is "converged" only if the simplex collapsed, the analytic
 * gradient vanishes there, and the parameters are finite (a cohort where
 * nobody or everybody churns drives them to the boundary: no estimate).
 */
static SbgFit
sbg_fit_survivors(const int64 *n, int periods)
{
	double		x[3][2] = {{0.0, 0.0}, {0.5, 0.0}, {0.0, 0.5}};
	double		f[3];
	int			iter;
	SbgFit		fit;
	double		g_alpha,
				g_beta;

#define NEG_LL(p) (-sbg_log_likelihood(n, periods, exp((p)[0]), exp((p)[1])))

	for (int i = 0; i < 3; i++)
		f[i] = NEG_LL(x[i]);

	for (iter = 0; iter < SBG_MAX_ITERATIONS; iter++)
	{
		int			best = 0,
					worst = 0,
					mid;
		double		centroid[2],
					reflected[2],
					fr;

		for (int i = 1; i < 3; i++)
		{
			if (f[i] < f[best])
				best = i;
			if (f[i] > f[worst])
				worst = i;
		}
		mid = 3 - best - worst;
		if (best == worst)
			mid = (best + 1) % 3, worst = (best + 2) % 3;

		if (fabs(f[worst] - f[best]) <= 1e-13 * (1.0 + fabs(f[best])) &&
			fabs(x[worst][0] - x[best][0]) + fabs(x[worst][1] - x[best][1]) <= 1e-10)
			break;
		if (fabs(x[best][0]) > SBG_MAX_LOG_PARAMETER || fabs(x[best][1]) > SBG_MAX_LOG_PARAMETER)
			break;

		for (int k = 0; k < 2; k++)
		{
			centroid[k] = (x[best][k] + x[mid][k]) / 2.0;
			reflected[k] = centroid[k] + (centroid[k] - x[worst][k]);
		}
		fr = NEG_LL(reflected);
		if (fr < f[best])
		{
			double		expanded[2];
			double		fe;

			for (int k = 0; k < 2; k++)
				expanded[k] = centroid[k] + 2.0 * (centroid[k] - x[worst][k]);
			fe = NEG_LL(expanded);
			memcpy(x[worst], fe < fr ? expanded : reflected, sizeof(x[worst]));
			f[worst] = Min(fe, fr);
		}
		else if (fr < f[mid])
		{
			memcpy(x[worst], reflected, sizeof(x[worst]));
			f[worst] = fr;
		}
		else
		{
			double		contracted[2];
			double		fc;
			bool		outside = fr < f[worst];

			for (int k = 0; k < 2; k++)
				contracted[k] = centroid[k] + 0.5 * ((outside ? reflected[k] : x[worst][k]) - centroid[k]);
			fc = NEG_LL(contracted);
			if (fc < Min(fr, f[worst]))
			{
				memcpy(x[worst], contracted, sizeof(x[worst]));
				f[worst] = fc;
			}
			else
			{
				/* shrink towards the best point */
				for (int i = 0; i < 3; i++)
				{
					if (i == best)
						continue;
					for (int k = 0; k < 2; k++)
						x[i][k] = x[best][k] + 0.5 * (x[i][k] - x[best][k]);
					f[i] = NEG_LL(x[i]);
				}
			}
		}
	}
#undef NEG_LL

	{
		int			best = 0;

		for (int i = 1; i < 3; i++)
			if (f[i] < f[best])
				best = i;
		fit.alpha = exp(x[best][0]);
		fit.beta = exp(x[best][1]);
		fit.log_likelihood = -f[best];
		fit.periods = periods;
		sbg_gradient(n, periods, fit.alpha, fit.beta, &g_alpha, &g_beta);
		/*
		 * When nobody churns after the first period (n[1] = n[periods]) the
		 * likelihood rises towards a two-point mix of "churn at once" and
		 * "never churn" at the boundary: there is no estimate to report.
		 */
		fit.converged = n[1] != n[periods] &&
			iter < SBG_MAX_ITERATIONS &&
			fabs(x[best][0]) <= SBG_MAX_LOG_PARAMETER &&
			fabs(x[best][1]) <= SBG_MAX_LOG_PARAMETER &&
			fabs(g_alpha) + fabs(g_beta) <= 1e-4 * (1.0 + fabs(fit.log_likelihood)) &&
			isfinite(fit.log_likelihood);
	}
	return fit;
}

/* ---- fitting -------------------------------------------------------- */

/* Survivors must start positive, never grow, never be negative. */
static void
check_survivors(const int64 *n, int count)
{
	if (count < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sbg_fit needs the survivors of at least two ages"),
				 errdetail("%d given; the first is the cohort size, each later one the customers still active.", count)));
	if (n[0] <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the cohort must have customers at its first age"),
				 errdetail("active is " INT64_FORMAT " at the first age.", n[0])));
	for (int t = 1; t < count; t++)
	{
		sm_check_count(n[t], "active");
		if (n[t] > n[t - 1])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("survivors must not increase with age"),
					 errdetail("age %d has " INT64_FORMAT " active, age %d had " INT64_FORMAT ".",
							   t, n[t], t - 1, n[t - 1])));
	}
}

static Datum
sbg_model_datum(FunctionCallInfo fcinfo, SbgFit *fit)
{
	TupleDesc	tupdesc;
	Datum		values[5];
	bool		nulls[5] = {false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	values[0] = Float8GetDatum(fit->alpha);
	values[1] = Float8GetDatum(fit->beta);
	values[2] = Float8GetDatum(fit->log_likelihood);
	values[3] = Int32GetDatum(fit->periods);
	values[4] = BoolGetDatum(fit->converged);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}

static Datum
fit_survivors(FunctionCallInfo fcinfo, const int64 *n, int count)
{
	SbgFit		fit;

	check_survivors(n, count);
	fit = sbg_fit_survivors(n, count - 1);
	return sbg_model_datum(fcinfo, &fit);
}

/* sbg_fit(active bigint[]): survivors at ages 0, 1, 2, ... */
PG_FUNCTION_INFO_V1(sbg_fit_array);
Datum
sbg_fit_array(PG_FUNCTION_ARGS)
{
	ArrayType  *array = PG_GETARG_ARRAYTYPE_P(0);
	Datum	   *elements;
	bool	   *nulls;
	int			count;
	int64	   *n;

	if (ARR_NDIM(array) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("active must be a one-dimensional array")));
	deconstruct_array(array, INT8OID, sizeof(int64), true, TYPALIGN_DOUBLE,
					  &elements, &nulls, &count);
	n = palloc(Max(count, 1) * sizeof(int64));
	for (int i = 0; i < count; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("active must not contain NULLs"),
					 errdetail("Element %d is NULL.", i + 1)));
		n[i] = DatumGetInt64(elements[i]);
	}
	return fit_survivors(fcinfo, n, count);
}

/*
 * The aggregate sbg_fit(age, active): its state sbg_counts is a varlena of
 * (age, active) pairs in arrival order, sorted by the final function.
 */
typedef struct SbgPair
{
	int64		active;
	int32		age;
} SbgPair;

typedef struct SbgCounts
{
	int32		vl_len_;
	int32		npairs;
	SbgPair		pairs[FLEXIBLE_ARRAY_MEMBER];
} SbgCounts;

#define SBG_COUNTS_SIZE(n) (offsetof(SbgCounts, pairs) + (n) * sizeof(SbgPair))
#define SBG_MAX_PAIRS 1000000

static SbgCounts *
sbg_counts_new(int npairs)
{
	SbgCounts  *counts;

	if (npairs > SBG_MAX_PAIRS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("sbg_fit takes at most %d ages", SBG_MAX_PAIRS)));
	counts = palloc0(SBG_COUNTS_SIZE(npairs));
	SET_VARSIZE(counts, SBG_COUNTS_SIZE(npairs));
	counts->npairs = npairs;
	return counts;
}

static void
check_pair(int32 age, int64 active)
{
	if (age < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("age must not be negative"),
				 errdetail("age is %d.", age)));
	sm_check_count(active, "active");
}

/*
 * A new state with one more pair, which the executor copies into the
 * aggregate context.  States are small (one pair per age of a cohort), so
 * growing by copying keeps the type a plain varlena.
 */
PG_FUNCTION_INFO_V1(sbg_counts_add);
Datum
sbg_counts_add(PG_FUNCTION_ARGS)
{
	SbgCounts  *state;
	SbgCounts  *result;
	int			npairs;

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "sbg_counts_add called in non-aggregate context");
	if (PG_ARGISNULL(1))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("age must not be NULL")));
	if (PG_ARGISNULL(2))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("active must not be NULL")));
	check_pair(PG_GETARG_INT32(1), PG_GETARG_INT64(2));

	state = PG_ARGISNULL(0) ? NULL : (SbgCounts *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	npairs = state ? state->npairs : 0;
	result = sbg_counts_new(npairs + 1);
	if (state)
		memcpy(result->pairs, state->pairs, npairs * sizeof(SbgPair));
	result->pairs[npairs].age = PG_GETARG_INT32(1);
	result->pairs[npairs].active = PG_GETARG_INT64(2);
	PG_RETURN_POINTER(result);
}

PG_FUNCTION_INFO_V1(sbg_counts_combine);
Datum
sbg_counts_combine(PG_FUNCTION_ARGS)
{
	SbgCounts  *a,
			   *b,
			   *result;

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "sbg_counts_combine called in non-aggregate context");
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0) && PG_ARGISNULL(1))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(PG_ARGISNULL(0) ? 1 : 0));
	}
	a = (SbgCounts *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	b = (SbgCounts *) PG_DETOAST_DATUM(PG_GETARG_DATUM(1));
	result = sbg_counts_new(a->npairs + b->npairs);
	memcpy(result->pairs, a->pairs, a->npairs * sizeof(SbgPair));
	memcpy(result->pairs + a->npairs, b->pairs, b->npairs * sizeof(SbgPair));
	PG_RETURN_POINTER(result);
}

static int
compare_pairs(const void *a, const void *b)
{
	int32		x = ((const SbgPair *) a)->age;
	int32		y = ((const SbgPair *) b)->age;

	return (x > y) - (x < y);
}

/* Sorted by age; ages must be consecutive and each given once. */
PG_FUNCTION_INFO_V1(sbg_counts_fit);
Datum
sbg_counts_fit(PG_FUNCTION_ARGS)
{
	SbgCounts  *state;
	SbgPair    *pairs;
	int64	   *n;
	int			count;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (SbgCounts *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	count = state->npairs;
	pairs = palloc(Max(count, 1) * sizeof(SbgPair));
	memcpy(pairs, state->pairs, count * sizeof(SbgPair));
	qsort(pairs, count, sizeof(SbgPair), compare_pairs);
	n = palloc(Max(count, 1) * sizeof(int64));
	for (int i = 0; i < count; i++)
	{
		if (i > 0 && pairs[i].age == pairs[i - 1].age)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("age %d is given more than once", pairs[i].age)));
		if (i > 0 && pairs[i].age != pairs[i - 1].age + 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("ages must be consecutive"),
					 errdetail("age %d follows age %d.", pairs[i].age, pairs[i - 1].age)));
		n[i] = pairs[i].active;
	}
	return fit_survivors(fcinfo, n, count);
}

/* Text form: "{age:active,...}", e.g. {0:1000,1:631}. */
PG_FUNCTION_INFO_V1(sbg_counts_in);
Datum
sbg_counts_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	char	   *p = str;
	int			npairs = 0;
	SbgCounts  *result;

	for (char *c = str; *c; c++)
		npairs += (*c == ':');
	result = sbg_counts_new(npairs);
	while (isspace((unsigned char) *p))
		p++;
	if (*p++ != '{')
		goto syntax;
	for (int i = 0; i < npairs; i++)
	{
		long long	age,
					active;
		int			consumed;

		if (sscanf(p, " %lld : %lld %n", &age, &active, &consumed) != 2 ||
			age > PG_INT32_MAX || age < PG_INT32_MIN)
			goto syntax;
		p += consumed;
		if (*p != (i + 1 < npairs ? ',' : '}'))
			goto syntax;
		p++;
		check_pair((int32) age, (int64) active);
		result->pairs[i].age = (int32) age;
		result->pairs[i].active = (int64) active;
	}
	if (npairs == 0 && *p++ != '}')
		goto syntax;
	while (isspace((unsigned char) *p))
		p++;
	if (*p == '\0')
		PG_RETURN_POINTER(result);
syntax:
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type sbg_counts: \"%s\"", str),
			 errhint("Write it as {age:active,...}, e.g. {0:1000,1:631}.")));
	PG_RETURN_NULL();
}

PG_FUNCTION_INFO_V1(sbg_counts_out);
Datum
sbg_counts_out(PG_FUNCTION_ARGS)
{
	SbgCounts  *state = (SbgCounts *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (int i = 0; i < state->npairs; i++)
		appendStringInfo(&buf, "%s%d:" INT64_FORMAT, i ? "," : "",
						 state->pairs[i].age, state->pairs[i].active);
	appendStringInfoChar(&buf, '}');
	PG_RETURN_CSTRING(buf.data);
}

PG_FUNCTION_INFO_V1(sbg_counts_recv);
Datum
sbg_counts_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int32		npairs = pq_getmsgint(buf, 4);
	SbgCounts  *result;

	if (npairs < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid number of ages in sbg_counts: %d", npairs)));
	result = sbg_counts_new(npairs);
	for (int i = 0; i < npairs; i++)
	{
		result->pairs[i].age = pq_getmsgint(buf, 4);
		result->pairs[i].active = pq_getmsgint64(buf);
		check_pair(result->pairs[i].age, result->pairs[i].active);
	}
	PG_RETURN_POINTER(result);
}

PG_FUNCTION_INFO_V1(sbg_counts_send);
Datum
sbg_counts_send(PG_FUNCTION_ARGS)
{
	SbgCounts  *state = (SbgCounts *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint32(&buf, state->npairs);
	for (int i = 0; i < state->npairs; i++)
	{
		pq_sendint32(&buf, state->pairs[i].age);
		pq_sendint64(&buf, state->pairs[i].active);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---- projections ---------------------------------------------------- */

static void
check_parameters(double alpha, double beta)
{
	if (!(alpha > 0.0) || !(beta > 0.0) || isinf(alpha) || isinf(beta))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("alpha and beta must be positive and finite"),
				 errdetail("alpha is %g, beta is %g.", alpha, beta)));
}

static void
check_period(int32 t, int32 first)
{
	if (t < first)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("period must be at least %d", first),
				 errdetail("period is %d.", t)));
}

/* ln S(t) = sum_{j=1..t} ln r(j) */
static double
log_survival(double alpha, double beta, int32 t)
{
	double		log_s = 0.0;

	for (int32 j = 1; j <= t; j++)
		log_s += log((beta + j - 1) / (alpha + beta + j - 1));
	return log_s;
}

/* r(t) = (beta + t - 1) / (alpha + beta + t - 1), t >= 1 */
PG_FUNCTION_INFO_V1(sbg_retention_rate);
Datum
sbg_retention_rate(PG_FUNCTION_ARGS)
{
	double		alpha = PG_GETARG_FLOAT8(0);
	double		beta = PG_GETARG_FLOAT8(1);
	int32		t = PG_GETARG_INT32(2);

	check_parameters(alpha, beta);
	check_period(t, 1);
	PG_RETURN_FLOAT8((beta + t - 1) / (alpha + beta + t - 1));
}

/* S(t), t >= 0 */
PG_FUNCTION_INFO_V1(sbg_survival);
Datum
sbg_survival(PG_FUNCTION_ARGS)
{
	double		alpha = PG_GETARG_FLOAT8(0);
	double		beta = PG_GETARG_FLOAT8(1);
	int32		t = PG_GETARG_INT32(2);

	check_parameters(alpha, beta);
	check_period(t, 0);
	PG_RETURN_FLOAT8(exp(log_survival(alpha, beta, t)));
}

/* P(T = t) = S(t - 1) * alpha / (alpha + beta + t - 1), t >= 1 */
PG_FUNCTION_INFO_V1(sbg_churn_probability);
Datum
sbg_churn_probability(PG_FUNCTION_ARGS)
{
	double		alpha = PG_GETARG_FLOAT8(0);
	double		beta = PG_GETARG_FLOAT8(1);
	int32		t = PG_GETARG_INT32(2);

	check_parameters(alpha, beta);
	check_period(t, 1);
	PG_RETURN_FLOAT8(exp(log_survival(alpha, beta, t - 1)) * alpha / (alpha + beta + t - 1));
}

/*
 * E[T] = sum_{t>=0} S(t) = E[1 / theta] = (alpha + beta - 1) / (alpha - 1),
 * finite only for alpha > 1: with alpha <= 1 enough customers have a churn
 * probability near 0 that the mean lifetime is infinite.
 */
PG_FUNCTION_INFO_V1(sbg_expected_lifetime);
Datum
sbg_expected_lifetime(PG_FUNCTION_ARGS)
{
	double		alpha = PG_GETARG_FLOAT8(0);
	double		beta = PG_GETARG_FLOAT8(1);

	check_parameters(alpha, beta);
	if (alpha <= 1.0)
		PG_RETURN_FLOAT8(get_float8_infinity());
	PG_RETURN_FLOAT8((alpha + beta - 1) / (alpha - 1));
}

/*
 * 2F1(1, b; c; z) = sum_k (b)_k / (c)_k z^k for 0 <= z < 1 and c > b.  The
 * ratio of consecutive terms, z (b + k) / (c + k), rises towards z, so the
 * tail after a term is at most that term * z / (1 - z): stop when that bound
 * is below 1e-17 of the sum.
 */
static double
hypergeometric_1b(double b, double c, double z)
{
	double		term = 1.0;
	double		sum = 1.0;

	for (int64 k = 0; k < INT64CONST(100000000); k++)
	{
		if ((k & 0xFFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		term *= z * (b + k) / (c + k);
		sum += term;
		if (term * z / (1.0 - z) <= 1e-17 * sum)
			return sum;
	}
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("the DERL series did not converge"),
			 errhint("Use a discount rate further from 0.")));
	pg_unreachable();
}

/*
 * DERL = (beta + n - 1) / (alpha + beta + n - 1) * 2F1(1, beta + n;
 * alpha + beta + n; 1 / (1 + d)) (Fader and Hardie 2010, eq. 6) for a
 * customer who has made n payments.  With d = 0 the series is summed in
 * closed form by Gauss's theorem: (beta + n - 1) / (alpha - 1) when alpha >
 * 1, else infinite.
 */
static double
derl(double alpha, double beta, double d, int32 n)
{
	double		b = beta + n;
	double		c = alpha + beta + n;

	if (d == 0.0)
		return alpha > 1.0 ? (beta + n - 1) / (alpha - 1) : get_float8_infinity();
	return (beta + n - 1) / (alpha + beta + n - 1) * hypergeometric_1b(b, c, 1.0 / (1.0 + d));
}

static void
check_discount(double d)
{
	sm_check_finite(d, "discount_rate");
	if (d < 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("discount_rate must not be negative"),
				 errdetail("discount_rate is %g.", d)));
}


static int32
payments_made_argument(FunctionCallInfo fcinfo, int argno)
{
	int32		n = PG_GETARG_INT32(argno);

	if (n < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("payments_made must be at least 1"),
				 errdetail("payments_made is %d.", n)));
	return n;
}

PG_FUNCTION_INFO_V1(sbg_derl);
Datum
sbg_derl(PG_FUNCTION_ARGS)
{
	double		alpha = PG_GETARG_FLOAT8(0);
	double		beta = PG_GETARG_FLOAT8(1);
	double		d = PG_GETARG_FLOAT8(2);

	check_parameters(alpha, beta);
	check_discount(d);
	PG_RETURN_FLOAT8(derl(alpha, beta, d, payments_made_argument(fcinfo, 3)));
}

/*
 * clv_sbg(margin, alpha, beta, discount_rate, payments_made) = margin *
 * DERL: the value of the payments a customer who has made payments_made of
 * them is expected to make from now on, discounted (Fader and Hardie 2010).
 * 'Infinity' where DERL is infinite and the margin positive.
 */
PG_FUNCTION_INFO_V1(sm_clv_sbg);
Datum
sm_clv_sbg(PG_FUNCTION_ARGS)
{
	Numeric		margin = sm_check_money(PG_GETARG_NUMERIC(0), "margin", false);
	double		alpha = PG_GETARG_FLOAT8(1);
	double		beta = PG_GETARG_FLOAT8(2);
	double		d = PG_GETARG_FLOAT8(3);
	double		value;

	check_parameters(alpha, beta);
	check_discount(d);
	value = derl(alpha, beta, d, payments_made_argument(fcinfo, 4));
	if (sm_numeric_sign(margin) == 0)
		PG_RETURN_NUMERIC(margin);
	PG_RETURN_DATUM(DirectFunctionCall2(numeric_mul, NumericGetDatum(margin),
										NumericGetDatum(sm_float8_numeric(value))));
}
