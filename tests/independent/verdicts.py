#!/usr/bin/env python3
"""Every figure of a results.csv recomputed from its counts, written from the
methods chapter (docs/methods.md, "Formulas" and "Assessment"), not from the
program: the relative likelihood, its Katz 95% interval, significance, and
the assessment by the one verdict rule (within range only where the whole
interval lies inside the band), with the band's edges decided in exact
fractions. `covering` and `published_figure` are the same rule for a
figure published from rounded counts (recompute.py uses them).

    verdicts.py RESULTS_CSV [BAND_LOWER BAND_UPPER]

Prints how many figures were checked and every disagreement; exits 1 on
any.
"""

import csv
import math
import sys
from fractions import Fraction

Z = 1.959964
POLARITY = {"1": "descriptive", "2": "better", "3": "worse", "4": "worse",
            "5": "better", "6": "worse", "7a": "worse", "7b": "worse",
            "8": "worse", "9": "better"}


def katz_interval(a, n1, c, n2):
    """(rl, lo, hi) of exact counts, or None when not calculable."""
    if min(n1, c, n2) == 0 or a > n1 or c > n2:
        return None
    if a == 0:
        # No minoritised events: a relative likelihood of 0, its upper limit
        # with 0.5 added to each count.
        a5, m5, c5, w5 = 0.5, n1 + 0.5, c + 0.5, n2 + 0.5
        se = math.sqrt(1 / a5 - 1 / m5 + 1 / c5 - 1 / w5)
        return 0.0, 0.0, math.exp(math.log((a5 / m5) / (c5 / w5)) + Z * se)
    rl = (a / n1) / (c / n2)
    se = math.sqrt(max(0.0, 1 / a - 1 / n1 + 1 / c - 1 / n2))
    return rl, math.exp(math.log(rl) - Z * se), math.exp(math.log(rl) + Z * se)


def covering(a, n1, c, n2):
    """The interval covering the Katz interval of every set of counts in the
    spans (each a (lo, hi) pair), as the methods chapter states it ("A
    published verdict is never wrong"): exp(ln RLmin - z S) to
    exp(ln RLmax + z S), S the largest standard error; with 0 possible for
    the minoritised events, lower 0 and the larger of that upper bound and
    Haldane-Anscombe's. None when the spans mix calculable and
    not calculable counts; "nc" when none is calculable."""
    if n1[1] == 0 or n2[1] == 0 or c[1] == 0 or a[0] > n1[1] or c[0] > n2[1]:
        return "nc"
    if n1[0] == 0 or n2[0] == 0 or c[0] == 0:
        return None

    def katz_bound(alo, ahi):
        rmin = (alo / n1[1]) / (c[1] / n2[0])
        rmax = (ahi / n1[0]) / (c[0] / n2[1])
        s = math.sqrt(max(0.0, 1 / alo - 1 / n1[1] + 1 / c[0] - 1 / n2[1]))
        return math.exp(math.log(rmin) - Z * s), math.exp(math.log(rmax) + Z * s)

    if a[0] > 0:
        return katz_bound(a[0], a[1])
    h = 0.5
    rl = (h / (n1[0] + h)) / ((c[0] + h) / (n2[1] + h))
    s = math.sqrt(1 / h - 1 / (n1[1] + h) + 1 / (c[0] + h) - 1 / (n2[1] + h))
    hi = math.exp(math.log(rl) + Z * s)
    if a[1] > 0:
        hi = max(hi, katz_bound(1, a[1])[1])
    return 0.0, hi


def verdict_of(spans, lo, hi, polarity, lower, upper):
    """The one rule on counts known as spans and the interval covering them:
    within range where the whole interval is inside the band; adverse or
    favourable where the RL of every set of counts is outside the band
    (exact fractions) and the interval excludes 1; else inconclusive."""
    if polarity == "descriptive":
        return ""
    if lo >= lower and hi <= upper:
        return "within_range"
    (alo, ahi), (n1lo, n1hi), (clo, chi), (n2lo, n2hi) = spans
    smallest = Fraction(alo * n2lo, chi * n1hi)
    largest = Fraction(ahi * n2hi, clo * n1lo)
    significant = lo > 1 or hi < 1
    if not significant:
        return "inconclusive"
    if smallest > upper:
        return "adverse" if polarity == "worse" else "favourable"
    if largest < lower:
        return "adverse" if polarity == "better" else "favourable"
    return "inconclusive"


def expected(a, n1, c, n2, polarity, lower, upper):
    """(rl, lo, hi, significant, assessment) of exact counts, or None when
    not calculable."""
    k = katz_interval(a, n1, c, n2)
    if k is None:
        return None
    rl, lo, hi = k
    significant = lo > 1 or hi < 1
    spans = ((a, a), (n1, n1), (c, c), (n2, n2))
    return rl, lo, hi, significant, verdict_of(spans, Fraction(lo), Fraction(hi), polarity, lower, upper)


def floor2(x):
    return math.floor(x * 100 + 1e-9) / 100


def ceil2(x):
    return math.ceil(x * 100 - 1e-9) / 100 if math.isfinite(x) else x


def published_figure(spans, centre, polarity, lower, upper):
    """A figure as a public reader sees it (docs/disclosure.md): the RL of
    the rounded counts `centre`, the covering interval of the spans rounded
    outwards to 2 decimals, and the verdict that interval and the spans
    support. (rl, lo, hi, significant, assessment), or None when the
    rounded counts give no figure."""
    k = katz_interval(*centre)
    if k is None:
        return None
    cov = covering(*spans)
    if cov is None or cov == "nc":
        return k[0], floor2(k[1]), ceil2(k[2]), False, ("" if polarity == "descriptive" else "inconclusive")
    lo, hi = floor2(cov[0]), ceil2(cov[1])
    significant = lo > 1 or hi < 1
    return k[0], lo, hi, significant, verdict_of(spans, Fraction(lo), Fraction(hi), polarity, lower, upper)


def main():
    path = sys.argv[1]
    lower = Fraction(sys.argv[2]) if len(sys.argv) > 2 else Fraction("0.80")
    upper = Fraction(sys.argv[3]) if len(sys.argv) > 3 else Fraction("1.25")
    checked, problems, seen = 0, [], set()
    with open(path, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if r["white_events"] == "":
                continue
            a, n1 = int(r["minoritised_events"]), int(r["minoritised_population"])
            c, n2 = int(r["white_events"]), int(r["white_population"])
            want = expected(a, n1, c, n2, POLARITY[r["indicator"]], lower, upper)
            where = ",".join(r[k] for k in ("year", "scope", "area_code", "service", "indicator", "band"))
            checked += 1
            if want is None:
                if r["relative_likelihood"] != "" or (POLARITY[r["indicator"]] != "descriptive"
                                                      and r["assessment"] != "not_calculable"):
                    problems.append(f"{where}: not calculable, but the file has {r['relative_likelihood']!r} {r['assessment']!r}")
                continue
            rl, lo, hi, significant, verdict = want
            for name, value in (("relative_likelihood", rl), ("ci_lower", lo), ("ci_upper", hi)):
                if abs(float(r[name]) - value) > 1e-6 * value + 1e-12:
                    problems.append(f"{where}: {name} {r[name]}, expected {value:.10g}")
            if r["significant"] != str(significant).lower():
                problems.append(f"{where}: significant {r['significant']}, expected {significant}")
            if r["assessment"] != verdict:
                problems.append(f"{where}: assessment {r['assessment']}, expected {verdict}")
            seen.add(verdict)
    print(f"{checked} figures checked; verdicts seen: {', '.join(sorted(v for v in seen if v))}")
    for p in problems[:50]:
        print("DISAGREE", p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
