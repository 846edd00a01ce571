/*
 * labelled_rows.c
 *		Where a labelled row becomes state for logistic_fit() and
 *		classifier_report(), and where such states merge: the expanded
 *		object, its flat form and the I/O of the types logistic_rows and
 *		classifier_scores.  See labelled_rows.h.
 */
#include "postgres.h"

#include <math.h>

#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/memutils.h"

#include "labelled_rows.h"
#include "portable_form.h"
#include "saas_metrics.h"

/*
 * The flat form: what a parallel worker hands to the leader, in memory of
 * the same machine, and what a table stores.  Values read or sent use the
 * portable form (the I/O below).
 */
#define ROWS_FLAT_VERSION 1

typedef struct LabelledRowsFlat
{
	int32		vl_len_;
	uint16		version;		/* ROWS_FLAT_VERSION */
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

/*
 * The portable form's header: uint8 version, uint8 kind, int32 width,
 * int64 rows, float8 param (see the I/O below).
 */
#define ROWS_ENCODING_VERSION 1
#define ROWS_ENCODING_HEADER (1 + 1 + 4 + 8 + 8)

/*
 * The most rows of width values that can be stored: whose portable form's
 * text fits (SM_ENCODING_MAX), which is more than the flat form needs.
 */
int64
sm_rows_limit(int32 width)
{
	return (int64) ((SM_ENCODING_MAX - ROWS_ENCODING_HEADER) / (width * sizeof(float8) + 1));
}

static void
too_many_rows(const char *what, int32 width)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("%s takes at most " INT64_FORMAT " rows of %d values",
					what, sm_rows_limit(width), width),
			 errdetail("The rows are kept in memory, %zu bytes each, and their text form (base64) must stay under 1 GB.",
					   width * sizeof(float8) + 1),
			 errhint("Aggregate a sample, e.g. WHERE hashint8(customer_id) %% 10 = 0, or fewer groups at once.")));
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
		too_many_rows(rows->kind == ROWS_LOGISTIC ? "logistic_fit" : "classifier_report", rows->width);
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
view_of_flat(LabelledRowsFlat *flat, LabelledRowsKind kind, LabelledRowsView *view)
{
	/* stored values were checked on the way in; this one is of another layout */
	if (flat->version != ROWS_FLAT_VERSION || flat->kind != kind)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("%s value was stored by another version of saas_metrics, or is damaged", kind_name(kind)),
				 errdetail("Its layout version is %d; this version of saas_metrics reads %d.",
						   flat->version, ROWS_FLAT_VERSION)));
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
	view_of_flat((LabelledRowsFlat *) PG_DETOAST_DATUM(d), kind, view);
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

/*
 * The portable form (portable_form.h), in network byte order:
 *
 *   uint8 version (1), uint8 kind (1 logistic_rows, 2 classifier_scores),
 *   int32 width, int64 rows, float8 param,
 *   the labels: one byte a row, 0 or 1,
 *   the values: rows * width float8, row after row.
 *
 * Floats are written as their bit patterns (pq_sendfloat8), so they read
 * back exactly.  The rows keep their order: no reader's answer depends on it
 * beyond the last digits of a fit's sums, and a stored state then fits
 * exactly as the one it was made from.
 */
static void
rows_write(StringInfo buf, LabelledRowsKind kind, const LabelledRowsView *view)
{
	int64		nvalues = view->nrows * view->width;

	/* one allocation: the state was refused if it could not be written */
	enlargeStringInfo(buf, (int) (ROWS_ENCODING_HEADER + view->nrows + nvalues * sizeof(float8)));
	pq_sendint8(buf, ROWS_ENCODING_VERSION);
	pq_sendint8(buf, (uint8) kind);
	pq_sendint32(buf, view->width);
	pq_sendint64(buf, view->nrows);
	pq_sendfloat8(buf, view->param);
	pq_sendbytes(buf, (const char *) view->labels, (int) view->nrows);
	for (int64 i = 0; i < nvalues; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		pq_sendfloat8(buf, view->values[i]);
	}
}

/* Read rows and check everything the final functions rely on. */
static Datum
rows_read(SmReader *rd, LabelledRowsKind kind)
{
	const char *typname = kind_name(kind);
	int32		width;
	int64		nrows;
	float8		param;
	const uint8 *labels;
	LabelledRowsFlat *flat;
	float8	   *values;

	if (sm_take_u8(rd) != ROWS_ENCODING_VERSION)
		sm_corrupt(typname, "unknown version");
	if (sm_take_u8(rd) != kind)
		sm_corrupt(typname, kind == ROWS_LOGISTIC ? "not logistic rows" : "not classifier scores");
	width = sm_take_i32(rd);
	nrows = sm_take_i64(rd);
	param = sm_take_f8(rd);
	if (kind == ROWS_LOGISTIC ? width < 0 || width > LOGISTIC_MAX_FEATURES : width != 1)
		sm_corrupt(typname, "bad width");
	if (kind == ROWS_LOGISTIC ? !isfinite(param) || param < 0 : param != 0)
		sm_corrupt(typname, kind == ROWS_LOGISTIC ? "bad l2" : "bad parameter");
	/* every row takes 1 + 8 * width bytes: nothing is allocated beyond the input */
	if (nrows < 1 || nrows != sm_reader_left(rd) / (1 + (int64) width * (int64) sizeof(float8)))
		sm_corrupt(typname, "bad row count");
	if (nrows > sm_rows_limit(width))
		too_many_rows(typname, width);

	labels = sm_take_bytes(rd, nrows);
	for (int64 i = 0; i < nrows; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (labels[i] > 1)
			sm_corrupt(typname, "bad label");
	}
	flat = palloc0(flat_size(nrows, width));
	SET_VARSIZE(flat, flat_size(nrows, width));
	flat->version = ROWS_FLAT_VERSION;
	flat->kind = (uint8) kind;
	flat->width = width;
	flat->nrows = nrows;
	flat->param = param;
	memcpy(FLAT_LABELS(flat), labels, nrows);
	values = FLAT_VALUES(flat);
	for (int64 i = 0; i < nrows * width; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		values[i] = sm_take_f8(rd);
		if (!isfinite(values[i]))
			sm_corrupt(typname, "a value is not finite");
	}
	sm_reader_done(rd);
	PG_RETURN_POINTER(flat);
}

static Datum
rows_in(FunctionCallInfo fcinfo, LabelledRowsKind kind)
{
	SmReader	rd;

	sm_reader_of_text(&rd, PG_GETARG_CSTRING(0), kind_name(kind));
	return rows_read(&rd, kind);
}

static Datum
rows_recv(FunctionCallInfo fcinfo, LabelledRowsKind kind)
{
	SmReader	rd;

	sm_reader_of_recv(&rd, (StringInfo) PG_GETARG_POINTER(0), kind_name(kind));
	return rows_read(&rd, kind);
}

static Datum
rows_out(FunctionCallInfo fcinfo, LabelledRowsKind kind)
{
	LabelledRowsView view;
	StringInfoData buf;

	sm_rows_view(PG_GETARG_DATUM(0), kind, &view);
	initStringInfo(&buf);
	rows_write(&buf, kind, &view);
	PG_RETURN_CSTRING(sm_encoding_text(&buf, kind_name(kind)));
}

static Datum
rows_send(FunctionCallInfo fcinfo, LabelledRowsKind kind)
{
	LabelledRowsView view;
	StringInfoData buf;

	sm_rows_view(PG_GETARG_DATUM(0), kind, &view);
	pq_begintypsend(&buf);
	rows_write(&buf, kind, &view);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
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
Datum type##_out(PG_FUNCTION_ARGS) { return rows_out(fcinfo, kind); } \
PG_FUNCTION_INFO_V1(type##_send); \
Datum type##_send(PG_FUNCTION_ARGS) { return rows_send(fcinfo, kind); }

ROWS_TYPE_FUNCTIONS(logistic_rows, ROWS_LOGISTIC)
ROWS_TYPE_FUNCTIONS(classifier_scores, ROWS_CLASSIFIER)
