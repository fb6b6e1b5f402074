"""An independent count of staff records into a return, for tests/suite/extract.rs.

Written apart from scwres (Python standard library only, from
docs/extract.md): it reads the five record files of a folder and prints the
canonical return CSV, rows sorted, for the default pay bands. It knows only
the values the demo generator writes (ONS labels, NHS codes A-C for white,
the unknown values), not the whole built-in map.

    python3 count_staff.py DIR CODE YEAR
"""
import collections
import csv
import sys

base, code, year = sys.argv[1], sys.argv[2], sys.argv[3]
YES = ("yes", "y", "true", "1")
UNKNOWN = {"", "not stated", "not known", "prefer not to say", "z", "99"}


def rows(name):
    with open(f"{base}/{name}", newline="", encoding="utf-8") as f:
        r = csv.reader(f)
        head = [h.strip().lower() for h in next(r)]
        for row in r:
            yield dict(zip(head, row))


def group(e):
    e = " ".join(e.split()).lower()
    if e in UNKNOWN:
        return "unknown"
    if e in ("a", "b", "c") or e.startswith("white:"):
        return "white"
    return "minoritised"


def band(salary):
    s = float(salary.strip().replace("£", "").replace(",", ""))
    return "70k_plus" if s >= 70000 else "30k_to_69k" if s >= 30000 else "under_30k"


c = collections.Counter()
services = set()
staff = {}
for p in rows("staff.csv"):
    s, g = p["service"].strip().lower(), group(p["ethnicity"])
    services.add(s)
    staff[p["person_id"]] = (s, g)
    c[(s, "headcount", band(p["salary"]), g)] += 1
    c[(s, "regulated_professionals", "", g)] += p["regulated"].strip().lower() in YES
    c[(s, "senior_managers", "", g)] += p["senior_manager"].strip().lower() in YES
for p in rows("leavers.csv"):
    c[(p["service"].strip().lower(), "leavers", "", group(p["ethnicity"]))] += 1
seen = set()
for e in rows("events.csv"):
    key = (e["person_id"], e["event"].strip().lower())
    if key not in seen:
        seen.add(key)
        s, g = staff[e["person_id"]]
        c[(s, key[1], "", g)] += 1
for r in rows("recruitment.csv"):
    s, g, st = r["service"].strip().lower(), group(r["ethnicity"]), r["stage"].strip().lower()
    c[(s, "shortlisted", "", g)] += st in ("shortlisted", "appointed")
    c[(s, "appointed", "", g)] += st == "appointed"
for r in rows("survey.csv"):
    s, g = r["service"].strip().lower(), group(r["ethnicity"])
    c[(s, "survey_respondents", "", g)] += 1
    for m in ("harassment_public", "harassment_colleagues", "harassment_managers"):
        c[(s, m, "", g)] += r[m].strip().lower() in YES

measures = ["shortlisted", "appointed", "disciplinary", "regulated_professionals",
            "fitness_to_practise", "cpd", "leavers", "senior_managers", "survey_respondents",
            "harassment_public", "harassment_colleagues", "harassment_managers"]
out = []
for s in sorted(services):
    keys = [("headcount", b) for b in ("under_30k", "30k_to_69k", "70k_plus")]
    keys += [(m, "") for m in measures]
    for m, b in keys:
        w, mi, u = (c[(s, m, b, g)] for g in ("white", "minoritised", "unknown"))
        out.append(f"{code},{year},{s},{m},{b},{w},{mi},{u}")
print("authority_code,year,service,measure,band,white,minoritised,unknown")
for line in sorted(out):
    print(line)
