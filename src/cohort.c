/*
 * cohort.c
 *		Logo and revenue retention of activation cohorts by age: the reader
 *		cohort_retention(book, period, zero_mrr) and the final function of the
 *		shorthand aggregate cohort_retention(customer_id, ...).
 *
 * A customer's cohort is the period in which it was acquired: under
 * zero_mrr 'inactive' (the default) the period of the first day its MRR is
 * above zero, its first paying day (a customer who never pays is in no
 * cohort); under 'active' the period of its earliest started_at.  Age k of a
 * cohort is the end of period cohort + k, read with the end-of-period
 * snapshot of mrr_movements.  Cells run from age 0 to the last period with
 * data, or to the period containing "to": cohort cells of disjoint sets of
 * customers read to the same "to" add up (a Citus shard's, a segment's).
 * Each customer's changes of state at period ends are added as
 * differences to its cohort's row of cells, and a running sum over the ages
 * then gives every cell: one pass over the rows plus one over the cells,
 * whatever the number of ages.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/fmgrprotos.h"

#include "money.h"
#include "reading.h"

/* A triangle of this many cells (about 3,000 periods) at the most. */
#define MAX_COHORT_CELLS 5000000

typedef struct CohortCell
{
	int64		active;			/* differences, then running sums */
	int128		mrr;
} CohortCell;

/*
 * The period of the customer's cohort, or false if it has none: its first
 * paying day's (zero_mrr 'inactive') or its first start's ('active').
 */
static bool
customer_cohort(const Timeline *tl, PeriodKind period, int32 *cohort)
{
	int128		mrr = 0;

	if (tl->zero_mrr == ZERO_MRR_ACTIVE)
	{
		*cohort = sm_period_of_date(period, tl->customer->first_start);
		return true;
	}
	for (int i = 0; i < tl->nchanges; i++)
	{
		mrr += tl->changes[i].delta_mrr;
		if (mrr > 0)
		{
			*cohort = sm_period_of_date(period, tl->changes[i].at);
			return true;
		}
	}
	return false;
}

static HeapTuple *
cohort_tuples(const BookFlat *flat, BookStream *stream, const BookReading *reading,
			  TupleDesc tupdesc, int32 *ntuples)
{
	int32		first = reading->first;
	int32		last = reading->last;
	int32		nperiods = last - first + 1;
	int64		ncells = (int64) nperiods * (nperiods + 1) / 2;
	int64	   *cohort_size;
	int64	   *cohort_offset;	/* first cell of each cohort */
	CohortCell *cells;
	HeapTuple  *tuples;
	int32		n = 0;
	Timeline	tl;

	*ntuples = 0;
	if (nperiods <= 0)
		return NULL;
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

	sm_timeline_init(&tl, flat, stream, reading->zero_mrr);
	while (sm_timeline_next(&tl))
	{
		int32		cohort;
		CohortCell *row;
		int64		rows = 0;
		int128		mrr = 0;

		/* no cohort, or one after the last period read */
		if (!customer_cohort(&tl, reading->period, &cohort) || cohort > last)
			continue;
		row = cells + cohort_offset[cohort - first];
		cohort_size[cohort - first]++;
		sm_timeline_by_period(&tl, reading->period);
		for (int i = 0; i < tl.nchanges && tl.changes[i].at <= last; i++)
		{
			const StateChange *ch = &tl.changes[i];
			bool		was_active = sm_timeline_active(&tl, rows, mrr);
			int32		age = Max(ch->at - cohort, 0);

			rows += ch->delta_rows;
			mrr += ch->delta_mrr;
			sm_timeline_check(&tl, mrr, ch->at);
			row[age].active += (int) sm_timeline_active(&tl, rows, mrr) - (int) was_active;
			row[age].mrr += ch->delta_mrr;
		}
	}

	tuples = palloc(Max(ncells, 1) * sizeof(HeapTuple));
	for (int32 cohort = 0; cohort < nperiods; cohort++)
	{
		CohortCell *row = cells + cohort_offset[cohort];
		Datum		cohort_mrr;
		Datum		cohort_start;

		CHECK_FOR_INTERRUPTS();
		if (cohort_size[cohort] == 0)
			continue;
		for (int32 age = 1; age < nperiods - cohort; age++)
		{
			row[age].active += row[age - 1].active;
			row[age].mrr += row[age - 1].mrr;
		}
		cohort_mrr = NumericGetDatum(sm_book_amount(&tl, row[0].mrr));
		cohort_start = DateADTGetDatum(sm_period_start(reading->period, first + cohort));

		for (int32 age = 0; age < nperiods - cohort; age++)
		{
			Datum		values[8];
			bool		nulls[8] = {false};
			Datum		mrr = NumericGetDatum(sm_book_amount(&tl, row[age].mrr));

			values[0] = cohort_start;
			values[1] = Int32GetDatum(age);
			values[2] = Int64GetDatum(cohort_size[cohort]);
			values[3] = Int64GetDatum(row[age].active);
			values[4] = Float8GetDatum((float8) row[age].active / (float8) cohort_size[cohort]);
			values[5] = cohort_mrr;
			values[6] = mrr;
			/* as (mrr / cohort_mrr)::float8 would give it in SQL */
			if (row[0].mrr == 0)
				nulls[7] = true;
			else
				values[7] = DirectFunctionCall1(numeric_float8,
												DirectFunctionCall2(numeric_div, mrr, cohort_mrr));
			Assert(tupdesc->natts == 8);
			tuples[n++] = heap_form_tuple(tupdesc, values, nulls);
		}
	}
	*ntuples = n;
	return tuples;
}

/* cohort_retention(book, period, zero_mrr, "to") RETURNS SETOF cohort_cell */
PG_FUNCTION_INFO_V1(cohort_retention_of_book);
Datum
cohort_retention_of_book(PG_FUNCTION_ARGS)
{
	static const ReaderArgs args = {.period = 1,.from = NO_ARG,.to = 3,.zero_mrr = 2,.changes = NO_ARG};

	return sm_read_as_set(fcinfo, &args, cohort_tuples);
}

/*
 * cohort_retention_final(book): the final function of the shorthand
 * aggregate cohort_retention(customer_id, started_at, ended_at, mrr, ...),
 * whose triangle is always of the whole data.
 */
PG_FUNCTION_INFO_V1(cohort_retention_final);
Datum
cohort_retention_final(PG_FUNCTION_ARGS)
{
	return sm_read_as_array(fcinfo, cohort_tuples, true);
}
