/*
 * mrr_movements.c
 *		Final function of mrr_movements(): the period-by-period MRR story.
 *
 * Convention (end-of-period snapshots, as SQL MRR playbooks, ChartMogul and
 * ProfitWell do): a customer's state is read at the end of each period, the
 * last instant before the next period starts.  A row active on
 * [started_at, ended_at) is active at the end of period p exactly when
 * P(started_at) <= p < P(ended_at), P being the period containing a date, so
 * each row was reduced to that range once, in the transition function.
 * Comparing the end of p - 1 with the end of p, a customer is
 *   new          inactive then, active now, never active at an earlier end;
 *   reactivated  inactive then, active now, active at some earlier end;
 *   churned      active then, inactive now (its MRR then is churned MRR);
 *   expanded or contracted by the change of its MRR when active at both.
 * Totals move only by these amounts, so every period reconciles exactly.
 *
 * Each customer's rows become +/- events sorted by period; a sweep over
 * them finds the periods where the customer's state changes and adds the
 * change to per-period counters, in int64 and int128.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"

#include "book.h"
#include "money.h"

typedef struct PeriodMovement
{
	int64		new_customers;
	int64		reactivated_customers;
	int64		churned_customers;
	int128		new_mrr;
	int128		expansion_mrr;
	int128		contraction_mrr;
	int128		churned_mrr;
	int128		reactivation_mrr;
} PeriodMovement;

enum
{
	COL_PERIOD_START, COL_CUSTOMERS_START, COL_NEW_CUSTOMERS,
	COL_REACTIVATED_CUSTOMERS, COL_CHURNED_CUSTOMERS, COL_CUSTOMERS_END,
	COL_MRR_START, COL_NEW_MRR, COL_EXPANSION_MRR, COL_CONTRACTION_MRR,
	COL_CHURNED_MRR, COL_REACTIVATION_MRR, COL_MRR_END, NUM_COLS
};

PG_FUNCTION_INFO_V1(mrr_movements_final);
Datum
mrr_movements_final(PG_FUNCTION_ARGS)
{
	Book	   *book;
	int32		first,
				last,
				nperiods;
	PeriodMovement *moves;
	int64		customers = 0;
	int128		mrr = 0;
	int			capacity = 64;
	BookEvent  *events = palloc(capacity * sizeof(BookEvent));
	TupleDesc	tupdesc;
	Datum	   *elements;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	book = sm_book_from_datum(PG_GETARG_DATUM(0), CurrentMemoryContext);
	sm_book_window(book, true, &first, &last);
	if (last < first)
		return sm_book_result_array(fcinfo, NULL, 0);
	nperiods = last - first + 1;
	moves = palloc0(nperiods * sizeof(PeriodMovement));

	for (int32 c = 0; c < book->ncustomers; c++)
	{
		int			n = sm_book_customer_events(book, c, &events, &capacity);
		int64		rows = 0;	/* active rows */
		int128		cur_mrr = 0;
		bool		ever_active = false;	/* at an end before the current event */
		int			i;

		if ((c & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();

		/* the state at the end of the period before the window */
		for (i = 0; i < n && events[i].period < first; i++)
		{
			ever_active |= rows > 0;
			rows += events[i].delta_rows;
			cur_mrr += events[i].delta_mrr;
		}
		if (rows > 0)
		{
			customers++;
			mrr += cur_mrr;
		}

		for (; i < n && events[i].period <= last; i++)
		{
			PeriodMovement *m = &moves[events[i].period - first];
			bool		was_active = rows > 0;
			int128		was_mrr = cur_mrr;

			ever_active |= was_active;
			rows += events[i].delta_rows;
			cur_mrr += events[i].delta_mrr;

			if (!was_active && rows > 0)
			{
				if (ever_active)
				{
					m->reactivated_customers++;
					m->reactivation_mrr += cur_mrr;
				}
				else
				{
					m->new_customers++;
					m->new_mrr += cur_mrr;
				}
			}
			else if (was_active && rows == 0)
			{
				m->churned_customers++;
				m->churned_mrr += was_mrr;
			}
			else if (was_active && cur_mrr > was_mrr)
				m->expansion_mrr += cur_mrr - was_mrr;
			else if (was_active && cur_mrr < was_mrr)
				m->contraction_mrr += was_mrr - cur_mrr;
		}
	}

	tupdesc = sm_book_result_tupdesc(fcinfo, NUM_COLS);

	elements = palloc(nperiods * sizeof(Datum));
	for (int32 p = 0; p < nperiods; p++)
	{
		PeriodMovement *m = &moves[p];
		int			scale = book->mrr_scale;
		Datum		values[NUM_COLS];
		bool		nulls[NUM_COLS] = {false};
		int64		customers_end = customers + m->new_customers +
			m->reactivated_customers - m->churned_customers;
		int128		mrr_end = mrr + m->new_mrr + m->expansion_mrr - m->contraction_mrr -
			m->churned_mrr + m->reactivation_mrr;

		values[COL_PERIOD_START] = DateADTGetDatum(sm_period_start(book->period, first + p));
		values[COL_CUSTOMERS_START] = Int64GetDatum(customers);
		values[COL_NEW_CUSTOMERS] = Int64GetDatum(m->new_customers);
		values[COL_REACTIVATED_CUSTOMERS] = Int64GetDatum(m->reactivated_customers);
		values[COL_CHURNED_CUSTOMERS] = Int64GetDatum(m->churned_customers);
		values[COL_CUSTOMERS_END] = Int64GetDatum(customers_end);
		values[COL_MRR_START] = NumericGetDatum(sm_money_numeric(mrr, scale));
		values[COL_NEW_MRR] = NumericGetDatum(sm_money_numeric(m->new_mrr, scale));
		values[COL_EXPANSION_MRR] = NumericGetDatum(sm_money_numeric(m->expansion_mrr, scale));
		values[COL_CONTRACTION_MRR] = NumericGetDatum(sm_money_numeric(m->contraction_mrr, scale));
		values[COL_CHURNED_MRR] = NumericGetDatum(sm_money_numeric(m->churned_mrr, scale));
		values[COL_REACTIVATION_MRR] = NumericGetDatum(sm_money_numeric(m->reactivation_mrr, scale));
		values[COL_MRR_END] = NumericGetDatum(sm_money_numeric(mrr_end, scale));
		elements[p] = HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));

		customers = customers_end;
		mrr = mrr_end;
	}
	return sm_book_result_array(fcinfo, elements, nperiods);
}
