#!/usr/bin/env python3
"""Every figure of a results.csv recomputed from its counts, written from the
methods chapter (docs/methods.md, "Formulas" and "Assessment"), not from the
program: the relative likelihood, its Katz 95% interval, significance, and
the assessment by the one verdict rule, with the band's edges decided in
exact fractions.

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


def expected(a, n1, c, n2, polarity, lower, upper):
    """(rl, lo, hi, significant, assessment) or None when not calculable."""
    if min(n1, c, n2) == 0 or a > n1 or c > n2:
        return None
    if a == 0:
        # No minoritised events: a relative likelihood of 0, its upper limit
        # with 0.5 added to each count.
        rl, lo = 0.0, 0.0
        a5, m5, c5, w5 = 0.5, n1 + 0.5, c + 0.5, n2 + 0.5
        se = math.sqrt(1 / a5 - 1 / m5 + 1 / c5 - 1 / w5)
        hi = math.exp(math.log((a5 / m5) / (c5 / w5)) + Z * se)
    else:
        rl = (a / n1) / (c / n2)
        se = math.sqrt(max(0.0, 1 / a - 1 / n1 + 1 / c - 1 / n2))
        lo, hi = math.exp(math.log(rl) - Z * se), math.exp(math.log(rl) + Z * se)
    significant = lo > 1 or hi < 1
    if polarity == "descriptive":
        return rl, lo, hi, significant, ""
    exact = Fraction(a * n2, c * n1)
    if lower <= exact <= upper:
        verdict = "within_range"
    elif not significant:
        verdict = "inconclusive"
    elif (exact > upper) == (polarity == "worse"):
        verdict = "adverse"
    else:
        verdict = "favourable"
    return rl, lo, hi, significant, verdict


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
