/*
 * engagement.c
 *		Engagement features of one customer as of a day, from usage events:
 *		the engagement() aggregate, its state type engagement_state, and the
 *		feature_share() reader.
 *
 * The aggregate is used with GROUP BY customer_id over a usage-events table.
 * Its window is (as_of - window, as_of] and the previous window
 * (as_of - 2 * window, as_of - window]; events after as_of are ignored.
 * Everything it reports is a count, a set or an exact sum, so states merge
 * exactly and a parallel plan gives the same answer as a serial one:
 *
 *   - the days of the window with an event: a bitmap of the window's days
 *     (at most ENGAGEMENT_MAX_DAYS, so at most 463 bytes);
 *   - the distinct features used in the window: an open-addressing hash
 *     table of the feature names (4-byte slots, load at most 1/2) over an
 *     arena of (hash, length, bytes) entries, at most
 *     ENGAGEMENT_MAX_FEATURES names of at most ENGAGEMENT_MAX_FEATURE_LEN
 *     bytes;
 *   - counts of events in the window and the previous window, the latest
 *     event up to as_of, and the window's total quantity as an int128 count
 *     of its smallest decimal unit (money.c decodes each numeric, rounded
 *     half-even to 12 decimals) with the most decimals a quantity was
 *     written with, to show the total the same way.
 *
 * So a customer's state takes about 120 bytes, plus the bitmap (window
 * days / 8), plus 8 + name length (rounded up to 4) + 8 bytes of slots per
 * distinct feature, with up to 2x slack from doubling: about 1 kB for 20
 * features, at most about 17 MB for the worst allowed input.
 *
 * The state is a plain varlena that the transition function changes in
 * place (it belongs to the aggregate); it is reallocated, and then copied
 * once by the executor, only when its feature table or arena doubles.
 * Days of timestamptz events are local days in the session's TimeZone (so
 * that form is STABLE), as for the subscription aggregates.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "common/hashfn.h"
#include "common/int.h"
#include "datatype/timestamp.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "pgtime.h"
#include "port/pg_bitutils.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "money.h"
#include "portable_form.h"
#include "saas_metrics.h"

#define ENGAGEMENT_FLAT_VERSION 1	/* of the struct below, as tables store it */
#define ENGAGEMENT_ENCODING_VERSION 1	/* of the portable form (I/O below) */
#define ENGAGEMENT_TIMESTAMPTZ 0x01 /* as_of and events are timestamptz */
#define ENGAGEMENT_HAS_LAST 0x02	/* some event up to as_of was seen */
#define ENGAGEMENT_FLAGS (ENGAGEMENT_TIMESTAMPTZ | ENGAGEMENT_HAS_LAST)

/* a window of at most about ten years: 3700 bits of day bitmap */
#define ENGAGEMENT_MAX_DAYS 3700
#define ENGAGEMENT_MAX_FEATURES 10000
#define ENGAGEMENT_MAX_FEATURE_LEN 1000

/*
 * The fields every row reads come first, in one 64-byte cache line, and
 * those of events in the window next, with the bitmap: a customer's state
 * is touched at random among many, so each line costs a cache miss.
 */
typedef struct EngagementState
{
	/* read by every row */
	int32		vl_len_;
	uint8		flags;
	uint8		quantity_scale; /* total_quantity is in units of 10^-scale */
	uint8		version;		/* ENGAGEMENT_FLAT_VERSION */
	uint8		quantity_display_scale; /* shown with this many decimals */
	int64		as_of;			/* a DateADT or a TimestampTz */
	Interval	window;
	int64		window_start;	/* events in (window_start, as_of] count */
	int64		previous_start; /* and those in (previous_start, window_start] */
	int64		last_event;		/* the latest event up to as_of (HAS_LAST) */
	int32		last_event_day;
	int32		first_day;		/* the day of the bitmap's first bit */
	/* read by rows in the windows */
	int64		events;
	int64		previous_events;
	int128		quantity;
	int32		nslots;			/* feature slots: 0 or a power of 2 */
	int32		nfeatures;
	int32		arena_used;		/* bytes of feature entries in use */
	int32		arena_size;
	int32		ndays;			/* bits of the day bitmap */
	int32		as_of_day;		/* the (local) day of as_of */
	/* then the bitmap, the slots (uint32) and the arena */
} EngagementState;

/* A distinct feature in the arena; slots hold its offset + 1 (0: empty). */
typedef struct FeatureEntry
{
	uint32		hash;
	uint32		len;
	char		name[FLEXIBLE_ARRAY_MEMBER];
} FeatureEntry;

#define BITMAP_BYTES(ndays) ((int32) INTALIGN(((ndays) + 7) / 8))
#define STATE_BITMAP(s) ((uint8 *) (s) + MAXALIGN(sizeof(EngagementState)))
#define STATE_SLOTS(s) ((uint32 *) (STATE_BITMAP(s) + BITMAP_BYTES((s)->ndays)))
#define STATE_ARENA(s) ((char *) (STATE_SLOTS(s) + (s)->nslots))
#define ENTRY_SIZE(len) ((int32) INTALIGN(offsetof(FeatureEntry, name) + (len)))

static Size
state_size(int32 ndays, int32 nslots, int32 arena_size)
{
	return MAXALIGN(sizeof(EngagementState)) + BITMAP_BYTES(ndays) +
		(Size) nslots * sizeof(uint32) + arena_size;
}

/* ---- days ----------------------------------------------------------- */

/*
 * What one call site remembers between rows: the bounds of the last local
 * day looked up (events come roughly in time order, so most rows fall on
 * it), and the window of the last new state (the groups of a query usually
 * share as_of and window, which take a few time zone lookups to place).
 */
typedef struct EngagementCache
{
	pg_tz	   *day_tz;			/* NULL: no day yet */
	TimestampTz day_start;
	TimestampTz next_day_start;
	DateADT		day;
	pg_tz	   *window_tz;		/* NULL: no window yet */
	EngagementState window;		/* the header of a new state */
} EngagementCache;

static EngagementCache *
call_cache(FunctionCallInfo fcinfo)
{
	if (fcinfo->flinfo->fn_extra == NULL)
		fcinfo->flinfo->fn_extra = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt,
														  sizeof(EngagementCache));
	return fcinfo->flinfo->fn_extra;
}

/* The local day of a timestamptz in the session's TimeZone. */
static DateADT
local_day(FunctionCallInfo fcinfo, TimestampTz t)
{
	EngagementCache *cache = call_cache(fcinfo);
	DateADT		day;
	int			overflow_start = 0,
				overflow_end = 0;
	TimestampTz start,
				end;

	if (cache->day_tz == session_timezone &&
		t >= cache->day_start && t < cache->next_day_start)
		return cache->day;
	day = DatumGetDateADT(DirectFunctionCall1(timestamptz_date, TimestampTzGetDatum(t)));
	start = date2timestamptz_opt_overflow(day, &overflow_start);
	end = date2timestamptz_opt_overflow(day + 1, &overflow_end);
	if (overflow_start == 0 && overflow_end == 0 && t >= start && t < end)
	{
		cache->day_tz = session_timezone;
		cache->day_start = start;
		cache->next_day_start = end;
		cache->day = day;
	}
	return day;
}

static DateADT
day_of(FunctionCallInfo fcinfo, EngagementState *s, int64 t)
{
	return (s->flags & ENGAGEMENT_TIMESTAMPTZ) ? local_day(fcinfo, t) : (DateADT) t;
}

static char *
time_text(EngagementState *s, int64 t)
{
	if (s->flags & ENGAGEMENT_TIMESTAMPTZ)
		return DatumGetCString(DirectFunctionCall1(timestamptz_out, TimestampTzGetDatum(t)));
	return DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum((DateADT) t)));
}

/* ---- the state ------------------------------------------------------ */

static void
null_argument(const char *argname)
{
	ereport(ERROR,
			(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			 errmsg("%s must not be NULL", argname)));
}

static bool
same_interval(const Interval *a, const Interval *b)
{
	return a->time == b->time && a->day == b->day && a->month == b->month;
}

/*
 * The bounds of the windows for as_of and window, with the calendar
 * arithmetic of date/timestamptz minus interval: the window is (as_of -
 * window, as_of], the previous window (as_of - 2 * window, as_of - window];
 * and the (local) days of the window's start and of as_of.
 */
static void
window_bounds(FunctionCallInfo fcinfo, EngagementState *s, bool is_timestamptz, int64 as_of,
			  Interval *window)
{
	Datum		twice = DirectFunctionCall2(interval_mul, IntervalPGetDatum(window),
											Float8GetDatum(2.0));

	if (is_timestamptz)
	{
		s->window_start = DatumGetTimestampTz(DirectFunctionCall2(timestamptz_mi_interval,
																  TimestampTzGetDatum(as_of),
																  IntervalPGetDatum(window)));
		s->previous_start = DatumGetTimestampTz(DirectFunctionCall2(timestamptz_mi_interval,
																	TimestampTzGetDatum(as_of), twice));
		s->first_day = local_day(fcinfo, s->window_start);
		s->as_of_day = local_day(fcinfo, as_of);
	}
	else
	{
		Datum		start = DirectFunctionCall2(date_mi_interval, DateADTGetDatum((DateADT) as_of),
												IntervalPGetDatum(window));
		Datum		previous = DirectFunctionCall2(date_mi_interval, DateADTGetDatum((DateADT) as_of), twice);

		s->window_start = DatumGetDateADT(DirectFunctionCall1(timestamp_date, start));
		s->previous_start = DatumGetDateADT(DirectFunctionCall1(timestamp_date, previous));
		s->first_day = (int32) s->window_start + 1;
		s->as_of_day = (int32) as_of;
	}
}

/* The header of a new state for as_of and window, checked. */
static void
window_place(FunctionCallInfo fcinfo, EngagementState *s, bool is_timestamptz, int64 as_of,
			 Interval *window)
{
	int64		ndays;

	if (is_timestamptz ? TIMESTAMP_NOT_FINITE(as_of) : DATE_NOT_FINITE((DateADT) as_of))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("as_of must be finite")));
	if (window->month < 0 || window->day < 0 || window->time < 0 ||
		(window->month == 0 && window->day == 0 && window->time == 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("window must be a positive interval"),
				 errdetail("window is %s.",
						   DatumGetCString(DirectFunctionCall1(interval_out, IntervalPGetDatum(window))))));
	if (!is_timestamptz && window->time != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("window must be whole days, weeks, months or years for date events"),
				 errdetail("window is %s.",
						   DatumGetCString(DirectFunctionCall1(interval_out, IntervalPGetDatum(window))))));

	memset(s, 0, sizeof(EngagementState));
	s->version = ENGAGEMENT_FLAT_VERSION;
	s->flags = is_timestamptz ? ENGAGEMENT_TIMESTAMPTZ : 0;
	s->as_of = as_of;
	s->window = *window;
	window_bounds(fcinfo, s, is_timestamptz, as_of, window);
	ndays = (int64) s->as_of_day - s->first_day + 1;
	if (ndays > ENGAGEMENT_MAX_DAYS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("window must be at most %d days", ENGAGEMENT_MAX_DAYS),
				 errdetail("window is %s.",
						   DatumGetCString(DirectFunctionCall1(interval_out, IntervalPGetDatum(window))))));
	s->ndays = (int32) ndays;
}

/* A new, empty state for as_of and window. */
static EngagementState *
state_new(FunctionCallInfo fcinfo, bool is_timestamptz, int64 as_of, Interval *window)
{
	EngagementCache *cache = call_cache(fcinfo);
	EngagementState *s;

	if (cache->window_tz != session_timezone || cache->window.as_of != as_of ||
		!same_interval(&cache->window.window, window) ||
		((cache->window.flags & ENGAGEMENT_TIMESTAMPTZ) != 0) != is_timestamptz)
	{
		cache->window_tz = NULL;	/* until placed */
		window_place(fcinfo, &cache->window, is_timestamptz, as_of, window);
		cache->window_tz = session_timezone;
	}
	s = palloc0(state_size(cache->window.ndays, 0, 0));
	memcpy(s, &cache->window, sizeof(EngagementState));
	SET_VARSIZE(s, state_size(s->ndays, 0, 0));
	return s;
}

/*
 * The state a datum holds.  States of a table were checked on the way in;
 * one of another layout was stored by another version of the extension.
 */
static EngagementState *
state_of_datum(Datum d)
{
	EngagementState *s = (EngagementState *) PG_DETOAST_DATUM(d);

	if (s->version != ENGAGEMENT_FLAT_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("engagement_state value was stored by another version of saas_metrics, or is damaged"),
				 errdetail("Its layout version is %d; this version of saas_metrics reads %d.",
						   s->version, ENGAGEMENT_FLAT_VERSION)));
	return s;
}

/* Find name in the feature table: its slot, empty if absent. */
static uint32 *
feature_slot(EngagementState *s, const char *name, uint32 len, uint32 hash)
{
	uint32	   *slots = STATE_SLOTS(s);
	char	   *arena = STATE_ARENA(s);
	uint32		mask = (uint32) s->nslots - 1;

	for (uint32 i = hash & mask;; i = (i + 1) & mask)
	{
		FeatureEntry *e;

		if (slots[i] == 0)
			return &slots[i];
		e = (FeatureEntry *) (arena + slots[i] - 1);
		if (e->hash == hash && e->len == len && memcmp(e->name, name, len) == 0)
			return &slots[i];
	}
}

/*
 * A copy of s with room for at least nslots slots and arena_size bytes of
 * arena, its features rehashed.  The copy is in CurrentMemoryContext: the
 * executor copies a new state into the aggregate's context.
 */
static EngagementState *
state_grow(EngagementState *s, int32 nslots, int32 arena_size)
{
	EngagementState *g = palloc0(state_size(s->ndays, nslots, arena_size));
	char	   *arena;

	memcpy(g, s, MAXALIGN(sizeof(EngagementState)) + BITMAP_BYTES(s->ndays));
	g->nslots = nslots;
	g->arena_size = arena_size;
	SET_VARSIZE(g, state_size(g->ndays, nslots, arena_size));
	arena = STATE_ARENA(g);
	memcpy(arena, STATE_ARENA(s), s->arena_used);
	for (int32 off = 0; off < g->arena_used;)
	{
		FeatureEntry *e = (FeatureEntry *) (arena + off);

		CHECK_FOR_INTERRUPTS();
		*feature_slot(g, e->name, e->len, e->hash) = (uint32) off + 1;
		off += ENTRY_SIZE(e->len);
	}
	return g;
}

/* Add a feature name used in the window; s may move. */
static EngagementState *
state_add_feature(EngagementState *s, const char *name, uint32 len)
{
	uint32		hash = hash_bytes((const unsigned char *) name, (int) len);
	uint32	   *slot;
	FeatureEntry *e;

	if (s->nslots > 0)
	{
		slot = feature_slot(s, name, len, hash);
		if (*slot != 0)
			return s;
	}
	if (s->nfeatures >= ENGAGEMENT_MAX_FEATURES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("engagement counts at most %d distinct features per group",
						ENGAGEMENT_MAX_FEATURES),
				 errhint("Pass the name of one of the product's features, not an event's free text.")));
	if ((s->nfeatures + 1) * 2 > s->nslots ||
		s->arena_used + ENTRY_SIZE(len) > s->arena_size)
	{
		int32		nslots = Max(s->nslots, 8);
		int32		arena_size = Max(s->arena_size, 128);

		while ((s->nfeatures + 1) * 2 > nslots)
			nslots *= 2;
		while (s->arena_used + ENTRY_SIZE(len) > arena_size)
			arena_size *= 2;
		s = state_grow(s, nslots, arena_size);
	}
	slot = feature_slot(s, name, len, hash);
	e = (FeatureEntry *) (STATE_ARENA(s) + s->arena_used);
	e->hash = hash;
	e->len = len;
	memcpy(e->name, name, len);
	*slot = (uint32) s->arena_used + 1;
	s->arena_used += ENTRY_SIZE(len);
	s->nfeatures++;
	return s;
}

static void
quantity_out_of_range(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("total_quantity is out of range"),
			 errdetail("Quantities are summed exactly with at most %d digits after the decimal point and 38 significant digits.",
					   MONEY_MAX_SCALE)));
}

/* A total in units of 10^-from as units of 10^-to (from <= to <= 12). */
static int128
quantity_rescaled(int128 quantity, int from, int to)
{
	int128		result;

	if (to == from)
		return quantity;
	if (__builtin_mul_overflow(quantity, sm_money_widen(1, from, to), &result))
		quantity_out_of_range();
	return result;
}

/* Make the total's scale at least scale. */
static void
state_set_scale(EngagementState *s, int scale)
{
	if (scale <= s->quantity_scale)
		return;
	s->quantity = quantity_rescaled(s->quantity, s->quantity_scale, scale);
	s->quantity_scale = (uint8) scale;
}

static void
state_add_quantity(EngagementState *s, int128 units)
{
	if (__builtin_add_overflow(s->quantity, units, &s->quantity))
		quantity_out_of_range();
}

/*
 * Whether a quantity can be used: neither NaN, an infinity nor negative.
 * Read from the first 16 bits of the stored numeric (the layout money.c
 * decodes), as the value may have a short varlena header.
 */
static bool
quantity_usable(struct varlena *num)
{
	uint16		header;

	memcpy(&header, VARDATA_ANY(num), sizeof(uint16));
	if ((header & 0xC000) == 0xC000)	/* NaN or an infinity */
		return false;
	if ((header & 0xC000) == 0x8000)	/* short form: sign in 0x2000 */
		return (header & 0x2000) == 0 || VARSIZE_ANY_EXHDR(num) == sizeof(uint16);
	return (header & 0xC000) != 0x4000 || VARSIZE_ANY_EXHDR(num) <= 2 * sizeof(uint16);
}

/*
 * engagement_state_add(state, occurred_at, feature, quantity, as_of, window):
 * occurred_at and as_of are dates, or timestamptz in the _timestamptz form.
 */
static Datum
engagement_add(FunctionCallInfo fcinfo, bool is_timestamptz)
{
	EngagementState *s;
	int64		as_of;
	Interval   *window;
	int64		t;
	struct varlena *quantity = NULL;

	sm_aggregate_context(fcinfo, "engagement_state_add");
	if (PG_ARGISNULL(4))
		null_argument("as_of");
	if (PG_ARGISNULL(5))
		null_argument("window");
	as_of = is_timestamptz ? PG_GETARG_TIMESTAMPTZ(4) : PG_GETARG_DATEADT(4);
	window = PG_GETARG_INTERVAL_P(5);

	if (PG_ARGISNULL(0))
		s = state_new(fcinfo, is_timestamptz, as_of, window);
	else
	{
		s = state_of_datum(PG_GETARG_DATUM(0));
		if (s->as_of != as_of || !same_interval(&s->window, window))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("as_of and window must be the same in every row of a group"),
					 errdetail("The group started with as_of %s, window %s; a row has as_of %s, window %s.",
							   time_text(s, s->as_of),
							   DatumGetCString(DirectFunctionCall1(interval_out, IntervalPGetDatum(&s->window))),
							   time_text(s, as_of),
							   DatumGetCString(DirectFunctionCall1(interval_out, IntervalPGetDatum(window))))));
	}

	/* a row without a time is no event: a LEFT JOIN's customer without events */
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(s);
	t = is_timestamptz ? PG_GETARG_TIMESTAMPTZ(1) : PG_GETARG_DATEADT(1);
	if (is_timestamptz ? TIMESTAMP_NOT_FINITE(t) : DATE_NOT_FINITE((DateADT) t))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("occurred_at must be finite"),
				 errdetail("An event has occurred_at %s.", time_text(s, t))));
	if (!PG_ARGISNULL(3))
	{
		quantity = PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(3));
		if (!quantity_usable(quantity))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("quantity must be a finite number, zero or more"),
					 errdetail("The event at %s, feature %s, has quantity %s.",
							   time_text(s, t),
							   PG_ARGISNULL(2) ? "NULL" : quote_literal_cstr(text_to_cstring(PG_GETARG_TEXT_PP(2))),
							   DatumGetCString(DirectFunctionCall1(numeric_out, PG_GETARG_DATUM(3))))));
	}
	if (t > as_of)
		PG_RETURN_POINTER(s);

	if (!(s->flags & ENGAGEMENT_HAS_LAST) || t > s->last_event)
	{
		s->last_event = t;
		s->last_event_day = day_of(fcinfo, s, t);
		s->flags |= ENGAGEMENT_HAS_LAST;
	}
	if (t > s->window_start)
	{
		int32		bit = day_of(fcinfo, s, t) - s->first_day;

		/* a state stored and extended under another TimeZone */
		if (bit < 0 || bit >= s->ndays)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("an event's day falls outside the days of the engagement state's window"),
					 errdetail("The event at %s is not on one of the window's days, %s to %s: the state was built under another TimeZone setting.",
							   time_text(s, t),
							   DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(s->first_day))),
							   DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(s->as_of_day))))));
		STATE_BITMAP(s)[bit / 8] |= (uint8) (1 << (bit % 8));
		s->events++;
		if (quantity)
		{
			/* rounded half-even at 12 decimals, at its own smallest scale */
			int64		units;
			int			scale;
			int			display_scale;

			sm_money_decode(quantity, &units, &scale, &display_scale, "quantity");
			state_set_scale(s, scale);
			state_add_quantity(s, sm_money_widen(units, scale, s->quantity_scale));
			s->quantity_display_scale = Max(s->quantity_display_scale, display_scale);
		}
		if (!PG_ARGISNULL(2))
		{
			text	   *feature = PG_GETARG_TEXT_PP(2);

			if (VARSIZE_ANY_EXHDR(feature) > ENGAGEMENT_MAX_FEATURE_LEN)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("feature must be at most %d bytes long", ENGAGEMENT_MAX_FEATURE_LEN),
						 errdetail("The event at %s has a feature of %zu bytes.",
								   time_text(s, t), VARSIZE_ANY_EXHDR(feature))));
			s = state_add_feature(s, VARDATA_ANY(feature), VARSIZE_ANY_EXHDR(feature));
		}
	}
	else if (t > s->previous_start)
		s->previous_events++;
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(engagement_add_date);
Datum
engagement_add_date(PG_FUNCTION_ARGS)
{
	return engagement_add(fcinfo, false);
}

PG_FUNCTION_INFO_V1(engagement_add_timestamptz);
Datum
engagement_add_timestamptz(PG_FUNCTION_ARGS)
{
	return engagement_add(fcinfo, true);
}

static void
add_count(int64 *counter, int64 n)
{
	if (pg_add_s64_overflow(*counter, n, counter))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("number of events is out of range for type bigint")));
}

/* The states of two disjoint sets of one customer's events, merged. */
PG_FUNCTION_INFO_V1(engagement_combine);
Datum
engagement_combine(PG_FUNCTION_ARGS)
{
	EngagementState *s;
	EngagementState *other;
	uint8	   *bitmap;
	uint8	   *other_bitmap;
	char	   *arena;

	sm_aggregate_context(fcinfo, "engagement_state_combine");
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	other = state_of_datum(PG_GETARG_DATUM(1));
	if (PG_ARGISNULL(0))
		PG_RETURN_POINTER(other);
	s = state_of_datum(PG_GETARG_DATUM(0));

	if (s->as_of != other->as_of || !same_interval(&s->window, &other->window) ||
		(s->flags & ENGAGEMENT_TIMESTAMPTZ) != (other->flags & ENGAGEMENT_TIMESTAMPTZ))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("engagement states of different as_of or window cannot be merged")));
	/* same as_of and window: the same window days, unless TimeZone changed */
	if (s->first_day != other->first_day || s->ndays != other->ndays)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("engagement states of different days cannot be merged"),
				 errdetail("They were built under different TimeZone settings.")));

	add_count(&s->events, other->events);
	add_count(&s->previous_events, other->previous_events);
	if ((other->flags & ENGAGEMENT_HAS_LAST) &&
		(!(s->flags & ENGAGEMENT_HAS_LAST) || other->last_event > s->last_event))
	{
		s->last_event = other->last_event;
		s->last_event_day = other->last_event_day;
		s->flags |= ENGAGEMENT_HAS_LAST;
	}
	state_set_scale(s, other->quantity_scale);
	state_add_quantity(s, quantity_rescaled(other->quantity, other->quantity_scale,
											s->quantity_scale));
	s->quantity_display_scale = Max(s->quantity_display_scale, other->quantity_display_scale);
	bitmap = STATE_BITMAP(s);
	other_bitmap = STATE_BITMAP(other);
	for (int i = 0; i < BITMAP_BYTES(s->ndays); i++)
		bitmap[i] |= other_bitmap[i];
	arena = STATE_ARENA(other);
	for (int32 off = 0; off < other->arena_used;)
	{
		FeatureEntry *e = (FeatureEntry *) (arena + off);

		CHECK_FOR_INTERRUPTS();
		s = state_add_feature(s, e->name, e->len);
		off += ENTRY_SIZE(e->len);
	}
	PG_RETURN_POINTER(s);
}

/* ---- the reader ----------------------------------------------------- */

static int32
active_days(EngagementState *s)
{
	return (int32) pg_popcount((const char *) STATE_BITMAP(s), BITMAP_BYTES(s->ndays));
}

/*
 * engagement(engagement_state) -> engagement: (active_days, events,
 * events_per_active_day, distinct_features, days_since_last_event,
 * previous_events, trend, total_quantity).
 */
PG_FUNCTION_INFO_V1(engagement_final);
Datum
engagement_final(PG_FUNCTION_ARGS)
{
	EngagementState *s = state_of_datum(PG_GETARG_DATUM(0));
	TupleDesc	tupdesc;
	Datum		values[8];
	bool		nulls[8] = {false};
	int32		days = active_days(s);

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	values[0] = Int32GetDatum(days);
	values[1] = Int64GetDatum(s->events);
	values[2] = Float8GetDatum(days > 0 ? (float8) s->events / days : 0.0);
	nulls[2] = days == 0;
	values[3] = Int32GetDatum(s->nfeatures);
	values[4] = Int32GetDatum(s->as_of_day - s->last_event_day);
	nulls[4] = !(s->flags & ENGAGEMENT_HAS_LAST);
	values[5] = Int64GetDatum(s->previous_events);
	values[6] = Float8GetDatum(s->previous_events > 0 ? (float8) s->events / s->previous_events : 0.0);
	nulls[6] = s->previous_events == 0;
	values[7] = NumericGetDatum(sm_money_numeric(s->quantity, s->quantity_scale,
												 s->quantity_display_scale));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}

/* feature_share(engagement, plan_features) = distinct_features / plan_features */
PG_FUNCTION_INFO_V1(engagement_feature_share);
Datum
engagement_feature_share(PG_FUNCTION_ARGS)
{
	HeapTupleHeader e = PG_GETARG_HEAPTUPLEHEADER(0);
	int32		plan_features = PG_GETARG_INT32(1);
	bool		isnull;
	int32		features = DatumGetInt32(GetAttributeByName(e, "distinct_features", &isnull));

	if (plan_features <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("plan_features must be positive"),
				 errdetail("plan_features is %d.", plan_features)));
	if (isnull)
		PG_RETURN_NULL();
	if (features < 0 || features > plan_features)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("distinct_features must be between 0 and plan_features"),
				 errdetail("distinct_features is %d, plan_features %d.", features, plan_features),
				 errhint("Count only the plan's features, or pass the most features of any plan the customer had in the window.")));
	PG_RETURN_FLOAT8((float8) features / plan_features);
}

/* ---- I/O ------------------------------------------------------------ */

/*
 * The portable form (portable_form.h), in network byte order:
 *
 *   uint8 version (1), uint8 flags, uint8 quantity scale,
 *   uint8 quantity display scale,
 *   int64 as_of, window as int32 months, int32 days, int64 microseconds,
 *   int64 window_start, int64 previous_start,
 *   int32 first_day, int32 as_of_day,
 *   [int64 last_event, int32 last_event_day]      when HAS_LAST
 *   int64 events, int64 previous_events,
 *   int64 high and low halves of the int128 total quantity,
 *   the day bitmap: (as_of_day - first_day + 1 + 7) / 8 bytes, the day
 *     first_day + i in bit i % 8 of byte i / 8,
 *   int32 features; per feature: int32 length, bytes; sorted bytewise.
 *
 * as_of and the other instants are dates (days since 2000-01-01) or
 * timestamptz (microseconds since 2000-01-01 UTC).  The window's bounds and
 * local days are kept, not computed again when read: for timestamptz they
 * depend on the TimeZone the state was built in.  Features are written in
 * sorted order, so a state's forms do not depend on the order its events
 * came in; they are read in any order, and the hash table is built again
 * (hash_bytes differs between little- and big-endian machines).
 */
#define TYPNAME "engagement_state"

typedef struct FeatureRef
{
	const char *name;
	uint32		len;
} FeatureRef;

static inline int
feature_ref_cmp(const FeatureRef *a, const FeatureRef *b)
{
	int			c = memcmp(a->name, b->name, Min(a->len, b->len));

	if (c != 0)
		return c;
	return a->len < b->len ? -1 : a->len > b->len ? 1 : 0;
}

#define ST_SORT sort_feature_refs
#define ST_ELEMENT_TYPE FeatureRef
#define ST_COMPARE(a, b) feature_ref_cmp(a, b)
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

static void
state_write(StringInfo buf, EngagementState *s)
{
	FeatureRef *features = palloc(Max(s->nfeatures, 1) * sizeof(FeatureRef));
	char	   *arena = STATE_ARENA(s);
	int32		n = 0;

	pq_sendint8(buf, ENGAGEMENT_ENCODING_VERSION);
	pq_sendint8(buf, s->flags);
	pq_sendint8(buf, s->quantity_scale);
	pq_sendint8(buf, s->quantity_display_scale);
	pq_sendint64(buf, s->as_of);
	pq_sendint32(buf, s->window.month);
	pq_sendint32(buf, s->window.day);
	pq_sendint64(buf, s->window.time);
	pq_sendint64(buf, s->window_start);
	pq_sendint64(buf, s->previous_start);
	pq_sendint32(buf, s->first_day);
	pq_sendint32(buf, s->as_of_day);
	if (s->flags & ENGAGEMENT_HAS_LAST)
	{
		pq_sendint64(buf, s->last_event);
		pq_sendint32(buf, s->last_event_day);
	}
	pq_sendint64(buf, s->events);
	pq_sendint64(buf, s->previous_events);
	pq_sendint64(buf, (int64) (uint64) ((uint128) s->quantity >> 64));
	pq_sendint64(buf, (int64) (uint64) s->quantity);
	pq_sendbytes(buf, (const char *) STATE_BITMAP(s), (s->ndays + 7) / 8);

	for (int32 off = 0; off < s->arena_used; n++)
	{
		FeatureEntry *e = (FeatureEntry *) (arena + off);

		features[n].name = e->name;
		features[n].len = e->len;
		off += ENTRY_SIZE(e->len);
	}
	sort_feature_refs(features, n);
	pq_sendint32(buf, n);
	for (int32 i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		pq_sendint32(buf, (int32) features[i].len);
		pq_sendbytes(buf, features[i].name, (int) features[i].len);
	}
	pfree(features);
}

static void
state_corrupt(const char *what)
{
	sm_corrupt(TYPNAME, what);
}

/* An instant of the state's kind that the aggregate could have seen. */
static bool
valid_instant(int64 t, bool is_timestamptz)
{
	if (is_timestamptz)
		return !TIMESTAMP_NOT_FINITE(t) && IS_VALID_TIMESTAMP(t);
	/* a date that date minus interval can take (as timestamp) */
	return t >= DATETIME_MIN_JULIAN - POSTGRES_EPOCH_JDATE &&
		t < TIMESTAMP_END_JULIAN - POSTGRES_EPOCH_JDATE;
}

/*
 * The local day of a timestamptz, counted in a TimeZone the state was built
 * in: within a week of its day in UTC (PostgreSQL takes UTC offsets of up
 * to 167 hours).  For dates, the day itself.
 */
static bool
valid_day_of(int32 day, int64 t, bool is_timestamptz)
{
	int64		utc_day;

	if (!is_timestamptz)
		return day == t;
	utc_day = t / USECS_PER_DAY - (t % USECS_PER_DAY < 0 ? 1 : 0);
	return day >= utc_day - 7 && day <= utc_day + 7;
}

/*
 * Read a state and check everything the transition, combine and final
 * functions rely on, so that none of them can be led astray.
 */
static EngagementState *
state_read(FunctionCallInfo fcinfo, SmReader *rd)
{
	EngagementState h;
	EngagementState *s;
	bool		is_timestamptz;
	int64		ndays;
	const uint8 *bitmap;
	int32		nfeatures;
	int64		days;
	uint64		quantity_high;

	memset(&h, 0, sizeof(h));
	h.version = ENGAGEMENT_FLAT_VERSION;
	if (sm_take_u8(rd) != ENGAGEMENT_ENCODING_VERSION)
		state_corrupt("unknown version");
	h.flags = sm_take_u8(rd);
	if (h.flags & ~ENGAGEMENT_FLAGS)
		state_corrupt("unknown flags");
	is_timestamptz = (h.flags & ENGAGEMENT_TIMESTAMPTZ) != 0;
	h.quantity_scale = sm_take_u8(rd);
	h.quantity_display_scale = sm_take_u8(rd);
	if (h.quantity_display_scale > MONEY_MAX_SCALE || h.quantity_scale > h.quantity_display_scale)
		state_corrupt("bad quantity scale");

	/* the window */
	h.as_of = sm_take_i64(rd);
	h.window.month = sm_take_i32(rd);
	h.window.day = sm_take_i32(rd);
	h.window.time = sm_take_i64(rd);
	h.window_start = sm_take_i64(rd);
	h.previous_start = sm_take_i64(rd);
	h.first_day = sm_take_i32(rd);
	h.as_of_day = sm_take_i32(rd);
	if (!valid_instant(h.as_of, is_timestamptz) ||
		!valid_instant(h.window_start, is_timestamptz) ||
		!valid_instant(h.previous_start, is_timestamptz) ||
		!(h.previous_start <= h.window_start && h.window_start < h.as_of))
		state_corrupt("bad window");
	/* a window the aggregate takes: positive, at most ENGAGEMENT_MAX_DAYS */
	if (h.window.month < 0 || h.window.day < 0 || h.window.time < 0 ||
		(h.window.month == 0 && h.window.day == 0 && h.window.time == 0) ||
		h.window.month > ENGAGEMENT_MAX_DAYS / 28 || h.window.day > ENGAGEMENT_MAX_DAYS ||
		h.window.time > ENGAGEMENT_MAX_DAYS * USECS_PER_DAY ||
		(!is_timestamptz && h.window.time != 0))
		state_corrupt("bad window");
	ndays = (int64) h.as_of_day - h.first_day + 1;
	if (ndays < 1 || ndays > ENGAGEMENT_MAX_DAYS ||
		!valid_day_of(h.as_of_day, h.as_of, is_timestamptz) ||
		!valid_day_of(h.first_day, is_timestamptz ? h.window_start : h.window_start + 1, is_timestamptz))
		state_corrupt("bad window days");
	h.ndays = (int32) ndays;
	if (!is_timestamptz)
	{
		/* date arithmetic does not depend on TimeZone: the bounds must be its */
		EngagementState expected;

		window_bounds(fcinfo, &expected, false, h.as_of, &h.window);
		if (expected.window_start != h.window_start || expected.previous_start != h.previous_start)
			state_corrupt("the window's bounds do not match as_of and window");
	}

	/* the events */
	if (h.flags & ENGAGEMENT_HAS_LAST)
	{
		h.last_event = sm_take_i64(rd);
		h.last_event_day = sm_take_i32(rd);
		if (!valid_instant(h.last_event, is_timestamptz) || h.last_event > h.as_of ||
			!valid_day_of(h.last_event_day, h.last_event, is_timestamptz) ||
			h.last_event_day > h.as_of_day ||
			(h.last_event > h.window_start && h.last_event_day < h.first_day))
			state_corrupt("bad last event");
	}
	h.events = sm_take_i64(rd);
	h.previous_events = sm_take_i64(rd);
	if (h.events < 0 || h.previous_events < 0)
		state_corrupt("negative number of events");
	/* the latest event up to as_of is in the window exactly when some event is */
	if ((h.events > 0) != ((h.flags & ENGAGEMENT_HAS_LAST) && h.last_event > h.window_start) ||
		(h.previous_events > 0 && !((h.flags & ENGAGEMENT_HAS_LAST) && h.last_event > h.previous_start)))
		state_corrupt("events disagree with the last event");
	quantity_high = (uint64) sm_take_i64(rd);
	h.quantity = (int128) (((uint128) quantity_high << 64) | (uint64) sm_take_i64(rd));
	if (h.quantity < 0 || (h.quantity > 0 && h.events == 0))
		state_corrupt("bad total quantity");

	/* the window's days: at least one with an event when there are events */
	bitmap = sm_take_bytes(rd, (h.ndays + 7) / 8);
	if (h.ndays % 8 != 0 && (bitmap[h.ndays / 8] >> (h.ndays % 8)) != 0)
		state_corrupt("days outside the window");
	days = (int64) pg_popcount((const char *) bitmap, (h.ndays + 7) / 8);
	if (days > h.events || (days == 0) != (h.events == 0))
		state_corrupt("active days disagree with the events");

	s = palloc0(state_size(h.ndays, 0, 0));
	memcpy(s, &h, sizeof(EngagementState));
	SET_VARSIZE(s, state_size(h.ndays, 0, 0));
	memcpy(STATE_BITMAP(s), bitmap, (h.ndays + 7) / 8);

	/* the features: each takes at least its 4-byte length */
	nfeatures = sm_take_i32(rd);
	if (nfeatures < 0 || nfeatures > ENGAGEMENT_MAX_FEATURES || nfeatures > sm_reader_left(rd) / 4 ||
		(nfeatures > 0 && h.events == 0))
		state_corrupt("bad number of features");
	for (int32 i = 0; i < nfeatures; i++)
	{
		int32		len = sm_take_i32(rd);

		CHECK_FOR_INTERRUPTS();
		if (len < 0 || len > ENGAGEMENT_MAX_FEATURE_LEN)
			state_corrupt("bad feature length");
		s = state_add_feature(s, (const char *) sm_take_bytes(rd, len), (uint32) len);
		if (s->nfeatures != i + 1)
			state_corrupt("duplicate feature");
	}
	sm_reader_done(rd);
	return s;
}

PG_FUNCTION_INFO_V1(engagement_state_in);
Datum
engagement_state_in(PG_FUNCTION_ARGS)
{
	SmReader	rd;

	sm_reader_of_text(&rd, PG_GETARG_CSTRING(0), TYPNAME);
	PG_RETURN_POINTER(state_read(fcinfo, &rd));
}

PG_FUNCTION_INFO_V1(engagement_state_recv);
Datum
engagement_state_recv(PG_FUNCTION_ARGS)
{
	SmReader	rd;

	sm_reader_of_recv(&rd, (StringInfo) PG_GETARG_POINTER(0), TYPNAME);
	PG_RETURN_POINTER(state_read(fcinfo, &rd));
}

PG_FUNCTION_INFO_V1(engagement_state_out);
Datum
engagement_state_out(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	initStringInfo(&buf);
	state_write(&buf, state_of_datum(PG_GETARG_DATUM(0)));
	PG_RETURN_CSTRING(sm_encoding_text(&buf, TYPNAME));
}

PG_FUNCTION_INFO_V1(engagement_state_send);
Datum
engagement_state_send(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	state_write(&buf, state_of_datum(PG_GETARG_DATUM(0)));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}
