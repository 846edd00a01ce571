/*
 * book_transition.c
 *		Where a subscription row becomes state: the transition function of
 *		subscription_book_agg() and of the shorthand aggregates
 *		mrr_movements(customer_id, ...) and cohort_retention(customer_id, ...).
 *
 * A row is (customer_id, started_at, ended_at, mrr), active on the half-open
 * range of days [started_at, ended_at).  It is checked, reduced to days
 * (a timestamptz to its local date in the session's TimeZone, as
 * date_trunc and the period boundaries of 0.1.0 did), its amount decoded
 * into a scaled integer, and appended to the book's log.  Nothing about
 * periods happens here: the readers choose the period.
 *
 * Each SQL signature has its own C entry point (bigint, text or uuid ids;
 * date or timestamptz), so that nothing depends on the call site's argument
 * types: a distributed planner such as Citus calls transition functions
 * without them.
 *
 * A book of a few rows (one customer's, under GROUP BY customer_id: the
 * shape that keeps a Citus query's transfer O(periods)) stays flat, a
 * plain datum in the aggregate's memory, and becomes an expanded log
 * appended to in place from its SMALL_BOOK_ROWS-th row on.  An expanded
 * object needs a memory context of its own, and PostgreSQL's hash
 * aggregate measures its memory by walking every context under its
 * aggregate context for each new group: with one context per group it is
 * quadratic in the groups it holds (22 s for 100,000 one-customer books at
 * work_mem = 1GB, 0.3 s without), and each context costs a block more.
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

#include "book.h"
#include "money.h"
#include "saas_metrics.h"

/* Rows (and customers) below which a book stays flat between rows. */
#define SMALL_BOOK_ROWS 8

/* Arguments after the state. */
enum
{
	ARG_STATE, ARG_ID, ARG_STARTED_AT, ARG_ENDED_AT, ARG_MRR, ARG_PERIOD, ARG_FROM, ARG_TO
};

/* The row's values as text, for the DETAIL of a row-level error. */
static char *
describe_row(FunctionCallInfo fcinfo, BookKeyKind kind, bool is_timestamptz)
{
	StringInfoData buf;
	PGFunction	date_out_fn = is_timestamptz ? timestamptz_out : date_out;

	initStringInfo(&buf);
	appendStringInfoString(&buf, "customer_id ");
	if (PG_ARGISNULL(ARG_ID))
		appendStringInfoString(&buf, "NULL");
	else if (kind == BOOK_KEY_BIGINT)
		appendStringInfo(&buf, INT64_FORMAT, PG_GETARG_INT64(ARG_ID));
	else if (kind == BOOK_KEY_TEXT)
		appendStringInfo(&buf, "\"%s\"", TextDatumGetCString(PG_GETARG_DATUM(ARG_ID)));
	else
		appendStringInfoString(&buf, DatumGetCString(DirectFunctionCall1(uuid_out, PG_GETARG_DATUM(ARG_ID))));
	appendStringInfo(&buf, ", started_at %s, ended_at %s, mrr %s",
					 PG_ARGISNULL(ARG_STARTED_AT) ? "NULL" :
					 DatumGetCString(DirectFunctionCall1(date_out_fn, PG_GETARG_DATUM(ARG_STARTED_AT))),
					 PG_ARGISNULL(ARG_ENDED_AT) ? "NULL" :
					 DatumGetCString(DirectFunctionCall1(date_out_fn, PG_GETARG_DATUM(ARG_ENDED_AT))),
					 PG_ARGISNULL(ARG_MRR) ? "NULL" :
					 DatumGetCString(DirectFunctionCall1(numeric_out, PG_GETARG_DATUM(ARG_MRR))));
	return buf.data;
}

#define ROW_ERROR(code, message) \
	ereport(ERROR, \
			(errcode(code), \
			 errmsg message, \
			 errdetail("The row is %s.", describe_row(fcinfo, kind, is_timestamptz))))

/* A date or timestamptz argument as a day: a timestamptz's local date. */
static DateADT
day_argument(FunctionCallInfo fcinfo, int argno, bool is_timestamptz)
{
	if (!is_timestamptz)
		return PG_GETARG_DATEADT(argno);
	return DatumGetDateADT(DirectFunctionCall1(timestamptz_date, PG_GETARG_DATUM(argno)));
}

/* A bound of the shorthand's window: NULL for none, else a finite day. */
static DateADT
bound_argument(FunctionCallInfo fcinfo, int argno, bool is_timestamptz, DateADT unbounded,
			   const char *argname)
{
	DateADT		day;

	if (PG_NARGS() <= argno || PG_ARGISNULL(argno))
		return unbounded;
	day = day_argument(fcinfo, argno, is_timestamptz);
	if (DATE_NOT_FINITE(day) || day < BOOK_MIN_DAY)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("\"%s\" must be a finite date from 4712 BC on", argname)));
	return day;
}

/*
 * The reading options of a shorthand call (period, and from and to with
 * eight arguments), as given with this row.
 */
static void
options_argument(FunctionCallInfo fcinfo, bool is_timestamptz, BookReadOptions *options)
{
	if (PG_ARGISNULL(ARG_PERIOD))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("period must not be NULL")));
	options->present = true;
	options->period = sm_period_parse(PG_GETARG_TEXT_PP(ARG_PERIOD));
	options->from_day = bound_argument(fcinfo, ARG_FROM, is_timestamptz, DATEVAL_NOBEGIN, "from");
	options->to_day = bound_argument(fcinfo, ARG_TO, is_timestamptz, DATEVAL_NOEND, "to");
	if (options->from_day > options->to_day)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"from\" must not be after \"to\"")));
}

/* The period as first given, for check_same_options' shortcut. */
static void
remember_period(Book *book, text *period)
{
	book->period_arg = (text *) MemoryContextAlloc(book->hdr.eoh_context, VARSIZE_ANY(period));
	memcpy(book->period_arg, period, VARSIZE_ANY(period));
}

/*
 * The shorthand's options must be the same in every row: they are compared
 * by value (the same period written the same way is the common case and
 * costs a memcmp).
 */
static void
check_same_options(FunctionCallInfo fcinfo, bool is_timestamptz, Book *book)
{
	text	   *period;
	BookReadOptions options;

	if (PG_ARGISNULL(ARG_PERIOD))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("period must not be NULL")));
	period = PG_GETARG_TEXT_PP(ARG_PERIOD);
	if (PG_NARGS() <= ARG_FROM && book->period_arg &&
		VARSIZE_ANY_EXHDR(period) == VARSIZE_ANY_EXHDR(book->period_arg) &&
		memcmp(VARDATA_ANY(period), VARDATA_ANY(book->period_arg), VARSIZE_ANY_EXHDR(period)) == 0)
		return;
	options_argument(fcinfo, is_timestamptz, &options);
	if (options.period != book->options.period || options.from_day != book->options.from_day ||
		options.to_day != book->options.to_day)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("period, \"from\" and \"to\" must be the same in every row")));
	/* a book read from a flat state has not seen the period's text */
	if (book->period_arg == NULL)
		remember_period(book, period);
}

/*
 * The book to append to: ours if it is a log book we may change; a log
 * built from the flat state, in the aggregate context; or, for a small flat
 * state, a log built in the current (per-row) context, *small set, which
 * the caller flattens again.
 */
static Book *
book_for_update(Datum state, MemoryContext aggcxt, bool *small)
{
	Book	   *book = sm_datum_book(state);
	BookFlat   *flat;

	*small = false;
	if (book && book->npending == 0 && (book->flat == NULL || book->flat_is_log) &&
		VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(state)))
		return book;
	flat = sm_book_flat_from_datum(state);
	*small = book == NULL && flat->nrows + flat->ncustomers < SMALL_BOOK_ROWS;
	return sm_book_from_flat(flat, *small ? CurrentMemoryContext : aggcxt);
}

/*
 * The state after this row: a small book flattened into a datum of the
 * current context (the aggregate copies it into its own), else the log,
 * moved into the aggregate context if it was built small.
 */
static Datum
book_state(Book *book, bool small, MemoryContext aggcxt)
{
	BookFlat   *flat;
	BookFlat   *copy;

	if (!small)
		return EOHPGetRWDatum(&book->hdr);
	if (book->nlog >= SMALL_BOOK_ROWS)
	{
		MemoryContextSetParent(book->hdr.eoh_context, aggcxt);
		return EOHPGetRWDatum(&book->hdr);
	}
	flat = sm_book_flat(book);
	copy = palloc(VARSIZE(flat));
	memcpy(copy, flat, VARSIZE(flat));
	MemoryContextDelete(book->hdr.eoh_context);
	return PointerGetDatum(copy);
}

static Datum
book_transition(FunctionCallInfo fcinfo, BookKeyKind kind, bool is_timestamptz)
{
	MemoryContext aggcxt = sm_aggregate_context(fcinfo, "subscription_book_add");
	Book	   *book;
	bool		small;
	DateADT		started_at,
				ended_at;
	int64		mrr;
	int			scale;
	int			display_scale;
	int64		key = 0;
	const char *id_bytes = NULL;
	Size		id_len = 0;

	if (PG_ARGISNULL(ARG_ID))
		ROW_ERROR(ERRCODE_NULL_VALUE_NOT_ALLOWED, ("customer_id must not be NULL"));
	if (PG_ARGISNULL(ARG_STARTED_AT))
		ROW_ERROR(ERRCODE_NULL_VALUE_NOT_ALLOWED, ("started_at must not be NULL"));
	if (PG_ARGISNULL(ARG_MRR))
		ROW_ERROR(ERRCODE_NULL_VALUE_NOT_ALLOWED, ("mrr must not be NULL"));

	if (PG_ARGISNULL(ARG_STATE))
	{
		book = sm_book_create(CurrentMemoryContext, kind);
		small = true;
		if (PG_NARGS() > ARG_PERIOD)
		{
			options_argument(fcinfo, is_timestamptz, &book->options);
			remember_period(book, PG_GETARG_TEXT_PP(ARG_PERIOD));
		}
	}
	else
	{
		book = book_for_update(PG_GETARG_DATUM(ARG_STATE), aggcxt, &small);
		if (PG_NARGS() > ARG_PERIOD)
			check_same_options(fcinfo, is_timestamptz, book);
	}
	if (!small)
		sm_book_set_spill(book, fcinfo);

	started_at = day_argument(fcinfo, ARG_STARTED_AT, is_timestamptz);
	ended_at = PG_ARGISNULL(ARG_ENDED_AT) ? DATEVAL_NOEND :
		day_argument(fcinfo, ARG_ENDED_AT, is_timestamptz);
	if (DATE_NOT_FINITE(started_at))
		ROW_ERROR(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE, ("started_at must be a finite date"));
	if (started_at < BOOK_MIN_DAY)
		ROW_ERROR(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE, ("started_at must not be before 4712 BC"));
	if (ended_at < started_at)
		ROW_ERROR(ERRCODE_INVALID_PARAMETER_VALUE, ("ended_at must not be before started_at"));
	sm_money_decode(PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(ARG_MRR)), &mrr, &scale, &display_scale,
					"mrr");

	switch (kind)
	{
		case BOOK_KEY_BIGINT:
			key = PG_GETARG_INT64(ARG_ID);
			break;
		case BOOK_KEY_TEXT:
			{
				/* a long id may be compressed or out of line: copy its real bytes */
				text	   *id = PG_GETARG_TEXT_PP(ARG_ID);

				id_bytes = VARDATA_ANY(id);
				id_len = VARSIZE_ANY_EXHDR(id);
				break;
			}
		case BOOK_KEY_UUID:
			id_bytes = (const char *) PG_GETARG_UUID_P(ARG_ID)->data;
			id_len = UUID_LEN;
			break;
	}
	sm_book_log_row(book, key, id_bytes, id_len, mrr, scale, display_scale, started_at, ended_at);
	sm_book_register_run_cleanup(fcinfo, book);
	PG_RETURN_DATUM(book_state(book, small, aggcxt));
}

#define BOOK_TRANSITION(name, kind, is_timestamptz) \
	PG_FUNCTION_INFO_V1(name); \
	Datum \
	name(PG_FUNCTION_ARGS) \
	{ \
		return book_transition(fcinfo, kind, is_timestamptz); \
	}

BOOK_TRANSITION(subscription_book_add_bigint_date, BOOK_KEY_BIGINT, false)
BOOK_TRANSITION(subscription_book_add_text_date, BOOK_KEY_TEXT, false)
BOOK_TRANSITION(subscription_book_add_uuid_date, BOOK_KEY_UUID, false)
BOOK_TRANSITION(subscription_book_add_bigint_timestamptz, BOOK_KEY_BIGINT, true)
BOOK_TRANSITION(subscription_book_add_text_timestamptz, BOOK_KEY_TEXT, true)
BOOK_TRANSITION(subscription_book_add_uuid_timestamptz, BOOK_KEY_UUID, true)
