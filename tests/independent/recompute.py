#!/usr/bin/env python3
"""Every figure of a release recomputed from the returns, written from the
guide's words (docs/specification.md, docs/methods.md "Formulas" and
"Aggregation", docs/decisions.md, docs/disclosure.md "The rules"), not from
the program, and compared with every file that prints it.

    recompute.py DATA RELEASE

DATA is the run's data folder (returns/<year>/, report.yaml, optional
authorities.csv); RELEASE the year folder the run wrote (<out>/<year>).
Which return files were accepted is taken from internal/validation.json
(validation has its own tests); every figure is computed here from their
counts.

Checked:
1. internal/results.csv, every row of the report year (national, regional,
   council; every service, indicator and band): the six counts exactly; the
   rates, relative likelihood, interval and share to a relative 1e-9; the
   assessment and significance; no row missing or extra.
2. public/benchmarks.csv, national and regional rows, the national
   tables (table 1, national; table 2, regions), and every public local
   report's web page (each indicator's table: the council's counts, RL,
   interval and verdict by service, its region's and England's RL): every
   value as the
   disclosure rules say a reader sees it. National counts exact; regional
   counts 0, [c] (1 to min_count - 1) or rounded to the nearest
   rounding_base; every statistic below national level computed from the
   rounded counts; rates and shares to 3 decimal places, relative
   likelihoods and limits to 2; a figure resting on a withheld count [c];
   regions only with at least min_region_councils contributing councils.
   A value the program withholds beyond these rules (secondary
   suppression) must be logged as `secondary` in internal/suppressions.csv.
3. The spread across councils on benchmarks.csv's national rows and in table 3: the
   councils with a published figure, the tally of published assessments,
   withheld, not calculable and not provided, and the median and quartiles
   (type 7) of the published relative likelihoods, none for fewer than
   min_count councils.
5. Every published verdict and interval (benchmarks.csv, the national
   tables, every local report) against the exact figure: the verdict the
   exact counts give or inconclusive, never another; the printed interval
   contains the exact one.
6. The within-council figure of tables 1 and 2 (docs/methods.md "Within
   councils"): the Mantel-Haenszel relative likelihood over the council
   services (strata) that provided both measures, from the exact counts,
   to 2 decimal places; the Greenland-Robins interval rounded outwards;
   the verdict by the rule on the printed interval and the exact estimate;
   none where the figure beside it is withheld.
4. Table 5: England's figures of the year before and this year, for all
   participants and like for like (councils with a return used in both);
   table 4: returns used, received and rejected, services covered, staff
   covered, the share of unknown ethnicity, the staff survey's response.

Prints what was checked and every disagreement; exits 1 on any.
"""

import csv
import json
import math
import os
import re
import sys
from fractions import Fraction

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from verdicts import POLARITY, ceil2, covering, expected, floor2, published_figure, verdict_of  # noqa: E402  (the one verdict rule)

Z = 1.959964
DEFAULT_BANDS = ["under_30k", "30k_to_69k", "70k_plus"]
BAND_LABELS = {"under_30k": "Less than £30,000", "30k_to_69k": "£30,000 to £69,999",
               "70k_plus": "£70,000 and over"}
# docs/specification.md, "The nine indicators": events and population.
INDICATORS = [
    ("1", "headcount", "headcount"), ("2", "appointed", "shortlisted"),
    ("3", "disciplinary", "headcount"), ("4", "fitness_to_practise", "regulated_professionals"),
    ("5", "cpd", "headcount"), ("6", "harassment_public", "survey_respondents"),
    ("7a", "harassment_colleagues", "survey_respondents"),
    ("7b", "harassment_managers", "survey_respondents"),
    ("8", "leavers", "headcount"), ("9", "senior_managers", "headcount"),
]
GROUPS = ("white", "minoritised", "unknown")


def config(data):
    path = os.path.join(data, "report.yaml")
    c = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8-sig") as f:
            c = yaml.safe_load(f) or {}
    d = c.get("disclosure") or {}
    return {
        "min_count": int(d.get("min_count", 8)),
        "base": int(d.get("rounding_base", 5)),
        "min_region": int(c.get("min_region_councils", 3)),
        "min_spread": int(c.get("min_spread_councils", 10)),
        "lower": Fraction(str(c.get("band_lower", "0.80"))),
        "upper": Fraction(str(c.get("band_upper", "1.25"))),
        "bands": {int(y): [b["id"] for b in bs] for y, bs in (c.get("pay_bands") or {}).items()},
        "labels": {b["id"]: b["label"] for bs in (c.get("pay_bands") or {}).values() for b in bs},
    }


def register(data):
    path = os.path.join(data, "authorities.csv")
    if not os.path.exists(path):
        path = os.path.join(os.path.dirname(__file__), "..", "..", "data", "authorities.csv")
    with open(path, encoding="utf-8-sig", newline="") as f:
        return {r["code"].strip(): r for r in csv.DictReader(f)}


def read_return(path, bands):
    """{service: {(measure, band): (w, m, u) or None}} of one CSV return."""
    rows = {}
    with open(path, encoding="utf-8-sig", newline="") as f:
        for r in csv.DictReader(f):
            cells = [r[g].strip() for g in GROUPS]
            # A row wholly blank is not provided; one partly blank rejects
            # the return (decisions.md), so none is read here.
            counts = tuple(int(x) for x in cells) if all(cells) else None
            rows.setdefault(r["service"].strip(), {})[(r["measure"].strip(), r["band"].strip())] = counts
            code = r["authority_code"].strip()
    out = {}
    for service, m in rows.items():
        heads = [m.get(("headcount", b)) for b in bands]
        # Headcount is provided only when every band is (decisions.md).
        total = None if any(h is None for h in heads) else tuple(sum(x) for x in zip(*heads))
        get = {("headcount", ""): total}
        for b, h in zip(bands, heads):
            get[("headcount", b)] = h
        for (measure, band), v in m.items():
            if measure != "headcount":
                get[(measure, "")] = v
        out[service] = get
    return code, out


def figure_of(units, events, band):
    """Pooled counts over the units that provided both (methods.md):
    (white, minoritised, unknown) as (events, population), units left out,
    councils contributing; None when no unit provided both."""
    ev, pop = [0, 0, 0], [0, 0, 0]
    used, left, councils = 0, 0, set()
    for code, service, get in units:
        e, p = get.get((events[0], band)), get.get((events[1], ""))
        if e is None or p is None:
            left += 1
            continue
        used += 1
        councils.add(code)
        for i in range(3):
            ev[i] += e[i]
            pop[i] += p[i]
    if used == 0:
        return None, left, 0
    return (ev, pop), left, len(councils)


def within_of(units, events, band):
    """Mantel-Haenszel over the units (strata) that provided both measures,
    written from the formulas: with a, n1 the minoritised events and staff,
    c, n2 the white, n = n1 + n2: R = sum a*n2/n, S = sum c*n1/n,
    RL = R/S, var(ln RL) = sum (n1*n2*(a+c) - a*c*n)/n^2 / (R*S)
    (Greenland and Robins 1985). None where R or S is 0."""
    R = S = V = 0.0
    for code, service, get in units:
        e, p = get.get((events[0], band)), get.get((events[1], ""))
        if e is None or p is None:
            continue
        c, a = e[0], e[1]
        n2, n1 = p[0], p[1]
        n = n1 + n2
        if n == 0:
            continue
        R += a * n2 / n
        S += c * n1 / n
        V += (n1 * n2 * (a + c) - a * c * n) / n ** 2
    if R <= 0 or S <= 0:
        return None
    rl = R / S
    se = math.sqrt(max(V / (R * S), 0.0))
    return rl, math.exp(math.log(rl) - Z * se), math.exp(math.log(rl) + Z * se)


def stats(ev, pop, indicator, cfg):
    """The figure's statistics: rates, RL and interval, share, assessment."""
    (we, me, _), (wp, mp, _) = ev, pop
    out = {"white_rate": we / wp if wp else None, "minoritised_rate": me / mp if mp else None}
    e = expected(me, mp, we, wp, POLARITY[indicator], cfg["lower"], cfg["upper"])
    if e is None:
        out.update(relative_likelihood=None, ci_lower=None, ci_upper=None,
                   significant="", assessment="" if indicator == "1" else "not_calculable")
    else:
        rl, lo, hi, sig, verdict = e
        out.update(relative_likelihood=rl, ci_lower=lo, ci_upper=hi,
                   significant="true" if sig else "false", assessment=verdict)
    share = None
    if indicator in ("1", "9") and we + me > 0:
        share = me / (we + me)
    out["minoritised_share"] = share
    return out


def compute(data, year, accepted, cfg, reg):
    """Every figure: {(scope, area, service, indicator, band): row}."""
    bands = cfg["bands"].get(year, DEFAULT_BANDS)
    units = []  # (code, service, get)
    for path in accepted:
        code, services = read_return(os.path.join(data, path), bands)
        for service, get in services.items():
            units.append((code, service, get))
    figures = {}

    def add(scope, area, service, us):
        for ind, events, population in INDICATORS:
            for band in (bands if ind == "1" else [""]):
                f, left, councils = figure_of(us, (events, population), band)
                key = (scope, area, service, ind, band)
                row = {"left": left, "councils": councils}
                if f is None:
                    row.update(counts=None, assessment="" if ind == "1" else "not_provided")
                else:
                    row.update(counts=f, **stats(f[0], f[1], ind, cfg))
                    if scope != "authority" and ind != "1":
                        row["within"] = within_of(us, (events, population), band)
                figures[key] = row

    for service in ("adults", "children", "all"):
        pick = [u for u in units if service == "all" or u[1] == service]
        if pick:
            add("national", "", service, pick)
        for region in sorted({reg[u[0]]["region_code"] for u in pick}):
            add("region", region, service, [u for u in pick if reg[u[0]]["region_code"] == region])
        for code in sorted({u[0] for u in pick}):
            add("authority", code, service, [u for u in pick if u[0] == code])
    return figures, bands


def num(s):
    return None if s in ("", None) else float(s)


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def check_results(release, year, figures, problems):
    checked = 0
    seen = set()
    with open(os.path.join(release, "internal", "results.csv"), encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if r["year"] != str(year) or r["scope"] not in ("national", "region", "authority"):
                continue
            key = (r["scope"], r["area_code"], r["service"], r["indicator"], r["band"])
            seen.add(key)
            want = figures.get(key)
            where = "results.csv " + "/".join(key)
            if want is None:
                problems.append(f"{where}: a row the returns do not give")
                continue
            checked += 1
            counts = [r[f"{g}_{k}"] for k in ("events", "population") for g in GROUPS]
            if want["counts"] is None:
                if any(counts):
                    problems.append(f"{where}: counts {counts} where no unit provided both measures")
            else:
                ev, pop = want["counts"]
                exp = [str(x) for x in ev + pop]
                if counts != exp:
                    problems.append(f"{where}: counts {counts}, expected {exp}")
                for col in ("white_rate", "minoritised_rate", "relative_likelihood", "ci_lower",
                            "ci_upper", "minoritised_share"):
                    if not close(num(r[col]), want.get(col)):
                        problems.append(f"{where}: {col} {r[col]}, expected {want.get(col)}")
                if r["significant"] != want["significant"]:
                    problems.append(f"{where}: significant {r['significant']}, expected {want['significant']}")
            if r["assessment"] != want["assessment"]:
                problems.append(f"{where}: assessment {r['assessment']}, expected {want['assessment']}")
    missing = [k for k in figures if k not in seen and figures[k]["counts"] is not None]
    for k in missing[:20]:
        problems.append(f"results.csv: no row for {'/'.join(k)}")
    return checked


def rounded(n, cfg):
    b = cfg["base"]
    return (n + b // 2) // b * b


def shown_count(n, cfg):
    """Every published count, England's included: 0, [c] or rounded."""
    if n == 0:
        return str(n)
    if n < cfg["min_count"]:
        return "[c]"
    return str(rounded(n, cfg))


def span(n, cfg):
    """What a reader knows of the count n: 0; 1 to min_count - 1 for a [c];
    else every count of at least min_count that rounds to its rounded value."""
    if n == 0:
        return (0, 0)
    if n < cfg["min_count"]:
        return (1, cfg["min_count"] - 1)
    r, b = rounded(n, cfg), cfg["base"]
    return (max(r - b // 2, cfg["min_count"], 1), r - b // 2 + b - 1)


def published(want, indicator, cfg):
    """What a public file shows of a figure (docs/disclosure.md), at every
    level, England's included."""
    exact = False
    if want["counts"] is None:
        return None
    ev, pop = want["counts"]
    cells = {}
    for i, g in enumerate(GROUPS):
        cells[f"{g}_events"] = shown_count(ev[i], cfg)
        cells[f"{g}_population"] = shown_count(pop[i], cfg)
    if exact:
        s = want
    else:
        # Shown only when none of the counts it rests on is withheld: both
        # groups' events 0 or at least min_count, both populations at
        # least min_count; then computed from the rounded counts.
        ok = all(cells[f"{g}_{k}"] != "[c]" for g in ("white", "minoritised")
                 for k in ("events", "population"))
        # Where the counts shown already make the ratio impossible (white
        # events, or either population, shown as 0), it is not calculable,
        # whatever else is withheld: that says nothing the 0 does not.
        zero = "0" in (cells["white_events"], cells["white_population"],
                       cells["minoritised_population"])
        if not ok and zero and indicator != "1":
            for col in ("relative_likelihood", "ci_lower", "ci_upper"):
                cells[col] = ""
            for col in ("white_rate", "minoritised_rate", "minoritised_share"):
                cells[col] = "[c]"
            if indicator not in ("1", "9"):
                cells["minoritised_share"] = ""
            cells["assessment"] = "not_calculable"
            cells["_raw"] = {}
            return cells
        if not ok:
            for col in ("white_rate", "minoritised_rate", "relative_likelihood", "ci_lower",
                        "ci_upper", "minoritised_share"):
                cells[col] = "[c]"
            # Indicators 1 and 9 alone have a share.
            if indicator not in ("1", "9"):
                cells["minoritised_share"] = ""
            cells["assessment"] = "" if indicator == "1" else "suppressed"
            cells["_raw"] = {}
            return cells
        # The unknown group takes no part in a statistic.
        (we, me, _), (wp, mp, _) = ev, pop
        rw, rm = [rounded(x, cfg) for x in (we, me)], [rounded(x, cfg) for x in (wp, mp)]
        s = {"white_rate": rw[0] / rm[0] if rm[0] else None,
             "minoritised_rate": rw[1] / rm[1] if rm[1] else None,
             "minoritised_share": rw[1] / (rw[0] + rw[1]) if indicator in ("1", "9") and rw[0] + rw[1] else None}
        p = published_figure((span(me, cfg), span(mp, cfg), span(we, cfg), span(wp, cfg)),
                             (rw[1], rm[1], rw[0], rm[0]), POLARITY[indicator], cfg["lower"], cfg["upper"])
        if p is None:
            s.update(relative_likelihood=None, ci_lower=None, ci_upper=None,
                     assessment="" if indicator == "1" else "not_calculable")
        else:
            s.update(relative_likelihood=p[0], ci_lower=p[1], ci_upper=p[2], assessment=p[4])
    fmt = lambda x, dp: "" if x is None else f"{x:.{dp}f}"  # noqa: E731
    cells["white_rate"] = fmt(s["white_rate"], 3)
    cells["minoritised_rate"] = fmt(s["minoritised_rate"], 3)
    cells["relative_likelihood"] = fmt(s["relative_likelihood"], 2)
    cells["ci_lower"] = fmt(s["ci_lower"], 2)
    cells["ci_upper"] = fmt(s["ci_upper"], 2)
    cells["minoritised_share"] = fmt(s["minoritised_share"], 3)
    cells["assessment"] = s["assessment"]
    cells["_raw"] = {k: s.get(k) for k in ("white_rate", "minoritised_rate", "relative_likelihood",
                                          "ci_lower", "ci_upper", "minoritised_share")}
    return cells


def secondary(release):
    """(area, service, indicator, band) of every figure the program logged
    as withheld by secondary suppression (a partner withheld so that sums
    give nothing back): the one place it may show [c] where the primary
    rules would show a value."""
    out = set()
    with open(os.path.join(release, "internal", "suppressions.csv"), encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if r["what"] == "secondary":
                out.add((r["area_code"], r["service"], r["indicator"], r["band"]))
    return out


def compare(where, got, want, logged, problems, raw=None):
    """Cell by cell; a [c] the rules do not ask for must have been logged."""
    raw = raw or {}
    n = 0
    for col, w in want.items():
        g = got.get(col)
        if g is None:
            continue
        n += 1
        if g == w:
            continue
        if g == "[c]" and logged:
            continue
        if col == "assessment" and g == "suppressed" and logged:
            continue
        # A value within a hair of the half between two printed values
        # may be printed either way (binary floating point).
        x = raw.get(col)
        if x is not None and g not in ("", "[c]") and "." in w:
            dp = len(w.split(".")[1])
            frac = abs(x) * 10 ** dp % 1
            if abs(frac - 0.5) < 1e-6 and abs(float(g) - float(w)) < 1.01 * 10 ** -dp:
                continue
        problems.append(f"{where}: {col} {g!r}, expected {w!r}")
    return n


NEVER_WRONG = {"checked": 0}


def never_wrong(where, verdict, lo, hi, exact, problems):
    """A published verdict is the exact counts' verdict, or inconclusive
    (or withheld), never another; the printed interval contains the exact
    one (docs/methods.md, "A published verdict is never wrong")."""
    if exact is None or exact.get("counts") is None or exact.get("relative_likelihood") is None:
        return
    NEVER_WRONG["checked"] += 1
    if verdict not in ("", "[c]", "suppressed", "inconclusive", "not_calculable") and verdict != exact["assessment"]:
        problems.append(f"{where}: published verdict {verdict!r}, the exact counts give {exact['assessment']!r}")
    try:
        lo, hi = float(lo), float(hi)
    except (TypeError, ValueError):
        return
    if lo > exact["ci_lower"] + 1e-9 or hi < exact["ci_upper"] - 1e-9:
        problems.append(f"{where}: printed interval {lo} to {hi} does not contain the exact "
                        f"{exact['ci_lower']:.4f} to {exact['ci_upper']:.4f}")


SERVICE = {"Adults": "adults", "Children": "children", "All services": "all", "All": "all"}
TABLE_COLS = {
    "White events": "white_events", "White population": "white_population",
    "Minoritised events": "minoritised_events", "Minoritised population": "minoritised_population",
    "Unknown ethnicity events": "unknown_events", "Unknown ethnicity population": "unknown_population",
    "White rate [note 11]": "white_rate", "Minoritised rate [note 11]": "minoritised_rate",
    "Relative likelihood [note 1]": "relative_likelihood", "95% CI lower [note 2]": "ci_lower",
    "95% CI upper [note 2]": "ci_upper", "Minoritised share [note 3]": "minoritised_share",
}


def check_public(release, year, figures, cfg, reg, bands, problems):
    logged = secondary(release)
    checked = 0
    regions_shown = set()
    # benchmarks.csv: national and regional rows.
    with open(os.path.join(release, "public", "benchmarks.csv"), encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if r["scope"] not in ("national", "region"):
                continue
            key = (r["scope"], r["area_code"], r["service"], r["indicator"], r["band"])
            want = figures.get(key)
            where = "benchmarks.csv " + "/".join(key)
            if want is None:
                problems.append(f"{where}: a figure the returns do not give")
                continue
            if r["scope"] == "region":
                regions_shown.add(key)
                if want["councils"] < cfg["min_region"]:
                    problems.append(f"{where}: a region of {want['councils']} councils published")
            cells = published(want, r["indicator"], cfg)
            if cells is None:
                continue
            raw = cells.pop("_raw", {})
            got = {k: r[k] for k in cells}
            checked += compare(where, got, cells, key[1:] in logged, problems, raw)
            never_wrong(where, r["assessment"], r["ci_lower"], r["ci_upper"], want, problems)
    for key, want in figures.items():
        if key[0] == "region" and want["councils"] >= cfg["min_region"] and want["counts"] is not None \
                and key not in regions_shown:
            problems.append(f"benchmarks.csv: the region figure {'/'.join(key)} is missing")
    # Tables 1 (national) and 2 (regions).
    labels = dict(BAND_LABELS)
    labels.update(cfg["labels"])
    band_of = {labels.get(b, b): b for b in bands}
    tables = os.path.join(release, "public", "national", "tables")
    for name, scope in ((f"table-1-national-{year}.csv", "national"),
                        (f"table-2-regions-{year}.csv", "region")):
        with open(os.path.join(tables, name), encoding="utf-8-sig", newline="") as f:
            for r in csv.DictReader(f):
                service = SERVICE.get(r["Service"], r["Service"].lower())
                band = band_of.get(r.get("Pay band", ""), "") if r["Indicator"] == "1" else ""
                area = r.get("Region code", "")
                key = (scope, area, service, r["Indicator"], band)
                want = figures.get(key)
                where = f"{name} " + "/".join(key)
                if want is None:
                    problems.append(f"{where}: a row the returns do not give")
                    continue
                cells = published(want, r["Indicator"], cfg)
                if cells is None:
                    continue
                raw = cells.pop("_raw", {})
                got = {v: r[k] for k, v in TABLE_COLS.items() if k in r}
                # Tables write "[x]" for not calculable and "[z]" for not
                # applicable (notes): read them as empty.
                got = {k: ("" if v in ("[x]", "[z]") else v) for k, v in got.items()}
                want_cells = {k: v for k, v in cells.items() if k in got}
                checked += compare(where, got, want_cells, key[1:] in logged, problems, raw)
                checked += check_within(where, r, want, cells, cfg, problems)
    return checked


WITHIN_COLS = ["Within councils: relative likelihood [note 14]", "Within councils: 95% CI lower [note 14]",
               "Within councils: 95% CI upper [note 14]", "Within councils: assessment [note 14]"]
ASSESSMENT_WORDS = {"Within range": "within_range", "Adverse": "adverse", "Favourable": "favourable",
                    "Inconclusive": "inconclusive"}


def check_within(where, r, want, cells, cfg, problems):
    """Check 6: the within-council cells of a row of table 1 or 2."""
    got = [r.get(c) for c in WITHIN_COLS]
    if any(g is None for g in got):
        problems.append(f"{where}: no within-council columns")
        return 0
    ind = r["Indicator"]
    if ind == "1":
        if got != ["[z]"] * 4:
            problems.append(f"{where}: within-council cells {got} for a descriptive indicator")
        return 1
    # Beside a withheld figure (by the rules, or as a logged secondary
    # suppression, checked above): withheld too.
    if "[c]" in (cells.get("relative_likelihood"), r.get("Relative likelihood [note 1]")):
        if got != ["[c]"] * 4:
            problems.append(f"{where}: within-council cells {got} beside a withheld figure")
        return 1
    w = want.get("within")
    if w is None:
        if got != ["[x]"] * 4:
            problems.append(f"{where}: within-council cells {got}, none calculable")
        return 1
    rl, lo, hi = w
    plo, phi = floor2(lo), ceil2(hi)
    bad = []
    if abs(float(got[0]) - rl) > 0.005 + 1e-9:
        bad.append(f"RL {got[0]} for {rl:.6f}")
    if not (math.isclose(float(got[1]), plo, abs_tol=1e-9) and math.isclose(float(got[2]), phi, abs_tol=1e-9)):
        bad.append(f"interval {got[1]} to {got[2]} for {plo} to {phi} (exact {lo:.6f} to {hi:.6f})")
    # The rule (docs/methods.md "Assessment") on the printed interval.
    lower, upper = cfg["lower"], cfg["upper"]
    if plo >= lower and phi <= upper:
        v = "within_range"
    elif (plo > 1 or phi < 1) and (rl < lower or rl > upper):
        worse = rl > upper if POLARITY[ind] == "worse" else rl < lower
        v = "adverse" if worse else "favourable"
    else:
        v = "inconclusive"
    if ASSESSMENT_WORDS.get(got[3]) != v:
        bad.append(f"assessment {got[3]!r} for {v}")
    if bad:
        problems.append(f"{where}: within councils: " + "; ".join(bad))
    return 1


WORDS = {"within range": "within_range", "adverse": "adverse", "favourable": "favourable",
         "inconclusive": "inconclusive"}
TABLE_ID = re.compile(r'<caption id="table-(\w+)">(.*?)</table>', re.S)
ROW = re.compile(r"<tr><th scope=\"row\">(.*?)</th>(.*?)</tr>", re.S)
CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.S)


def tie_ok(got, want, raw):
    """`got` and `want` print the same three numbers but for a value at an
    exact half of the last place, which either rounding may print."""
    g, w = re.findall(r"\d+\.\d+", got), re.findall(r"\d+\.\d+", want)
    if len(g) != len(w) or not g:
        return False
    for a, b, x in zip(g, w, raw):
        if a == b:
            continue
        dp = len(b.split(".")[1])
        if x is None or abs(abs(x) * 10 ** dp % 1 - 0.5) > 1e-6 or abs(float(a) - float(b)) > 1.01 * 10 ** -dp:
            return False
    return True


def rl_text(cells):
    """`1.79 (1.05 to 3.05)` as a public file prints a figure's RL."""
    if cells["relative_likelihood"] == "[c]":
        return "[c]"
    if cells["relative_likelihood"] == "":
        return None
    return f"{cells['relative_likelihood']} ({cells['ci_lower']} to {cells['ci_upper']})"


def check_local(release, year, figures, cfg, reg, problems):
    """Every public local report's web page: for each indicator's table,
    the council's counts, RL, interval and verdict by service, and the
    region's and England's RL beside them."""
    logged = secondary(release)
    folder = os.path.join(release, "public", "local")
    checked = 0
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".html"):
            continue
        code = name.split("-")[0]
        region = reg[code]["region_code"]
        html = open(os.path.join(folder, name), encoding="utf-8").read()
        verdicts = 0  # the all-services verdicts the report gives
        for ind, body in TABLE_ID.findall(html):
            if ind == "1":
                continue
            for label, rest in ROW.findall(body):
                service = SERVICE.get(label.strip())
                if service is None:
                    continue
                tds = [t.strip() for t in CELL.findall(rest)]
                where = f"{name} table {ind} {service}"
                own = figures.get(("authority", code, service, ind, ""))
                cells = published(own, ind, cfg) if own else None
                if cells is None:
                    continue
                raw = cells.pop("_raw", {})
                raw = [raw.get(k) for k in ("relative_likelihood", "ci_lower", "ci_upper")]
                is_logged = (code, service, ind, "") in logged
                want = [f"{cells['white_events']} / {cells['white_population']}",
                        f"{cells['minoritised_events']} / {cells['minoritised_population']}"]
                got = [t.replace(",", "") for t in tds[:2]]
                for g, w in zip(got, want):
                    checked += 1
                    if g != w and not (is_logged and "[c]" in g):
                        problems.append(f"{where}: counts {g!r}, expected {w!r}")
                rl = rl_text(cells)
                verdict = tds[2]
                checked += 1
                if rl == "[c]" or (is_logged and verdict.startswith("[c]")):
                    if not verdict.startswith("[c]") and rl == "[c]":
                        problems.append(f"{where}: {verdict!r}, expected [c]")
                elif cells["assessment"] == "not_calculable":
                    if verdict != "not calculable":
                        problems.append(f"{where}: {verdict!r}, expected 'not calculable'")
                elif rl is not None:
                    text, _, word = verdict.partition(", ")
                    verdicts += service == "all" and word in WORDS
                    if text != rl and not tie_ok(text, rl, raw):
                        problems.append(f"{where}: {text!r}, expected {rl!r}")
                    if WORDS.get(word) != cells["assessment"]:
                        problems.append(f"{where}: verdict {word!r}, expected {cells['assessment']!r}")
                    nums = re.findall(r"\d+\.\d+", text)
                    if len(nums) == 3:
                        never_wrong(where, WORDS.get(word, word), nums[1], nums[2], own, problems)
                # The region's and England's figures beside the council's.
                for col, key in ((3, ("region", region, service, ind, "")),
                                 (4, ("national", "", service, ind, ""))):
                    if col >= len(tds):
                        continue
                    f = figures.get(key)
                    if f is None or f["counts"] is None:
                        continue
                    if key[0] == "region" and f["councils"] < cfg["min_region"]:
                        if tds[col] != "not published":
                            problems.append(f"{where}: region {tds[col]!r}, expected 'not published'")
                        continue
                    c = published(f, ind, cfg)
                    r = c.pop("_raw", {})
                    r = [r.get(k) for k in ("relative_likelihood", "ci_lower", "ci_upper")]
                    w = rl_text(c)
                    checked += 1
                    if w is not None and tds[col] != w and not tie_ok(tds[col], w, r) \
                            and not (tds[col] == "[c]" and key[1:] in logged):
                        problems.append(f"{where}: {key[0]} {tds[col]!r}, expected {w!r}")
        # Multiple comparisons (docs/methods.md): at most 2.5% of verdicts
        # adverse by chance, and the chance of at least one.
        m = re.search(r"about ([\d.]+) of these (\d+) verdicts, so that about (\d+)% of councils", html)
        checked += 1
        if m is None:
            problems.append(f"{name}: no sentence on what chance alone would give")
        else:
            want = (f"{0.025 * verdicts:.1f}", str(verdicts), f"{100 * (1 - 0.975 ** verdicts):.0f}")
            if m.groups() != want:
                problems.append(f"{name}: chance alone {m.groups()}, expected {want}")
    return checked


def quantile7(xs, q):
    """Linear interpolation between order statistics (R type 7)."""
    xs = sorted(xs)
    h = (len(xs) - 1) * q
    lo = math.floor(h)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (h - lo) * (xs[hi] - xs[lo])


def spread(figures, cfg, logged, service, ind, band):
    """The spread across councils as published (docs/disclosure.md): of
    every council with a figure. The tally counts each council by the
    verdict its published figures support: its published verdict, or,
    where its figure is withheld, the verdict every count its [c] and
    rounded cells could hide gives (inconclusive if any would differ, or if
    a count is withheld as a partner); the median and quartiles are of the
    exact relative likelihoods, RL 0 included. Nothing but the number of
    councils for fewer than min_spread councils with a figure."""
    tally = {"adverse": 0, "within_range": 0, "favourable": 0, "inconclusive": 0,
             "not_calculable": 0, "not_provided": 0, "withheld": 0}
    rls, provided = [], 0
    for (scope, code, sv, i, b), f in figures.items():
        if scope != "authority" or sv != service or i != ind or b != band:
            continue
        if f["counts"] is None:
            tally["not_provided"] += 1
            continue
        provided += 1
        if f["relative_likelihood"] is not None:
            rls.append(f["relative_likelihood"])
        c = published(f, ind, cfg)
        partner = (code, sv, ind, band) in logged
        withheld = c["relative_likelihood"] == "[c]" or (partner and c["relative_likelihood"] != "")
        if withheld:
            tally["withheld"] += 1
        if ind == "1":
            continue
        if withheld and partner:
            tally["inconclusive"] += 1
        elif withheld:
            (we, me, _), (wp, mp, _) = f["counts"]
            spans = (span(me, cfg), span(mp, cfg), span(we, cfg), span(wp, cfg))
            cov = covering(*spans)
            if cov == "nc":
                tally["not_calculable"] += 1
            elif cov is None:
                tally["inconclusive"] += 1
            else:
                lo, hi = Fraction(floor2(cov[0])), Fraction(ceil2(cov[1]))
                tally[verdict_of(spans, lo, hi, POLARITY[ind], cfg["lower"], cfg["upper"])] += 1
        elif c["relative_likelihood"] == "":
            tally["not_calculable"] += 1
        else:
            tally[c["assessment"]] += 1
    out = {"councils": len(rls), "tally": tally, "shown": provided >= cfg["min_spread"]}
    if out["shown"] and len(rls) >= cfg["min_spread"]:
        out.update(median=quantile7(rls, 0.5), lower=quantile7(rls, 0.25), upper=quantile7(rls, 0.75))
    return out


def check_spread(release, figures, cfg, problems):
    """benchmarks.csv's national rows: the spread and the tally."""
    logged = secondary(release)
    checked = 0
    with open(os.path.join(release, "public", "benchmarks.csv"), encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if r["scope"] != "national":
                continue
            where = f"benchmarks.csv spread {r['service']}/{r['indicator']}/{r['band']}"
            s = spread(figures, cfg, logged, r["service"], r["indicator"], r["band"])
            t = {k: (str(v) if s["shown"] else "") for k, v in s["tally"].items()}
            want = {"councils": str(s["councils"]),
                    "councils_not_provided": str(s["tally"]["not_provided"]),
                    "councils_not_calculable": t["not_calculable"],
                    "councils_suppressed": t["withheld"]}
            if r["indicator"] != "1":
                want.update(councils_adverse=t["adverse"],
                            councils_within_range=t["within_range"],
                            councils_favourable=t["favourable"],
                            councils_inconclusive=t["inconclusive"])
            raw = {}
            for col, k in (("median", "median"), ("lower_quartile", "lower"), ("upper_quartile", "upper")):
                want[col] = f"{s[k]:.2f}" if k in s else ""
                raw[col] = s.get(k)
            checked += compare(where, {k: r[k] for k in want}, want, False, problems, raw)
    # Table 3: the same spread, by indicator and service (assessed indicators).
    year = os.path.basename(os.path.normpath(release))
    path = os.path.join(release, "public", "national", "tables", f"table-3-spread-{year}.csv")
    cols = {"Councils with a figure": "councils",
            "Median relative likelihood [note 10]": "median", "Lower quartile": "lower_quartile",
            "Upper quartile": "upper_quartile", "Councils adverse [note 4]": "councils_adverse",
            "Councils within range [note 4]": "councils_within_range",
            "Councils favourable [note 4]": "councils_favourable",
            "Councils inconclusive [note 4]": "councils_inconclusive",
            "Councils not calculable": "councils_not_calculable",
            "Councils not provided": "councils_not_provided",
            "Councils withheld [note 5]": "councils_suppressed"}
    with open(path, encoding="utf-8-sig", newline="") as f:
        for r in csv.DictReader(f):
            service = SERVICE.get(r["Service"], r["Service"].lower())
            ind = r["Indicator"]
            s = spread(figures, cfg, logged, service, ind, "")
            t = {k: (str(v) if s["shown"] else "[x]") for k, v in s["tally"].items()}
            want = {"councils": str(s["councils"]),
                    "councils_not_provided": str(s["tally"]["not_provided"]),
                    "councils_not_calculable": t["not_calculable"],
                    "councils_suppressed": t["withheld"],
                    "councils_adverse": t["adverse"],
                    "councils_within_range": t["within_range"],
                    "councils_favourable": t["favourable"],
                    "councils_inconclusive": t["inconclusive"]}
            raw = {}
            for col, k in (("median", "median"), ("lower_quartile", "lower"), ("upper_quartile", "upper")):
                want[col] = f"{s[k]:.2f}" if k in s else ""
                raw[col] = s.get(k)
            got = {v: r[k] for k, v in cols.items() if k in r}
            got = {k: ("" if v in ("[x]", "[z]", "[c]") and k in ("median", "lower_quartile", "upper_quartile") else v)
                   for k, v in got.items()}
            checked += compare(f"table 3 {service}/{ind}", got, want, False, problems, raw)
    return checked


def check_year_on_year(data, release, year, cfg, reg, problems):
    """Table 5: England's relative likelihood and interval (all services)
    for the year before and this year, for all participants and like for
    like (the councils with an accepted return in both years)."""
    name = os.path.join(release, "public", "national", "tables", f"table-5-year-on-year-{year}.csv")
    if not os.path.exists(name):
        return 0
    with open(os.path.join(release, "manifest.json"), encoding="utf-8") as f:
        inputs = json.load(f)["inputs"]
    accepted = {}
    for i in inputs:
        parts = i["file"].split("/")
        if i["status"] == "accepted" and len(parts) == 3 and parts[0] == "returns":
            accepted.setdefault(int(parts[1]), []).append(i["file"])
    before = max(y for y in accepted if y < year)
    figs = {y: compute(data, y, accepted[y], cfg, reg)[0] for y in (before, year)}
    codes = {y: {k[1] for k in figs[y] if k[0] == "authority"} for y in (before, year)}
    both = codes[before] & codes[year]

    def lfl(y):
        keep = [f for f in accepted[y] if read_return(os.path.join(data, f), DEFAULT_BANDS)[0] in both]
        return compute(data, y, keep, cfg, reg)[0]

    like = {before: lfl(before), year: lfl(year)}
    labels = dict(BAND_LABELS)
    labels.update(cfg["labels"])
    band_of = {v: k for k, v in labels.items()}
    checked = 0
    with open(name, encoding="utf-8-sig", newline="") as f:
        for r in csv.DictReader(f):
            ind = r["Indicator"]
            band = band_of.get(r["Pay band"], "") if ind == "1" else ""
            who = r["Councils compared [note 7]"]
            source = figs if who == "All participants" else like
            if who != "All participants" and who != f"Like for like ({len(both)} councils)":
                problems.append(f"table 5 {ind}/{band}: {who!r}, expected like for like of {len(both)} councils")
                continue
            for y in (before, year):
                f = source[y].get(("national", "", "all", ind, band))
                c = published(f, ind, cfg) if f and f["counts"] else None
                if c is None:
                    continue
                raw = c.pop("_raw", {})
                want = {f"Relative likelihood {y}": c["relative_likelihood"],
                        f"95% CI lower {y}": c["ci_lower"], f"95% CI upper {y}": c["ci_upper"]}
                rawc = {f"Relative likelihood {y}": raw.get("relative_likelihood"),
                        f"95% CI lower {y}": raw.get("ci_lower"), f"95% CI upper {y}": raw.get("ci_upper")}
                got = {k: ("" if r.get(k) in ("[x]", "[z]") else r.get(k)) for k in want}
                checked += compare(f"table 5 {ind}/{band} {who} {y}", got, want, False, problems, rawc)
            # The change (docs/methods.md, "Year on year"): the ratio of the
            # two published relative likelihoods, its 95% interval on the
            # log scale with each year's standard error read back from its
            # published interval.
            cols = [f"Relative likelihood {before}", f"95% CI lower {before}", f"95% CI upper {before}",
                    f"Relative likelihood {year}", f"95% CI lower {year}", f"95% CI upper {year}"]
            vals = [num(r.get(c)) if r.get(c) not in ("[x]", "[z]", "[c]") else None for c in cols]
            ratio_col = next((k for k in r if k.startswith(f"Ratio {year} to {before}")), None)
            if ratio_col is None:
                problems.append(f"table 5: no ratio column {year} to {before}")
                continue
            got = (r[ratio_col], r["Ratio 95% CI lower"], r["Ratio 95% CI upper"], r["Change [note 13]"])
            b_rl, b_lo, b_hi, n_rl, n_lo, n_hi = vals
            if None in vals or min(b_rl, b_lo, n_rl, n_lo) <= 0 or b_hi <= b_lo or n_hi <= n_lo:
                want = ("[x]", "[x]", "[x]", "[x]")
            else:
                se = lambda lo, hi: (math.log(hi) - math.log(lo)) / (2 * Z)  # noqa: E731
                lr = math.log(n_rl) - math.log(b_rl)
                half = Z * math.sqrt(se(b_lo, b_hi) ** 2 + se(n_lo, n_hi) ** 2)
                word = "Up" if lr - half > 0 else "Down" if lr + half < 0 else "No clear change"
                want = (f"{math.exp(lr):.2f}", f"{math.exp(lr - half):.2f}", f"{math.exp(lr + half):.2f}", word)
            checked += 1
            if got != want:
                problems.append(f"table 5 {ind}/{band} {who}: change {got}, expected {want}")
    return checked


def check_coverage(data, release, year, accepted, files, cfg, reg, problems):
    """Table 4: who took part and how much of the workforce is covered."""
    name = os.path.join(release, "public", "national", "tables", f"table-4-coverage-{year}.csv")
    bands = cfg["bands"].get(year, DEFAULT_BANDS)
    units = []
    for path in accepted:
        code, services = read_return(os.path.join(data, path), bands)
        units += [(code, sv, get) for sv, get in services.items()]
    total = lambda t: sum(t)  # noqa: E731
    head = lambda get: get.get(("headcount", ""))  # noqa: E731
    staff = {sv: sum(total(head(g)) for _, s2, g in units if head(g) and (sv == "all" or s2 == sv))
             for sv in ("all", "adults", "children")}
    unknown = sum(head(g)[2] for _, _, g in units if head(g))
    survey = [(g[("survey_respondents", "")], head(g)) for _, _, g in units
              if g.get(("survey_respondents", "")) is not None and head(g)]
    respondents = sum(total(r) for r, _ in survey)
    surveyed_staff = sum(total(h) for _, h in survey)
    rejected = sum(1 for x in files if x["status"] == "rejected")
    want = {
        "Councils whose returns were used": str(len(accepted)),
        # Every file found in the year folder, skipped ones included.
        "Return files received": str(len(files)),
        "Returns rejected": str(rejected),
        "Councils with social care responsibilities in England": str(len(reg)),
        "Returns covering adults' services": str(sum(1 for u in units if u[1] == "adults")),
        "Returns covering children's services": str(sum(1 for u in units if u[1] == "children")),
        "Staff covered, all services [note 9]": str(staff["all"]),
        "Staff covered, adults' services [note 9]": str(staff["adults"]),
        "Staff covered, children's services [note 9]": str(staff["children"]),
        "Share of staff with ethnicity not known": f"{unknown / staff['all']:.3f}",
        "Council services with staff-survey figures": str(len(survey)),
        "Staff-survey respondents": str(respondents),
        "Staff-survey response [note 9]": f"{respondents / surveyed_staff:.3f}" if surveyed_staff else "",
    }
    checked = 0
    with open(name, encoding="utf-8-sig", newline="") as f:
        got = {r["Measure"]: r["Value"].replace(",", "") for r in csv.DictReader(f)}
    for k, w in want.items():
        checked += 1
        if got.get(k) != w:
            problems.append(f"table 4 {k!r}: {got.get(k)!r}, expected {w!r}")
    return checked


def main():
    data, release = sys.argv[1], sys.argv[2]
    year = int(os.path.basename(os.path.normpath(release)))
    cfg = config(data)
    reg = register(data)
    with open(os.path.join(release, "internal", "validation.json"), encoding="utf-8") as f:
        files = json.load(f)["files"]
    accepted = [x["file"] for x in files if x["status"] == "accepted"]
    figures, bands = compute(data, year, accepted, cfg, reg)
    problems = []
    n1 = check_results(release, year, figures, problems)
    n2 = check_public(release, year, figures, cfg, reg, bands, problems)
    n2 += check_local(release, year, figures, cfg, reg, problems)
    n2 += check_spread(release, figures, cfg, problems)
    n2 += check_year_on_year(data, release, year, cfg, reg, problems)
    n2 += check_coverage(data, release, year, accepted, files, cfg, reg, problems)
    print(f"{len(accepted)} returns; {n1} results.csv rows and {n2} published values checked; "
          f"{NEVER_WRONG['checked']} published verdicts and intervals against the exact ones; "
          f"{len(problems)} disagreements")
    for p in problems[:60]:
        print("  " + p)
    sys.exit(1 if problems or n1 == 0 or n2 == 0 else 0)


if __name__ == "__main__":
    main()
