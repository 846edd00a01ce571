/*
 * customer_counts.c
 *		The states of bgnbd_fit() and gamma_gamma_fit(): each customer's rfm
 *		summary reduced to the numbers its model's likelihood reads, with
 *		the number of customers who share them.
 *
 *   bgnbd_counts        (frequency, recency, t) -> customers
 *   gamma_gamma_counts  (frequency, monetary_value) -> customers, for the
 *                       customers with frequency > 0 (the model's domain)
 *
 * Both are one varlena of 32-byte entries (CustomerCount) with room to add
 * in place; entries are appended as customers arrive and merged by sorting
 * when the room runs out, in the final functions and in the output
 * function, so a state holds at most twice its distinct summaries.  Many
 * customers share a summary (all who never repeated and started on the
 * same day, in the same unit), and one million customers fit in at most 64
 * MB.  Combining two states appends one to the other, so the aggregates
 * run in parallel and on Citus; the fits read the distinct entries.
 */
#include "postgres.h"

#include <ctype.h>
#include <math.h>

#include "common/int.h"
#include "common/shortest_dec.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "clv_models.h"
#include "saas_metrics.h"

#define COUNTS_SIZE(capacity) (offsetof(CustomerCounts, entries) + (Size) (capacity) * sizeof(CustomerCount))
#define COUNTS_MAX_CAPACITY ((int32) ((MaxAllocSize - offsetof(CustomerCounts, entries)) / sizeof(CustomerCount)))
#define COUNTS_INITIAL_CAPACITY 16

static const char *const kind_names[] = {NULL, "bgnbd_counts", "gamma_gamma_counts"};

static CustomerCounts *
counts_new(CountsKind kind, int64 capacity)
{
	CustomerCounts *counts;

	if (capacity > COUNTS_MAX_CAPACITY)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many distinct customer summaries for %s", kind_names[kind]),
				 errdetail("At most %d distinct summaries fit in one value.", COUNTS_MAX_CAPACITY),
				 errhint("Fit a sample of the customers, or round recency and t to fewer distinct values.")));
	counts = palloc0(COUNTS_SIZE(capacity));
	SET_VARSIZE(counts, COUNTS_SIZE(capacity));
	counts->kind = kind;
	counts->capacity = (int32) capacity;
	return counts;
}

static int
compare_keys(const CustomerCount *a, const CustomerCount *b)
{
	for (int i = 0; i < 3; i++)
		if (a->key[i] != b->key[i])
			return a->key[i] < b->key[i] ? -1 : 1;
	return 0;
}

#define ST_SORT sort_customer_counts
#define ST_ELEMENT_TYPE CustomerCount
#define ST_COMPARE(a, b) compare_keys(a, b)
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

static void
add_customers(int64 *counter, int64 n)
{
	if (pg_add_s64_overflow(*counter, n, counter))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("number of customers is out of range for type bigint")));
}

/* Sort entries[0, n) and merge equal keys; returns the number left. */
static int32
merge_entries(CustomerCount *entries, int32 n)
{
	int32		kept = 0;

	if (n == 0)
		return 0;
	sort_customer_counts(entries, n);
	for (int32 i = 1; i < n; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (compare_keys(&entries[i], &entries[kept]) == 0)
			add_customers(&entries[kept].customers, entries[i].customers);
		else
			entries[++kept] = entries[i];
	}
	return kept + 1;
}

CustomerCount *
sm_counts_distinct(const CustomerCounts *counts, int *nentries)
{
	CustomerCount *entries = palloc(Max(counts->nentries, 1) * sizeof(CustomerCount));

	memcpy(entries, counts->entries, counts->nentries * sizeof(CustomerCount));
	*nentries = merge_entries(entries, counts->nentries);
	return entries;
}

/*
 * The state to add n entries to: in place while there is room, else merged
 * and, if still more than half full, copied into more room (the executor
 * copies a returned new state into the aggregate context).
 */
static CustomerCounts *
room_for(CustomerCounts *counts, int32 n)
{
	CustomerCounts *grown;

	if ((int64) counts->nentries + n <= counts->capacity)
		return counts;
	counts->nentries = merge_entries(counts->entries, counts->nentries);
	memset(counts->entries + counts->nentries, 0,
		   (counts->capacity - counts->nentries) * sizeof(CustomerCount));
	if ((int64) counts->nentries + n <= counts->capacity && counts->nentries <= counts->capacity / 2)
		return counts;
	/* double, but not beyond the largest value when what is needed fits */
	grown = counts_new(counts->kind,
					   Max(Min(Max((int64) counts->capacity * 2, COUNTS_INITIAL_CAPACITY), COUNTS_MAX_CAPACITY),
						   (int64) counts->nentries + n));
	memcpy(grown->entries, counts->entries, counts->nentries * sizeof(CustomerCount));
	grown->nentries = counts->nentries;
	return grown;
}

CustomerCounts *
sm_counts_arg(FunctionCallInfo fcinfo, int argno, CountsKind kind)
{
	CustomerCounts *counts = (CustomerCounts *) PG_DETOAST_DATUM(PG_GETARG_DATUM(argno));

	if (counts->kind != (int32) kind)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("corrupted %s value", kind_names[kind]),
				 errdetail("Its header says kind %d.", counts->kind)));
	return counts;
}

/* The kind of a state argument of either type, checked. */
static CountsKind
counts_kind(FunctionCallInfo fcinfo, int argno)
{
	CustomerCounts *counts = (CustomerCounts *) PG_DETOAST_DATUM(PG_GETARG_DATUM(argno));

	if (counts->kind != COUNTS_BGNBD && counts->kind != COUNTS_GAMMA_GAMMA)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("corrupted bgnbd_counts or gamma_gamma_counts value"),
				 errdetail("Its header says kind %d.", counts->kind)));
	return (CountsKind) counts->kind;
}

static CustomerCounts *
append(CustomerCounts *counts, const CustomerCount *entry)
{
	counts = room_for(counts, 1);
	counts->entries[counts->nentries++] = *entry;
	return counts;
}

/* bgnbd_counts_add(bgnbd_counts, rfm): one customer's (frequency, recency, t) */
PG_FUNCTION_INFO_V1(bgnbd_counts_add);
Datum
bgnbd_counts_add(PG_FUNCTION_ARGS)
{
	CustomerCounts *counts;
	RfmValues	rfm;
	CustomerCount entry;

	sm_aggregate_context(fcinfo, "bgnbd_counts_add");
	counts = sm_counts_arg(fcinfo, 0, COUNTS_BGNBD);
	sm_rfm_read(fcinfo, 1, &rfm, false);
	entry.key[0] = rfm.frequency;
	entry.key[1] = rfm.recency;
	entry.key[2] = rfm.t;
	entry.customers = 1;
	PG_RETURN_POINTER(append(counts, &entry));
}

/*
 * gamma_gamma_counts_add(gamma_gamma_counts, rfm): one customer's
 * (frequency, monetary_value); customers without repeat purchases are not
 * part of the model and are skipped.
 */
PG_FUNCTION_INFO_V1(gamma_gamma_counts_add);
Datum
gamma_gamma_counts_add(PG_FUNCTION_ARGS)
{
	CustomerCounts *counts;
	RfmValues	rfm;
	CustomerCount entry;

	sm_aggregate_context(fcinfo, "gamma_gamma_counts_add");
	counts = sm_counts_arg(fcinfo, 0, COUNTS_GAMMA_GAMMA);
	sm_rfm_read(fcinfo, 1, &rfm, true);
	if (rfm.frequency == 0)
		PG_RETURN_POINTER(counts);
	if (rfm.monetary_isnull || !(rfm.monetary_value > 0.0) || isinf(rfm.monetary_value))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("monetary_value must be positive for a customer with repeat purchases"),
				 errdetail("frequency is %d, monetary_value is %s.", rfm.frequency,
						   rfm.monetary_isnull ? "NULL" : psprintf("%g", rfm.monetary_value)),
				 errhint("The Gamma-Gamma model needs a positive mean spend; leave out customers whose repeat purchases were free.")));
	entry.key[0] = rfm.frequency;
	entry.key[1] = rfm.monetary_value;
	entry.key[2] = 0.0;
	entry.customers = 1;
	PG_RETURN_POINTER(append(counts, &entry));
}

/* Both states' entries in the first (shared by both types). */
PG_FUNCTION_INFO_V1(customer_counts_combine);
Datum
customer_counts_combine(PG_FUNCTION_ARGS)
{
	CustomerCounts *counts;
	CustomerCounts *other;

	sm_aggregate_context(fcinfo, "customer_counts_combine");
	counts = sm_counts_arg(fcinfo, 0, counts_kind(fcinfo, 0));
	other = sm_counts_arg(fcinfo, 1, counts->kind);
	if (other->nentries == 0)
		PG_RETURN_POINTER(counts);
	counts = room_for(counts, other->nentries);
	memcpy(counts->entries + counts->nentries, other->entries, other->nentries * sizeof(CustomerCount));
	counts->nentries += other->nentries;
	PG_RETURN_POINTER(counts);
}

/* The final value of bgnbd_counts_agg() and rollup(): merged, without spare room. */
PG_FUNCTION_INFO_V1(customer_counts_final);
Datum
customer_counts_final(PG_FUNCTION_ARGS)
{
	CustomerCounts *counts = sm_counts_arg(fcinfo, 0, counts_kind(fcinfo, 0));
	CustomerCounts *result;
	int			n;
	CustomerCount *entries = sm_counts_distinct(counts, &n);

	result = counts_new(counts->kind, n);
	memcpy(result->entries, entries, n * sizeof(CustomerCount));
	result->nentries = n;
	PG_RETURN_POINTER(result);
}

/* the customers of entries[0, n), or an error beyond bigint */
int64
sm_counts_total(const CustomerCount *entries, int32 n)
{
	int64		total = 0;

	for (int32 i = 0; i < n; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		add_customers(&total, entries[i].customers);
	}
	return total;
}

/* customers(counts): how many customers the summary holds */
PG_FUNCTION_INFO_V1(customer_counts_customers);
Datum
customer_counts_customers(PG_FUNCTION_ARGS)
{
	CustomerCounts *counts = sm_counts_arg(fcinfo, 0, counts_kind(fcinfo, 0));

	PG_RETURN_INT64(sm_counts_total(counts->entries, counts->nentries));
}

/* ---- I/O ---------------------------------------------------------------

 * Text: {(frequency,recency,t):customers,...} for bgnbd_counts and
 * {(frequency,monetary_value):customers,...} for gamma_gamma_counts, each
 * number in the shortest form that reads back exactly, entries sorted.
 */

static int
nkeys(CountsKind kind)
{
	return kind == COUNTS_BGNBD ? 3 : 2;
}

/* A summary read from outside must be one the aggregate could have made. */
static void
check_entry(CountsKind kind, const CustomerCount *e)
{
	bool		ok = e->customers > 0 && e->key[0] >= 0 && e->key[0] == floor(e->key[0]) &&
		e->key[0] <= PG_INT32_MAX;

	if (kind == COUNTS_BGNBD)
		ok = ok && e->key[1] >= 0 && e->key[1] <= e->key[2] && !isinf(e->key[2]) &&
			(e->key[0] > 0 || e->key[1] == 0);
	else
		ok = ok && e->key[0] >= 1 && e->key[1] > 0 && !isinf(e->key[1]) && e->key[2] == 0;
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid entry in %s", kind_names[kind]),
				 errdetail(kind == COUNTS_BGNBD ?
						   "Each entry is (frequency, recency, t): customers, with an integer frequency >= 0, 0 <= recency <= t, recency 0 when frequency is 0, and customers >= 1." :
						   "Each entry is (frequency, monetary_value): customers, with an integer frequency >= 1, monetary_value > 0 and customers >= 1.")));
}

static Datum
counts_out(FunctionCallInfo fcinfo)
{
	CustomerCounts *counts = sm_counts_arg(fcinfo, 0, counts_kind(fcinfo, 0));
	int			n;
	CustomerCount *entries = sm_counts_distinct(counts, &n);
	StringInfoData buf;
	char		number[DOUBLE_SHORTEST_DECIMAL_LEN];

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (int i = 0; i < n; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		appendStringInfoString(&buf, i ? ",(" : "(");
		for (int k = 0; k < nkeys(counts->kind); k++)
		{
			double_to_shortest_decimal_buf(entries[i].key[k], number);
			appendStringInfo(&buf, "%s%s", k ? "," : "", number);
		}
		appendStringInfo(&buf, "):" INT64_FORMAT, entries[i].customers);
	}
	appendStringInfoChar(&buf, '}');
	PG_RETURN_CSTRING(buf.data);
}

static void
counts_syntax_error(CountsKind kind, const char *str)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s: \"%s\"", kind_names[kind], str),
			 errhint(kind == COUNTS_BGNBD ? "Write it as {(frequency,recency,t):customers,...}, e.g. {(0,0,38.5):3,(2,30,38.5):1}." :
					 "Write it as {(frequency,monetary_value):customers,...}, e.g. {(2,25.5):3}.")));
}

static Datum
counts_in(FunctionCallInfo fcinfo, CountsKind kind)
{
	char	   *str = PG_GETARG_CSTRING(0);
	char	   *p = str;
	int64		n = 0;
	CustomerCounts *counts;

	for (char *c = str; *c; c++)
		n += (*c == '(');
	counts = counts_new(kind, n);
	while (isspace((unsigned char) *p))
		p++;
	if (*p++ != '{')
		counts_syntax_error(kind, str);
	while (isspace((unsigned char) *p))
		p++;
	while (*p != '}')
	{
		CustomerCount *e = &counts->entries[counts->nentries];
		char	   *end;

		if ((counts->nentries & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (counts->nentries > 0 && *p++ != ',')
			counts_syntax_error(kind, str);
		while (isspace((unsigned char) *p))
			p++;
		/* each entry takes one of the n parentheses counted above */
		if (*p++ != '(')
			counts_syntax_error(kind, str);
		for (int k = 0; k < nkeys(kind); k++)
		{
			if (k > 0 && *p++ != ',')
				counts_syntax_error(kind, str);
			e->key[k] = strtod(p, &end);
			if (end == p || isnan(e->key[k]))
				counts_syntax_error(kind, str);
			p = end;
		}
		if (*p++ != ')' || *p++ != ':')
			counts_syntax_error(kind, str);
		errno = 0;
		e->customers = strtoi64(p, &end, 10);
		if (end == p || errno == ERANGE)
			counts_syntax_error(kind, str);
		p = end;
		while (isspace((unsigned char) *p))
			p++;
		check_entry(kind, e);
		counts->nentries++;
	}
	p++;
	while (isspace((unsigned char) *p))
		p++;
	if (*p != '\0')
		counts_syntax_error(kind, str);
	PG_RETURN_POINTER(counts);
}

/* Binary: the number of entries, then each entry's keys and customers. */
static Datum
counts_send(FunctionCallInfo fcinfo)
{
	CustomerCounts *counts = sm_counts_arg(fcinfo, 0, counts_kind(fcinfo, 0));
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint32(&buf, counts->nentries);
	for (int32 i = 0; i < counts->nentries; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		for (int k = 0; k < nkeys(counts->kind); k++)
			pq_sendfloat8(&buf, counts->entries[i].key[k]);
		pq_sendint64(&buf, counts->entries[i].customers);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

static Datum
counts_recv(FunctionCallInfo fcinfo, CountsKind kind)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int32		n = pq_getmsgint(buf, 4);
	int			entry_size = (nkeys(kind) + 1) * 8;
	CustomerCounts *counts;

	if (n < 0 || n > (buf->len - buf->cursor) / entry_size)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid number of entries in %s: %d", kind_names[kind], n)));
	counts = counts_new(kind, n);
	for (int32 i = 0; i < n; i++)
	{
		CustomerCount *e = &counts->entries[i];

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		for (int k = 0; k < nkeys(kind); k++)
			e->key[k] = pq_getmsgfloat8(buf);
		e->customers = pq_getmsgint64(buf);
		check_entry(kind, e);
	}
	counts->nentries = n;
	PG_RETURN_POINTER(counts);
}

PG_FUNCTION_INFO_V1(bgnbd_counts_in);
Datum
bgnbd_counts_in(PG_FUNCTION_ARGS)
{
	return counts_in(fcinfo, COUNTS_BGNBD);
}

PG_FUNCTION_INFO_V1(gamma_gamma_counts_in);
Datum
gamma_gamma_counts_in(PG_FUNCTION_ARGS)
{
	return counts_in(fcinfo, COUNTS_GAMMA_GAMMA);
}

PG_FUNCTION_INFO_V1(bgnbd_counts_recv);
Datum
bgnbd_counts_recv(PG_FUNCTION_ARGS)
{
	return counts_recv(fcinfo, COUNTS_BGNBD);
}

PG_FUNCTION_INFO_V1(gamma_gamma_counts_recv);
Datum
gamma_gamma_counts_recv(PG_FUNCTION_ARGS)
{
	return counts_recv(fcinfo, COUNTS_GAMMA_GAMMA);
}

PG_FUNCTION_INFO_V1(customer_counts_out);
Datum
customer_counts_out(PG_FUNCTION_ARGS)
{
	return counts_out(fcinfo);
}

PG_FUNCTION_INFO_V1(customer_counts_send);
Datum
customer_counts_send(PG_FUNCTION_ARGS)
{
	return counts_send(fcinfo);
}
