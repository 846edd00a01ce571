/*
 * special_functions.c
 *		Digamma, log rising factorials and the Gauss hypergeometric series of
 *		the BG/NBD expectations, for positive arguments.
 *
 * The C library has lgamma() but no digamma, and no hypergeometric
 * function; these are what the CLV models need of them, with the accuracy
 * of float8.
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"

#include "clv_models.h"

/*
 * psi(x) for x > 0: the recurrence psi(x) = psi(x + 1) - 1/x up to x >= 10,
 * then the asymptotic series in 1/x^2 to x^-12, whose first omitted term
 * (1/12 x^-14 < 1e-15) is below float8 resolution of ln 10.
 */
double
sm_digamma(double x)
{
	double		result = 0.0;
	double		f;

	while (x < 10.0)
	{
		result -= 1.0 / x;
		x += 1.0;
	}
	f = 1.0 / (x * x);
	return result + log(x) - 0.5 / x
		- f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132 - f * (691.0 / 32760))))));
}

/*
 * ln Gamma(v + n) - ln Gamma(v), v > 0, n >= 0.  For a small integer n the
 * sum of ln(v + k) is exact to rounding even where the two lgamma values are
 * huge and nearly equal (v of 1e8); otherwise the difference of lgamma.
 */
double
sm_log_rising(double v, double n)
{
	if (n == floor(n) && n < 32)
	{
		double		sum = 0.0;

		for (int k = 0; k < (int) n; k++)
			sum += log(v + k);
		return sum;
	}
	return lgamma(v + n) - lgamma(v);
}

/* psi(v + n) - psi(v), the derivative of sm_log_rising in v, likewise */
double
sm_digamma_rising(double v, double n)
{
	if (n == floor(n) && n < 32)
	{
		double		sum = 0.0;

		for (int k = 0; k < (int) n; k++)
			sum += 1.0 / (v + k);
		return sum;
	}
	return sm_digamma(v + n) - sm_digamma(v);
}

#define HYP2F1_MAX_TERMS 10000000

/*
 * c (2F1(a, b; c; z) - 1) / b for 0 <= z < 1 and c > -1
 *   = sum_{k >= 1} (a)_k (b + 1)_{k-1} / ((c + 1)_{k-1} k!) z^k,
 * the form in which the BG/NBD expectations use the Gauss hypergeometric
 * function (Euler-transformed so that it converges at z = 1 in the usual
 * cases; see bgnbd.c): it has no pole at b = 0 or c = 0, where the
 * expectations have removable singularities.
 *
 * The series converges for |z| < 1; the ratio of consecutive terms,
 * z (a + k)(b + k) / ((c + k)(k + 1)), tends to z, monotonically once k
 * exceeds the parameters, so the tail after a term is at most that term
 * times rho / (1 - rho), rho the larger of the current ratio and z.
 * Summation stops when that bound falls below 1e-17 of the sum.  Close to
 * z = 1 (a horizon hundreds of thousands of times the customer's age plus
 * alpha) that takes more than HYP2F1_MAX_TERMS terms: error 22003 rather
 * than an inaccurate value.
 */
double
sm_hyp2f1_scaled(double a, double b, double c, double z)
{
	double		term = a * z;
	double		sum = 0.0;
	double		settled = Max(Max(fabs(a), fabs(b)), fabs(c)) + 2.0;

	Assert(z >= 0.0 && c > -1.0);
	/* z rounds to 1 for a horizon beyond 1e16 times alpha + T: no sum */
	for (int k = 1; k <= HYP2F1_MAX_TERMS && z < 1.0; k++)
	{
		double		ratio;
		double		rho;

		if ((k & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		sum += term;
		ratio = z * (a + k) * (b + k) / ((c + k) * (k + 1));
		term *= ratio;
		if (term == 0.0)
			return sum;
		rho = Max(fabs(ratio), z);
		if (k > settled && rho < 1.0 &&
			fabs(term) / (1.0 - rho) <= 1e-17 * fabs(sum))
			return sum + term;
	}
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("the hypergeometric series of the BG/NBD expectation did not converge"),
			 errdetail("The horizon is too long for the customer's age: more than %d terms are needed.",
					   HYP2F1_MAX_TERMS),
			 errhint("Use a shorter horizon.")));
	pg_unreachable();
}
