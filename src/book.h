/*
 * book.h
 *		The subscription book: the aggregate state behind mrr_movements() and
 *		cohort_retention().
 *
 * During aggregation the book is a read/write expanded object living in the
 * aggregate's memory context, so no row copies it.  Its flat form (a varlena
 * of type subscription_book) is what crosses process boundaries: parallel
 * workers hand it to the leader, Citus workers to the coordinator, and a
 * materialized view can store it.
 *
 * Each input row is reduced, once, to the half-open range of period indexes
 * [start, end) at whose period ends it is active (see mrr_movements.c for
 * why), and its MRR to an int64 count of 10^-mrr_scale units.
 */
#ifndef SM_BOOK_H
#define SM_BOOK_H

#include "postgres.h"

#include "fmgr.h"
#include "access/tupdesc.h"
#include "utils/expandeddatum.h"
#include "utils/typcache.h"

#include "period.h"

/* One input row, as the transition function logs it. */
typedef struct BookLogRow
{
	int64		key;			/* the id itself if by value, else the offset
								 * of its image in the key arena */
	int64		mrr;			/* units of 10^-mrr_scale */
	uint32		hash;			/* of the id */
	int32		start;			/* first period end at which it is active */
	int32		end;			/* first period end at which it is not, or
								 * PERIOD_OPEN; start = end: never active */
} BookLogRow;

struct BookFlat;

/* How customer ids of one type are stored, hashed and compared. */
typedef struct BookKeyInfo
{
	Oid			type;
	Oid			collation;
	int16		typlen;
	bool		byval;
	char		align;
	int			hashing;		/* a KeyHashing */
	TypeCacheEntry *typcache;
} BookKeyInfo;

typedef struct Book
{
	ExpandedObjectHeader hdr;

	/* what every row of one aggregate call shares */
	PeriodKind	period;
	bool		has_bounds;
	int32		from_period;	/* window, when has_bounds */
	int32		to_period;
	int			mrr_scale;

	/* extent of the data: earliest start, latest start or end */
	int32		min_period;
	int32		max_period;

	BookKeyInfo key;

	/*
	 * A book is either a log (the rows as they came, appended by the
	 * transition function: no lookup per row) or flat (customers grouped, in
	 * ascending hash order, as the combine and final functions read them).
	 * A log becomes flat by a radix sort on the hash and one pass.
	 */
	BookLogRow *log;
	int32		nlog;
	int32		maxlog;
	char	   *arena;			/* by-reference id images, MAXALIGNed */
	Size		arena_len;
	Size		arena_max;
	struct BookFlat *log_flat;	/* the log's flat form, while it is current */

	struct BookFlat *flat;
	int32	   *flat_row_start; /* each flat customer's first row */
	int32		ncustomers;		/* of a flat book */

	/* the arguments last checked, to skip checking them again per row */
	Datum		last_period_arg;
} Book;

/* Events of one customer: changes of its active-row count and MRR. */
typedef struct BookEvent
{
	int32		period;
	int32		delta_rows;
	int128		delta_mrr;		/* sums of same-period rows: may pass int64 */
} BookEvent;

extern Book *sm_book_from_datum(Datum d, MemoryContext cxt);
extern int32 sm_book_first_start(Book *book, int32 customer);
extern int	sm_book_customer_events(Book *book, int32 customer, BookEvent **events,
									int *capacity);
extern void sm_book_window(Book *book, bool use_bounds, int32 *first, int32 *last);
extern TupleDesc sm_book_result_tupdesc(FunctionCallInfo fcinfo, int natts);
extern Datum sm_book_result_array(FunctionCallInfo fcinfo, Datum *elements, int n);

#endif
