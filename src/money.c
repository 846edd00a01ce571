/*
 * money.c
 *		Converting numeric MRR values to and from scaled integers.
 *
 * The aggregates read one numeric per input row.  Numeric arithmetic
 * through the fmgr would allocate and normalise for every row, so instead the
 * value is decoded straight from its stored form into an int64 count of
 * 10^-scale units (12.34 at scale 2 is 1234), which is exact, and totals are
 * summed in int128.  The stored layout of numeric is part of PostgreSQL's
 * on-disk format (it is never changed without a pg_upgrade break), and is
 * mirrored here from utils/adt/numeric.c:
 *
 *   short form: uint16 header = 10 | sign | dscale(6) | weight sign | weight(6)
 *   long form:  uint16 sign(2) | dscale(14), int16 weight
 *   then base-10000 digits, most significant first, value =
 *   sum(digit[i] * 10000^(weight - i)).
 */
#include "postgres.h"

#include "common/int.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"

#include "money.h"

#define NUMERIC_SIGN_MASK		0xC000
#define NUMERIC_NEG				0x4000
#define NUMERIC_SHORT			0x8000
#define NUMERIC_SPECIAL			0xC000
#define NUMERIC_SHORT_SIGN_MASK	0x2000
#define NUMERIC_SHORT_DSCALE_MASK 0x1F80
#define NUMERIC_SHORT_DSCALE_SHIFT 7
#define NUMERIC_SHORT_WEIGHT_SIGN_MASK 0x0040
#define NUMERIC_SHORT_WEIGHT_MASK 0x003F
#define NUMERIC_DSCALE_MASK		0x3FFF
#define NBASE_DIGITS			4

typedef struct DecodedNumeric
{
	bool		special;		/* NaN or an infinity */
	bool		negative;
	int			dscale;
	int			weight;
	int			ndigits;
	const char *digits;			/* int16 digits, possibly unaligned */
} DecodedNumeric;

static const int64 pow10_table[] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
	1000000000, INT64CONST(10000000000), INT64CONST(100000000000),
	INT64CONST(1000000000000), INT64CONST(10000000000000),
	INT64CONST(100000000000000), INT64CONST(1000000000000000),
	INT64CONST(10000000000000000), INT64CONST(100000000000000000),
	INT64CONST(1000000000000000000)
};

/* num may have a short varlena header and so be unaligned: read with memcpy. */
static void
decode(struct varlena *num, DecodedNumeric *d)
{
	const char *data = VARDATA_ANY(num);
	int			len = VARSIZE_ANY_EXHDR(num);
	uint16		header;
	int			header_len;

	memcpy(&header, data, sizeof(uint16));
	d->special = (header & NUMERIC_SIGN_MASK) == NUMERIC_SPECIAL;
	if (d->special)
		return;
	if ((header & NUMERIC_SIGN_MASK) == NUMERIC_SHORT)
	{
		d->negative = (header & NUMERIC_SHORT_SIGN_MASK) != 0;
		d->dscale = (header & NUMERIC_SHORT_DSCALE_MASK) >> NUMERIC_SHORT_DSCALE_SHIFT;
		d->weight = (header & NUMERIC_SHORT_WEIGHT_SIGN_MASK ? ~NUMERIC_SHORT_WEIGHT_MASK : 0) |
			(header & NUMERIC_SHORT_WEIGHT_MASK);
		header_len = sizeof(uint16);
	}
	else
	{
		int16		weight;

		d->negative = (header & NUMERIC_SIGN_MASK) == NUMERIC_NEG;
		d->dscale = header & NUMERIC_DSCALE_MASK;
		memcpy(&weight, data + sizeof(uint16), sizeof(int16));
		d->weight = weight;
		header_len = sizeof(uint16) + sizeof(int16);
	}
	d->digits = data + header_len;
	d->ndigits = (len - header_len) / sizeof(int16);
}

/* The display scale of a numeric (digits after the point it carries). */
int
sm_money_dscale(struct varlena *num)
{
	DecodedNumeric d;

	decode(num, &d);
	return d.special ? 0 : d.dscale;
}

static void
money_out_of_range(const char *argname)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("%s is out of range", argname),
			 errdetail("Amounts are kept exactly as 64-bit integers of their smallest unit: at most 18 significant digits, of which at most %d after the decimal point.",
					   MONEY_MAX_SCALE)));
}

/*
 * The value of a finite, non-negative numeric in units of 10^-scale.  The
 * caller has made scale at least the value's dscale, so the result is exact.
 */
int64
sm_money_scaled(struct varlena *num, int scale, const char *argname)
{
	DecodedNumeric d;
	int128		result = 0;

	decode(num, &d);
	if (d.special)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite amount", argname)));
	if (d.ndigits > 0 && d.negative)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be negative", argname)));
	Assert(scale >= d.dscale);

	for (int i = 0; i < d.ndigits; i++)
	{
		int16		digit;
		int			exponent = (d.weight - i) * NBASE_DIGITS + scale;

		memcpy(&digit, d.digits + i * sizeof(int16), sizeof(int16));
		if (digit == 0)
			continue;
		if (exponent < 0)
			result += digit / pow10_table[-exponent];
		else if (exponent > 18)
			money_out_of_range(argname);
		else
			result += (int128) digit * pow10_table[exponent];
		if (result > PG_INT64_MAX)
			money_out_of_range(argname);
	}
	return (int64) result;
}

/* value, in units of 10^-from_scale, in units of 10^-to_scale (to >= from) */
int64
sm_money_rescale(int64 value, int from_scale, int to_scale)
{
	int64		result;

	Assert(to_scale >= from_scale && to_scale <= MONEY_MAX_SCALE);
	if (pg_mul_s64_overflow(value, pow10_table[to_scale - from_scale], &result))
		money_out_of_range("mrr");
	return result;
}

/* value * 10^-scale as a numeric with that display scale */
Numeric
sm_money_numeric(int128 value, int scale)
{
	char		buf[64];
	char	   *p = buf + sizeof(buf);
	bool		negative = value < 0;
	uint128		magnitude = negative ? -(uint128) value : (uint128) value;
	int			digits = 0;

	if (value >= PG_INT64_MIN && value <= PG_INT64_MAX)
		return int64_div_fast_to_numeric((int64) value, scale);

	/* beyond int64: spell it out, which numeric_in reads exactly */
	*--p = '\0';
	do
	{
		*--p = '0' + (int) (magnitude % 10);
		magnitude /= 10;
		if (++digits == scale)
			*--p = '.';
	} while (magnitude > 0 || digits < scale);
	if (negative)
		*--p = '-';
	return DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(p),
											   ObjectIdGetDatum(InvalidOid),
											   Int32GetDatum(-1)));
}
