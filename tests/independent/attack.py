#!/usr/bin/env python3
"""The disclosure attack: a reader holding every file of a release's public
folder tries to give back a count that disclosure control withholds or
rounds. Written from docs/disclosure.md and the return format, not from the
program: it reads only what is published (benchmarks.csv, the national
tables, every council's public local report as a web page) and judges each
route against the exact figures of the internal folder (results.csv), which
the attacker never uses.

    attack.py RELEASE_DIR MIN_COUNT ROUNDING_BASE [MIN_SPREAD]
    attack.py --pair EARLIER_RELEASE LATER_RELEASE MIN_COUNT ROUNDING_BASE [MIN_SPREAD]

RELEASE_DIR is `<out>/<year>`. Prints what each route tried and every
breach; exits 1 if any route gives back a withheld count, pins a rounded one
or finds a published value that says more than the counts beside it.
With --pair, the reader holds two releases (a release and its revision, or
two years' releases) and every route runs on each, and route 8 on both
together.

Routes:
  0. the public folder holds no internal file and links nothing outside it;
  1. rates, shares, relative likelihoods and intervals beside rounded counts
     must be what the rounded counts give (the RL of the rounded counts,
     the interval covering every count the rounding could hide, rounded
     outwards; else they carry more of the exact counts; the exact counts
     consistent with them are searched);
  2. sums and differences: every additive relation between published cells
     (all services = adults + children; a region = its councils; England =
     its councils and its regions; the pay bands = the headcount; one
     headcount shared by indicators 1, 3, 5, 8 and 9), solved for bounds by
     the shuttle algorithm (Buzzigoli and Giusti), must pin no withheld or
     rounded council count (a total of England or of a region, itself a sum
     of at least min_region_councils councils, is counted when pinned);
  5. the spread across councils is shown only with at least MIN_SPREAD
     councils with a figure, its quartiles to 2 decimals; and a quartile
     must not pin a withheld council's count: for each candidate value of a
     [c], the attacker asks whether the published quartile (to within its
     last place) is reachable with every other council's relative
     likelihood anywhere its published counts allow (a quantile is
     monotone in each value, so the extremes decide);
  6. every council count printed in a public local report is 0, [c] or a
     multiple of the rounding base;
  8. (two releases) every published count of England and the regions of
     one release against the other's: a council added, withdrawn or
     corrected between them is the difference, solved with both releases'
     cells by the shuttle algorithm: it must pin no council count and
     narrow no [c] to one value.
"""

import bisect
import csv
import html.parser
import io
import itertools
import json
import math
import os
import re
import sys
from collections import defaultdict
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from verdicts import ceil2, covering, floor2  # noqa: E402  (the published interval)

Z = 1.959964
BIG = 10 ** 9
MIN_COUNT, BASE = 8, 5  # set from the command line
INTERNAL_FILES = {"results.csv", "validation.json", "validation.md",
                  "suppressions.csv", "revisions.csv", "manifest.json"}
# The population measure of each indicator (the return format).
POPULATION = {"1": "headcount", "2": "shortlisted", "3": "headcount",
              "4": "regulated_professionals", "5": "headcount",
              "6": "survey_respondents", "7a": "survey_respondents",
              "7b": "survey_respondents", "8": "headcount", "9": "headcount"}
SERVICES = {"Adults": "adults", "Children": "children", "All services": "all"}


class Attack:
    def __init__(self, release, min_count, base, min_spread=None):
        self.release = os.path.abspath(release)
        # The release's published rules (its publication.json) say from how
        # many councils a spread is shown.
        if min_spread is None:
            path = os.path.join(release, "public", "publication.json")
            rules = json.load(open(path, encoding="utf-8")).get("configuration", {}) if os.path.exists(path) else {}
            min_spread = int(rules.get("min_spread_councils", 10))
        self.min_spread = min_spread
        self.public = os.path.join(self.release, "public")
        self.min_count = min_count
        self.base = base
        self.breaches = []
        self.log = []

    def breach(self, route, what):
        self.breaches.append(f"route {route}: {what}")

    # ---- reading what is published -------------------------------------

    def read_csv(self, path):
        with open(path, encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))

    def count_interval(self, text, exact_level=False, secondary=False):
        """What a published count says of the exact count: (lo, hi), or
        None when nothing is published. A `[c]` is 1 to MIN_COUNT - 1,
        unless its figure has a count withheld so that another cannot be
        worked out (secondary withholding): then it is any count. The
        attacker is told which figures those are (from the internal
        suppression log): an attacker who knows more than a reader."""
        t = text.strip().replace(",", "")
        if t in ("", "–", "-", "[x]", "[z]", "not provided"):
            return None
        if t == "[c]":
            return (1, BIG) if secondary else (1, self.min_count - 1)
        n = int(float(t))
        # A count that is not a multiple of the base cannot be a rounded
        # one: the attacker takes it as exact.
        if exact_level or n == 0 or n % self.base != 0:
            return (n, n)
        half = self.base // 2
        lo = max(n - half, self.min_count)
        return (lo, n - half + self.base - 1)

    # ---- route 0 --------------------------------------------------------

    def route0(self):
        links = 0
        for root, _, files in os.walk(self.public):
            for name in files:
                path = os.path.join(root, name)
                if name in INTERNAL_FILES:
                    self.breach(0, f"internal file in the public folder: {os.path.relpath(path, self.public)}")
                if not name.endswith(".html"):
                    continue
                text = open(path, encoding="utf-8").read()
                for m in re.finditer(r'(?:href|src)="([^"]*)"', text):
                    url = html.unescape(m.group(1))
                    if re.match(r"^(#|mailto:|https?:|data:)", url) or url == "":
                        continue
                    links += 1
                    target = os.path.normpath(os.path.join(root, url.split("#")[0]))
                    inside = os.path.commonpath([target, os.path.abspath(self.public)]) == os.path.abspath(self.public)
                    if not inside or not os.path.isfile(target):
                        self.breach(0, f"{os.path.relpath(path, self.public)} links {url}, which is not a file of the public folder")
        self.log.append(f"route 0: {links} links followed")

    # ---- the published cells --------------------------------------------
    #
    # A cell is one exact count: (area, service, group, what), where `what`
    # is ("e", indicator[:band]) for events and, for population, ("p",
    # measure) at a council's service (the unit: one headcount serves every
    # indicator) or ("p", indicator) for a pooled figure (all services of a
    # council, a region, England: pools differ by the units that provided
    # the indicator's events).

    def load(self):
        self.cells = {}      # key -> (lo, hi)
        self.published = {}  # key -> text as published
        self.stat_rows = []  # (where, row of texts, truth key)
        self.council_rls = defaultdict(list)  # (ind, service) -> [rl]
        self.council_counts = defaultdict(dict)  # (ind, service) -> code -> count texts
        self.council_region = {}  # code -> region code or None
        self.council_services = {}  # code -> services of its return
        self.shown_rows = defaultdict(set)  # (code, ind) -> services shown
        bench = self.read_csv(os.path.join(self.public, "benchmarks.csv"))
        self.bench = bench
        for r in bench:
            if r["scope"] not in ("national", "region"):
                continue
            level = r["scope"]
            area = r["area_code"] if level == "region" else "England"
            ind, band = r["indicator"], r["band"]
            e = f"{ind}:{band}" if band else ind
            for group in ("white", "minoritised", "unknown"):
                for kind, what in (("events", ("e", e)), ("population", ("p", ind))):
                    text = r[f"{group}_{kind}"]
                    # Every published count is rounded, England's too; a
                    # revision's carried counts within their margin.
                    iv = self.count_interval(text, False,
                                             (area, r["service"], ind, band) in self.secondary)
                    margin = int(r.get("count_margin") or 0)
                    if iv is not None and margin and text.strip() != "[c]":
                        iv = (max(0, iv[0] - margin), iv[1] + margin)
                    if iv is not None:
                        self.put((area, r["service"], group, what), iv, text)
            self.stat_rows.append((f"benchmarks.csv {area} {r['service']} {ind} {band}",
                                   r, (level, r["area_code"], r["service"], ind, band)))
        margins = {(r["area_code"], r["service"], r["indicator"], r["band"]): int(r.get("count_margin") or 0)
                   for r in bench if r["scope"] == "region"}
        tables = os.path.join(self.public, "national", "tables")
        for name in sorted(os.listdir(tables)):
            if name.startswith("table-2-") and name.endswith(".csv"):
                for r in self.read_csv(os.path.join(tables, name)):
                    self.region_names[r["Region"]] = r["Region code"]
                    band = self.band_labels.get(r["Pay band"], "")
                    row = {"white_events": r["White events"], "white_population": r["White population"],
                           "minoritised_events": r["Minoritised events"],
                           "minoritised_population": r["Minoritised population"],
                           "white_rate": col(r, "White rate"), "minoritised_rate": col(r, "Minoritised rate"),
                           "relative_likelihood": col(r, "Relative likelihood"),
                           "ci_lower": col(r, "95% CI lower"), "ci_upper": col(r, "95% CI upper"),
                           "minoritised_share": col(r, "Minoritised share"),
                           "indicator": r["Indicator"]}
                    service = SERVICES[r["Service"]]
                    # The margin of a revision's carried counts is
                    # published with the row of benchmarks.csv.
                    row["count_margin"] = margins.get((r["Region code"], service, r["Indicator"], band), 0)
                    self.stat_rows.append((f"{name} {r['Region code']} {service} {r['Indicator']} {band}",
                                           row, ("region", r["Region code"], service, r["Indicator"], band)))
        local = os.path.join(self.public, "local")
        self.local_files = sorted(n for n in os.listdir(local) if n.endswith(".html"))
        for name in self.local_files:
            self.read_local(os.path.join(local, name))
        self.log.append(f"read benchmarks.csv, the regional table and {len(self.local_files)} local reports")

    def put(self, key, iv, text):
        old = self.cells.get(key)
        if old is not None:
            iv = (max(old[0], iv[0]), min(old[1], iv[1]))
        self.cells[key] = iv
        self.published[key] = text

    def read_local(self, path):
        p = Tables()
        text = open(path, encoding="utf-8").read()
        # Only the tables are read as tables: the rest of the page (its
        # charts are inline SVG) is passed over, which is most of the time.
        for table in re.findall(r"<table\b.*?</table>", text, re.S | re.I):
            p.feed(table)
        m = re.search(r"<dt>Council</dt><dd>(.*?) \((E\d{8})\), (.*?)</dd>", text)
        if not m:
            self.breach(6, f"{os.path.basename(path)}: the council's code was not found")
            return
        code = m.group(2)
        self.council_region[code] = self.region_names.get(html.unescape(m.group(3)))
        services = re.search(r"<dt>Services in this return</dt><dd>(.*?)</dd>", text)
        self.council_services[code] = {s for s in ("adults", "children")
                                       if services and s in services.group(1).lower()}
        staff = re.search(r"<dt>Staff</dt><dd>([^<]*)</dd>", text)
        if staff:
            self.printed_count(path, "staff", staff.group(1))
        for caption_id, rows in p.tables.items():
            if caption_id.endswith("-funnel-data"):
                for row in rows[1:]:
                    if row[0].endswith(POPULATION_WORDS) and "England" not in row[0]:
                        self.printed_count(path, f"{caption_id}: {row[0]}", row[1])
            mt = re.fullmatch(r"table-(\d+[ab]?)", caption_id)
            if not mt:
                continue
            ind = mt.group(1)
            if ind == "1":
                for row in rows[1:]:
                    band = self.band_labels.get(row[0])
                    if band is None:
                        continue
                    for group, cell in (("white", row[1]), ("minoritised", row[2])):
                        self.printed_count(path, f"indicator 1 {band} {group}", cell)
                        iv = self.count_interval(cell, False, (code, "all", "1", band) in self.secondary)
                        if iv is not None:
                            self.put((code, "all", group, ("e", f"1:{band}")), iv, cell)
                continue
            for row in rows[1:]:
                service = SERVICES.get(row[0])
                if service is None or "/" not in row[1]:
                    continue
                self.shown_rows[(code, ind)].add(service)
                we, wp = [x.strip() for x in row[1].split("/")]
                me, mp = [x.strip() for x in row[2].split("/")]
                pop = ("p", POPULATION[ind]) if service != "all" else ("p", ind)
                for group, what, cell in (("white", ("e", ind), we), ("white", pop, wp),
                                          ("minoritised", ("e", ind), me), ("minoritised", pop, mp)):
                    self.printed_count(path, f"indicator {ind} {service} {group} {what[0]}", cell)
                    iv = self.count_interval(cell, False, (code, service, ind, "") in self.secondary)
                    if iv is not None:
                        self.put((code, service, group, what), iv, cell)
                rl = re.match(r"\s*([\d.]+) \(([\d.]+) to ([\d.]+)\)", row[3])
                stats = {"white_events": we, "white_population": wp, "minoritised_events": me,
                         "minoritised_population": mp, "indicator": ind,
                         "relative_likelihood": rl.group(1) if rl else ("[c]" if "[c]" in row[3] else ""),
                         "ci_lower": rl.group(2) if rl else "", "ci_upper": rl.group(3) if rl else ""}
                self.stat_rows.append((f"{os.path.basename(path)} indicator {ind} {service}", stats,
                                       ("authority", code, service, ind, "")))
                if rl:
                    self.council_rls[(ind, service)].append(float(rl.group(1)))
                if rl or "[c]" in row[3]:
                    self.council_counts[(ind, service)][code] = (me, mp, we, wp)

    def printed_count(self, path, what, cell):
        t = cell.strip().replace(",", "")
        if t in ("[c]", "–", "-", "0", "", "not provided"):
            return
        try:
            n = float(t)
        except ValueError:
            return
        if n != int(n) or int(n) % self.base != 0:
            self.breach(6, f"{os.path.basename(path)}: {what} printed as {cell.strip()}, not 0, [c] or a multiple of {self.base}")

    # ---- route 1 --------------------------------------------------------

    def route1(self, truth):
        checked, leaks, pinned = 0, 0, 0
        for where, r, key in self.stat_rows:
            counts = [r["minoritised_events"], r["minoritised_population"], r["white_events"], r["white_population"]]
            if any(c.strip() in ("", "[x]", "–", "not provided") for c in counts):
                continue
            stats = {k: (r.get(k) or "").strip() for k in
                     ("relative_likelihood", "ci_lower", "ci_upper", "white_rate", "minoritised_rate", "minoritised_share")}
            stats = {k: v for k, v in stats.items() if v not in ("", "[x]", "[z]")}
            if not stats:
                continue
            checked += 1
            if any(c.strip() == "[c]" for c in counts):
                if any(v != "[c]" for v in stats.values()):
                    leaks += 1
                    self.breach(1, f"{where}: a statistic is shown beside a withheld count: {stats}")
                continue
            shown = [int(c.replace(",", "")) for c in counts]
            if all(v == "[c]" for v in stats.values()):
                continue
            if not agrees(stats, shown, r.get("indicator", ""), int(r.get("count_margin") or 0)):
                leaks += 1
                exact = truth.get(key)
                candidates = self.invert(stats, shown, r.get("indicator", ""))
                if exact is not None and candidates == [tuple(exact)]:
                    pinned += 1
                self.breach(1, f"{where}: {stats} are not what the published counts {shown} give"
                            + (f"; the exact counts {exact} are the only ones that give them" if exact is not None and candidates == [tuple(exact)] else ""))
        self.log.append(f"route 1: {checked} rows of statistics beside counts, {leaks} say more than the counts, {pinned} pin the exact counts")

    def invert(self, stats, shown, ind):
        """Every set of exact counts the published rounding allows that gives
        the published statistics when computed from exact counts."""
        ranges = []
        for n in shown:
            lo, hi = self.count_interval(str(n), False)
            ranges.append(range(lo, hi + 1))
        return [c for c in itertools.product(*ranges) if exact_agrees(stats, list(c), ind)]

    # ---- route 2 --------------------------------------------------------

    def variable(self, key):
        """A cell nobody publishes but the relations name: any count."""
        if key not in self.cells:
            self.cells[key] = (0, BIG)
            self.published[key] = "(not published)"
        return key

    def relations(self):
        """Every additive relation between cells: (total, [parts])."""
        self.pool_parts = {}  # England's or a region's cell -> its councils' cells
        rel = []
        have = self.cells
        groups = ("white", "minoritised", "unknown")
        whats = {k[3] for k in have}
        pooled = ["England"] + sorted({k[0] for k in have if k[0].startswith("E12")})
        codes = sorted(self.council_services)
        # The pay-band cells of each (area, service, group), in order.
        band_cells = defaultdict(list)
        for k in have:
            if k[3][0] == "e" and k[3][1].startswith("1:"):
                band_cells[k[:3]].append(k)
        for area in pooled:
            for group in groups:
                for what in whats:
                    # All services = adults + children, in every pool.
                    t, parts = (area, "all", group, what), [(area, s, group, what) for s in ("adults", "children")]
                    if t in have and all(p in have for p in parts):
                        rel.append((t, parts))
                    # The pay bands add up to the headcount.
                    if what == ("p", "1"):
                        for s in ("adults", "children", "all"):
                            parts = band_cells.get((area, s, group), [])
                            if (area, s, group, what) in have and parts:
                                rel.append(((area, s, group, what), parts))
        for code in codes:
            services = self.council_services[code]
            for group in ("white", "minoritised"):
                for what in whats:
                    if what[0] != "e" or what[1].startswith("1:"):
                        continue
                    ind = what[1]
                    shown = self.shown_rows.get((code, ind), set()) - {"all"}
                    # A council's all services = its services that provided the indicator.
                    t = (code, "all", group, what)
                    parts = [(code, s, group, what) for s in shown]
                    if t in have and parts and all(p in have for p in parts):
                        rel.append((t, parts))
                    t = (code, "all", group, ("p", ind))
                    parts = [(code, s, group, ("p", POPULATION[ind])) for s in shown]
                    if t in have and parts and all(p in have for p in parts):
                        rel.append((t, parts))
                # Its bands add up to its headcount, which is its services'.
                bands = band_cells.get((code, "all", group), [])
                units = [(code, s, group, ("p", "headcount")) for s in services]
                if bands and units and all(u in have for u in units):
                    rel.append((self.variable((code, "all", group, ("p", "1"))), bands))
                    rel.append(((code, "all", group, ("p", "1")), units))
        # England and each published region = its councils.
        for area in pooled:
            members = [c for c in codes if area == "England" or self.council_region.get(c) == area]
            for group in ("white", "minoritised"):
                for what in whats:
                    for s in ("adults", "children", "all"):
                        t = (area, s, group, what)
                        if t not in have:
                            continue
                        if what[0] == "e":
                            parts = [(c, s, group, what) for c in members]
                        elif s == "all":
                            parts = [(c, s, group, what) for c in members]
                        else:
                            # A unit's population enters where it provided the events.
                            parts = [(c, s, group, ("p", POPULATION[what[1]])) for c in members
                                     if s in self.shown_rows.get((c, what[1]), set())]
                            if what[1] == "1":
                                continue
                        parts = [p for p in parts if p in have]
                        if parts:
                            rel.append((t, parts))
                            self.pool_parts[t] = parts
        return rel

    def route2(self):
        rel = self.relations()
        cells, contradiction = shuttle(dict(self.cells), rel)
        if contradiction:
            self.breach(2, f"the published cells contradict each other at {contradiction}: a relation assumed here does not hold")
            return
        pinned = pooled = 0
        for key, (lo, hi) in cells.items():
            if lo == hi and self.cells[key][0] != self.cells[key][1]:
                # A total of England or of a region (at least
                # min_region_councils councils) pinned gives no council's
                # count; it is counted, and what it pins of a council is
                # a breach below.
                if key[0] == "England" or key[0].startswith("E12"):
                    pooled += 1
                    continue
                pinned += 1
                self.breach(2, f"{key}: published as {self.published[key]}, pinned to {lo} by sums and differences")
        narrowed = sum(1 for k, v in cells.items() if v != self.cells[k] and self.published[k] == "[c]")
        self.log.append(f"route 2: {len(rel)} additive relations over {len(cells)} cells, {narrowed} withheld cells narrowed, {pinned} council cells pinned ({pooled} totals of England or a region)")

    # ---- route 5 --------------------------------------------------------

    def span_of(self, text):
        """What a reader knows of a council count printed as `text`."""
        t = text.strip().replace(",", "")
        if t == "[c]":
            return (1, self.min_count - 1)
        return behind(int(float(t)))

    def rl_range(self, spans):
        (alo, ahi), (n1lo, n1hi), (clo, chi), (n2lo, n2hi) = spans
        if n1lo == 0 or clo == 0 or n2lo == 0:
            return (0.0, math.inf)
        return ((alo / n1hi) / (chi / n2lo), (ahi / n1lo) / (clo / n2hi))

    def route5(self):
        checked, tried = 0, 0
        for r in self.bench:
            if r["scope"] != "national" or r["band"]:
                continue
            ind, service = r["indicator"], r["service"]
            counts = self.council_counts.get((ind, service), {})
            if not counts and not r["median"]:
                continue
            checked += 1
            shown = [r[k] for k in ("councils_adverse", "councils_within_range", "median") if r.get(k)]
            if shown and len(counts) < self.min_spread:
                self.breach(5, f"indicator {ind} {service}: a spread of {len(counts)} councils with a figure published")
            for col_ in ("median", "lower_quartile", "upper_quartile"):
                if r[col_] and len(r[col_].split(".")[-1]) > 2:
                    self.breach(5, f"indicator {ind} {service}: {col_} {r[col_]} to more than 2 decimals")
            # The quartiles against each withheld council's candidates.
            ranges = {}
            for code, cells in counts.items():
                if (code, service, ind, "") in self.secondary and "[c]" in cells:
                    ranges[code] = [(0.0, math.inf)]
                    continue
                ranges[code] = [self.rl_range([self.span_of(c) for c in cells])]
            for code, cells in counts.items():
                holes = [i for i, c in enumerate(cells) if c.strip() == "[c]"]
                if not holes or (code, service, ind, "") in self.secondary:
                    continue
                others = [v[0] for k, v in ranges.items() if k != code]
                # The other councils' lowest and highest values, sorted once;
                # each candidate's own value is put among them.
                others_lo = sorted(o[0] for o in others)
                others_hi = sorted(o[1] for o in others)
                quartiles = [(float(r[col_]), quantile_with_fn(others_lo, p), quantile_with_fn(others_hi, p))
                             for col_, p in (("median", 0.5), ("lower_quartile", 0.25), ("upper_quartile", 0.75))
                             if r[col_]]
                spans0 = [self.span_of(c) for c in cells]
                feasible = []
                for values in itertools.product(range(1, self.min_count), repeat=len(holes)):
                    spans = list(spans0)
                    for i, v in zip(holes, values):
                        spans[i] = (v, v)
                    lo, hi = self.rl_range(spans)
                    ok = True
                    for m, low_of, high_of in quartiles:
                        if low_of(lo) > m + 0.005 + 1e-9 or high_of(hi) < m - 0.005 - 1e-9:
                            ok = False
                            break
                    if ok:
                        feasible.append(values)
                tried += 1
                if not feasible:
                    self.breach(5, f"indicator {ind} {service}: no value of {code}'s [c] gives the published quartiles: they are not what the guide says")
                    continue
                for j, i in enumerate(holes):
                    vals = {f[j] for f in feasible}
                    if len(vals) == 1:
                        self.breach(5, f"indicator {ind} {service}: the quartiles pin {code}'s [c] cell {i} to {vals.pop()}")
        self.log.append(f"route 5: {checked} spreads checked against {len(self.local_files)} local reports, {tried} withheld council figures tried against the quartiles")

    def run(self):
        truth = read_truth(os.path.join(self.release, "internal", "results.csv"))
        self.secondary = set()
        for r in self.read_csv(os.path.join(self.release, "internal", "suppressions.csv")):
            if r["what"] == "secondary":
                self.secondary.add((r["area_code"] or "England", r["service"], r["indicator"], r["band"]))
        self.band_labels = read_band_labels(self.public)
        self.region_names = {}
        self.route0()
        self.load()
        self.route1(truth)
        self.route2()
        self.route5()
        return truth


def shuttle(cells, rel):
    """Bounds of every cell under the additive relations (total = sum of
    parts), tightened until nothing changes (Buzzigoli and Giusti's shuttle
    algorithm): (cells, None), or (cells, where) on a contradiction."""
    for _ in range(500):
        changed = False
        for total, parts in rel:
            lo = sum(cells[p][0] for p in parts)
            hi = sum(cells[p][1] for p in parts)
            t = cells[total]
            nt = (max(t[0], lo), min(t[1], hi))
            if nt[0] > nt[1]:
                return cells, (total, t, lo, hi)
            if nt != t:
                cells[total] = nt
                changed = True
            for p in parts:
                q = cells[p]
                nq = (max(q[0], cells[total][0] - (hi - q[1])), min(q[1], cells[total][1] - (lo - q[0])))
                if nq[0] > nq[1]:
                    return cells, (p, q, total, cells[total])
                if nq != q:
                    cells[p] = nq
                    changed = True
                    lo += nq[0] - q[0]
                    hi += nq[1] - q[1]
        if not changed:
            break
    return cells, None


def route8(a, b):
    """Two releases together: each release's cells and relations, tagged,
    and between them every cell of England and of a region that both
    publish: the councils in both whose published cells are the same are
    taken as unchanged (the same unknowns, their sum `rest`); the others
    (added, withdrawn, corrected) are the difference."""
    ya, yb = a.bench[0]["year"], b.bench[0]["year"]
    if ya != yb:
        return years(a, b, ya, yb)
    cells, published, rel = {}, {}, []
    for tag, x in (("old", a), ("new", b)):
        own = x.relations()
        for k, v in x.cells.items():
            cells[(tag, k)] = v
            published[(tag, k)] = x.published[k]
        rel += [((tag, t), [(tag, p) for p in parts]) for t, parts in own]
    codes = set(a.council_services) | set(b.council_services)
    unchanged = set()
    for code in codes:
        ka = {k: a.published[k] for k in a.cells if k[0] == code}
        kb = {k: b.published[k] for k in b.cells if k[0] == code}
        if ka and ka == kb:
            unchanged.add(code)
            for k in ka:
                rel.append((("new", k), [("old", k)]))
                rel.append((("old", k), [("new", k)]))
    between = 0
    for t in set(a.pool_parts) & set(b.pool_parts):
        if ("old", t) not in cells or ("new", t) not in cells:
            continue
        rest = ("rest", t)
        cells[rest] = (0, BIG)
        published[rest] = "(not published)"
        common = [p for p in a.pool_parts[t] if p[0] in unchanged and p in b.pool_parts[t]]
        rel.append((rest, [("old", p) for p in common]) if common else (rest, []))
        for tag, parts in (("old", a.pool_parts[t]), ("new", b.pool_parts[t])):
            rel.append(((tag, t), [rest] + [(tag, p) for p in parts if p not in common]))
        between += 1
    start = dict(cells)
    cells, contradiction = shuttle(cells, rel)
    breaches = []
    if contradiction:
        return [f"route 8: the two releases contradict each other at {contradiction}"], "route 8: contradiction"
    pinned = narrowed = 0
    for key, (lo, hi) in cells.items():
        if key[0] == "rest" or key[1][0] in ("England",) or key[1][0].startswith("E12"):
            continue
        if lo == hi and start[key][0] != start[key][1]:
            pinned += 1
            breaches.append(f"route 8: {key}: published as {published[key]}, pinned to {lo} by the two releases")
        elif (lo, hi) != start[key] and published[key] == "[c]":
            narrowed += 1
    added = sorted(set(b.council_services) - set(a.council_services))
    gone = sorted(set(a.council_services) - set(b.council_services))
    changed = sorted(codes - unchanged - set(added) - set(gone))
    log = (f"route 8: {between} cells of England and the regions in both releases; councils added {added}, "
           f"withdrawn {gone}, changed {changed}; {narrowed} withheld cells narrowed, {pinned} pinned")
    return breaches, log


def years(a, b, ya, yb):
    """Two years' releases: the later one publishes the earlier year again
    (table 5: all participants and like for like). Each is a figure from
    rounded counts; the all-participants figure of the earlier year must be
    the earlier release's England, so that differencing them gives nothing,
    and the like-for-like one (the councils in both years) rests on rounded
    counts, its interval the covering one: as wide as rounded counts allow."""
    breaches = []
    england = {r["indicator"]: r for r in a.bench
               if r["scope"] == "national" and r["service"] == "all" and not r["band"]}
    tables = os.path.join(b.public, "national", "tables")
    name = next((n for n in os.listdir(tables) if n.startswith("table-5-")), None)
    checked = 0
    if name:
        for r in csv.DictReader(open(os.path.join(tables, name), encoding="utf-8-sig")):
            if r["Pay band"] not in ("", "[z]") or r["Councils compared [note 7]"] != "All participants":
                continue
            e = england.get(r["Indicator"])
            if e is None:
                continue
            mine = (r[f"Relative likelihood {ya}"], r[f"95% CI lower {ya}"], r[f"95% CI upper {ya}"])
            theirs = (e["relative_likelihood"], e["ci_lower"], e["ci_upper"])
            checked += 1
            clean = lambda t: tuple("" if x in ("[x]", "[z]", "[c]") else x for x in t)  # noqa: E731
            if clean(mine) != clean(theirs):
                breaches.append(f"route 8: {yb}'s table 5 gives England {ya} for indicator {r['Indicator']} as {mine}, "
                                f"the {ya} release as {theirs}: the difference says something of a change of returns")
    gone = sorted(set(a.council_services) - set(b.council_services))
    return breaches, f"route 8: years {ya} and {yb}: {checked} figures of {ya} compared; councils that left {gone}"


POPULATION_WORDS = ("staff", "applicants", "professionals", "respondents", "in post")


def col(r, prefix):
    for k, v in r.items():
        if k.startswith(prefix):
            return v
    return ""


class Tables(html.parser.HTMLParser):
    """Every table of a page with a captioned id: its rows of cell texts."""

    def __init__(self):
        super().__init__()
        self.tables = {}
        self.current = None
        self.row = None
        self.cell = None
        self.in_caption = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.current = []
            self.pending = None
        elif tag == "caption" and self.current is not None:
            self.pending = a.get("id")
        elif tag == "tr" and self.current is not None:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append(self.cell.strip())
            self.cell = None
        elif tag == "tr" and self.row is not None and self.current is not None:
            self.current.append(self.row)
            self.row = None
        elif tag == "table" and self.current is not None:
            if self.pending:
                self.tables[self.pending] = self.current
            self.current = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def katz(a, n1, c, n2):
    if min(n1, c, n2) <= 0 or a > n1 or c > n2:
        return None
    if a == 0:
        # A relative likelihood of 0: the upper limit with 0.5 added to
        # each count (docs/methods.md).
        a5, m5, c5, w5 = 0.5, n1 + 0.5, c + 0.5, n2 + 0.5
        rl = (a5 / m5) / (c5 / w5)
        se = math.sqrt(1 / a5 - 1 / m5 + 1 / c5 - 1 / w5)
        return 0.0, 0.0, math.exp(math.log(rl) + Z * se)
    rl = (a / n1) / (c / n2)
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    return rl, math.exp(math.log(rl) - Z * se), math.exp(math.log(rl) + Z * se)


def same(published, value):
    """A published decimal shows `value` at its own precision."""
    if value is None:
        return False
    dp = len(published.split(".")[1]) if "." in published else 0
    return abs(float(published) - value) <= 0.5 * 10 ** -dp + 1e-9


def behind(r):
    """Every exact count a published count r could stand for."""
    if r == 0 or r % BASE != 0:
        return (r, r)
    half = BASE // 2
    return (max(r - half, MIN_COUNT, 1), r - half + BASE - 1)


def agrees(stats, counts, ind, margin=0):
    """The statistics are what the published (rounded) counts give: rates
    and the RL of the counts themselves, the interval that covers every
    count the rounding could hide (widened by a revision's margin), rounded
    outwards (docs/disclosure.md)."""
    me, mp, we, wp = counts
    k = katz(me, mp, we, wp)
    wide = lambda r: (max(0, behind(r)[0] - margin), behind(r)[1] + margin)  # noqa: E731
    cov = covering(wide(me), wide(mp), wide(we), wide(wp))
    lo = hi = None
    if k is not None:
        if isinstance(cov, tuple):
            lo, hi = floor2(cov[0]), ceil2(cov[1])
        else:
            lo, hi = floor2(k[1]), ceil2(k[2])
    want = {"relative_likelihood": k and k[0], "white_rate": we / wp if wp else None,
            "minoritised_rate": me / mp if mp else None,
            "minoritised_share": me / (me + we) if me + we else None}
    for name, text in stats.items():
        if text == "[c]":
            continue
        if name in ("ci_lower", "ci_upper"):
            v = lo if name == "ci_lower" else hi
            if v is None or abs(float(text) - v) > 1e-9:
                return False
        elif not same(text, want.get(name)):
            return False
    return True


def exact_agrees(stats, counts, ind):
    """The statistics are what these counts, taken as exact, give (the
    search of route 1 for the exact counts behind a leaking statistic)."""
    me, mp, we, wp = counts
    k = katz(me, mp, we, wp)
    want = {"relative_likelihood": k and k[0], "ci_lower": k and k[1], "ci_upper": k and k[2],
            "white_rate": we / wp if wp else None, "minoritised_rate": me / mp if mp else None,
            "minoritised_share": me / (me + we) if me + we else None}
    return all(text == "[c]" or same(text, want.get(name)) for name, text in stats.items())


def quantile(xs, p):
    if not xs:
        return None
    h = (len(xs) - 1) * p
    lo, hi = math.floor(h), math.ceil(h)
    return xs[lo] + (h - lo) * (xs[hi] - xs[lo])


def quantile_with_fn(xs, p):
    """x -> quantile(sorted(xs + [x]), p) for a sorted xs, without the
    sort: x is put among xs, and what does not depend on x is worked out
    once."""
    h = len(xs) * p
    lo, hi = math.floor(h), math.ceil(h)
    frac = h - lo
    bisect_left = bisect.bisect_left

    def q(x):
        at = bisect_left(xs, x)
        a = xs[lo] if lo < at else x if lo == at else xs[lo - 1]
        b = xs[hi] if hi < at else x if hi == at else xs[hi - 1]
        return a + frac * (b - a)
    return q


def read_truth(path):
    """The judge's exact counts: (scope, area, service, indicator, band) ->
    (minoritised events, population, white events, population)."""
    out = {}
    with open(path, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if r["white_events"] == "":
                continue
            out[(r["scope"], r["area_code"], r["service"], r["indicator"], r["band"])] = (
                int(r["minoritised_events"]), int(r["minoritised_population"]),
                int(r["white_events"]), int(r["white_population"]))
    return out


def read_band_labels(public):
    """Pay-band labels as the tables print them -> band ids, from the
    national table (whose rows name both)."""
    labels = {}
    tables = os.path.join(public, "national", "tables")
    nat = [n for n in os.listdir(tables) if n.startswith("table-1-")]
    bench = list(csv.DictReader(open(os.path.join(public, "benchmarks.csv"), encoding="utf-8")))
    ids = []
    for r in bench:
        if r["scope"] == "national" and r["indicator"] == "1" and r["band"] not in ids:
            ids.append(r["band"])
    seen = []
    for r in csv.DictReader(open(os.path.join(tables, nat[0]), encoding="utf-8")):
        if r["Indicator"] == "1" and r["Pay band"] not in seen:
            seen.append(r["Pay band"])
    for label, i in zip(seen, ids):
        labels[label] = i
    return labels


def main():
    global MIN_COUNT, BASE
    args = sys.argv[1:]
    pair = args[:1] == ["--pair"]
    if pair:
        args = args[1:]
    dirs = args[:2] if pair else args[:1]
    rest = args[len(dirs):]
    MIN_COUNT, BASE = int(rest[0]), int(rest[1])
    min_spread = int(rest[2]) if len(rest) > 2 else None
    attacks = [Attack(d, MIN_COUNT, BASE, min_spread) for d in dirs]
    breaches, log = [], []
    for a in attacks:
        a.run()
        log += [f"{os.path.basename(os.path.dirname(os.path.normpath(a.release)))}: {line}" if pair else line
                for line in a.log]
        breaches += a.breaches
    if pair:
        more, line = route8(*attacks)
        breaches += more
        log.append(line)
    for line in log:
        print(line)
    for b in breaches[:60]:
        print("BREACH", b)
    if len(breaches) > 60:
        print(f"... and {len(breaches) - 60} more")
    print(f"{len(breaches)} breaches")
    sys.exit(1 if breaches else 0)


if __name__ == "__main__":
    main()
