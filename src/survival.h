/*
 * survival.h
 *		The survival_curve type: counts of events and censorings at each
 *		distinct duration, from which every Kaplan-Meier reader computes.
 *
 * A curve is what kaplan_meier() returns, what rollup() merges and what the
 * readers (survival_readers.c, logrank.c) read.  Other parts of the
 * extension build curves from C with the counts API below, so that, for
 * example, a reader of the subscription book can return the survival curve
 * of customers' lifetimes:
 *
 *		SurvivalCounts *counts = survival_counts_create(CurrentMemoryContext);
 *
 *		for (each customer)
 *			survival_counts_add(counts, lifetime, churned ? 1 : 0, churned ? 0 : 1);
 *		PG_RETURN_POINTER(survival_counts_curve(counts));
 *
 * Counts of the same duration add up, in any order; the curve comes out
 * sorted by duration.
 */
#ifndef SURVIVAL_H
#define SURVIVAL_H

#include "postgres.h"

#include "fmgr.h"

/* One distinct duration and what happened there. */
typedef struct SurvivalPoint
{
	float8		time;			/* finite, >= 0; never -0 */
	int64		events;			/* subjects whose event was observed at time */
	int64		censored;		/* subjects last seen, event-free, at time */
} SurvivalPoint;

/*
 * The flat form: a varlena holding the points in strictly increasing order
 * of time, each with events + censored > 0.  The subjects at risk at a
 * point are those at that point and after it.  Native byte order (the text
 * and binary forms are the portable ones).
 */
#define SURVIVAL_CURVE_VERSION 1

typedef struct SurvivalCurve
{
	int32		vl_len_;
	uint16		version;
	uint16		flags;			/* none yet: 0 */
	int32		npoints;
	SurvivalPoint points[FLEXIBLE_ARRAY_MEMBER];
} SurvivalCurve;

#define SURVIVAL_CURVE_SIZE(n) (offsetof(SurvivalCurve, points) + (Size) (n) * sizeof(SurvivalPoint))
/* the most points a curve can hold: its flat form must fit in 1 GB */
#define SURVIVAL_CURVE_MAX_POINTS ((int32) ((MaxAllocSize - offsetof(SurvivalCurve, points)) / sizeof(SurvivalPoint)))

/* A curve datum, detoasted (an expanded state is flattened) and checked. */
extern SurvivalCurve *survival_curve_from_datum(Datum datum);

/* A duration: finite and not negative (else 22023). */
extern void survival_check_duration(float8 duration);
/* events + censored over the points (22003 beyond bigint) */
extern int64 survival_subjects(const SurvivalCurve *curve);

/* The row a reader returns (survival_estimate, logrank_result, ...). */
extern Datum survival_result_row(FunctionCallInfo fcinfo, Datum *values, bool *nulls);

/* Building a curve from counts in C (see the top of this file). */
typedef struct SurvivalCounts SurvivalCounts;

extern SurvivalCounts *survival_counts_create(MemoryContext parent);
extern void survival_counts_add(SurvivalCounts *counts, float8 duration, int64 events, int64 censored);
extern SurvivalCurve *survival_counts_curve(SurvivalCounts *counts);

#endif
