/*
 * book_lifecycle.c
 *		Customer lifecycle read from a subscription book: how long customers
 *		stay (customer_survival) and how fast trial and free customers start
 *		paying (cohort_conversion, conversion_curves).
 *
 * Lifetime.  A customer's lifetime starts in its cohort (the period of its
 * first paying day under zero_mrr 'inactive', of its first start under
 * 'active': the cohorts of cohort_retention) and is read at period ends, as
 * cohort_retention reads them: its event is the first age k >= 0 at whose
 * period end it is not active (k = 0: it left inside its first period), its
 * duration k periods; a customer still active at the end of the last
 * period with data is censored there, at age last - cohort.  A comeback
 * after the first churn does not extend a lifetime: survival is of the
 * first spell.  So S(k) is the share of a cohort active at every period end
 * up to age k, cohort_retention's logo retention without reactivations.
 *
 * Conversion.  A customer signs up on its earliest started_at; it converts
 * on its first paying day (the first day its MRR is above zero).  Rows of
 * zero MRR before that day are its trial or free period.  A customer who
 * pays from its first day converts at once (0 days).  Never-converted
 * customers are censored at the book's last day, or at "to".
 *
 * "to" ends the reading at a date common to several books: the lifetimes,
 * cohorts and conversions of disjoint sets of customers read to the same
 * "to" add up (a Citus shard's, a segment's), which their own last days
 * would not allow.  Customers who start after it are not read.
 */
#include "postgres.h"

#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"

#include "reading.h"
#include "survival.h"

/* The day a customer first pays, or false: its first state with MRR > 0. */
static bool
first_paying_day(const Timeline *tl, DateADT *day)
{
	int128		mrr = 0;

	for (int i = 0; i < tl->nchanges; i++)
	{
		mrr += tl->changes[i].delta_mrr;
		if (mrr > 0)
		{
			*day = tl->changes[i].at;
			return true;
		}
	}
	return false;
}

/* customer_survival(book, period, zero_mrr) RETURNS survival_curve */
PG_FUNCTION_INFO_V1(customer_survival);
Datum
customer_survival(PG_FUNCTION_ARGS)
{
	static const ReaderArgs args = {.period = 1,.from = NO_ARG,.to = 3,.zero_mrr = 2,.changes = NO_ARG};
	BookReading reading;
	BookFlat	header;
	BookFlat   *flat;
	BookStream *stream;
	Timeline	tl;
	SurvivalCounts *counts = survival_counts_create(CurrentMemoryContext);

	if ((flat = sm_reading_begin(fcinfo, &args, &reading, &header, &stream)) == NULL)
		PG_RETURN_NULL();

	sm_timeline_init(&tl, flat, stream, reading.zero_mrr);
	while (sm_timeline_next(&tl))
	{
		int32		cohort;
		DateADT		paid_on;
		int64		rows = 0;
		int128		mrr = 0;
		int			i;

		if (reading.zero_mrr == ZERO_MRR_ACTIVE)
			cohort = sm_period_of_date(reading.period, tl.customer->first_start);
		else if (first_paying_day(&tl, &paid_on))
			cohort = sm_period_of_date(reading.period, paid_on);
		else
			continue;			/* never a customer */
		if (cohort > reading.last)
			continue;			/* a customer from after "to" */

		/*
		 * The first period end from the cohort on at which it is not active.
		 * The state at the end of period p is the one after the changes
		 * grouped at periods up to p; it stays the same between changes.
		 */
		sm_timeline_by_period(&tl, reading.period);
		i = 0;
		for (; i < tl.nchanges && tl.changes[i].at < cohort; i++)
		{
			rows += tl.changes[i].delta_rows;
			mrr += tl.changes[i].delta_mrr;
			sm_timeline_check(&tl, mrr, tl.changes[i].at);
		}
		for (int32 p = cohort;; p = tl.changes[i].at)
		{
			if (p > reading.last)
			{
				survival_counts_add(counts, reading.last - cohort, 0, 1);
				break;
			}
			if (i < tl.nchanges && tl.changes[i].at == p)
			{
				rows += tl.changes[i].delta_rows;
				mrr += tl.changes[i].delta_mrr;
				sm_timeline_check(&tl, mrr, p);
				i++;
			}
			if (!sm_timeline_active(&tl, rows, mrr))
			{
				survival_counts_add(counts, p - cohort, 1, 0);
				break;
			}
			if (i >= tl.nchanges)
			{
				survival_counts_add(counts, reading.last - cohort, 0, 1);
				break;
			}
		}
	}
	PG_RETURN_POINTER(survival_counts_curve(counts));
}

/*
 * One signup cohort: its customers, and how many converted within each age
 * (differences, then running sums).
 */
typedef struct ConversionCohort
{
	int64		signups;
	int64	   *converted;
} ConversionCohort;

/*
 * Walk the customers: for each, its signup period and, if it converted, its
 * first paying day.  visit(arg, signup_day, converted, paid_on).
 */
static void
walk_conversions(const BookFlat *flat, BookStream *stream, void (*visit) (void *, DateADT, bool, DateADT),
				 void *arg)
{
	Timeline	tl;

	sm_timeline_init(&tl, flat, stream, ZERO_MRR_INACTIVE);
	while (sm_timeline_next(&tl))
	{
		DateADT		paid_on = 0;
		bool		converted = first_paying_day(&tl, &paid_on);

		visit(arg, tl.customer->first_start, converted, paid_on);
	}
}

typedef struct ConversionTriangle
{
	const BookReading *reading;
	ConversionCohort *cohorts;	/* first .. last */
} ConversionTriangle;

static void
count_conversion(void *arg, DateADT signup, bool converted, DateADT paid_on)
{
	ConversionTriangle *t = arg;
	int32		cohort = sm_period_of_date(t->reading->period, signup) - t->reading->first;
	ConversionCohort *c;

	if (cohort > t->reading->last - t->reading->first)
		return;					/* signed up after "to" */
	c = &t->cohorts[cohort];

	c->signups++;
	if (converted)
	{
		int32		age = sm_period_of_date(t->reading->period, paid_on) -
			sm_period_of_date(t->reading->period, signup);

		if (sm_period_of_date(t->reading->period, paid_on) <= t->reading->last)
			c->converted[age]++;
	}
}

/* cohort_conversion and conversion_curves: (book, period, "to") */
static const ReaderArgs conversion_reader_args = {.period = 1,.from = NO_ARG,.to = 2,.zero_mrr = NO_ARG,.changes = NO_ARG};

/*
 * cohort_conversion(book, period) RETURNS TABLE (cohort_start date, age
 * integer, signups bigint, converted bigint, conversion_rate float8)
 */
PG_FUNCTION_INFO_V1(cohort_conversion);
Datum
cohort_conversion(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	BookReading reading;
	BookFlat	header;
	BookFlat   *flat;
	BookStream *stream;
	ConversionTriangle t = {.reading = &reading};
	int32		nperiods;

	InitMaterializedSRF(fcinfo, 0);
	if ((flat = sm_reading_begin(fcinfo, &conversion_reader_args, &reading, &header,
								 &stream)) == NULL)
		PG_RETURN_NULL();
	nperiods = reading.last - reading.first + 1;
	if (nperiods <= 0)
		PG_RETURN_NULL();		/* "to" before the book's first day: nothing */
	if ((int64) nperiods * (nperiods + 1) / 2 > 5000000)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many conversion cells: %d periods", nperiods),
				 errhint("Use a longer period, e.g. 'month' rather than 'day'.")));
	t.cohorts = palloc0(nperiods * sizeof(ConversionCohort));
	for (int32 c = 0; c < nperiods; c++)
		t.cohorts[c].converted = palloc0((nperiods - c) * sizeof(int64));
	walk_conversions(flat, stream, count_conversion, &t);

	for (int32 c = 0; c < nperiods; c++)
	{
		ConversionCohort *cohort = &t.cohorts[c];
		int64		converted = 0;

		CHECK_FOR_INTERRUPTS();
		if (cohort->signups == 0)
			continue;
		for (int32 age = 0; age < nperiods - c; age++)
		{
			Datum		values[5];
			bool		nulls[5] = {false};

			converted += cohort->converted[age];
			values[0] = DateADTGetDatum(sm_period_start(reading.period, reading.first + c));
			values[1] = Int32GetDatum(age);
			values[2] = Int64GetDatum(cohort->signups);
			values[3] = Int64GetDatum(converted);
			values[4] = Float8GetDatum((float8) converted / (float8) cohort->signups);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	PG_RETURN_NULL();
}

typedef struct ConversionCurves
{
	const BookReading *reading;
	DateADT		end_of_data;
	SurvivalCounts **counts;	/* per cohort, first .. last */
} ConversionCurves;

static void
add_conversion_time(void *arg, DateADT signup, bool converted, DateADT paid_on)
{
	ConversionCurves *cc = arg;
	int32		cohort = sm_period_of_date(cc->reading->period, signup) - cc->reading->first;

	if (signup > cc->end_of_data)
		return;					/* signed up after "to" */
	if (cc->counts[cohort] == NULL)
		cc->counts[cohort] = survival_counts_create(CurrentMemoryContext);
	if (converted && paid_on <= cc->end_of_data)
		survival_counts_add(cc->counts[cohort], paid_on - signup, 1, 0);
	else
		survival_counts_add(cc->counts[cohort], cc->end_of_data - signup, 0, 1);
}

/*
 * conversion_curves(book, period) RETURNS TABLE (cohort_start date, curve
 * survival_curve): the days from signup to first payment of each signup
 * cohort, never-converted customers censored at the book's last day.
 */
PG_FUNCTION_INFO_V1(conversion_curves);
Datum
conversion_curves(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	BookReading reading;
	BookFlat	header;
	BookFlat   *flat;
	BookStream *stream;
	ConversionCurves cc = {.reading = &reading};
	int32		nperiods;

	InitMaterializedSRF(fcinfo, 0);
	if ((flat = sm_reading_begin(fcinfo, &conversion_reader_args, &reading, &header,
								 &stream)) == NULL)
		PG_RETURN_NULL();
	nperiods = reading.last - reading.first + 1;
	if (nperiods <= 0)
		PG_RETURN_NULL();		/* "to" before the book's first day: nothing */
	cc.end_of_data = PG_ARGISNULL(2) ? flat->max_day : PG_GETARG_DATEADT(2);
	cc.counts = palloc0(nperiods * sizeof(SurvivalCounts *));
	walk_conversions(flat, stream, add_conversion_time, &cc);

	for (int32 c = 0; c < nperiods; c++)
	{
		Datum		values[2];
		bool		nulls[2] = {false};

		if (cc.counts[c] == NULL)
			continue;
		values[0] = DateADTGetDatum(sm_period_start(reading.period, reading.first + c));
		values[1] = PointerGetDatum(survival_counts_curve(cc.counts[c]));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	PG_RETURN_NULL();
}
