/*
 * labelled_rows.c
 *		Where a labelled row becomes state for logistic_fit() and
 *		classifier_report(), and where such states merge: the expanded
 *		object, its flat form and the I/O of the types logistic_rows and
 *		classifier_scores.  See labelled_rows.h.
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "utils/memutils.h"

#include "labelled_rows.h"
#include "saas_metrics.h"

#define ROWS_FLAT_VERSION 1

typedef struct LabelledRowsFlat
{
	int32		vl_len_;
	uint16		version;
	uint8		kind;
	uint8		padding;		/* zero */
	int32		width;
	int32		padding2;		/* zero */
	int64		nrows;
	float8		param;
	/* then nrows labels, MAXALIGNed, then nrows * width float8 */
} LabelledRowsFlat;

#define FLAT_HEADER MAXALIGN(sizeof(LabelledRowsFlat))
#define FLAT_LABELS(f) ((uint8 *) (f) + FLAT_HEADER)
#define FLAT_VALUES(f) ((float8 *) (FLAT_LABELS(f) + MAXALIGN((f)->nrows)))

static const char *
kind_name(LabelledRowsKind kind)
{
	return kind == ROWS_LOGISTIC ? "logistic_rows" : "classifier_scores";
}

static Size
flat_size(int64 nrows, int32 width)
{
	return FLAT_HEADER + MAXALIGN(nrows) + nrows * width * sizeof(float8);
}

/* The most rows of width values whose flat form fits in a varlena. */
int64
sm_rows_limit(int32 width)
{
	return (int64) ((MaxAllocSize - FLAT_HEADER - MAXIMUM_ALIGNOF) /
					(width * sizeof(float8) + 1));
}

static Size rows_get_flat_size(ExpandedObjectHeader *eohptr);
static void rows_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size);

static const ExpandedObjectMethods rows_methods = {
	rows_get_flat_size,
	rows_flatten_into
};

static Size
rows_get_flat_size(ExpandedObjectHeader *eohptr)
{
	LabelledRows *rows = (LabelledRows *) eohptr;

	return flat_size(rows->nrows, rows->width);
}

static void
rows_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size)
{
	LabelledRows *rows = (LabelledRows *) eohptr;
	LabelledRowsFlat *flat = result;

	Assert(allocated_size == flat_size(rows->nrows, rows->width));
	memset(flat, 0, FLAT_HEADER + MAXALIGN(rows->nrows));
	SET_VARSIZE(flat, allocated_size);
	flat->version = ROWS_FLAT_VERSION;
	flat->kind = (uint8) rows->kind;
	flat->width = rows->width;
	flat->nrows = rows->nrows;
	flat->param = rows->param;
	memcpy(FLAT_LABELS(flat), rows->labels, rows->nrows);
	memcpy(FLAT_VALUES(flat), rows->values, rows->nrows * rows->width * sizeof(float8));
}

static LabelledRows *
rows_create(MemoryContext parent, LabelledRowsKind kind, int32 width, float8 param,
			int64 capacity)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "labelled rows", ALLOCSET_SMALL_SIZES);
	LabelledRows *rows = MemoryContextAllocZero(cxt, sizeof(LabelledRows));

	EOH_init_header(&rows->hdr, &rows_methods, cxt);
	rows->kind = kind;
	rows->width = width;
	rows->param = param;
	rows->capacity = Max(capacity, 16);
	rows->labels = MemoryContextAllocHuge(cxt, rows->capacity);
	rows->values = MemoryContextAllocHuge(cxt, Max(rows->capacity * width, 1) * sizeof(float8));
	return rows;
}

/* Room for n more rows, refusing what could not leave a worker. */
static void
rows_reserve(LabelledRows *rows, int64 n)
{
	int64		need = rows->nrows + n;
	int64		capacity = rows->capacity;

	if (need > sm_rows_limit(rows->width))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s takes at most " INT64_FORMAT " rows of %d values",
						rows->kind == ROWS_LOGISTIC ? "logistic_fit" : "classifier_report",
						sm_rows_limit(rows->width), rows->width),
				 errdetail("The rows are kept in memory, %zu bytes each, and their flat form must stay under 1 GB.",
						   rows->width * sizeof(float8) + 1),
				 errhint("Aggregate a sample, e.g. WHERE hashint8(customer_id) %% 10 = 0, or fewer groups at once.")));
	if (need <= capacity)
		return;
	while (capacity < need)
		capacity = Min(capacity * 2, sm_rows_limit(rows->width));
	rows->labels = repalloc_huge(rows->labels, capacity);
	rows->values = repalloc_huge(rows->values, Max(capacity * rows->width, 1) * sizeof(float8));
	rows->capacity = capacity;
}

void
sm_rows_append(LabelledRows *rows, bool label, const float8 *values)
{
	if (rows->nrows == rows->capacity)
		rows_reserve(rows, 1);
	rows->labels[rows->nrows] = label ? 1 : 0;
	memcpy(rows->values + rows->nrows * rows->width, values, rows->width * sizeof(float8));
	rows->nrows++;
}

/* Our expanded rows, if the datum is one of kind. */
static LabelledRows *
datum_rows(Datum d, LabelledRowsKind kind)
{
	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d)))
	{
		ExpandedObjectHeader *eoh = DatumGetEOHP(d);

		if (eoh->eoh_methods == &rows_methods && ((LabelledRows *) eoh)->kind == kind)
			return (LabelledRows *) eoh;
	}
	return NULL;
}

static void
view_of_flat(LabelledRowsFlat *flat, LabelledRowsView *view)
{
	view->width = flat->width;
	view->param = flat->param;
	view->nrows = flat->nrows;
	view->labels = FLAT_LABELS(flat);
	view->values = FLAT_VALUES(flat);
}

/* The rows of a state datum, expanded or flat, to read. */
void
sm_rows_view(Datum d, LabelledRowsKind kind, LabelledRowsView *view)
{
	LabelledRows *rows = datum_rows(d, kind);

	if (rows)
	{
		view->width = rows->width;
		view->param = rows->param;
		view->nrows = rows->nrows;
		view->labels = rows->labels;
		view->values = rows->values;
		return;
	}
	view_of_flat((LabelledRowsFlat *) PG_DETOAST_DATUM(d), view);
}

/* New expanded rows in the aggregate context holding a copy of view's. */
static LabelledRows *
rows_from_view(MemoryContext aggcxt, LabelledRowsKind kind, LabelledRowsView *view, int64 extra)
{
	LabelledRows *rows = rows_create(aggcxt, kind, view->width, view->param, view->nrows + extra);

	memcpy(rows->labels, view->labels, view->nrows);
	memcpy(rows->values, view->values, view->nrows * view->width * sizeof(float8));
	rows->nrows = view->nrows;
	return rows;
}

/*
 * The state (argument 0) of a transition function as rows we may append
 * to: new ones of width values and option param if it is NULL, ours if it
 * is our read/write object, otherwise a copy.
 */
LabelledRows *
sm_rows_for_update(FunctionCallInfo fcinfo, LabelledRowsKind kind, const char *funcname,
				   int32 width, float8 param)
{
	MemoryContext aggcxt = sm_aggregate_context(fcinfo, funcname);
	LabelledRows *rows;
	LabelledRowsView view;

	if (PG_ARGISNULL(0))
		return rows_create(aggcxt, kind, width, param, 0);
	rows = datum_rows(PG_GETARG_DATUM(0), kind);
	if (rows && VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(PG_GETARG_DATUM(0))))
		return rows;
	sm_rows_view(PG_GETARG_DATUM(0), kind, &view);
	return rows_from_view(aggcxt, kind, &view, 1);
}

/* Combine: the rows of two states, of the same width and option. */
static Datum
rows_combine(FunctionCallInfo fcinfo, LabelledRowsKind kind, const char *funcname)
{
	MemoryContext aggcxt = sm_aggregate_context(fcinfo, funcname);
	LabelledRows *rows;
	LabelledRowsView other;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	sm_rows_view(PG_GETARG_DATUM(1), kind, &other);
	if (PG_ARGISNULL(0))
		rows = rows_from_view(aggcxt, kind, &other, 0);
	else
	{
		rows = datum_rows(PG_GETARG_DATUM(0), kind);
		if (!rows || !VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(PG_GETARG_DATUM(0))))
		{
			LabelledRowsView mine;

			sm_rows_view(PG_GETARG_DATUM(0), kind, &mine);
			rows = rows_from_view(aggcxt, kind, &mine, other.nrows);
		}
		if (rows->width != other.width)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("every row must have the same number of features"),
					 errdetail("Rows of %d and of %d features were aggregated.", rows->width, other.width)));
		if (rows->param != other.param)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("l2 must be the same in every row"),
					 errdetail("Rows with l2 = %g and l2 = %g were aggregated.", rows->param, other.param)));
		rows_reserve(rows, other.nrows);
		memcpy(rows->labels + rows->nrows, other.labels, other.nrows);
		memcpy(rows->values + rows->nrows * rows->width, other.values,
			   other.nrows * other.width * sizeof(float8));
		rows->nrows += other.nrows;
	}
	PG_RETURN_DATUM(EOHPGetRWDatum(&rows->hdr));
}

/* ---- I/O ------------------------------------------------------------ */

/* Check a flat form read from outside: readers trust its every byte. */
static Datum
flat_validate(struct varlena *v, LabelledRowsKind kind)
{
	LabelledRowsFlat *flat = (LabelledRowsFlat *) v;
	const char *typname = kind_name(kind);
	const float8 *values;

	if (VARSIZE(flat) < FLAT_HEADER)
		sm_flat_corrupt(typname, "too short");
	if (flat->version != ROWS_FLAT_VERSION || flat->kind != kind)
		sm_flat_corrupt(typname, "unknown version");
	if (flat->padding != 0 || flat->padding2 != 0 || flat->width < 0 ||
		flat->width > (kind == ROWS_LOGISTIC ? LOGISTIC_MAX_FEATURES : 1) ||
		(kind == ROWS_CLASSIFIER && flat->width != 1) || flat->nrows <= 0 ||
		flat->nrows > sm_rows_limit(flat->width) || !isfinite(flat->param) || flat->param < 0)
		sm_flat_corrupt(typname, "bad header");
	if (VARSIZE(flat) != flat_size(flat->nrows, flat->width))
		sm_flat_corrupt(typname, "wrong length");
	for (int64 i = 0; i < (int64) MAXALIGN(flat->nrows); i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (FLAT_LABELS(flat)[i] > (i < flat->nrows ? 1 : 0))
			sm_flat_corrupt(typname, "bad label");
	}
	values = FLAT_VALUES(flat);
	for (int64 i = 0; i < flat->nrows * flat->width; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (!isfinite(values[i]))
			sm_flat_corrupt(typname, "a value is not finite");
	}
	PG_RETURN_POINTER(flat);
}

static Datum
rows_in(FunctionCallInfo fcinfo, LabelledRowsKind kind)
{
	return flat_validate(sm_flat_in(PG_GETARG_CSTRING(0), kind_name(kind), FLAT_HEADER), kind);
}

static Datum
rows_recv(FunctionCallInfo fcinfo, LabelledRowsKind kind)
{
	return flat_validate(sm_flat_recv((StringInfo) PG_GETARG_POINTER(0), kind_name(kind), FLAT_HEADER),
						 kind);
}

static Datum
rows_out(FunctionCallInfo fcinfo)
{
	PG_RETURN_CSTRING(sm_flat_out(PG_DETOAST_DATUM(PG_GETARG_DATUM(0))));
}

static Datum
rows_send(FunctionCallInfo fcinfo)
{
	PG_RETURN_BYTEA_P(sm_flat_send(PG_DETOAST_DATUM(PG_GETARG_DATUM(0))));
}

/*
 * The combine and I/O functions of the SQL types logistic_rows and
 * classifier_scores: the same code, the kind telling their flat forms apart.
 */
#define ROWS_TYPE_FUNCTIONS(type, kind) \
PG_FUNCTION_INFO_V1(type##_combine); \
Datum type##_combine(PG_FUNCTION_ARGS) { return rows_combine(fcinfo, kind, #type "_combine"); } \
PG_FUNCTION_INFO_V1(type##_in); \
Datum type##_in(PG_FUNCTION_ARGS) { return rows_in(fcinfo, kind); } \
PG_FUNCTION_INFO_V1(type##_recv); \
Datum type##_recv(PG_FUNCTION_ARGS) { return rows_recv(fcinfo, kind); } \
PG_FUNCTION_INFO_V1(type##_out); \
Datum type##_out(PG_FUNCTION_ARGS) { return rows_out(fcinfo); } \
PG_FUNCTION_INFO_V1(type##_send); \
Datum type##_send(PG_FUNCTION_ARGS) { return rows_send(fcinfo); }

ROWS_TYPE_FUNCTIONS(logistic_rows, ROWS_LOGISTIC)
ROWS_TYPE_FUNCTIONS(classifier_scores, ROWS_CLASSIFIER)
