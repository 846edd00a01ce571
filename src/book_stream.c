/*
 * book_stream.c
 *		A book read as a stream of customers merged from sorted sources.
 *
 * The sources are flat books and runs spilled to temporary files
 * (book_spill.c); each lists its customers in ascending (hash, id) order.
 * A binary heap over the sources' current customers yields the customers
 * of all in that order, each once: one present in several sources comes
 * with the rows of all, each amount exact (at the smallest scale that holds
 * all of them, or at its own, book.h), sorted, and with the earliest first
 * start.  So the stream of any split of a book's rows is the stream of the
 * whole, and writing it out gives the canonical flat form (book_merge.c).
 *
 * A reader walks a book in parts with sm_book_input without merging them
 * first: the parallel leader's workers' books and a spilled log are read in
 * one pass, in memory that does not grow with the book.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/memutils.h"

#include "book_stream.h"

/* The next customer of a sorted log, as the flat form would hold it. */
static bool
log_advance(StreamSource *source)
{
	const Book *book = source->log_book;
	int32		i = source->next;
	int32		j;

	if (i >= book->nlog)
		return false;
	j = sm_book_log_customer_end(book, book->log, i, book->nlog);
	sm_book_rows_room(&source->buffer, j - i, source->cxt);
	source->run_customer = (BookCustomer)
	{
		.key = book->log[i].key,.hash = book->log[i].hash
	};
	sm_book_customer_rows(book->log + i, j - i, &source->run_customer, source->buffer.rows,
						  source->buffer.scales);
	source->customer = &source->run_customer;
	source->arena = book->arena;
	source->rows = source->buffer.rows;
	source->row_scales = source->run_customer.own_scales ? source->buffer.scales : NULL;
	source->next = j;
	return true;
}

static bool
source_advance(StreamSource *source, BookKeyKind kind)
{
	if (source->file)
		return sm_run_read_customer(source, kind);
	if (source->log_book)
		return log_advance(source);
	source->customer = sm_book_walk_next(&source->walk, &source->rows, &source->row_scales);
	return source->customer != NULL;
}

/* The source's next customer in the stream's range of hashes; false past it. */
static bool
source_next(BookStream *stream, StreamSource *source)
{
	while (source_advance(source, stream->kind))
	{
		if (source->customer->hash >= stream->hash_to)
			return false;
		if (source->customer->hash >= stream->hash_from)
			return true;
	}
	return false;
}

static void
source_rewind(StreamSource *source)
{
	if (source->file)
	{
		if (BufFileSeek(source->file, 0, 0, SEEK_SET) != 0)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not rewind a subscription book's temporary file: %m")));
		source->read_len = 0;
		source->read_pos = 0;
		return;
	}
	source->next = 0;
	if (source->flat)
	{
		sm_book_walk_begin(&source->walk, source->flat);
		source->arena = BOOK_ARENA(source->flat);
	}
}

static int
customer_cmp(BookKeyKind kind, const StreamSource *a, const StreamSource *b)
{
	if (a->customer->hash != b->customer->hash)
		return a->customer->hash < b->customer->hash ? -1 : 1;
	if (kind == BOOK_KEY_BIGINT)
		return (a->customer->key > b->customer->key) - (a->customer->key < b->customer->key);
	return sm_key_compare(kind, a->arena, a->customer->key, b->arena, b->customer->key);
}

/* binaryheap keeps the largest first: order the sources backwards */
static int
heap_cmp(Datum a, Datum b, void *arg)
{
	BookStream *stream = arg;

	return customer_cmp(stream->kind, &stream->sources[DatumGetInt32(b)],
						&stream->sources[DatumGetInt32(a)]);
}

/* Up to this many sources, finding the smallest customer is a scan, not a heap. */
#define SCANNED_SOURCES 8

/*
 * A stream over flat books, runs and a sorted log, allocated in the current
 * memory context (its buffers too, whenever they grow), at its first
 * customer.
 */
BookStream *
sm_stream_begin(BookKeyKind kind, BookFlat **flats, int nflats, BufFile **files, int nfiles,
				const Book *log_book)
{
	BookStream *stream = palloc0(sizeof(BookStream));
	int			n = nflats + nfiles + (log_book ? 1 : 0);

	stream->kind = kind;
	stream->nsources = n;
	stream->sources = palloc0(Max(n, 1) * sizeof(StreamSource));
	stream->same = palloc(Max(n, 1) * sizeof(int));
	if (n > SCANNED_SOURCES)
		stream->heap = binaryheap_allocate(n, heap_cmp, stream);
	else
		stream->live = palloc0(Max(n, 1) * sizeof(bool));
	for (int i = 0; i < nflats; i++)
		stream->sources[i].flat = flats[i];
	for (int i = 0; i < nfiles; i++)
		stream->sources[nflats + i].file = files[i];
	if (log_book)
		stream->sources[n - 1].log_book = log_book;
	for (int i = 0; i < n; i++)
		stream->sources[i].cxt = CurrentMemoryContext;
	stream->hash_to = UINT64CONST(1) << 32;
	sm_stream_rewind(stream);
	return stream;
}

/* Back to the first customer. */
void
sm_stream_rewind(BookStream *stream)
{
	if (stream->heap)
		binaryheap_reset(stream->heap);
	for (int i = 0; i < stream->nsources; i++)
	{
		bool		live;

		source_rewind(&stream->sources[i]);
		live = source_next(stream, &stream->sources[i]);
		if (stream->heap == NULL)
			stream->live[i] = live;
		else if (live)
			binaryheap_add_unordered(stream->heap, Int32GetDatum(i));
	}
	if (stream->heap)
		binaryheap_build(stream->heap);
	stream->nsame = 0;
	stream->max_scale = 0;
}

/*
 * From the first customer again, reading only those whose hash is in
 * [hash_from, hash_to): the sources are in hash order, so each is read up
 * to the end of the range only.
 */
void
sm_stream_limit(BookStream *stream, uint32 hash_from, uint64 hash_to)
{
	stream->hash_from = hash_from;
	stream->hash_to = hash_to;
	sm_stream_rewind(stream);
}

/* (scanned) The sources holding the smallest customer into same; false at the end. */
static bool
scan_smallest(BookStream *stream)
{
	for (int s = 0; s < stream->nsame; s++)
		stream->live[stream->same[s]] = source_next(stream, &stream->sources[stream->same[s]]);
	stream->nsame = 0;
	for (int i = 0; i < stream->nsources; i++)
	{
		int			cmp;

		if (!stream->live[i])
			continue;
		cmp = stream->nsame == 0 ? -1 :
			customer_cmp(stream->kind, &stream->sources[i], &stream->sources[stream->same[0]]);
		if (cmp < 0)
			stream->nsame = 0;
		if (cmp <= 0)
			stream->same[stream->nsame++] = i;
	}
	return stream->nsame > 0;
}

/* (heap) The same. */
static bool
heap_smallest(BookStream *stream)
{
	for (int s = 0; s < stream->nsame; s++)
		if (source_next(stream, &stream->sources[stream->same[s]]))
			binaryheap_add(stream->heap, Int32GetDatum(stream->same[s]));
	stream->nsame = 0;
	if (binaryheap_empty(stream->heap))
		return false;
	stream->same[stream->nsame++] = DatumGetInt32(binaryheap_remove_first(stream->heap));
	while (!binaryheap_empty(stream->heap) &&
		   customer_cmp(stream->kind, &stream->sources[DatumGetInt32(binaryheap_first(stream->heap))],
						&stream->sources[stream->same[0]]) == 0)
		stream->same[stream->nsame++] = DatumGetInt32(binaryheap_remove_first(stream->heap));
	return true;
}

/*
 * The rows of the current customer, met in several sources, into the
 * stream's buffer.  Every source's rows are exact, at its customer's scale
 * or at their own: so are the rows of all.
 */
static void
merge_rows(BookStream *stream)
{
	const StreamSource *first = &stream->sources[stream->same[0]];
	BookCustomer *c = &stream->customer;
	int64		nrows = 0;
	bool		one_scale = true;
	BookRow    *out;
	uint8	   *out_scales;

	for (int s = 0; s < stream->nsame; s++)
	{
		const StreamSource *in = &stream->sources[stream->same[s]];

		nrows += in->customer->nrows;
		c->first_start = Min(c->first_start, in->customer->first_start);
		one_scale &= !in->customer->own_scales && in->customer->scale == first->customer->scale;
	}
	sm_book_rows_room(&stream->buffer, nrows, first->cxt);
	c->nrows = (int32) nrows;
	out = stream->buffer.rows;
	out_scales = stream->buffer.scales;
	for (int s = 0; s < stream->nsame; s++)
	{
		const StreamSource *in = &stream->sources[stream->same[s]];

		memcpy(out, in->rows, in->customer->nrows * sizeof(BookRow));
		out += in->customer->nrows;
		if (one_scale)
			continue;
		for (int32 k = 0; k < in->customer->nrows; k++)
			*out_scales++ = in->row_scales ? in->row_scales[k] : in->customer->scale;
	}
	/* parts all exact at one scale, the smallest for each: so is the whole */
	if (one_scale)
		sm_sort_book_rows(stream->buffer.rows, nrows);
	else
		sm_book_settle_rows(c, stream->buffer.rows, stream->buffer.scales);
	stream->rows = stream->buffer.rows;
	stream->row_scales = c->own_scales ? stream->buffer.scales : NULL;
}

/* The current customer: the one the sources same[0 .. nsame) hold. */
static void
merge_customer(BookStream *stream)
{
	const StreamSource *first = &stream->sources[stream->same[0]];

	stream->customer = *first->customer;
	stream->arena = first->arena;
	stream->rows = first->rows;
	stream->row_scales = first->row_scales;
	if (stream->nsame > 1)
		merge_rows(stream);
	stream->max_scale = Max(stream->max_scale, stream->customer.scale);
}

/* Move to the next customer; false at the end. */
bool
sm_stream_next(BookStream *stream)
{
	/* the sources of the current customer move on to their next */
	if (!(stream->heap ? heap_smallest(stream) : scan_smallest(stream)))
		return false;
	merge_customer(stream);
	return true;
}

/* Free the stream (not its flat books nor its files). */
void
sm_stream_end(BookStream *stream)
{
	for (int i = 0; i < stream->nsources; i++)
	{
		sm_book_rows_free(&stream->sources[i].buffer);
		if (stream->sources[i].read_buffer)
			pfree(stream->sources[i].read_buffer);
	}
	sm_book_rows_free(&stream->buffer);
	if (stream->heap)
		binaryheap_free(stream->heap);
	else
		pfree(stream->live);
	pfree(stream->same);
	pfree(stream->sources);
	pfree(stream);
}

/*
 * The header of a book in parts, as its flat form would have it but
 * without customers: the options, the extent, the display scale, and for
 * max_scale a bound (a customer met in several parts may get a lower scale
 * than any one part gave it; the stream's max_scale is exact at its end).
 */
static void
parts_header(Book *book, BookFlat *header)
{
	memset(header, 0, sizeof(BookFlat));
	if (book->npending > 0)
	{
		memcpy(header, book->pending[0], sizeof(BookFlat));
		for (int i = 1; i < book->npending; i++)
		{
			header->display_scale = Max(header->display_scale, book->pending[i]->display_scale);
			header->max_scale = Max(header->max_scale, book->pending[i]->max_scale);
			header->min_day = Min(header->min_day, book->pending[i]->min_day);
			header->max_day = Max(header->max_day, book->pending[i]->max_day);
		}
	}
	else
	{
		sm_book_header(book, header);
		header->max_scale = (uint8) Max(sm_book_runs_max_scale(book),
										book->nlog > 0 ? book->max_row_scale : 0);
	}
	SET_VARSIZE(header, MAXALIGN(sizeof(BookFlat)));
	header->flags &= ~BOOK_RUNS_ELSEWHERE;
	header->ncustomers = 0;
	header->nrows = 0;
	header->arena_len = 0;
}

/*
 * Whether a reader walks the book as a stream rather than as its flat form:
 * a book in parts (its combine inputs, spilled runs), or a log.
 */
static bool
book_streams(const Book *book)
{
	return book->flat == NULL &&
		(book->npending > 1 || sm_book_has_runs(book) || book->nlog > 0);
}

/* The stream of a book's parts and log (sorted first), and its header. */
BookStream *
sm_book_stream(Book *book, BookFlat *header)
{
	BufFile   **files;
	int			nfiles;
	BookStream *stream;

	sm_book_runs_files(book, &files, &nfiles);
	if (book->nlog > 0)
	{
		sm_book_sort_log(book);
		sm_book_summarise_history(book);
	}
	parts_header(book, header);
	stream = sm_stream_begin(book->key_kind, book->pending, book->npending, files, nfiles,
							 book->nlog > 0 ? book : NULL);
	/* merging only joins customers: the parts' sums bound the whole */
	sm_book_runs_bound(book, &stream->most_customers, &stream->most_rows, &stream->most_arena);
	for (int i = 0; i < book->npending; i++)
	{
		stream->most_customers += book->pending[i]->ncustomers;
		stream->most_rows += book->pending[i]->nrows;
		stream->most_arena += book->pending[i]->arena_len;
	}
	stream->most_customers += book->nlog;
	stream->most_rows += book->nlog;
	stream->most_arena += book->arena_len;
	stream->bounded = true;
	return stream;
}

/*
 * How a reader gets the customers of a book datum: a stream when the book
 * is in parts (then *flat is header, without customers), else NULL and
 * *flat its flat form.
 */
BookStream *
sm_book_input(Datum d, BookFlat *header, BookFlat **flat)
{
	Book	   *book = sm_datum_book(d);

	if (book && book_streams(book))
	{
		*flat = header;
		return sm_book_stream(book, header);
	}
	*flat = sm_book_flat_from_datum(d);
	return NULL;
}
