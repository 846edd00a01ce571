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

int32
sm_period_of_date(PeriodKind kind, DateADT date)
{
	int			year,
				month,
				day;

	if (kind == PERIOD_WEEK)
		return floor_div(date - WEEK_ZERO_MONDAY, 7);

	j2date(date + POSTGRES_EPOCH_JDATE, &year, &month, &day);
	switch (kind)
	{
		case PERIOD_MONTH:
			return year * 12 + month - 1;
		case PERIOD_QUARTER:
			return year * 4 + (month - 1) / 3;
		default:
			return year;
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
