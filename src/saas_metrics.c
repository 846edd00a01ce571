/*
 * saas_metrics.c
 *		Module magic and the argument checks shared by every function.
 */
#include "postgres.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>

#include "common/hashfn.h"
#include "common/string.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"
#include "utils/memutils.h"

#include "book.h"
#include "saas_metrics.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	DefineCustomIntVariable("saas_metrics.max_memory",
							"Memory a subscription book's log may use before it spills to temporary files.",
							"Per book being aggregated: its log of rows and the images of text and uuid ids. "
							"A larger log is written to temporary files as sorted runs and merged when read.",
							&sm_book_max_memory,
							512 * 1024,
							64,
							MAX_KILOBYTES,
							PGC_USERSET,
							GUC_UNIT_KB,
							NULL, NULL, NULL);
	MarkGUCPrefixReserved("saas_metrics");
	sm_book_spill_init();
}

/* A count of customers, responses or periods: zero or more. */
void
sm_check_count(int64 value, const char *argname)
{
	if (value < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be negative", argname),
				 errdetail("%s is " INT64_FORMAT ".", argname, value)));
}

/* A rate expressed as a fraction: churn, retention, gross margin. */
void
sm_check_fraction(float8 value, const char *argname)
{
	if (isnan(value) || value < 0.0 || value > 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be between 0 and 1", argname),
				 errdetail("%s is %g; rates are fractions (0.05 for 5%%).",
						   argname, value)));
}

void
sm_check_finite(float8 value, const char *argname)
{
	if (isnan(value) || isinf(value))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite number", argname),
				 errdetail("%s is %g.", argname, value)));
}

int
sm_numeric_sign(Numeric value)
{
	Numeric		zero = int64_to_numeric(0);

	return DatumGetInt32(DirectFunctionCall2(numeric_cmp,
											 NumericGetDatum(value),
											 NumericGetDatum(zero)));
}

/* An amount of money: finite, and non-negative unless allow_negative. */
Numeric
sm_check_money(Numeric value, const char *argname, bool allow_negative)
{
	if (numeric_is_nan(value) || numeric_is_inf(value))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite amount", argname)));
	if (!allow_negative && sm_numeric_sign(value) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be negative", argname)));
	return value;
}

/*
 * float8 to numeric as the float8::numeric cast does: rounded to DBL_DIG (15)
 * significant digits, so 0.8 -> 0.8 and even 0.1 + 0.2 -> 0.3.
 */
Numeric
sm_float8_numeric(float8 value)
{
	return DatumGetNumeric(DirectFunctionCall1(float8_numeric,
											   Float8GetDatum(value)));
}

/*
 * The aggregate memory context of a transition or combine function.  These
 * functions are callable from SQL like any other (they must be, to be named
 * in CREATE AGGREGATE), so a direct call is a user error, not an internal
 * one.
 */
MemoryContext
sm_aggregate_context(FunctionCallInfo fcinfo, const char *funcname)
{
	MemoryContext aggcxt;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s can only be called by an aggregate", funcname),
				 errhint("It is a support function of the extension's aggregates; call the aggregate instead.")));
	return aggcxt;
}

const char *
sm_skip_space(const char *p)
{
	while (isspace((unsigned char) *p))
		p++;
	return p;
}

/*
 * Read a decimal integer at p into *value and return the position after it,
 * or NULL when p holds no number.  A number beyond bigint is a 22003 error
 * naming the type and the whole input str, never clamped (as sscanf() does).
 */
const char *
sm_read_int64(const char *p, int64 *value, const char *typname, const char *str)
{
	char	   *end;

	errno = 0;
	*value = strtoi64(p, &end, 10);
	if (end == p)
		return NULL;
	if (errno == ERANGE)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("value out of range for type %s: \"%s\"", typname, str),
				 errdetail("Each number must fit in a bigint.")));
	return end;
}

bool
sm_summaries_equal(Datum a, Datum b, sm_canonical_form canonical)
{
	Size		len_a,
				len_b;
	const void *form_a = canonical(a, &len_a);
	const void *form_b = canonical(b, &len_b);

	return len_a == len_b && memcmp(form_a, form_b, len_a) == 0;
}

Datum
sm_summary_hash(Datum summary, sm_canonical_form canonical)
{
	Size		len;
	const void *form = canonical(summary, &len);

	return hash_any((const unsigned char *) form, (int) len);
}

Datum
sm_summary_hash_extended(Datum summary, uint64 seed, sm_canonical_form canonical)
{
	Size		len;
	const void *form = canonical(summary, &len);

	return hash_any_extended((const unsigned char *) form, (int) len, seed);
}
