/*
 * book.h
 *		The subscription book: subscription rows reduced to days, grouped by
 *		customer.  It is the state of the subscription aggregates and the
 *		summary every reader of MRR movements, cohorts and customers reads.
 *
 * Where things happen:
 *   book_transition.c  a row becomes state: arguments checked, dates and
 *                      timestamps reduced to days, the amount decoded, the
 *                      row appended to the book's log;
 *   book_keys.c        customer ids: kinds, hashing, ordering, text form;
 *   book_flat.c        the flat form: the log grouped by customer (a radix
 *                      sort on the hash), the expanded-object methods;
 *   book_merge.c       combine and rollup: books in parts merged into one;
 *   book_stream.c      a book in parts (flat books, spilled runs) read as
 *                      one stream of customers;
 *   book_spill.c       a log larger than saas_metrics.max_memory written to
 *                      temporary files as sorted runs;
 *   book_history.c     what a windowed shorthand keeps of the time before
 *                      its window;
 *   book_io.c          the portable text and binary forms, validated input;
 *   customer_timeline.c a customer's rows as dated changes, and the
 *                      conventions (zero_mrr) that say when it is active;
 *   reporting_window.c the reading options: period, window, conventions;
 *   mrr_movements.c, cohort.c, customers_at.c  the readers;
 *   book_results.c     how a reader's rows leave: a set or an array;
 *   book_walk_parallel.c a parallel leader's book walked by several
 *                      processes, each over a range of hashes.
 *
 * During aggregation a book is a read/write expanded object living in the
 * aggregate's memory context, so no row copies it; the transition function
 * only logs rows.  Its flat form (a varlena of type subscription_book) is
 * what a table stores and what crosses process boundaries (but a parallel
 * worker's large book, which crosses as the names of its runs,
 * book_spill.c): customers in
 * ascending order of (hash of the id, id), then their rows, then the images
 * of text and uuid ids, then the row scales of customers with scales of
 * their own (below).  That order makes merging two books one sequential
 * pass, duplicate ids adjacent, and the form canonical (equal books are
 * equal bytes).
 *
 * Amounts: a book holds each amount as decoded (money.c: rounded only to
 * 12 decimals, or to what 64 bits hold), and rounds none when it groups,
 * merges, spills or moves rows.  A customer's rows are usually all exact at
 * one scale, the smallest at which all are (its scale), and are held at
 * it.  A customer whose amounts span more than 18 significant digits (10^18
 * beside 1.46) has no such scale that fits in 64 bits: its rows are held
 * each at its own smallest scale (own_scales), and its scale is the finest
 * at which all fit.  A reader brings every amount to its customer's scale
 * (customer_timeline.c), rounding each once: so what it reads does not
 * depend on the order of the rows, the plan, spilling or parallel workers.
 */
#ifndef SM_BOOK_H
#define SM_BOOK_H

#include "postgres.h"

#include "fmgr.h"
#include "utils/expandeddatum.h"

#include "money.h"
#include "period.h"

/*
 * How customer ids are held: by kind rather than by type OID, so that a
 * stored book means the same thing after a dump and restore anywhere.
 * smallint and integer ids are read as bigint, varchar and char as text.
 */
typedef enum BookKeyKind
{
	BOOK_KEY_BIGINT = 1,		/* the value itself */
	BOOK_KEY_TEXT = 2,			/* a varlena image with a 4-byte header */
	BOOK_KEY_UUID = 3			/* a 16-byte image */
} BookKeyKind;

#define BOOK_KEY_KIND_VALID(k) ((k) >= BOOK_KEY_BIGINT && (k) <= BOOK_KEY_UUID)

/*
 * What the shorthand aggregates (mrr_movements(customer_id, ...) and
 * cohort_retention(customer_id, ...)) were asked for: their final functions
 * read the book this way.  Books of subscription_book_agg have none.
 */
typedef struct BookReadOptions
{
	bool		present;
	PeriodKind	period;
	DateADT		from_day;		/* DATEVAL_NOBEGIN: where the data starts */
	DateADT		to_day;			/* DATEVAL_NOEND: where the data ends */
} BookReadOptions;

/* One row of a customer in the flat form. */
typedef struct BookRow
{
	int64		mrr;			/* units of 10^-scale of its customer */
	int32		start;			/* first day active */
	int32		end;			/* first day not active (> start), or
								 * DATEVAL_NOEND */
} BookRow;

/*
 * Sort a few elements in place by insertion, where the general sort's
 * overhead would dominate: LESS(a, b) compares two pointers to elements.
 */
#define SM_INSERTION_SORT(type, array, n, LESS) \
	do { \
		for (int64 i_ = 1; i_ < (n); i_++) \
		{ \
			type		item_ = (array)[i_]; \
			int64		j_ = i_; \
\
			while (j_ > 0 && LESS(&item_, &(array)[j_ - 1])) \
			{ \
				(array)[j_] = (array)[j_ - 1]; \
				j_--; \
			} \
			(array)[j_] = item_; \
		} \
	} while (0)

/* The canonical order of a customer's rows: by start, end, amount. */
static inline int
sm_book_row_cmp(const BookRow *a, const BookRow *b)
{
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (a->end != b->end)
		return a->end < b->end ? -1 : 1;
	return (a->mrr > b->mrr) - (a->mrr < b->mrr);
}

/*
 * One customer in the flat form.  Its rows' amounts are at its scale, or,
 * with own_scales, each at its own smallest scale, read at its scale (see
 * the file header): their scales are in the flat form's row scales, in the
 * order of the customers and of their rows (so found by a walk, BookWalk).
 */
typedef struct BookCustomer
{
	int64		key;			/* the id if bigint, else the offset of its
								 * image in the arena */
	uint32		hash;			/* of the id */
	int32		first_start;	/* earliest started_at of any of its rows */
	int32		nrows;			/* its rows that are active on some day */
	uint8		scale;			/* its amounts are read at */
	uint8		own_scales;		/* bool: its rows have scales of their own */
} BookCustomer;

/*
 * A customer's scale from its amounts' (MoneyScales): the smallest at which
 * all are exact, or if they do not all fit at it, the finest at which they
 * do, its rows then keeping scales of their own.
 */
static inline void
sm_book_customer_scale(BookCustomer *c, const MoneyScales *scales)
{
	c->own_scales = scales->fits < scales->exact;
	c->scale = (uint8) Min(scales->exact, scales->fits);
}

#define BOOK_FORMAT_VERSION 2
#define BOOK_HAS_READ_OPTIONS 0x01
/*
 * A partial aggregate's book on its way to the leader, whose rows are in
 * runs of the query's file set (book_spill.c): never stored, never read but
 * by the combine function.
 */
#define BOOK_RUNS_ELSEWHERE 0x02

/*
 * A partial aggregate's book of this many rows or more leaves as runs, even
 * within saas_metrics.max_memory: the leader then reads it from a file as
 * it reads it, rather than holding a copy of every worker's book.
 */
#define SM_HANDOFF_FROM_ROWS 65536

typedef struct BookFlat
{
	int32		vl_len_;
	uint8		version;		/* BOOK_FORMAT_VERSION; 0.1.0 books have 1 */
	uint8		key_kind;		/* a BookKeyKind */
	uint8		flags;
	uint8		max_scale;		/* largest customer scale */
	uint8		period;			/* read options, when BOOK_HAS_READ_OPTIONS */
	uint8		display_scale;	/* largest scale of the amounts as written */
	uint8		unused[2];
	int32		from_day;
	int32		to_day;
	int32		min_day;		/* earliest started_at */
	int32		max_day;		/* latest started_at or ended_at */
	int32		ncustomers;		/* at least 1 */
	int32		nrows;
	int64		arena_len;
} BookFlat;

#define BOOK_CUSTOMERS(f) ((BookCustomer *) ((char *) (f) + MAXALIGN(sizeof(BookFlat))))
#define BOOK_ROWS(f) ((BookRow *) (BOOK_CUSTOMERS(f) + (f)->ncustomers))
#define BOOK_ARENA(f) ((char *) (BOOK_ROWS(f) + (f)->nrows))
/* the scales of the rows of customers with own_scales, to the end */
#define BOOK_ROW_SCALES(f) ((uint8 *) (BOOK_ARENA(f) + (f)->arena_len))
#define BOOK_ROW_SCALES_LEN(f) \
	((Size) ((char *) (f) + VARSIZE(f) - (char *) BOOK_ROW_SCALES(f)))

/* A walk over a flat book's customers, in order. */
typedef struct BookWalk
{
	const BookFlat *flat;
	int32		next;			/* the next customer */
	const BookRow *rows;		/* its rows */
	const uint8 *row_scales;	/* the next row scales */
} BookWalk;

static inline void
sm_book_walk_begin(BookWalk *walk, const BookFlat *flat)
{
	walk->flat = flat;
	walk->next = 0;
	walk->rows = BOOK_ROWS(flat);
	walk->row_scales = BOOK_ROW_SCALES(flat);
}

/*
 * The next customer, its rows and their scales (NULL when they are at its
 * scale); NULL at the end.
 */
static inline const BookCustomer *
sm_book_walk_next(BookWalk *walk, const BookRow **rows, const uint8 **row_scales)
{
	const BookCustomer *c;

	if (walk->next >= walk->flat->ncustomers)
		return NULL;
	c = &BOOK_CUSTOMERS(walk->flat)[walk->next++];
	*rows = walk->rows;
	walk->rows += c->nrows;
	*row_scales = NULL;
	if (c->own_scales)
	{
		*row_scales = walk->row_scales;
		walk->row_scales += c->nrows;
	}
	return c;
}

/* What a flat form holds, as it is written: the terms of its size, its max_scale. */
typedef struct BookFlatCounts
{
	int64		ncustomers;
	int64		nrows;
	int64		arena_len;
	int64		nrow_scales;	/* the rows of customers with own_scales */
	int			max_scale;
} BookFlatCounts;

/* Rows with their scales, grown as needed (sm_book_rows_room). */
typedef struct BookRowBuffer
{
	BookRow    *rows;
	uint8	   *scales;
	int32		capacity;
} BookRowBuffer;

/* One input row, as the transition function logs it: 32 bytes. */
typedef struct BookLogRow
{
	int64		key;			/* as BookCustomer.key, into the log's arena */
	int64		mrr;			/* units of 10^-scale */
	uint32		hash;
	int32		start;
	int32		end;			/* >= start, or DATEVAL_NOEND */
	uint8		scale;
} BookLogRow;

typedef struct BookRuns BookRuns;	/* book_spill.c */

typedef struct Book
{
	ExpandedObjectHeader hdr;

	BookKeyKind key_kind;
	BookReadOptions options;
	text	   *period_arg;		/* the shorthand's period as first given */
	int32		min_day;
	int32		max_day;
	int			display_scale;
	int			max_row_scale;	/* of the rows logged: a bound of their customers' */

	/* the rows as they came: no lookup per row */
	BookLogRow *log;
	int32		nlog;
	int32		maxlog;
	char	   *arena;			/* id images of text and uuid ids, MAXALIGNed */
	Size		arena_len;
	Size		arena_max;

	/* the log spilled to temporary files once it outgrows max_memory */
	bool		spill_decided;	/* may_spill and spill_to_leader are set */
	bool		may_spill;
	bool		spill_to_leader;	/* a partial aggregate's: runs handed on */
	BookRuns   *runs;

	/* books to merge into one when read (the combine function's) */
	BookFlat  **pending;
	int			npending;
	int			maxpending;

	/* the flat form: read from a datum or merged, or the log's, once built */
	BookFlat   *flat;
	bool		flat_is_log;	/* flat is the log's and goes stale with it */
} Book;

/* book_keys.c */
extern uint32 sm_key_hash(BookKeyKind kind, const char *arena, int64 key);
extern int	sm_key_compare(BookKeyKind kind, const char *arena_a, int64 a, const char *arena_b, int64 b);
extern Size sm_key_image_size(BookKeyKind kind, const char *image);
extern char *sm_key_cstring(BookKeyKind kind, const char *arena, int64 key);
extern const char *sm_key_kind_name(BookKeyKind kind);

/* book_flat.c */
extern const ExpandedObjectMethods sm_book_methods;
extern Book *sm_book_create(MemoryContext parent, BookKeyKind kind);
extern void sm_book_log_row(Book *book, int64 key, const char *id_bytes, Size id_len,
							int64 mrr, int scale, int display_scale, int32 start, int32 end);
extern BookFlat *sm_book_flat(Book *book);
extern Book *sm_datum_book(Datum d);
extern BookFlat *sm_book_flat_from_datum(Datum d);
extern Book *sm_book_from_flat(BookFlat *flat, MemoryContext parent);
extern void sm_book_set_flat(Book *book, BookFlat *flat);
extern void sm_book_options_to_flat(const BookReadOptions *options, BookFlat *flat);
extern void sm_book_header(const Book *book, BookFlat *flat);
extern void sm_book_rows_room(BookRowBuffer *buffer, int64 n, MemoryContext cxt);
extern void sm_book_rows_free(BookRowBuffer *buffer);
extern Size sm_book_flat_size(const BookFlatCounts *counts);
extern void sm_book_set_counts(BookFlat *flat, const BookFlatCounts *counts);
extern void sm_book_options_from_flat(const BookFlat *flat, BookReadOptions *options);
extern void sm_book_too_large(void) pg_attribute_noreturn();
extern void sm_sort_book_rows(BookRow *rows, size_t n);
extern void sm_book_sort_log(Book *book);
extern int32 sm_book_log_customer_end(const Book *book, const BookLogRow *rows, int32 i, int32 n);
extern void sm_book_customer_rows(const BookLogRow *rows, int32 n, BookCustomer *c,
								  BookRow *out, uint8 *out_scales);
extern void sm_book_settle_rows(BookCustomer *c, BookRow *rows, uint8 *scales);

/* book_history.c */
extern bool sm_book_keeps_history(const Book *book);
extern void sm_book_summarise_history(Book *book);

/* book_merge.c */
extern void sm_book_merge_parts(Book *book);

/* book_spill.c */
extern int	sm_book_max_memory;
extern bool sm_book_over_budget(int64 log_rows, Size arena_bytes);
extern void sm_book_set_spill(Book *book, FunctionCallInfo fcinfo);
extern void sm_book_spill_init(void);
extern void sm_book_expect_handoffs(void);
extern BookFlat *sm_book_handoff(Book *book);
extern void sm_book_adopt_runs(FunctionCallInfo fcinfo, Book *book, const BookFlat *flat);
extern BookFlat *sm_book_flat_or_handoff(Datum d);
extern void sm_book_spill_log(Book *book);
extern void sm_book_register_run_cleanup(FunctionCallInfo fcinfo, Book *book);

/* book_io.c */
extern void sm_book_check_version(const BookFlat *flat);

#endif
