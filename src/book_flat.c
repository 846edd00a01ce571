/*
 * book_flat.c
 *		The book as an expanded object, its log, and its flat form.
 *
 * The transition function only appends rows to the log, with the hash of
 * the customer id: no lookup per row, so no cache miss per row.  Grouping
 * rows by customer happens once, when the log is flattened (for a reader,
 * or to leave a parallel worker): a radix sort of the log on the hash, a
 * sort by id of each run of equal hashes (only colliding ids ever meet
 * there), and one pass that writes each customer with its rows.
 *
 * Each customer's amounts are held exactly, at its smallest exact scale, or
 * when that does not fit in 64 bits, each at its own (book.h), never
 * rounded, and its rows are sorted, so that the flat form is canonical: the
 * same rows give the same bytes whatever their order or the plan.
 *
 * Memory: 32 bytes per logged row, plus each text or uuid id's image per
 * row (MAXALIGNed); flattening sorts the log in place, then writes the flat
 * form: 24 bytes per customer, 16 per row active on some day, the id
 * images once per customer, and a byte per row of the rare customers whose
 * rows keep scales of their own.  A reader of the shorthand aggregates
 * walks the sorted log itself (book_stream.c), without the flat form.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/memutils.h"

#include "book.h"
#include "money.h"

static Size book_get_flat_size(ExpandedObjectHeader *eohptr);
static void book_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size);

const ExpandedObjectMethods sm_book_methods = {
	book_get_flat_size,
	book_flatten_into
};

void
sm_book_too_large(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("subscription book is too large"),
			 errdetail("Its flat form would exceed 1 GB."),
			 errhint("Keep books of fewer rows, e.g. GROUP BY a segment, and read them separately or to a common \"to\".")));
}

/* The size of a flat form; more than MaxAllocSize if it has too many customers or rows. */
Size
sm_book_flat_size(const BookFlatCounts *counts)
{
	if (counts->nrows > PG_INT32_MAX || counts->ncustomers > PG_INT32_MAX)
		return MaxAllocSize + 1;
	return MAXALIGN(sizeof(BookFlat)) + counts->ncustomers * sizeof(BookCustomer) +
		counts->nrows * sizeof(BookRow) + counts->arena_len + counts->nrow_scales;
}

/* ---- the log --------------------------------------------------------- */

/*
 * A book starts small and doubles: books of one customer each (GROUP BY
 * customer_id, the shape that keeps a Citus query's transfer O(periods))
 * then take about 2 kB each rather than 40, so a hash aggregate holds
 * twenty times more of them before it spills.  A large book soon reaches
 * blocks of 8 MB, as with the default sizes.
 */
#define BOOK_FIRST_LOG_ROWS 16
#define BOOK_FIRST_ARENA_BYTES 256

/* Logs shorter than this grow without summarising their history first. */
#define SUMMARISE_FROM_ROWS 1024

Book *
sm_book_create(MemoryContext parent, BookKeyKind kind)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "subscription book",
											  ALLOCSET_START_SMALL_SIZES);
	Book	   *book = MemoryContextAllocZero(cxt, sizeof(Book));

	EOH_init_header(&book->hdr, &sm_book_methods, cxt);
	book->key_kind = kind;
	book->min_day = PG_INT32_MAX;
	book->max_day = PG_INT32_MIN;
	return book;
}

/* The flat form built from the log is stale once the log changes. */
static void
forget_log_flat(Book *book)
{
	if (book->flat && book->flat_is_log)
	{
		pfree(book->flat);
		book->flat = NULL;
		book->flat_is_log = false;
	}
}

/* The log's capacity once doubled. */
static int64
next_log_size(const Book *book)
{
	return Max((int64) book->maxlog * 2, BOOK_FIRST_LOG_ROWS);
}

/*
 * Whether a log of that many rows could still be flattened: one customer
 * per row at worst.
 */
static bool
log_size_flattens(const Book *book, int64 maxlog)
{
	BookFlatCounts worst = {.ncustomers = maxlog,.nrows = maxlog,.arena_len = book->arena_len,
	.nrow_scales = maxlog};

	return sm_book_flat_size(&worst) <= MaxAllocSize;
}

static void
grow_log(Book *book)
{
	int64		newmax = next_log_size(book);

	/* refuse before the flat form could not be built */
	if (!log_size_flattens(book, newmax))
		sm_book_too_large();
	book->log = book->log ?
		repalloc_huge(book->log, newmax * sizeof(BookLogRow)) :
		MemoryContextAllocHuge(book->hdr.eoh_context, newmax * sizeof(BookLogRow));
	book->maxlog = (int32) newmax;
}

static void
grow_arena(Book *book, Size needed)
{
	Size		newmax = Max(needed, Max(book->arena_max * 2, BOOK_FIRST_ARENA_BYTES));

	if (newmax > MaxAllocSize)
		sm_book_too_large();
	book->arena = book->arena ?
		repalloc_huge(book->arena, newmax) :
		MemoryContextAllocHuge(book->hdr.eoh_context, newmax);
	book->arena_max = newmax;
}

/*
 * Room in the log for one more row, and in the arena for image_size bytes.
 * A windowed shorthand's log sheds its history before it grows, and grows
 * unless that freed half of it: each row is summarised O(1) times on
 * average.  A book that may spill writes its log out rather than grow past
 * saas_metrics.max_memory (book_spill.c).
 */
static void
make_room(Book *book, Size image_size)
{
	bool		log_grows = false;
	bool		arena_grows;

	if (book->nlog == book->maxlog)
	{
		if (book->nlog >= SUMMARISE_FROM_ROWS && !sm_book_keeps_history(book))
		{
			sm_book_sort_log(book);
			sm_book_summarise_history(book);
		}
		log_grows = book->nlog == book->maxlog || book->nlog > book->maxlog / 2;
	}
	arena_grows = book->arena_len + image_size > book->arena_max;
	if (!log_grows && !arena_grows)
		return;
	if (book->may_spill && book->nlog > 0 &&
		((log_grows && !log_size_flattens(book, next_log_size(book))) ||
		 sm_book_over_budget(log_grows ? next_log_size(book) : book->maxlog,
							 arena_grows ? Max(book->arena_len + image_size, 2 * book->arena_max) :
							 book->arena_max)))
	{
		sm_book_spill_log(book);
		log_grows = false;
		arena_grows = image_size > book->arena_max;
	}
	if (log_grows)
		grow_log(book);
	if (arena_grows)
		grow_arena(book, book->arena_len + image_size);
}

/*
 * Append one row.  A bigint id is key itself; a text id's bytes (without
 * header) or a uuid's 16 bytes are id_bytes, copied into the arena.
 */
void
sm_book_log_row(Book *book, int64 key, const char *id_bytes, Size id_len,
				int64 mrr, int scale, int display_scale, int32 start, int32 end)
{
	BookLogRow *row;

	Size		image_len = book->key_kind == BOOK_KEY_BIGINT ? 0 :
		book->key_kind == BOOK_KEY_TEXT ? id_len + VARHDRSZ : id_len;

	Assert(book->flat == NULL || book->flat_is_log);
	forget_log_flat(book);
	make_room(book, MAXALIGN(image_len));

	row = &book->log[book->nlog++];
	if (book->key_kind != BOOK_KEY_BIGINT)
	{
		char	   *image = book->arena + book->arena_len;

		if (book->key_kind == BOOK_KEY_TEXT)
		{
			SET_VARSIZE(image, image_len);
			memcpy(VARDATA(image), id_bytes, id_len);
		}
		else
			memcpy(image, id_bytes, id_len);
		key = book->arena_len;
		book->arena_len += MAXALIGN(image_len);
	}
	row->key = key;
	row->hash = sm_key_hash(book->key_kind, book->arena, key);
	row->mrr = mrr;
	row->scale = (uint8) scale;
	row->start = start;
	row->end = end;
	book->display_scale = Max(book->display_scale, display_scale);
	book->max_row_scale = Max(book->max_row_scale, scale);
	book->min_day = Min(book->min_day, start);
	book->max_day = Max(book->max_day, DATE_IS_NOEND(end) ? start : end);
}

/* ---- flattening ------------------------------------------------------ */

/*
 * Sort log rows by hash, in place: fresh memory is costly to touch (every
 * page faults in), so the sort needs no copy of the log.  An American flag
 * pass on the top 11 bits counts the rows of each bucket and moves every
 * row straight to its bucket by cycles of swaps; then each bucket, about
 * n / 2048 rows, is sorted on the low 21 bits: an LSD radix sort of two
 * passes (11 and 10 bits) through a scratch copy of the bucket, reused and
 * small enough to stay in cache, or an insertion sort for a few rows.
 */
#define TOP_BITS 11
#define TOP_BUCKETS (1 << TOP_BITS)
#define LOW_BITS (32 - TOP_BITS)
#define LOW_PASS_BITS 11
#define INSERTION_SORT_ROWS 32

static inline uint32
top_digit(const BookLogRow *row)
{
	return row->hash >> LOW_BITS;
}

#define HASH_LESS(a, b) ((a)->hash < (b)->hash)

/* rows[0 .. n) by the low bits of the hash, stably, through scratch */
static void
sort_bucket_by_low_bits(BookLogRow *rows, int32 n, BookLogRow *scratch)
{
	int32		counts[2][1 << LOW_PASS_BITS];
	const uint32 masks[2] = {(1 << LOW_PASS_BITS) - 1, (1 << (LOW_BITS - LOW_PASS_BITS)) - 1};
	const int	shifts[2] = {0, LOW_PASS_BITS};
	BookLogRow *from = rows;
	BookLogRow *to = scratch;

	if (n <= INSERTION_SORT_ROWS)
	{
		SM_INSERTION_SORT(BookLogRow, rows, n, HASH_LESS);
		return;
	}
	memset(counts, 0, sizeof(counts));
	for (int32 i = 0; i < n; i++)
		for (int pass = 0; pass < 2; pass++)
			counts[pass][(rows[i].hash >> shifts[pass]) & masks[pass]]++;
	for (int pass = 0; pass < 2; pass++)
	{
		int32		sum = 0;
		BookLogRow *swap;

		for (uint32 d = 0; d <= masks[pass]; d++)
		{
			int32		count = counts[pass][d];

			counts[pass][d] = sum;
			sum += count;
		}
		for (int32 i = 0; i < n; i++)
			to[counts[pass][(from[i].hash >> shifts[pass]) & masks[pass]]++] = from[i];
		swap = from;
		from = to;
		to = swap;
	}
	/* after two passes the rows are back in rows */
}

static void
sort_log_by_hash(BookLogRow *rows, int32 n, MemoryContext cxt)
{
	int32	   *next = palloc0((TOP_BUCKETS + 1) * sizeof(int32));
	int32	   *end = palloc((TOP_BUCKETS + 1) * sizeof(int32));
	int32		largest = 0;
	BookLogRow *scratch;

	for (int32 i = 0; i < n; i++)
		next[top_digit(&rows[i]) + 1]++;
	for (int b = 0; b < TOP_BUCKETS; b++)
	{
		largest = Max(largest, next[b + 1]);
		next[b + 1] += next[b];
		end[b] = next[b + 1];
	}
	CHECK_FOR_INTERRUPTS();
	for (int b = 0; b < TOP_BUCKETS; b++)
	{
		while (next[b] < end[b])
		{
			BookLogRow row = rows[next[b]];
			uint32		d = top_digit(&row);

			/* carry the row to its bucket, and the one there to its own */
			while (d != (uint32) b)
			{
				BookLogRow displaced = rows[next[d]];

				rows[next[d]++] = row;
				row = displaced;
				d = top_digit(&row);
			}
			rows[next[b]++] = row;
		}
	}
	scratch = MemoryContextAllocHuge(cxt, Max(largest, 1) * sizeof(BookLogRow));
	for (int b = 0, first = 0; b < TOP_BUCKETS; first = end[b], b++)
	{
		if ((b & 0xFF) == 0)
			CHECK_FOR_INTERRUPTS();
		sort_bucket_by_low_bits(rows + first, end[b] - first, scratch);
	}
	pfree(scratch);
	pfree(next);
	pfree(end);
}

typedef struct KeySortArg
{
	BookKeyKind kind;
	const char *arena;
} KeySortArg;

static inline int
log_row_key_cmp(const BookLogRow *a, const BookLogRow *b, KeySortArg *arg)
{
	return sm_key_compare(arg->kind, arg->arena, a->key, arg->arena, b->key);
}

#define ST_SORT sort_log_by_key
#define ST_ELEMENT_TYPE BookLogRow
#define ST_COMPARE(a, b, arg) log_row_key_cmp(a, b, arg)
#define ST_COMPARE_ARG_TYPE KeySortArg
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

#define ST_SORT sort_many_book_rows
#define ST_ELEMENT_TYPE BookRow
#define ST_COMPARE(a, b) sm_book_row_cmp(a, b)
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

/* A row with its scale, to sort the rows of a customer with scales of its own. */
typedef struct ScaledRow
{
	BookRow		row;
	uint8		scale;
} ScaledRow;

/*
 * By row, then scale: of amounts at their smallest scales, equal units at
 * equal scales are equal amounts, so the order is that of the rows held.
 */
static inline int
scaled_row_cmp(const ScaledRow *a, const ScaledRow *b)
{
	int			cmp = sm_book_row_cmp(&a->row, &b->row);

	return cmp != 0 ? cmp : (int) a->scale - (int) b->scale;
}

#define ST_SORT sort_scaled_rows
#define ST_ELEMENT_TYPE ScaledRow
#define ST_COMPARE(a, b) scaled_row_cmp(a, b)
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

/* A customer has a few rows: sorted by insertion, where the general sort's overhead dominates. */
#define FEW_ROWS 8
#define ROW_LESS(a, b) (sm_book_row_cmp(a, b) < 0)

/* A customer's rows in their canonical order: by start, end, amount. */
void
sm_sort_book_rows(BookRow *rows, size_t n)
{
	if (n <= FEW_ROWS)
		SM_INSERTION_SORT(BookRow, rows, (int64) n, ROW_LESS);
	else
		sort_many_book_rows(rows, n);
}

/*
 * The rows of a customer with scales of their own, each exact at its scale
 * in scales, at their smallest scales and in their canonical order: by
 * start, end, amount, scale.
 */
static void
sort_at_own_scales(BookRow *rows, uint8 *scales, int32 n)
{
	ScaledRow  *scaled = palloc_extended(Max(n, 1) * sizeof(ScaledRow), MCXT_ALLOC_HUGE);

	for (int32 k = 0; k < n; k++)
	{
		scaled[k].row = rows[k];
		scaled[k].scale = (uint8) sm_money_smallest_scale(&scaled[k].row.mrr, scales[k]);
	}
	sort_scaled_rows(scaled, n);
	for (int32 k = 0; k < n; k++)
	{
		rows[k] = scaled[k].row;
		scales[k] = scaled[k].scale;
	}
	pfree(scaled);
}

/*
 * A customer's c->nrows rows, each exact at its scale in scales (its
 * smallest, or the scale of the customer of a book it came from: see
 * MoneyScales), as the flat form holds them: c's scale and own_scales set,
 * the rows at its scale or at their own smallest scales, sorted.
 */
void
sm_book_settle_rows(BookCustomer *c, BookRow *rows, uint8 *scales)
{
	MoneyScales amount_scales;

	sm_money_scales_init(&amount_scales);
	for (int32 k = 0; k < c->nrows; k++)
		sm_money_scales_add(&amount_scales, rows[k].mrr, scales[k]);
	sm_book_customer_scale(c, &amount_scales);
	if (c->own_scales)
	{
		sort_at_own_scales(rows, scales, c->nrows);
		return;
	}
	for (int32 k = 0; k < c->nrows; k++)
		rows[k].mrr = sm_money_to_scale(rows[k].mrr, scales[k], c->scale);
	sm_sort_book_rows(rows, c->nrows);
}

/*
 * One customer's logged rows as the flat form holds them: those active on
 * some day, exact at its scale, or each at its own (into out_scales), and
 * sorted.  Sets c's first start (the earliest of any row), number of rows,
 * scale and own_scales; out (and out_scales, room for n each) may be NULL
 * to count only.
 */
void
sm_book_customer_rows(const BookLogRow *rows, int32 n, BookCustomer *c, BookRow *out,
					  uint8 *out_scales)
{
	MoneyScales amount_scales;
	int32		kept = 0;

	sm_money_scales_init(&amount_scales);
	c->first_start = rows[0].start;
	for (int32 r = 0; r < n; r++)
	{
		c->first_start = Min(c->first_start, rows[r].start);
		/* a row that ends the day it starts is never active */
		if (rows[r].start == rows[r].end)
			continue;
		sm_money_scales_add(&amount_scales, rows[r].mrr, rows[r].scale);
		kept++;
	}
	c->nrows = kept;
	sm_book_customer_scale(c, &amount_scales);
	if (out == NULL)
		return;
	kept = 0;
	for (int32 r = 0; r < n; r++)
	{
		if (rows[r].start == rows[r].end)
			continue;
		out[kept] = (BookRow)
		{
			.mrr = c->own_scales ? rows[r].mrr :
				sm_money_to_scale(rows[r].mrr, rows[r].scale, c->scale),
				.start = rows[r].start,.end = rows[r].end
		};
		if (c->own_scales)
			out_scales[kept] = rows[r].scale;
		kept++;
	}
	if (c->own_scales)
		sort_at_own_scales(out, out_scales, kept);
	else
		sm_sort_book_rows(out, kept);
}

/*
 * One pass over the hash-sorted, key-sorted log, writing each customer (a
 * run of equal ids) with its rows that are active on some day, into out, or
 * with out NULL only counting, so that the second pass writes into an
 * exactly sized value.
 */
static void
log_group_pass(Book *book, BookLogRow *rows, int32 n, BookFlat *out, BookFlatCounts *counts)
{
	BookCustomer *oc = out ? BOOK_CUSTOMERS(out) : NULL;
	BookRow    *orow = out ? BOOK_ROWS(out) : NULL;
	uint8	   *oscales = out ? BOOK_ROW_SCALES(out) : NULL;

	memset(counts, 0, sizeof(BookFlatCounts));
	for (int32 i = 0; i < n;)
	{
		int32		j = sm_book_log_customer_end(book, rows, i, n);
		BookCustomer c;

		if ((counts->ncustomers & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		/* zeroed: its padding goes into the canonical form */
		memset(&c, 0, sizeof(c));
		sm_book_customer_rows(rows + i, j - i, &c, orow, oscales);
		c.hash = rows[i].hash;
		c.key = rows[i].key;
		if (oc)
		{
			if (book->key_kind != BOOK_KEY_BIGINT)
			{
				const char *image = book->arena + rows[i].key;

				memcpy(BOOK_ARENA(out) + counts->arena_len, image,
					   sm_key_image_size(book->key_kind, image));
				c.key = counts->arena_len;
			}
			oc[counts->ncustomers] = c;
			orow += c.nrows;
			if (c.own_scales)
				oscales += c.nrows;
		}
		if (book->key_kind != BOOK_KEY_BIGINT)
			counts->arena_len += MAXALIGN(sm_key_image_size(book->key_kind, book->arena + rows[i].key));
		counts->nrows += c.nrows;
		if (c.own_scales)
			counts->nrow_scales += c.nrows;
		counts->max_scale = Max(counts->max_scale, c.scale);
		counts->ncustomers++;
		i = j;
	}
}

/* The end of the customer whose rows of the sorted log start at i. */
int32
sm_book_log_customer_end(const Book *book, const BookLogRow *rows, int32 i, int32 n)
{
	int32		j = i + 1;

	while (j < n && rows[j].hash == rows[i].hash &&
		   sm_key_compare(book->key_kind, book->arena, rows[i].key,
						  book->arena, rows[j].key) == 0)
		j++;
	return j;
}

/*
 * Sort the log by customer: (hash, id), in place.  The log is a set of
 * rows, so sorting it loses nothing.
 */
void
sm_book_sort_log(Book *book)
{
	KeySortArg	arg = {book->key_kind, book->arena};

	sort_log_by_hash(book->log, book->nlog, book->hdr.eoh_context);
	for (int32 i = 0; i < book->nlog;)
	{
		int32		j = i + 1;

		while (j < book->nlog && book->log[j].hash == book->log[i].hash)
			j++;
		if (j - i > 1)
			sort_log_by_key(book->log + i, j - i, &arg);
		i = j;
	}
}

/* The flat form of the book's log, allocated in the book's context. */
static BookFlat *
log_to_flat(Book *book)
{
	BookFlatCounts counts;
	Size		size;
	BookFlat   *flat;

	sm_book_sort_log(book);
	sm_book_summarise_history(book);
	log_group_pass(book, book->log, book->nlog, NULL, &counts);
	size = sm_book_flat_size(&counts);
	if (size > MaxAllocSize)
		sm_book_too_large();
	flat = MemoryContextAllocZero(book->hdr.eoh_context, size);
	sm_book_header(book, flat);
	sm_book_set_counts(flat, &counts);
	log_group_pass(book, book->log, book->nlog, flat, &counts);
	return flat;
}

/*
 * The book's flat form: the one it holds, its parts merged (the combine
 * function's books, or its spilled runs with the rest of its log), or its
 * log's, built once.
 */
BookFlat *
sm_book_flat(Book *book)
{
	if (book->flat == NULL && book->spill_to_leader &&
		(book->runs != NULL || book->nlog >= SM_HANDOFF_FROM_ROWS))
	{
		/* a partial aggregate's runs go to the leader as they are */
		book->flat = sm_book_handoff(book);
		book->flat_is_log = true;
	}
	if (book->flat == NULL && (book->npending > 0 || book->runs != NULL))
		sm_book_merge_parts(book);
	if (book->flat == NULL)
	{
		book->flat = log_to_flat(book);
		book->flat_is_log = true;
	}
	return book->flat;
}

static Size
book_get_flat_size(ExpandedObjectHeader *eohptr)
{
	return VARSIZE(sm_book_flat((Book *) eohptr));
}

static void
book_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size)
{
	memcpy(result, sm_book_flat((Book *) eohptr), allocated_size);
}

/*
 * subscription_book_result(book): the final function of
 * subscription_book_agg, the state itself, read-only and not copied.
 *
 * nodeAgg copies an aggregate's result unless it lies in the output
 * tuple's memory context (PostgreSQL 15's finalize_aggregate tests this
 * with MemoryContextContains), and a copy of an expanded book is its flat
 * form: one pass over the whole book, at most 1 GB.  A read-only pointer to
 * the state, in a chunk of that context, is taken as it is.  So a reader of
 * the aggregate's result (mrr_movements(book, ...) over a subquery) reads
 * the book in its parts, spilled runs or a parallel leader's workers'
 * runs, of any size, and only what stores or sends the book makes its flat
 * form (sm_book_too_large beyond 1 GB).  The pointer is valid as long as
 * the state, until the aggregate moves on to its next group: as long as
 * any value of its output tuple, which a node that keeps values copies.  A
 * window aggregate's state changes from one row to the next: it gets the
 * state's own pointer, which it copies, as it does a small state's flat
 * form.
 */
PG_FUNCTION_INFO_V1(subscription_book_result);
Datum
subscription_book_result(PG_FUNCTION_ARGS)
{
	Book	   *book = sm_datum_book(PG_GETARG_DATUM(0));
	char	   *pointer;

	if (book == NULL || AggCheckCallContext(fcinfo, NULL) != AGG_CONTEXT_AGGREGATE)
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	pointer = palloc(EXPANDED_POINTER_SIZE);
	memcpy(pointer, DatumGetPointer(EOHPGetRODatum(&book->hdr)), EXPANDED_POINTER_SIZE);
	PG_RETURN_POINTER(pointer);
}

/* ---- books from datums ----------------------------------------------- */

/*
 * The header fields a book's flat form takes from the book: its version,
 * the kind of its ids, its read options, display scale and extent (not its
 * size, its counts nor its max_scale).
 */
void
sm_book_header(const Book *book, BookFlat *flat)
{
	flat->version = BOOK_FORMAT_VERSION;
	flat->key_kind = (uint8) book->key_kind;
	sm_book_options_to_flat(&book->options, flat);
	flat->display_scale = (uint8) book->display_scale;
	flat->min_day = book->min_day;
	flat->max_day = book->max_day;
}

/* The fields of a flat form's header that say what it holds, and its size. */
void
sm_book_set_counts(BookFlat *flat, const BookFlatCounts *counts)
{
	SET_VARSIZE(flat, sm_book_flat_size(counts));
	flat->max_scale = (uint8) counts->max_scale;
	flat->ncustomers = (int32) counts->ncustomers;
	flat->nrows = (int32) counts->nrows;
	flat->arena_len = counts->arena_len;
}

/*
 * Room for at least n rows and their scales in a scratch buffer (its
 * contents are not kept), allocated in cxt.
 */
void
sm_book_rows_room(BookRowBuffer *buffer, int64 n, MemoryContext cxt)
{
	int32		capacity = buffer->capacity;

	if (n <= capacity)
		return;
	if (n > PG_INT32_MAX)
		sm_book_too_large();
	sm_book_rows_free(buffer);
	buffer->capacity = (int32) Min(Max(n, 2 * (int64) capacity), PG_INT32_MAX);
	buffer->rows = MemoryContextAllocHuge(cxt, buffer->capacity * sizeof(BookRow));
	buffer->scales = MemoryContextAllocHuge(cxt, buffer->capacity);
}

void
sm_book_rows_free(BookRowBuffer *buffer)
{
	if (buffer->rows)
	{
		pfree(buffer->rows);
		pfree(buffer->scales);
	}
	buffer->rows = NULL;
	buffer->scales = NULL;
	buffer->capacity = 0;
}

void
sm_book_options_to_flat(const BookReadOptions *options, BookFlat *flat)
{
	flat->flags = options->present ? BOOK_HAS_READ_OPTIONS : 0;
	flat->period = options->present ? (uint8) options->period : 0;
	flat->from_day = options->present ? options->from_day : 0;
	flat->to_day = options->present ? options->to_day : 0;
}

void
sm_book_options_from_flat(const BookFlat *flat, BookReadOptions *options)
{
	options->present = (flat->flags & BOOK_HAS_READ_OPTIONS) != 0;
	options->period = options->present ? (PeriodKind) flat->period : PERIOD_MONTH;
	options->from_day = options->present ? flat->from_day : DATEVAL_NOBEGIN;
	options->to_day = options->present ? flat->to_day : DATEVAL_NOEND;
}

/* Our book, if the datum is one. */
Book *
sm_datum_book(Datum d)
{
	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d)))
	{
		ExpandedObjectHeader *eoh = DatumGetEOHP(d);

		if (eoh->eoh_methods == &sm_book_methods)
			return (Book *) eoh;
	}
	return NULL;
}

/*
 * The flat form of a book datum, without copying where it already is one;
 * for a partial aggregate's spilled book, the header that names its runs
 * (only the combine function reads that).
 */
BookFlat *
sm_book_flat_or_handoff(Datum d)
{
	Book	   *book = sm_datum_book(d);
	BookFlat   *flat;

	if (book)
		return sm_book_flat(book);
	flat = (BookFlat *) PG_DETOAST_DATUM(d);
	sm_book_check_version(flat);
	return flat;
}

/* The flat form of a book datum, without copying where it already is one. */
BookFlat *
sm_book_flat_from_datum(Datum d)
{
	BookFlat   *flat = sm_book_flat_or_handoff(d);

	if (flat->flags & BOOK_RUNS_ELSEWHERE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("a partial aggregate's subscription book can only be read by its combine function")));
	return flat;
}

/* Make the book hold this flat form (which must live as long as it). */
void
sm_book_set_flat(Book *book, BookFlat *flat)
{
	book->key_kind = (BookKeyKind) flat->key_kind;
	sm_book_options_from_flat(flat, &book->options);
	book->min_day = flat->min_day;
	book->max_day = flat->max_day;
	book->display_scale = flat->display_scale;
	book->flat = flat;
	book->flat_is_log = false;
}

/*
 * A log book with the contents of a flat one, for more rows: each
 * customer's rows, each amount at the scale it is held at (so exact), and a
 * row that ends the day it starts at its first start where that came from a
 * row the flat form does not keep.
 */
Book *
sm_book_from_flat(BookFlat *flat, MemoryContext parent)
{
	Book	   *book = sm_book_create(parent, (BookKeyKind) flat->key_kind);
	const char *arena = BOOK_ARENA(flat);
	BookWalk	walk;
	const BookCustomer *c;
	const BookRow *r;
	const uint8 *row_scales;

	sm_book_options_from_flat(flat, &book->options);
	sm_book_walk_begin(&walk, flat);
	for (int32 i = 0; (c = sm_book_walk_next(&walk, &r, &row_scales)) != NULL; i++)
	{
		const char *image = book->key_kind == BOOK_KEY_BIGINT ? NULL : arena + c->key;
		const char *id_bytes = book->key_kind == BOOK_KEY_TEXT ? VARDATA(image) : image;
		Size		id_len = book->key_kind == BOOK_KEY_TEXT ? VARSIZE(image) - VARHDRSZ : 16;
		int32		earliest = PG_INT32_MAX;

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		for (int32 k = 0; k < c->nrows; k++)
		{
			sm_book_log_row(book, c->key, id_bytes, id_len, r[k].mrr,
							row_scales ? row_scales[k] : c->scale, flat->display_scale,
							r[k].start, r[k].end);
			earliest = Min(earliest, r[k].start);
		}
		if (c->first_start < earliest)
			sm_book_log_row(book, c->key, id_bytes, id_len, 0, 0, flat->display_scale,
							c->first_start, c->first_start);
	}
	/* the extent may come from rows the flat form does not keep */
	book->min_day = Min(book->min_day, flat->min_day);
	book->max_day = Max(book->max_day, flat->max_day);
	return book;
}
