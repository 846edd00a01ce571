/*
 * book_history.c
 *		What the windowed shorthand keeps of the time before its window.
 *
 * mrr_movements(customer_id, started_at, ended_at, mrr, period, "from",
 * "to") reads its own book once, by period ends, under the default
 * conventions (zero_mrr 'inactive', changes 'period_end').  Let W be the
 * period containing "from".  The state at the end of W - 1 (mrr_start) and
 * every later one are made of the rows that end in W or later, so of a row
 * that ends before W that reading uses one thing only (mrr_movements.c):
 * whether the customer was active at some period end before, which makes
 * its next start in the window a reactivation rather than new.  Its
 * earliest start is kept too, as every book keeps each customer's.
 *
 * So, as the log fills and when it is flattened, each customer's rows that
 * end before W are replaced by one row over the earliest of their starts f:
 *   [f, e) at 1 unit of MRR, when one of them was active at a period end
 *          (a positive MRR over the end of its start's period), e being the
 *          latest end of those: active at the end of a period before W - 1,
 *          as they were, and never after;
 *   [f, f) otherwise: never active, keeping the first start only.
 * A customer with years of history before the window then holds one row of
 * it, and one that churned before the window one row in all.
 *
 * It is exact because, with no amount below zero, a customer is active at a
 * period end exactly when one of its rows active then has a positive MRR:
 * "active at some period end" is an OR over rows, which the replacement
 * keeps, in any book and after any merge.  A credit (a negative row) active
 * at a period end before W - 1 would break that: it could offset a positive
 * row replaced in this book or in another worker's.  Such a row is refused
 * here, whatever the book holds, so that the answer never depends on the
 * plan; subscription_book_agg keeps every row and reads credits anywhere.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/memutils.h"

#include "book.h"
#include "money.h"

/*
 * The history bounds of a book's reading options: the first day of the
 * window's first period (rows ending before it are history) and the first
 * day of the period before that (a row starting before it is active at an
 * earlier period end, unless it ends in its start's period).  False when
 * the book keeps everything: no shorthand window, or one without "from".
 */
static bool
history_bounds(const BookReadOptions *options, int32 *history_end, int32 *before_start)
{
	int32		window_first;

	if (!options->present || DATE_IS_NOBEGIN(options->from_day))
		return false;
	window_first = sm_period_of_date(options->period, options->from_day);
	*history_end = sm_period_start(options->period, window_first);
	*before_start = window_first - 1 < sm_period_of_date(options->period, BOOK_MIN_DAY) ?
		BOOK_MIN_DAY : sm_period_start(options->period, window_first - 1);
	return true;
}

bool
sm_book_keeps_history(const Book *book)
{
	int32		history_end,
				before_start;

	return !history_bounds(&book->options, &history_end, &before_start);
}

/* A row active at the end of some period: over the end of its start's. */
static inline bool
active_at_a_period_end(PeriodKind period, const BookLogRow *row)
{
	return row->start < row->end &&
		(DATE_IS_NOEND(row->end) ||
		 sm_period_of_date(period, row->start) < sm_period_of_date(period, row->end));
}

static void
refuse_credit_before_window(const Book *book, const BookLogRow *row)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("a negative mrr before the period preceding \"from\" cannot be summarised"),
			 errdetail("Customer %s has mrr %s from %s to %s.",
					   sm_key_cstring(book->key_kind, book->arena, row->key),
					   DatumGetCString(DirectFunctionCall1(numeric_out,
														   NumericGetDatum(sm_money_numeric(row->mrr, row->scale,
																							book->display_scale)))),
					   DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(row->start))),
					   DATE_IS_NOEND(row->end) ? "no end" :
					   DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(row->end)))),
			 errhint("The windowed shorthand keeps only whether a customer was active before the window. Read a book instead: mrr_movements(subscription_book_agg(...), period, \"from\", \"to\").")));
}

/*
 * Replace each customer's history by its summary row, in place.  The log
 * must be sorted by customer (sm_book_sort_log); it stays sorted.  The
 * images of text and uuid ids move to a new arena, one per customer.
 */
void
sm_book_summarise_history(Book *book)
{
	BookLogRow *log = book->log;
	PeriodKind	period = book->options.period;
	int32		history_end,
				before_start;
	char	   *arena = NULL;
	Size		arena_max = Max(book->arena_len, 1);
	Size		arena_len = 0;
	int32		kept = 0;
	int32		ncustomers = 0;

	if (!history_bounds(&book->options, &history_end, &before_start))
		return;
	if (book->key_kind != BOOK_KEY_BIGINT)
		arena = MemoryContextAllocHuge(book->hdr.eoh_context, arena_max);
	for (int32 i = 0; i < book->nlog; ncustomers++)
	{
		int32		j = sm_book_log_customer_end(book, log, i, book->nlog);
		BookLogRow	summary = log[i];
		bool		any_history = false;
		bool		was_active = false;

		if ((ncustomers & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (arena)
		{
			Size		image_size = sm_key_image_size(book->key_kind, book->arena + log[i].key);

			memcpy(arena + arena_len, book->arena + log[i].key, image_size);
			summary.key = arena_len;
			arena_len += MAXALIGN(image_size);
		}
		summary.start = PG_INT32_MAX;
		summary.end = PG_INT32_MIN;
		/* rows never move forward: kept <= r, and the summary takes a row's place */
		for (int32 r = i; r < j; r++)
		{
			BookLogRow	row = log[r];
			bool		at_period_end = active_at_a_period_end(period, &row);

			if (row.mrr < 0 && at_period_end && row.start < before_start)
				refuse_credit_before_window(book, &row);
			if (DATE_IS_NOEND(row.end) || row.end >= history_end)
			{
				row.key = summary.key;
				log[kept++] = row;
				continue;
			}
			any_history = true;
			summary.start = Min(summary.start, row.start);
			if (row.mrr > 0 && at_period_end)
			{
				was_active = true;
				summary.end = Max(summary.end, row.end);
			}
		}
		if (any_history)
		{
			summary.mrr = was_active ? 1 : 0;
			summary.scale = 0;
			if (!was_active)
				summary.end = summary.start;
			log[kept++] = summary;
		}
		i = j;
	}
	book->nlog = kept;
	if (arena)
	{
		pfree(book->arena);
		book->arena = arena;
		book->arena_len = arena_len;
		book->arena_max = arena_max;
	}
}
