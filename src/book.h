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
 * of text and uuid ids.  That order makes merging two books one sequential
 * pass, duplicate ids adjacent, and the form canonical (equal books are
 * equal bytes).
 */
#ifndef SM_BOOK_H
#define SM_BOOK_H

#include "postgres.h"

#include "fmgr.h"
#include "utils/expandeddatum.h"

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

/* One customer in the flat form. */
typedef struct BookCustomer
{
	int64		key;			/* the id if bigint, else the offset of its
								 * image in the arena */
	uint32		hash;			/* of the id */
	int32		first_start;	/* earliest started_at of any of its rows */
	int32		nrows;			/* its rows that are active on some day */
	uint8		scale;			/* of its rows' amounts */
} BookCustomer;

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
extern void sm_book_rows_room(BookRow **rows, int32 *capacity, int64 n, MemoryContext cxt);
extern void sm_book_options_from_flat(const BookFlat *flat, BookReadOptions *options);
extern void sm_book_too_large(void) pg_attribute_noreturn();
extern void sm_sort_book_rows(BookRow *rows, size_t n);
extern void sm_book_sort_log(Book *book);
extern int32 sm_book_log_customer_end(const Book *book, const BookLogRow *rows, int32 i, int32 n);
extern int32 sm_book_customer_rows(const BookLogRow *rows, int32 n, BookRow *out,
								   int32 *first_start, int *scale);

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
