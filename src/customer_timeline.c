/*
 * customer_timeline.c
 *		A customer's rows as the changes of its state over time.
 *
 * A customer's state at an instant is the number of its rows active then
 * and the sum of their MRR, each amount read at the customer's scale.  This
 * is where an amount a book holds at a finer scale of its own (book.h) is
 * rounded: here only, once, so that what is read never depends on how the
 * rows were grouped before.  Each row [start, end) adds to both on its
 * start day and takes away on its end day, so the state changes only on
 * those days; same-day changes net out (an upgrade that ends one row and
 * starts the next the same day is one change).  Grouped by period, the
 * changes give the state at each period end: a row is active at the end of
 * period p exactly when period(start) <= p < period(end).
 *
 * Whether the customer is active in a state is a reader's convention
 * (zero_mrr): while its MRR is above zero ('inactive' zero-MRR rows, the
 * default), or while it has any active row ('active').  Negative rows
 * (credits, discounts) are accepted as long as no state a reader reads has
 * an MRR below zero; sm_timeline_check enforces it, naming the customer and
 * the day.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"

#include "book_stream.h"
#include "money.h"
#include "reading.h"

#define ST_SORT sort_changes
#define ST_ELEMENT_TYPE StateChange
#define ST_COMPARE(a, b) ((a)->at < (b)->at ? -1 : (a)->at > (b)->at)
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

/* A customer has a few changes: an insertion sort beats the general one. */
#define FEW_CHANGES 8

#define CHANGE_LESS(a, b) ((a)->at < (b)->at)

void
sm_timeline_init(Timeline *tl, const BookFlat *flat, BookStream *stream, ZeroMrrConvention zero_mrr)
{
	memset(tl, 0, sizeof(Timeline));
	tl->flat = flat;
	tl->stream = stream;
	tl->zero_mrr = zero_mrr;
	tl->scale = flat->max_scale;
	tl->max_scale = stream ? 0 : flat->max_scale;
	sm_book_walk_begin(&tl->walk, flat);
	tl->arena = BOOK_ARENA(flat);
	tl->capacity = 64;
	tl->changes = palloc(tl->capacity * sizeof(StateChange));
}

/* Net changes at the same instant, which the sort has made adjacent. */
static void
net_same_instant(Timeline *tl)
{
	int			n = 0;

	for (int i = 0; i < tl->nchanges; i++)
	{
		if (n > 0 && tl->changes[n - 1].at == tl->changes[i].at)
		{
			tl->changes[n - 1].delta_rows += tl->changes[i].delta_rows;
			tl->changes[n - 1].delta_mrr += tl->changes[i].delta_mrr;
		}
		else
		{
			if (n > 0 && tl->changes[n - 1].delta_rows == 0 && tl->changes[n - 1].delta_mrr == 0)
				n--;			/* no change at all */
			tl->changes[n++] = tl->changes[i];
		}
	}
	if (n > 0 && tl->changes[n - 1].delta_rows == 0 && tl->changes[n - 1].delta_mrr == 0)
		n--;
	tl->nchanges = n;
}

/* Move to the next customer and build its changes by day; false at the end. */
bool
sm_timeline_next(Timeline *tl)
{
	const BookCustomer *c;
	const BookRow *rows;
	const uint8 *row_scales;
	int			n = 0;

	if ((tl->next_customer & 0xFFFF) == 0)
		CHECK_FOR_INTERRUPTS();
	if (tl->stream)
	{
		if (!sm_stream_next(tl->stream))
			return false;
		c = &tl->stream->customer;
		rows = tl->stream->rows;
		row_scales = tl->stream->row_scales;
		tl->arena = tl->stream->arena;
		tl->max_scale = Max(tl->max_scale, c->scale);
	}
	else if ((c = sm_book_walk_next(&tl->walk, &rows, &row_scales)) == NULL)
		return false;
	tl->customer = c;
	tl->next_customer++;
	if (2 * c->nrows > tl->capacity)
	{
		tl->capacity = 2 * c->nrows;
		tl->changes = repalloc_huge(tl->changes, tl->capacity * sizeof(StateChange));
	}
	for (int32 k = 0; k < c->nrows; k++)
	{
		const BookRow *r = &rows[k];
		int64		units = row_scales ? sm_money_to_scale(r->mrr, row_scales[k], c->scale) : r->mrr;
		int128		mrr = c->scale == tl->scale ? (int128) units :
			sm_money_widen(units, c->scale, tl->scale);

		tl->changes[n++] = (StateChange)
		{
			.at = tl->group_as_built ? sm_period_of_date(tl->grouped_by, r->start) : r->start,
				.delta_rows = 1,.delta_mrr = mrr
		};
		if (!DATE_IS_NOEND(r->end))
			tl->changes[n++] = (StateChange)
			{
				.at = tl->group_as_built ? sm_period_of_date(tl->grouped_by, r->end) : r->end,
					.delta_rows = -1,.delta_mrr = -mrr
			};
	}
	tl->nchanges = n;
	tl->grouped = tl->group_as_built;
	if (n <= FEW_CHANGES)
		SM_INSERTION_SORT(StateChange, tl->changes, n, CHANGE_LESS);
	else
		sort_changes(tl->changes, n);
	net_same_instant(tl);
	return true;
}

/*
 * Build every customer's changes by period end from the start: the same
 * changes as sm_timeline_by_period gives (grouping sums, and netting a sum
 * is netting its parts), in one pass, for a reader that reads no day.
 */
void
sm_timeline_group_as_built(Timeline *tl, PeriodKind period)
{
	tl->group_as_built = true;
	tl->grouped_by = period;
}

/* Turn the changes by day into changes by period end. */
void
sm_timeline_by_period(Timeline *tl, PeriodKind period)
{
	if (tl->grouped)
	{
		Assert(tl->grouped_by == period);
		return;
	}
	for (int i = 0; i < tl->nchanges; i++)
		tl->changes[i].at = sm_period_of_date(period, tl->changes[i].at);
	tl->grouped = true;
	tl->grouped_by = period;
	net_same_instant(tl);
}

/*
 * An amount read by the timeline (units of its scale) as the book shows it:
 * at the book's max_scale, as the flat form of the same rows would.
 */
Numeric
sm_book_amount(const Timeline *tl, int128 value)
{
	return sm_money_numeric(sm_money_narrow(value, tl->scale, tl->max_scale), tl->max_scale,
							tl->flat->display_scale);
}

char *
sm_timeline_customer_id(const Timeline *tl)
{
	return sm_key_cstring((BookKeyKind) tl->flat->key_kind, tl->arena, tl->customer->key);
}

/* A state that is read must not have an MRR below zero. */
void
sm_timeline_check(const Timeline *tl, int128 mrr, int32 at)
{
	DateADT		day;

	if (mrr >= 0)
		return;
	day = tl->grouped ? sm_period_last_day(tl->grouped_by, at) : at;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("MRR of customer %s is below zero on %s",
					sm_timeline_customer_id(tl),
					DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(day)))),
			 errdetail("Its MRR then is %s.", sm_money_cstring(mrr, tl->scale)),
			 errhint("Negative rows (credits, discounts) are accepted only while the customer's MRR stays at or above zero.")));
}
