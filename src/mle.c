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
 * converged is true only when the projected gradient is below
 * MLE_GRADIENT_TOLERANCE, no parameter is on the box, and the value is
 * finite, within MLE_MAX_ITERATIONS iterations.
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"

#include "clv_models.h"

/* on the negative mean log-likelihood, i.e. per customer */
#define MLE_GRADIENT_TOLERANCE 1e-8
/* the largest change of a log parameter in one step */
#define MLE_MAX_STEP 2.0
#define MLE_LINE_SEARCH_HALVINGS 60

static bool
on_box(double theta, double gradient)
{
	return (theta <= -MLE_LOG_BOUND && gradient > 0.0) ||
		(theta >= MLE_LOG_BOUND && gradient < 0.0);
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
		largest = 0.0;
		for (int i = 0; i < n; i++)
			largest = Max(largest, fabs(direction[i]));
		if (largest > MLE_MAX_STEP)
			for (int i = 0; i < n; i++)
				direction[i] *= MLE_MAX_STEP / largest;

		/* backtracking (Armijo) line search along the direction, projected on the box */
		for (int halving = 0; halving < MLE_LINE_SEARCH_HALVINGS; halving++, step *= 0.5)
		{
			double		decrease = 0.0;

			for (int i = 0; i < n; i++)
			{
				trial[i] = Max(-MLE_LOG_BOUND, Min(MLE_LOG_BOUND, theta[i] + step * direction[i]));
				decrease += gradient[i] * (trial[i] - theta[i]);
			}
			trial_value = objective(trial, trial_gradient, arg);
			if (isfinite(trial_value) && trial_value <= value + 1e-4 * decrease)
			{
				accepted = true;
				break;
			}
		}
		if (!accepted)
			break;				/* no decrease possible: as close as float8 gets */

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
}
