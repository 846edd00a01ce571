/*
 * survival_readers.c
 *		What a survival_curve says: the Kaplan-Meier estimate and its
 *		Greenwood standard error, confidence limits, quantiles and the
 *		median, the restricted mean, and the table of every point.
 *
 * At the i-th distinct time t_i, n_i subjects are at risk (those whose
 * duration is t_i or more), d_i have the event and c_i are censored; events
 * come before censorings at the same time, so those censored at t_i count
 * among the n_i at risk.  Then
 *
 *		S(t) = prod over t_i <= t of (1 - d_i / n_i)
 *		var(log S(t)) = sum over t_i <= t of d_i / (n_i (n_i - d_i))   (Greenwood)
 *		std_error(S(t)) = S(t) sqrt(var(log S(t)))
 *
 * S is a step function, right-continuous, 1 before the first time and
 * constant after the last.  The conventions are those of R's survival
 * package (survfit, print.survfit), which the tests compare with:
 *
 * - confidence limits for S at level L, z = the normal quantile at
 *   1 - (1 - L) / 2, se = sqrt(var(log S)):
 *     'plain'   S -/+ z se S, clipped to [0, 1];
 *     'log'     exp(log S -/+ z se), the upper clipped at 1;
 *     'log-log' exp(-exp(log(-log S) -/+ z se / log S));
 *   all are undefined (NULL) at S = 0, where Greenwood's variance of log S
 *   is infinite, and all are 1 and 1 at S = 1, where it is 0 (R's survfit
 *   gives NA there for log-log, its summary(times =) gives 1 and 1);
 * - the p-quantile of the time to the event is the first time at which S
 *   falls to 1 - p or below; if S equals 1 - p (within 1.5e-8) from a time
 *   until a later drop, the midpoint of that time and the drop (R's
 *   print.survfit median, "minmin"); its confidence limits are the same
 *   quantile of the lower and upper limit curves;
 * - the restricted mean to tau is the area under S from 0 to tau (S carried
 *   flat past the last time), and its standard error
 *   sqrt(sum over t_i <= tau of A_i^2 d_i / (n_i (n_i - d_i))), A_i the area
 *   under S from t_i to tau, a term 0 where n_i = d_i (print.survfit's
 *   rmean and se(rmean), the estimator survRM2's rmst1 reports too).
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/tuplestore.h"

#include "distributions.h"
#include "saas_metrics.h"
#include "survival.h"

/* R's tolerance for "S equals 1 - p" in quantiles: sqrt(DBL_EPSILON) */
#define QUANTILE_TOLERANCE 1.4901161193847656e-08

typedef enum ConfType
{
	CONF_LOG_LOG,
	CONF_LOG,
	CONF_PLAIN
} ConfType;

/* ---- the Kaplan-Meier walk ------------------------------------------ */

/* The estimate just after one point of the curve. */
typedef struct KmStep
{
	float8		time;
	int64		at_risk;
	int64		events;
	int64		censored;
	float8		survival;
	float8		log_variance;	/* Greenwood's var(log S); +inf once S = 0 */
} KmStep;

typedef struct KmWalk
{
	const SurvivalCurve *curve;
	int32		next;			/* the point km_next() reads */
	int64		at_risk;		/* subjects at risk at that point */
	KmStep		step;
} KmWalk;

static void
km_begin(KmWalk *walk, const SurvivalCurve *curve)
{
	walk->curve = curve;
	walk->next = 0;
	walk->at_risk = survival_subjects(curve);
	walk->step.survival = 1.0;
	walk->step.log_variance = 0.0;
}

/* Advance to the next point; false after the last one. */
static bool
km_next(KmWalk *walk)
{
	const SurvivalPoint *point;
	KmStep	   *step = &walk->step;

	if (walk->next >= walk->curve->npoints)
		return false;
	CHECK_FOR_INTERRUPTS();
	point = &walk->curve->points[walk->next++];
	step->time = point->time;
	step->at_risk = walk->at_risk;
	step->events = point->events;
	step->censored = point->censored;
	if (point->events > 0)
	{
		float8		n = (float8) walk->at_risk;
		float8		d = (float8) point->events;

		step->survival *= (n - d) / n;
		if (walk->at_risk == point->events)
			step->log_variance = get_float8_infinity();
		else
			step->log_variance += d / (n * (n - d));
	}
	walk->at_risk -= point->events + point->censored;
	return true;
}

/* ---- arguments ------------------------------------------------------ */

static float8
z_of_level(float8 conf_level)
{
	if (isnan(conf_level) || conf_level <= 0.0 || conf_level >= 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("conf_level must be between 0 and 1, exclusive"),
				 errdetail("conf_level is %g; write 0.95 for 95 %% confidence.", conf_level)));
	return sm_normal_quantile(1.0 - (1.0 - conf_level) / 2.0);
}

static ConfType
conf_type_of(text *arg)
{
	char	   *name = text_to_cstring(arg);

	if (strcmp(name, "log-log") == 0)
		return CONF_LOG_LOG;
	if (strcmp(name, "log") == 0)
		return CONF_LOG;
	if (strcmp(name, "plain") == 0)
		return CONF_PLAIN;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("conf_type must be 'log-log', 'log' or 'plain'"),
			 errdetail("conf_type is \"%s\".", name)));
	pg_unreachable();
}

static void
check_probability(float8 p)
{
	if (isnan(p) || p <= 0.0 || p >= 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("p must be between 0 and 1, exclusive"),
				 errdetail("p is %g; the median is p = 0.5.", p)));
}

/* ---- confidence limits ---------------------------------------------- */

/* The limits of S at z; false where they are undefined. */
static bool
km_limits(float8 s, float8 log_variance, float8 z, ConfType type, float8 *lower, float8 *upper)
{
	float8		se = sqrt(log_variance);

	if (s == 0.0)
		return false;
	switch (type)
	{
		case CONF_PLAIN:
			*lower = Max(s - z * se * s, 0.0);
			*upper = Min(s + z * se * s, 1.0);
			return true;
		case CONF_LOG:
			*lower = exp(log(s) - z * se);
			*upper = Min(exp(log(s) + z * se), 1.0);
			return true;
		case CONF_LOG_LOG:
			/* before any event the variance is 0: the interval is [1, 1] */
			if (s == 1.0)
			{
				*lower = *upper = 1.0;
				return true;
			}
			*lower = exp(-exp(log(-log(s)) - z * se / log(s)));
			*upper = exp(-exp(log(-log(s)) + z * se / log(s)));
			return true;
	}
	pg_unreachable();
}

/* ---- S(t) ------------------------------------------------------------ */

/*
 * The step in force at t: the last point at or before t; false if t comes
 * before the first point (then S = 1 and its variance 0).
 */
static bool
km_at(const SurvivalCurve *curve, float8 t, KmStep *result)
{
	KmWalk		walk;
	bool		any = false;

	km_begin(&walk, curve);
	while (walk.next < curve->npoints && curve->points[walk.next].time <= t)
	{
		km_next(&walk);
		any = true;
	}
	*result = walk.step;
	return any;
}

PG_FUNCTION_INFO_V1(survival_at);
Datum
survival_at(PG_FUNCTION_ARGS)
{
	SurvivalCurve *curve = survival_curve_from_datum(PG_GETARG_DATUM(0));
	float8		t = PG_GETARG_FLOAT8(1);
	KmStep		step;

	sm_check_finite(t, "t");
	if (curve->npoints == 0)
		PG_RETURN_NULL();
	km_at(curve, t, &step);
	PG_RETURN_FLOAT8(step.survival);
}

/* survival_ci(curve, t, conf_level, conf_type) -> (survival, std_error, lower, upper) */
PG_FUNCTION_INFO_V1(survival_ci);
Datum
survival_ci(PG_FUNCTION_ARGS)
{
	SurvivalCurve *curve = survival_curve_from_datum(PG_GETARG_DATUM(0));
	float8		t = PG_GETARG_FLOAT8(1);
	float8		z = z_of_level(PG_GETARG_FLOAT8(2));
	ConfType	type = conf_type_of(PG_GETARG_TEXT_PP(3));
	KmStep		step;
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};
	float8		lower,
				upper;

	sm_check_finite(t, "t");
	if (curve->npoints == 0)
		PG_RETURN_NULL();
	km_at(curve, t, &step);
	values[0] = Float8GetDatum(step.survival);
	values[1] = Float8GetDatum(step.survival * sqrt(step.log_variance));
	nulls[1] = (step.survival == 0.0);
	if (km_limits(step.survival, step.log_variance, z, type, &lower, &upper))
	{
		values[2] = Float8GetDatum(lower);
		values[3] = Float8GetDatum(upper);
	}
	else
		nulls[2] = nulls[3] = true;
	PG_RETURN_DATUM(survival_result_row(fcinfo, values, nulls));
}

/* ---- quantiles -------------------------------------------------------- */

/*
 * The first time at which y (a survival curve or one of its limits, NaN
 * where undefined) falls to target or below; when y sits at target (within
 * the tolerance) until a later, lower value, the midpoint of the two times.
 */
static bool
quantile_time(const float8 *times, const float8 *y, int32 n, float8 target, float8 *result)
{
	int32		first = -1;

	for (int32 i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (!isnan(y[i]) && y[i] < target + QUANTILE_TOLERANCE)
		{
			first = i;
			break;
		}
	}
	if (first < 0)
		return false;
	*result = times[first];
	if (fabs(y[first] - target) < QUANTILE_TOLERANCE)
	{
		for (int32 j = first + 1; j < n; j++)
		{
			CHECK_FOR_INTERRUPTS();
			if (!isnan(y[j]) && y[j] < y[first])
			{
				*result = (times[first] + times[j]) / 2.0;
				break;
			}
		}
	}
	return true;
}

/*
 * The p-quantile of a curve and, when z is given (> 0), its confidence
 * limits: up to three results, each with its null flag.
 */
static void
quantile_of(const SurvivalCurve *curve, float8 p, float8 z, ConfType type, Datum *values, bool *nulls)
{
	int32		n = curve->npoints;
	float8	   *times = palloc(n * sizeof(float8));
	float8	   *s = palloc(n * sizeof(float8));
	float8	   *lower = palloc(n * sizeof(float8));
	float8	   *upper = palloc(n * sizeof(float8));
	KmWalk		walk;
	float8		result;

	km_begin(&walk, curve);
	for (int32 i = 0; km_next(&walk); i++)
	{
		times[i] = walk.step.time;
		s[i] = walk.step.survival;
		if (z > 0.0 && !km_limits(s[i], walk.step.log_variance, z, type, &lower[i], &upper[i]))
			lower[i] = upper[i] = get_float8_nan();
	}
	nulls[0] = !quantile_time(times, s, n, 1.0 - p, &result);
	values[0] = Float8GetDatum(result);
	if (z > 0.0)
	{
		/* the lower limit curve reaches 1 - p first: it gives the lower limit */
		nulls[1] = !quantile_time(times, lower, n, 1.0 - p, &result);
		values[1] = Float8GetDatum(result);
		nulls[2] = !quantile_time(times, upper, n, 1.0 - p, &result);
		values[2] = Float8GetDatum(result);
	}
}

static Datum
quantile_datum(FunctionCallInfo fcinfo, const SurvivalCurve *curve, float8 p)
{
	Datum		value;
	bool		isnull;

	quantile_of(curve, p, 0.0, CONF_PLAIN, &value, &isnull);
	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(value);
}

static Datum
quantile_ci_datum(FunctionCallInfo fcinfo, const SurvivalCurve *curve, float8 p, float8 z, ConfType type)
{
	Datum		values[3];
	bool		nulls[3];

	if (curve->npoints == 0)
		PG_RETURN_NULL();
	quantile_of(curve, p, z, type, values, nulls);
	PG_RETURN_DATUM(survival_result_row(fcinfo, values, nulls));
}

PG_FUNCTION_INFO_V1(median_survival);
Datum
median_survival(PG_FUNCTION_ARGS)
{
	return quantile_datum(fcinfo, survival_curve_from_datum(PG_GETARG_DATUM(0)), 0.5);
}

PG_FUNCTION_INFO_V1(survival_quantile);
Datum
survival_quantile(PG_FUNCTION_ARGS)
{
	SurvivalCurve *curve = survival_curve_from_datum(PG_GETARG_DATUM(0));
	float8		p = PG_GETARG_FLOAT8(1);

	check_probability(p);
	return quantile_datum(fcinfo, curve, p);
}

/* median_survival_ci(curve, conf_level, conf_type) -> (time, lower, upper) */
PG_FUNCTION_INFO_V1(median_survival_ci);
Datum
median_survival_ci(PG_FUNCTION_ARGS)
{
	SurvivalCurve *curve = survival_curve_from_datum(PG_GETARG_DATUM(0));
	float8		z = z_of_level(PG_GETARG_FLOAT8(1));
	ConfType	type = conf_type_of(PG_GETARG_TEXT_PP(2));

	return quantile_ci_datum(fcinfo, curve, 0.5, z, type);
}

/* survival_quantile_ci(curve, p, conf_level, conf_type) -> (time, lower, upper) */
PG_FUNCTION_INFO_V1(survival_quantile_ci);
Datum
survival_quantile_ci(PG_FUNCTION_ARGS)
{
	SurvivalCurve *curve = survival_curve_from_datum(PG_GETARG_DATUM(0));
	float8		p = PG_GETARG_FLOAT8(1);
	float8		z = z_of_level(PG_GETARG_FLOAT8(2));
	ConfType	type = conf_type_of(PG_GETARG_TEXT_PP(3));

	check_probability(p);
	return quantile_ci_datum(fcinfo, curve, p, z, type);
}

/* ---- restricted mean --------------------------------------------------- */

/* The area under S from 0 to tau, and its standard error. */
static void
restricted_mean(const SurvivalCurve *curve, float8 tau, float8 *mean, float8 *std_error)
{
	KmWalk		walk;
	float8		area = 0.0;
	float8		last_time = 0.0;
	float8		last_survival = 1.0;
	float8		variance = 0.0;

	/* first pass: the whole area */
	km_begin(&walk, curve);
	while (walk.next < curve->npoints && curve->points[walk.next].time <= tau)
	{
		km_next(&walk);
		area += (walk.step.time - last_time) * last_survival;
		last_time = walk.step.time;
		last_survival = walk.step.survival;
	}
	area += (tau - last_time) * last_survival;
	*mean = area;

	/* second pass: each event time's area to tau, from the area before it */
	last_time = 0.0;
	last_survival = 1.0;
	{
		float8		area_before = 0.0;

		km_begin(&walk, curve);
		while (walk.next < curve->npoints && curve->points[walk.next].time <= tau)
		{
			km_next(&walk);
			area_before += (walk.step.time - last_time) * last_survival;
			if (walk.step.events > 0 && walk.step.at_risk > walk.step.events)
			{
				float8		n = (float8) walk.step.at_risk;
				float8		d = (float8) walk.step.events;
				float8		after = area - area_before;

				variance += after * after * d / (n * (n - d));
			}
			last_time = walk.step.time;
			last_survival = walk.step.survival;
		}
	}
	*std_error = sqrt(variance);
}

static float8
tau_argument(float8 tau)
{
	if (isnan(tau) || isinf(tau) || tau <= 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tau must be a finite number above 0"),
				 errdetail("tau is %g.", tau)));
	return tau;
}

PG_FUNCTION_INFO_V1(restricted_mean_survival);
Datum
restricted_mean_survival(PG_FUNCTION_ARGS)
{
	SurvivalCurve *curve = survival_curve_from_datum(PG_GETARG_DATUM(0));
	float8		tau = tau_argument(PG_GETARG_FLOAT8(1));
	float8		mean,
				std_error;

	if (curve->npoints == 0)
		PG_RETURN_NULL();
	restricted_mean(curve, tau, &mean, &std_error);
	PG_RETURN_FLOAT8(mean);
}

/* restricted_mean_survival_ci(curve, tau, conf_level) -> (rmean, std_error, lower, upper) */
PG_FUNCTION_INFO_V1(restricted_mean_survival_ci);
Datum
restricted_mean_survival_ci(PG_FUNCTION_ARGS)
{
	SurvivalCurve *curve = survival_curve_from_datum(PG_GETARG_DATUM(0));
	float8		tau = tau_argument(PG_GETARG_FLOAT8(1));
	float8		z = z_of_level(PG_GETARG_FLOAT8(2));
	float8		mean,
				std_error;
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};

	if (curve->npoints == 0)
		PG_RETURN_NULL();
	restricted_mean(curve, tau, &mean, &std_error);
	values[0] = Float8GetDatum(mean);
	values[1] = Float8GetDatum(std_error);
	values[2] = Float8GetDatum(mean - z * std_error);
	values[3] = Float8GetDatum(mean + z * std_error);
	PG_RETURN_DATUM(survival_result_row(fcinfo, values, nulls));
}

/* ---- the table ---------------------------------------------------------- */

/*
 * survival_table(curve, conf_level, conf_type): one row per distinct time,
 * (time, at_risk, events, censored, survival, std_error, lower, upper).
 */
PG_FUNCTION_INFO_V1(survival_table);
Datum
survival_table(PG_FUNCTION_ARGS)
{
	SurvivalCurve *curve = survival_curve_from_datum(PG_GETARG_DATUM(0));
	float8		z = z_of_level(PG_GETARG_FLOAT8(1));
	ConfType	type = conf_type_of(PG_GETARG_TEXT_PP(2));
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	KmWalk		walk;

	InitMaterializedSRF(fcinfo, 0);
	km_begin(&walk, curve);
	while (km_next(&walk))
	{
		const KmStep *step = &walk.step;
		Datum		values[8];
		bool		nulls[8] = {false, false, false, false, false, false, false, false};
		float8		lower,
					upper;

		values[0] = Float8GetDatum(step->time);
		values[1] = Int64GetDatum(step->at_risk);
		values[2] = Int64GetDatum(step->events);
		values[3] = Int64GetDatum(step->censored);
		values[4] = Float8GetDatum(step->survival);
		values[5] = Float8GetDatum(step->survival * sqrt(step->log_variance));
		nulls[5] = (step->survival == 0.0);
		if (km_limits(step->survival, step->log_variance, z, type, &lower, &upper))
		{
			values[6] = Float8GetDatum(lower);
			values[7] = Float8GetDatum(upper);
		}
		else
			nulls[6] = nulls[7] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
