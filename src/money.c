/*
 * money.c
 *		Converting numeric amounts to and from scaled integers.
 *
 * The aggregates read one numeric per input row.  Numeric arithmetic
 * through the fmgr would allocate and normalise for every row, so instead the
 * value is decoded straight from its stored form into an int64 count of
 * 10^-scale units with the smallest scale that holds it (12.30 is 123 at
 * scale 1), and totals are summed in int128.
 *
 * Precision: an amount is rounded half-even to MONEY_MAX_SCALE (12) digits
 * after the point, a ten-thousandth of a millionth of a cent.  It is then
 * held exactly when it has at most 18 significant digits (any amount below
 * 9.2e18 units of its scale: 9.2 million with 12 decimals, 9.2 trillion
 * with 6, 92 quadrillion with 2); an amount with more significant digits is
 * rounded half-even to the digits that fit, which for any amount below
 * 9.2 billion keeps at least 9 decimals: always finer than a millionth of a
 * cent.  Amounts of 9.2e18 and more are refused.  A subscription book keeps
 * each amount so, and rounds it once more only when it is read beside
 * amounts with which it has no common exact scale in 64 bits (MoneyScales,
 * money.h; book.h).
 *
 * The stored layout of numeric is part of PostgreSQL's on-disk format (it is
 * never changed without a pg_upgrade break), and is mirrored here from
 * utils/adt/numeric.c:
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

static int
digit_at(const DecodedNumeric *d, int i)
{
	int16		digit;

	memcpy(&digit, d->digits + i * sizeof(int16), sizeof(int16));
	return digit;
}

/*
 * The common case, without rounding: an amount with at most MONEY_MAX_SCALE
 * decimals (numeric keeps no digit beyond its display scale) whose units at
 * that scale fit in int64.  False sends the caller to the general path.
 */
static bool
exact_units(const DecodedNumeric *d, int64 *units)
{
	int128		result = 0;

	if (d->dscale > MONEY_MAX_SCALE)
		return false;
	for (int i = 0; i < d->ndigits; i++)
	{
		int			digit = digit_at(d, i);
		int			exponent = (d->weight - i) * NBASE_DIGITS + d->dscale;

		if (digit == 0)
			continue;
		if (exponent < 0)
			result += digit / pow10_table[-exponent];
		else if (exponent > 18)
			return false;
		else
			result += (int128) digit * pow10_table[exponent];
		if (result > PG_INT64_MAX)
			return false;
	}
	*units = (int64) result;
	return true;
}

/*
 * The value of a finite numeric's magnitude rounded half-even to scale
 * digits after the point, in units of 10^-scale.  The caller has refused
 * values of 10^20 and more, so it fits in 128 bits.
 */
static uint128
round_to_scale(const DecodedNumeric *d, int scale)
{
	uint128		result = 0;
	int			exponent = d->weight * NBASE_DIGITS + NBASE_DIGITS - 1;
	int			first_dropped = -1;
	bool		sticky = false;

	for (int i = 0; i < d->ndigits; i++)
	{
		int			digit = digit_at(d, i);

		for (int place = 1000; place >= 1; place /= 10, exponent--)
		{
			int			decimal = (digit / place) % 10;

			if (exponent >= -scale)
				result = result * 10 + decimal;
			else if (first_dropped < 0 && exponent == -scale - 1)
				first_dropped = decimal;
			else
			{
				/* places not stored above the first one here are zeros */
				if (first_dropped < 0)
					first_dropped = 0;
				sticky |= decimal != 0;
			}
		}
	}
	/* digits the numeric does not store down to 10^-scale are zeros */
	for (; exponent >= -scale; exponent--)
		result *= 10;
	if (first_dropped > 5 || (first_dropped == 5 && (sticky || (result & 1))))
		result++;
	return result;
}

/*
 * The amount as units of 10^-scale, with the smallest scale that holds it
 * after rounding (see the file header), and the scale it was written with
 * (at most MONEY_MAX_SCALE), to show results the same way: 99.00 in, cents
 * out.  NaN and infinities are refused; negative amounts are the caller's to
 * accept or refuse.
 */
void
sm_money_decode(struct varlena *num, int64 *units, int *scale, int *display_scale,
				const char *argname)
{
	DecodedNumeric d;

	decode(num, &d);
	*display_scale = d.special ? 0 : Min(d.dscale, MONEY_MAX_SCALE);
	if (d.special)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite amount", argname)));
	*units = 0;
	*scale = 0;
	if (d.ndigits == 0)
		return;
	if (exact_units(&d, units))
	{
		*scale = sm_money_smallest_scale(units, d.dscale);
		if (d.negative)
			*units = -*units;
		return;
	}
	/* the first base-10000 digit is not zero: the value is below 10^(4 * weight + 4) */
	if (d.weight < 5)
	{
		for (int s = MONEY_MAX_SCALE; s >= 0; s--)
		{
			uint128		magnitude = round_to_scale(&d, s);

			if (magnitude <= (uint128) PG_INT64_MAX)
			{
				*units = (int64) magnitude;
				*scale = sm_money_smallest_scale(units, s);
				if (d.negative)
					*units = -*units;
				return;
			}
		}
	}
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("%s is out of range", argname),
			 errdetail("Amounts must be below 9.2e18 in absolute value.")));
}

/*
 * units at scale as units at the smallest scale that holds them exactly
 * (trailing zeros dropped), which is returned.
 */
int
sm_money_smallest_scale(int64 *units, int scale)
{
	while (scale > 0 && *units % 10 == 0)
	{
		*units /= 10;
		scale--;
	}
	return scale;
}

/*
 * How many more decimal places units can be given and still fit in int64:
 * the finest scale at which a set of amounts all fit is the smallest scale
 * + headroom among them (MoneyScales, money.h).
 */
int
sm_money_headroom(int64 units)
{
	/* the largest magnitude that can take k more places: INT64_MAX / 10^k */
	static const uint64 limit[MONEY_MAX_SCALE + 1] = {
		UINT64CONST(9223372036854775807), UINT64CONST(922337203685477580),
		UINT64CONST(92233720368547758), UINT64CONST(9223372036854775),
		UINT64CONST(922337203685477), UINT64CONST(92233720368547),
		UINT64CONST(9223372036854), UINT64CONST(922337203685),
		UINT64CONST(92233720368), UINT64CONST(9223372036),
		UINT64CONST(922337203), UINT64CONST(92233720), UINT64CONST(9223372)
	};
	uint64		magnitude = units < 0 ? -(uint64) units : (uint64) units;
	int			headroom = MONEY_MAX_SCALE;

	while (headroom > 0 && magnitude > limit[headroom])
		headroom--;
	return headroom;
}

/*
 * units at from_scale as units at to_scale: exact when to_scale >=
 * from_scale (the caller made sure it fits, see sm_money_headroom), else
 * rounded half-even.
 */
int64
sm_money_to_scale(int64 units, int from_scale, int to_scale)
{
	int64		divisor;
	int64		quotient;
	int64		remainder;
	int64		magnitude;

	Assert(from_scale <= MONEY_MAX_SCALE && to_scale <= MONEY_MAX_SCALE);
	if (to_scale >= from_scale)
		return units * pow10_table[to_scale - from_scale];
	divisor = pow10_table[from_scale - to_scale];
	quotient = units / divisor;
	remainder = units % divisor;	/* of the sign of units */
	magnitude = remainder < 0 ? -remainder : remainder;
	/* compare |remainder| with divisor / 2 without rounding the half */
	if (magnitude > divisor - magnitude || (magnitude == divisor - magnitude && (quotient & 1)))
		quotient += units < 0 ? -1 : 1;
	return quotient;
}

/* units at from_scale as units at to_scale >= from_scale, in 128 bits */
int128
sm_money_widen(int64 units, int from_scale, int to_scale)
{
	Assert(to_scale >= from_scale && to_scale <= MONEY_MAX_SCALE);
	return (int128) units * pow10_table[to_scale - from_scale];
}

/* units at from_scale, a multiple of 10^(from_scale - to_scale), at to_scale */
int128
sm_money_narrow(int128 units, int from_scale, int to_scale)
{
	Assert(from_scale >= to_scale && to_scale >= 0);
	Assert(units % pow10_table[from_scale - to_scale] == 0);
	return units / pow10_table[from_scale - to_scale];
}

/* value * 10^-scale as text with exactly scale digits after the point */
char *
sm_money_cstring(int128 value, int scale)
{
	char		buf[64];
	char	   *p = buf + sizeof(buf);
	bool		negative = value < 0;
	uint128		magnitude = negative ? -(uint128) value : (uint128) value;
	int			digits = 0;

	*--p = '\0';
	do
	{
		*--p = '0' + (int) (magnitude % 10);
		magnitude /= 10;
		if (++digits == scale)
			*--p = '.';
	} while (magnitude > 0 || digits <= scale);
	if (negative)
		*--p = '-';
	return pstrdup(p);
}

/*
 * value * 10^-scale as a numeric shown with display_scale digits after the
 * point (at least scale).
 */
Numeric
sm_money_numeric(int128 value, int scale, int display_scale)
{
	int128		widened;

	if (display_scale > scale &&
		!__builtin_mul_overflow(value, (int128) pow10_table[display_scale - scale], &widened))
	{
		value = widened;
		scale = display_scale;
	}
	if (value >= PG_INT64_MIN && value <= PG_INT64_MAX)
		return int64_div_fast_to_numeric((int64) value, scale);
	/* beyond int64: spell it out, which numeric_in reads exactly */
	return DatumGetNumeric(DirectFunctionCall3(numeric_in,
											   CStringGetDatum(sm_money_cstring(value, scale)),
											   ObjectIdGetDatum(InvalidOid),
											   Int32GetDatum(-1)));
}
