#!/usr/bin/env python3
"""The funnel overdispersion of docs/methods.md ("Funnel plots"), computed
with Python's standard library from the guide's formulas, for the twelve
councils of the unit test `overdispersion_matches_an_independent_computation`
(src/stats/tests.rs), whose reference values it prints.

    overdispersion.py

Each council is (effective size n, RL). National RL theta 1.2, minoritised
share s 0.3, national rates p_m 0.12, p_w 0.10.
"""

import math

THETA, S, PM, PW = 1.2, 0.3, 0.12, 0.10
Z95, Z998 = 1.959964, 3.090232
POINTS = [(1200.0, 0.8), (3400.0, 1.9), (5600.0, 1.1), (900.0, 2.6), (15000.0, 1.35),
          (8000.0, 0.95), (2300.0, 1.6), (4100.0, 0.7), (26000.0, 1.25), (1500.0, 3.1),
          (9800.0, 1.05), (6700.0, 1.5)]


def se(n):
    """SE of ln RL at size n with the national mix."""
    return math.sqrt((1 - PM) / (n * S * PM) + (1 - PW) / (n * (1 - S) * PW))


def quantile7(xs, q):
    xs = sorted(xs)
    h = (len(xs) - 1) * q
    lo = math.floor(h)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (h - lo) * (xs[hi] - xs[lo])


def main():
    z = [(math.log(rl) - math.log(THETA)) / se(n) for n, rl in POINTS]
    lo, hi = quantile7(z, 0.1), quantile7(z, 0.9)
    zw = [min(max(x, lo), hi) for x in z]
    k = len(zw)
    phi = sum(x * x for x in zw) / k
    w = [1 / se(n) ** 2 for n, _ in POINTS]
    if phi > 1 and k * phi > k - 1:
        tau2 = (k * phi - (k - 1)) / (sum(w) - sum(x * x for x in w) / sum(w))
    else:
        tau2 = 0.0
    limit = lambda n, zz, sign: math.exp(math.log(THETA) + sign * zz * math.sqrt(se(n) ** 2 + tau2))  # noqa: E731
    print(f"k {k}")
    print(f"phi {phi!r}")
    print(f"tau2 {tau2!r}")
    print(f"lower95_at_5000 {limit(5000.0, Z95, -1)!r}")
    print(f"upper998_at_5000 {limit(5000.0, Z998, 1)!r}")


if __name__ == "__main__":
    main()
