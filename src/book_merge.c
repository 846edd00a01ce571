/*
 * book_merge.c
 *		Combining books: the combine function of the subscription aggregates
 *		and rollup(subscription_book).
 *
 * Flat books list customers in ascending (hash, id) order, so any number of
 * them merge like sorted runs, in one pass with a binary heap over the
 * books' current customers and no hash table: a customer present in several
 * is written once, with the rows of all (at one scale, sorted) and the
 * earliest first start.  Books of disjoint customers simply interleave.
 *
 * The combine function does not merge at once: it keeps each incoming book
 * (copied into the state's context, as the executor may free it) and the
 * merge happens once, when the state is read or leaves the process.  So a
 * parallel leader merges its workers' books in one pass, and rollup() of n
 * books costs O(N log n) for N customers rather than one whole-book copy
 * per book.
 */
#include "postgres.h"

#include "lib/binaryheap.h"
#include "miscadmin.h"
#include "utils/memutils.h"

#include "book.h"
#include "money.h"
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
	if (a->flags != b->flags ||
		((a->flags & BOOK_HAS_READ_OPTIONS) &&
		 (a->period != b->period || a->from_day != b->from_day || a->to_day != b->to_day)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine subscription books read with different periods or windows")));
}

/* One input of a merge, at its current customer. */
typedef struct MergeInput
{
	const BookFlat *flat;
	int32		next;			/* its current customer */
	const BookRow *rows;		/* the current customer's rows */
} MergeInput;

typedef struct Merge
{
	BookKeyKind kind;
	MergeInput *inputs;
	int			ninputs;
	binaryheap *heap;			/* of input numbers, smallest customer first */
	int		   *same;			/* inputs holding the customer being written */

	BookFlat   *out;			/* NULL in the sizing pass */
	BookRow    *next_row;
	int32		ncustomers;
	int64		nrows;
	int64		arena_len;
	int			max_scale;
} Merge;

static inline const BookCustomer *
current(const MergeInput *in)
{
	return &BOOK_CUSTOMERS(in->flat)[in->next];
}

static int
customer_cmp(const Merge *m, const MergeInput *a, const MergeInput *b)
{
	const BookCustomer *ca = current(a);
	const BookCustomer *cb = current(b);

	if (ca->hash != cb->hash)
		return ca->hash < cb->hash ? -1 : 1;
	return sm_key_compare(m->kind, BOOK_ARENA(a->flat), ca->key, BOOK_ARENA(b->flat), cb->key);
}

/* binaryheap keeps the largest first: order the inputs backwards */
static int
heap_cmp(Datum a, Datum b, void *arg)
{
	Merge	   *m = arg;

	return customer_cmp(m, &m->inputs[DatumGetInt32(b)], &m->inputs[DatumGetInt32(a)]);
}

/*
 * Write one customer, present in the inputs same[0 .. nsame): the scale
 * that holds all its amounts (money.c), its rows of all, the earliest first
 * start.
 */
static void
emit_customer(Merge *m, int nsame)
{
	const MergeInput *first = &m->inputs[m->same[0]];
	const BookCustomer *c = current(first);
	Size		image_len = m->kind == BOOK_KEY_BIGINT ? 0 :
		sm_key_image_size(m->kind, BOOK_ARENA(first->flat) + c->key);
	int32		nrows = 0;
	int			scale = 0;
	int			fits = MONEY_MAX_SCALE;
	int32		first_start = c->first_start;

	for (int s = 0; s < nsame; s++)
	{
		const MergeInput *in = &m->inputs[m->same[s]];
		const BookCustomer *cs = current(in);

		nrows += cs->nrows;
		first_start = Min(first_start, cs->first_start);
		scale = Max(scale, cs->scale);
		if (nsame > 1)
			for (int32 k = 0; k < cs->nrows; k++)
				fits = Min(fits, cs->scale + sm_money_headroom(in->rows[k].mrr));
	}
	scale = Min(scale, fits);

	if (m->out)
	{
		BookCustomer *oc = &BOOK_CUSTOMERS(m->out)[m->ncustomers];
		BookRow    *rows = m->next_row;

		*oc = *c;
		oc->nrows = nrows;
		oc->scale = (uint8) scale;
		oc->first_start = first_start;
		if (m->kind != BOOK_KEY_BIGINT)
		{
			memcpy(BOOK_ARENA(m->out) + m->arena_len, BOOK_ARENA(first->flat) + c->key, image_len);
			oc->key = m->arena_len;
		}
		for (int s = 0; s < nsame; s++)
		{
			const MergeInput *in = &m->inputs[m->same[s]];
			const BookCustomer *cs = current(in);

			for (int32 k = 0; k < cs->nrows; k++)
				*m->next_row++ = (BookRow)
				{
					.mrr = sm_money_to_scale(in->rows[k].mrr, cs->scale, scale),
						.start = in->rows[k].start,.end = in->rows[k].end
				};
		}
		if (nsame > 1)
			sm_sort_book_rows(rows, nrows);
	}
	m->arena_len += MAXALIGN(image_len);
	m->nrows += nrows;
	m->max_scale = Max(m->max_scale, scale);
	m->ncustomers++;
}

/* One pass over all inputs in (hash, id) order. */
static void
merge_pass(Merge *m)
{
	m->ncustomers = 0;
	m->nrows = 0;
	m->arena_len = 0;
	m->max_scale = 0;
	m->next_row = m->out ? BOOK_ROWS(m->out) : NULL;
	binaryheap_reset(m->heap);
	for (int i = 0; i < m->ninputs; i++)
	{
		m->inputs[i].next = 0;
		m->inputs[i].rows = BOOK_ROWS(m->inputs[i].flat);
		binaryheap_add_unordered(m->heap, Int32GetDatum(i));
	}
	binaryheap_build(m->heap);
	while (!binaryheap_empty(m->heap))
	{
		int			nsame = 0;

		if ((m->ncustomers & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		/* every input whose current customer is the smallest */
		m->same[nsame++] = DatumGetInt32(binaryheap_remove_first(m->heap));
		while (!binaryheap_empty(m->heap) &&
			   customer_cmp(m, &m->inputs[DatumGetInt32(binaryheap_first(m->heap))],
							&m->inputs[m->same[0]]) == 0)
			m->same[nsame++] = DatumGetInt32(binaryheap_remove_first(m->heap));
		emit_customer(m, nsame);
		/* each moves on to its next customer */
		for (int s = 0; s < nsame; s++)
		{
			MergeInput *in = &m->inputs[m->same[s]];

			in->rows += current(in)->nrows;
			if (++in->next < in->flat->ncustomers)
				binaryheap_add(m->heap, Int32GetDatum(m->same[s]));
		}
	}
}

/* The merge of n flat books (n >= 1), allocated in cxt. */
static BookFlat *
flat_merge_all(BookFlat **books, int n, MemoryContext cxt)
{
	Merge		m = {.kind = (BookKeyKind) books[0]->key_kind,.ninputs = n};
	Size		size;
	BookFlat   *out;

	for (int i = 1; i < n; i++)
		check_compatible(books[0], books[i]);
	m.inputs = palloc(n * sizeof(MergeInput));
	m.same = palloc(n * sizeof(int));
	for (int i = 0; i < n; i++)
		m.inputs[i].flat = books[i];
	m.heap = binaryheap_allocate(n, heap_cmp, &m);

	merge_pass(&m);
	if (m.nrows > PG_INT32_MAX)
		sm_book_too_large();
	size = MAXALIGN(sizeof(BookFlat)) + m.ncustomers * sizeof(BookCustomer) +
		m.nrows * sizeof(BookRow) + m.arena_len;
	if (size > MaxAllocSize)
		sm_book_too_large();

	out = MemoryContextAllocZero(cxt, size);
	memcpy(out, books[0], sizeof(BookFlat));
	SET_VARSIZE(out, size);
	for (int i = 1; i < n; i++)
	{
		out->display_scale = Max(out->display_scale, books[i]->display_scale);
		out->min_day = Min(out->min_day, books[i]->min_day);
		out->max_day = Max(out->max_day, books[i]->max_day);
	}
	out->max_scale = (uint8) m.max_scale;
	out->ncustomers = m.ncustomers;
	out->nrows = (int32) m.nrows;
	out->arena_len = m.arena_len;
	m.out = out;
	merge_pass(&m);

	binaryheap_free(m.heap);
	pfree(m.inputs);
	pfree(m.same);
	return out;
}

/*
 * The book's flat form once its pending books are merged into one: the
 * pending books are freed, the merge is kept as the book's flat form.
 */
void
sm_book_merge_pending(Book *book)
{
	BookFlat   *merged;

	Assert(book->npending > 0 && book->flat == NULL);
	if (book->npending == 1)
		merged = book->pending[0];
	else
	{
		merged = flat_merge_all(book->pending, book->npending, book->hdr.eoh_context);
		for (int i = 0; i < book->npending; i++)
			pfree(book->pending[i]);
	}
	book->npending = 0;
	sm_book_set_flat(book, merged);
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
			add_pending(book, sm_book_flat_from_datum(PG_GETARG_DATUM(0)));
		mine = book;
	}
	/* a log book (the leader's own partial state) is added flattened */
	add_pending(mine, sm_book_flat_from_datum(PG_GETARG_DATUM(1)));
	mine->key_kind = (BookKeyKind) mine->pending[0]->key_kind;
	PG_RETURN_DATUM(EOHPGetRWDatum(&mine->hdr));
}
