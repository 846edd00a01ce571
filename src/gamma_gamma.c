/*
 * gamma_gamma.c
 *		The Gamma-Gamma model of spend per purchase (Fader, Hardie and Lee,
 *		"RFM and CLV: Using Iso-Value Curves for Customer Base Analysis",
 *		2005; Fader and Hardie, "The Gamma-Gamma Model of Monetary Value",
 *		2013): fitting it to the repeat customers' rfm summaries, and the
 *		expected spend of a customer.
 *
 * Each purchase of a customer is worth z ~ Gamma(p, nu), and nu varies
 * across customers as Gamma(q, gamma); spend is independent of the
 * purchase process.  A customer with x > 0 repeat purchases of mean value
 * m has the likelihood (of m, as in the lifetimes library)
 *
 *   ln L = ln Gamma(p x + q) - ln Gamma(p x) - ln Gamma(q) + q ln gamma
 *        + (p x - 1) ln m + p x ln x - (p x + q) ln(gamma + m x)
 *
 * and expected spend per purchase E[M | x, m] = p (gamma + m x) / (p x + q
 * - 1), the population mean p gamma / (q - 1) for x = 0.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/float.h"

#include "clv_models.h"
#include "saas_metrics.h"

typedef struct GammaGammaParameters
{
	double		p;
	double		q;
	double		gamma;
} GammaGammaParameters;

/*
 * The distinct (x, m) summaries by frequency: per distinct x the customers
 * and the sum of their ln m, so that the terms linear in ln m cost nothing
 * per evaluation; only ln(gamma + m x) is taken per summary.
 */
typedef struct SpendSummary
{
	int32		frequency_index;
	double		mean_spend;
	double		customers;
} SpendSummary;

typedef struct GammaGammaData
{
	int			nfrequencies;
	double	   *frequency;
	double	   *customers_of;	/* by frequency */
	double	   *log_spend_sum;	/* sum of customers * ln m, by frequency */
	int			nsummaries;
	SpendSummary *summary;
	double		customers;
} GammaGammaData;

static void
gamma_gamma_prepare(GammaGammaData *data, const CustomerCount *entries, int n)
{
	/* entries are sorted by (x, m): frequencies come in runs */
	data->frequency = palloc(Max(n, 1) * sizeof(double));
	data->customers_of = palloc0(Max(n, 1) * sizeof(double));
	data->log_spend_sum = palloc0(Max(n, 1) * sizeof(double));
	data->summary = palloc(Max(n, 1) * sizeof(SpendSummary));
	data->nfrequencies = 0;
	data->nsummaries = n;
	data->customers = 0.0;
	for (int i = 0; i < n; i++)
	{
		double		customers = (double) entries[i].customers;
		int			k;

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (data->nfrequencies == 0 || data->frequency[data->nfrequencies - 1] != entries[i].key[0])
			data->frequency[data->nfrequencies++] = entries[i].key[0];
		k = data->nfrequencies - 1;
		data->customers_of[k] += customers;
		data->log_spend_sum[k] += customers * log(entries[i].key[1]);
		data->summary[i].frequency_index = k;
		data->summary[i].mean_spend = entries[i].key[1];
		data->summary[i].customers = customers;
		data->customers += customers;
	}
}

/* ln(gamma + m x), also where m x exceeds float8 (gamma <= 1e8 is then lost in rounding) */
static double
log_posterior_rate(double gamma, double m_bar, double x)
{
	double		u = gamma + m_bar * x;

	return isinf(u) ? log(m_bar) + log(x) : log(u);
}

/*
 * The negative mean log-likelihood at theta = (ln p, ln q, ln gamma) and its
 * gradient; the derivatives of a customer's ln L are
 *   d/dp     x (psi(p x + q) - psi(p x) + ln m + ln x - ln(gamma + m x))
 *   d/dq     psi(p x + q) - psi(q) + ln gamma - ln(gamma + m x)
 *   d/dgamma q / gamma - (p x + q) / (gamma + m x).
 */
static double
gamma_gamma_objective(const double *theta, double *gradient, void *arg)
{
	GammaGammaData *data = (GammaGammaData *) arg;
	double		p = exp(theta[0]),
				q = exp(theta[1]),
				gamma = exp(theta[2]);
	double		log_gamma = log(gamma);
	double		ll = 0.0,
				g_p = 0.0,
				g_q = 0.0,
				g_gamma = 0.0;

	CHECK_FOR_INTERRUPTS();
	for (int k = 0; k < data->nfrequencies; k++)
	{
		double		x = data->frequency[k];
		double		n = data->customers_of[k];
		double		px = p * x;
		double		psi_sum = sm_digamma(px + q);

		ll += n * (lgamma(px + q) - lgamma(px) - lgamma(q) + q * log_gamma + px * log(x))
			+ (px - 1.0) * data->log_spend_sum[k];
		g_p += n * x * (psi_sum - sm_digamma(px) + log(x)) + x * data->log_spend_sum[k];
		g_q += n * (psi_sum - sm_digamma(q) + log_gamma);
		g_gamma += n * q / gamma;
	}
	for (int i = 0; i < data->nsummaries; i++)
	{
		const SpendSummary *s = &data->summary[i];
		double		x = data->frequency[s->frequency_index];
		double		u = gamma + s->mean_spend * x;	/* Infinity beyond float8: its terms tend to 0 */
		double		log_u = log_posterior_rate(gamma, s->mean_spend, x);

		if ((i & 0xFFFF) == 0xFFFF)
			CHECK_FOR_INTERRUPTS();
		ll -= s->customers * (p * x + q) * log_u;
		g_p -= s->customers * x * log_u;
		g_q -= s->customers * log_u;
		g_gamma -= s->customers * (p * x + q) / u;
	}
	gradient[0] = -p * g_p / data->customers;
	gradient[1] = -q * g_q / data->customers;
	gradient[2] = -gamma * g_gamma / data->customers;
	return -ll / data->customers;
}

/*
 * Starting values from moments.  Given nu, m is the mean of x Gamma(p, nu)
 * values, so E[m] = p gamma / (q - 1) and Var(m | x) / E[m]^2 = A + B / x
 * with A = 1 / (q - 2) and B = (q - 1) A / p.  A and B come from a
 * weighted least-squares line through the variance of m at each frequency;
 * when that gives no positive pair, p = 1 and q = 3.
 */
static void
gamma_gamma_start(const GammaGammaData *data, double *theta)
{
	double		mean = 0.0;
	double		sw = 0.0,
				su = 0.0,
				sy = 0.0,
				suu = 0.0,
				suy = 0.0;
	double		p = 1.0,
				q = 3.0;
	int			i = 0;

	for (int j = 0; j < data->nsummaries; j++)
	{
		if ((j & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		mean += data->summary[j].customers * data->summary[j].mean_spend;
	}
	mean /= data->customers;

	for (int k = 0; k < data->nfrequencies; k++)
	{
		double		n = data->customers_of[k];
		double		sum = 0.0,
					square = 0.0;
		double		w,
					u,
					y;

		for (; i < data->nsummaries && data->summary[i].frequency_index == k; i++)
		{
			sum += data->summary[i].customers * data->summary[i].mean_spend;
			square += data->summary[i].customers * data->summary[i].mean_spend * data->summary[i].mean_spend;
		}
		if (n < 2)
			continue;
		w = n - 1.0;
		u = 1.0 / data->frequency[k];
		y = (square - sum * sum / n) / (n - 1.0) / (mean * mean);
		sw += w;
		su += w * u;
		sy += w * y;
		suu += w * u * u;
		suy += w * u * y;
	}
	if (sw > 0.0 && sw * suu - su * su > 0.0)
	{
		double		slope = (sw * suy - su * sy) / (sw * suu - su * su);
		double		intercept = (sy - slope * su) / sw;

		if (slope > 0.0 && intercept > 0.0)
		{
			q = 2.0 + 1.0 / intercept;
			p = (q - 1.0) * intercept / slope;
		}
	}
	theta[0] = log(p);
	theta[1] = log(q);
	theta[2] = log(mean * (q - 1.0) / p);
}

/* gamma_gamma_fit(gamma_gamma_counts) -> gamma_gamma_model, NULL without repeat customers */
PG_FUNCTION_INFO_V1(gamma_gamma_fit_counts);
Datum
gamma_gamma_fit_counts(PG_FUNCTION_ARGS)
{
	CustomerCounts *counts = sm_counts_arg(fcinfo, 0, COUNTS_GAMMA_GAMMA);
	int			n;
	CustomerCount *entries = sm_counts_distinct(counts, &n);
	GammaGammaData data;
	double		start[3];
	MleResult	fit;
	int64		customers;

	if (n == 0)
		PG_RETURN_NULL();
	customers = sm_counts_total(entries, n);
	gamma_gamma_prepare(&data, entries, n);
	gamma_gamma_start(&data, start);
	sm_mle_minimize(gamma_gamma_objective, &data, 3, start, &fit);
	return sm_mle_model(fcinfo, &fit, 3, customers);
}

/* ---- readers ------------------------------------------------------------ */

static void
model_parameters(HeapTupleHeader model, GammaGammaParameters *m)
{
	m->p = sm_model_parameter(model, 1, "p");
	m->q = sm_model_parameter(model, 2, "q");
	m->gamma = sm_model_parameter(model, 3, "gamma");
}

/* the customer's mean spend: positive with repeat purchases */
static double
mean_spend(const RfmValues *c)
{
	if (c->monetary_isnull || !(c->monetary_value >= 0.0) || isinf(c->monetary_value))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("monetary_value must be a finite amount, not negative"),
				 errdetail("frequency is %d, monetary_value is %s.", c->frequency,
						   c->monetary_isnull ? "NULL" : psprintf("%g", c->monetary_value))));
	return c->monetary_value;
}

/*
 * E[M | x, m] = p (gamma + m x) / (p x + q - 1): the mean of p / nu under
 * nu's posterior Gamma(p x + q, gamma + m x); Infinity when p x + q <= 1.
 * Taken as p gamma / (p x + q - 1) + m p x / (p x + q - 1), so that m x
 * may exceed float8 when the result does not.
 */
double
sm_gamma_gamma_spend(HeapTupleHeader model, const RfmValues *c)
{
	GammaGammaParameters m;
	double		x = c->frequency;
	double		m_bar = x > 0 ? mean_spend(c) : 0.0;
	double		denominator;
	double		spend;

	model_parameters(model, &m);
	if (m.p * x + m.q <= 1.0)
		return get_float8_infinity();
	denominator = m.p * x + m.q - 1.0;
	spend = m.p * m.gamma / denominator + m_bar * (m.p * x / denominator);
	if (isinf(spend))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("the customer's expected spend is out of range"),
				 errdetail("frequency is %d, monetary_value is %g, p is %g, q is %g, gamma is %g.",
						   c->frequency, m_bar, m.p, m.q, m.gamma)));
	return spend;
}

PG_FUNCTION_INFO_V1(gamma_gamma_expected_spend);
Datum
gamma_gamma_expected_spend(PG_FUNCTION_ARGS)
{
	RfmValues	c;
	double		spend;

	sm_rfm_read(fcinfo, 1, &c, true);
	spend = sm_gamma_gamma_spend(PG_GETARG_HEAPTUPLEHEADER(0), &c);
	if (isinf(spend))
		PG_RETURN_DATUM(DirectFunctionCall3(numeric_in, CStringGetDatum("Infinity"),
											ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)));
	PG_RETURN_NUMERIC(sm_float8_numeric(spend));
}

/* ln L of one repeat customer; NULL for a customer without repeat purchases */
PG_FUNCTION_INFO_V1(gamma_gamma_log_likelihood);
Datum
gamma_gamma_log_likelihood(PG_FUNCTION_ARGS)
{
	GammaGammaParameters m;
	RfmValues	c;
	double		x,
				px,
				m_bar;

	model_parameters(PG_GETARG_HEAPTUPLEHEADER(0), &m);
	sm_rfm_read(fcinfo, 1, &c, true);
	if (c.frequency == 0)
		PG_RETURN_NULL();
	m_bar = mean_spend(&c);
	if (m_bar == 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("monetary_value must be positive for a customer with repeat purchases"),
				 errdetail("frequency is %d, monetary_value is 0.", c.frequency)));
	x = c.frequency;
	px = m.p * x;
	PG_RETURN_FLOAT8(lgamma(px + m.q) - lgamma(px) - lgamma(m.q) + m.q * log(m.gamma)
					 + (px - 1.0) * log(m_bar) + px * log(x) - (px + m.q) * log_posterior_rate(m.gamma, m_bar, x));
}
