/*
 * book_results.c
 *		How the rows of a book reader leave: as a set (the readers of a book)
 *		or as an array (the final functions of the shorthand aggregates).
 *
 * A reader that computes all its rows at once is a BookRowsReader; it runs
 * behind a set-returning function of (book, options) or behind the final
 * function of a shorthand aggregate, which reads the book with the period
 * and window the aggregate was given.  The row type comes from the
 * catalog (the function's declared result), never from the call site: a
 * distributed planner such as Citus calls final functions without one.
 */
#include "postgres.h"

#include "funcapi.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

#include "reading.h"

/* reader(book, options) RETURNS SETOF row */
Datum
sm_read_as_set(FunctionCallInfo fcinfo, const ReaderArgs *args, BookRowsReader read)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	BookReading reading;
	BookFlat	header;
	BookFlat   *flat;
	BookStream *stream;

	InitMaterializedSRF(fcinfo, 0);
	if ((flat = sm_reading_begin_stream(fcinfo, args, &reading, &header, &stream)) != NULL)
	{
		int32		n;
		HeapTuple  *tuples = read(flat, stream, &reading, rsinfo->setDesc, &n);

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
sm_read_as_array(FunctionCallInfo fcinfo, BookRowsReader read, bool whole_window)
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
	tuples = read(flat, stream, &reading, tupdesc, &n);

	elements = palloc(Max(n, 1) * sizeof(Datum));
	for (int32 i = 0; i < n; i++)
		elements[i] = HeapTupleGetDatum(tuples[i]);
	get_typlenbyvalalign(element_type, &typlen, &typbyval, &typalign);
	PG_RETURN_ARRAYTYPE_P(construct_array(elements, n, element_type, typlen, typbyval, typalign));
}
