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

/*
 * c (2F1(a, b; c; z) - 1) / b for 0 <= z < 1 and c > -1
 *   = sum_{k >= 1} (a)_k (b + 1)_{k-1} / ((c + 1)_{k-1} k!) z^k,
 * the form in which the BG/NBD expectations use the Gauss hypergeometric
 * function (Euler-transformed so that it converges at z = 1 in the usual
 * cases; see bgnbd.c): it has no pole at b = 0 or c = 0, where the
 * expectations have removable singularities.
 *
 * The series converges for |z| < 1.  The ratio of consecutive terms is
 * z f(k) g(k), f(k) = (a + k) / (k + 1) and g(k) = (b + k) / (c + k), each
 * monotone in k and tending to 1 (from above when a > 1, b > c); so once
 * a + k and b + k are positive, no later ratio exceeds rho = z max(1, f(k))
 * max(1, g(k)), and when rho < 1 the tail after a term is at most that
 * term / (1 - rho).  Summation stops when that bound falls below 1e-17 of
 * the sum, or when a term is 0 (a series that terminates, or terms past
 * the smallest float8).  The terms are added with Kahan's compensated
 * summation: near z = 1 there are hundreds of thousands of them, whose
 * rounding errors would otherwise add up to 1e-13 of the sum; and the
 * expectation is the difference of the sum and a term of its size, so its
 * relative error is larger by their ratio (about 3 at the published
 * parameters, about 1 / r as r tends to 0, where the expectation does).
 *
 * Close to z = 1 (a horizon hundreds of thousands of times the customer's
 * age plus alpha) that takes many terms: each term is counted down from
 * *terms_left, and false is returned, for an error of the caller's, when
 * none is left, rather than an inaccurate value.
 */
bool
sm_hyp2f1_scaled(double a, double b, double c, double z, int64 *terms_left, double *result)
{
	double		term = a * z;
	double		sum = 0.0;
	double		lost = 0.0;		/* what the rounding of sum has left out, negated */
	bool		f_above_1 = a > 1.0;
	bool		g_above_1 = b > c;
	int64		left = *terms_left;
	bool		done = false;

	Assert(z >= 0.0 && c > -1.0);
	/* z rounds to 1 for a horizon beyond 1e16 times alpha + T: no sum */
	for (double k = 1.0; z < 1.0 && left > 0; k += 1.0)
	{
		double		rho = z;
		double		corrected;
		double		next_sum;

		if ((left-- & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		corrected = term - lost;
		next_sum = sum + corrected;
		lost = (next_sum - sum) - corrected;
		sum = next_sum;
		term *= z * (a + k) * (b + k) / ((c + k) * (k + 1.0));
		if (term == 0.0)
		{
			done = true;
			break;
		}
		if (a + k + 1.0 <= 0.0 || b + k + 1.0 <= 0.0)
			continue;
		/* the largest ratio to come: z f(k + 1) g(k + 1), f and g put at 1 when they rise to it */
		if (f_above_1)
			rho *= (a + k + 1.0) / (k + 2.0);
		if (g_above_1)
			rho *= (b + k + 1.0) / (c + k + 1.0);
		if (rho < 1.0 && fabs(term) <= 1e-17 * fabs(sum + term) * (1.0 - rho))
		{
			lost -= term;
			done = true;
			break;
		}
	}
	*terms_left = left;
	*result = sum - lost;
	return done;
}
