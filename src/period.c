/*
 * period.c
 *		Calendar periods as consecutive integers, so that the aggregates do
 *		their period arithmetic once per row and then work with plain ints.
 *
 * Months are numbered year * 12 + month - 1, quarters year * 4 + quarter - 1,
 * years by the year, and ISO weeks by the number of weeks since Monday
 * 2000-01-03.  Dates are PostgreSQL's (days since 2000-01-01); the calendar
 * conversions are j2date() and date2j() from the server.
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/memutils.h"

#include "period.h"

/* DateADT of Monday 2000-01-03, the start of week 0 */
#define WEEK_ZERO_MONDAY 2

static const char *const period_names[] = {"week", "month", "quarter", "year"};

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
			 errhint("Use 'week', 'month', 'quarter' or 'year'.")));
	pg_unreachable();
}

const char *
sm_period_name(PeriodKind kind)
{
	return period_names[kind];
}

/*
 * Month numbers of the days of 1900-2099, looked up instead of calling
 * j2date() twice per input row: 146 kB per backend, built on first use.
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

int32
sm_period_of_date(PeriodKind kind, DateADT date)
{
	switch (kind)
	{
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

DateADT
sm_period_start(PeriodKind kind, int32 period)
{
	int32		year;

	switch (kind)
	{
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
