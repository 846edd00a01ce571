/*
 * book_merge.c
 *		Combining books: the combine function of the subscription aggregates
 *		and rollup(subscription_book).
 *
 * Flat books list customers in ascending (hash, id) order, so two of them
 * merge like sorted runs, in one sequential pass with no hash table: a
 * customer present in both is written once, with the rows of both (at one
 * scale, sorted) and the earlier first start.  Books of disjoint customers
 * simply interleave.  The combined state is a flat book held as our R/W
 * expanded object, so that the executor keeps it without copying and the
 * next merge replaces it in place.
 */
#include "postgres.h"

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

/* Where a merge writes: nothing but the counts in the sizing pass. */
typedef struct MergeOutput
{
	BookKeyKind kind;
	BookFlat   *out;			/* NULL in the sizing pass */
	BookRow    *next_row;
	int32		ncustomers;
	int64		nrows;
	int64		arena_len;
	int			max_scale;
} MergeOutput;

/* The scale a customer's rows of two books are held at (see money.c). */
static int
merged_scale(const BookCustomer *x, const BookRow *xr, const BookCustomer *y, const BookRow *yr)
{
	int			fits = MONEY_MAX_SCALE;

	for (int32 k = 0; k < x->nrows; k++)
		fits = Min(fits, x->scale + sm_money_headroom(xr[k].mrr));
	for (int32 k = 0; y && k < y->nrows; k++)
		fits = Min(fits, y->scale + sm_money_headroom(yr[k].mrr));
	return Min(Max(x->scale, y ? y->scale : 0), fits);
}

static inline BookRow
row_at_scale(const BookRow *row, int from_scale, int to_scale)
{
	return (BookRow)
	{
		.mrr = sm_money_to_scale(row->mrr, from_scale, to_scale),
			.start = row->start,.end = row->end
	};
}

/*
 * Emit customer x of book X (rows xr), merged with customer y of book Y
 * (rows yr) unless y is NULL.
 */
static void
emit_customer(MergeOutput *mo, const BookFlat *X, const BookCustomer *x, const BookRow *xr,
			  const BookCustomer *y, const BookRow *yr)
{
	Size		image_len = mo->kind == BOOK_KEY_BIGINT ? 0 :
		sm_key_image_size(mo->kind, BOOK_ARENA(X) + x->key);
	int32		nrows = x->nrows + (y ? y->nrows : 0);
	int			scale = y ? merged_scale(x, xr, y, yr) : x->scale;

	if (mo->out)
	{
		BookCustomer *oc = &BOOK_CUSTOMERS(mo->out)[mo->ncustomers];
		BookRow    *rows = mo->next_row;

		*oc = *x;
		oc->nrows = nrows;
		oc->scale = (uint8) scale;
		if (y)
			oc->first_start = Min(x->first_start, y->first_start);
		if (mo->kind != BOOK_KEY_BIGINT)
		{
			memcpy(BOOK_ARENA(mo->out) + mo->arena_len, BOOK_ARENA(X) + x->key, image_len);
			oc->key = mo->arena_len;
		}
		for (int32 k = 0; k < x->nrows; k++)
			*mo->next_row++ = row_at_scale(&xr[k], x->scale, scale);
		for (int32 k = 0; y && k < y->nrows; k++)
			*mo->next_row++ = row_at_scale(&yr[k], y->scale, scale);
		if (y)
			sm_sort_book_rows(rows, nrows);
	}
	mo->arena_len += MAXALIGN(image_len);
	mo->nrows += nrows;
	mo->max_scale = Max(mo->max_scale, scale);
	mo->ncustomers++;
}

/* One pass of merging two flat books in (hash, id) order. */
static void
merge_pass(MergeOutput *mo, const BookFlat *a, const BookFlat *b)
{
	const BookCustomer *ac = BOOK_CUSTOMERS(a);
	const BookCustomer *bc = BOOK_CUSTOMERS(b);
	const BookRow *ar = BOOK_ROWS(a);
	const BookRow *br = BOOK_ROWS(b);
	int32		i = 0,
				j = 0;

	mo->ncustomers = 0;
	mo->nrows = 0;
	mo->arena_len = 0;
	mo->max_scale = 0;
	mo->next_row = mo->out ? BOOK_ROWS(mo->out) : NULL;
	while (i < a->ncustomers || j < b->ncustomers)
	{
		int			cmp;

		if (((i + j) & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (i >= a->ncustomers)
			cmp = 1;
		else if (j >= b->ncustomers)
			cmp = -1;
		else if (ac[i].hash != bc[j].hash)
			cmp = ac[i].hash < bc[j].hash ? -1 : 1;
		else
			cmp = sm_key_compare(mo->kind, BOOK_ARENA(a), ac[i].key, BOOK_ARENA(b), bc[j].key);

		if (cmp < 0)
		{
			emit_customer(mo, a, &ac[i], ar, NULL, NULL);
			ar += ac[i++].nrows;
		}
		else if (cmp > 0)
		{
			emit_customer(mo, b, &bc[j], br, NULL, NULL);
			br += bc[j++].nrows;
		}
		else
		{
			emit_customer(mo, a, &ac[i], ar, &bc[j], br);
			ar += ac[i++].nrows;
			br += bc[j++].nrows;
		}
	}
}

/* The merge of two flat books, allocated in cxt. */
BookFlat *
sm_flat_merge(BookFlat *a, BookFlat *b, MemoryContext cxt)
{
	MergeOutput mo = {.kind = (BookKeyKind) a->key_kind};
	Size		size;
	BookFlat   *out;

	check_compatible(a, b);
	merge_pass(&mo, a, b);
	if (mo.nrows > PG_INT32_MAX)
		sm_book_too_large();
	size = MAXALIGN(sizeof(BookFlat)) + mo.ncustomers * sizeof(BookCustomer) +
		mo.nrows * sizeof(BookRow) + mo.arena_len;
	if (size > MaxAllocSize)
		sm_book_too_large();

	out = MemoryContextAllocZero(cxt, size);
	memcpy(out, a, sizeof(BookFlat));
	SET_VARSIZE(out, size);
	out->max_scale = (uint8) mo.max_scale;
	out->display_scale = Max(a->display_scale, b->display_scale);
	out->min_day = Min(a->min_day, b->min_day);
	out->max_day = Max(a->max_day, b->max_day);
	out->ncustomers = mo.ncustomers;
	out->nrows = (int32) mo.nrows;
	out->arena_len = mo.arena_len;
	mo.out = out;
	merge_pass(&mo, a, b);
	return out;
}

/* A new book holding the merge of a and b, or a copy of b if a is NULL. */
static Book *
merged_book(MemoryContext parent, BookFlat *a, BookFlat *b)
{
	Book	   *book = sm_book_create(parent, (BookKeyKind) b->key_kind);
	BookFlat   *flat;

	if (a)
		flat = sm_flat_merge(a, b, book->hdr.eoh_context);
	else
	{
		flat = MemoryContextAllocHuge(book->hdr.eoh_context, VARSIZE(b));
		memcpy(flat, b, VARSIZE(b));
	}
	sm_book_set_flat(book, flat);
	return book;
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
	BookFlat   *other;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	/* a log book (the leader's own partial state) is read flattened */
	other = sm_book_flat_from_datum(PG_GETARG_DATUM(1));
	if (PG_ARGISNULL(0))
		PG_RETURN_DATUM(EOHPGetRWDatum(&merged_book(aggcxt, NULL, other)->hdr));

	mine = sm_datum_book(PG_GETARG_DATUM(0));
	if (mine && mine->flat && !mine->flat_is_log &&
		VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(PG_GETARG_DATUM(0))))
	{
		BookFlat   *merged = sm_flat_merge(mine->flat, other, mine->hdr.eoh_context);

		pfree(mine->flat);
		sm_book_set_flat(mine, merged);
		PG_RETURN_DATUM(EOHPGetRWDatum(&mine->hdr));
	}
	PG_RETURN_DATUM(EOHPGetRWDatum(&merged_book(aggcxt, sm_book_flat_from_datum(PG_GETARG_DATUM(0)),
												other)->hdr));
}
