/*
 * bgnbd.c
 *		The BG/NBD model of Fader, Hardie and Lee ("Counting Your Customers
 *		the Easy Way: An Alternative to the Pareto/NBD Model", Marketing
 *		Science 24(2), 2005): fitting it to customers' rfm summaries, and
 *		what it says of each customer.
 *
 * While alive, a customer buys at the times of a Poisson process of rate
 * lambda; after each repeat purchase he drops out for good with probability
 * p.  Across customers lambda ~ Gamma(r, alpha) and p ~ Beta(a, b).  A
 * customer with x repeat purchases, the last at t_x, observed for T has the
 * likelihood (eq. 6 of the paper)
 *
 *   L = B(a, b + x) / B(a, b) * Gamma(r + x) alpha^r / (Gamma(r) (alpha + T)^(r + x))
 *     + [x > 0] B(a + 1, b + x - 1) / B(a, b) * Gamma(r + x) alpha^r / (Gamma(r) (alpha + t_x)^(r + x))
 *
 * evaluated here in logarithms: ln L = ln Gamma(r + x) - ln Gamma(r)
 * + r ln alpha + ln Gamma(b + x) - ln Gamma(b) - ln Gamma(a + b + x)
 * + ln Gamma(a + b) - (r + x) ln(alpha + T) + softplus(d), where d =
 * ln(a / (b + x - 1)) + (r + x) ln((alpha + T) / (alpha + t_x)) is the log
 * ratio of the second term to the first and softplus(d) = ln(1 + e^d),
 * computed without overflow.  P(alive) = 1 / (1 + e^d) (eq. 13).
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/float.h"

#include "clv_models.h"
#include "saas_metrics.h"

typedef struct BgnbdParameters
{
	double		r;
	double		alpha;
	double		a;
	double		b;
} BgnbdParameters;

/* ln(1 + e^d) and 1 / (1 + e^-d), without overflow */
static inline double
softplus(double d, double *sigmoid)
{
	if (d > 0.0)
	{
		double		e = exp(-d);

		*sigmoid = 1.0 / (1.0 + e);
		return d + log1p(e);
	}
	else
	{
		double		e = exp(d);

		*sigmoid = e / (1.0 + e);
		return log1p(e);
	}
}

/* d = ln(a / (b + x - 1)) + (r + x) ln((alpha + T) / (alpha + t_x)), x > 0 */
static double
alive_log_odds_against(const BgnbdParameters *m, const RfmValues *c)
{
	return log(m->a) - log(m->b + c->frequency - 1) +
		(m->r + c->frequency) * (log(m->alpha + c->t) - log(m->alpha + c->recency));
}

/* ---- the fit ------------------------------------------------------------

 * The distinct summaries are laid out once for the likelihood: the
 * distinct frequencies, then the summaries without repeat purchases (one
 * per T, the counts having merged the rest) and those with repeat
 * purchases, each with its frequency's index.  An evaluation takes the
 * gamma functions once per distinct frequency, then one exp and one log1p
 * per repeat summary.  The logarithms of alpha + T and alpha + t_x are
 * taken once per distinct time when there are few of them (rfm() counts
 * whole days: a table of them stays in the CPU cache), else per summary:
 * with a table too large for the cache, the lookups cost more than the
 * logarithms.
 */

#define BGNBD_MAX_TABULATED_TIMES 65536

typedef struct TimedSummary
{
	double		t;				/* T */
	double		recency;		/* t_x */
	double		customers;
	int32		frequency_index;
	int32		t_index;		/* of T in the table of times, if any */
	int32		recency_index;	/* of t_x */
} TimedSummary;

typedef struct BgnbdData
{
	int			nfrequencies;
	double	   *frequency;		/* distinct, ascending */
	double	   *frequency_customers;
	int			nzero;
	TimedSummary *zero;			/* frequency 0 */
	int			nrepeat;
	TimedSummary *repeat;		/* frequency > 0 */
	double		customers;
	bool		tabulated;		/* the times are few: use the tables below */
	int			ntimes;
	double	   *time;			/* distinct T and t_x, ascending */
	/* per evaluation */
	double	   *log_time;		/* ln(alpha + time) */
	double	   *inverse_time;	/* 1 / (alpha + time) */
	double	   *log_odds_base;	/* ln a - ln(b + x - 1), by frequency */
	double	   *inverse_b;		/* 1 / (b + x - 1), by frequency */
} BgnbdData;

#define ST_SORT sort_times
#define ST_ELEMENT_TYPE double
#define ST_COMPARE(a, b) (*(a) < *(b) ? -1 : *(a) > *(b))
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

static int32
index_of(const double *sorted, int n, double value)
{
	int			low = 0,
				high = n - 1;

	while (low < high)
	{
		int			mid = low + (high - low) / 2;

		if (sorted[mid] < value)
			low = mid + 1;
		else
			high = mid;
	}
	Assert(sorted[low] == value);
	return low;
}

/* The table of distinct times, if there are at most BGNBD_MAX_TABULATED_TIMES. */
static void
tabulate_times(BgnbdData *data)
{
	double	   *times = palloc(Max(data->nzero + 2 * data->nrepeat, 1) * sizeof(double));
	int			n = 0,
				kept = 0;

	for (int i = 0; i < data->nzero; i++)
		times[n++] = data->zero[i].t;
	for (int i = 0; i < data->nrepeat; i++)
	{
		times[n++] = data->repeat[i].t;
		times[n++] = data->repeat[i].recency;
	}
	sort_times(times, n);
	for (int i = 0; i < n; i++)
		if (kept == 0 || times[i] != times[kept - 1])
			times[kept++] = times[i];
	data->tabulated = kept <= BGNBD_MAX_TABULATED_TIMES;
	if (!data->tabulated)
	{
		pfree(times);
		return;
	}
	data->ntimes = kept;
	data->time = times;
	data->log_time = palloc(Max(kept, 1) * sizeof(double));
	data->inverse_time = palloc(Max(kept, 1) * sizeof(double));
	for (int i = 0; i < data->nzero; i++)
		data->zero[i].t_index = index_of(times, kept, data->zero[i].t);
	for (int i = 0; i < data->nrepeat; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		data->repeat[i].t_index = index_of(times, kept, data->repeat[i].t);
		data->repeat[i].recency_index = index_of(times, kept, data->repeat[i].recency);
	}
}

/* entries sorted by (x, t_x, T), equal ones merged */
static void
bgnbd_prepare(BgnbdData *data, const CustomerCount *entries, int n)
{
	memset(data, 0, sizeof(BgnbdData));
	data->frequency = palloc(Max(n, 1) * sizeof(double));
	data->frequency_customers = palloc0(Max(n, 1) * sizeof(double));
	data->zero = palloc(Max(n, 1) * sizeof(TimedSummary));
	data->repeat = palloc(Max(n, 1) * sizeof(TimedSummary));
	for (int i = 0; i < n; i++)
	{
		TimedSummary *s;

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (data->nfrequencies == 0 || data->frequency[data->nfrequencies - 1] != entries[i].key[0])
			data->frequency[data->nfrequencies++] = entries[i].key[0];
		s = entries[i].key[0] == 0 ? &data->zero[data->nzero++] : &data->repeat[data->nrepeat++];
		s->frequency_index = data->nfrequencies - 1;
		s->recency = entries[i].key[1];
		s->t = entries[i].key[2];
		s->customers = (double) entries[i].customers;
		data->frequency_customers[s->frequency_index] += s->customers;
		data->customers += s->customers;
	}
	data->log_odds_base = palloc(Max(data->nfrequencies, 1) * sizeof(double));
	data->inverse_b = palloc(Max(data->nfrequencies, 1) * sizeof(double));
	tabulate_times(data);
}

/* ln(alpha + time) and 1 / (alpha + time), from the table or computed */
static inline void
time_terms(const BgnbdData *data, int32 index, double time, double alpha,
		   double *log_t, double *inverse_t)
{
	if (data->tabulated)
	{
		*log_t = data->log_time[index];
		*inverse_t = data->inverse_time[index];
	}
	else
	{
		*log_t = log(alpha + time);
		*inverse_t = 1.0 / (alpha + time);
	}
}

/*
 * The negative mean log-likelihood at theta = (ln r, ln alpha, ln a, ln b),
 * and its gradient in theta.  With s = 1 / (1 + e^-d) the weight of the
 * second term of L, the derivatives of a customer's ln L are
 *   d/dr     psi(r + x) - psi(r) + ln alpha - (1 - s) ln(alpha + T) - s ln(alpha + t_x)
 *   d/dalpha r / alpha - (r + x) ((1 - s) / (alpha + T) + s / (alpha + t_x))
 *   d/da     psi(a + b) - psi(a + b + x) + s / a
 *   d/db     psi(b + x) - psi(b) + psi(a + b) - psi(a + b + x) - s / (b + x - 1).
 */
static double
bgnbd_objective(const double *theta, double *gradient, void *arg)
{
	BgnbdData  *data = (BgnbdData *) arg;
	double		r = exp(theta[0]),
				alpha = exp(theta[1]),
				a = exp(theta[2]),
				b = exp(theta[3]);
	double		log_alpha = log(alpha);
	double		ll = 0.0,
				g_r = 0.0,
				g_alpha = 0.0,
				g_a = 0.0,
				g_b = 0.0,
				weight_a = 0.0;

	CHECK_FOR_INTERRUPTS();
	for (int k = 0; k < data->nfrequencies; k++)
	{
		double		x = data->frequency[k];
		double		n = data->frequency_customers[k];

		ll += n * (sm_log_rising(r, x) + r * log_alpha + sm_log_rising(b, x) - sm_log_rising(a + b, x));
		g_r += n * (sm_digamma_rising(r, x) + log_alpha);
		g_alpha += n * r / alpha;
		g_a -= n * sm_digamma_rising(a + b, x);
		g_b += n * (sm_digamma_rising(b, x) - sm_digamma_rising(a + b, x));
		if (x > 0)
		{
			data->log_odds_base[k] = log(a) - log(b + x - 1);
			data->inverse_b[k] = 1.0 / (b + x - 1);
		}
	}
	if (data->tabulated)
		for (int j = 0; j < data->ntimes; j++)
		{
			data->log_time[j] = log(alpha + data->time[j]);
			data->inverse_time[j] = 1.0 / (alpha + data->time[j]);
		}
	for (int i = 0; i < data->nzero; i++)
	{
		const TimedSummary *c = &data->zero[i];
		double		log_t,
					inverse_t;

		time_terms(data, c->t_index, c->t, alpha, &log_t, &inverse_t);
		ll -= c->customers * r * log_t;
		g_r -= c->customers * log_t;
		g_alpha -= c->customers * r * inverse_t;
	}
	for (int i = 0; i < data->nrepeat; i++)
	{
		const TimedSummary *c = &data->repeat[i];
		int			k = c->frequency_index;
		double		n = c->customers;
		double		rx = r + data->frequency[k];
		double		log_t,
					inverse_t,
					log_tx,
					inverse_tx,
					s,
					sp;

		if ((i & 0xFFFF) == 0xFFFF)
			CHECK_FOR_INTERRUPTS();
		time_terms(data, c->t_index, c->t, alpha, &log_t, &inverse_t);
		time_terms(data, c->recency_index, c->recency, alpha, &log_tx, &inverse_tx);
		sp = softplus(data->log_odds_base[k] + rx * (log_t - log_tx), &s);
		ll += n * (sp - rx * log_t);
		g_r -= n * ((1.0 - s) * log_t + s * log_tx);
		g_alpha -= n * rx * ((1.0 - s) * inverse_t + s * inverse_tx);
		weight_a += n * s;
		g_b -= n * s * data->inverse_b[k];
	}
	g_a += weight_a / a;

	gradient[0] = -r * g_r / data->customers;
	gradient[1] = -alpha * g_alpha / data->customers;
	gradient[2] = -a * g_a / data->customers;
	gradient[3] = -b * g_b / data->customers;
	return -ll / data->customers;
}

/*
 * Starting values from moments: the rate of each customer observed for
 * some time, x / T, has mean r / alpha and variance r / alpha^2 + E[lambda
 * / T] (Gamma heterogeneity plus Poisson noise), ignoring dropout; the
 * dropout probability starts uniform, a = b = 1.
 */
static void
bgnbd_start(const CustomerCount *entries, int n, double *theta)
{
	double		customers = 0.0,
				mean = 0.0,
				square = 0.0,
				noise = 0.0;
	double		variance;
	double		r = 1.0,
				alpha = 1.0;

	for (int i = 0; i < n; i++)
	{
		double		x = entries[i].key[0];
		double		t = entries[i].key[2];
		double		c = (double) entries[i].customers;

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (t <= 0.0)
			continue;
		customers += c;
		mean += c * x / t;
		square += c * (x / t) * (x / t);
		noise += c * x / (t * t);
	}
	if (customers > 0.0 && mean > 0.0)
	{
		mean /= customers;
		variance = square / customers - mean * mean - noise / customers;
		if (variance > 0.0)
		{
			r = mean * mean / variance;
			alpha = mean / variance;
		}
		else
			alpha = 1.0 / mean;
	}
	theta[0] = log(r);
	theta[1] = log(alpha);
	theta[2] = 0.0;
	theta[3] = 0.0;
}

/* bgnbd_fit(bgnbd_counts) -> bgnbd_model, NULL without customers */
PG_FUNCTION_INFO_V1(bgnbd_fit_counts);
Datum
bgnbd_fit_counts(PG_FUNCTION_ARGS)
{
	CustomerCounts *counts = sm_counts_arg(fcinfo, 0, COUNTS_BGNBD);
	int			n;
	CustomerCount *entries = sm_counts_distinct(counts, &n);
	BgnbdData	data;
	double		start[4];
	MleResult	fit;
	int64		customers;

	if (n == 0)
		PG_RETURN_NULL();
	customers = sm_counts_total(entries, n);
	bgnbd_prepare(&data, entries, n);
	bgnbd_start(entries, n, start);
	sm_mle_minimize(bgnbd_objective, &data, 4, start, &fit);
	return sm_mle_model(fcinfo, &fit, 4, customers);
}

/* ---- readers ------------------------------------------------------------ */

static void
model_argument(FunctionCallInfo fcinfo, int argno, BgnbdParameters *m)
{
	HeapTupleHeader model = PG_GETARG_HEAPTUPLEHEADER(argno);

	m->r = sm_model_parameter(model, 1, "r");
	m->alpha = sm_model_parameter(model, 2, "alpha");
	m->a = sm_model_parameter(model, 3, "a");
	m->b = sm_model_parameter(model, 4, "b");
}

static double
horizon_argument(FunctionCallInfo fcinfo, int argno, const char *name)
{
	double		horizon = PG_GETARG_FLOAT8(argno);

	if (!(horizon >= 0.0) || isinf(horizon))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite number, not negative", name),
				 errdetail("%s is %g.", name, horizon)));
	return horizon;
}

/* ln L of one customer (see the top of the file) */
PG_FUNCTION_INFO_V1(bgnbd_log_likelihood);
Datum
bgnbd_log_likelihood(PG_FUNCTION_ARGS)
{
	BgnbdParameters m;
	RfmValues	c;
	double		x,
				ll,
				s;

	model_argument(fcinfo, 0, &m);
	sm_rfm_read(fcinfo, 1, &c, false);
	x = c.frequency;
	ll = sm_log_rising(m.r, x) + m.r * log(m.alpha) + sm_log_rising(m.b, x) - sm_log_rising(m.a + m.b, x)
		- (m.r + x) * log(m.alpha + c.t);
	if (c.frequency > 0)
		ll += softplus(alive_log_odds_against(&m, &c), &s);
	PG_RETURN_FLOAT8(ll);
}

/* P(alive | x, t_x, T) = 1 / (1 + e^d); 1 without repeat purchases */
PG_FUNCTION_INFO_V1(bgnbd_p_alive);
Datum
bgnbd_p_alive(PG_FUNCTION_ARGS)
{
	BgnbdParameters m;
	RfmValues	c;
	double		s;

	model_argument(fcinfo, 0, &m);
	sm_rfm_read(fcinfo, 1, &c, false);
	if (c.frequency == 0)
		PG_RETURN_FLOAT8(1.0);
	softplus(-alive_log_odds_against(&m, &c), &s);
	PG_RETURN_FLOAT8(s);
}

/*
 * The expectations of the paper, eq. 7 (a new customer, x = 0 and T = 0
 * below) and eq. 10 (a customer with history x, t_x, T), over a horizon t:
 *
 *   E = (a + b + x - 1) / (a - 1)
 *       * [1 - ((alpha + T) / (alpha + T + t))^(r + x) 2F1(r + x, b + x; a + b + x - 1; z)]
 *       * P(alive),   z = t / (alpha + T + t).
 *
 * Euler's transformation 2F1(A, B; C; z) = (1 - z)^(C - A - B) 2F1(C - A,
 * C - B; C; z) turns the bracket into 1 - (1 - z)^(a - 1) 2F1(a + b - 1 - r,
 * a - 1; a + b + x - 1; z), whose series converges at z = 1 when r + x + 1 >
 * a (the untransformed one never does) and has no cancellation as a -> 1.
 * With c = a + b + x - 1 and F = 2F1(a + b - 1 - r, a - 1; c; z):
 *
 *   E / P(alive) = c [1 - (1 - z)^(a-1)] / (a - 1) - (1 - z)^(a-1) c (F - 1) / (a - 1),
 *
 * the first term -c expm1((a - 1) ln(1 - z)) / (a - 1) (-c ln(1 - z) at
 * a = 1), the second by sm_hyp2f1_scaled.  Both are finite at a = 1 and
 * at c = 0 (a + b = 1, x = 0), where the printed formulas are 0/0.  With
 * the parameters in the box of the fits (c > -1) and z < 1 every term is
 * finite; z and ln(1 - z) = -ln(1 + t / (alpha + T)) are taken so that
 * neither overflows for any finite T and t.
 *
 * The series takes about 40 (alpha + T + t) / (alpha + T) terms; a reader
 * call may sum EXPECTATION_MAX_TERMS of them in all (about 0.15 s), which
 * allows a horizon of about 250,000 times alpha + T in one expectation:
 * beyond, error 22003 rather than a long wait or an inaccurate value.
 */
#define EXPECTATION_MAX_TERMS 10000000

static double
expected_purchases_if_alive(const BgnbdParameters *m, double x, double t_observed, double horizon,
							int64 *terms_left)
{
	double		age = m->alpha + t_observed;
	double		z = 1.0 / (1.0 + age / horizon);
	double		c = m->a + m->b + x - 1.0;
	double		shift = m->a - 1.0;
	double		log_rest;		/* ln(1 - z) */
	double		first;
	double		series;

	if (horizon == 0.0)
		return 0.0;
	if (!(z < 1.0) || !sm_hyp2f1_scaled(m->a + m->b - 1.0 - m->r, shift, c, z, terms_left, &series))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("the hypergeometric series of the BG/NBD expectation did not converge"),
				 errdetail("The horizon is too long for the customer's age: the expectations of this call need more than %d terms of the series.",
						   EXPECTATION_MAX_TERMS),
				 errhint("Use a shorter horizon.")));
	log_rest = -log1p(horizon / age);
	first = shift == 0.0 ? -log_rest : -expm1(shift * log_rest) / shift;
	return c * first - exp(shift * log_rest) * series;
}

static double
expected_purchases(const BgnbdParameters *m, const RfmValues *c, double horizon, int64 *terms_left)
{
	double		e = expected_purchases_if_alive(m, c->frequency, c->t, horizon, terms_left);
	double		alive = 1.0;

	if (c->frequency > 0)
		softplus(-alive_log_odds_against(m, c), &alive);
	return e * alive;
}

/* bgnbd_expected_purchases(model, rfm, horizon): E[Y(horizon) | x, t_x, T] */
PG_FUNCTION_INFO_V1(bgnbd_expected_purchases_customer);
Datum
bgnbd_expected_purchases_customer(PG_FUNCTION_ARGS)
{
	BgnbdParameters m;
	RfmValues	c;
	double		horizon;
	int64		terms_left = EXPECTATION_MAX_TERMS;

	model_argument(fcinfo, 0, &m);
	sm_rfm_read(fcinfo, 1, &c, false);
	horizon = horizon_argument(fcinfo, 2, "horizon");
	PG_RETURN_FLOAT8(expected_purchases(&m, &c, horizon, &terms_left));
}

/* bgnbd_expected_purchases(model, t): E[X(t)] of a customer who just made a first purchase */
PG_FUNCTION_INFO_V1(bgnbd_expected_purchases_new);
Datum
bgnbd_expected_purchases_new(PG_FUNCTION_ARGS)
{
	BgnbdParameters m;
	int64		terms_left = EXPECTATION_MAX_TERMS;

	model_argument(fcinfo, 0, &m);
	PG_RETURN_FLOAT8(expected_purchases_if_alive(&m, 0.0, 0.0, horizon_argument(fcinfo, 1, "t"), &terms_left));
}

/*
 * clv_bgnbd(bgnbd_model, gamma_gamma_model, rfm, horizon_periods,
 * discount_rate_per_period): the customer's expected spend per purchase
 * (Gamma-Gamma) times the purchases expected in each coming period
 * (BG/NBD), discounted per period:
 *
 *   sum_{i = 1..H} E[M] (E[Y(i)] - E[Y(i - 1)]) / (1 + d)^i
 *
 * in the time unit of the rfm summaries.  Infinity when the expected spend
 * is (q <= 1) and purchases are expected.
 *
 * Without discounting (1 + d rounds to 1) the sum telescopes to E[M]
 * E[Y(H)].  Otherwise the periods are summed in order until the rest is
 * below float8 resolution: E[Y(t)] is concave (its slope, the purchase
 * rate E[lambda 1(alive at t)], falls with t), so no later period brings
 * more purchases than period i, and the periods after i add at most
 * (E[Y(i)] - E[Y(i - 1)]) / (1 + d)^i / d.  All the expectations of one
 * call share the EXPECTATION_MAX_TERMS terms of the series, so that any
 * horizon ends in bounded time, with a value or error 22003.
 */
PG_FUNCTION_INFO_V1(sm_clv_bgnbd);
Datum
sm_clv_bgnbd(PG_FUNCTION_ARGS)
{
	BgnbdParameters m;
	RfmValues	c;
	int32		periods = PG_GETARG_INT32(3);
	double		discount = PG_GETARG_FLOAT8(4);
	double		spend;
	double		purchases = 0.0;
	int64		terms_left = EXPECTATION_MAX_TERMS;

	model_argument(fcinfo, 0, &m);
	sm_rfm_read(fcinfo, 2, &c, true);
	spend = sm_gamma_gamma_spend(PG_GETARG_HEAPTUPLEHEADER(1), &c);
	if (periods < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("horizon_periods must not be negative"),
				 errdetail("horizon_periods is %d.", periods)));
	sm_check_finite(discount, "discount_rate_per_period");
	if (discount < 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("discount_rate_per_period must not be negative"),
				 errdetail("discount_rate_per_period is %g.", discount)));

	if (isinf(spend))
	{
		/* purchases are expected in every period if in the first */
		if (periods > 0 && expected_purchases(&m, &c, 1.0, &terms_left) > 0.0)
			PG_RETURN_DATUM(DirectFunctionCall3(numeric_in, CStringGetDatum("Infinity"),
												ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)));
		PG_RETURN_NUMERIC(int64_to_numeric(0));
	}
	if (1.0 + discount == 1.0)
		purchases = expected_purchases(&m, &c, (double) periods, &terms_left);
	else
	{
		double		previous = 0.0,
					factor = 1.0;

		for (int32 i = 1; i <= periods; i++)
		{
			double		current = expected_purchases(&m, &c, (double) i, &terms_left);
			double		increment = current - previous;

			CHECK_FOR_INTERRUPTS();
			factor /= 1.0 + discount;
			purchases += increment * factor;
			previous = current;
			if (fabs(increment) * factor / discount <= 1e-17 * purchases)
				break;
		}
	}
	if (isinf(purchases * spend))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("the customer's expected value is out of range"),
				 errdetail("%g discounted purchases are expected, each worth %g.", purchases, spend)));
	PG_RETURN_NUMERIC(sm_float8_numeric(purchases * spend));
}
