/*
 * survival_curve.c
 *		The survival_curve type: its checks, its text and binary forms, and
 *		the counts it holds (subjects, events, censored).
 *
 * The text form lists the points as (time,events,censored) in increasing
 * order of time, in braces: '{(1,2,0),(3.5,1,1)}'; '{}' is the empty curve.
 * Times are written in the shortest form that reads back to the same
 * float8 whatever extra_float_digits is, so the text form moves a curve
 * between servers exactly.  The binary form is a format byte (1), the
 * number of points as int4, then each point as float8, int8, int8, all in
 * network byte order.  Both are checked completely on the way in: a curve
 * that reads is a curve every reader can trust.
 */
#include "postgres.h"

#include <ctype.h>
#include <math.h>

#include "access/htup_details.h"
#include "common/int.h"
#include "common/shortest_dec.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/float.h"

#include "saas_metrics.h"
#include "survival.h"

#define SURVIVAL_BINARY_FORMAT 1
/* a point in the binary form: float8 time, int8 events, int8 censored */
#define SURVIVAL_BINARY_POINT_SIZE (8 + 8 + 8)

void
survival_check_duration(float8 duration)
{
	if (isnan(duration) || isinf(duration) || duration < 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("duration must be a finite number not below 0"),
				 errdetail("duration is %g.", duration)));
}

/*
 * One point of a curve read from outside: a valid duration, counts that are
 * not negative and not both zero, after the previous point (if any).
 */
static void
check_point(const SurvivalPoint *point, const SurvivalPoint *previous)
{
	if (isnan(point->time) || isinf(point->time) || point->time < 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("survival_curve times must be finite numbers not below 0"),
				 errdetail("A point has time %g.", point->time)));
	if (point->events < 0 || point->censored < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("survival_curve counts must not be negative"),
				 errdetail("The point at time %g has " INT64_FORMAT " events and " INT64_FORMAT " censored.",
						   point->time, point->events, point->censored)));
	if (point->events == 0 && point->censored == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("survival_curve points must count at least one subject"),
				 errdetail("The point at time %g has no events and no censored subjects.", point->time)));
	if (previous && point->time <= previous->time)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("survival_curve times must be strictly increasing"),
				 errdetail("Time %g follows time %g.", point->time, previous->time)));
}

static void
count_out_of_range(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("number of subjects of a survival_curve is out of range for type bigint")));
}

/* The subjects of a curve, events and censored, at risk at its first point. */
int64
survival_subjects(const SurvivalCurve *curve)
{
	int64		total = 0;

	for (int32 i = 0; i < curve->npoints; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (pg_add_s64_overflow(total, curve->points[i].events, &total) ||
			pg_add_s64_overflow(total, curve->points[i].censored, &total))
			count_out_of_range();
	}
	return total;
}

/*
 * The flat curve a datum holds.  Stored curves were checked on the way in;
 * one whose header disagrees with its size was damaged since.
 */
SurvivalCurve *
survival_curve_from_datum(Datum datum)
{
	SurvivalCurve *curve = (SurvivalCurve *) PG_DETOAST_DATUM(datum);

	if (VARSIZE(curve) < offsetof(SurvivalCurve, points) ||
		curve->version != SURVIVAL_CURVE_VERSION ||
		curve->npoints < 0 ||
		VARSIZE(curve) != SURVIVAL_CURVE_SIZE(curve->npoints))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("survival_curve value is corrupted"),
				 errdetail("Its header does not match its size of %u bytes.", VARSIZE(curve))));
	return curve;
}

/* A curve from checked points (which it copies). */
static SurvivalCurve *
curve_from_points(const SurvivalPoint *points, int32 npoints)
{
	SurvivalCurve *curve = palloc0(SURVIVAL_CURVE_SIZE(npoints));

	SET_VARSIZE(curve, SURVIVAL_CURVE_SIZE(npoints));
	curve->version = SURVIVAL_CURVE_VERSION;
	curve->npoints = npoints;
	if (npoints > 0)
		memcpy(curve->points, points, npoints * sizeof(SurvivalPoint));
	(void) survival_subjects(curve);
	return curve;
}

static void
too_many_points(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("survival_curve has too many distinct durations"),
			 errdetail("A curve holds at most %d distinct durations (1 GB).", SURVIVAL_CURVE_MAX_POINTS)));
}

/* ---- text form ------------------------------------------------------ */

static void
syntax_error(const char *str)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type survival_curve: \"%s\"", str),
			 errhint("Write it as '{(time,events,censored),...}' in increasing order of time, e.g. '{(1,2,0),(3.5,1,1)}', or '{}'.")));
}

static char *
skip_space(char *p)
{
	while (isspace((unsigned char) *p))
		p++;
	return p;
}

/* Read c (after optional spaces) at p; the position after it. */
static char *
expect(char *p, char c, const char *str)
{
	p = skip_space(p);
	if (*p != c)
		syntax_error(str);
	return p + 1;
}

/*
 * A count at p: decimal digits with an optional sign, as bigint reads them.
 * strtoi64() rather than sscanf(), which clamps a number beyond bigint.
 */
static char *
read_count(char *p, int64 *value, const char *str)
{
	char	   *end;

	p = skip_space(p);
	if (!(isdigit((unsigned char) *p) || ((*p == '+' || *p == '-') && isdigit((unsigned char) p[1]))))
		syntax_error(str);
	errno = 0;
	*value = strtoi64(p, &end, 10);
	if (errno == ERANGE)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("value out of range for type survival_curve: \"%s\"", str),
				 errdetail("Each count must fit in a bigint.")));
	return end;
}

PG_FUNCTION_INFO_V1(survival_curve_in);
Datum
survival_curve_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	char	   *p = str;
	int32		npoints = 0;
	int32		maxpoints = 16;
	SurvivalPoint *points = palloc(maxpoints * sizeof(SurvivalPoint));

	p = expect(p, '{', str);
	p = skip_space(p);
	if (*p == '}')
		p++;
	else
	{
		for (;;)
		{
			SurvivalPoint *point;

			CHECK_FOR_INTERRUPTS();
			if (npoints == maxpoints)
			{
				if (maxpoints >= SURVIVAL_CURVE_MAX_POINTS)
					too_many_points();
				maxpoints = (int32) Min((int64) maxpoints * 2, (int64) SURVIVAL_CURVE_MAX_POINTS);
				points = repalloc_huge(points, maxpoints * sizeof(SurvivalPoint));
			}
			point = &points[npoints];
			p = expect(p, '(', str);
			/* float8in_internal skips spaces around the number */
			point->time = float8in_internal(p, &p, "survival_curve", str);
			p = expect(p, ',', str);
			p = read_count(p, &point->events, str);
			p = expect(p, ',', str);
			p = read_count(p, &point->censored, str);
			p = expect(p, ')', str);
			npoints++;
			p = skip_space(p);
			if (*p == '}')
			{
				p++;
				break;
			}
			if (*p != ',')
				syntax_error(str);
			p++;
		}
	}
	if (*skip_space(p) != '\0')
		syntax_error(str);

	/* the syntax is right: now the values */
	for (int32 i = 0; i < npoints; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (points[i].time == 0.0)
			points[i].time = 0.0;	/* -0 reads as 0 */
		check_point(&points[i], i > 0 ? &points[i - 1] : NULL);
	}
	PG_RETURN_POINTER(curve_from_points(points, npoints));
}

PG_FUNCTION_INFO_V1(survival_curve_out);
Datum
survival_curve_out(PG_FUNCTION_ARGS)
{
	SurvivalCurve *curve = survival_curve_from_datum(PG_GETARG_DATUM(0));
	StringInfoData out;
	char		time[DOUBLE_SHORTEST_DECIMAL_LEN];

	initStringInfo(&out);
	appendStringInfoChar(&out, '{');
	for (int32 i = 0; i < curve->npoints; i++)
	{
		const SurvivalPoint *point = &curve->points[i];

		CHECK_FOR_INTERRUPTS();
		double_to_shortest_decimal_buf(point->time, time);
		appendStringInfo(&out, "%s(%s," INT64_FORMAT "," INT64_FORMAT ")",
						 i > 0 ? "," : "", time, point->events, point->censored);
	}
	appendStringInfoChar(&out, '}');
	PG_RETURN_CSTRING(out.data);
}

/* ---- binary form ---------------------------------------------------- */

static void
binary_error(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid binary survival_curve"),
			 errdetail("%s", detail)));
}

PG_FUNCTION_INFO_V1(survival_curve_recv);
Datum
survival_curve_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			format = pq_getmsgbyte(buf);
	int32		npoints;
	SurvivalCurve *curve;

	if (format != SURVIVAL_BINARY_FORMAT)
		binary_error("The format byte is not 1.");
	npoints = pq_getmsgint(buf, 4);
	if (npoints < 0)
		binary_error("The number of points is negative.");
	/* the points must be there before anything is allocated for them */
	if ((int64) npoints * SURVIVAL_BINARY_POINT_SIZE != (int64) (buf->len - buf->cursor))
		binary_error("The number of points does not match the length of the data.");
	if (npoints > SURVIVAL_CURVE_MAX_POINTS)
		too_many_points();

	curve = palloc0(SURVIVAL_CURVE_SIZE(npoints));
	SET_VARSIZE(curve, SURVIVAL_CURVE_SIZE(npoints));
	curve->version = SURVIVAL_CURVE_VERSION;
	curve->npoints = npoints;
	for (int32 i = 0; i < npoints; i++)
	{
		SurvivalPoint *point = &curve->points[i];

		CHECK_FOR_INTERRUPTS();
		point->time = pq_getmsgfloat8(buf);
		point->events = pq_getmsgint64(buf);
		point->censored = pq_getmsgint64(buf);
		if (point->time == 0.0)
			point->time = 0.0;
		check_point(point, i > 0 ? point - 1 : NULL);
	}
	(void) survival_subjects(curve);
	PG_RETURN_POINTER(curve);
}

PG_FUNCTION_INFO_V1(survival_curve_send);
Datum
survival_curve_send(PG_FUNCTION_ARGS)
{
	SurvivalCurve *curve = survival_curve_from_datum(PG_GETARG_DATUM(0));
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, SURVIVAL_BINARY_FORMAT);
	pq_sendint32(&buf, curve->npoints);
	for (int32 i = 0; i < curve->npoints; i++)
	{
		CHECK_FOR_INTERRUPTS();
		pq_sendfloat8(&buf, curve->points[i].time);
		pq_sendint64(&buf, curve->points[i].events);
		pq_sendint64(&buf, curve->points[i].censored);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---- readers' rows -------------------------------------------------- */

Datum
survival_result_row(FunctionCallInfo fcinfo, Datum *values, bool *nulls)
{
	TupleDesc	tupdesc;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("function returning a row called in a context that cannot accept one")));
	return HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls));
}

/* ---- counts --------------------------------------------------------- */

PG_FUNCTION_INFO_V1(survival_curve_subjects);
Datum
survival_curve_subjects(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(survival_subjects(survival_curve_from_datum(PG_GETARG_DATUM(0))));
}

/* The total of one count over the points; it fits, as the subjects do. */
static int64
count_sum(const SurvivalCurve *curve, bool events)
{
	int64		total = 0;

	(void) survival_subjects(curve);
	for (int32 i = 0; i < curve->npoints; i++)
	{
		CHECK_FOR_INTERRUPTS();
		total += events ? curve->points[i].events : curve->points[i].censored;
	}
	return total;
}

PG_FUNCTION_INFO_V1(survival_curve_events);
Datum
survival_curve_events(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(count_sum(survival_curve_from_datum(PG_GETARG_DATUM(0)), true));
}

PG_FUNCTION_INFO_V1(survival_curve_censored);
Datum
survival_curve_censored(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(count_sum(survival_curve_from_datum(PG_GETARG_DATUM(0)), false));
}
