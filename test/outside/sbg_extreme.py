#!/usr/bin/env python3
"""sBG projections at extreme but valid parameters, computed independently
with mpmath (Debian python3-mpmath) at 700 significant digits from the
definitions (Fader and Hardie 2007, 2010):
  r(t) = (beta + t - 1) / (alpha + beta + t - 1)
  S(t) = B(alpha, beta + t) / B(alpha, beta)
  P(t) = B(alpha + 1, beta + t - 1) / B(alpha, beta)
  DERL = sum_{k>=0} S(n + k) / S(n - 1) / (1 + d)^k   (n = payments made)
Writes sbg_extreme.tsv (function, alpha, beta, t or n, discount, value),
read by test/t/sbg_hostile.sql.  Run: python3 sbg_extreme.py > sbg_extreme.tsv
"""
from mpmath import mp, mpf, beta as B, loggamma, exp, log

mp.dps = 700  # 1e308 + t and 1e-300 + t need over 600 digits to be exact


def log_s(a, b, t):
    # ln S(t) = ln Gamma(b + t) - ln Gamma(b) - ln Gamma(a + b + t) + ln Gamma(a + b)
    return loggamma(b + t) - loggamma(b) - loggamma(a + b + t) + loggamma(a + b)


def survival(a, b, t):
    return exp(log_s(a, b, t))


def retention(a, b, t):
    return (b + t - 1) / (a + b + t - 1)


def churn(a, b, t):
    return exp(log_s(a, b, t - 1)) * a / (a + b + t - 1)


def derl(a, b, d, n):
    # sum of r(n) r(n+1) ... r(n+k) / (1+d)^k over k >= 0, term by term
    total, term, k = mpf(0), mpf(1), 0
    while True:
        term *= retention(a, b, n + k) if k == 0 else retention(a, b, n + k) / (1 + d)
        total += term
        if term < total * mpf(10) ** -40 or k > 200000:
            return total
        k += 1


cases = []
for a, b in [("1e-17", "1e-17"), ("1e308", "1e308"), ("1e-300", "1"), ("1", "1e-300"),
             ("0.7", "1.2"), ("5", "50"), ("0.001", "1000"), ("100000", "0.00001"),
             ("1", "1"), ("2", "2"), ("1e15", "3")]:
    for t in [1, 2, 63, 64, 65, 1000, 123456, 2147483647]:
        A, Bt = mpf(a), mpf(b)
        cases.append(("sbg_survival", a, b, t, "", survival(A, Bt, t)))
        cases.append(("sbg_churn_probability", a, b, t, "", churn(A, Bt, t)))
        cases.append(("sbg_retention_rate", a, b, t, "", retention(A, Bt, t)))
for a, b, d, n in [("1e308", "1e308", "0.1", 1), ("1e-17", "1e-17", "0.5", 1),
                   ("0.7", "1.2", "0.1", 1), ("0.7", "1.2", "0.1", 100000), ("5", "50", "0.01", 3)]:
    cases.append(("sbg_derl", a, b, n, d, derl(mpf(a), mpf(b), mpf(d), n)))

# below 1e-306 a float8 result is 0 or subnormal: written as 0, and the test
# allows an absolute error of 1e-306
for f, a, b, t, d, v in cases:
    value = mp.nstr(v, 20, min_fixed=0, max_fixed=0) if v >= mpf("1e-306") else "0"
    print(f"{f}\t{a}\t{b}\t{t}\t{d or '0'}\t{value}")
