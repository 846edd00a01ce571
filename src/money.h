/*
 * money.h
 *		Amounts as scaled integers: each input amount is held as an int64
 *		count of 10^-scale units with its own scale, totals are summed in
 *		int128 at a common scale and returned as numeric.
 */
#ifndef SM_MONEY_H
#define SM_MONEY_H

#include "postgres.h"

#include "utils/numeric.h"

#ifndef HAVE_INT128
#error "saas_metrics needs a compiler with 128-bit integers"
#endif

/* Amounts are rounded half-even to this many digits after the point. */
#define MONEY_MAX_SCALE 12

extern void sm_money_decode(struct varlena *num, int64 *units, int *scale, int *display_scale,
							 const char *argname);
extern int	sm_money_smallest_scale(int64 *units, int scale);
extern int	sm_money_headroom(int64 units);
extern int64 sm_money_to_scale(int64 units, int from_scale, int to_scale);
extern int128 sm_money_widen(int64 units, int from_scale, int to_scale);
extern int128 sm_money_narrow(int128 units, int from_scale, int to_scale);
extern Numeric sm_money_numeric(int128 value, int scale, int display_scale);
extern char *sm_money_cstring(int128 value, int scale);

/*
 * The scales a set of amounts needs, gathered one amount at a time: exact,
 * the smallest at which all are exact (the largest of their scales, when
 * each comes at its smallest scale or at one shared by amounts of which
 * one needs it), and fits, the finest at which all fit in 64 bits.  When
 * fits < exact they have no common scale that holds them all exactly.
 */
typedef struct MoneyScales
{
	int			exact;
	int			fits;
} MoneyScales;

static inline void
sm_money_scales_init(MoneyScales *scales)
{
	scales->exact = 0;
	scales->fits = MONEY_MAX_SCALE;
}

static inline void
sm_money_scales_add(MoneyScales *scales, int64 units, int scale)
{
	scales->exact = Max(scales->exact, scale);
	scales->fits = Min(scales->fits, scale + sm_money_headroom(units));
}

#endif
