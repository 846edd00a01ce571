/*
 * classifier_report.c
 *		How well scores rank and predict a boolean outcome: the aggregate
 *		classifier_report(score, label) -> classifier_report, with the exact
 *		AUC, the log loss, the Brier score and lift by score decile.
 *
 * The state, classifier_scores, keeps every (score, label) row
 * (labelled_rows.c: 9 bytes a row), because the exact AUC is a statistic
 * of ranks: AUC = P(score of a churner > score of a non-churner) + 1/2
 * P(equal), the Mann-Whitney U over n+ n-.  The final function sorts the
 * rows by (score, label) once and reads everything off that order, so the
 * result does not depend on the order in which rows or parallel workers'
 * states arrived: U is an exact integer count (int128), and the sums of
 * the log loss and the Brier score are taken in sorted order.
 *
 * Deciles are of the rows ranked by score, highest first: decile d holds
 * ranks (d - 1) n / 10 to d n / 10.  A run of equal scores that straddles
 * a boundary is shared between the deciles in proportion to its overlap,
 * its churners too (as the AUC counts ties half), so the deciles do not
 * depend on how ties happen to be ordered; their counts are then
 * fractional, whole when the scores are distinct and n is a multiple of 10.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type_d.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

#include "labelled_rows.h"
#include "saas_metrics.h"

#define DECILES 10
#define REPORT_FIELDS 7
#define DECILE_FIELDS 9

PG_FUNCTION_INFO_V1(classifier_scores_add);
Datum
classifier_scores_add(PG_FUNCTION_ARGS)
{
	float8		score;
	bool		label;
	LabelledRows *rows;

	sm_aggregate_context(fcinfo, "classifier_scores_add");
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	score = PG_GETARG_FLOAT8(1);
	label = PG_GETARG_BOOL(2);
	if (!isfinite(score))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("score must be a finite number"),
				 errdetail("The row with label = %s has score %g.", label ? "true" : "false", score)));
	rows = sm_rows_for_update(fcinfo, ROWS_CLASSIFIER, "classifier_scores_add", 1, 0.0);
	sm_rows_append(rows, label, &score);
	PG_RETURN_DATUM(EOHPGetRWDatum(&rows->hdr));
}

/* ---- the report ----------------------------------------------------- */

typedef struct ScoredRow
{
	float8		score;
	uint8		label;
} ScoredRow;

#define ST_SORT sort_scored_rows
#define ST_ELEMENT_TYPE ScoredRow
#define ST_COMPARE(a, b) ((a)->score < (b)->score ? -1 : (a)->score > (b)->score ? 1 : \
						  (int) (a)->label - (int) (b)->label)
#define ST_CHECK_FOR_INTERRUPTS
#define ST_SCOPE static
#define ST_DECLARE
#define ST_DEFINE
#include "lib/sort_template.h"

typedef struct Decile
{
	int64		tenths;			/* rows, in tenths of a row */
	double		positives;
	double		min_score;
	double		max_score;
	bool		seen;
} Decile;

/*
 * Share the run of ranks [from, to) (highest score first) among the
 * deciles, in tenths of a row so that whole overlaps stay exact.
 */
static void
add_run(Decile *deciles, int64 n, int64 from, int64 to, int64 positives, double score)
{
	for (int d = (int) (from * DECILES / n); d < DECILES; d++)
	{
		int64		lo = n * d;		/* in tenths of a row */
		int64		hi = n * (d + 1);
		int64		overlap = Min(hi, to * DECILES) - Max(lo, from * DECILES);

		if (lo >= to * DECILES)
			break;
		if (overlap <= 0)
			continue;
		deciles[d].tenths += overlap;
		deciles[d].positives += (double) (positives * overlap) / ((to - from) * DECILES);
		if (!deciles[d].seen || score < deciles[d].min_score)
			deciles[d].min_score = score;
		if (!deciles[d].seen || score > deciles[d].max_score)
			deciles[d].max_score = score;
		deciles[d].seen = true;
	}
}

static Datum
deciles_datum(Oid array_type, Decile *deciles, int64 n, int64 positives)
{
	Oid			elem_type = get_element_type(array_type);
	TupleDesc	desc = lookup_rowtype_tupdesc_copy(elem_type, -1);
	Datum		elems[DECILES];
	double		base_rate = (double) positives / n;
	int64		cum_tenths = 0;
	double		cum_positives = 0.0;
	int16		typlen;
	bool		typbyval;
	char		typalign;

	BlessTupleDesc(desc);
	for (int d = 0; d < DECILES; d++)
	{
		Datum		values[DECILE_FIELDS];
		bool		nulls[DECILE_FIELDS] = {false};
		double		rows = (double) deciles[d].tenths / DECILES;
		double		rate = rows > 0 ? deciles[d].positives / rows : 0.0;

		cum_tenths += deciles[d].tenths;
		cum_positives += deciles[d].positives;
		values[0] = Int32GetDatum(d + 1);
		values[1] = Float8GetDatum(rows);
		values[2] = Float8GetDatum(deciles[d].positives);
		values[3] = Float8GetDatum(rate);
		nulls[3] = rows == 0;
		values[4] = Float8GetDatum(rate / base_rate);
		nulls[4] = rows == 0 || positives == 0;
		values[5] = Float8GetDatum(cum_positives / positives);
		nulls[5] = positives == 0;
		values[6] = Float8GetDatum(cum_tenths > 0 && positives > 0
									? cum_positives / ((double) cum_tenths / DECILES) / base_rate : 0.0);
		nulls[6] = cum_tenths == 0 || positives == 0;
		values[7] = Float8GetDatum(deciles[d].min_score);
		values[8] = Float8GetDatum(deciles[d].max_score);
		nulls[7] = nulls[8] = !deciles[d].seen;
		elems[d] = HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
	}
	get_typlenbyvalalign(elem_type, &typlen, &typbyval, &typalign);
	return PointerGetDatum(construct_array(elems, DECILES, elem_type, typlen, typbyval, typalign));
}

/*
 * classifier_report(classifier_scores) -> classifier_report: (rows,
 * positives, base_rate, auc, log_loss, brier_score, deciles).
 */
PG_FUNCTION_INFO_V1(classifier_report_final);
Datum
classifier_report_final(PG_FUNCTION_ARGS)
{
	LabelledRowsView view;
	ScoredRow  *sorted;
	TupleDesc	tupdesc;
	Datum		values[REPORT_FIELDS];
	bool		nulls[REPORT_FIELDS] = {false};
	Decile		deciles[DECILES];
	int64		n,
				positives = 0,
				negatives_below = 0;
	int128		twice_u = 0;
	double		log_loss = 0.0,
				brier = 0.0;
	bool		probabilities = true;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	sm_rows_view(PG_GETARG_DATUM(0), ROWS_CLASSIFIER, &view);
	n = view.nrows;
	sorted = palloc_extended(n * sizeof(ScoredRow), MCXT_ALLOC_HUGE);
	for (int64 i = 0; i < n; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		sorted[i].score = view.values[i];
		sorted[i].label = view.labels[i];
		positives += view.labels[i];
	}
	sort_scored_rows(sorted, n);

	/* runs of equal scores, lowest first: U, the losses */
	memset(deciles, 0, sizeof(deciles));
	for (int64 start = 0, end; start < n; start = end)
	{
		int64		run_positives = 0;
		double		s = sorted[start].score;

		for (end = start; end < n && sorted[end].score == s; end++)
		{
			if ((end & 0xFFFF) == 0)
				CHECK_FOR_INTERRUPTS();
			run_positives += sorted[end].label;
			if (s < 0.0 || s > 1.0)
				probabilities = false;
			else if (sorted[end].label)
			{
				log_loss -= log(s);
				brier += (1.0 - s) * (1.0 - s);
			}
			else
			{
				log_loss -= log1p(-s);
				brier += s * s;
			}
		}
		/* each churner in the run beats the non-churners below, ties half */
		twice_u += (int128) run_positives * (2 * negatives_below + (end - start - run_positives));
		negatives_below += end - start - run_positives;
		/* ranks, highest score first, of this run: [n - end, n - start) */
		add_run(deciles, n, n - end, n - start, run_positives, s);
	}

	values[0] = Int64GetDatum(n);
	values[1] = Int64GetDatum(positives);
	values[2] = Float8GetDatum((double) positives / n);
	values[3] = Float8GetDatum(positives > 0 && positives < n
							   ? (double) twice_u / (2.0 * (double) positives * (double) (n - positives))
							   : 0.0);
	nulls[3] = positives == 0 || positives == n;
	values[4] = Float8GetDatum(log_loss / n);
	values[5] = Float8GetDatum(brier / n);
	nulls[4] = nulls[5] = !probabilities;
	values[6] = deciles_datum(TupleDescAttr(tupdesc, 6)->atttypid, deciles, n, positives);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}
