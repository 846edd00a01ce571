/*
 * labelled_rows.h
 *		Rows of a boolean label and a fixed number of float8 values, held
 *		compactly: the state of logistic_fit() (the label and the features)
 *		and of classifier_report() (the label and the score).
 *
 * Both need every row at the end: a logistic fit by Newton-Raphson reads
 * the rows once per iteration, an exact AUC sorts the scores.  An aggregate
 * sees each row once, so the rows are kept: 8 bytes per value plus 1 byte
 * per label.  During aggregation they live in a read/write expanded object
 * in the aggregate's memory context (appended to without copying); the
 * flat form, one varlena, is what leaves a parallel worker, and the portable
 * form (labelled_rows.c) what is stored or leaves a Citus node.  Its text
 * form cannot pass 1 GB, so the transition function refuses the row that
 * would make it larger (54000, sm_rows_limit) instead of failing later, when
 * a worker hands its state over or a stored state is dumped.
 */
#ifndef SM_LABELLED_ROWS_H
#define SM_LABELLED_ROWS_H

#include "postgres.h"

#include "fmgr.h"
#include "utils/expandeddatum.h"

/* features of a logistic fit: its (p + 1)^2 Hessian stays small */
#define LOGISTIC_MAX_FEATURES 1000

/* Which SQL type a set of rows is: its flat forms carry it. */
typedef enum LabelledRowsKind
{
	ROWS_LOGISTIC = 1,			/* logistic_rows */
	ROWS_CLASSIFIER = 2			/* classifier_scores */
} LabelledRowsKind;

typedef struct LabelledRows
{
	ExpandedObjectHeader hdr;
	LabelledRowsKind kind;
	int32		width;			/* values per row */
	float8		param;			/* an option of the aggregate (logistic: l2) */
	int64		nrows;
	int64		capacity;		/* rows allocated */
	uint8	   *labels;			/* nrows labels, 0 or 1 */
	float8	   *values;			/* nrows * width values, row after row */
} LabelledRows;

/* Rows to read, from an expanded object or a flat form. */
typedef struct LabelledRowsView
{
	int32		width;
	float8		param;
	int64		nrows;
	const uint8 *labels;
	const float8 *values;
} LabelledRowsView;

extern LabelledRows *sm_rows_for_update(FunctionCallInfo fcinfo, LabelledRowsKind kind,
										const char *funcname, int32 width, float8 param);
extern void sm_rows_append(LabelledRows *rows, bool label, const float8 *values);
extern void sm_rows_view(Datum d, LabelledRowsKind kind, LabelledRowsView *view);
extern int64 sm_rows_limit(int32 width);

#endif
