#!/usr/bin/python3
"""Reference values for the CLV models of saas_metrics, computed outside PostgreSQL.

The extension's tests compare with the values this script wrote (committed
next to it); they never need Python.  To regenerate them (Debian 12:
apt-get install python3-scipy python3-mpmath):

    /usr/bin/python3 test/outside/clv_models.py

Nothing here calls or copies the extension's C code.  It writes

  test/outside/cdnow_rfm_week.csv     the RFM summary of each of the 2,357 CDNOW
                                      customers (39-week calibration period,
                                      up to and including 1997-09-30, in weeks
                                      of 7 days), built in plain Python from
                                      the raw purchase lines of
                                      test/data/cdnow_sample.txt;
  test/outside/clv_models_values.sql  temporary tables of:
    - the maximum-likelihood BG/NBD and Gamma-Gamma fits of that summary
      (scipy.optimize, Nelder-Mead on the log parameters, then BFGS);
    - the BG/NBD log-likelihood, P(alive) and expected purchases, and the
      Gamma-Gamma log-likelihood and expected spend, at fixed parameters,
      from the closed forms of Fader, Hardie and Lee (2005) and Fader and
      Hardie (2013) evaluated in 40-digit arithmetic (mpmath), the
      hypergeometric function by mpmath.hyp2f1 without any transformation;
    - discounted CLVs, summed period by period from those closed forms;
      and over a lifetime: 1,500 periods at 5 % a period, after which the
      rest is below 1e-30 of the value (the test asks the extension for
      2^31 - 1 periods).
"""
import csv
import datetime
import os
from decimal import Decimal, getcontext

import mpmath
import numpy as np
from scipy import optimize, special

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data", "cdnow_sample.txt")
mpmath.mp.dps = 40
getcontext().prec = 50

# ---- the RFM summary, by the definitions of docs/clv_models.md ---------------


def cdnow_rfm(observation_end=datetime.date(1997, 9, 30), unit_days=7):
    days = {}  # customer -> {date: total amount}
    with open(DATA) as f:
        for line in f:
            _, customer, ymd, _, amount = line.split()
            day = datetime.datetime.strptime(ymd, "%Y%m%d").date()
            if day > observation_end:
                continue
            totals = days.setdefault(int(customer), {})
            totals[day] = totals.get(day, Decimal(0)) + Decimal(amount)
    rows = []
    for customer in sorted(days):
        totals = days[customer]
        first, last = min(totals), max(totals)
        frequency = len(totals) - 1
        repeat = [v for d, v in totals.items() if d != first]
        monetary = sum(repeat, Decimal(0)) / frequency if frequency else Decimal(0)
        rows.append((customer, frequency, (last - first).days / unit_days,
                     (observation_end - first).days / unit_days, monetary))
    return rows


# ---- BG/NBD -------------------------------------------------------------------


def bgnbd_ll_mp(r, alpha, a, b, x, tx, T):
    r, alpha, a, b, tx, T = (mpmath.mpf(v) for v in (r, alpha, a, b, tx, T))
    common = mpmath.gamma(r + x) * alpha ** r / mpmath.gamma(r) / mpmath.beta(a, b)
    value = mpmath.beta(a, b + x) * common / (alpha + T) ** (r + x)
    if x > 0:
        value += mpmath.beta(a + 1, b + x - 1) * common / (alpha + tx) ** (r + x)
    return mpmath.log(value)


def bgnbd_p_alive_mp(r, alpha, a, b, x, tx, T):
    if x == 0:
        return mpmath.mpf(1)
    r, alpha, a, b, tx, T = (mpmath.mpf(v) for v in (r, alpha, a, b, tx, T))
    return 1 / (1 + a / (b + x - 1) * ((alpha + T) / (alpha + tx)) ** (r + x))


def near_one(a):
    """At a = 1 the closed forms are 0/0; evaluate the analytic function just beside it."""
    return mpmath.mpf(1) + mpmath.mpf(10) ** -30 if a == 1 else mpmath.mpf(a)


def bgnbd_new_mp(r, alpha, a, b, t):
    with mpmath.workdps(80):
        r, alpha, b, t = (mpmath.mpf(v) for v in (r, alpha, b, t))
        a = near_one(a)
        z = t / (alpha + t)
        return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * mpmath.hyp2f1(r, b, a + b - 1, z))


def bgnbd_conditional_mp(r, alpha, a, b, x, tx, T, t):
    with mpmath.workdps(80):
        r, alpha, b, tx, T, t = (mpmath.mpf(v) for v in (r, alpha, b, tx, T, t))
        a = near_one(a)
        z = t / (alpha + T + t)
        head = (a + b + x - 1) / (a - 1) * (
            1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * mpmath.hyp2f1(r + x, b + x, a + b + x - 1, z))
        tail = 1 + (a / (b + x - 1) * ((alpha + T) / (alpha + tx)) ** (r + x) if x > 0 else 0)
        return head / tail


def bgnbd_negative_ll(log_params, x, tx, T):
    r, alpha, a, b = np.exp(log_params)
    a1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    a2 = special.betaln(a, b + x) - special.betaln(a, b)
    a3 = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore"):
        a4 = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + tx), -np.inf)
    return -np.sum(a1 + a2 + np.logaddexp(a3, a4))


def fit(negative_ll, start, args):
    best = optimize.minimize(negative_ll, start, args=args, method="Nelder-Mead",
                             options={"xatol": 1e-12, "fatol": 1e-12, "maxiter": 200000, "maxfev": 200000})
    for _ in range(3):
        best = optimize.minimize(negative_ll, best.x, args=args, method="Nelder-Mead",
                                 options={"xatol": 1e-12, "fatol": 1e-12, "maxiter": 200000, "maxfev": 200000})
    polished = optimize.minimize(negative_ll, best.x, args=args, method="BFGS", options={"gtol": 1e-9})
    if polished.fun <= best.fun:
        best = polished
    return np.exp(best.x), -best.fun


# ---- Gamma-Gamma ----------------------------------------------------------------


def gg_ll_mp(p, q, gamma, x, m):
    p, q, gamma, m = (mpmath.mpf(v) for v in (p, q, gamma, m))
    return (mpmath.loggamma(p * x + q) - mpmath.loggamma(p * x) - mpmath.loggamma(q) + q * mpmath.log(gamma)
            + (p * x - 1) * mpmath.log(m) + p * x * mpmath.log(x) - (p * x + q) * mpmath.log(gamma + m * x))


def gg_spend_mp(p, q, gamma, x, m):
    p, q, gamma, m = (mpmath.mpf(v) for v in (p, q, gamma, m))
    return (gamma + m * x) * p / (p * x + q - 1)


def gg_negative_ll(log_params, x, m):
    p, q, gamma = np.exp(log_params)
    return -np.sum(special.gammaln(p * x + q) - special.gammaln(p * x) - special.gammaln(q) + q * np.log(gamma)
                   + (p * x - 1) * np.log(m) + p * x * np.log(x) - (p * x + q) * np.log(gamma + m * x))


def clv_mp(bg, gg, x, tx, T, m, periods, discount):
    spend = gg_spend_mp(*gg, x, m)
    value, previous = mpmath.mpf(0), mpmath.mpf(0)
    for i in range(1, periods + 1):
        current = bgnbd_conditional_mp(*bg, x, tx, T, i)
        value += spend * (current - previous) / (1 + mpmath.mpf(discount)) ** i
        previous = current
    return value


# ---- output -----------------------------------------------------------------------


def num(v):
    return repr(float(v))


def clv_table(name, bg_sets, gg, customers, horizons):
    """A table of discounted CLVs: each BG/NBD model, customer and (periods, discount rate)."""
    out = ["CREATE TEMP TABLE %s(r float8, alpha float8, a float8, b float8, p float8, q float8,"
           " gamma float8, frequency integer, recency float8, t float8, monetary_value float8,"
           " periods integer, discount_rate float8, clv float8);" % name]
    vals = []
    for bg in bg_sets:
        for (cx, ctx, cT, cm) in customers:
            for periods, d in horizons:
                v = clv_mp(bg, gg, cx, ctx, cT, cm, periods, d)
                vals.append("  (%s)" % ", ".join([num(u) for u in bg + gg]
                                                 + [str(cx), num(ctx), num(cT), num(cm), str(periods), num(d),
                                                    num(v)]))
    out.append("INSERT INTO %s VALUES\n" % name + ",\n".join(vals) + ";")
    return out


def main():
    rows = cdnow_rfm()
    with open(os.path.join(HERE, "cdnow_rfm_week.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["customer", "frequency", "recency", "t", "monetary_value"])
        for c, x, tx, T, m in rows:
            w.writerow([c, x, repr(tx), repr(T), format(m.quantize(Decimal(10) ** -20), "f")])

    x = np.array([r[1] for r in rows], dtype=float)
    tx = np.array([r[2] for r in rows])
    T = np.array([r[3] for r in rows])
    (r_, alpha_, a_, b_), bg_ll = fit(bgnbd_negative_ll, np.zeros(4), (x, tx, T))

    repeat = [r for r in rows if r[1] > 0]
    gx = np.array([r[1] for r in repeat], dtype=float)
    gm = np.array([float(r[4]) for r in repeat])
    (p_, q_, g_), gg_ll = fit(gg_negative_ll, np.zeros(3), (gx, gm))

    published_bg = (0.243, 4.414, 0.793, 2.426)
    published_gg = (6.25, 3.74, 15.44)
    out = []
    out.append("-- Written by test/outside/clv_models.py; do not edit by hand.")
    out.append("CREATE TEMP TABLE outside_fit(model text, parameter text, value float8);")
    out.append("INSERT INTO outside_fit VALUES")
    fits = [("bgnbd", "r", r_), ("bgnbd", "alpha", alpha_), ("bgnbd", "a", a_), ("bgnbd", "b", b_),
            ("bgnbd", "log_likelihood", bg_ll), ("bgnbd", "customers", len(rows)),
            ("bgnbd", "log_likelihood_at_published",
             sum(bgnbd_ll_mp(*published_bg, int(r[1]), r[2], r[3]) for r in rows)),
            ("gamma_gamma", "p", p_), ("gamma_gamma", "q", q_), ("gamma_gamma", "gamma", g_),
            ("gamma_gamma", "log_likelihood", gg_ll), ("gamma_gamma", "customers", len(repeat)),
            ("gamma_gamma", "log_likelihood_at_published",
             sum(gg_ll_mp(*published_gg, int(r[1]), str(r[4])) for r in repeat))]
    out.append(",\n".join("  ('%s', '%s', %s)" % (m, p, num(v)) for m, p, v in fits) + ";")

    # BG/NBD at fixed parameters: each point (x, t_x, T) and horizon t
    bg_sets = [published_bg, (2.0, 10.0, 0.5, 5.0), (0.8, 1.5, 3.0, 0.3), (1.2, 7.0, 1.0, 2.0), (0.5, 2.0, 0.4, 0.3),
               (0.243, 4.414, 1.0 + 1e-9, 2.426)]
    points = [(0, 0.0, 38.857142857142854), (0, 0.0, 0.0), (1, 1.0, 1.0), (2, 30.428571428571427, 38.857142857142854),
              (7, 20.0, 38.0), (50, 300.0, 310.0), (200, 999.5, 1000.0), (5, 0.5, 1000.0), (1, 0.0, 5.0)]
    horizons = [0.5, 1.0, 39.0, 520.0, 5000.0]
    out.append("CREATE TEMP TABLE outside_bgnbd(r float8, alpha float8, a float8, b float8, frequency integer,"
               " recency float8, t float8, log_likelihood float8, p_alive float8, horizon float8,"
               " expected_purchases float8);")
    vals = []
    for ps in bg_sets:
        for (px, ptx, pT) in points:
            ll = bgnbd_ll_mp(*ps, px, ptx, pT)
            pa = bgnbd_p_alive_mp(*ps, px, ptx, pT)
            for h in horizons:
                e = bgnbd_conditional_mp(*ps, px, ptx, pT, h)
                vals.append("  (%s)" % ", ".join([num(v) for v in ps] + [str(px), num(ptx), num(pT), num(ll), num(pa),
                                                                         num(h), num(e)]))
    out.append("INSERT INTO outside_bgnbd VALUES\n" + ",\n".join(vals) + ";")

    out.append("CREATE TEMP TABLE outside_bgnbd_new(r float8, alpha float8, a float8, b float8, t float8,"
               " expected_purchases float8);")
    vals = []
    for ps in bg_sets + [(0.243, 4.414, 1.0, 2.426), (3.0, 2.0, 1.0, 1.0)]:
        for t in [0.25, 1.0, 39.0, 78.0, 520.0, 10000.0]:
            vals.append("  (%s)" % ", ".join([num(v) for v in ps] + [num(t), num(bgnbd_new_mp(*ps, t))]))
    out.append("INSERT INTO outside_bgnbd_new VALUES\n" + ",\n".join(vals) + ";")

    gg_sets = [published_gg, (2.0, 1.5, 3.0), (0.5, 8.0, 100.0)]
    gg_points = [(1, 10.0), (2, 35.5), (6, 17.123), (40, 250.0), (1, 0.01)]
    out.append("CREATE TEMP TABLE outside_gamma_gamma(p float8, q float8, gamma float8, frequency integer,"
               " monetary_value float8, log_likelihood float8, expected_spend float8);")
    vals = []
    for ps in gg_sets:
        for gx_, gm_ in gg_points:
            vals.append("  (%s)" % ", ".join([num(v) for v in ps] + [str(gx_), num(gm_), num(gg_ll_mp(*ps, gx_, gm_)),
                                                                     num(gg_spend_mp(*ps, gx_, gm_))]))
        vals.append("  (%s)" % ", ".join([num(v) for v in ps] + ["0", "0", "NULL", num(gg_spend_mp(*ps, 0, 0))]))
    out.append("INSERT INTO outside_gamma_gamma VALUES\n" + ",\n".join(vals) + ";")

    observed = [(2, 30.428571428571427, 38.857142857142854, 25.5), (7, 20.0, 38.0, 40.0)]
    out += clv_table("outside_clv", [published_bg, (2.0, 10.0, 0.5, 5.0)], published_gg,
                     [(0, 0.0, 38.857142857142854, 0.0)] + observed,
                     [(52, 0.0), (52, 0.002), (1, 0.01), (260, 0.001)])
    # a lifetime: the test asks for 2^31 - 1 periods; after these 1,500 the
    # rest is below 1e-30 of the value
    out += clv_table("outside_clv_lifetime", [published_bg, (2.0, 10.0, 0.5, 5.0)], published_gg,
                     [(0, 0.0, 0.0, 0.0)] + observed, [(1500, 0.05)])

    with open(os.path.join(HERE, "clv_models_values.sql"), "w") as f:
        f.write("\n".join(out) + "\n")
    print("BG/NBD r=%.6f alpha=%.6f a=%.6f b=%.6f LL=%.6f" % (r_, alpha_, a_, b_, bg_ll))
    print("Gamma-Gamma p=%.6f q=%.6f gamma=%.6f LL=%.6f (%d customers)" % (p_, q_, g_, gg_ll, len(repeat)))


if __name__ == "__main__":
    main()
