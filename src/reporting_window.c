/*
 * reporting_window.c
 *		Where a reader decides how to read a book: the period, the window of
 *		periods to report, and the conventions.
 *
 * The options belong to the readers, never to the book (the aggregate's
 * parameters and the reader's are kept apart), so one stored book answers
 * by day, week, month, quarter or year, under each vendor's convention.
 *
 * The window: from the period containing "from" to the period containing
 * "to"; a NULL bound means where the data starts (the period of the
 * earliest started_at) or ends (of the latest started_at or ended_at).
 * History before the window still counts: who was active before it, and
 * who ever was.
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/date.h"

#include "reading.h"

/* Longest window returned: 100,000 periods (274 years of days). */
#define MAX_WINDOW_PERIODS 100000

static text *
option_argument(FunctionCallInfo fcinfo, int argno, const char *argname)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", argname)));
	return PG_GETARG_TEXT_PP(argno);
}

PeriodKind
sm_reading_period(FunctionCallInfo fcinfo, int argno)
{
	return sm_period_parse(option_argument(fcinfo, argno, "period"));
}

ZeroMrrConvention
sm_reading_zero_mrr(FunctionCallInfo fcinfo, int argno)
{
	char	   *value = text_to_cstring(option_argument(fcinfo, argno, "zero_mrr"));

	if (pg_strcasecmp(value, "inactive") == 0)
		return ZERO_MRR_INACTIVE;
	if (pg_strcasecmp(value, "active") == 0)
		return ZERO_MRR_ACTIVE;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown zero_mrr convention \"%s\"", value),
			 errhint("Use 'inactive' (a customer counts while its MRR is above zero: Stripe, Baremetrics, the mrr-playbook) or 'active' (while it has a row, even at MRR 0).")));
	pg_unreachable();
}

ChangesConvention
sm_reading_changes(FunctionCallInfo fcinfo, int argno)
{
	char	   *value = text_to_cstring(option_argument(fcinfo, argno, "changes"));

	if (pg_strcasecmp(value, "period_end") == 0)
		return CHANGES_PERIOD_END;
	if (pg_strcasecmp(value, "all") == 0)
		return CHANGES_ALL;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown changes convention \"%s\"", value),
			 errhint("Use 'period_end' (the net change between period ends: ProfitWell, the mrr-playbook) or 'all' (every change inside the period: ChartMogul, Baremetrics, Chargebee).")));
	pg_unreachable();
}

/* A date bound of the window: NULL for none, else a finite day. */
DateADT
sm_reading_bound(FunctionCallInfo fcinfo, int argno, DateADT unbounded, const char *argname)
{
	DateADT		day;

	if (PG_ARGISNULL(argno))
		return unbounded;
	day = PG_GETARG_DATEADT(argno);
	if (DATE_NOT_FINITE(day) || day < BOOK_MIN_DAY)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("\"%s\" must be a finite date from 4712 BC on", argname)));
	return day;
}

/* The periods to report, from the bounds (or the data's extent). */
void
sm_reading_window(BookReading *reading, const BookFlat *flat, DateADT from, DateADT to)
{
	if (from > to)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"from\" must not be after \"to\"")));
	reading->first = sm_period_of_date(reading->period,
									   DATE_IS_NOBEGIN(from) ? flat->min_day : from);
	reading->last = sm_period_of_date(reading->period,
									  DATE_IS_NOEND(to) ? flat->max_day : to);
	if ((int64) reading->last - reading->first + 1 > MAX_WINDOW_PERIODS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many periods: " INT64_FORMAT,
						(int64) reading->last - reading->first + 1),
				 errdetail("At most %d periods are returned.", MAX_WINDOW_PERIODS),
				 errhint("Use a longer period, or \"from\" and \"to\".")));
}

/*
 * A reader's options (the defaults for those it does not take), checked
 * before its book, and the book with the window decided: its flat form, or
 * *stream when the book is in parts (the flat form returned is then
 * header, book_stream.c), so that no reader makes the flat form of a book
 * it only walks.  NULL for a NULL book, which reads as no rows.
 */
BookFlat *
sm_reading_begin(FunctionCallInfo fcinfo, const ReaderArgs *args, BookReading *reading,
						BookFlat *header, BookStream **stream)
{
	DateADT		from,
				to;
	BookFlat   *flat;

	reading->period = args->period == NO_ARG ? PERIOD_MONTH : sm_reading_period(fcinfo, args->period);
	reading->zero_mrr = args->zero_mrr == NO_ARG ? ZERO_MRR_INACTIVE :
		sm_reading_zero_mrr(fcinfo, args->zero_mrr);
	reading->changes = args->changes == NO_ARG ? CHANGES_PERIOD_END :
		sm_reading_changes(fcinfo, args->changes);
	from = args->from == NO_ARG ? DATEVAL_NOBEGIN : sm_reading_bound(fcinfo, args->from, DATEVAL_NOBEGIN, "from");
	to = args->to == NO_ARG ? DATEVAL_NOEND : sm_reading_bound(fcinfo, args->to, DATEVAL_NOEND, "to");
	if (PG_ARGISNULL(0))
		return NULL;
	*stream = sm_book_input(PG_GETARG_DATUM(0), header, &flat);
	sm_reading_window(reading, flat, from, to);
	return flat;
}

/*
 * How the shorthand aggregates read their own book: the period and window
 * they were given (the month and the data's extent without), and the
 * default conventions.
 */
void
sm_reading_of_shorthand(BookReading *reading, const BookFlat *flat)
{
	BookReadOptions options;

	sm_book_options_from_flat(flat, &options);
	reading->period = options.period;
	reading->zero_mrr = ZERO_MRR_INACTIVE;
	reading->changes = CHANGES_PERIOD_END;
	sm_reading_window(reading, flat, options.from_day, options.to_day);
}
