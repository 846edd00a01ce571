/*
 * period.h
 *		Calendar periods (week, month, quarter, year) as consecutive integers.
 */
#ifndef SM_PERIOD_H
#define SM_PERIOD_H

#include "postgres.h"

#include "utils/date.h"

typedef enum PeriodKind
{
	PERIOD_WEEK,				/* ISO week, starting on Monday */
	PERIOD_MONTH,
	PERIOD_QUARTER,
	PERIOD_YEAR
} PeriodKind;

/* The period index of a subscription that never ends. */
#define PERIOD_OPEN PG_INT32_MAX

extern PeriodKind sm_period_parse(text *name);
extern const char *sm_period_name(PeriodKind kind);
extern int32 sm_period_of_date(PeriodKind kind, DateADT date);
extern DateADT sm_period_start(PeriodKind kind, int32 period);

#endif
