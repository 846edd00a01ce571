/*
 * money.h
 *		Exact money as scaled integers: MRR is held as int64 units of
 *		10^-scale per row and summed in int128, then returned as numeric.
 */
#ifndef SM_MONEY_H
#define SM_MONEY_H

#include "postgres.h"

#include "utils/numeric.h"

#ifndef HAVE_INT128
#error "saas_metrics needs a compiler with 128-bit integers"
#endif

/* Largest scale (digits after the decimal point) kept exactly. */
#define MONEY_MAX_SCALE 15

extern int	sm_money_dscale(struct varlena *num);
extern int64 sm_money_scaled(struct varlena *num, int scale, const char *argname);
extern int64 sm_money_rescale(int64 value, int from_scale, int to_scale);
extern Numeric sm_money_numeric(int128 value, int scale);

#endif
