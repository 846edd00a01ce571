/*
 * mrr_movements.c
 *		MRR movements of a book: the period-by-period MRR story, and the
 *		customers behind it.
 *
 * Each customer's states (customer_timeline.c) are walked in time order and
 * every change of state inside the reported periods is one movement:
 *   new           inactive before, active after, never active before;
 *   reactivation  inactive before, active after, active at some earlier
 *                 instant read;
 *   churn         active before, inactive after (its MRR before is lost);
 *   expansion / contraction  active before and after, MRR up or down.
 * Which instants are read is the changes convention: the period ends
 * ('period_end': the net change from one end to the next, as ProfitWell and
 * the mrr-playbook) or every day a state changes ('all': a customer who
 * joins and cancels in a month is one new and one churn, as ChartMogul,
 * Baremetrics and Chargebee).  Either way the totals move only by the
 * movements, so every period reconciles exactly:
 *   mrr_start + new + expansion - contraction - churned + reactivation = mrr_end.
 *
 * mrr_movements(book, ...) adds the movements up per period;
 * customer_movements(book, ...) returns them one by one, so its sums per
 * period are mrr_movements' figures.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"

#include "money.h"
#include "reading.h"

typedef enum MovementKind
{
	MOVE_NEW, MOVE_EXPANSION, MOVE_CONTRACTION, MOVE_CHURN, MOVE_REACTIVATION
} MovementKind;

static const char *const movement_names[] = {
	"new", "expansion", "contraction", "churn", "reactivation"
};

typedef struct PeriodMovement
{
	int64		new_customers;
	int64		reactivated_customers;
	int64		churned_customers;
	int64		expansion_customers;
	int64		contraction_customers;
	int128		new_mrr;
	int128		expansion_mrr;
	int128		contraction_mrr;
	int128		churned_mrr;
	int128		reactivation_mrr;
} PeriodMovement;

/* What mrr_movements adds up: the window's periods, and where it starts. */
typedef struct MovementTotals
{
	/* customers and MRR at the end of the period before the first */
	int64		customers_start;
	int128		mrr_start;
	PeriodMovement periods[FLEXIBLE_ARRAY_MEMBER];	/* first .. last */
} MovementTotals;

/* What a walk does with each movement. */
typedef struct MovementSink
{
	const BookReading *reading;
	/* totals: customers and MRR at the end of the period before the first */
	int64		customers_start;
	int128		mrr_start;
	PeriodMovement *periods;	/* first .. last, or NULL */
	/* drill-down: one tuple per movement, or NULL */
	Tuplestorestate *tuples;
	TupleDesc	tupdesc;
	char	   *customer_id;	/* of the current customer, once needed */
} MovementSink;

static void
add_checked(int128 *sum, int128 value)
{
	if (__builtin_add_overflow(*sum, value, sum))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("MRR total is out of range")));
}

static void
emit_movement(MovementSink *sink, const Timeline *tl, int32 period, MovementKind kind,
			  int128 before, int128 after, int32 *counted_expansion, int32 *counted_contraction)
{
	if (sink->periods)
	{
		PeriodMovement *m = &sink->periods[period - sink->reading->first];

		switch (kind)
		{
			case MOVE_NEW:
				m->new_customers++;
				add_checked(&m->new_mrr, after);
				break;
			case MOVE_REACTIVATION:
				m->reactivated_customers++;
				add_checked(&m->reactivation_mrr, after);
				break;
			case MOVE_CHURN:
				m->churned_customers++;
				add_checked(&m->churned_mrr, before);
				break;
			case MOVE_EXPANSION:
				/* customers, not changes: a customer may expand twice in a period */
				if (*counted_expansion != period)
					m->expansion_customers++;
				*counted_expansion = period;
				add_checked(&m->expansion_mrr, after - before);
				break;
			case MOVE_CONTRACTION:
				if (*counted_contraction != period)
					m->contraction_customers++;
				*counted_contraction = period;
				add_checked(&m->contraction_mrr, before - after);
				break;
		}
	}
	if (sink->tuples)
	{
		Datum		values[5];
		bool		nulls[5] = {false};
		if (sink->customer_id == NULL)
			sink->customer_id = sm_timeline_customer_id(tl);
		values[0] = CStringGetTextDatum(sink->customer_id);
		values[1] = DateADTGetDatum(sm_period_start(sink->reading->period, period));
		values[2] = CStringGetTextDatum(movement_names[kind]);
		values[3] = NumericGetDatum(sm_book_amount(tl, before));
		values[4] = NumericGetDatum(sm_book_amount(tl, after));
		tuplestore_putvalues(sink->tuples, sink->tupdesc, values, nulls);
	}
}

/* Walk one customer's states and emit the movements inside the window. */
static void
walk_customer(Timeline *tl, MovementSink *sink)
{
	const BookReading *r = sink->reading;
	int64		rows = 0;
	int128		mrr = 0;
	bool		ever_active = false;	/* at an instant read before this one */
	bool		counted_start = false;
	int32		counted_expansion = PG_INT32_MIN;
	int32		counted_contraction = PG_INT32_MIN;

	sink->customer_id = NULL;
	if (r->changes == CHANGES_PERIOD_END)
		sm_timeline_by_period(tl, r->period);
	for (int i = 0; i < tl->nchanges; i++)
	{
		const StateChange *ch = &tl->changes[i];
		int32		period = r->changes == CHANGES_PERIOD_END ? ch->at :
			sm_period_of_date(r->period, ch->at);
		bool		was_active = sm_timeline_active(tl, rows, mrr);
		int128		was_mrr = mrr;
		bool		active;

		if (period >= r->first && !counted_start)
		{
			/* the state at the end of the period before the window */
			if (was_active)
			{
				sink->customers_start++;
				add_checked(&sink->mrr_start, mrr);
			}
			counted_start = true;
		}
		if (period > r->last)
			return;
		rows += ch->delta_rows;
		mrr += ch->delta_mrr;
		sm_timeline_check(tl, mrr, ch->at);
		active = sm_timeline_active(tl, rows, mrr);
		if (period >= r->first)
		{
			if (!was_active && active)
				emit_movement(sink, tl, period, ever_active ? MOVE_REACTIVATION : MOVE_NEW,
							  was_mrr, mrr, &counted_expansion, &counted_contraction);
			else if (was_active && !active)
				emit_movement(sink, tl, period, MOVE_CHURN, was_mrr, mrr,
							  &counted_expansion, &counted_contraction);
			else if (was_active && mrr != was_mrr)
				emit_movement(sink, tl, period, mrr > was_mrr ? MOVE_EXPANSION : MOVE_CONTRACTION,
							  was_mrr, mrr, &counted_expansion, &counted_contraction);
		}
		ever_active |= active;
	}
	if (!counted_start && sm_timeline_active(tl, rows, mrr))
	{
		sink->customers_start++;
		add_checked(&sink->mrr_start, mrr);
	}
}

/* Every customer the timeline meets into sink. */
static void
walk_timeline(Timeline *tl, MovementSink *sink)
{
	if (sink->reading->changes == CHANGES_PERIOD_END)
		sm_timeline_group_as_built(tl, sink->reading->period);
	while (sm_timeline_next(tl))
		walk_customer(tl, sink);
}

static int32
window_periods(const BookReading *reading)
{
	return reading->last >= reading->first ? reading->last - reading->first + 1 : 0;
}

static Size
movement_totals_size(const BookReading *reading)
{
	return offsetof(MovementTotals, periods) + window_periods(reading) * sizeof(PeriodMovement);
}

static void
movement_walk(Timeline *tl, const BookReading *reading, void *totals)
{
	MovementTotals *t = totals;
	MovementSink sink = {.reading = reading,.periods = t->periods};

	if (window_periods(reading) == 0)
		return;
	walk_timeline(tl, &sink);
	t->customers_start += sink.customers_start;
	add_checked(&t->mrr_start, sink.mrr_start);
}

static void
movement_add(void *into, const void *totals, const BookReading *reading)
{
	MovementTotals *t = into;
	const MovementTotals *other = totals;

	t->customers_start += other->customers_start;
	add_checked(&t->mrr_start, other->mrr_start);
	for (int32 p = 0; p < window_periods(reading); p++)
	{
		PeriodMovement *m = &t->periods[p];
		const PeriodMovement *o = &other->periods[p];

		m->new_customers += o->new_customers;
		m->reactivated_customers += o->reactivated_customers;
		m->churned_customers += o->churned_customers;
		m->expansion_customers += o->expansion_customers;
		m->contraction_customers += o->contraction_customers;
		add_checked(&m->new_mrr, o->new_mrr);
		add_checked(&m->expansion_mrr, o->expansion_mrr);
		add_checked(&m->contraction_mrr, o->contraction_mrr);
		add_checked(&m->churned_mrr, o->churned_mrr);
		add_checked(&m->reactivation_mrr, o->reactivation_mrr);
	}
}

/* The movements of each period, with running totals, as mrr_movement tuples. */
static HeapTuple *
movement_rows(const Timeline *tl, const BookReading *reading, void *totals, TupleDesc tupdesc,
			  int32 *ntuples)
{
	MovementTotals *t = totals;
	int32		nperiods = window_periods(reading);
	HeapTuple  *tuples = palloc(Max(nperiods, 1) * sizeof(HeapTuple));
	int64		customers = t->customers_start;
	int128		mrr = t->mrr_start;

	*ntuples = nperiods;
	for (int32 p = 0; p < nperiods; p++)
	{
		PeriodMovement *m = &t->periods[p];
		Datum		values[15];
		bool		nulls[15] = {false};
		int64		customers_end = customers + m->new_customers +
			m->reactivated_customers - m->churned_customers;
		int128		mrr_end = mrr;

		if ((p & 0xFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		add_checked(&mrr_end, m->new_mrr + m->expansion_mrr + m->reactivation_mrr);
		add_checked(&mrr_end, -(m->contraction_mrr + m->churned_mrr));
		values[0] = DateADTGetDatum(sm_period_start(reading->period, reading->first + p));
		values[1] = Int64GetDatum(customers);
		values[2] = Int64GetDatum(m->new_customers);
		values[3] = Int64GetDatum(m->reactivated_customers);
		values[4] = Int64GetDatum(m->churned_customers);
		values[5] = Int64GetDatum(customers_end);
		values[6] = NumericGetDatum(sm_book_amount(tl, mrr));
		values[7] = NumericGetDatum(sm_book_amount(tl, m->new_mrr));
		values[8] = NumericGetDatum(sm_book_amount(tl, m->expansion_mrr));
		values[9] = NumericGetDatum(sm_book_amount(tl, m->contraction_mrr));
		values[10] = NumericGetDatum(sm_book_amount(tl, m->churned_mrr));
		values[11] = NumericGetDatum(sm_book_amount(tl, m->reactivation_mrr));
		values[12] = NumericGetDatum(sm_book_amount(tl, mrr_end));
		values[13] = Int64GetDatum(m->expansion_customers);
		values[14] = Int64GetDatum(m->contraction_customers);
		Assert(tupdesc->natts == 15);
		tuples[p] = heap_form_tuple(tupdesc, values, nulls);
		customers = customers_end;
		mrr = mrr_end;
	}
	return tuples;
}

const BookWalker sm_movement_walker = {
	movement_totals_size, movement_walk, movement_add, movement_rows
};

/* mrr_movements and customer_movements: (book, period, "from", "to", zero_mrr, changes) */
static const ReaderArgs movement_reader_args = {.period = 1,.from = 2,.to = 3,.zero_mrr = 4,.changes = 5};

/*
 * mrr_movements(book, period, "from", "to", zero_mrr, changes)
 *		RETURNS SETOF mrr_movement
 */
PG_FUNCTION_INFO_V1(mrr_movements_of_book);
Datum
mrr_movements_of_book(PG_FUNCTION_ARGS)
{
	return sm_read_as_set(fcinfo, &movement_reader_args, &sm_movement_walker);
}

/*
 * mrr_movements_final(book): the final function of the shorthand
 * aggregate mrr_movements(customer_id, started_at, ended_at, mrr, ...).
 */
PG_FUNCTION_INFO_V1(mrr_movements_final);
Datum
mrr_movements_final(PG_FUNCTION_ARGS)
{
	return sm_read_as_array(fcinfo, &sm_movement_walker, false);
}

/*
 * customer_movements(book, period, "from", "to", zero_mrr, changes)
 *		RETURNS TABLE (customer_id text, period_start date, movement text,
 *					   mrr_before numeric, mrr_after numeric)
 */
PG_FUNCTION_INFO_V1(customer_movements);
Datum
customer_movements(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	BookReading reading;
	BookFlat	header;
	BookFlat   *flat;
	BookStream *stream;
	MovementSink sink = {.reading = &reading};
	Timeline	tl;

	InitMaterializedSRF(fcinfo, 0);
	if ((flat = sm_reading_begin(fcinfo, &movement_reader_args, &reading, &header,
								 &stream)) == NULL ||
		reading.last < reading.first)
		PG_RETURN_NULL();
	sink.tuples = rsinfo->setResult;
	sink.tupdesc = rsinfo->setDesc;
	sm_timeline_init(&tl, flat, stream, reading.zero_mrr);
	walk_timeline(&tl, &sink);
	PG_RETURN_NULL();
}
