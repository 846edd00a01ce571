/*
 * book_results.c
 *		How the rows of a book reader leave: as a set (the readers of a book)
 *		or as an array (the final functions of the shorthand aggregates).
 *
 * A reader adds its rows up over customers (a BookWalker); it runs behind a
 * set-returning function of (book, options) or behind the final function of
 * a shorthand aggregate, which reads the book with the period and window
 * the aggregate was given.  A parallel leader's book, whose parts are its
 * workers' runs, is walked by several processes at once
 * (book_walk_parallel.c).  The row type comes from the catalog (the
 * function's declared result), never from the call site: a distributed
 * planner such as Citus calls final functions without one.
 */
#include "postgres.h"

#include "funcapi.h"
#include "utils/array.h"
#include "utils/memutils.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

#include "reading.h"

/*
 * The rows of a walker over a book: its flat form, or stream (then flat is
 * its header) of book, the datum's book in parts, which may be walked in
 * parallel.
 */
static HeapTuple *
walk_book(const BookWalker *walker, const BookFlat *flat, BookStream *stream, Book *book,
		  const BookReading *reading, TupleDesc tupdesc, int32 *nrows)
{
	Timeline	tl;
	void	   *totals = palloc_extended(walker->totals_size(reading), MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);

	sm_timeline_init(&tl, flat, stream, reading->zero_mrr);
	if (stream == NULL || !sm_walk_in_parallel(book, &tl, reading, walker, totals))
		walker->walk(&tl, reading, totals);
	return walker->rows(&tl, reading, totals, tupdesc, nrows);
}

/* reader(book, options) RETURNS SETOF row */
Datum
sm_read_as_set(FunctionCallInfo fcinfo, const ReaderArgs *args, const BookWalker *walker)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	BookReading reading;
	BookFlat	header;
	BookFlat   *flat;
	BookStream *stream;

	InitMaterializedSRF(fcinfo, 0);
	if ((flat = sm_reading_begin(fcinfo, args, &reading, &header, &stream)) != NULL)
	{
		int32		n;
		HeapTuple  *tuples = walk_book(walker, flat, stream, sm_datum_book(PG_GETARG_DATUM(0)),
									   &reading, rsinfo->setDesc, &n);

		for (int32 i = 0; i < n; i++)
			tuplestore_puttuple(rsinfo->setResult, tuples[i]);
	}
	PG_RETURN_NULL();
}

/*
 * final(book) RETURNS row[]: the book read as its shorthand aggregate was
 * asked to (the whole data when whole_window, as a cohort triangle is).
 */
Datum
sm_read_as_array(FunctionCallInfo fcinfo, const BookWalker *walker, bool whole_window)
{
	BookReading reading;
	BookFlat	header;
	BookFlat   *flat;
	BookStream *stream;
	Oid			element_type;
	TupleDesc	tupdesc;
	HeapTuple  *tuples;
	int32		n;
	Datum	   *elements;
	int16		typlen;
	bool		typbyval;
	char		typalign;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	stream = sm_book_input(PG_GETARG_DATUM(0), &header, &flat);
	sm_reading_of_shorthand(&reading, flat);
	if (whole_window)
		sm_reading_window(&reading, flat, DATEVAL_NOBEGIN, DATEVAL_NOEND);
	element_type = get_element_type(get_func_rettype(fcinfo->flinfo->fn_oid));
	tupdesc = BlessTupleDesc(lookup_rowtype_tupdesc_copy(element_type, -1));
	tuples = walk_book(walker, flat, stream, sm_datum_book(PG_GETARG_DATUM(0)), &reading, tupdesc, &n);

	elements = palloc(Max(n, 1) * sizeof(Datum));
	for (int32 i = 0; i < n; i++)
		elements[i] = HeapTupleGetDatum(tuples[i]);
	get_typlenbyvalalign(element_type, &typlen, &typbyval, &typalign);
	PG_RETURN_ARRAYTYPE_P(construct_array(elements, n, element_type, typlen, typbyval, typalign));
}
