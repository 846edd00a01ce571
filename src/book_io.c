/*
 * book_io.c
 *		The text and binary forms of subscription_book, and what a book holds.
 *
 * Both forms carry the same portable encoding: every integer in network
 * byte order, ids by kind (never a type or collation OID), customers in any
 * order.  The binary form is that encoding; the text form is its base64.
 * So a stored book survives pg_dump and pg_restore on any machine, and a
 * book of one server can be read by another.
 *
 *   uint8 version (2), uint8 id kind, uint8 flags, uint8 period,
 *   uint8 display scale
 *   [int32 from_day, int32 to_day]            with read options
 *   int32 min_day, int32 max_day, int32 customers
 *   per customer:
 *     id: int64 | int32 length + UTF-8 bytes | 16 bytes
 *     int32 first_start, uint8 scale, int32 rows
 *     per row: int32 start, int32 end, int64 mrr [, uint8 scale]
 *
 * A customer's amounts are units of 10^-scale (at most 12), or, when its
 * scale is 255 (OWN_SCALES), each row's are units of 10^-(the scale that
 * follows it): so every amount is carried exactly, also a customer's whose
 * amounts have no common exact scale that fits in 64 bits (book.h).
 *
 * Input is validated completely, so that no reader can be led out of bounds
 * or to a wrong number by a crafted value: every header field, every day
 * (at least BOOK_MIN_DAY, end after start, inside the book's extent), every
 * scale (at most 12, and no amount finer than the display scale), each
 * customer's first start at or before its rows, and no duplicate id.  Then
 * it is brought to the canonical flat form: hashes computed here (never
 * read), customers sorted by (hash, id), rows sorted, each customer at its
 * smallest exact scale, or if that does not fit, each row at its own.
 */
#include "postgres.h"

#include "common/base64.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/memutils.h"

#include "book.h"
#include "money.h"
#include "portable_form.h"
#include "saas_metrics.h"

#define TYPNAME "subscription_book"

/* A customer's scale in the portable form: each row has its own. */
#define OWN_SCALES 255

static void
book_corrupt(const char *what)
{
	sm_corrupt(TYPNAME, what);
}

/* A flat book read from a table or a datum must be of this version. */
void
sm_book_check_version(const BookFlat *flat)
{
	if (VARSIZE(flat) >= 6 && flat->version == 1)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("this subscription_book was made by saas_metrics 0.1.0 and cannot be read"),
				 errdetail("Books of 0.1.0 hold period numbers of one period; books of 0.2.0 hold days, read by any period."),
				 errhint("Rebuild it from the subscription rows with subscription_book_agg(customer_id, started_at, ended_at, mrr).")));
	if (VARSIZE(flat) < sizeof(BookFlat) || flat->version != BOOK_FORMAT_VERSION)
		book_corrupt("unknown version");
}

/* ---- writing --------------------------------------------------------- */

static void
book_write(StringInfo buf, const BookFlat *flat)
{
	const char *arena = BOOK_ARENA(flat);
	BookWalk	walk;
	const BookCustomer *c;
	const BookRow *r;
	const uint8 *row_scales;

	pq_sendint8(buf, flat->version);
	pq_sendint8(buf, flat->key_kind);
	pq_sendint8(buf, flat->flags);
	pq_sendint8(buf, flat->period);
	pq_sendint8(buf, flat->display_scale);
	if (flat->flags & BOOK_HAS_READ_OPTIONS)
	{
		pq_sendint32(buf, flat->from_day);
		pq_sendint32(buf, flat->to_day);
	}
	pq_sendint32(buf, flat->min_day);
	pq_sendint32(buf, flat->max_day);
	pq_sendint32(buf, flat->ncustomers);
	sm_book_walk_begin(&walk, flat);
	for (int32 i = 0; (c = sm_book_walk_next(&walk, &r, &row_scales)) != NULL; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		switch ((BookKeyKind) flat->key_kind)
		{
			case BOOK_KEY_BIGINT:
				pq_sendint64(buf, c->key);
				break;
			case BOOK_KEY_TEXT:
				pq_sendint32(buf, VARSIZE(arena + c->key) - VARHDRSZ);
				pq_sendbytes(buf, VARDATA(arena + c->key), VARSIZE(arena + c->key) - VARHDRSZ);
				break;
			case BOOK_KEY_UUID:
				pq_sendbytes(buf, arena + c->key, 16);
				break;
		}
		pq_sendint32(buf, c->first_start);
		pq_sendint8(buf, row_scales ? OWN_SCALES : c->scale);
		pq_sendint32(buf, c->nrows);
		for (int32 k = 0; k < c->nrows; k++)
		{
			pq_sendint32(buf, r[k].start);
			pq_sendint32(buf, r[k].end);
			pq_sendint64(buf, r[k].mrr);
			if (row_scales)
				pq_sendint8(buf, row_scales[k]);
		}
	}
}

/*
 * The encoding's size, from the flat form's, so that a book too large to be
 * written is refused before the work (a text form must fit in 1 GB too).
 */
static Size
encoded_size(const BookFlat *flat)
{
	Size		size = 5 + 8 + 12 + (Size) flat->ncustomers * (17 + 16) + (Size) flat->nrows * 16 +
		BOOK_ROW_SCALES_LEN(flat);

	if (flat->key_kind == BOOK_KEY_TEXT)
		size += flat->arena_len;
	return size;
}

static void
check_writable(Size size, const char *form)
{
	if (size > MaxAllocSize - VARHDRSZ - 1)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("subscription book is too large for its %s form", form),
				 errdetail("The %s form would take %zu bytes; at most 1 GB can be written.", form, size),
				 errhint("Keep books of fewer customers (e.g. one per segment) and roll them up when read.")));
}

PG_FUNCTION_INFO_V1(subscription_book_send);
Datum
subscription_book_send(PG_FUNCTION_ARGS)
{
	BookFlat   *flat = sm_book_flat_from_datum(PG_GETARG_DATUM(0));
	StringInfoData buf;

	check_writable(encoded_size(flat), "binary");
	pq_begintypsend(&buf);
	book_write(&buf, flat);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(subscription_book_out);
Datum
subscription_book_out(PG_FUNCTION_ARGS)
{
	BookFlat   *flat = sm_book_flat_from_datum(PG_GETARG_DATUM(0));
	StringInfoData buf;

	check_writable(pg_b64_enc_len(encoded_size(flat)), "text");
	initStringInfo(&buf);
	book_write(&buf, flat);
	PG_RETURN_CSTRING(sm_encoding_text(&buf, TYPNAME));
}

/* ---- reading --------------------------------------------------------- */

/* A day of the book: finite and not before BOOK_MIN_DAY. */
static bool
valid_day(int32 day)
{
	return day >= BOOK_MIN_DAY && !DATE_NOT_FINITE(day) && IS_VALID_DATE(day);
}

typedef struct ReadCustomer
{
	BookCustomer c;				/* key: the value, or the offset of the image */
	int32		first_row;
} ReadCustomer;

typedef struct ReadSortArg
{
	BookKeyKind kind;
	const char *arena;
} ReadSortArg;

static inline int
read_customer_cmp(const ReadCustomer *a, const ReadCustomer *b, ReadSortArg *arg)
{
	if (a->c.hash != b->c.hash)
		return a->c.hash < b->c.hash ? -1 : 1;
	return sm_key_compare(arg->kind, arg->arena, a->c.key, arg->arena, b->c.key);
}

#define ST_SORT sort_read_customers
#define ST_ELEMENT_TYPE ReadCustomer
#define ST_COMPARE(a, b, arg) read_customer_cmp(a, b, arg)
#define ST_COMPARE_ARG_TYPE ReadSortArg
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

static BookFlat *
book_read(SmReader *rd)
{
	Size		len = sm_reader_left(rd);
	BookFlat	header = {0};
	ReadCustomer *customers;
	BookRow    *rows;
	uint8	   *scales;
	char	   *arena;
	int64		nrows = 0;
	int64		arena_len = 0;
	int32		min_first_start = PG_INT32_MAX;
	ReadSortArg arg;
	Size		size;
	BookFlat   *flat;
	BookFlatCounts counts = {0};
	BookRow    *out_rows;
	uint8	   *out_scales;

	header.version = sm_take_u8(rd);
	if (header.version != BOOK_FORMAT_VERSION)
		book_corrupt("unknown version");
	header.key_kind = sm_take_u8(rd);
	if (!BOOK_KEY_KIND_VALID(header.key_kind))
		book_corrupt("unknown customer_id kind");
	header.flags = sm_take_u8(rd);
	header.period = sm_take_u8(rd);
	header.display_scale = sm_take_u8(rd);
	if (header.display_scale > MONEY_MAX_SCALE)
		book_corrupt("bad display scale");
	if (header.flags & ~BOOK_HAS_READ_OPTIONS)
		book_corrupt("unknown flags");
	if (header.flags & BOOK_HAS_READ_OPTIONS)
	{
		header.from_day = sm_take_i32(rd);
		header.to_day = sm_take_i32(rd);
		if (header.period > PERIOD_KIND_LAST ||
			(!DATE_IS_NOBEGIN(header.from_day) && !valid_day(header.from_day)) ||
			(!DATE_IS_NOEND(header.to_day) && !valid_day(header.to_day)) ||
			header.from_day > header.to_day)
			book_corrupt("bad reading options");
	}
	else if (header.period != 0)
		book_corrupt("bad reading options");
	header.min_day = sm_take_i32(rd);
	header.max_day = sm_take_i32(rd);
	header.ncustomers = sm_take_i32(rd);
	if (!valid_day(header.min_day) || !valid_day(header.max_day) || header.min_day > header.max_day)
		book_corrupt("bad extent");
	/* every customer takes at least 13 bytes: no allocation beyond the input */
	if (header.ncustomers < 1 || header.ncustomers > sm_reader_left(rd) / 13)
		book_corrupt("bad customer count");

	/* zeroed: the padding of each customer goes into the canonical form */
	customers = palloc_extended(header.ncustomers * sizeof(ReadCustomer), MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	rows = palloc_extended(Max(sm_reader_left(rd) / 16, 1) * sizeof(BookRow), MCXT_ALLOC_HUGE);
	scales = palloc_extended(Max(sm_reader_left(rd) / 16, 1), MCXT_ALLOC_HUGE);
	arena = palloc_extended(Max(len, 1), MCXT_ALLOC_HUGE);
	for (int32 i = 0; i < header.ncustomers; i++)
	{
		ReadCustomer *rc = &customers[i];
		int32		nrows_c;
		int			scale;
		int			row_len;

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		switch ((BookKeyKind) header.key_kind)
		{
			case BOOK_KEY_BIGINT:
				rc->c.key = sm_take_i64(rd);
				break;
			case BOOK_KEY_TEXT:
				{
					int32		id_len = sm_take_i32(rd);
					const char *bytes;

					if (id_len < 0 || id_len > sm_reader_left(rd))
						book_corrupt("bad customer_id length");
					bytes = (const char *) sm_take_bytes(rd, id_len);
					/* the id becomes text: it must be valid in the database encoding */
					if (!pg_verifymbstr(bytes, id_len, true) || memchr(bytes, '\0', id_len))
						book_corrupt("customer_id is not valid text");
					SET_VARSIZE(arena + arena_len, id_len + VARHDRSZ);
					memcpy(arena + arena_len + VARHDRSZ, bytes, id_len);
					rc->c.key = arena_len;
					arena_len += MAXALIGN(id_len + VARHDRSZ);
					break;
				}
			case BOOK_KEY_UUID:
				memcpy(arena + arena_len, sm_take_bytes(rd, 16), 16);
				rc->c.key = arena_len;
				arena_len += MAXALIGN(16);
				break;
		}
		rc->c.first_start = sm_take_i32(rd);
		scale = sm_take_u8(rd);
		nrows_c = sm_take_i32(rd);
		if (!valid_day(rc->c.first_start) || rc->c.first_start > header.max_day)
			book_corrupt("customer's first start outside the book's extent");
		if (scale > MONEY_MAX_SCALE && scale != OWN_SCALES)
			book_corrupt("bad scale");
		row_len = scale == OWN_SCALES ? 17 : 16;
		if (nrows_c < 0 || nrows_c > sm_reader_left(rd) / row_len)
			book_corrupt("bad row count");
		min_first_start = Min(min_first_start, rc->c.first_start);
		rc->first_row = (int32) nrows;
		for (int32 k = 0; k < nrows_c; k++)
		{
			BookRow    *row = &rows[nrows + k];
			int			row_scale = scale;

			row->start = sm_take_i32(rd);
			row->end = sm_take_i32(rd);
			row->mrr = sm_take_i64(rd);
			if (!valid_day(row->start) || row->start < rc->c.first_start ||
				row->end <= row->start ||
				(!DATE_IS_NOEND(row->end) && (!valid_day(row->end) || row->end > header.max_day)) ||
				row->start > header.max_day)
				book_corrupt("bad row");
			if (row->mrr == PG_INT64_MIN)
				book_corrupt("bad amount");
			if (scale == OWN_SCALES)
			{
				row_scale = sm_take_u8(rd);
				if (row_scale > MONEY_MAX_SCALE)
					book_corrupt("bad scale");
			}
			scales[nrows + k] = (uint8) sm_money_smallest_scale(&row->mrr, row_scale);
			if (scales[nrows + k] > header.display_scale)
				book_corrupt("amounts finer than the display scale");
		}
		rc->c.nrows = nrows_c;
		sm_book_settle_rows(&rc->c, rows + nrows, scales + nrows);
		if (rc->c.own_scales)
			counts.nrow_scales += nrows_c;
		counts.max_scale = Max(counts.max_scale, rc->c.scale);
		nrows += nrows_c;
	}
	sm_reader_done(rd);
	if (min_first_start != header.min_day)
		book_corrupt("bad extent");

	/* the canonical order, and no id twice */
	arg.kind = (BookKeyKind) header.key_kind;
	arg.arena = arena;
	for (int32 i = 0; i < header.ncustomers; i++)
		customers[i].c.hash = sm_key_hash(arg.kind, arena, customers[i].c.key);
	sort_read_customers(customers, header.ncustomers, &arg);
	for (int32 i = 1; i < header.ncustomers; i++)
		if (read_customer_cmp(&customers[i - 1], &customers[i], &arg) == 0)
			book_corrupt("duplicate customer");

	counts.ncustomers = header.ncustomers;
	counts.nrows = nrows;
	counts.arena_len = arena_len;
	size = sm_book_flat_size(&counts);
	if (size > MaxAllocSize)
		sm_book_too_large();
	flat = palloc0(size);
	*flat = header;
	sm_book_set_counts(flat, &counts);
	out_rows = BOOK_ROWS(flat);
	out_scales = BOOK_ROW_SCALES(flat);
	arena_len = 0;
	for (int32 i = 0; i < header.ncustomers; i++)
	{
		BookCustomer *c = &BOOK_CUSTOMERS(flat)[i];

		*c = customers[i].c;
		memcpy(out_rows, rows + customers[i].first_row, c->nrows * sizeof(BookRow));
		out_rows += c->nrows;
		if (c->own_scales)
		{
			memcpy(out_scales, scales + customers[i].first_row, c->nrows);
			out_scales += c->nrows;
		}
		if (arg.kind != BOOK_KEY_BIGINT)
		{
			Size		image_len = sm_key_image_size(arg.kind, arena + c->key);

			memcpy(BOOK_ARENA(flat) + arena_len, arena + c->key, image_len);
			c->key = arena_len;
			arena_len += MAXALIGN(image_len);
		}
	}
	pfree(customers);
	pfree(rows);
	pfree(scales);
	pfree(arena);
	return flat;
}

PG_FUNCTION_INFO_V1(subscription_book_recv);
Datum
subscription_book_recv(PG_FUNCTION_ARGS)
{
	SmReader	rd;

	sm_reader_of_recv(&rd, (StringInfo) PG_GETARG_POINTER(0), TYPNAME);
	PG_RETURN_POINTER(book_read(&rd));
}

PG_FUNCTION_INFO_V1(subscription_book_in);
Datum
subscription_book_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	SmReader	rd;

	if (str[0] == '\\' && str[1] == 'x')
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("this subscription_book was written by saas_metrics 0.1.0 and cannot be read"),
				 errdetail("Books of 0.1.0 hold period numbers of one period; books of 0.2.0 hold days, read by any period."),
				 errhint("Rebuild it from the subscription rows with subscription_book_agg(customer_id, started_at, ended_at, mrr).")));
	sm_reader_of_text(&rd, str, TYPNAME);
	PG_RETURN_POINTER(book_read(&rd));
}

/*
 * subscription_book_stats(book): what a book holds and what it costs while
 * aggregated, to inspect a stored book and to measure memory per customer.
 */
PG_FUNCTION_INFO_V1(subscription_book_stats);
Datum
subscription_book_stats(PG_FUNCTION_ARGS)
{
	BookFlat   *flat = sm_book_flat_from_datum(PG_GETARG_DATUM(0));
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "book stats",
											  ALLOCSET_DEFAULT_SIZES);
	Book	   *log = sm_book_from_flat(flat, cxt);
	TupleDesc	tupdesc;
	Datum		values[5];
	bool		nulls[5] = {false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("subscription_book_stats must return a row")));
	values[0] = DateADTGetDatum(flat->min_day);
	values[1] = DateADTGetDatum(flat->max_day);
	values[2] = Int64GetDatum(flat->ncustomers);
	values[3] = Int64GetDatum(flat->nrows);
	values[4] = Int64GetDatum(MemoryContextMemAllocated(log->hdr.eoh_context, true));
	MemoryContextDelete(cxt);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}

/*
 * Equality: books are equal when they hold the same rows.  The flat form is
 * canonical (customers in (hash, id) order, rows sorted, each customer at
 * its smallest exact scale or each of its rows at its own, padding zeroed),
 * so it is compared byte for byte.
 */
static const void *
book_canonical(Datum book, Size *len)
{
	BookFlat   *flat = sm_book_flat_from_datum(book);

	*len = VARSIZE(flat);
	return flat;
}

PG_FUNCTION_INFO_V1(subscription_book_eq);
Datum
subscription_book_eq(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(sm_summaries_equal(PG_GETARG_DATUM(0), PG_GETARG_DATUM(1), book_canonical));
}

PG_FUNCTION_INFO_V1(subscription_book_ne);
Datum
subscription_book_ne(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(!sm_summaries_equal(PG_GETARG_DATUM(0), PG_GETARG_DATUM(1), book_canonical));
}

PG_FUNCTION_INFO_V1(subscription_book_hash);
Datum
subscription_book_hash(PG_FUNCTION_ARGS)
{
	return sm_summary_hash(PG_GETARG_DATUM(0), book_canonical);
}

PG_FUNCTION_INFO_V1(subscription_book_hash_extended);
Datum
subscription_book_hash_extended(PG_FUNCTION_ARGS)
{
	return sm_summary_hash_extended(PG_GETARG_DATUM(0), PG_GETARG_INT64(1), book_canonical);
}
