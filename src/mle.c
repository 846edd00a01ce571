/*
 * mle.c
 *		Maximum likelihood for the CLV models: a quasi-Newton (BFGS)
 *		minimisation of the negative mean log-likelihood over the logarithms
 *		of the parameters, kept inside a box.
 *
 * Fitting log parameters makes every step keep the parameters positive;
 * the box [-MLE_LOG_BOUND, MLE_LOG_BOUND] (parameters from 1e-8 to 1e8)
 * catches the fits whose maximum lies at zero or infinity (nobody repeats,
 * everybody repeats like clockwork, one customer): they end at the box with
 * converged = false instead of running off to overflow.  A coordinate on
 * the box whose gradient points outwards is held there (a projected
 * gradient method), so the others still converge.
 *
 * converged is true only when, within MLE_MAX_ITERATIONS iterations, the
 * projected gradient fell below MLE_GRADIENT_TOLERANCE or the decrease the
 * quasi-Newton step predicts fell below the rounding error of the value
 * (MLE_RESOLUTION), with no parameter on the box and a finite value, and
 * the Hessian there is positive definite:
 * a strict maximum of the likelihood.  Data that do not identify a
 * parameter (nobody repeats: the dropout parameters do not enter the
 * likelihood at all) leave a flat direction, and no estimate.
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"

#include "clv_models.h"

/* on the negative mean log-likelihood, i.e. per customer */
#define MLE_GRADIENT_TOLERANCE 1e-8
/* the relative rounding error of a value summed over many customers */
#define MLE_RESOLUTION 1e-15
/* the largest change of a log parameter in one step */
#define MLE_MAX_STEP 2.0
/* a line search gives up when its step changes no log parameter by more than this */
#define MLE_SMALLEST_STEP 1e-12

static bool
on_box(double theta, double gradient)
{
	return (theta <= -MLE_LOG_BOUND && gradient > 0.0) ||
		(theta >= MLE_LOG_BOUND && gradient < 0.0);
}

/*
 * Is the Hessian of the objective at theta positive definite?  It is taken
 * by central differences of the analytic gradient, symmetrised, and
 * factored (Cholesky); a pivot below 1e-9 of the largest diagonal element
 * counts as zero.
 */
static bool
strict_minimum(MleObjective objective, void *arg, int n, const double *theta)
{
	double		hessian[MLE_MAX_PARAMETERS][MLE_MAX_PARAMETERS];
	double		largest = 0.0;
	const double step = 1e-5;

	for (int i = 0; i < n; i++)
	{
		double		shifted[MLE_MAX_PARAMETERS],
					up[MLE_MAX_PARAMETERS],
					down[MLE_MAX_PARAMETERS];

		memcpy(shifted, theta, sizeof(double) * n);
		shifted[i] = theta[i] + step;
		objective(shifted, up, arg);
		shifted[i] = theta[i] - step;
		objective(shifted, down, arg);
		for (int j = 0; j < n; j++)
			hessian[j][i] = (up[j] - down[j]) / (2.0 * step);
	}
	for (int i = 0; i < n; i++)
	{
		for (int j = 0; j < i; j++)
			hessian[i][j] = hessian[j][i] = (hessian[i][j] + hessian[j][i]) / 2.0;
		largest = Max(largest, fabs(hessian[i][i]));
	}
	/* Cholesky in place: the lower triangle becomes L */
	for (int j = 0; j < n; j++)
	{
		double		pivot = hessian[j][j];

		for (int k = 0; k < j; k++)
			pivot -= hessian[j][k] * hessian[j][k];
		if (!(pivot > 1e-9 * largest))
			return false;
		hessian[j][j] = sqrt(pivot);
		for (int i = j + 1; i < n; i++)
		{
			double		v = hessian[i][j];

			for (int k = 0; k < j; k++)
				v -= hessian[i][k] * hessian[j][k];
			hessian[i][j] = v / hessian[j][j];
		}
	}
	return true;
}

static void
reset_inverse_hessian(int n, double h[MLE_MAX_PARAMETERS][MLE_MAX_PARAMETERS])
{
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++)
			h[i][j] = (i == j) ? 1.0 : 0.0;
}

void
sm_mle_minimize(MleObjective objective, void *arg, int n, const double *start, MleResult *result)
{
	double		theta[MLE_MAX_PARAMETERS] = {0},
				gradient[MLE_MAX_PARAMETERS] = {0},
				h[MLE_MAX_PARAMETERS][MLE_MAX_PARAMETERS];
	double		value;
	int			iter;
	bool		small_gradient = false;

	Assert(n <= MLE_MAX_PARAMETERS);
	for (int i = 0; i < n; i++)
		theta[i] = Max(-MLE_LOG_BOUND, Min(MLE_LOG_BOUND, start[i]));
	value = objective(theta, gradient, arg);
	reset_inverse_hessian(n, h);

	for (iter = 0; iter < MLE_MAX_ITERATIONS && isfinite(value); iter++)
	{
		double		direction[MLE_MAX_PARAMETERS],
					trial[MLE_MAX_PARAMETERS],
					trial_gradient[MLE_MAX_PARAMETERS],
					s[MLE_MAX_PARAMETERS],
					y[MLE_MAX_PARAMETERS];
		bool		held[MLE_MAX_PARAMETERS];
		double		largest = 0.0,
					slope = 0.0,
					step = 1.0,
					trial_value = 0.0,
					sy = 0.0;
		bool		accepted = false;

		CHECK_FOR_INTERRUPTS();

		/* the projected gradient: coordinates held on the box drop out */
		for (int i = 0; i < n; i++)
		{
			held[i] = on_box(theta[i], gradient[i]);
			if (!held[i])
				largest = Max(largest, fabs(gradient[i]));
		}
		small_gradient = largest <= MLE_GRADIENT_TOLERANCE;
		if (small_gradient)
			break;

		for (int i = 0; i < n; i++)
		{
			direction[i] = 0.0;
			if (held[i])
				continue;
			for (int j = 0; j < n; j++)
				if (!held[j])
					direction[i] -= h[i][j] * gradient[j];
			slope += direction[i] * gradient[i];
		}
		if (!(slope < 0.0))
		{
			/* not a descent direction: start again from steepest descent */
			reset_inverse_hessian(n, h);
			slope = 0.0;
			for (int i = 0; i < n; i++)
			{
				direction[i] = held[i] ? 0.0 : -gradient[i];
				slope += direction[i] * gradient[i];
			}
		}
		/*
		 * -slope is twice the decrease the quadratic model predicts: once it
		 * is down to the rounding error of the value, no step can be
		 * measured to improve it
		 */
		if (-slope <= MLE_RESOLUTION * (1.0 + fabs(value)))
		{
			small_gradient = true;
			break;
		}
		largest = 0.0;
		for (int i = 0; i < n; i++)
			largest = Max(largest, fabs(direction[i]));
		if (largest > MLE_MAX_STEP)
		{
			for (int i = 0; i < n; i++)
				direction[i] *= MLE_MAX_STEP / largest;
			largest = MLE_MAX_STEP;
		}

		/* backtracking (Armijo) line search along the direction, projected on the box */
		for (; step * largest >= MLE_SMALLEST_STEP; step *= 0.5)
		{
			double		decrease = 0.0;

			for (int i = 0; i < n; i++)
			{
				trial[i] = Max(-MLE_LOG_BOUND, Min(MLE_LOG_BOUND, theta[i] + step * direction[i]));
				decrease += gradient[i] * (trial[i] - theta[i]);
			}
			trial_value = objective(trial, trial_gradient, arg);
			/* a sufficient decrease, and a real one: not just lost in rounding */
			if (isfinite(trial_value) && trial_value <= value + 1e-4 * decrease && trial_value < value)
			{
				accepted = true;
				break;
			}
		}
		if (!accepted)
		{
			/* no decrease measurable: as close as float8 gets, if the model agrees */
			small_gradient = -slope <= 1e4 * MLE_RESOLUTION * (1.0 + fabs(value));
			break;
		}

		for (int i = 0; i < n; i++)
		{
			s[i] = trial[i] - theta[i];
			y[i] = trial_gradient[i] - gradient[i];
			sy += s[i] * y[i];
		}
		/* BFGS update of the inverse Hessian, when the curvature is positive */
		if (sy > 1e-300)
		{
			double		hy[MLE_MAX_PARAMETERS];
			double		yhy = 0.0;

			for (int i = 0; i < n; i++)
			{
				hy[i] = 0.0;
				for (int j = 0; j < n; j++)
					hy[i] += h[i][j] * y[j];
				yhy += y[i] * hy[i];
			}
			for (int i = 0; i < n; i++)
				for (int j = 0; j < n; j++)
					h[i][j] += (sy + yhy) * s[i] * s[j] / (sy * sy)
						- (hy[i] * s[j] + s[i] * hy[j]) / sy;
		}
		memcpy(theta, trial, sizeof(double) * n);
		memcpy(gradient, trial_gradient, sizeof(double) * n);
		value = trial_value;
	}

	memcpy(result->theta, theta, sizeof(double) * n);
	result->value = value;
	result->iterations = iter;
	result->converged = small_gradient && isfinite(value);
	for (int i = 0; i < n; i++)
		if (fabs(theta[i]) >= MLE_LOG_BOUND || !isfinite(gradient[i]))
			result->converged = false;
	if (result->converged)
		result->converged = strict_minimum(objective, arg, n, theta);
}

/*
 * The model composite of a fit: the parameters, then log_likelihood (the
 * objective is its negative mean), customers, iterations, converged.
 */
Datum
sm_mle_model(FunctionCallInfo fcinfo, const MleResult *fit, int nparams, int64 customers)
{
	Datum		values[MLE_MAX_PARAMETERS + 4];
	bool		nulls[MLE_MAX_PARAMETERS + 4] = {false};

	/* exp(+-MLE_LOG_BOUND) rounds just outside the box: keep the bounds exact */
	for (int i = 0; i < nparams; i++)
		values[i] = Float8GetDatum(Max(MLE_MIN_PARAMETER, Min(MLE_MAX_PARAMETER, exp(fit->theta[i]))));
	values[nparams] = Float8GetDatum(-fit->value * (double) customers);
	values[nparams + 1] = Int64GetDatum(customers);
	values[nparams + 2] = Int32GetDatum(fit->iterations);
	values[nparams + 3] = BoolGetDatum(fit->converged);
	return sm_form_composite(fcinfo, values, nulls);
}
