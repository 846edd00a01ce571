/*
 * rfm.c
 *		The rfm() aggregate: one customer's purchase rows become the recency,
 *		frequency and monetary summary that the buy-till-you-die models take,
 *		with the definitions of the lifetimes library's
 *		summary_data_from_transaction_data (Davidson-Pilon et al.):
 *
 *   frequency       distinct purchase days after the first, up to and
 *                   including observation_end
 *   recency         first purchase day to last purchase day, in units
 *                   (0 without repeat purchases)
 *   t               first purchase day to observation_end, in units
 *   monetary_value  mean of the repeat purchase days' totals (same-day
 *                   purchases summed), exact numeric; 0 without repeats
 *
 * Purchases after observation_end are ignored; a customer with none before
 * it gives NULL.  A unit is a day, a week of 7 days or a month of 365.2425
 * / 12 = 30.436875 days (the mean Gregorian month), so recency and t are
 * day counts divided by 1, 7 or 30.436875.
 *
 * The state rfm_state is a varlena: the observation end and unit (which
 * must be the same in every row), the exact sums of the amounts (all of
 * them, and those of the earliest day, which the mean leaves out) as
 * scaled int128, and the purchase days seen, unsorted, with room to add in
 * place.  Days are made distinct by sorting when the room runs out and in
 * the final function, so the rows may come in any order and two partial
 * states of one customer (parallel query, Citus) merge exactly.
 */
#include "postgres.h"

#include <ctype.h>

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/qunique.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/typcache.h"

#include "clv_models.h"
#include "money.h"
#include "saas_metrics.h"

typedef enum RfmUnit
{
	RFM_DAY,
	RFM_WEEK,
	RFM_MONTH
} RfmUnit;

static const char *const unit_names[] = {"day", "week", "month"};
static const double unit_days[] = {1.0, 7.0, 365.2425 / 12.0};

typedef struct RfmState
{
	int32		vl_len_;
	DateADT		observation_end;
	int32		unit;			/* RfmUnit */
	int32		amount_scale;	/* amounts are in units of 10^-amount_scale */
	int32		ndays;			/* days logged in days[] */
	int32		capacity;		/* room in days[] */
	DateADT		first_day;		/* earliest purchase day, when ndays > 0 */
	DateADT		last_day;		/* latest purchase day, when ndays > 0 */
	int128		total;			/* every amount up to observation_end */
	int128		first_day_total;	/* the amounts of first_day */
	DateADT		days[FLEXIBLE_ARRAY_MEMBER];
} RfmState;

#define RFM_STATE_SIZE(capacity) (offsetof(RfmState, days) + (Size) (capacity) * sizeof(DateADT))
#define RFM_INITIAL_CAPACITY 4
#define RFM_MAX_CAPACITY ((int32) ((MaxAllocSize - offsetof(RfmState, days)) / sizeof(DateADT)))

static RfmState *
rfm_state_new(int32 capacity)
{
	RfmState   *state = palloc0(RFM_STATE_SIZE(capacity));

	SET_VARSIZE(state, RFM_STATE_SIZE(capacity));
	state->capacity = capacity;
	return state;
}

static RfmUnit
parse_unit(text *unit)
{
	const char *name = VARDATA_ANY(unit);
	int			len = VARSIZE_ANY_EXHDR(unit);

	for (int i = 0; i < (int) lengthof(unit_names); i++)
		if (len == (int) strlen(unit_names[i]) && pg_strncasecmp(name, unit_names[i], len) == 0)
			return (RfmUnit) i;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown unit \"%s\"", text_to_cstring(unit)),
			 errhint("Use 'day', 'week' or 'month'.")));
	pg_unreachable();
}

static char *
date_text(DateADT day)
{
	return DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(day)));
}

static void
amount_out_of_range(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("the amounts of one customer are out of range"),
			 errdetail("Amounts are summed exactly in units of their smallest decimal place, in 128-bit integers.")));
}

/* value * 10^digits, or an error if it does not fit */
static int128
rescale(int128 value, int digits)
{
	for (int i = 0; i < digits; i++)
	{
		if (value > PG_INT64_MAX * (int128) PG_INT64_MAX / 10)
			amount_out_of_range();
		value *= 10;
	}
	return value;
}

/* sum += value, or an error if it does not fit */
static void
add_amount(int128 *sum, int128 value)
{
	if (__builtin_add_overflow(*sum, value, sum))
		amount_out_of_range();
}

/* scale <= MONEY_MAX_SCALE: decoded amounts and checked states have no more */
static void
raise_scale(RfmState *state, int scale)
{
	Assert(scale <= MONEY_MAX_SCALE);
	state->total = rescale(state->total, scale - state->amount_scale);
	state->first_day_total = rescale(state->first_day_total, scale - state->amount_scale);
	state->amount_scale = scale;
}

/* Sort the logged days and keep each once. */
static int
compare_days(const void *a, const void *b)
{
	DateADT		x = *(const DateADT *) a;
	DateADT		y = *(const DateADT *) b;

	return (x > y) - (x < y);
}

static int32
distinct_days(DateADT *days, int32 ndays)
{
	qsort(days, ndays, sizeof(DateADT), compare_days);
	return (int32) qunique(days, ndays, sizeof(DateADT), compare_days);
}

/*
 * The state to add n more days to: in place while there is room (the
 * executor keeps the pointer), else made distinct, and if still more than
 * half full, copied into twice the room (the executor then copies the
 * returned state into the aggregate context and frees the old one).
 */
static RfmState *
room_for(RfmState *state, int32 n)
{
	RfmState   *grown;
	int64		capacity;

	if (state->ndays + n <= state->capacity)
		return state;
	state->ndays = distinct_days(state->days, state->ndays);
	memset(state->days + state->ndays, 0, (state->capacity - state->ndays) * sizeof(DateADT));
	if ((int64) state->ndays + n <= state->capacity && state->ndays <= state->capacity / 2)
		return state;
	capacity = Max(Min((int64) state->capacity * 2, RFM_MAX_CAPACITY), (int64) state->ndays + n);
	if (capacity > RFM_MAX_CAPACITY)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("one customer has too many distinct purchase days for rfm"),
				 errdetail("At most %d distinct days are kept per customer.", RFM_MAX_CAPACITY)));
	grown = rfm_state_new((int32) capacity);
	memcpy(grown, state, RFM_STATE_SIZE(state->ndays));
	SET_VARSIZE(grown, RFM_STATE_SIZE(capacity));
	grown->capacity = (int32) capacity;
	return grown;
}

/* a state argument (never toasted inside an aggregate: then the value itself) */
static RfmState *
state_arg(FunctionCallInfo fcinfo, int argno)
{
	return (RfmState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(argno));
}

static void
null_argument(const char *name)
{
	ereport(ERROR,
			(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			 errmsg("%s must not be NULL", name),
			 errhint("Filter such rows out, or replace the NULL with coalesce().")));
}

static Numeric zero_amount = NULL;

/*
 * Add one purchase: day, amount, the observation end and unit of its row.
 */
static Datum
rfm_add_row(FunctionCallInfo fcinfo, DateADT day, DateADT observation_end)
{
	RfmState   *state;
	RfmUnit		unit = RFM_DAY;
	Numeric		amount;
	int128		value;
	int64		units;
	int			scale;
	int			display_scale;

	if (PG_NARGS() > 4)
	{
		if (PG_ARGISNULL(4))
			null_argument("unit");
		unit = parse_unit(PG_GETARG_TEXT_PP(4));
	}
	if (DATE_NOT_FINITE(day))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("occurred_at must be finite"),
				 errdetail("occurred_at is %s.", date_text(day))));
	if (DATE_NOT_FINITE(observation_end))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("observation_end must be finite"),
				 errdetail("observation_end is %s.", date_text(observation_end))));

	amount = PG_GETARG_NUMERIC(2);
	if (zero_amount == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		zero_amount = int64_to_numeric(0);
		MemoryContextSwitchTo(old);
	}
	if (numeric_is_nan(amount) || numeric_is_inf(amount) ||
		DatumGetBool(DirectFunctionCall2(numeric_lt, NumericGetDatum(amount), NumericGetDatum(zero_amount))))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("amount must be a finite amount, not negative"),
				 errdetail("The purchase on %s has amount %s.", date_text(day),
						   DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(amount)))),
				 errhint("Net refunds into the purchases they refund, or leave them out.")));

	if (PG_ARGISNULL(0))
	{
		state = rfm_state_new(RFM_INITIAL_CAPACITY);
		state->observation_end = observation_end;
		state->unit = unit;
	}
	else
	{
		state = state_arg(fcinfo, 0);
		if (state->observation_end != observation_end)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("observation_end must be the same in every row of a customer"),
					 errdetail("It is %s in one row and %s in another.",
							   date_text(state->observation_end), date_text(observation_end))));
		if (state->unit != (int32) unit)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unit must be the same in every row of a customer"),
					 errdetail("It is '%s' in one row and '%s' in another.",
							   unit_names[state->unit], unit_names[unit])));
	}
	if (day > observation_end)
		PG_RETURN_POINTER(state);

	/* exact to 12 decimals, rounded half-even beyond (money.c) */
	sm_money_decode((struct varlena *) amount, &units, &scale, &display_scale, "amount");
	if (scale > state->amount_scale)
		raise_scale(state, scale);
	value = sm_money_widen(units, scale, state->amount_scale);

	add_amount(&state->total, value);
	if (state->ndays == 0 || day < state->first_day)
	{
		state->first_day = day;
		state->first_day_total = value;
	}
	else if (day == state->first_day)
		add_amount(&state->first_day_total, value);
	if (state->ndays == 0 || day > state->last_day)
		state->last_day = day;
	/* rows in date order log each day once; others are made distinct later */
	if (state->ndays == 0 || state->days[state->ndays - 1] != day)
	{
		state = room_for(state, 1);
		state->days[state->ndays++] = day;
	}
	PG_RETURN_POINTER(state);
}

/* Called by an aggregate, with a purchase and an observation end. */
static void
check_row_arguments(FunctionCallInfo fcinfo)
{
	sm_aggregate_context(fcinfo, "rfm_add");
	if (PG_ARGISNULL(1))
		null_argument("occurred_at");
	if (PG_ARGISNULL(2))
		null_argument("amount");
	if (PG_ARGISNULL(3))
		null_argument("observation_end");
}

/* rfm_add(state, occurred_at date, amount, observation_end date [, unit]) */
PG_FUNCTION_INFO_V1(rfm_add);
Datum
rfm_add(PG_FUNCTION_ARGS)
{
	check_row_arguments(fcinfo);
	return rfm_add_row(fcinfo, PG_GETARG_DATEADT(1), PG_GETARG_DATEADT(3));
}

/*
 * rfm_add_tz(state, occurred_at timestamptz, amount, observation_end
 * timestamptz [, unit]): the days of the timestamps in the session's
 * TimeZone.
 */
PG_FUNCTION_INFO_V1(rfm_add_tz);
Datum
rfm_add_tz(PG_FUNCTION_ARGS)
{
	check_row_arguments(fcinfo);
	return rfm_add_row(fcinfo,
					   DatumGetDateADT(DirectFunctionCall1(timestamptz_date, PG_GETARG_DATUM(1))),
					   DatumGetDateADT(DirectFunctionCall1(timestamptz_date, PG_GETARG_DATUM(3))));
}

/* Two states of one customer: the days of both, the sums added. */
PG_FUNCTION_INFO_V1(rfm_combine);
Datum
rfm_combine(PG_FUNCTION_ARGS)
{
	RfmState   *state;
	RfmState   *other;

	sm_aggregate_context(fcinfo, "rfm_combine");
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	other = state_arg(fcinfo, 1);
	if (PG_ARGISNULL(0))
	{
		state = rfm_state_new(Max(other->ndays, 1));
		memcpy(state, other, RFM_STATE_SIZE(other->ndays));
		SET_VARSIZE(state, RFM_STATE_SIZE(Max(other->ndays, 1)));
		state->capacity = Max(other->ndays, 1);
		PG_RETURN_POINTER(state);
	}
	state = state_arg(fcinfo, 0);
	if (state->observation_end != other->observation_end || state->unit != other->unit)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("observation_end and unit must be the same in every row of a customer"),
				 errdetail("Partial results with observation_end %s, unit '%s' and observation_end %s, unit '%s' were merged.",
						   date_text(state->observation_end), unit_names[state->unit],
						   date_text(other->observation_end), unit_names[other->unit])));
	if (other->ndays == 0)
		PG_RETURN_POINTER(state);

	if (other->amount_scale > state->amount_scale)
		raise_scale(state, other->amount_scale);
	state = room_for(state, other->ndays);
	{
		int128		total = rescale(other->total, state->amount_scale - other->amount_scale);
		int128		first_total = rescale(other->first_day_total, state->amount_scale - other->amount_scale);

		if (state->ndays == 0 || other->first_day < state->first_day)
		{
			state->first_day = other->first_day;
			state->first_day_total = first_total;
		}
		else if (other->first_day == state->first_day)
			add_amount(&state->first_day_total, first_total);
		if (state->ndays == 0 || other->last_day > state->last_day)
			state->last_day = other->last_day;
		add_amount(&state->total, total);
	}
	memcpy(state->days + state->ndays, other->days, other->ndays * sizeof(DateADT));
	state->ndays += other->ndays;
	PG_RETURN_POINTER(state);
}

/* The rfm composite of a state: NULL without purchases up to observation_end. */
PG_FUNCTION_INFO_V1(rfm_final);
Datum
rfm_final(PG_FUNCTION_ARGS)
{
	RfmState   *state;
	DateADT    *days;
	int32		frequency;
	double		unit;
	Datum		values[4];
	bool		nulls[4] = {false};

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = state_arg(fcinfo, 0);
	if (state->ndays == 0)
		PG_RETURN_NULL();

	/* the state is read-only here: count distinct days on a copy */
	days = palloc(state->ndays * sizeof(DateADT));
	memcpy(days, state->days, state->ndays * sizeof(DateADT));
	frequency = distinct_days(days, state->ndays) - 1;
	unit = unit_days[state->unit];

	values[0] = Int32GetDatum(frequency);
	values[1] = Float8GetDatum((double) (state->last_day - state->first_day) / unit);
	values[2] = Float8GetDatum((double) (state->observation_end - state->first_day) / unit);
	if (frequency == 0)
		values[3] = NumericGetDatum(int64_to_numeric(0));
	else
	{
		Numeric		repeat_total = sm_money_numeric(state->total - state->first_day_total,
													state->amount_scale, state->amount_scale);
		Datum		mean = DirectFunctionCall2(numeric_div, NumericGetDatum(repeat_total),
											   NumericGetDatum(int64_to_numeric(frequency)));

		values[3] = DirectFunctionCall1(numeric_trim_scale, mean);
	}
	return sm_form_composite(fcinfo, values, nulls);
}

/* ---- I/O ---------------------------------------------------------------

 * Text: observation_end=1997-09-30 unit=week amount_scale=2 total=12345
 * first_day_total=2933 days={1997-01-01,1997-01-18}, the totals in units of
 * 10^-amount_scale.
 */

static char *
int128_text(int128 value)
{
	char		buf[48];
	char	   *p = buf + sizeof(buf) - 1;

	Assert(value >= 0);
	*p = '\0';
	do
	{
		*--p = '0' + (int) (value % 10);
		value /= 10;
	} while (value > 0);
	return pstrdup(p);
}

PG_FUNCTION_INFO_V1(rfm_state_out);
Datum
rfm_state_out(PG_FUNCTION_ARGS)
{
	RfmState   *state = state_arg(fcinfo, 0);
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "observation_end=%s unit=%s amount_scale=%d total=%s first_day_total=%s days={",
					 date_text(state->observation_end), unit_names[state->unit], state->amount_scale,
					 int128_text(state->total), int128_text(state->first_day_total));
	for (int i = 0; i < state->ndays; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		appendStringInfo(&buf, "%s%s", i ? "," : "", date_text(state->days[i]));
	}
	appendStringInfoChar(&buf, '}');
	PG_RETURN_CSTRING(buf.data);
}

static void
state_syntax_error(const char *str)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type rfm_state: \"%s\"", str),
			 errhint("Write it as observation_end=1997-09-30 unit=week amount_scale=2 total=5400 first_day_total=2000 days={1997-01-01,1997-02-03}.")));
}

/* "name=" at *p: advance past it */
static bool
expect(const char **p, const char *name)
{
	size_t		len = strlen(name);

	while (isspace((unsigned char) **p))
		(*p)++;
	if (strncmp(*p, name, len) != 0)
		return false;
	*p += len;
	return true;
}

/* the characters up to the next space, comma or brace, as a new string */
static char *
token(const char **p)
{
	const char *start = *p;

	while (**p && !isspace((unsigned char) **p) && **p != ',' && **p != '}')
		(*p)++;
	return pnstrdup(start, *p - start);
}

static bool
parse_int128(const char *s, int128 *value)
{
	*value = 0;
	if (*s == '\0')
		return false;
	/* any non-negative int128 the aggregate can sum reads back */
	for (; *s; s++)
	{
		if (!isdigit((unsigned char) *s) ||
			__builtin_mul_overflow(*value, 10, value) ||
			__builtin_add_overflow(*value, *s - '0', value))
			return false;
	}
	return true;
}

static DateADT
parse_date(const char *s)
{
	return DatumGetDateADT(DirectFunctionCall1(date_in, CStringGetDatum(s)));
}

/* A state read from outside: consistent, or an error. */
static void
check_state(RfmState *state, const char *what)
{
	bool		ok = state->unit >= 0 && state->unit < (int32) lengthof(unit_names) &&
		state->amount_scale >= 0 && state->amount_scale <= MONEY_MAX_SCALE &&
		state->ndays >= 0 && state->ndays <= state->capacity &&
		IS_VALID_DATE(state->observation_end) &&
		state->total >= state->first_day_total && state->first_day_total >= 0;

	if (ok && state->ndays == 0)
		ok = state->total == 0;
	if (ok && state->ndays > 0)
	{
		state->first_day = state->last_day = state->days[0];
		for (int i = 0; i < state->ndays; i++)
		{
			if ((i & 0xFFFF) == 0)
				CHECK_FOR_INTERRUPTS();
			if (!IS_VALID_DATE(state->days[i]) || state->days[i] > state->observation_end)
				ok = false;
			state->first_day = Min(state->first_day, state->days[i]);
			state->last_day = Max(state->last_day, state->days[i]);
		}
	}
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid rfm_state: %s", what),
				 errdetail("The unit, scale, sums and days (dates in the range of type date) must be those of purchases up to observation_end.")));
}

PG_FUNCTION_INFO_V1(rfm_state_in);
Datum
rfm_state_in(PG_FUNCTION_ARGS)
{
	const char *str = PG_GETARG_CSTRING(0);
	const char *p = str;
	RfmState   *state;
	char	   *tok;
	int32		ndays = 0;
	char	   *end;
	long		scale;

	for (const char *c = str; *c; c++)
		ndays += (*c == ',');
	state = rfm_state_new(ndays + 1);
	ndays = 0;
	if (!expect(&p, "observation_end="))
		state_syntax_error(str);
	state->observation_end = parse_date(token(&p));
	if (!expect(&p, "unit="))
		state_syntax_error(str);
	tok = token(&p);
	state->unit = parse_unit(cstring_to_text(tok));
	if (!expect(&p, "amount_scale="))
		state_syntax_error(str);
	tok = token(&p);
	scale = strtol(tok, &end, 10);
	if (*tok == '\0' || *end != '\0' || scale < 0 || scale > MONEY_MAX_SCALE)
		state_syntax_error(str);
	state->amount_scale = (int32) scale;
	if (!expect(&p, "total=") || !parse_int128(token(&p), &state->total) ||
		!expect(&p, "first_day_total=") || !parse_int128(token(&p), &state->first_day_total) ||
		!expect(&p, "days={"))
		state_syntax_error(str);
	while (*p != '}')
	{
		if ((ndays & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (ndays > 0 && *p++ != ',')
			state_syntax_error(str);
		tok = token(&p);
		if (*tok == '\0')
			state_syntax_error(str);
		state->days[ndays++] = parse_date(tok);
	}
	p++;
	while (isspace((unsigned char) *p))
		p++;
	if (*p != '\0')
		state_syntax_error(str);
	state->ndays = ndays;
	check_state(state, str);
	PG_RETURN_POINTER(state);
}

/* Binary: the fields in order, the totals as two int64 halves each, then the days. */
static void
send_int128(StringInfo buf, int128 value)
{
	pq_sendint64(buf, (int64) (value >> 64));
	pq_sendint64(buf, (int64) (uint64) value);
}

static int128
get_int128(StringInfo buf)
{
	int128		high = pq_getmsgint64(buf);
	uint64		low = (uint64) pq_getmsgint64(buf);

	return (int128) ((uint128) high << 64 | low);
}

PG_FUNCTION_INFO_V1(rfm_state_send);
Datum
rfm_state_send(PG_FUNCTION_ARGS)
{
	RfmState   *state = state_arg(fcinfo, 0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint32(&buf, state->observation_end);
	pq_sendint32(&buf, state->unit);
	pq_sendint32(&buf, state->amount_scale);
	send_int128(&buf, state->total);
	send_int128(&buf, state->first_day_total);
	pq_sendint32(&buf, state->ndays);
	for (int i = 0; i < state->ndays; i++)
		pq_sendint32(&buf, state->days[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(rfm_state_recv);
Datum
rfm_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	DateADT		observation_end = pq_getmsgint(buf, 4);
	int32		unit = pq_getmsgint(buf, 4);
	int32		scale = pq_getmsgint(buf, 4);
	int128		total = get_int128(buf);
	int128		first_day_total = get_int128(buf);
	int32		ndays = pq_getmsgint(buf, 4);
	RfmState   *state;

	if (ndays < 0 || ndays > (buf->len - buf->cursor) / 4)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid number of days in rfm_state: %d", ndays)));
	state = rfm_state_new(Max(ndays, 1));
	state->observation_end = observation_end;
	state->unit = unit;
	state->amount_scale = scale;
	state->total = total;
	state->first_day_total = first_day_total;
	state->ndays = ndays;
	for (int i = 0; i < ndays; i++)
		state->days[i] = pq_getmsgint(buf, 4);
	check_state(state, "binary input");
	PG_RETURN_POINTER(state);
}

/* ---- the composites of the CLV models ---------------------------------- */

/*
 * An rfm argument, deformed with the row type looked up once per call site
 * (the argument's type is always rfm), and checked: frequency, recency and
 * t present, frequency >= 0, 0 <= recency <= t finite, recency 0 without
 * repeat purchases.  monetary_value is converted only when asked for.
 */
void
sm_rfm_read(FunctionCallInfo fcinfo, int argno, RfmValues *rfm, bool with_monetary)
{
	HeapTupleHeader header = PG_GETARG_HEAPTUPLEHEADER(argno);
	TupleDesc	desc = (TupleDesc) fcinfo->flinfo->fn_extra;
	HeapTupleData tuple;
	Datum		values[4];
	bool		nulls[4];

	if (desc == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		desc = lookup_rowtype_tupdesc_copy(HeapTupleHeaderGetTypeId(header),
										   HeapTupleHeaderGetTypMod(header));
		MemoryContextSwitchTo(old);
		fcinfo->flinfo->fn_extra = desc;
	}
	if (desc->natts != 4)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("type rfm must have the four fields frequency, recency, t and monetary_value")));
	tuple.t_len = HeapTupleHeaderGetDatumLength(header);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = header;
	heap_deform_tuple(&tuple, desc, values, nulls);

	if (nulls[0] || nulls[1] || nulls[2])
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("frequency, recency and t of an rfm summary must not be NULL")));
	rfm->frequency = DatumGetInt32(values[0]);
	rfm->recency = DatumGetFloat8(values[1]);
	rfm->t = DatumGetFloat8(values[2]);
	if (rfm->frequency < 0 || !(rfm->recency >= 0.0) || !(rfm->recency <= rfm->t) || isinf(rfm->t) ||
		(rfm->frequency == 0 && rfm->recency != 0.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid rfm summary"),
				 errdetail("frequency is %d, recency is %g, t is %g; frequency must not be negative, "
						   "0 <= recency <= t, finite, and recency 0 when frequency is 0.",
						   rfm->frequency, rfm->recency, rfm->t)));
	rfm->monetary_isnull = nulls[3];
	rfm->monetary_value = 0.0;
	if (with_monetary && !nulls[3])
		rfm->monetary_value = DatumGetFloat8(DirectFunctionCall1(numeric_float8, values[3]));
}

/*
 * Parameter attno of a model composite (r, alpha, ..., p, q, gamma).  A
 * model can be written by hand, so each one read is checked: given, and in
 * the box the fits search, where the readers' formulas stay finite (a + b
 * - 1 does not round to -1, a + b and ln Gamma(r) do not overflow).  The
 * other fields describe the fit and are not read.
 */
float8
sm_model_parameter(HeapTupleHeader model, int attno, const char *name)
{
	bool		isnull;
	Datum		datum = GetAttributeByNum(model, attno, &isnull);
	float8		value;

	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the model's %s must not be NULL", name)));
	value = DatumGetFloat8(datum);
	if (!(value >= MLE_MIN_PARAMETER && value <= MLE_MAX_PARAMETER))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the model's %s must be between 1e-8 and 1e8", name),
				 errdetail("%s is %g.", name, value),
				 errhint("The fits search their parameters in this range; a model written by hand must keep to it.")));
	return value;
}

/* A composite result of the function's declared row type, its descriptor kept per call site. */
Datum
sm_form_composite(FunctionCallInfo fcinfo, Datum *values, bool *nulls)
{
	TupleDesc	desc = (TupleDesc) fcinfo->flinfo->fn_extra;

	if (desc == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "return type must be a row type");
		desc = BlessTupleDesc(CreateTupleDescCopy(desc));
		MemoryContextSwitchTo(old);
		fcinfo->flinfo->fn_extra = desc;
	}
	return HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
}
