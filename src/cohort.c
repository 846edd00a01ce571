/*
 * cohort.c
 *		Final function of cohort_retention(): logo and revenue retention of
 *		activation cohorts by age.
 *
 * A customer's cohort is the period of its earliest started_at; age k of a
 * cohort is the end of period cohort + k, read with the same end-of-period
 * snapshot as mrr_movements().  Cells run from age 0 to the last period
 * with data.  Each customer's state changes (the events of its rows) are
 * added as differences to its cohort's row of cells, and a running sum over
 * the ages then gives every cell: one pass over the rows plus one over the
 * cells, whatever the number of ages.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/float.h"
#include "utils/fmgrprotos.h"

#include "book.h"
#include "money.h"

/* A triangle of this many cells (about 3,000 periods) at the most. */
#define MAX_COHORT_CELLS 5000000

typedef struct CohortCell
{
	int64		active;			/* differences, then running sums */
	int128		mrr;
} CohortCell;

enum
{
	COL_COHORT_START, COL_AGE, COL_COHORT_CUSTOMERS, COL_ACTIVE_CUSTOMERS,
	COL_LOGO_RETENTION, COL_COHORT_MRR, COL_MRR, COL_REVENUE_RETENTION, NUM_COLS
};

PG_FUNCTION_INFO_V1(cohort_retention_final);
Datum
cohort_retention_final(PG_FUNCTION_ARGS)
{
	Book	   *book;
	int32		first,
				last,
				nperiods;
	int64		ncells;
	int64	   *cohort_size;
	int64	   *cohort_offset;	/* first cell of each cohort */
	CohortCell *cells;
	int			capacity = 64;
	BookEvent  *events = palloc(capacity * sizeof(BookEvent));
	TupleDesc	tupdesc;
	Datum	   *elements;
	int64		nelements = 0;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	book = sm_book_from_datum(PG_GETARG_DATUM(0), CurrentMemoryContext);
	sm_book_window(book, false, &first, &last);
	nperiods = last - first + 1;
	ncells = (int64) nperiods * (nperiods + 1) / 2;
	if (ncells > MAX_COHORT_CELLS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many cohort cells: " INT64_FORMAT, ncells),
				 errdetail("%d periods make a triangle of more than %d cells.",
						   nperiods, MAX_COHORT_CELLS),
				 errhint("Use a longer period, e.g. 'month' rather than 'week'.")));

	cohort_size = palloc0(nperiods * sizeof(int64));
	cohort_offset = palloc(nperiods * sizeof(int64));
	for (int32 c = 0, offset = 0; c < nperiods; offset += nperiods - c, c++)
		cohort_offset[c] = offset;
	cells = palloc0(ncells * sizeof(CohortCell));

	for (int32 customer = 0; customer < book->ncustomers; customer++)
	{
		int32		first_start = sm_book_first_start(book, customer);
		int32		cohort = first_start - first;
		CohortCell *row = cells + cohort_offset[cohort];
		int			n = sm_book_customer_events(book, customer, &events, &capacity);
		int64		rows = 0;

		if ((customer & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		cohort_size[cohort]++;
		for (int i = 0; i < n && events[i].period <= last; i++)
		{
			int32		age = events[i].period - first_start;
			bool		was_active = rows > 0;

			rows += events[i].delta_rows;
			row[age].active += (rows > 0) - was_active;
			row[age].mrr += events[i].delta_mrr;
		}
	}

	tupdesc = sm_book_result_tupdesc(fcinfo, NUM_COLS);
	elements = palloc(ncells * sizeof(Datum));
	for (int32 cohort = 0; cohort < nperiods; cohort++)
	{
		CohortCell *row = cells + cohort_offset[cohort];
		Datum		cohort_mrr;

		if (cohort_size[cohort] == 0)
			continue;
		for (int32 age = 1; age < nperiods - cohort; age++)
		{
			row[age].active += row[age - 1].active;
			row[age].mrr += row[age - 1].mrr;
		}
		cohort_mrr = NumericGetDatum(sm_money_numeric(row[0].mrr, book->mrr_scale));

		for (int32 age = 0; age < nperiods - cohort; age++)
		{
			Datum		values[NUM_COLS];
			bool		nulls[NUM_COLS] = {false};
			Datum		mrr = NumericGetDatum(sm_money_numeric(row[age].mrr, book->mrr_scale));

			values[COL_COHORT_START] = DateADTGetDatum(sm_period_start(book->period, first + cohort));
			values[COL_AGE] = Int32GetDatum(age);
			values[COL_COHORT_CUSTOMERS] = Int64GetDatum(cohort_size[cohort]);
			values[COL_ACTIVE_CUSTOMERS] = Int64GetDatum(row[age].active);
			values[COL_LOGO_RETENTION] = Float8GetDatum((float8) row[age].active /
														(float8) cohort_size[cohort]);
			values[COL_COHORT_MRR] = cohort_mrr;
			values[COL_MRR] = mrr;
			/* as (mrr / cohort_mrr)::float8 would give it in SQL */
			if (row[0].mrr == 0)
				nulls[COL_REVENUE_RETENTION] = true;
			else
				values[COL_REVENUE_RETENTION] =
					DirectFunctionCall1(numeric_float8,
										DirectFunctionCall2(numeric_div, mrr, cohort_mrr));
			elements[nelements++] = HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
		}
	}
	return sm_book_result_array(fcinfo, elements, (int) nelements);
}
