/*
 * book_merge.c
 *		Combining books: the combine function of the subscription aggregates
 *		and rollup(subscription_book).
 *
 * Flat books list customers in ascending (hash, id) order, so any number of
 * them merge like sorted runs, in one pass (book_stream.c) and no hash
 * table: a customer present in several is written once, with the rows of
 * all (at one scale, sorted) and the earliest first start.  Books of
 * disjoint customers simply interleave.
 *
 * The combine function does not merge at once: it keeps each incoming book
 * (copied into the state's context, as the executor may free it) and the
 * merge happens once, when the state leaves the process or is stored, and
 * not at all when a shorthand's final function reads it (it walks the
 * books as one stream).  So a parallel leader reads its workers' books in
 * one pass without copying them, and rollup() of n books costs O(N log n)
 * for N customers rather than one whole-book copy per book.
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
 * A stream written out as one flat book, allocated in cxt: a first pass
 * sizes it, a second writes it.  header gives the options, the extent and
 * the display scale.
 */
static BookFlat *
stream_to_flat(BookStream *stream, const BookFlat *header, MemoryContext cxt)
{
	int64		ncustomers = 0;
	int64		nrows = 0;
	int64		arena_len = 0;
	Size		size;
	BookFlat   *out;
	BookCustomer *oc;
	BookRow    *orow;
	char	   *oarena;

	while (sm_stream_next(stream))
	{
		if ((ncustomers++ & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		nrows += stream->customer.nrows;
		if (stream->kind != BOOK_KEY_BIGINT)
			arena_len += MAXALIGN(sm_key_image_size(stream->kind, stream->arena + stream->customer.key));
	}
	if (nrows > PG_INT32_MAX || ncustomers > PG_INT32_MAX)
		sm_book_too_large();
	size = MAXALIGN(sizeof(BookFlat)) + ncustomers * sizeof(BookCustomer) +
		nrows * sizeof(BookRow) + arena_len;
	if (size > MaxAllocSize)
		sm_book_too_large();

	out = MemoryContextAllocZero(cxt, size);
	memcpy(out, header, sizeof(BookFlat));
	SET_VARSIZE(out, size);
	out->max_scale = (uint8) stream->max_scale;
	out->ncustomers = (int32) ncustomers;
	out->nrows = (int32) nrows;
	out->arena_len = arena_len;

	oc = BOOK_CUSTOMERS(out);
	orow = BOOK_ROWS(out);
	oarena = BOOK_ARENA(out);
	sm_stream_rewind(stream);
	while (sm_stream_next(stream))
	{
		if (((oc - BOOK_CUSTOMERS(out)) & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		*oc = stream->customer;
		if (stream->kind != BOOK_KEY_BIGINT)
		{
			Size		image_len = sm_key_image_size(stream->kind, stream->arena + stream->customer.key);

			memcpy(oarena, stream->arena + stream->customer.key, image_len);
			oc->key = oarena - BOOK_ARENA(out);
			oarena += MAXALIGN(image_len);
		}
		memcpy(orow, stream->rows, stream->customer.nrows * sizeof(BookRow));
		orow += stream->customer.nrows;
		oc++;
	}
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
