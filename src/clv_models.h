/*
 * clv_models.h
 *		The buy-till-you-die models of non-contractual customer value: what
 *		the files of the CLV models share.
 *
 *   rfm.c               purchase rows -> one customer's rfm summary
 *   customer_counts.c   rfm summaries -> counts of customers with identical
 *                       summaries (the state of the fit aggregates)
 *   bgnbd.c             BG/NBD: likelihood, fit, P(alive), expected purchases
 *                       and the discounted CLV
 *   gamma_gamma.c       Gamma-Gamma: likelihood, fit, expected spend
 *   special_functions.c digamma, rising factorials and the Gauss
 *                       hypergeometric series the readers need
 *   mle.c               bounded quasi-Newton maximisation in log space
 */
#ifndef SM_CLV_MODELS_H
#define SM_CLV_MODELS_H

#include "postgres.h"

#include "access/htup.h"
#include "fmgr.h"

/* ---- customer_counts.c ------------------------------------------------ */

/*
 * One distinct customer summary and how many customers have it.  For
 * BG/NBD the key is (frequency, recency, t); for Gamma-Gamma it is
 * (frequency, monetary_value, 0).
 */
typedef struct CustomerCount
{
	float8		key[3];
	int64		customers;
} CustomerCount;

typedef enum CountsKind
{
	COUNTS_BGNBD = 1,
	COUNTS_GAMMA_GAMMA = 2
} CountsKind;

/*
 * The varlena of bgnbd_counts and gamma_gamma_counts.  entries[0, nentries)
 * hold summaries in arrival order, possibly repeated; the final functions
 * sort them and add up the counts of equal keys.  capacity entries are
 * allocated, the unused ones zeroed, so that a transition can add in place.
 */
typedef struct CustomerCounts
{
	int32		vl_len_;
	int32		kind;			/* CountsKind */
	int32		nentries;
	int32		capacity;
	CustomerCount entries[FLEXIBLE_ARRAY_MEMBER];
} CustomerCounts;

/* the entries sorted by key, equal keys merged (a new palloc'd array) */
extern CustomerCount *sm_counts_distinct(const CustomerCounts *counts, int *nentries);
extern CustomerCounts *sm_counts_arg(FunctionCallInfo fcinfo, int argno, CountsKind kind);
/* the customers of entries[0, n), or error 22003 beyond bigint */
extern int64 sm_counts_total(const CustomerCount *entries, int32 n);

/* ---- the rfm composite ------------------------------------------------ */

typedef struct RfmValues
{
	int32		frequency;
	float8		recency;
	float8		t;
	float8		monetary_value;
	bool		monetary_isnull;
} RfmValues;

/* An rfm argument, read and checked (frequency, recency and t not NULL, consistent). */
extern void sm_rfm_read(FunctionCallInfo fcinfo, int argno, RfmValues *rfm, bool with_monetary);

/* A parameter of a model composite: not NULL, within [MLE_MIN_PARAMETER, MLE_MAX_PARAMETER]. */
extern float8 sm_model_parameter(HeapTupleHeader model, int attno, const char *name);
extern Datum sm_form_composite(FunctionCallInfo fcinfo, Datum *values, bool *nulls);

/* ---- gamma_gamma.c ---------------------------------------------------- */

/* E[spend per purchase | frequency, monetary_value]; Infinity where undefined */
extern double sm_gamma_gamma_spend(HeapTupleHeader model, const RfmValues *rfm);

/* ---- special_functions.c ---------------------------------------------- */

extern double sm_digamma(double x);
extern double sm_log_rising(double v, double n);
extern double sm_digamma_rising(double v, double n);
extern bool sm_hyp2f1_scaled(double a, double b, double c, double z, int64 *terms_left, double *result);

/* ---- mle.c -------------------------------------------------------------- */

#define MLE_MAX_PARAMETERS 4
/*
 * Parameters are fitted as logarithms bounded to [-MLE_LOG_BOUND,
 * MLE_LOG_BOUND], i.e. between MLE_MIN_PARAMETER and MLE_MAX_PARAMETER, and
 * the readers take models with parameters in that box only.
 */
#define MLE_LOG_BOUND 18.420680743952367	/* ln 1e8 */
#define MLE_MIN_PARAMETER 1e-8
#define MLE_MAX_PARAMETER 1e8
#define MLE_MAX_ITERATIONS 500

/*
 * The function to minimise (a negative mean log-likelihood) at log
 * parameters theta; it sets gradient[] (with respect to theta) and returns
 * the value, or NaN/Infinity where it is not defined.
 */
typedef double (*MleObjective) (const double *theta, double *gradient, void *arg);

typedef struct MleResult
{
	double		theta[MLE_MAX_PARAMETERS];
	double		value;
	int			iterations;
	bool		converged;
} MleResult;

extern void sm_mle_minimize(MleObjective objective, void *arg, int nparams,
							const double *start, MleResult *result);
extern Datum sm_mle_model(FunctionCallInfo fcinfo, const MleResult *fit, int nparams,
						  int64 customers);

#endif
