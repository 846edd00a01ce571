/*
 * period.c
 *		Calendar periods as consecutive integers, so that the readers of a
 *		book map each day to its period once and then work with plain ints.
 *
 * Days are PostgreSQL's (days since 2000-01-01) and are their own period
 * numbers; months are numbered year * 12 + month - 1, quarters
 * year * 4 + quarter - 1, years by the year, and ISO weeks by the number of
 * weeks since Monday 2000-01-03.  The calendar conversions are j2date() and
 * date2j() from the server.  Every day a book holds is at least
 * BOOK_MIN_DAY, so every period number here stays far from the int32
 * limits and every period start is a valid date.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/memutils.h"

#include "period.h"

/* DateADT of Monday 2000-01-03, the start of week 0 */
#define WEEK_ZERO_MONDAY 2

static const char *const period_names[] = {"day", "week", "month", "quarter", "year"};

StaticAssertDecl(lengthof(period_names) == PERIOD_KIND_LAST + 1, "a name for every period kind");

static int32
floor_div(int32 a, int32 b)
{
	return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

PeriodKind
sm_period_parse(text *name)
{
	char	   *str = text_to_cstring(name);

	for (int i = 0; i < (int) lengthof(period_names); i++)
	{
		if (pg_strcasecmp(str, period_names[i]) == 0)
			return (PeriodKind) i;
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown period \"%s\"", str),
			 errhint("Use 'day', 'week', 'month', 'quarter' or 'year'.")));
	pg_unreachable();
}

const char *
sm_period_name(PeriodKind kind)
{
	return period_names[kind];
}

/*
 * Month numbers of the days of 1900-2099, looked up instead of calling
 * j2date() for every row a reader maps: 146 kB per backend, built on first
 * use.
 */
#define TABLE_FIRST_DAY (-36524)	/* 1900-01-01 */
#define TABLE_DAYS 73049		/* to 2099-12-31 */
#define TABLE_FIRST_MONTH (1900 * 12)

static int16 *month_of_day = NULL;

static int32
month_number(DateADT date)
{
	int			year,
				month,
				day;

	if (date >= TABLE_FIRST_DAY && date < TABLE_FIRST_DAY + TABLE_DAYS)
	{
		if (month_of_day == NULL)
		{
			int16	   *table = MemoryContextAlloc(TopMemoryContext, TABLE_DAYS * sizeof(int16));

			for (int32 d = 0; d < TABLE_DAYS; d++)
			{
				j2date(TABLE_FIRST_DAY + d + POSTGRES_EPOCH_JDATE, &year, &month, &day);
				table[d] = (int16) (year * 12 + month - 1 - TABLE_FIRST_MONTH);
			}
			month_of_day = table;
		}
		return TABLE_FIRST_MONTH + month_of_day[date - TABLE_FIRST_DAY];
	}
	j2date(date + POSTGRES_EPOCH_JDATE, &year, &month, &day);
	return year * 12 + month - 1;
}

/* The period containing a finite date of at least BOOK_MIN_DAY. */
int32
sm_period_of_date(PeriodKind kind, DateADT date)
{
	Assert(date >= BOOK_MIN_DAY && !DATE_NOT_FINITE(date));
	switch (kind)
	{
		case PERIOD_DAY:
			return date;
		case PERIOD_WEEK:
			return floor_div(date - WEEK_ZERO_MONDAY, 7);
		case PERIOD_MONTH:
			return month_number(date);
		case PERIOD_QUARTER:
			return floor_div(month_number(date), 3);
		default:
			return floor_div(month_number(date), 12);
	}
}

/* The first day of a period. */
DateADT
sm_period_start(PeriodKind kind, int32 period)
{
	int32		year;

	switch (kind)
	{
		case PERIOD_DAY:
			return (DateADT) period;
		case PERIOD_WEEK:
			return (DateADT) (period * 7 + WEEK_ZERO_MONDAY);
		case PERIOD_MONTH:
			year = floor_div(period, 12);
			return date2j(year, period - year * 12 + 1, 1) - POSTGRES_EPOCH_JDATE;
		case PERIOD_QUARTER:
			year = floor_div(period, 4);
			return date2j(year, (period - year * 4) * 3 + 1, 1) - POSTGRES_EPOCH_JDATE;
		default:
			return date2j(period, 1, 1) - POSTGRES_EPOCH_JDATE;
	}
}

/* The last day of a period: the instant an end-of-period snapshot reads. */
DateADT
sm_period_last_day(PeriodKind kind, int32 period)
{
	return sm_period_start(kind, period + 1) - 1;
}

/* period_start(day date, period text, shift integer DEFAULT 0) RETURNS date */
PG_FUNCTION_INFO_V1(period_start);
Datum
period_start(PG_FUNCTION_ARGS)
{
	DateADT		day = PG_GETARG_DATEADT(0);
	PeriodKind	kind = sm_period_parse(PG_GETARG_TEXT_PP(1));
	int64		period;
	DateADT		start;

	if (DATE_NOT_FINITE(day) || day < BOOK_MIN_DAY)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("day must be a finite date from 4712 BC on")));
	period = (int64) sm_period_of_date(kind, day) + PG_GETARG_INT32(2);
	/* periods of days from 4712 BC to 5874897 AD, whatever the kind */
	if (period < sm_period_of_date(kind, BOOK_MIN_DAY) ||
		period > sm_period_of_date(kind, DATE_END_JULIAN - POSTGRES_EPOCH_JDATE - 1) ||
		!IS_VALID_DATE(start = sm_period_start(kind, (int32) period)))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("date out of range for period_start")));
	PG_RETURN_DATEADT(start);
}

/* periods_per_year(period text) RETURNS integer */
PG_FUNCTION_INFO_V1(periods_per_year);
Datum
periods_per_year(PG_FUNCTION_ARGS)
{
	static const int32 per_year[] = {365, 52, 12, 4, 1};

	StaticAssertStmt(lengthof(per_year) == PERIOD_KIND_LAST + 1, "a count for every period kind");
	PG_RETURN_INT32(per_year[sm_period_parse(PG_GETARG_TEXT_PP(0))]);
}
