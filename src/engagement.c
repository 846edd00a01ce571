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
#include "miscadmin.h"
#include "pgtime.h"
#include "port/pg_bitutils.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "money.h"
#include "saas_metrics.h"

#define ENGAGEMENT_VERSION 1
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
	uint8		version;
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
 * The header of a state for as_of and window: the window is (as_of -
 * window, as_of], the previous window (as_of - 2 * window, as_of - window],
 * with the calendar arithmetic of date/timestamptz minus interval.
 */
static void
window_place(FunctionCallInfo fcinfo, EngagementState *s, bool is_timestamptz, int64 as_of,
			 Interval *window)
{
	Datum		twice;
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
	s->version = ENGAGEMENT_VERSION;
	s->flags = is_timestamptz ? ENGAGEMENT_TIMESTAMPTZ : 0;
	s->as_of = as_of;
	s->window = *window;
	twice = DirectFunctionCall2(interval_mul, IntervalPGetDatum(window), Float8GetDatum(2.0));
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
		s = (EngagementState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
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
	other = (EngagementState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(1));
	if (PG_ARGISNULL(0))
		PG_RETURN_POINTER(other);
	s = (EngagementState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));

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
	EngagementState *s = (EngagementState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
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

#define TYPNAME "engagement_state"

/* Check a state read from outside, so that no reader can go astray. */
static EngagementState *
state_validate(struct varlena *flat)
{
	EngagementState *s = (EngagementState *) flat;
	Size		size = VARSIZE(flat);
	uint32	   *slots;
	char	   *arena;
	int32		used = 0;
	int32		nentries = 0;

	if (size < MAXALIGN(sizeof(EngagementState)))
		sm_flat_corrupt(TYPNAME, "too short");
	if (s->version != ENGAGEMENT_VERSION)
		sm_flat_corrupt(TYPNAME, "unknown version");
	if ((s->flags & ~ENGAGEMENT_FLAGS) != 0 || s->quantity_scale > MONEY_MAX_SCALE ||
		s->quantity_display_scale > MONEY_MAX_SCALE ||
		s->ndays <= 0 || s->ndays > ENGAGEMENT_MAX_DAYS ||
		s->nslots < 0 || (s->nslots & (s->nslots - 1)) != 0 ||
		s->nfeatures < 0 || s->nfeatures > ENGAGEMENT_MAX_FEATURES ||
		s->nfeatures * 2 > s->nslots ||
		s->arena_size < 0 || s->arena_used < 0 || s->arena_used > s->arena_size ||
		s->events < 0 || s->previous_events < 0 ||
		(int64) s->as_of_day - s->first_day + 1 != s->ndays ||
		!(s->previous_start <= s->window_start && s->window_start < s->as_of))
		sm_flat_corrupt(TYPNAME, "bad header");
	if (state_size(s->ndays, s->nslots, s->arena_size) != size)
		sm_flat_corrupt(TYPNAME, "wrong length");
	if (s->ndays % 8 != 0 && (STATE_BITMAP(s)[s->ndays / 8] >> (s->ndays % 8)) != 0)
		sm_flat_corrupt(TYPNAME, "days outside the window");
	for (int i = (s->ndays + 7) / 8; i < BITMAP_BYTES(s->ndays); i++)
		if (STATE_BITMAP(s)[i] != 0)
			sm_flat_corrupt(TYPNAME, "days outside the window");
	if (active_days(s) > s->events)
		sm_flat_corrupt(TYPNAME, "more active days than events");
	if (s->flags & ENGAGEMENT_HAS_LAST)
	{
		if (s->last_event > s->as_of || s->last_event_day > s->as_of_day)
			sm_flat_corrupt(TYPNAME, "last event after as_of");
	}
	else if (s->events > 0 || s->previous_events > 0)
		sm_flat_corrupt(TYPNAME, "events without a last event");

	/* the arena: whole entries with the right hashes; each in its slot */
	arena = STATE_ARENA(s);
	slots = STATE_SLOTS(s);
	while (used < s->arena_used)
	{
		FeatureEntry *e = (FeatureEntry *) (arena + used);

		CHECK_FOR_INTERRUPTS();
		if (s->arena_used - used < (int32) offsetof(FeatureEntry, name) ||
			e->len > ENGAGEMENT_MAX_FEATURE_LEN ||
			ENTRY_SIZE(e->len) > s->arena_used - used ||
			e->hash != hash_bytes((const unsigned char *) e->name, (int) e->len))
			sm_flat_corrupt(TYPNAME, "bad feature");
		used += ENTRY_SIZE(e->len);
		nentries++;
	}
	if (nentries != s->nfeatures)
		sm_flat_corrupt(TYPNAME, "wrong number of features");
	for (int32 i = s->arena_used; i < s->arena_size; i++)
		if (arena[i] != 0)
			sm_flat_corrupt(TYPNAME, "bytes after the features");
	nentries = 0;
	for (int32 i = 0; i < s->nslots; i++)
	{
		FeatureEntry *e;

		CHECK_FOR_INTERRUPTS();
		if (slots[i] == 0)
			continue;
		if (slots[i] > (uint32) s->arena_used)
			sm_flat_corrupt(TYPNAME, "bad feature slot");
		e = (FeatureEntry *) (arena + slots[i] - 1);
		/* a slot must point at an entry (they are INTALIGNed) found by lookup */
		if ((slots[i] - 1) % sizeof(uint32) != 0 ||
			(slots[i] - 1) + offsetof(FeatureEntry, name) > (uint32) s->arena_used ||
			e->len > ENGAGEMENT_MAX_FEATURE_LEN ||
			ENTRY_SIZE(e->len) > s->arena_used - (int32) (slots[i] - 1) ||
			feature_slot(s, e->name, e->len, e->hash) != &slots[i])
			sm_flat_corrupt(TYPNAME, "bad feature slot");
		nentries++;
	}
	if (nentries != s->nfeatures)
		sm_flat_corrupt(TYPNAME, "wrong number of features");
	return s;
}

PG_FUNCTION_INFO_V1(engagement_state_in);
Datum
engagement_state_in(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(state_validate(sm_flat_in(PG_GETARG_CSTRING(0), TYPNAME,
												MAXALIGN(sizeof(EngagementState)))));
}

PG_FUNCTION_INFO_V1(engagement_state_out);
Datum
engagement_state_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(sm_flat_out(PG_DETOAST_DATUM(PG_GETARG_DATUM(0))));
}

PG_FUNCTION_INFO_V1(engagement_state_recv);
Datum
engagement_state_recv(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(state_validate(sm_flat_recv((StringInfo) PG_GETARG_POINTER(0), TYPNAME,
												  MAXALIGN(sizeof(EngagementState)))));
}

PG_FUNCTION_INFO_V1(engagement_state_send);
Datum
engagement_state_send(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(sm_flat_send(PG_DETOAST_DATUM(PG_GETARG_DATUM(0))));
}
