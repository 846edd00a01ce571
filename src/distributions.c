/*
 * distributions.c
 *		The standard normal quantile and the chi-square upper tail, to full
 *		double precision, from the C library's erfc(), exp(), log() and
 *		lgamma().
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "distributions.h"

#define SQRT2 1.41421356237309504880
#define SQRT2PI 2.50662827463100050242

/*
 * The quantile of the standard normal distribution at p in (0, 0.5]:
 * Acklam's rational approximation (relative error below 1.2e-9), then two
 * Halley steps on Phi(x) = p, each of which triples the correct digits.
 * Phi(x) = erfc(-x / sqrt 2) / 2 is accurate in the lower tail, where
 * erfc's argument is positive.
 */
static float8
normal_quantile_lower(float8 p)
{
	static const float8 a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
	1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
	static const float8 b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
	6.680131188771972e+01, -1.328068155288572e+01};
	static const float8 c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
	-2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
	static const float8 d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
	3.754408661907416e+00};
	float8		x;

	if (p < 0.02425)
	{
		float8		q = sqrt(-2.0 * log(p));

		x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
			((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
	}
	else
	{
		float8		q = p - 0.5;
		float8		r = q * q;

		x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
			(((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
	}
	for (int step = 0; step < 2; step++)
	{
		float8		e = 0.5 * erfc(-x / SQRT2) - p;
		float8		u = e * SQRT2PI * exp(x * x / 2.0);

		x = x - u / (1.0 + x * u / 2.0);
	}
	return x;
}

/* The x with P(Z <= x) = p for a standard normal Z; p in (0, 1). */
float8
sm_normal_quantile(float8 p)
{
	Assert(p > 0.0 && p < 1.0);
	if (p > 0.5)
		return -normal_quantile_lower(1.0 - p);	/* 1 - p is exact here */
	return normal_quantile_lower(p);
}

/*
 * Q(a, x) = Gamma(a, x) / Gamma(a), the regularized upper incomplete gamma
 * function: by its power series (as 1 - P) below x = a + 1, by its
 * continued fraction (modified Lentz) above, where each converges fast.
 */
static float8
gamma_upper_regularized(float8 a, float8 x)
{
	const float8 tiny = DBL_MIN / DBL_EPSILON;
	float8		prefix;

	if (x <= 0.0)
		return 1.0;
	if (isinf(x))
		return 0.0;
	prefix = exp(-x + a * log(x) - lgamma(a));
	if (x < a + 1.0)
	{
		float8		term = 1.0 / a;
		float8		sum = term;

		for (int n = 1; n < 100000; n++)
		{
			term *= x / (a + n);
			sum += term;
			if (fabs(term) < fabs(sum) * DBL_EPSILON)
				break;
		}
		return 1.0 - sum * prefix;
	}
	else
	{
		float8		bn = x + 1.0 - a;
		float8		cn = 1.0 / tiny;
		float8		dn = 1.0 / bn;
		float8		h = dn;

		for (int n = 1; n < 100000; n++)
		{
			float8		an = -n * (n - a);
			float8		delta;

			bn += 2.0;
			dn = an * dn + bn;
			if (fabs(dn) < tiny)
				dn = tiny;
			cn = bn + an / cn;
			if (fabs(cn) < tiny)
				cn = tiny;
			dn = 1.0 / dn;
			delta = dn * cn;
			h *= delta;
			if (fabs(delta - 1.0) < DBL_EPSILON)
				break;
		}
		return prefix * h;
	}
}

/* P(X > x) for X chi-square with the given degrees of freedom (> 0). */
float8
sm_chi_square_upper_tail(float8 x, float8 degrees_of_freedom)
{
	Assert(degrees_of_freedom > 0.0);
	if (x <= 0.0)
		return 1.0;
	/* closed forms for the commonest cases */
	if (degrees_of_freedom == 1.0)
		return erfc(sqrt(x / 2.0));
	if (degrees_of_freedom == 2.0)
		return exp(-x / 2.0);
	return gamma_upper_regularized(degrees_of_freedom / 2.0, x / 2.0);
}
