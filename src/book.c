/*
 * book.c
 *		The subscription_book type and aggregate state: transition, combine,
 *		expanded-object methods and I/O.
 *
 * The transition function only logs each row, with the hash of its
 * customer id: no lookup per row, so no cache miss per row.  Grouping rows by
 * customer happens once, when the log is flattened (for the final function,
 * or to leave a parallel worker): a radix sort on the hash, then one pass
 * that compares ids only within runs of equal hashes.
 *
 * Customer ids may be of any type with a hash opclass.  Integer ids are
 * hashed and compared as integers, and text, varchar, bytea and uuid ids
 * (in a deterministic collation) as bytes; any other type goes through the
 * type cache's hash function and equality operator, with the aggregate's
 * input collation.  Ids are kept as images: by-value ids inline, others in a
 * key arena (varlenas with a 4-byte header).
 *
 * Memory: 32 bytes per input row in the log, plus the id image per row for
 * by-reference ids (MAXALIGNed); flattening needs as much again, briefly.  A
 * book whose flat form could exceed 1 GB (the varlena limit) is refused
 * with 54000.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_collation_d.h"
#include "catalog/pg_type_d.h"
#include "common/hashfn.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "book.h"
#include "money.h"

typedef enum KeyHashing
{
	KEY_INTEGER,				/* int2, int4, int8: the value */
	KEY_BYTES,					/* the image's bytes */
	KEY_TYPCACHE				/* the type's hash function and = operator */
} KeyHashing;

/*
 * The flat form.  Customers follow the header, in ascending order of the
 * hash of their id, then their rows grouped by customer in the same order,
 * then the key arena.  The order lets the combine function merge flat books
 * like sorted runs, sequentially, without a hash table.  All native-endian:
 * the binary and text forms move a book between servers of one
 * architecture.
 */
#define BOOK_FLAT_VERSION 1
#define BOOK_HAS_BOUNDS 0x01

typedef struct BookFlat
{
	int32		vl_len_;
	uint16		version;
	uint8		period;
	uint8		flags;
	int32		mrr_scale;
	Oid			key_type;
	Oid			collation;
	int32		from_period;
	int32		to_period;
	int32		min_period;
	int32		max_period;
	int32		ncustomers;
	int32		nrows;
	int64		arena_len;
} BookFlat;

typedef struct BookFlatCustomer
{
	int64		key;			/* as BookCustomer.key, into the flat arena */
	uint32		hash;			/* customers are in ascending hash order */
	int32		first_start;
	int32		nrows;
} BookFlatCustomer;

typedef struct BookFlatRow
{
	int64		mrr;
	int32		start;
	int32		end;
} BookFlatRow;

#define FLAT_CUSTOMERS(f) ((BookFlatCustomer *) ((char *) (f) + MAXALIGN(sizeof(BookFlat))))
#define FLAT_ROWS(f) ((BookFlatRow *) (FLAT_CUSTOMERS(f) + (f)->ncustomers))
#define FLAT_ARENA(f) ((char *) (FLAT_ROWS(f) + (f)->nrows))

static Size
flat_size(int64 ncustomers, int64 nrows, int64 arena_len)
{
	return MAXALIGN(sizeof(BookFlat)) + ncustomers * sizeof(BookFlatCustomer) +
		nrows * sizeof(BookFlatRow) + arena_len;
}

static Size book_get_flat_size(ExpandedObjectHeader *eohptr);
static void book_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size);

static const ExpandedObjectMethods book_methods = {
	book_get_flat_size,
	book_flatten_into
};

static void
book_too_large(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("subscription book is too large"),
			 errdetail("Its flat form would exceed 1 GB."),
			 errhint("Aggregate fewer customers per group, e.g. GROUP BY a segment.")));
}

/* ---- customer ids ---------------------------------------------------- */

/* A key's value as a Datum: the id itself, or its image in arena. */
static Datum
key_datum(BookKeyInfo *ki, const char *arena, int64 key)
{
	return ki->byval ? (Datum) key : PointerGetDatum(arena + key);
}

static Size
key_image_size(BookKeyInfo *ki, Datum value)
{
	if (ki->typlen == -1)
		return VARSIZE_ANY_EXHDR(DatumGetPointer(value)) + VARHDRSZ;
	if (ki->typlen == -2)
		return strlen(DatumGetCString(value)) + 1;
	return ki->typlen;
}

/* The length of a by-reference id's image. */
static Size
key_image_len(BookKeyInfo *ki, const char *image)
{
	return ki->typlen == -1 ? (Size) VARSIZE(image) : (Size) ki->typlen;
}

static uint32
key_hash(BookKeyInfo *ki, const char *arena, int64 key)
{
	Datum		value = key_datum(ki, arena, key);

	switch ((KeyHashing) ki->hashing)
	{
		case KEY_INTEGER:
			return hash_bytes_uint32((uint32) key ^ (uint32) ((uint64) key >> 32));
		case KEY_BYTES:
			if (ki->typlen == -1)
				return hash_bytes((unsigned char *) VARDATA(DatumGetPointer(value)),
								  VARSIZE(DatumGetPointer(value)) - VARHDRSZ);
			return hash_bytes((unsigned char *) DatumGetPointer(value), ki->typlen);
		default:
			return DatumGetUInt32(FunctionCall1Coll(&ki->typcache->hash_proc_finfo,
													ki->collation, value));
	}
}

/* Are key ka (in arena_a) and key kb (in arena_b) the same customer? */
static bool
keys_equal(BookKeyInfo *ki, const char *arena_a, int64 ka, const char *arena_b, int64 kb)
{
	switch ((KeyHashing) ki->hashing)
	{
		case KEY_INTEGER:
			return ka == kb;
		case KEY_BYTES:
			{
				const char *ia = arena_a + ka;
				const char *ib = arena_b + kb;
				Size		len = key_image_len(ki, ia);

				return key_image_len(ki, ib) == len && memcmp(ia, ib, len) == 0;
			}
		default:
			return DatumGetBool(FunctionCall2Coll(&ki->typcache->eq_opr_finfo,
												  ki->collation,
												  key_datum(ki, arena_a, ka),
												  key_datum(ki, arena_b, kb)));
	}
}

static void
key_info_init(BookKeyInfo *ki, Oid key_type, Oid collation)
{
	ki->type = key_type;
	ki->collation = collation;
	get_typlenbyvalalign(key_type, &ki->typlen, &ki->byval, &ki->align);

	if (key_type == INT8OID || key_type == INT4OID || key_type == INT2OID)
		ki->hashing = KEY_INTEGER;
	else if (key_type == UUIDOID || key_type == BYTEAOID ||
			 ((key_type == TEXTOID || key_type == VARCHAROID) &&
			  OidIsValid(collation) && get_collation_isdeterministic(collation)))
		ki->hashing = KEY_BYTES;
	else
	{
		ki->hashing = KEY_TYPCACHE;
		ki->typcache = lookup_type_cache(key_type, TYPECACHE_HASH_PROC_FINFO |
										 TYPECACHE_EQ_OPR_FINFO);
		if (!OidIsValid(ki->typcache->hash_proc) || !OidIsValid(ki->typcache->eq_opr))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_FUNCTION),
					 errmsg("could not identify a hash function for customer_id type %s",
							format_type_be(key_type)),
					 errhint("Cast customer_id to text or bigint.")));
	}
}

/* ---- the log ------------------------------------------------------- */

/* A new empty log book. */
static Book *
book_create(MemoryContext parent)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "subscription book",
											  ALLOCSET_DEFAULT_SIZES);
	Book	   *book = MemoryContextAllocZero(cxt, sizeof(Book));

	EOH_init_header(&book->hdr, &book_methods, cxt);
	book->maxlog = 1024;
	book->log = MemoryContextAlloc(cxt, book->maxlog * sizeof(BookLogRow));
	book->min_period = PG_INT32_MAX;
	book->max_period = PG_INT32_MIN;
	return book;
}

/* What the flat form of the log can take at most: one customer per row. */
static void
check_flat_size(Book *book)
{
	if (flat_size(book->nlog, book->nlog, book->arena_len) > MaxAllocSize)
		book_too_large();
}

/* Append one row; a by-reference id's image goes to the arena. */
static void
book_log_row(Book *book, Datum id, int32 start, int32 end, int64 mrr)
{
	BookLogRow *row;

	if (book->nlog == book->maxlog)
	{
		int64		newmax = (int64) book->maxlog * 2;

		if (newmax > PG_INT32_MAX || (Size) newmax * sizeof(BookLogRow) > MaxAllocHugeSize)
			book_too_large();
		book->log = repalloc_huge(book->log, newmax * sizeof(BookLogRow));
		book->maxlog = (int32) newmax;
		check_flat_size(book);
	}
	if (book->log_flat)
	{
		pfree(book->log_flat);
		book->log_flat = NULL;
	}

	row = &book->log[book->nlog++];
	if (book->key.byval)
		row->key = (int64) id;
	else
	{
		Size		size = key_image_size(&book->key, id);
		Size		needed = book->arena_len + MAXALIGN(size);
		char	   *image;

		if (needed > book->arena_max)
		{
			Size		newmax = Max(needed, Max(book->arena_max * 2, 8192));

			if (newmax > MaxAllocHugeSize)
				book_too_large();
			book->arena = book->arena ?
				repalloc_huge(book->arena, newmax) :
				MemoryContextAllocHuge(book->hdr.eoh_context, newmax);
			book->arena_max = newmax;
		}
		image = book->arena + book->arena_len;
		if (book->key.typlen == -1)
		{
			SET_VARSIZE(image, size);
			memcpy(VARDATA(image), VARDATA_ANY(DatumGetPointer(id)), size - VARHDRSZ);
		}
		else
			memcpy(image, DatumGetPointer(id), size);
		row->key = book->arena_len;
		book->arena_len = needed;
	}
	row->hash = key_hash(&book->key, book->arena, row->key);
	row->mrr = mrr;
	row->start = start;
	row->end = end;
	book->min_period = Min(book->min_period, start);
	book->max_period = Max(book->max_period, end == PERIOD_OPEN ? start : end);
}

/* Raise the book's MRR scale: every logged amount gains the extra digits. */
static void
book_set_scale(Book *book, int scale)
{
	if (scale > MONEY_MAX_SCALE)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("mrr has too many digits after the decimal point"),
				 errdetail("At most %d are kept exactly; round mrr first.", MONEY_MAX_SCALE)));
	for (int32 i = 0; i < book->nlog; i++)
		book->log[i].mrr = sm_money_rescale(book->log[i].mrr, book->mrr_scale, scale);
	book->mrr_scale = scale;
	if (book->log_flat)
	{
		pfree(book->log_flat);
		book->log_flat = NULL;
	}
}

/* ---- flat form ------------------------------------------------------ */

/*
 * Sort log rows by hash: an LSD radix sort, four stable passes of one byte
 * each, moving the rows themselves so that every pass reads and writes
 * sequentially.  The result is in rows; buffer is scratch of the same size.
 */
static void
sort_log_by_hash(BookLogRow *rows, BookLogRow *buffer, int32 n)
{
	BookLogRow *from = rows;
	BookLogRow *to = buffer;

	for (int shift = 0; shift < 32; shift += 8)
	{
		int32		offsets[256] = {0};
		int32		sum = 0;
		BookLogRow *swap;

		for (int32 i = 0; i < n; i++)
			offsets[(from[i].hash >> shift) & 0xFF]++;
		for (int b = 0; b < 256; b++)
		{
			int32		count = offsets[b];

			offsets[b] = sum;
			sum += count;
		}
		for (int32 i = 0; i < n; i++)
			to[offsets[(from[i].hash >> shift) & 0xFF]++] = from[i];
		swap = from;
		from = to;
		to = swap;
	}
	/* an even number of passes leaves the result in rows */
}

static void
flat_set_header(BookFlat *flat, Book *book, Size size)
{
	SET_VARSIZE(flat, size);
	flat->version = BOOK_FLAT_VERSION;
	flat->period = (uint8) book->period;
	flat->flags = book->has_bounds ? BOOK_HAS_BOUNDS : 0;
	flat->mrr_scale = book->mrr_scale;
	flat->key_type = book->key.type;
	flat->collation = book->key.collation;
	flat->from_period = book->from_period;
	flat->to_period = book->to_period;
	flat->min_period = book->min_period;
	flat->max_period = book->max_period;
}

/*
 * One pass over hash-sorted log rows, grouping them by customer: rows with
 * equal hashes are compared by id, and each customer is emitted with its
 * earliest start and its rows that are ever active at a period end.  With
 * out NULL it only counts, so that the second pass writes into an exactly
 * sized value.
 */
static void
log_group_pass(Book *book, BookLogRow *rows, int32 n, bool *done, BookFlat *out,
			   int32 *ncustomers, int32 *nrows, int64 *arena_len)
{
	BookFlatCustomer *oc = out ? FLAT_CUSTOMERS(out) : NULL;
	BookFlatRow *orow = out ? FLAT_ROWS(out) : NULL;

	*ncustomers = 0;
	*nrows = 0;
	*arena_len = 0;
	memset(done, 0, n * sizeof(bool));
	for (int32 run = 0; run < n;)
	{
		int32		run_end = run + 1;

		while (run_end < n && rows[run_end].hash == rows[run].hash)
			run_end++;
		for (int32 i = run; i < run_end; i++)
		{
			int32		first_start;
			BookFlatCustomer *c = out ? &oc[*ncustomers] : NULL;

			if (done[i])
				continue;
			first_start = rows[i].start;
			if (c)
			{
				c->hash = rows[i].hash;
				c->nrows = 0;
				c->key = rows[i].key;
			}
			if (!book->key.byval)
			{
				const char *image = book->arena + rows[i].key;
				Size		len = key_image_len(&book->key, image);

				if (c)
				{
					memcpy(FLAT_ARENA(out) + *arena_len, image, len);
					c->key = *arena_len;
				}
				*arena_len += MAXALIGN(len);
			}
			for (int32 j = i; j < run_end; j++)
			{
				if (done[j] || (j > i && !keys_equal(&book->key, book->arena, rows[i].key,
													   book->arena, rows[j].key)))
					continue;
				done[j] = true;
				first_start = Min(first_start, rows[j].start);
				/* a row that starts and ends within one period is never active at an end */
				if (rows[j].start == rows[j].end)
					continue;
				if (c)
				{
					*orow++ = (BookFlatRow)
					{
						.mrr = rows[j].mrr,.start = rows[j].start,.end = rows[j].end
					};
					c->nrows++;
				}
				(*nrows)++;
			}
			if (c)
				c->first_start = first_start;
			(*ncustomers)++;
		}
		run = run_end;
	}
}

/* The flat form of a log book, allocated in cxt. */
static BookFlat *
log_to_flat(Book *book, MemoryContext cxt)
{
	BookLogRow *rows = palloc_extended(Max(book->nlog, 1) * sizeof(BookLogRow), MCXT_ALLOC_HUGE);
	BookLogRow *buffer = palloc_extended(Max(book->nlog, 1) * sizeof(BookLogRow), MCXT_ALLOC_HUGE);
	bool	   *done = palloc_extended(Max(book->nlog, 1) * sizeof(bool), MCXT_ALLOC_HUGE);
	int32		ncustomers,
				nrows;
	int64		arena_len;
	Size		size;
	BookFlat   *flat;

	memcpy(rows, book->log, book->nlog * sizeof(BookLogRow));
	sort_log_by_hash(rows, buffer, book->nlog);
	pfree(buffer);

	log_group_pass(book, rows, book->nlog, done, NULL, &ncustomers, &nrows, &arena_len);
	size = flat_size(ncustomers, nrows, arena_len);
	if (size > MaxAllocSize)
		book_too_large();
	flat = MemoryContextAllocZero(cxt, size);
	flat_set_header(flat, book, size);
	flat->ncustomers = ncustomers;
	flat->nrows = nrows;
	flat->arena_len = arena_len;
	log_group_pass(book, rows, book->nlog, done, flat, &ncustomers, &nrows, &arena_len);
	pfree(rows);
	pfree(done);
	return flat;
}

/* The book's flat form: itself if flat, else its log's, built once. */
static BookFlat *
book_flat(Book *book)
{
	if (book->flat)
		return book->flat;
	if (book->log_flat == NULL)
		book->log_flat = log_to_flat(book, book->hdr.eoh_context);
	return book->log_flat;
}

static Size
book_get_flat_size(ExpandedObjectHeader *eohptr)
{
	return VARSIZE(book_flat((Book *) eohptr));
}

static void
book_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size)
{
	memcpy(result, book_flat((Book *) eohptr), allocated_size);
}

static void
flat_corrupt(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid subscription_book value: %s", what)));
}

/*
 * Check a flat book read from outside (text or binary input) so that no
 * later use can read out of bounds or mistake its order.
 */
static void
flat_validate(BookFlat *flat, Size size)
{
	BookFlatCustomer *fc;
	BookFlatRow *fr;
	int64		rows = 0;
	BookKeyInfo ki;
	int32		run_start = 0;

	if (size < MAXALIGN(sizeof(BookFlat)))
		flat_corrupt("too short");
	if (flat->version != BOOK_FLAT_VERSION)
		flat_corrupt("unknown version");
	if (flat->period > PERIOD_YEAR || flat->mrr_scale < 0 ||
		flat->mrr_scale > MONEY_MAX_SCALE || flat->ncustomers < 0 ||
		flat->nrows < 0 || flat->arena_len < 0 || flat->arena_len > (int64) MaxAllocSize)
		flat_corrupt("bad header");
	if (flat_size(flat->ncustomers, flat->nrows, flat->arena_len) != size)
		flat_corrupt("wrong length");
	if (flat->ncustomers == 0)
		return;
	if (!SearchSysCacheExists1(TYPEOID, ObjectIdGetDatum(flat->key_type)))
		flat_corrupt("unknown customer_id type");
	key_info_init(&ki, flat->key_type, flat->collation);

	/*
	 * Any image of a by-value type, or of these types, is safe to hash and
	 * compare; an image of another type could be invalid for its functions.
	 */
	if (!ki.byval &&
		flat->key_type != TEXTOID && flat->key_type != VARCHAROID &&
		flat->key_type != BYTEAOID && flat->key_type != UUIDOID)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("subscription_book input does not accept customer_id of type %s",
						format_type_be(flat->key_type)),
				 errdetail("Books read from text or binary input must have customer ids of a by-value type, text, varchar, bytea or uuid.")));

	fc = FLAT_CUSTOMERS(flat);
	fr = FLAT_ROWS(flat);
	for (int32 i = 0; i < flat->ncustomers; i++)
	{
		if (fc[i].nrows < 0 || (rows += fc[i].nrows) > flat->nrows)
			flat_corrupt("bad row count");
		if (fc[i].first_start < flat->min_period || fc[i].first_start > flat->max_period)
			flat_corrupt("customer outside the book's periods");
		if (!ki.byval)
		{
			int64		off = fc[i].key;
			int64		len;

			if (off < 0 || off != (int64) MAXALIGN(off) ||
				off + (ki.typlen == -1 ? (int64) VARHDRSZ : 1) > flat->arena_len)
				flat_corrupt("bad customer_id offset");
			if (ki.typlen == -1)
			{
				char	   *image = FLAT_ARENA(flat) + off;

				if (VARATT_IS_EXTENDED(image))
					flat_corrupt("bad customer_id image");
				len = VARSIZE(image);
			}
			else
				len = ki.typlen;
			if (len < (ki.typlen == -1 ? (int64) VARHDRSZ : 1) || off + len > flat->arena_len)
				flat_corrupt("bad customer_id image");
		}
		if (key_hash(&ki, FLAT_ARENA(flat), fc[i].key) != fc[i].hash)
			flat_corrupt("bad customer_id hash");
		if (i > 0 && fc[i].hash < fc[i - 1].hash)
			flat_corrupt("customers out of order");
		if (i > 0 && fc[i].hash != fc[i - 1].hash)
			run_start = i;
		for (int32 j = run_start; j < i; j++)
			if (keys_equal(&ki, FLAT_ARENA(flat), fc[j].key, FLAT_ARENA(flat), fc[i].key))
				flat_corrupt("duplicate customer");
	}
	if (rows != flat->nrows)
		flat_corrupt("bad row count");
	for (int32 r = 0; r < flat->nrows; r++)
	{
		if (fr[r].mrr < 0 || fr[r].start >= fr[r].end ||
			fr[r].start < flat->min_period ||
			(fr[r].end != PERIOD_OPEN && fr[r].end > flat->max_period))
			flat_corrupt("bad row");
	}
}

static void
check_compatible(BookFlat *a, BookFlat *b)
{
	if (a->period != b->period)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine subscription books of different periods"),
				 errdetail("One is by %s, the other by %s.", sm_period_name((PeriodKind) a->period),
						   sm_period_name((PeriodKind) b->period))));
	if (a->flags != b->flags ||
		((a->flags & BOOK_HAS_BOUNDS) && (a->from_period != b->from_period ||
										  a->to_period != b->to_period)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine subscription books with different bounds")));
	if (a->ncustomers > 0 && b->ncustomers > 0 &&
		(a->key_type != b->key_type || a->collation != b->collation))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("cannot combine subscription books with different customer_id types or collations")));
}

/* The index of each flat customer's first row (and the row count at the end). */
static int32 *
flat_row_starts(BookFlat *flat, MemoryContext cxt)
{
	int32	   *starts = MemoryContextAllocHuge(cxt, (flat->ncustomers + 1) * sizeof(int32));
	BookFlatCustomer *fc = FLAT_CUSTOMERS(flat);

	starts[0] = 0;
	for (int32 i = 0; i < flat->ncustomers; i++)
		starts[i + 1] = starts[i] + fc[i].nrows;
	return starts;
}

/* Where a merge writes: nothing but the counts in the sizing pass. */
typedef struct MergeOutput
{
	BookKeyInfo *ki;
	BookFlat   *out;			/* NULL in the sizing pass */
	BookFlatRow *next_row;
	int			scale;
	int32		ncustomers;
	int64		arena_len;
} MergeOutput;

static void
emit_rows(MergeOutput *mo, BookFlatCustomer *oc, BookFlat *from, int32 *from_rows, int32 c)
{
	for (int32 r = from_rows[c]; r < from_rows[c + 1]; r++)
	{
		BookFlatRow *row = &FLAT_ROWS(from)[r];

		*mo->next_row++ = (BookFlatRow)
		{
			.mrr = sm_money_rescale(row->mrr, from->mrr_scale, mo->scale),
				.start = row->start,.end = row->end
		};
		oc->nrows++;
	}
}

/* Emit customer x of book X, merged with customer y of book Y unless y < 0. */
static void
emit_customer(MergeOutput *mo, BookFlat *X, int32 *x_rows, int32 x,
			  BookFlat *Y, int32 *y_rows, int32 y)
{
	BookFlatCustomer *cx = &FLAT_CUSTOMERS(X)[x];
	const char *image = FLAT_ARENA(X) + cx->key;
	Size		len = mo->ki->byval ? 0 : key_image_len(mo->ki, image);

	if (mo->out)
	{
		BookFlatCustomer *oc = &FLAT_CUSTOMERS(mo->out)[mo->ncustomers];

		oc->hash = cx->hash;
		oc->first_start = cx->first_start;
		oc->nrows = 0;
		oc->key = cx->key;
		if (!mo->ki->byval)
		{
			memcpy(FLAT_ARENA(mo->out) + mo->arena_len, image, len);
			oc->key = mo->arena_len;
		}
		emit_rows(mo, oc, X, x_rows, x);
		if (y >= 0)
		{
			oc->first_start = Min(oc->first_start, FLAT_CUSTOMERS(Y)[y].first_start);
			emit_rows(mo, oc, Y, y_rows, y);
		}
	}
	mo->arena_len += MAXALIGN(len);
	mo->ncustomers++;
}

/*
 * One pass of merging two flat books: customers in hash order, a customer
 * present in both merged (rows of both, earliest first start).
 */
static void
flat_merge_pass(MergeOutput *mo, BookFlat *a, int32 *a_rows, BookFlat *b, int32 *b_rows)
{
	BookFlatCustomer *ac = FLAT_CUSTOMERS(a);
	BookFlatCustomer *bc = FLAT_CUSTOMERS(b);
	int32		i = 0,
				j = 0;

	mo->ncustomers = 0;
	mo->arena_len = 0;
	mo->next_row = mo->out ? FLAT_ROWS(mo->out) : NULL;
	while (i < a->ncustomers || j < b->ncustomers)
	{
		if (j >= b->ncustomers || (i < a->ncustomers && ac[i].hash < bc[j].hash))
			emit_customer(mo, a, a_rows, i++, NULL, NULL, -1);
		else if (i >= a->ncustomers || bc[j].hash < ac[i].hash)
			emit_customer(mo, b, b_rows, j++, NULL, NULL, -1);
		else
		{
			/* a run of equal hashes on both sides: match ids within it */
			uint32		hash = ac[i].hash;
			int32		i_end = i,
						j_end = j;

			while (i_end < a->ncustomers && ac[i_end].hash == hash)
				i_end++;
			while (j_end < b->ncustomers && bc[j_end].hash == hash)
				j_end++;
			for (int32 x = i; x < i_end; x++)
			{
				int32		match = -1;

				for (int32 y = j; y < j_end && match < 0; y++)
					if (keys_equal(mo->ki, FLAT_ARENA(a), ac[x].key, FLAT_ARENA(b), bc[y].key))
						match = y;
				emit_customer(mo, a, a_rows, x, b, b_rows, match);
			}
			for (int32 y = j; y < j_end; y++)
			{
				bool		matched = false;

				for (int32 x = i; x < i_end && !matched; x++)
					matched = keys_equal(mo->ki, FLAT_ARENA(a), ac[x].key, FLAT_ARENA(b), bc[y].key);
				if (!matched)
					emit_customer(mo, b, b_rows, y, NULL, NULL, -1);
			}
			i = i_end;
			j = j_end;
		}
	}
}

/* The merge of two flat books, allocated in cxt. */
static BookFlat *
flat_merge(BookFlat *a, BookFlat *b, MemoryContext cxt)
{
	BookKeyInfo ki;
	MergeOutput mo = {.ki = &ki,.scale = Max(a->mrr_scale, b->mrr_scale)};
	int32	   *a_rows = flat_row_starts(a, CurrentMemoryContext);
	int32	   *b_rows = flat_row_starts(b, CurrentMemoryContext);
	int64		nrows = (int64) a->nrows + b->nrows;
	Size		size;
	BookFlat   *out;

	check_compatible(a, b);
	memset(&ki, 0, sizeof(ki));
	if (a->ncustomers > 0 || b->ncustomers > 0)
		key_info_init(&ki, a->ncustomers > 0 ? a->key_type : b->key_type,
					  a->ncustomers > 0 ? a->collation : b->collation);
	flat_merge_pass(&mo, a, a_rows, b, b_rows);
	if (nrows > PG_INT32_MAX)
		book_too_large();
	size = flat_size(mo.ncustomers, nrows, mo.arena_len);
	if (size > MaxAllocSize)
		book_too_large();

	out = MemoryContextAllocZero(cxt, size);
	memcpy(out, a, MAXALIGN(sizeof(BookFlat)));
	SET_VARSIZE(out, size);
	out->key_type = ki.type;
	out->collation = ki.collation;
	out->mrr_scale = Max(a->mrr_scale, b->mrr_scale);
	out->min_period = Min(a->min_period, b->min_period);
	out->max_period = Max(a->max_period, b->max_period);
	out->ncustomers = mo.ncustomers;
	out->nrows = (int32) nrows;
	out->arena_len = mo.arena_len;
	mo.out = out;
	flat_merge_pass(&mo, a, a_rows, b, b_rows);
	pfree(a_rows);
	pfree(b_rows);
	return out;
}

static void
book_settings_from_flat(Book *book, BookFlat *flat)
{
	book->period = (PeriodKind) flat->period;
	book->has_bounds = (flat->flags & BOOK_HAS_BOUNDS) != 0;
	book->from_period = flat->from_period;
	book->to_period = flat->to_period;
	book->mrr_scale = flat->mrr_scale;
	book->min_period = flat->min_period;
	book->max_period = flat->max_period;
}

/*
 * A log book with the contents of a flat one, for more transitions: each
 * customer's rows, and a never-active row at its first start where that
 * start came from a row the flat form does not keep.
 */
static Book *
book_from_flat(BookFlat *flat, MemoryContext parent)
{
	Book	   *book = book_create(parent);
	BookFlatCustomer *fc = FLAT_CUSTOMERS(flat);
	BookFlatRow *fr = FLAT_ROWS(flat);
	int32		min_period = flat->min_period;
	int32		max_period = flat->max_period;

	book_settings_from_flat(book, flat);
	if (flat->ncustomers > 0)
		key_info_init(&book->key, flat->key_type, flat->collation);
	for (int32 i = 0; i < flat->ncustomers; i++)
	{
		Datum		id = key_datum(&book->key, FLAT_ARENA(flat), fc[i].key);
		int32		earliest = PERIOD_OPEN;

		for (int32 r = 0; r < fc[i].nrows; r++, fr++)
		{
			book_log_row(book, id, fr->start, fr->end, fr->mrr);
			earliest = Min(earliest, fr->start);
		}
		if (fc[i].first_start < earliest)
			book_log_row(book, id, fc[i].first_start, fc[i].first_start, 0);
	}
	/* the extent may come from rows the flat form does not keep */
	book->min_period = Min(book->min_period, min_period);
	book->max_period = Max(book->max_period, max_period);
	return book;
}

/* An empty book to hold a flat form. */
static Book *
book_new_flat(MemoryContext parent)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "subscription book",
											  ALLOCSET_DEFAULT_SIZES);
	Book	   *book = MemoryContextAllocZero(cxt, sizeof(Book));

	EOH_init_header(&book->hdr, &book_methods, cxt);
	return book;
}

/* Make the book read this flat form (which must live as long as it). */
static void
book_set_flat(Book *book, BookFlat *flat)
{
	book_settings_from_flat(book, flat);
	if (flat->ncustomers > 0)
		key_info_init(&book->key, flat->key_type, flat->collation);
	book->flat = flat;
	book->flat_row_start = flat_row_starts(flat, book->hdr.eoh_context);
	book->ncustomers = flat->ncustomers;
}

/* Our book, if the datum is one. */
static Book *
datum_book(Datum d)
{
	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d)))
	{
		ExpandedObjectHeader *eoh = DatumGetEOHP(d);

		if (eoh->eoh_methods == &book_methods)
			return (Book *) eoh;
	}
	return NULL;
}

/* The flat form of a book datum, without copying where it already is one. */
static BookFlat *
datum_flat(Datum d)
{
	Book	   *book = datum_book(d);

	return book ? book_flat(book) : (BookFlat *) PG_DETOAST_DATUM(d);
}

/*
 * The book a datum holds, for reading, always flat: our flat book as it is,
 * a log book's flat form, a flat datum read in place.
 */
Book *
sm_book_from_datum(Datum d, MemoryContext cxt)
{
	Book	   *book = datum_book(d);

	if (book && book->flat)
		return book;
	book = book_new_flat(cxt);
	book_set_flat(book, datum_flat(d));
	return book;
}

/* ---- aggregate support ---------------------------------------------- */

/* The state as a log book we may change: ours if it is, else a copy. */
static Book *
book_for_update(Datum state, MemoryContext aggcxt)
{
	Book	   *book = datum_book(state);

	if (book && !book->flat && VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(state)))
		return book;
	return book_from_flat(datum_flat(state), aggcxt);
}

static void
null_argument(const char *argname)
{
	ereport(ERROR,
			(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			 errmsg("%s must not be NULL", argname)));
}

/* started_at or ended_at as a date: timestamptz at local midnight of its day */
static DateADT
date_argument(FunctionCallInfo fcinfo, int argno, bool is_timestamptz)
{
	if (!is_timestamptz)
		return PG_GETARG_DATEADT(argno);
	if (TIMESTAMP_IS_NOBEGIN(PG_GETARG_TIMESTAMPTZ(argno)))
		return DATEVAL_NOBEGIN;
	if (TIMESTAMP_IS_NOEND(PG_GETARG_TIMESTAMPTZ(argno)))
		return DATEVAL_NOEND;
	return DatumGetDateADT(DirectFunctionCall1(timestamptz_date, PG_GETARG_DATUM(argno)));
}

static int32
bound_argument(FunctionCallInfo fcinfo, int argno, bool is_timestamptz,
			   PeriodKind period, int32 unbounded, const char *argname)
{
	DateADT		date;

	if (PG_NARGS() <= argno || PG_ARGISNULL(argno))
		return unbounded;
	date = date_argument(fcinfo, argno, is_timestamptz);
	if (DATE_NOT_FINITE(date))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("%s must be a finite date", argname)));
	return sm_period_of_date(period, date);
}

/*
 * subscription_book_add(state, customer_id, started_at, ended_at, mrr
 *                       [, period [, from, to]])
 */
PG_FUNCTION_INFO_V1(subscription_book_add);
Datum
subscription_book_add(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	Book	   *book;
	bool		is_timestamptz;
	DateADT		started_at,
				ended_at;
	int32		start,
				end;
	struct varlena *mrr;
	int			dscale;
	Datum		id;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "subscription_book_add called in non-aggregate context");

	if (PG_ARGISNULL(1))
		null_argument("customer_id");
	if (PG_ARGISNULL(2))
		null_argument("started_at");
	if (PG_ARGISNULL(4))
		null_argument("mrr");
	if (PG_NARGS() > 5 && PG_ARGISNULL(5))
		null_argument("period");
	/* the argument types of this call site, looked up once */
	if (fcinfo->flinfo->fn_extra == NULL)
	{
		bool	   *cached = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(bool));

		*cached = get_fn_expr_argtype(fcinfo->flinfo, 2) == TIMESTAMPTZOID;
		fcinfo->flinfo->fn_extra = cached;
	}
	is_timestamptz = *(bool *) fcinfo->flinfo->fn_extra;

	if (PG_ARGISNULL(0))
	{
		book = book_create(aggcxt);
		book->period = PG_NARGS() > 5 ? sm_period_parse(PG_GETARG_TEXT_PP(5)) : PERIOD_MONTH;
		book->last_period_arg = PG_NARGS() > 5 ? PG_GETARG_DATUM(5) : (Datum) 0;
		book->has_bounds = PG_NARGS() > 6;
		book->from_period = bound_argument(fcinfo, 6, is_timestamptz, book->period,
										   PG_INT32_MIN, "from");
		book->to_period = bound_argument(fcinfo, 7, is_timestamptz, book->period,
										 PG_INT32_MAX, "to");
		if (book->from_period > book->to_period)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("\"from\" must not be after \"to\"")));
		key_info_init(&book->key, get_fn_expr_argtype(fcinfo->flinfo, 1), PG_GET_COLLATION());
	}
	else
	{
		book = book_for_update(PG_GETARG_DATUM(0), aggcxt);
		/* the period and bounds must be the same in every row */
		if (PG_NARGS() > 5 && PG_GETARG_DATUM(5) != book->last_period_arg)
		{
			if (sm_period_parse(PG_GETARG_TEXT_PP(5)) != book->period)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("period must be the same in every row")));
			book->last_period_arg = PG_GETARG_DATUM(5);
		}
		if (book->has_bounds &&
			(bound_argument(fcinfo, 6, is_timestamptz, book->period, PG_INT32_MIN, "from") != book->from_period ||
			 bound_argument(fcinfo, 7, is_timestamptz, book->period, PG_INT32_MAX, "to") != book->to_period))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("\"from\" and \"to\" must be the same in every row")));
	}

	started_at = date_argument(fcinfo, 2, is_timestamptz);
	ended_at = PG_ARGISNULL(3) ? DATEVAL_NOEND : date_argument(fcinfo, 3, is_timestamptz);
	if (DATE_NOT_FINITE(started_at))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("started_at must be a finite date")));
	if (ended_at < started_at)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ended_at must not be before started_at")));
	start = sm_period_of_date(book->period, started_at);
	end = DATE_IS_NOEND(ended_at) ? PERIOD_OPEN : sm_period_of_date(book->period, ended_at);

	mrr = PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(4));
	dscale = sm_money_dscale(mrr);
	if (dscale > book->mrr_scale)
		book_set_scale(book, dscale);

	/* a long text id may be compressed or out of line: hash its real bytes */
	id = PG_GETARG_DATUM(1);
	if (book->key.typlen == -1)
		id = PointerGetDatum(PG_DETOAST_DATUM_PACKED(id));
	book_log_row(book, id, start, end, sm_money_scaled(mrr, book->mrr_scale, "mrr"));

	PG_RETURN_DATUM(EOHPGetRWDatum(&book->hdr));
}

/*
 * The combined state is a flat book, held as our R/W expanded object so that
 * the executor keeps it without copying: partial states arrive flat and in
 * hash order, and merging two of them is one sequential pass, with no hash
 * table in the leader.
 */
PG_FUNCTION_INFO_V1(subscription_book_combine);
Datum
subscription_book_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	Book	   *mine;
	Book	   *book;
	BookFlat   *other;
	BookFlat   *merged;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "subscription_book_combine called in non-aggregate context");
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}

	/* a hashed input (the leader's own partial state) is read flattened */
	other = datum_flat(PG_GETARG_DATUM(1));
	if (PG_ARGISNULL(0))
	{
		book = book_new_flat(aggcxt);
		merged = MemoryContextAllocHuge(book->hdr.eoh_context, VARSIZE(other));
		memcpy(merged, other, VARSIZE(other));
		book_set_flat(book, merged);
		PG_RETURN_DATUM(EOHPGetRWDatum(&book->hdr));
	}

	mine = datum_book(PG_GETARG_DATUM(0));
	if (mine && mine->flat && VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(PG_GETARG_DATUM(0))))
	{
		merged = flat_merge(mine->flat, other, mine->hdr.eoh_context);
		pfree(mine->flat);
		pfree(mine->flat_row_start);
		book_set_flat(mine, merged);
		PG_RETURN_DATUM(EOHPGetRWDatum(&mine->hdr));
	}
	book = book_new_flat(aggcxt);
	book_set_flat(book, flat_merge(datum_flat(PG_GETARG_DATUM(0)), other, book->hdr.eoh_context));
	PG_RETURN_DATUM(EOHPGetRWDatum(&book->hdr));
}

/* ---- I/O ------------------------------------------------------------ */

static Datum
flat_from_bytes(const char *bytes, Size len)
{
	BookFlat   *flat;

	if (len < MAXALIGN(sizeof(BookFlat)) || len > MaxAllocSize)
		flat_corrupt("wrong length");
	flat = palloc(len);
	memcpy(flat, bytes, len);
	if (VARSIZE(flat) != len)
		flat_corrupt("wrong length");
	flat_validate(flat, len);
	PG_RETURN_POINTER(flat);
}

/* Text form: "\x" and the flat form in hex, like bytea. */
PG_FUNCTION_INFO_V1(subscription_book_in);
Datum
subscription_book_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	size_t		hexlen = strlen(str);
	char	   *bytes;
	uint64		len;

	if (hexlen < 2 || str[0] != '\\' || str[1] != 'x' || hexlen % 2 != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type subscription_book"),
				 errhint("A subscription_book is written as \\x and hex digits, as produced by its output function.")));
	bytes = palloc((hexlen - 2) / 2 + 1);
	len = hex_decode(str + 2, hexlen - 2, bytes);
	return flat_from_bytes(bytes, len);
}

PG_FUNCTION_INFO_V1(subscription_book_out);
Datum
subscription_book_out(PG_FUNCTION_ARGS)
{
	struct varlena *flat = PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	Size		len = VARSIZE(flat);
	char	   *result = palloc(len * 2 + 3);
	uint64		hexlen;

	result[0] = '\\';
	result[1] = 'x';
	hexlen = hex_encode((char *) flat, len, result + 2);
	result[hexlen + 2] = '\0';
	PG_RETURN_CSTRING(result);
}

PG_FUNCTION_INFO_V1(subscription_book_recv);
Datum
subscription_book_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			len = buf->len - buf->cursor;

	return flat_from_bytes(pq_getmsgbytes(buf, len), len);
}

PG_FUNCTION_INFO_V1(subscription_book_send);
Datum
subscription_book_send(PG_FUNCTION_ARGS)
{
	struct varlena *flat = PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbytes(&buf, (char *) flat, VARSIZE(flat));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---- helpers for the final functions -------------------------------- */

#define ST_SORT sort_events
#define ST_ELEMENT_TYPE BookEvent
#define ST_COMPARE(a, b) ((a)->period < (b)->period ? -1 : (a)->period > (b)->period)
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

/* The period of the customer's earliest started_at: its cohort. */
int32
sm_book_first_start(Book *book, int32 customer)
{
	return FLAT_CUSTOMERS(book->flat)[customer].first_start;
}

/*
 * The changes of one customer's active-row count and MRR, by period, in
 * period order, one event per period (an upgrade that ends one row and
 * starts another in the same period is one net change).  The book is flat
 * (sm_book_from_datum).
 */
int
sm_book_customer_events(Book *book, int32 customer, BookEvent **events, int *capacity)
{
	BookFlatRow *rows = FLAT_ROWS(book->flat);
	int32		last = book->flat_row_start[customer + 1];
	int			n = 0,
				merged = 0;

	if (2 * (last - book->flat_row_start[customer]) > *capacity)
	{
		*capacity = 2 * (last - book->flat_row_start[customer]);
		*events = repalloc(*events, *capacity * sizeof(BookEvent));
	}
	for (int32 r = book->flat_row_start[customer]; r < last; r++)
	{
		(*events)[n++] = (BookEvent)
		{
			.period = rows[r].start,.delta_rows = 1,.delta_mrr = rows[r].mrr
		};
		if (rows[r].end != PERIOD_OPEN)
			(*events)[n++] = (BookEvent)
			{
				.period = rows[r].end,.delta_rows = -1,.delta_mrr = -rows[r].mrr
			};
	}
	if (n <= 1)
		return n;
	sort_events(*events, n);
	for (int i = 1; i < n; i++)
	{
		BookEvent  *e = &(*events)[merged];

		if ((*events)[i].period == e->period)
		{
			e->delta_rows += (*events)[i].delta_rows;
			e->delta_mrr += (*events)[i].delta_mrr;
		}
		else
			(*events)[++merged] = (*events)[i];
	}
	return merged + 1;
}

/* Longest window returned: about 1900 years of weeks. */
#define MAX_WINDOW_PERIODS 100000

/*
 * The periods to report: where the data is (the earliest start to the
 * latest start or end), or the book's explicit bounds where use_bounds.
 */
void
sm_book_window(Book *book, bool use_bounds, int32 *first, int32 *last)
{
	*first = book->min_period;
	*last = book->max_period;
	if (use_bounds && book->has_bounds)
	{
		if (book->from_period != PG_INT32_MIN)
			*first = book->from_period;
		if (book->to_period != PG_INT32_MAX)
			*last = book->to_period;
	}
	if ((int64) *last - *first + 1 > MAX_WINDOW_PERIODS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many periods: " INT64_FORMAT, (int64) *last - *first + 1),
				 errdetail("At most %d periods are returned.", MAX_WINDOW_PERIODS)));
}

/* The tuple descriptor of the composite the final function returns an array of. */
TupleDesc
sm_book_result_tupdesc(FunctionCallInfo fcinfo, int natts)
{
	Oid			element_type = get_element_type(get_fn_expr_rettype(fcinfo->flinfo));
	TupleDesc	tupdesc = lookup_rowtype_tupdesc_copy(element_type, -1);

	if (tupdesc->natts != natts)
		elog(ERROR, "%s must have %d columns", format_type_be(element_type), natts);
	return BlessTupleDesc(tupdesc);
}

/* An array of the composite type the final function is declared to return. */
Datum
sm_book_result_array(FunctionCallInfo fcinfo, Datum *elements, int n)
{
	Oid			array_type = get_fn_expr_rettype(fcinfo->flinfo);
	Oid			element_type = get_element_type(array_type);
	int16		typlen;
	bool		typbyval;
	char		typalign;

	get_typlenbyvalalign(element_type, &typlen, &typbyval, &typalign);
	PG_RETURN_ARRAYTYPE_P(construct_array(elements, n, element_type, typlen,
										  typbyval, typalign));
}

/*
 * subscription_book_stats(book): what a book holds and what it costs, to
 * inspect a stored book and to measure memory per customer.
 */
PG_FUNCTION_INFO_V1(subscription_book_stats);
Datum
subscription_book_stats(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "book stats",
											  ALLOCSET_DEFAULT_SIZES);
	BookFlat   *flat = datum_flat(PG_GETARG_DATUM(0));
	Book	   *book = book_from_flat(flat, cxt);
	TupleDesc	tupdesc;
	Datum		values[6];
	bool		nulls[6] = {false};
	int32		first,
				last;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	sm_book_window(book, true, &first, &last);
	values[0] = CStringGetTextDatum(sm_period_name(book->period));
	values[1] = DateADTGetDatum(sm_period_start(book->period, first));
	values[2] = DateADTGetDatum(sm_period_start(book->period, last));
	values[3] = Int64GetDatum(flat->ncustomers);
	values[4] = Int64GetDatum(flat->nrows);
	values[5] = Int64GetDatum(MemoryContextMemAllocated(book->hdr.eoh_context, true));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}
