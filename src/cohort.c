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

/*
 * What cohort_retention adds up: each cohort's size, then its triangle's
 * cells, cohort by cohort, as differences from one age to the next (each
 * customer adds only where its state changes), summed over ages when read.
 */
static int32
cohort_periods(const BookReading *reading)
{
	return reading->last >= reading->first ? reading->last - reading->first + 1 : 0;
}

static int64
cohort_cells(const BookReading *reading)
{
	int64		nperiods = cohort_periods(reading);

	return nperiods * (nperiods + 1) / 2;
}

/* The first cell of a cohort: cohorts before it have nperiods, nperiods - 1, ... cells. */
static int64
cohort_offset(int32 nperiods, int32 cohort)
{
	return (int64) cohort * nperiods - (int64) cohort * (cohort - 1) / 2;
}

#define COHORT_SIZES(totals) ((int64 *) (totals))
#define COHORT_CELLS(totals, reading) \
	((CohortCell *) ((char *) (totals) + MAXALIGN(cohort_periods(reading) * sizeof(int64))))

static Size
cohort_totals_size(const BookReading *reading)
{
	int64		ncells = cohort_cells(reading);

	if (ncells > MAX_COHORT_CELLS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many cohort cells: " INT64_FORMAT, ncells),
				 errdetail("%d periods make a triangle of more than %d cells.",
						   cohort_periods(reading), MAX_COHORT_CELLS),
				 errhint("Use a longer period, e.g. 'month' rather than 'week'.")));
	return MAXALIGN(cohort_periods(reading) * sizeof(int64)) + ncells * sizeof(CohortCell);
}

static void
cohort_walk(Timeline *tl, const BookReading *reading, void *totals)
{
	int32		first = reading->first;
	int32		last = reading->last;
	int64	   *cohort_size = COHORT_SIZES(totals);
	CohortCell *cells = COHORT_CELLS(totals, reading);

	if (cohort_periods(reading) == 0)
		return;
	while (sm_timeline_next(tl))
	{
		int32		cohort;
		CohortCell *row;
		int64		rows = 0;
		int128		mrr = 0;

		/* no cohort, or one after the last period read */
		if (!customer_cohort(tl, reading->period, &cohort) || cohort > last)
			continue;
		row = cells + cohort_offset(cohort_periods(reading), cohort - first);
		cohort_size[cohort - first]++;
		sm_timeline_by_period(tl, reading->period);
		for (int i = 0; i < tl->nchanges && tl->changes[i].at <= last; i++)
		{
			const StateChange *ch = &tl->changes[i];
			bool		was_active = sm_timeline_active(tl, rows, mrr);
			int32		age = Max(ch->at - cohort, 0);

			rows += ch->delta_rows;
			mrr += ch->delta_mrr;
			sm_timeline_check(tl, mrr, ch->at);
			row[age].active += (int) sm_timeline_active(tl, rows, mrr) - (int) was_active;
			row[age].mrr += ch->delta_mrr;
		}
	}
}

static void
cohort_add(void *into, const void *totals, const BookReading *reading)
{
	CohortCell *cells = COHORT_CELLS(into, reading);
	const CohortCell *other = COHORT_CELLS(totals, reading);

	for (int32 c = 0; c < cohort_periods(reading); c++)
		COHORT_SIZES(into)[c] += COHORT_SIZES(totals)[c];
	for (int64 i = 0; i < cohort_cells(reading); i++)
	{
		cells[i].active += other[i].active;
		cells[i].mrr += other[i].mrr;
	}
}

static HeapTuple *
cohort_rows(const Timeline *tl, const BookReading *reading, void *totals, TupleDesc tupdesc,
			int32 *ntuples)
{
	int32		nperiods = cohort_periods(reading);
	int64	   *cohort_size = COHORT_SIZES(totals);
	CohortCell *cells = COHORT_CELLS(totals, reading);
	HeapTuple  *tuples = palloc(Max(cohort_cells(reading), 1) * sizeof(HeapTuple));
	int32		n = 0;

	for (int32 cohort = 0; cohort < nperiods; cohort++)
	{
		CohortCell *row = cells + cohort_offset(nperiods, cohort);
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
		cohort_mrr = NumericGetDatum(sm_book_amount(tl, row[0].mrr));
		cohort_start = DateADTGetDatum(sm_period_start(reading->period, reading->first + cohort));

		for (int32 age = 0; age < nperiods - cohort; age++)
		{
			Datum		values[8];
			bool		nulls[8] = {false};
			Datum		mrr = NumericGetDatum(sm_book_amount(tl, row[age].mrr));

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

const BookWalker sm_cohort_walker = {
	cohort_totals_size, cohort_walk, cohort_add, cohort_rows
};

/* cohort_retention(book, period, zero_mrr, "to") RETURNS SETOF cohort_cell */
PG_FUNCTION_INFO_V1(cohort_retention_of_book);
Datum
cohort_retention_of_book(PG_FUNCTION_ARGS)
{
	static const ReaderArgs args = {.period = 1,.from = NO_ARG,.to = 3,.zero_mrr = 2,.changes = NO_ARG};

	return sm_read_as_set(fcinfo, &args, &sm_cohort_walker);
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
	return sm_read_as_array(fcinfo, &sm_cohort_walker, true);
}
