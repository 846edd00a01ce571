/*
 * logistic.c
 *		Logistic regression as an aggregate: logistic_fit(churned, features
 *		[, l2]) -> logistic_model, and the readers of a model:
 *		logistic_predict, logistic_contributions and logistic_terms.
 *
 * Why the rows are kept.  Newton-Raphson (IRLS) needs, at every iteration,
 * sums over all rows that depend on the current coefficients: sum (y - p) z
 * and sum p (1 - p) z z'.  An aggregate sees each row once, so a fit "by
 * sums" would take one aggregate call per iteration, driven by the user
 * (a recursive CTE rescanning the table five to ten times).  Instead the
 * state keeps the rows compactly (labelled_rows.c: 8 bytes per feature
 * value and 1 per label, 81 bytes per row with 10 features; at most 1 GB,
 * refused with 54000 beyond) and the final function runs the whole fit in
 * memory: one table scan, exact maximum likelihood, states that merge by
 * concatenation, so parallel and Citus plans fit the same rows.
 *
 * In one order.  The fit's sums are floating-point sums, whose last digits
 * depend on the order of their terms, and rows arrive in the order of the
 * table's pages, of the parallel workers' blocks or of the Citus shards
 * (which differs from run to run).  So the final function fits a copy of
 * the rows sorted by their content (non-churners first, then by the
 * features): the model is a function of the set of rows, the same to the
 * last digit on a local table, in a parallel plan and on Citus.
 *
 * The fit.  Features are standardised inside (z = (x - mean) / sd, sd with
 * divisor n), so features in cents and in billions converge alike and an
 * L2 penalty treats them alike; the model reports coefficients on the
 * original scale.  Newton steps with step halving maximise
 *   sum_i [y_i log p_i + (1 - y_i) log(1 - p_i)] - l2 / 2 * sum_{j>=1} g_j^2
 * over the standardised coefficients g (the intercept g_0 is not
 * penalised), from g = (logit(mean y), 0, ..., 0).  Convergence: a Newton
 * step smaller than 1e-10 * (1 + |g_j|) in every coefficient; the standard
 * errors then come from the inverse of the (penalised) information matrix.
 *
 * What cannot be fitted is said, never returned as NaN:
 *   - no rows (every row skipped): NULL, as for SQL's own aggregates;
 *   - rows of one outcome only: error 22023 (no estimate);
 *   - a constant feature, or features that are linear combinations of one
 *     another (the information matrix is singular at the start): error
 *     22023 naming the feature;
 *   - separation (some rows' fitted probabilities tend to 0 or 1 and the
 *     coefficients grow without bound, so there is no maximum-likelihood
 *     estimate): converged = false with the reason, the last iterate's
 *     coefficients and no standard errors; with l2 > 0 the estimate exists;
 *   - at most 100 iterations, each checking for interrupts.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type_d.h"
#include "common/hashfn.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"

#include "labelled_rows.h"
#include "saas_metrics.h"

#define LOGISTIC_MAX_ITERATIONS 100
/* a Newton step this small, relative to 1 + |g_j|, is convergence */
#define LOGISTIC_STEP_TOLERANCE 1e-10
/* 1 - R^2 of a feature on the others below this is collinearity */
#define LOGISTIC_PIVOT_TOLERANCE 1e-10
/* |eta| beyond this: a fitted probability within 1e-8 of 0 or 1 */
#define LOGISTIC_EXTREME_ETA 18.42
#define LOGISTIC_MODEL_FIELDS 12

/* ---- the transition -------------------------------------------------- */

/* array_out needs an FmgrInfo of its own (it caches the element type's I/O) */
static char *
array_text(ArrayType *a)
{
	return OidOutputFunctionCall(F_ARRAY_OUT, PointerGetDatum(a));
}

/* Whose features: a reader's argument, or the row of an aggregate's label. */
typedef enum FeatureOwner
{
	ARGUMENT,
	ROW_NOT_CHURNED,
	ROW_CHURNED
} FeatureOwner;

/*
 * The values of a float8[] argument (a row's features or a reader's), all
 * finite and not NULL; owner names them in errors.
 */
static float8 *
feature_values(ArrayType *a, int *n, FeatureOwner owner)
{
	const char *what = owner == ARGUMENT ? "The argument" :
		owner == ROW_CHURNED ? "The row with churned = true" : "The row with churned = false";
	float8	   *values;

	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("features must be a one-dimensional array"),
				 errdetail("%s has features %s.", what, array_text(a))));
	*n = ARR_NDIM(a) == 0 ? 0 : ARR_DIMS(a)[0];
	if (*n > LOGISTIC_MAX_FEATURES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a logistic model takes at most %d features", LOGISTIC_MAX_FEATURES),
				 errdetail("%s has %d features.", what, *n)));
	if (ARR_HASNULL(a))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("features must not contain NULLs"),
				 errdetail("%s has features %s.", what, array_text(a)),
				 errhint("Impute missing values (e.g. with coalesce()) or leave the row out.")));
	values = (float8 *) ARR_DATA_PTR(a);
	for (int j = 0; j < *n; j++)
		if (!isfinite(values[j]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("features must be finite numbers"),
					 errdetail("%s has features %s: feature %d is %g.", what, array_text(a), j + 1, values[j])));
	return values;
}

/*
 * logistic_rows_add(state, churned, features [, l2]): a row with a NULL
 * label or NULL features is skipped, as aggregates skip NULLs.
 */
PG_FUNCTION_INFO_V1(logistic_rows_add);
Datum
logistic_rows_add(PG_FUNCTION_ARGS)
{
	float8		l2 = 0.0;
	ArrayType  *array;
	bool		churned;
	float8	   *values;
	int			n;
	LabelledRows *rows;

	sm_aggregate_context(fcinfo, "logistic_rows_add");
	if (PG_NARGS() > 3)
	{
		if (PG_ARGISNULL(3))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("l2 must not be NULL")));
		l2 = PG_GETARG_FLOAT8(3);
		if (!isfinite(l2) || l2 < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("l2 must be a finite number, zero or more"),
					 errdetail("l2 is %g.", l2)));
	}
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	churned = PG_GETARG_BOOL(1);
	array = PG_GETARG_ARRAYTYPE_P(2);
	values = feature_values(array, &n, churned ? ROW_CHURNED : ROW_NOT_CHURNED);

	rows = sm_rows_for_update(fcinfo, ROWS_LOGISTIC, "logistic_rows_add", n, l2);
	if (rows->width != n)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("every row must have the same number of features"),
				 errdetail("The first rows have %d; the row with churned = %s has %d: %s.",
						   rows->width, churned ? "true" : "false", n, array_text(array))));
	if (rows->param != l2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("l2 must be the same in every row"),
				 errdetail("The first rows have l2 = %g, a later one %g.", rows->param, l2)));
	sm_rows_append(rows, churned, values);
	PG_RETURN_DATUM(EOHPGetRWDatum(&rows->hdr));
}

/* ---- the fit -------------------------------------------------------- */

typedef struct FitData
{
	int			p;				/* features */
	int			k;				/* coefficients: p + 1 */
	int64		n;
	int64		positives;		/* rows [n - positives, n) churned, the others not */
	const float8 *x;			/* n rows of p features, in canonical order */
	double		l2;
	double	   *mean;			/* p */
	double	   *scale;			/* p: standard deviations, divisor n */
	double	   *inv_scale;		/* p */
	double	   *z;				/* k: one standardised row */
} FitData;

/* Sums of one pass over the rows at standardised coefficients g. */
typedef struct FitPass
{
	double		log_likelihood; /* unpenalised */
	double		objective;		/* penalised */
	double	   *gradient;		/* k */
	double	   *information;	/* k x k, lower triangle: minus the Hessian */
	int64		extreme;		/* rows with |eta| > LOGISTIC_EXTREME_ETA */
} FitPass;

static void
fit_pass(FitData *d, const double *g, FitPass *r)
{
	int			k = d->k;
	double		ll = 0.0;
	double		penalty = 0.0;

	memset(r->gradient, 0, k * sizeof(double));
	memset(r->information, 0, (Size) k * k * sizeof(double));
	r->extreme = 0;
	for (int64 i = 0; i < d->n; i++)
	{
		const float8 *x = d->x + i * d->p;
		bool		churned = i >= d->n - d->positives;
		double	   *z = d->z;
		double		eta = g[0];
		double		e,
					p,
					q,
					w,
					residual;

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		z[0] = 1.0;
		for (int j = 0; j < d->p; j++)
		{
			z[j + 1] = (x[j] - d->mean[j]) * d->inv_scale[j];
			eta += g[j + 1] * z[j + 1];
		}
		/* p = 1 / (1 + exp(-eta)) and q = 1 - p, without cancellation */
		e = exp(-fabs(eta));
		if (eta >= 0)
		{
			p = 1.0 / (1.0 + e);
			q = e / (1.0 + e);
			ll += churned ? -log1p(e) : -eta - log1p(e);
		}
		else
		{
			p = e / (1.0 + e);
			q = 1.0 / (1.0 + e);
			ll += churned ? eta - log1p(e) : -log1p(e);
		}
		if (fabs(eta) > LOGISTIC_EXTREME_ETA)
			r->extreme++;
		w = p * q;
		residual = churned ? q : -p;
		for (int a = 0; a < k; a++)
		{
			double		wa = w * z[a];
			double	   *row = r->information + a * k;

			r->gradient[a] += residual * z[a];
			for (int b = 0; b <= a; b++)
				row[b] += wa * z[b];
		}
	}
	for (int j = 1; j < k; j++)
	{
		r->gradient[j] -= d->l2 * g[j];
		r->information[j * k + j] += d->l2;
		penalty += g[j] * g[j];
	}
	r->log_likelihood = ll;
	r->objective = ll - d->l2 / 2.0 * penalty;
}

/*
 * Cholesky factor L (lower, row-major) of the symmetric matrix whose lower
 * triangle is a.  False if pivot j is not above tolerance * a_jj (then *bad
 * = j): column j is a linear combination of the columns before it.
 */
static bool
cholesky(const double *a, double *l, int k, int *bad)
{
	for (int j = 0; j < k; j++)
	{
		double		s = a[j * k + j];

		CHECK_FOR_INTERRUPTS();
		for (int m = 0; m < j; m++)
			s -= l[j * k + m] * l[j * k + m];
		if (!(a[j * k + j] > 0) || !(s > LOGISTIC_PIVOT_TOLERANCE * a[j * k + j]))
		{
			*bad = j;
			return false;
		}
		l[j * k + j] = sqrt(s);
		for (int i = j + 1; i < k; i++)
		{
			double		t = a[i * k + j];

			for (int m = 0; m < j; m++)
				t -= l[i * k + m] * l[j * k + m];
			l[i * k + j] = t / l[j * k + j];
		}
	}
	return true;
}

/* x = (L L')^-1 b */
static void
cholesky_solve(const double *l, int k, const double *b, double *x)
{
	for (int i = 0; i < k; i++)
	{
		double		t = b[i];

		for (int m = 0; m < i; m++)
			t -= l[i * k + m] * x[m];
		x[i] = t / l[i * k + i];
	}
	for (int i = k - 1; i >= 0; i--)
	{
		double		t = x[i];

		for (int m = i + 1; m < k; m++)
			t -= l[m * k + i] * x[m];
		x[i] = t / l[i * k + i];
	}
}

/* Means and standard deviations of the features; refuses constant ones. */
static void
standardise(FitData *d)
{
	for (int j = 0; j < d->p; j++)
	{
		double		sum = 0.0,
					squares = 0.0;
		double		lo = d->x[j],
					hi = d->x[j];

		for (int64 i = 0; i < d->n; i++)
		{
			double		v = d->x[i * d->p + j];

			if ((i & 0xFFFF) == 0)
				CHECK_FOR_INTERRUPTS();
			sum += v;
			lo = Min(lo, v);
			hi = Max(hi, v);
		}
		if (lo == hi)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("feature %d is constant", j + 1),
					 errdetail("Every row has %g; its coefficient cannot be told from the intercept.", lo),
					 errhint("Leave the feature out.")));
		d->mean[j] = sum / d->n;
		for (int64 i = 0; i < d->n; i++)
		{
			double		v = d->x[i * d->p + j] - d->mean[j];

			if ((i & 0xFFFF) == 0)
				CHECK_FOR_INTERRUPTS();
			squares += v * v;
		}
		d->scale[j] = sqrt(squares / d->n);
		d->inv_scale[j] = 1.0 / d->scale[j];
		if (!isfinite(d->mean[j]) || !isfinite(d->scale[j]) || !(d->scale[j] > 0) ||
			!isfinite(d->inv_scale[j]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("feature %d cannot be standardised", j + 1),
					 errdetail("Its values range from %g to %g; their mean or standard deviation is out of the range of float8.",
							   lo, hi),
					 errhint("Rescale the feature.")));
	}
}

typedef struct FitResult
{
	double	   *coefficients;	/* k, original scale */
	double	   *std_errors;		/* k, or NULL */
	double		log_likelihood;
	double		null_log_likelihood;
	int			iterations;
	bool		converged;
	char	   *reason;
} FitResult;

static void
fit_pass_alloc(FitPass *r, int k)
{
	r->gradient = palloc(k * sizeof(double));
	r->information = palloc((Size) k * k * sizeof(double));
}

/* The standard errors of the original-scale coefficients, from L of the information. */
static double *
original_std_errors(FitData *d, const double *l)
{
	int			k = d->k;
	double	   *a = palloc0(k * sizeof(double));
	double	   *v = palloc(k * sizeof(double));
	double	   *se = palloc(k * sizeof(double));

	/*
	 * b = A g with b_0 = g_0 - sum g_j mean_j / sd_j and b_j = g_j / sd_j, so
	 * var b_j = C_jj / sd_j^2 and var b_0 = a' C a for a = (1, -mean/sd),
	 * where C = (L L')^-1.  C_jj = |L^-1 e_j|^2 is found by solving for e_j.
	 */
	for (int j = 0; j < k; j++)
	{
		CHECK_FOR_INTERRUPTS();
		memset(a, 0, k * sizeof(double));
		if (j == 0)
		{
			a[0] = 1.0;
			for (int m = 1; m < k; m++)
				a[m] = -d->mean[m - 1] * d->inv_scale[m - 1];
		}
		else
			a[j] = d->inv_scale[j - 1];
		cholesky_solve(l, k, a, v);
		se[j] = 0.0;
		for (int m = 0; m < k; m++)
			se[j] += a[m] * v[m];
		se[j] = sqrt(se[j]);
	}
	return se;
}

static void
logistic_fit_rows(FitData *d, FitResult *res)
{
	int			k = d->k;
	double	   *g = palloc0(k * sizeof(double));
	double	   *trial = palloc(k * sizeof(double));
	double	   *step = palloc(k * sizeof(double));
	double	   *l = palloc0((Size) k * k * sizeof(double));
	FitPass		cur,
				next,
				swap;
	int			stalls = 0;
	double		ybar = (double) d->positives / d->n;

	fit_pass_alloc(&cur, k);
	fit_pass_alloc(&next, k);
	res->converged = false;
	res->reason = NULL;
	res->iterations = 0;
	res->null_log_likelihood = d->positives * log(ybar) + (d->n - d->positives) * log1p(-ybar);

	g[0] = log(ybar) - log1p(-ybar);
	fit_pass(d, g, &cur);
	for (;;)
	{
		int			bad;
		double		largest = 0.0;
		double		t = 1.0;
		int			halvings;

		CHECK_FOR_INTERRUPTS();
		if (!cholesky(cur.information, l, k, &bad))
		{
			if (res->iterations == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("features are collinear"),
						 errdetail("Feature %d is a linear combination of %s (1 - R^2 < %g).",
								   bad, bad == 1 ? "the intercept" : bad == 2 ? "feature 1 and the intercept" :
								   psprintf("features 1 to %d and the intercept", bad - 1),
								   LOGISTIC_PIVOT_TOLERANCE),
						 errhint("Leave one of the features out, or fit with l2 > 0.")));
			res->reason = cur.extreme > 0
				? psprintf("separation: " INT64_FORMAT " rows are fitted with probabilities within 1e-8 of 0 or 1 and the information matrix became singular; the maximum-likelihood estimate does not exist (fit with l2 > 0)",
						   cur.extreme)
				: psprintf("the information matrix became singular at iteration %d", res->iterations);
			break;
		}
		cholesky_solve(l, k, cur.gradient, step);
		for (int j = 0; j < k; j++)
			largest = Max(largest, fabs(step[j]) / (1.0 + fabs(g[j])));
		if (largest <= LOGISTIC_STEP_TOLERANCE)
		{
			res->converged = true;
			break;
		}
		if (res->iterations == LOGISTIC_MAX_ITERATIONS)
		{
			res->reason = psprintf("no convergence within %d iterations", LOGISTIC_MAX_ITERATIONS);
			break;
		}

		/* the Newton step, halved until the objective does not fall */
		for (halvings = 0;; halvings++)
		{
			for (int j = 0; j < k; j++)
				trial[j] = g[j] + t * step[j];
			fit_pass(d, trial, &next);
			if (next.objective >= cur.objective - 1e-12 * fabs(cur.objective) || halvings == 30)
				break;
			t /= 2.0;
		}
		if (!(next.objective >= cur.objective - 1e-12 * fabs(cur.objective)))
		{
			res->reason = psprintf("the Newton step could not increase the log-likelihood at iteration %d",
								   res->iterations);
			break;
		}
		res->iterations++;
		/* improvements that vanish while the steps do not: separation */
		if (next.objective - cur.objective <= 1e-13 * (fabs(next.objective) + 1.0))
			stalls++;
		else
			stalls = 0;
		memcpy(g, trial, k * sizeof(double));
		swap = cur;
		cur = next;
		next = swap;
		largest = 0.0;
		for (int j = 0; j < k; j++)
			largest = Max(largest, fabs(g[j]));
		if (stalls >= 3 || largest > 1e4)
		{
			res->reason = psprintf("separation: " INT64_FORMAT " rows are fitted with probabilities within 1e-8 of 0 or 1 while the coefficients grow without bound; the maximum-likelihood estimate does not exist (fit with l2 > 0)",
								   cur.extreme);
			break;
		}
	}

	res->log_likelihood = cur.log_likelihood;
	res->coefficients = palloc(k * sizeof(double));
	res->coefficients[0] = g[0];
	for (int j = 1; j < k; j++)
	{
		res->coefficients[j] = g[j] * d->inv_scale[j - 1];
		res->coefficients[0] -= res->coefficients[j] * d->mean[j - 1];
	}
	res->std_errors = res->converged ? original_std_errors(d, l) : NULL;
	for (int j = 0; j < k; j++)
		if (!isfinite(res->coefficients[j]) || (res->std_errors && !isfinite(res->std_errors[j])))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("coefficient %d of the logistic model is out of the range of float8", j),
					 errhint("Rescale the features.")));
}

static Datum
float8_array_datum(const double *values, int n)
{
	Datum	   *elems = palloc(Max(n, 1) * sizeof(Datum));

	for (int i = 0; i < n; i++)
		elems[i] = Float8GetDatum(values[i]);
	return PointerGetDatum(construct_array(elems, n, FLOAT8OID, sizeof(float8),
										   FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/*
 * The canonical order of rows: non-churners first, then by a hash of the
 * features, then by their bytes.  Any order that depends only on the rows'
 * contents would do; this one is cheap: it sorts a 32-bit key per row (the
 * label in its top bit, a hash below) with the row's number, and reads
 * the rows themselves only where two keys are equal, then copies each row
 * once.  Rows equal in this order are equal bit for bit, so their order
 * among themselves cannot change a sum.
 */
typedef struct RowKey
{
	uint32		key;			/* label << 31 | 31 bits of a hash of the features */
	uint32		row;			/* rows of 9 bytes or more in at most 1 GB: fewer than 2^32 */
} RowKey;

/*
 * A hash of a row's features: their words combined, then mixed (the
 * finaliser of MurmurHash3) so that its top bits, which the key keeps,
 * depend on every bit of every feature.
 */
static inline uint32
row_hash(const float8 *x, int p)
{
	uint64		hash = 0;

	for (int j = 0; j < p; j++)
	{
		uint64		word;

		memcpy(&word, &x[j], sizeof(word));
		hash = hash_combine64(hash, word);
	}
	hash ^= hash >> 33;
	hash *= UINT64CONST(0xff51afd7ed558ccd);
	hash ^= hash >> 33;
	hash *= UINT64CONST(0xc4ceb9fe1a85ec53);
	hash ^= hash >> 33;
	return (uint32) (hash >> 33);
}

static inline int
compare_row_keys(const RowKey *a, const RowKey *b, const LabelledRowsView *rows)
{
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return memcmp(rows->values + (int64) a->row * rows->width, rows->values + (int64) b->row * rows->width,
				  rows->width * sizeof(float8));
}

#define ST_SORT sort_row_keys
#define ST_ELEMENT_TYPE RowKey
#define ST_COMPARE_ARG_TYPE const LabelledRowsView
#define ST_COMPARE(a, b, rows) compare_row_keys(a, b, rows)
#define ST_CHECK_FOR_INTERRUPTS
#define ST_SCOPE static
#define ST_DECLARE
#define ST_DEFINE
#include "lib/sort_template.h"

/*
 * The features of the rows in canonical order, a new array: the rows that
 * did not churn, then the d->positives rows that did.  Arrival order
 * (pages, parallel workers, Citus shards) no longer reaches the fit's sums.
 */
static float8 *
canonical_rows(const LabelledRowsView *rows, const FitData *d)
{
	Size		row_bytes = d->p * sizeof(float8);
	float8	   *sorted = palloc_extended(Max(d->n * row_bytes, 1), MCXT_ALLOC_HUGE);
	RowKey	   *order;

	if (d->p == 0)
		return sorted;			/* rows without features: nothing to order */
	order = palloc_extended(d->n * sizeof(RowKey), MCXT_ALLOC_HUGE);
	for (int64 i = 0; i < d->n; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		order[i].key = (uint32) rows->labels[i] << 31 | row_hash(rows->values + i * d->p, d->p);
		order[i].row = (uint32) i;
	}
	sort_row_keys(order, d->n, rows);
	for (int64 i = 0; i < d->n; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		memcpy(sorted + i * d->p, rows->values + (int64) order[i].row * d->p, row_bytes);
	}
	pfree(order);
	return sorted;
}

/* logistic_fit(logistic_rows) -> logistic_model: the final function */
PG_FUNCTION_INFO_V1(logistic_fit_final);
Datum
logistic_fit_final(PG_FUNCTION_ARGS)
{
	LabelledRowsView rows;
	FitData		d;
	FitResult	res;
	TupleDesc	tupdesc;
	Datum		values[LOGISTIC_MODEL_FIELDS];
	bool		nulls[LOGISTIC_MODEL_FIELDS] = {false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	memset(&d, 0, sizeof(d));
	/* strict: no rows is NULL */
	sm_rows_view(PG_GETARG_DATUM(0), ROWS_LOGISTIC, &rows);
	d.p = rows.width;
	d.n = rows.nrows;
	d.l2 = rows.param;
	for (int64 i = 0; i < d.n; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		d.positives += rows.labels[i];
	}
	if (d.positives == 0 || d.positives == d.n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("logistic_fit needs rows of both outcomes"),
				 errdetail("It got " INT64_FORMAT " rows, " INT64_FORMAT " of them churned (rows with a NULL label or NULL features are skipped).",
						   d.n, d.positives)));
	d.k = d.p + 1;
	d.mean = palloc(Max(d.p, 1) * sizeof(double));
	d.scale = palloc(Max(d.p, 1) * sizeof(double));
	d.inv_scale = palloc(Max(d.p, 1) * sizeof(double));
	d.z = palloc(d.k * sizeof(double));
	d.x = canonical_rows(&rows, &d);
	standardise(&d);
	logistic_fit_rows(&d, &res);
	pfree(unconstify(float8 *, d.x));

	values[0] = float8_array_datum(res.coefficients, d.k);
	if (res.std_errors)
		values[1] = float8_array_datum(res.std_errors, d.k);
	else
		nulls[1] = true;
	values[2] = Float8GetDatum(res.log_likelihood);
	values[3] = Float8GetDatum(res.null_log_likelihood);
	values[4] = Int32GetDatum(res.iterations);
	values[5] = BoolGetDatum(res.converged);
	if (res.reason)
		values[6] = CStringGetTextDatum(res.reason);
	else
		nulls[6] = true;
	values[7] = Int64GetDatum(d.n);
	values[8] = Int64GetDatum(d.positives);
	values[9] = Float8GetDatum(d.l2);
	values[10] = float8_array_datum(d.mean, d.p);
	values[11] = float8_array_datum(d.scale, d.p);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}

/* ---- readers of a model --------------------------------------------- */

typedef struct Model
{
	int			p;
	float8	   *coefficients;	/* p + 1 */
	float8	   *std_errors;		/* p + 1, or NULL */
	float8	   *means;			/* p */
	bool		converged;
} Model;

static void
invalid_model(const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid logistic_model"),
			 errdetail("%s", why)));
}

/* A float8[] field of a model, checked: one dimension, no NULLs, finite. */
static float8 *
model_array(HeapTupleHeader t, int attno, const char *name, int *n)
{
	bool		isnull;
	Datum		d = GetAttributeByNum(t, attno, &isnull);
	ArrayType  *a;
	float8	   *values;

	if (isnull)
		invalid_model(psprintf("Its %s are NULL.", name));
	a = DatumGetArrayTypeP(d);
	if (ARR_NDIM(a) > 1 || ARR_HASNULL(a) || ARR_ELEMTYPE(a) != FLOAT8OID)
		invalid_model(psprintf("Its %s are not a one-dimensional array without NULLs.", name));
	*n = ARR_NDIM(a) == 0 ? 0 : ARR_DIMS(a)[0];
	values = (float8 *) ARR_DATA_PTR(a);
	for (int i = 0; i < *n; i++)
		if (!isfinite(values[i]))
			invalid_model(psprintf("Its %s are not all finite.", name));
	return values;
}

/* The model argument; a model that did not converge is refused if need_converged. */
static void
model_read(HeapTupleHeader t, Model *m, bool need_converged)
{
	bool		isnull;
	int			ncoef,
				nmeans,
				nse;
	Datum		converged = GetAttributeByNum(t, 6, &isnull);

	m->converged = !isnull && DatumGetBool(converged);
	if (need_converged && !m->converged)
	{
		Datum		reason = GetAttributeByNum(t, 7, &isnull);

		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the logistic model did not converge"),
				 isnull ? 0 : errdetail("%s.", TextDatumGetCString(reason)),
				 errhint("Refit, e.g. with l2 > 0; a model without a maximum-likelihood estimate predicts nothing.")));
	}
	m->coefficients = model_array(t, 1, "coefficients", &ncoef);
	m->means = model_array(t, 11, "feature_means", &nmeans);
	if (ncoef != nmeans + 1)
		invalid_model("It must have one coefficient more than feature means (the intercept).");
	m->p = nmeans;
	GetAttributeByNum(t, 2, &isnull);
	m->std_errors = NULL;
	if (!isnull)
	{
		m->std_errors = model_array(t, 2, "std_errors", &nse);
		if (nse != ncoef)
			invalid_model("It must have as many std_errors as coefficients.");
	}
}

/* The features argument of a reader: as many as the model has. */
static float8 *
reader_features(Model *m, ArrayType *a)
{
	int			n;
	float8	   *x = feature_values(a, &n, ARGUMENT);

	if (n != m->p)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("features must have as many elements as the model has features"),
				 errdetail("The model has %d features; the argument has %d: %s.", m->p, n, array_text(a))));
	return x;
}

/* logistic_predict(model, features) = 1 / (1 + exp(-(b0 + sum b_j x_j))) */
PG_FUNCTION_INFO_V1(logistic_predict);
Datum
logistic_predict(PG_FUNCTION_ARGS)
{
	Model		m;
	float8	   *x;
	double		eta;

	model_read(PG_GETARG_HEAPTUPLEHEADER(0), &m, true);
	x = reader_features(&m, PG_GETARG_ARRAYTYPE_P(1));
	eta = m.coefficients[0];
	for (int j = 0; j < m.p; j++)
		eta += m.coefficients[j + 1] * x[j];
	if (isnan(eta))				/* inf - inf of huge features */
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("the log-odds of these features are out of the range of float8")));
	PG_RETURN_FLOAT8(eta >= 0 ? 1.0 / (1.0 + exp(-eta)) : exp(eta) / (1.0 + exp(eta)));
}

/*
 * logistic_contributions(model, features)[j] = b_j * (x_j - mean_j): the
 * coefficient times the standardised value, g_j * z_j.  The log-odds are
 * the log-odds at the mean features plus their sum.
 */
PG_FUNCTION_INFO_V1(logistic_contributions);
Datum
logistic_contributions(PG_FUNCTION_ARGS)
{
	Model		m;
	float8	   *x;
	double	   *c;

	model_read(PG_GETARG_HEAPTUPLEHEADER(0), &m, true);
	x = reader_features(&m, PG_GETARG_ARRAYTYPE_P(1));
	c = palloc(Max(m.p, 1) * sizeof(double));
	for (int j = 0; j < m.p; j++)
	{
		c[j] = m.coefficients[j + 1] * (x[j] - m.means[j]);
		if (!isfinite(c[j]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("the contribution of feature %d is out of the range of float8", j + 1)));
	}
	PG_RETURN_DATUM(float8_array_datum(c, m.p));
}

/*
 * logistic_terms(model): one row per coefficient, the intercept as term 0:
 * coefficient, std_error, z = coefficient / std_error and the two-sided
 * p-value of the Wald test, 2 (1 - Phi(|z|)) = erfc(|z| / sqrt 2).
 */
PG_FUNCTION_INFO_V1(logistic_terms);
Datum
logistic_terms(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Model		m;

	model_read(PG_GETARG_HEAPTUPLEHEADER(0), &m, false);
	InitMaterializedSRF(fcinfo, 0);
	for (int j = 0; j <= m.p; j++)
	{
		Datum		values[5];
		bool		nulls[5] = {false};

		values[0] = Int32GetDatum(j);
		values[1] = Float8GetDatum(m.coefficients[j]);
		if (m.std_errors && m.std_errors[j] > 0)
		{
			double		z = m.coefficients[j] / m.std_errors[j];

			values[2] = Float8GetDatum(m.std_errors[j]);
			values[3] = Float8GetDatum(z);
			values[4] = Float8GetDatum(erfc(fabs(z) / M_SQRT2));
		}
		else
			nulls[2] = nulls[3] = nulls[4] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
