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
 * so both are products of r(t), summed in logarithms: term by term for the
 * first periods, and beyond them in closed form by Stirling's series for
 * ln Gamma (an input-sized loop would be a loop nobody can cancel).  Each
 * term is written as -log1p(alpha / (beta + j)), which neither loses a tiny
 * beta next to j nor overflows in alpha + beta at the top of the float8
 * range.
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
#include "utils/expandeddatum.h"
#include "utils/float.h"

#include "saas_metrics.h"

#define SBG_MAX_ITERATIONS 2000
/*
 * The most ages one fit takes: each likelihood evaluation is O(ages) and a
 * fit makes a few hundred to a few thousand of them, so this bounds a fit
 * to seconds (and every evaluation checks for interrupts).  100,000 ages
 * are 274 years of days.
 */
#define SBG_MAX_AGES 100000
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

	CHECK_FOR_INTERRUPTS();
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

	CHECK_FOR_INTERRUPTS();
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
	if (count > SBG_MAX_AGES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("sbg_fit takes at most %d ages", SBG_MAX_AGES),
				 errdetail("%d ages given.", count),
				 errhint("Fit coarser periods (months rather than days).")));
	if (n[0] <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the cohort must have customers at its first age"),
				 errdetail("active is " INT64_FORMAT " at the first age.", n[0])));
	for (int t = 1; t < count; t++)
	{
		CHECK_FOR_INTERRUPTS();
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
	count = ArrayGetNItems(ARR_NDIM(array), ARR_DIMS(array));
	if (count > SBG_MAX_AGES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("sbg_fit takes at most %d ages", SBG_MAX_AGES),
				 errdetail("%d ages given.", count),
				 errhint("Fit coarser periods (months rather than days).")));
	deconstruct_array(array, INT8OID, sizeof(int64), true, TYPALIGN_DOUBLE,
					  &elements, &nulls, &count);
	n = palloc(Max(count, 1) * sizeof(int64));
	for (int i = 0; i < count; i++)
	{
		CHECK_FOR_INTERRUPTS();
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
 * The aggregate sbg_fit(age, active): its state sbg_counts holds the (age,
 * active) pairs in arrival order, sorted by the final function.  Stored, it
 * is a flat varlena; inside the aggregate it is an expanded object in the
 * aggregate context that grows in place (doubling), so a transition costs
 * O(1) amortized instead of a copy of every pair so far.  PostgreSQL
 * flattens it wherever a flat value is needed (a worker's partial state, the
 * final function, output).
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

typedef struct ExpandedSbgCounts
{
	ExpandedObjectHeader hdr;
	int32		npairs;
	int32		capacity;
	SbgPair    *pairs;
} ExpandedSbgCounts;

static Size
expanded_counts_flat_size(ExpandedObjectHeader *eohptr)
{
	return SBG_COUNTS_SIZE(((ExpandedSbgCounts *) eohptr)->npairs);
}

/* Field by field into zeroed memory: the padding of a stored pair is zero. */
static void
expanded_counts_flatten(ExpandedObjectHeader *eohptr, void *result, Size allocated_size)
{
	ExpandedSbgCounts *counts = (ExpandedSbgCounts *) eohptr;
	SbgCounts  *flat = (SbgCounts *) result;

	memset(flat, 0, allocated_size);
	SET_VARSIZE(flat, allocated_size);
	flat->npairs = counts->npairs;
	for (int i = 0; i < counts->npairs; i++)
	{
		flat->pairs[i].age = counts->pairs[i].age;
		flat->pairs[i].active = counts->pairs[i].active;
	}
}

static const ExpandedObjectMethods expanded_counts_methods = {
	expanded_counts_flat_size,
	expanded_counts_flatten
};

static void
check_pair_count(int64 npairs)
{
	if (npairs > SBG_MAX_PAIRS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("sbg_counts holds at most %d (age, active) pairs", SBG_MAX_PAIRS),
				 errhint("Aggregate one cohort at a time.")));
}

static SbgCounts *
sbg_counts_new(int npairs)
{
	SbgCounts  *counts;

	check_pair_count(npairs);
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

/* The pairs of an sbg_counts datum, flat or expanded, without copying them. */
static const SbgPair *
counts_pairs(Datum datum, int32 *npairs)
{
	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(datum)) &&
		DatumGetEOHP(datum)->eoh_methods == &expanded_counts_methods)
	{
		ExpandedSbgCounts *counts = (ExpandedSbgCounts *) DatumGetEOHP(datum);

		*npairs = counts->npairs;
		return counts->pairs;
	}
	else
	{
		SbgCounts  *flat = (SbgCounts *) PG_DETOAST_DATUM(datum);

		*npairs = flat->npairs;
		return flat->pairs;
	}
}

/*
 * The state to append to: the transition's own expanded object when the
 * executor hands it back read-write, else a new one in the aggregate context
 * (a child context, as the executor expects of a state it keeps).
 */
static ExpandedSbgCounts *
aggregate_state(FunctionCallInfo fcinfo, MemoryContext aggcxt)
{
	MemoryContext cxt;
	ExpandedSbgCounts *counts;
	const SbgPair *pairs = NULL;
	int32		npairs = 0;

	if (!PG_ARGISNULL(0))
	{
		Datum		datum = PG_GETARG_DATUM(0);

		if (VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(datum)) &&
			DatumGetEOHP(datum)->eoh_methods == &expanded_counts_methods)
			return (ExpandedSbgCounts *) DatumGetEOHP(datum);
		pairs = counts_pairs(datum, &npairs);
	}
	cxt = AllocSetContextCreate(aggcxt, "sbg_counts", ALLOCSET_SMALL_SIZES);
	counts = MemoryContextAlloc(cxt, sizeof(ExpandedSbgCounts));
	EOH_init_header(&counts->hdr, &expanded_counts_methods, cxt);
	counts->npairs = npairs;
	counts->capacity = Max(npairs, 16);
	counts->pairs = MemoryContextAlloc(cxt, counts->capacity * sizeof(SbgPair));
	if (npairs > 0)
		memcpy(counts->pairs, pairs, npairs * sizeof(SbgPair));
	return counts;
}

static void
reserve_pairs(ExpandedSbgCounts *counts, int64 more)
{
	int64		needed = counts->npairs + more;

	check_pair_count(needed);
	if (needed > counts->capacity)
	{
		counts->capacity = (int32) Min(Max(needed, (int64) counts->capacity * 2), SBG_MAX_PAIRS);
		counts->pairs = repalloc(counts->pairs, counts->capacity * sizeof(SbgPair));
	}
}

PG_FUNCTION_INFO_V1(sbg_counts_add);
Datum
sbg_counts_add(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = sm_aggregate_context(fcinfo, "sbg_counts_add");
	ExpandedSbgCounts *state;
	SbgPair    *pair;

	if (PG_ARGISNULL(1))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("age must not be NULL")));
	if (PG_ARGISNULL(2))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("active must not be NULL")));
	check_pair(PG_GETARG_INT32(1), PG_GETARG_INT64(2));

	state = aggregate_state(fcinfo, aggcxt);
	reserve_pairs(state, 1);
	pair = &state->pairs[state->npairs++];
	pair->age = PG_GETARG_INT32(1);
	pair->active = PG_GETARG_INT64(2);
	PG_RETURN_DATUM(EOHPGetRWDatum(&state->hdr));
}

PG_FUNCTION_INFO_V1(sbg_counts_combine);
Datum
sbg_counts_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = sm_aggregate_context(fcinfo, "sbg_counts_combine");
	ExpandedSbgCounts *state;
	const SbgPair *other;
	int32		nother;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	state = aggregate_state(fcinfo, aggcxt);
	(void) counts_pairs(PG_GETARG_DATUM(1), &nother);
	reserve_pairs(state, nother);
	/* read after growing: the two could be one object, moved by repalloc */
	other = counts_pairs(PG_GETARG_DATUM(1), &nother);
	memcpy(state->pairs + state->npairs, other, nother * sizeof(SbgPair));
	state->npairs += nother;
	PG_RETURN_DATUM(EOHPGetRWDatum(&state->hdr));
}

static int
compare_pairs(const void *a, const void *b)
{
	const SbgPair *x = (const SbgPair *) a;
	const SbgPair *y = (const SbgPair *) b;

	if (x->age != y->age)
		return (x->age > y->age) - (x->age < y->age);
	return (x->active > y->active) - (x->active < y->active);
}

/* The pairs sorted by age (then active), in a new flat value. */
static SbgCounts *
sorted_counts(Datum datum)
{
	int32		npairs;
	const SbgPair *pairs = counts_pairs(datum, &npairs);
	SbgCounts  *sorted = sbg_counts_new(npairs);

	for (int i = 0; i < npairs; i++)
	{
		CHECK_FOR_INTERRUPTS();
		sorted->pairs[i].age = pairs[i].age;
		sorted->pairs[i].active = pairs[i].active;
	}
	qsort(sorted->pairs, npairs, sizeof(SbgPair), compare_pairs);
	return sorted;
}

/* Sorted by age; ages must be consecutive and each given once. */
PG_FUNCTION_INFO_V1(sbg_counts_fit);
Datum
sbg_counts_fit(PG_FUNCTION_ARGS)
{
	SbgCounts  *sorted;
	int64	   *n;
	int			count;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	sorted = sorted_counts(PG_GETARG_DATUM(0));
	count = sorted->npairs;
	n = palloc(Max(count, 1) * sizeof(int64));
	for (int i = 0; i < count; i++)
	{
		SbgPair    *pairs = sorted->pairs;

		CHECK_FOR_INTERRUPTS();
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

/*
 * Text form: "{age:active,...}", e.g. {0:1000,1:631}; spaces allowed around
 * every token.  Every number is read exactly: beyond bigint is 22003, an age
 * beyond integer too.
 */
PG_FUNCTION_INFO_V1(sbg_counts_in);
Datum
sbg_counts_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	const char *p = sm_skip_space(str);
	int32		npairs = 0;
	int32		capacity = 16;
	SbgPair    *pairs = palloc(capacity * sizeof(SbgPair));
	SbgCounts  *result;

	if (*p++ != '{')
		goto syntax;
	p = sm_skip_space(p);
	if (*p != '}')
	{
		for (;;)
		{
			int64		age,
						active;

			CHECK_FOR_INTERRUPTS();
			if ((p = sm_read_int64(p, &age, "sbg_counts", str)) == NULL)
				goto syntax;
			p = sm_skip_space(p);
			if (*p++ != ':')
				goto syntax;
			if ((p = sm_read_int64(p, &active, "sbg_counts", str)) == NULL)
				goto syntax;
			if (age > PG_INT32_MAX || age < PG_INT32_MIN)
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("value out of range for type sbg_counts: \"%s\"", str),
						 errdetail("Age " INT64_FORMAT " does not fit in an integer.", age)));
			check_pair((int32) age, active);
			check_pair_count(npairs + 1);
			if (npairs == capacity)
			{
				capacity *= 2;
				pairs = repalloc(pairs, capacity * sizeof(SbgPair));
			}
			pairs[npairs].age = (int32) age;
			pairs[npairs].active = active;
			npairs++;
			p = sm_skip_space(p);
			if (*p == '}')
				break;
			if (*p++ != ',')
				goto syntax;
		}
	}
	if (*sm_skip_space(p + 1) != '\0')
		goto syntax;
	result = sbg_counts_new(npairs);
	for (int i = 0; i < npairs; i++)
	{
		result->pairs[i].age = pairs[i].age;
		result->pairs[i].active = pairs[i].active;
	}
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
	int32		npairs;
	const SbgPair *pairs = counts_pairs(PG_GETARG_DATUM(0), &npairs);
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (int i = 0; i < npairs; i++)
	{
		CHECK_FOR_INTERRUPTS();
		appendStringInfo(&buf, "%s%d:" INT64_FORMAT, i ? "," : "",
						 pairs[i].age, pairs[i].active);
	}
	appendStringInfoChar(&buf, '}');
	PG_RETURN_CSTRING(buf.data);
}

/*
 * Binary form, in network byte order: int4 number of pairs, then int4 age
 * and int8 active for each.
 */
#define SBG_PAIR_WIRE_SIZE (4 + 8)

PG_FUNCTION_INFO_V1(sbg_counts_recv);
Datum
sbg_counts_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int32		npairs = pq_getmsgint(buf, 4);
	SbgCounts  *result;

	if (npairs < 0 || npairs > SBG_MAX_PAIRS ||
		(int64) npairs * SBG_PAIR_WIRE_SIZE > buf->len - buf->cursor)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid number of ages in sbg_counts: %d", npairs),
				 errdetail("The message has %d bytes left for the pairs.", buf->len - buf->cursor)));
	result = sbg_counts_new(npairs);
	for (int i = 0; i < npairs; i++)
	{
		CHECK_FOR_INTERRUPTS();
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
	int32		npairs;
	const SbgPair *pairs = counts_pairs(PG_GETARG_DATUM(0), &npairs);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint32(&buf, npairs);
	for (int i = 0; i < npairs; i++)
	{
		CHECK_FOR_INTERRUPTS();
		pq_sendint32(&buf, pairs[i].age);
		pq_sendint64(&buf, pairs[i].active);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/*
 * Equality: the same multiset of pairs, whatever their order (rows arrive
 * in any order).  The canonical form is the flat value with the pairs
 * sorted and the padding zeroed.
 */
static const void *
sbg_counts_canonical(Datum summary, Size *len)
{
	SbgCounts  *sorted = sorted_counts(summary);

	*len = VARSIZE(sorted);
	return sorted;
}

PG_FUNCTION_INFO_V1(sbg_counts_eq);
Datum
sbg_counts_eq(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(sm_summaries_equal(PG_GETARG_DATUM(0), PG_GETARG_DATUM(1), sbg_counts_canonical));
}

PG_FUNCTION_INFO_V1(sbg_counts_ne);
Datum
sbg_counts_ne(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(!sm_summaries_equal(PG_GETARG_DATUM(0), PG_GETARG_DATUM(1), sbg_counts_canonical));
}

PG_FUNCTION_INFO_V1(sbg_counts_hash);
Datum
sbg_counts_hash(PG_FUNCTION_ARGS)
{
	return sm_summary_hash(PG_GETARG_DATUM(0), sbg_counts_canonical);
}

PG_FUNCTION_INFO_V1(sbg_counts_hash_extended);
Datum
sbg_counts_hash_extended(PG_FUNCTION_ARGS)
{
	return sm_summary_hash_extended(PG_GETARG_DATUM(0), PG_GETARG_INT64(1), sbg_counts_canonical);
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

/*
 * ln r(j + 1) = ln [(beta + j) / (alpha + beta + j)] = -log1p(alpha / (beta
 * + j)): exact for beta = 1e-17 next to j = 0 (where beta + j - 1 would
 * round to 0) and finite for alpha = beta = 1e308 (where alpha + beta
 * overflows).
 */
static double
log_retention(double alpha, double beta, double j)
{
	return -log1p(alpha / (beta + j));
}

/* Periods summed term by term before the closed form takes over. */
#define SBG_DIRECT_PERIODS 64

/*
 * ln Gamma(z) - [(z - 1/2) ln z - z + ln(2 pi) / 2]: Stirling's series to
 * z^-7; for z >= SBG_DIRECT_PERIODS the next term is below 1e-19.
 */
static double
stirling_remainder(double z)
{
	double		zi = 1.0 / z;
	double		zi2 = zi * zi;

	return zi * (1.0 / 12 - zi2 * (1.0 / 360 - zi2 * (1.0 / 1260 - zi2 / 1680)));
}

/*
 * sum_{j=0..n-1} ln [(x + j) / (x + a + j)]
 *   = ln [Gamma(x + n) / Gamma(x)] - ln [Gamma(y + n) / Gamma(y)],  y = x + a,
 * for x >= SBG_DIRECT_PERIODS, by Stirling's series.  Expanded, the two log
 * gamma ratios are each about n ln n and cancel to about a ln(1 + n / x);
 * the terms are therefore rearranged (exactly) so that none of them is
 * larger than the result's own scale:
 *   (x - 1/2) log1p(a n / (x (y + n))) - a log1p(n / y) - n log1p(a / (x + n))
 *   + R(x + n) - R(x) - R(y + n) + R(y).
 * y is never formed: x + a may overflow, so y / 2 is used instead.
 */
static double
log_retention_run(double a, double x, double n)
{
	double		half_y = 0.5 * a + 0.5 * x;
	double		half_yn = half_y + 0.5 * n;

	return (x - 0.5) * log1p((0.5 * a / half_yn) * (n / x))
		- a * log1p(0.5 * n / half_y)
		- n * log1p(a / (x + n))
		+ stirling_remainder(x + n) - stirling_remainder(x)
		- stirling_remainder(2.0 * half_yn) + stirling_remainder(2.0 * half_y);
}

/* ln S(t) = sum_{j=0..t-1} ln r(j + 1), in O(1) for any t */
static double
log_survival(double alpha, double beta, int32 t)
{
	double		log_s = 0.0;
	int32		direct = Min(t, SBG_DIRECT_PERIODS);

	for (int32 j = 0; j < direct; j++)
		log_s += log_retention(alpha, beta, j);
	if (t > direct)
		log_s += log_retention_run(alpha, beta + direct, (double) t - direct);
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
	PG_RETURN_FLOAT8(1.0 / (1.0 + alpha / (beta + ((double) t - 1))));
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

/*
 * P(T = t) = S(t - 1) * alpha / (alpha + beta + t - 1), t >= 1, the last
 * factor as 1 / (1 + (beta + t - 1) / alpha) for the same reasons as r(t).
 */
PG_FUNCTION_INFO_V1(sbg_churn_probability);
Datum
sbg_churn_probability(PG_FUNCTION_ARGS)
{
	double		alpha = PG_GETARG_FLOAT8(0);
	double		beta = PG_GETARG_FLOAT8(1);
	int32		t = PG_GETARG_INT32(2);

	check_parameters(alpha, beta);
	check_period(t, 1);
	PG_RETURN_FLOAT8(exp(log_survival(alpha, beta, t - 1) -
						 log1p((beta + ((double) t - 1)) / alpha)));
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
 * 2F1(1, b; c; z) = sum_k (b)_k / (c)_k z^k for 0 <= z < 1 and c = b + a,
 * a > 0.  The ratio of consecutive terms, z (b + k) / (c + k) = z / (1 + a /
 * (b + k)) (so written, c need not be formed), rises towards z, so the
 * tail after a term is at most that term * z / (1 - z): stop when that bound
 * is below 1e-17 of the sum.
 */
static double
hypergeometric_1b(double b, double a, double z)
{
	double		term = 1.0;
	double		sum = 1.0;

	for (int64 k = 0; k < INT64CONST(100000000); k++)
	{
		if ((k & 0xFFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		term *= z / (1.0 + a / (b + k));
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
 * 1, else infinite.  A d > 0 so small that 1 + d rounds to 1 has no float8
 * series to sum (its ratio would be exactly 1, and Gauss's value can be far
 * from the true one when alpha is near 1): refused at once rather than after
 * 10^8 terms.
 */
static double
derl(double alpha, double beta, double d, int32 n)
{
	if (d == 0.0)
		return alpha > 1.0 ? (beta + n - 1) / (alpha - 1) : get_float8_infinity();
	if (1.0 / (1.0 + d) == 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("discount_rate %g is too close to 0 for the DERL series", d),
				 errhint("Use 0, or a discount rate of at least 1e-15.")));
	return exp(log_retention(alpha, beta, (double) n - 1)) *
		hypergeometric_1b(beta + n, alpha, 1.0 / (1.0 + d));
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
