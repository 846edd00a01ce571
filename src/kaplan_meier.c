/*
 * kaplan_meier.c
 *		The kaplan_meier(duration, observed) aggregate and rollup(survival_curve):
 *		where a row becomes counts, where counts merge, and the C API that
 *		builds a curve from counts (survival.h).
 *
 * The state is a survival_curve held as an expanded object: a simplehash
 * table from each distinct duration to its counts of events and
 * censorings.  A row is one hash lookup; memory grows with the number of
 * distinct durations (about 32 bytes each, over the fill factor), never
 * with the number of rows.  The executor keeps our read-write expanded
 * state without copying it between rows.  When the state leaves the
 * aggregate (the final function, or a parallel worker handing its partial
 * state to the leader), it is flattened: the points are copied out of the
 * table and sorted by duration, the flat form every reader reads.
 *
 * Combining adds the other state's counts into ours, point by point, from
 * its table if it is an expanded state or from its sorted points if flat.
 */
#include "postgres.h"

#include <math.h>

#include "common/int.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/expandeddatum.h"
#include "utils/memutils.h"

#include "saas_metrics.h"
#include "survival.h"

typedef struct DurationCount
{
	float8		time;
	int64		events;
	int64		censored;
	char		status;			/* simplehash's */
} DurationCount;

/* A well-mixed hash of the bits of a duration (MurmurHash3's 64-bit finalizer). */
static inline uint32
duration_hash(float8 time)
{
	uint64		k;

	memcpy(&k, &time, sizeof(k));
	k ^= k >> 33;
	k *= UINT64CONST(0xff51afd7ed558ccd);
	k ^= k >> 33;
	k *= UINT64CONST(0xc4ceb9fe1a85ec53);
	k ^= k >> 33;
	return (uint32) k;
}

#define SH_PREFIX durations
#define SH_ELEMENT_TYPE DurationCount
#define SH_KEY_TYPE float8
#define SH_KEY time
#define SH_HASH_KEY(tb, key) duration_hash(key)
#define SH_EQUAL(tb, a, b) ((a) == (b))
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

#define ST_SORT sort_points_by_time
#define ST_ELEMENT_TYPE SurvivalPoint
#define ST_COMPARE(a, b) ((a)->time < (b)->time ? -1 : (a)->time > (b)->time ? 1 : 0)
#define ST_SCOPE static
#define ST_DECLARE
#define ST_DEFINE
#include "lib/sort_template.h"

struct SurvivalCounts
{
	ExpandedObjectHeader hdr;
	durations_hash *table;
	int64		subjects;		/* events + censored over all durations */
};

static Size counts_get_flat_size(ExpandedObjectHeader *eohptr);
static void counts_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size);

static const ExpandedObjectMethods counts_methods = {
	counts_get_flat_size,
	counts_flatten_into
};

/* ---- the counts ----------------------------------------------------- */

SurvivalCounts *
survival_counts_create(MemoryContext parent)
{
	/* small to start with: GROUP BY may keep one state per group */
	MemoryContext cxt = AllocSetContextCreate(parent, "survival_curve counts",
											  ALLOCSET_SMALL_SIZES);
	SurvivalCounts *counts = MemoryContextAllocZero(cxt, sizeof(SurvivalCounts));

	EOH_init_header(&counts->hdr, &counts_methods, cxt);
	counts->table = durations_create(cxt, 16, NULL);
	return counts;
}

static void
counts_out_of_range(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("number of subjects of a survival_curve is out of range for type bigint")));
}

/* Add counts at a checked duration (not -0: the caller made it 0). */
static inline void
counts_add(SurvivalCounts *counts, float8 time, int64 events, int64 censored)
{
	DurationCount *entry;
	bool		found;

	if (pg_add_s64_overflow(counts->subjects, events, &counts->subjects) ||
		pg_add_s64_overflow(counts->subjects, censored, &counts->subjects))
		counts_out_of_range();
	if (unlikely(counts->table->members >= (uint32) SURVIVAL_CURVE_MAX_POINTS))
	{
		/* a new duration would not fit in a flat curve */
		if (durations_lookup(counts->table, time) == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("survival_curve has too many distinct durations"),
					 errdetail("A curve holds at most %d distinct durations (1 GB).",
							   SURVIVAL_CURVE_MAX_POINTS),
					 errhint("Round the durations, for example to whole days.")));
	}
	entry = durations_insert(counts->table, time, &found);
	if (!found)
	{
		entry->events = events;
		entry->censored = censored;
	}
	else
	{
		/* cannot overflow: the total above did not */
		entry->events += events;
		entry->censored += censored;
	}
}

void
survival_counts_add(SurvivalCounts *counts, float8 duration, int64 events, int64 censored)
{
	survival_check_duration(duration);
	sm_check_count(events, "events");
	sm_check_count(censored, "censored");
	if (events == 0 && censored == 0)
		return;
	counts_add(counts, duration == 0.0 ? 0.0 : duration, events, censored);
}

static void
counts_add_curve(SurvivalCounts *counts, const SurvivalCurve *curve)
{
	for (int32 i = 0; i < curve->npoints; i++)
	{
		CHECK_FOR_INTERRUPTS();
		survival_counts_add(counts, curve->points[i].time, curve->points[i].events, curve->points[i].censored);
	}
}

static void
counts_add_counts(SurvivalCounts *counts, SurvivalCounts *other)
{
	durations_iterator it;
	DurationCount *entry;

	durations_start_iterate(other->table, &it);
	while ((entry = durations_iterate(other->table, &it)) != NULL)
	{
		CHECK_FOR_INTERRUPTS();
		counts_add(counts, entry->time, entry->events, entry->censored);
	}
}

static Size
counts_get_flat_size(ExpandedObjectHeader *eohptr)
{
	SurvivalCounts *counts = (SurvivalCounts *) eohptr;

	return SURVIVAL_CURVE_SIZE(counts->table->members);
}

/* The flat form: the table's points, sorted by time. */
static void
counts_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size)
{
	SurvivalCounts *counts = (SurvivalCounts *) eohptr;
	SurvivalCurve *curve = (SurvivalCurve *) result;
	durations_iterator it;
	DurationCount *entry;
	int32		n = 0;

	Assert(allocated_size == SURVIVAL_CURVE_SIZE(counts->table->members));
	memset(curve, 0, offsetof(SurvivalCurve, points));
	SET_VARSIZE(curve, allocated_size);
	curve->version = SURVIVAL_CURVE_VERSION;
	curve->npoints = (int32) counts->table->members;

	durations_start_iterate(counts->table, &it);
	while ((entry = durations_iterate(counts->table, &it)) != NULL)
	{
		CHECK_FOR_INTERRUPTS();
		curve->points[n].time = entry->time;
		curve->points[n].events = entry->events;
		curve->points[n].censored = entry->censored;
		n++;
	}
	CHECK_FOR_INTERRUPTS();
	sort_points_by_time(curve->points, n);
}

SurvivalCurve *
survival_counts_curve(SurvivalCounts *counts)
{
	Size		size = counts_get_flat_size(&counts->hdr);
	SurvivalCurve *curve = palloc_extended(size, MCXT_ALLOC_HUGE);

	counts_flatten_into(&counts->hdr, curve, size);
	return curve;
}

/* Our counts, if the datum is an expanded state of this file. */
static SurvivalCounts *
datum_counts(Datum d)
{
	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d)))
	{
		ExpandedObjectHeader *eoh = DatumGetEOHP(d);

		if (eoh->eoh_methods == &counts_methods)
			return (SurvivalCounts *) eoh;
	}
	return NULL;
}

/*
 * The state to add to: ours (a read-write expanded state of this
 * aggregate, in its memory), or else new counts in the aggregate context,
 * filled from the curve the datum holds (the initial '{}' or a stored curve).
 */
static SurvivalCounts *
counts_for_update(Datum state, MemoryContext aggcxt)
{
	SurvivalCounts *counts = datum_counts(state);

	if (counts && VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(state)))
		return counts;
	counts = survival_counts_create(aggcxt);
	if (datum_counts(state) != NULL)
		counts_add_counts(counts, datum_counts(state));
	else
		counts_add_curve(counts, survival_curve_from_datum(state));
	return counts;
}

/* ---- aggregate support ---------------------------------------------- */

static const char *
observed_text(FunctionCallInfo fcinfo)
{
	if (PG_ARGISNULL(2))
		return "NULL";
	return PG_GETARG_BOOL(2) ? "true" : "false";
}

/*
 * survival_curve_add(state, duration, observed): one subject, whose event
 * happened at duration (observed) or who was last seen event-free at
 * duration (censored).
 */
PG_FUNCTION_INFO_V1(survival_curve_add);
Datum
survival_curve_add(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = sm_aggregate_context(fcinfo, "survival_curve_add");
	SurvivalCounts *counts;
	float8		duration;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("kaplan_meier does not accept NULL %s", PG_ARGISNULL(1) ? "durations" : "observed flags"),
				 PG_ARGISNULL(1) ?
				 errdetail("A row has duration NULL and observed %s.", observed_text(fcinfo)) :
				 errdetail("A row has duration %g and observed NULL.", PG_GETARG_FLOAT8(1)),
				 errhint("A subject still without the event is censored at the end of observation: "
						 "duration = end of observation - start, observed = false.")));
	duration = PG_GETARG_FLOAT8(1);
	if (isnan(duration) || isinf(duration) || duration < 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("duration must be a finite number not below 0"),
				 errdetail("A row has duration %g and observed %s.", duration, observed_text(fcinfo))));
	if (duration == 0.0)
		duration = 0.0;			/* -0 counts as 0 */

	counts = PG_ARGISNULL(0) ? survival_counts_create(aggcxt) : counts_for_update(PG_GETARG_DATUM(0), aggcxt);
	if (PG_GETARG_BOOL(2))
		counts_add(counts, duration, 1, 0);
	else
		counts_add(counts, duration, 0, 1);
	PG_RETURN_DATUM(EOHPGetRWDatum(&counts->hdr));
}

/* survival_curve_combine(state, other): the counts of both. */
PG_FUNCTION_INFO_V1(survival_curve_combine);
Datum
survival_curve_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = sm_aggregate_context(fcinfo, "survival_curve_combine");
	SurvivalCounts *counts = counts_for_update(PG_GETARG_DATUM(0), aggcxt);
	SurvivalCounts *other = datum_counts(PG_GETARG_DATUM(1));

	if (other != NULL)
		counts_add_counts(counts, other);
	else
		counts_add_curve(counts, survival_curve_from_datum(PG_GETARG_DATUM(1)));
	PG_RETURN_DATUM(EOHPGetRWDatum(&counts->hdr));
}

/* survival_curve_final(state): the flat, sorted curve. */
PG_FUNCTION_INFO_V1(survival_curve_final);
Datum
survival_curve_final(PG_FUNCTION_ARGS)
{
	SurvivalCounts *counts;

	(void) sm_aggregate_context(fcinfo, "survival_curve_final");
	counts = datum_counts(PG_GETARG_DATUM(0));
	if (counts != NULL)
		PG_RETURN_POINTER(survival_counts_curve(counts));
	/* nothing was added: the state is still the initial '{}' */
	PG_RETURN_POINTER(survival_curve_from_datum(PG_GETARG_DATUM(0)));
}
