/*
 * period.h
 *		Calendar periods (day, week, month, quarter, year) as consecutive
 *		integers, and the days a subscription book can hold.
 */
#ifndef SM_PERIOD_H
#define SM_PERIOD_H

#include "postgres.h"

#include "utils/date.h"

typedef enum PeriodKind
{
	PERIOD_DAY,
	PERIOD_WEEK,				/* ISO week, starting on Monday */
	PERIOD_MONTH,
	PERIOD_QUARTER,
	PERIOD_YEAR
} PeriodKind;

#define PERIOD_KIND_LAST PERIOD_YEAR

/*
 * The earliest day a book holds: 4712-01-01 BC, so that the first day of
 * every period containing a held day is a date PostgreSQL accepts (its
 * earliest date is 4713-11-24 BC, inside a month, quarter and year that
 * begin before it).
 */
#define BOOK_MIN_DAY (-2451141)

extern PeriodKind sm_period_parse(text *name);
extern const char *sm_period_name(PeriodKind kind);
extern int32 sm_period_of_date(PeriodKind kind, DateADT date);
extern DateADT sm_period_start(PeriodKind kind, int32 period);
extern DateADT sm_period_last_day(PeriodKind kind, int32 period);

#endif
