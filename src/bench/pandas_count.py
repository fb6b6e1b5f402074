"""The obvious alternative to `scwres extract`, as an analyst would write it
with pandas: the same counts from the same five files (default pay bands;
the ethnicity values the benchmark's files use). Run by `scwres bench` when
pandas is installed; its output is not compared, only timed.

    python3 pandas_count.py DIR
"""
import sys

import pandas as pd

d = sys.argv[1]
YES = {"yes", "y", "true", "1"}
UNKNOWN = {"", "not stated", "not known", "prefer not to say", "z", "99"}


def read(name, cols):
    df = pd.read_csv(f"{d}/{name}", dtype=str, keep_default_na=False)
    df.columns = [c.strip().lower() for c in df.columns]
    return df[cols]


def group(s):
    k = s.str.split().str.join(" ").str.lower()
    return k.map(lambda e: "unknown" if e in UNKNOWN else "white" if e in ("a", "b", "c") or e.startswith("white:") else "minoritised")


def yes(s):
    return s.str.strip().str.lower().isin(YES)


staff = read("staff.csv", ["person_id", "service", "ethnicity", "salary", "regulated", "senior_manager"])
staff["service"] = staff["service"].str.strip().str.lower()
staff["group"] = group(staff["ethnicity"])
sal = staff["salary"].str.replace("£", "", regex=False).str.replace(",", "", regex=False).astype(float)
staff["band"] = pd.cut(sal, [-1, 29999.999, 69999.999, float("inf")], labels=["under_30k", "30k_to_69k", "70k_plus"])
out = [staff.groupby(["service", "band", "group"], observed=True).size()]
out.append(staff[yes(staff["regulated"])].groupby(["service", "group"]).size())
out.append(staff[yes(staff["senior_manager"])].groupby(["service", "group"]).size())
assert not staff["person_id"].duplicated().any()

leavers = read("leavers.csv", ["person_id", "service", "ethnicity"])
leavers["service"] = leavers["service"].str.strip().str.lower()
leavers["group"] = group(leavers["ethnicity"])
out.append(leavers.groupby(["service", "group"]).size())

people = pd.concat([staff[["person_id", "service", "group"]], leavers[["person_id", "service", "group"]]])
events = read("events.csv", ["person_id", "event"])
events["event"] = events["event"].str.strip().str.lower()
events = events.drop_duplicates(["person_id", "event"]).merge(people, on="person_id", how="left")
out.append(events.groupby(["event", "service", "group"]).size())

rec = read("recruitment.csv", ["service", "ethnicity", "stage"])
rec["service"] = rec["service"].str.strip().str.lower()
rec["group"] = group(rec["ethnicity"])
stage = rec["stage"].str.strip().str.lower()
out.append(rec[stage.isin(["shortlisted", "appointed"])].groupby(["service", "group"]).size())
out.append(rec[stage == "appointed"].groupby(["service", "group"]).size())

survey = read("survey.csv", ["service", "ethnicity", "harassment_public", "harassment_colleagues", "harassment_managers"])
survey["service"] = survey["service"].str.strip().str.lower()
survey["group"] = group(survey["ethnicity"])
out.append(survey.groupby(["service", "group"]).size())
for c in ["harassment_public", "harassment_colleagues", "harassment_managers"]:
    out.append(survey[yes(survey[c])].groupby(["service", "group"]).size())

with open(f"{d}/pandas-counts.txt", "w") as f:
    for o in out:
        f.write(o.to_string() + "\n")
