/*
 * reading.h
 *		How a book is read: the options every reader takes, and a customer's
 *		rows as dated changes of its state.
 */
#ifndef SM_READING_H
#define SM_READING_H

#include "postgres.h"

#include "access/htup.h"
#include "access/tupdesc.h"
#include "fmgr.h"
#include "utils/numeric.h"

#include "book_stream.h"

/* When a customer counts as active. */
typedef enum ZeroMrrConvention
{
	ZERO_MRR_INACTIVE,			/* while its MRR is above zero */
	ZERO_MRR_ACTIVE				/* while it has an active row, even at MRR 0 */
} ZeroMrrConvention;

/* Which changes inside a period are movements. */
typedef enum ChangesConvention
{
	CHANGES_PERIOD_END,			/* the net change between period ends */
	CHANGES_ALL					/* every change, on the day it happens */
} ChangesConvention;

typedef struct BookReading
{
	PeriodKind	period;
	ZeroMrrConvention zero_mrr;
	ChangesConvention changes;
	int32		first;			/* the periods reported; none if first > last */
	int32		last;
} BookReading;

/* The argument numbers of a reader's options (the book is argument 0). */
#define NO_ARG (-1)
typedef struct ReaderArgs
{
	int			period;
	int			from;
	int			to;
	int			zero_mrr;
	int			changes;
} ReaderArgs;

/* reporting_window.c */
extern BookFlat *sm_reading_begin(FunctionCallInfo fcinfo, const ReaderArgs *args,
								  BookReading *reading, BookFlat *header, BookStream **stream);
extern PeriodKind sm_reading_period(FunctionCallInfo fcinfo, int argno);
extern ZeroMrrConvention sm_reading_zero_mrr(FunctionCallInfo fcinfo, int argno);
extern ChangesConvention sm_reading_changes(FunctionCallInfo fcinfo, int argno);
extern DateADT sm_reading_bound(FunctionCallInfo fcinfo, int argno, DateADT unbounded,
								const char *argname);
extern void sm_reading_window(BookReading *reading, const BookFlat *flat, DateADT from, DateADT to);
extern void sm_reading_of_shorthand(BookReading *reading, const BookFlat *flat);


/*
 * A change of one customer's state: on a day, or (after
 * sm_timeline_by_period) at a period end.
 */
typedef struct StateChange
{
	int128		delta_mrr;		/* at the book's max_scale */
	int32		at;				/* a day, or a period */
	int32		delta_rows;
} StateChange;

/*
 * A walk over the customers of a flat book, or of a book in parts read as a
 * stream, one timeline at a time.  Amounts are at scale: the book's
 * max_scale, or for a stream a bound of it (max_scale is exact once the
 * walk has ended, and sm_book_amount reads them then).
 */
typedef struct Timeline
{
	const BookFlat *flat;		/* or the stream's header */
	BookStream *stream;
	ZeroMrrConvention zero_mrr;
	int			scale;
	int			max_scale;
	int32		next_customer;
	BookWalk	walk;			/* of flat, read without a stream */
	const BookCustomer *customer;	/* the current one */
	const char *arena;			/* where its id is */
	StateChange *changes;
	int			nchanges;
	int			capacity;
	PeriodKind	grouped_by;		/* valid once grouped */
	bool		grouped;
	bool		group_as_built; /* each customer's changes by grouped_by */
} Timeline;

/* customer_timeline.c */
extern void sm_timeline_init(Timeline *tl, const BookFlat *flat, BookStream *stream,
							 ZeroMrrConvention zero_mrr);
extern bool sm_timeline_next(Timeline *tl);
extern void sm_timeline_by_period(Timeline *tl, PeriodKind period);
extern void sm_timeline_group_as_built(Timeline *tl, PeriodKind period);
extern void sm_timeline_check(const Timeline *tl, int128 mrr, int32 at);
extern char *sm_timeline_customer_id(const Timeline *tl);
extern Numeric sm_book_amount(const Timeline *tl, int128 value);

static inline bool
sm_timeline_active(const Timeline *tl, int64 rows, int128 mrr)
{
	return tl->zero_mrr == ZERO_MRR_INACTIVE ? mrr > 0 : rows > 0;
}

/*
 * A reader whose rows are sums over customers (mrr_movements,
 * cohort_retention): its walk adds each customer it meets into totals that
 * add up, so that the customers of a book can be walked in parts, by
 * several processes (book_walk_parallel.c), and their totals added.
 */
typedef struct BookWalker
{
	/* bytes of its totals (zeroed before a walk), for the reading */
	Size		(*totals_size) (const BookReading *reading);
	/* every customer the timeline meets, added into totals */
	void		(*walk) (Timeline *tl, const BookReading *reading, void *totals);
	/* totals of other customers, added into into */
	void		(*add) (void *into, const void *totals, const BookReading *reading);
	/* the rows, once every customer is in totals (tl gives the amounts' scale) */
	HeapTuple  *(*rows) (const Timeline *tl, const BookReading *reading, void *totals,
						 TupleDesc tupdesc, int32 *nrows);
} BookWalker;

extern const BookWalker sm_movement_walker;	/* mrr_movements.c */
extern const BookWalker sm_cohort_walker;	/* cohort.c */

/*
 * book_results.c: a walker's rows, as a set (the readers of a book) or as
 * an array (the final functions of the shorthand aggregates).
 */
extern Datum sm_read_as_set(FunctionCallInfo fcinfo, const ReaderArgs *args, const BookWalker *walker);
extern Datum sm_read_as_array(FunctionCallInfo fcinfo, const BookWalker *walker, bool whole_window);

/* book_walk_parallel.c */
extern bool sm_walk_in_parallel(Book *book, Timeline *tl, const BookReading *reading,
								const BookWalker *walker, void *totals);

#endif
