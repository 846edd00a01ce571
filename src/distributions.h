/*
 * distributions.h
 *		The two distribution functions the survival readers need: the
 *		standard normal quantile (for confidence limits) and the upper tail
 *		of the chi-square distribution (for the log-rank p-value).
 */
#ifndef DISTRIBUTIONS_H
#define DISTRIBUTIONS_H

#include "postgres.h"

extern float8 sm_normal_quantile(float8 p);
extern float8 sm_chi_square_upper_tail(float8 x, float8 degrees_of_freedom);

#endif
