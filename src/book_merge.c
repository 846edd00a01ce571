/*
 * book_merge.c
 *		Combining books: the combine function of the subscription aggregates
 *		and rollup(subscription_book).
 *
 * Flat books list customers in ascending (hash, id) order, so any number of
 * them merge like sorted runs, in one pass (book_stream.c) and no hash
 * table: a customer present in several is written once, with the rows of
 * all (exact, sorted) and the earliest first start.  Books of disjoint
 * customers simply interleave.
 *
 * The combine function does not merge at once: it keeps each incoming book
 * (copied into the state's context, as the executor may free it) and the
 * merge happens once, when the state leaves the process or is stored, and
 * not at all when a shorthand's final function reads it (it walks the
 * books as one stream).  So a parallel leader reads its workers' books
 * (small ones copied, large ones as the runs they handed on, book_spill.c)
 * in one pass, and rollup() of n books costs O(N log n) for N customers
 * rather than one whole-book copy per book.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/memutils.h"

#include "book_stream.h"
#include "saas_metrics.h"

static void
check_compatible(const BookFlat *a, const BookFlat *b)
{
	if (a->key_kind != b->key_kind)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("cannot combine subscription books with different customer_id types"),
				 errdetail("One has %s ids, the other %s ids.",
						   sm_key_kind_name((BookKeyKind) a->key_kind),
						   sm_key_kind_name((BookKeyKind) b->key_kind))));
	if ((a->flags & ~BOOK_RUNS_ELSEWHERE) != (b->flags & ~BOOK_RUNS_ELSEWHERE) ||
		((a->flags & BOOK_HAS_READ_OPTIONS) &&
		 (a->period != b->period || a->from_day != b->from_day || a->to_day != b->to_day)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine subscription books read with different periods or windows")));
}

/*
 * Write the stream's customers, their rows and their id images from oc,
 * orow and oarena on, and the row scales of customers that have their own
 * onto oscales (or, with oc NULL, only count them): the canonical flat
 * form's parts, padding zeroed.
 */
static void
write_stream(BookStream *stream, BookCustomer *oc, BookRow *orow, char *oarena,
			 StringInfo oscales, BookFlatCounts *counts)
{
	memset(counts, 0, sizeof(BookFlatCounts));
	while (sm_stream_next(stream))
	{
		Size		image_len = stream->kind == BOOK_KEY_BIGINT ? 0 :
			sm_key_image_size(stream->kind, stream->arena + stream->customer.key);
		int32		nrows = stream->customer.nrows;

		if ((counts->ncustomers & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (oc)
		{
			BookCustomer c;

			memset(&c, 0, sizeof(c));
			c.key = stream->kind == BOOK_KEY_BIGINT ? stream->customer.key : counts->arena_len;
			c.hash = stream->customer.hash;
			c.first_start = stream->customer.first_start;
			c.nrows = nrows;
			c.scale = stream->customer.scale;
			c.own_scales = stream->customer.own_scales;
			oc[counts->ncustomers] = c;
			memcpy(orow + counts->nrows, stream->rows, nrows * sizeof(BookRow));
			if (image_len > 0)
			{
				memcpy(oarena + counts->arena_len, stream->arena + stream->customer.key, image_len);
				memset(oarena + counts->arena_len + image_len, 0, MAXALIGN(image_len) - image_len);
			}
			if (c.own_scales)
				appendBinaryStringInfo(oscales, (const char *) stream->row_scales, nrows);
		}
		counts->ncustomers++;
		counts->nrows += nrows;
		counts->arena_len += MAXALIGN(image_len);
		if (stream->customer.own_scales)
			counts->nrow_scales += nrows;
	}
	counts->max_scale = stream->max_scale;
}

/*
 * A stream written out as one flat book, allocated in cxt; header gives the
 * options, the extent and the display scale.  A bounded stream is written
 * in one pass into room for its bound, then its rows and images are moved
 * up behind the customers it had; otherwise a first pass sizes it.  The
 * row scales (of the rare customers with their own) are gathered apart and
 * put at the end.
 */
static BookFlat *
stream_to_flat(BookStream *stream, const BookFlat *header, MemoryContext cxt)
{
	BookFlatCounts most = {.ncustomers = stream->most_customers,.nrows = stream->most_rows,
	.arena_len = stream->most_arena};
	BookFlatCounts counts;
	StringInfoData row_scales;
	BookFlat   *out;
	Size		size;

	initStringInfo(&row_scales);
	if (stream->bounded && sm_book_flat_size(&most) <= MaxAllocSize)
	{
		char	   *rows_at;
		char	   *arena_at;

		/* not zeroed: every byte kept is written */
		out = MemoryContextAllocHuge(cxt, sm_book_flat_size(&most));
		rows_at = (char *) (BOOK_CUSTOMERS(out) + most.ncustomers);
		arena_at = rows_at + most.nrows * sizeof(BookRow);
		write_stream(stream, BOOK_CUSTOMERS(out), (BookRow *) rows_at, arena_at, &row_scales, &counts);
		size = sm_book_flat_size(&counts);
		if (size > MaxAllocSize)
			sm_book_too_large();
		memcpy(out, header, sizeof(BookFlat));
		sm_book_set_counts(out, &counts);
		memmove(BOOK_ROWS(out), rows_at, counts.nrows * sizeof(BookRow));
		memmove(BOOK_ARENA(out), arena_at, counts.arena_len);
		out = repalloc_huge(out, size);
	}
	else
	{
		write_stream(stream, NULL, NULL, NULL, NULL, &counts);
		size = sm_book_flat_size(&counts);
		if (size > MaxAllocSize)
			sm_book_too_large();
		out = MemoryContextAllocZero(cxt, size);
		memcpy(out, header, sizeof(BookFlat));
		sm_book_set_counts(out, &counts);
		sm_stream_rewind(stream);
		write_stream(stream, BOOK_CUSTOMERS(out), BOOK_ROWS(out), BOOK_ARENA(out), &row_scales, &counts);
	}
	memcpy(BOOK_ROW_SCALES(out), row_scales.data, counts.nrow_scales);
	pfree(row_scales.data);
	return out;
}

/*
 * Merge a book's parts into its flat form: the combine function's books
 * (freed once merged) or its spilled runs (kept: the flat form is then the
 * log's, stale once more rows come).
 */
void
sm_book_merge_parts(Book *book)
{
	BookFlat	header;
	BookStream *stream;
	BookFlat   *merged;

	Assert(book->flat == NULL);
	if (book->npending == 1 && book->runs == NULL)
		merged = book->pending[0];
	else
	{
		stream = sm_book_stream(book, &header);
		merged = stream_to_flat(stream, &header, book->hdr.eoh_context);
		sm_stream_end(stream);
		for (int i = 0; i < book->npending; i++)
			pfree(book->pending[i]);
	}
	if (book->npending > 0)
	{
		book->npending = 0;
		sm_book_set_flat(book, merged);
	}
	else
	{
		book->flat = merged;
		book->flat_is_log = true;
	}
}

/* Keep a copy of a flat book, to be merged when the book is read. */
static void
add_pending(Book *book, BookFlat *flat)
{
	BookFlat   *copy = MemoryContextAllocHuge(book->hdr.eoh_context, VARSIZE(flat));

	memcpy(copy, flat, VARSIZE(flat));
	if (book->npending > 0)
		check_compatible(book->pending[0], copy);
	if (book->npending == book->maxpending)
	{
		book->maxpending = Max(2 * book->maxpending, 4);
		book->pending = book->pending ?
			repalloc(book->pending, book->maxpending * sizeof(BookFlat *)) :
			MemoryContextAlloc(book->hdr.eoh_context, book->maxpending * sizeof(BookFlat *));
	}
	book->pending[book->npending++] = copy;
}

/*
 * Add a book to the combine function's state: its flat form, or a partial
 * aggregate's header and the runs it names (book_spill.c).
 */
static void
take_book(FunctionCallInfo fcinfo, Book *book, Datum d)
{
	BookFlat   *flat = sm_book_flat_or_handoff(d);

	add_pending(book, flat);
	if (flat->flags & BOOK_RUNS_ELSEWHERE)
		sm_book_adopt_runs(fcinfo, book, flat);
}

/*
 * subscription_book_combine(a, b): the combine function of the
 * subscription aggregates and the transition function of rollup().
 */
PG_FUNCTION_INFO_V1(subscription_book_combine);
Datum
subscription_book_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = sm_aggregate_context(fcinfo, "subscription_book_combine");
	Book	   *mine;

	/* a leader: what its workers hand on goes when its transaction ends */
	sm_book_expect_handoffs();

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}

	mine = PG_ARGISNULL(0) ? NULL : sm_datum_book(PG_GETARG_DATUM(0));
	if (mine == NULL || mine->npending == 0 ||
		!VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(PG_GETARG_DATUM(0))))
	{
		/* a new state: the books to merge, starting with the first argument's */
		Book	   *book = sm_book_create(aggcxt, BOOK_KEY_BIGINT);

		if (!PG_ARGISNULL(0))
			take_book(fcinfo, book, PG_GETARG_DATUM(0));
		mine = book;
	}
	/* a log book (the leader's own partial state) is added flattened */
	take_book(fcinfo, mine, PG_GETARG_DATUM(1));
	mine->key_kind = (BookKeyKind) mine->pending[0]->key_kind;
	PG_RETURN_DATUM(EOHPGetRWDatum(&mine->hdr));
}
