/*
 * customers_at.c
 *		The customers active on a day, with their MRR: a snapshot of a book,
 *		for lists ("who pays us today"), labels ("was this customer still
 *		active 90 days later") and checks against a billing system.
 *
 * A customer's state on a day is the one after that day's changes: its rows
 * with started_at <= day < ended_at.  It is listed when active under the
 * zero_mrr convention.
 */
#include "postgres.h"

#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/date.h"

#include "money.h"
#include "reading.h"

/* customers_at(book, day, zero_mrr) RETURNS TABLE (customer_id text, mrr numeric) */
PG_FUNCTION_INFO_V1(customers_at);
Datum
customers_at(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ZeroMrrConvention zero_mrr;
	DateADT		day;
	BookFlat	header;
	BookFlat   *flat;
	BookStream *stream;
	Timeline	tl;

	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("day must not be NULL")));
	day = PG_GETARG_DATEADT(1);
	if (DATE_NOT_FINITE(day))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("day must be a finite date")));
	zero_mrr = sm_reading_zero_mrr(fcinfo, 2);
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	stream = sm_book_input(PG_GETARG_DATUM(0), &header, &flat);

	sm_timeline_init(&tl, flat, stream, zero_mrr);
	while (sm_timeline_next(&tl))
	{
		int64		rows = 0;
		int128		mrr = 0;

		for (int i = 0; i < tl.nchanges && tl.changes[i].at <= day; i++)
		{
			rows += tl.changes[i].delta_rows;
			mrr += tl.changes[i].delta_mrr;
		}
		sm_timeline_check(&tl, mrr, day);
		if (sm_timeline_active(&tl, rows, mrr))
		{
			Datum		values[2];
			bool		nulls[2] = {false};

			values[0] = CStringGetTextDatum(sm_timeline_customer_id(&tl));
			values[1] = NumericGetDatum(sm_book_amount(&tl, mrr));
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	PG_RETURN_NULL();
}
