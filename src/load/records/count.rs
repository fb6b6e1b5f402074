//! Counting records into a return. Polars does the heavy work (group-bys
//! over the needed columns, joins of events to people); the few distinct
//! values that come out are then read through `vocab`, so every bad value
//! is reported once, with how many rows carry it and the first of them.

use super::Records;
use super::vocab::{self, EthnicityMap, Group};
use crate::indicators::{Band, Measure, Service};
use crate::load::diag::Diagnostic;
use crate::model::{Return, ServiceReturn, Triple};
use polars::prelude::*;
use std::collections::BTreeMap;

/// The record files of one council and year.
pub struct Inputs {
    pub staff: Records,
    pub leavers: Option<Records>,
    pub events: Option<Records>,
    pub recruitment: Option<Records>,
    pub survey: Option<Records>,
}

pub const STAFF: &[&str] = &[
    "person_id",
    "service",
    "ethnicity",
    "salary",
    "regulated",
    "senior_manager",
];
pub const LEAVERS: &[&str] = &["person_id", "service", "ethnicity"];
pub const EVENTS: &[&str] = &["person_id", "event"];
pub const RECRUITMENT: &[&str] = &["service", "ethnicity", "stage"];
pub const SURVEY: &[&str] = &[
    "service",
    "ethnicity",
    "harassment_public",
    "harassment_colleagues",
    "harassment_managers",
];

/// The optional files, in the order of [`Inputs`]: their option and the
/// measures each counts.
pub const OPTIONAL: [(&str, &[Measure]); 4] = [
    ("--leavers", &[Measure::Leavers]),
    (
        "--events",
        &[
            Measure::Disciplinary,
            Measure::FitnessToPractise,
            Measure::Cpd,
        ],
    ),
    ("--recruitment", &[Measure::Shortlisted, Measure::Appointed]),
    (
        "--survey",
        &[
            Measure::SurveyRespondents,
            Measure::HarassmentPublic,
            Measure::HarassmentColleagues,
            Measure::HarassmentManagers,
        ],
    ),
];

/// People shown by id in one message, at most.
pub(super) const EXAMPLES: usize = 3;

/// Every bad value of a column, once: how many rows, and the first.
#[derive(Default)]
pub(super) struct Problems {
    /// (file, column, matched key) → (value as first found, rows, first row, rule, hint)
    bad: BTreeMap<(String, String, String), Bad>,
    pub(super) other: Vec<(u32, Diagnostic)>,
}

struct Bad {
    shown: String,
    rows: u64,
    first: u32,
    rule: &'static str,
    hint: String,
}

impl Problems {
    pub(super) fn value(
        &mut self,
        r: &Records,
        column: &str,
        value: Option<&str>,
        n: u64,
        first: u32,
        rule: &'static str,
        hint: String,
    ) {
        let raw = value.unwrap_or("").to_string();
        let k = (r.shown.clone(), column.to_string(), vocab::key(&raw));
        let e = self.bad.entry(k).or_insert(Bad {
            shown: raw,
            rows: 0,
            first,
            rule,
            hint,
        });
        e.rows += n;
        e.first = e.first.min(first);
    }

    fn into_diags(self, files: &[&Records]) -> Vec<Diagnostic> {
        let mut all: Vec<(String, u32, Diagnostic)> = Vec::new();
        for ((file, column, _), b) in self.bad {
            let r = files.iter().find(|r| r.shown == file).expect("a file read");
            let rows = if b.rows == 1 {
                "1 row".to_string()
            } else {
                format!("{} rows (the first shown)", b.rows)
            };
            let d = Diagnostic::error(
                &file,
                r.place(b.first, &column),
                format!("{}, on {rows}", b.rule),
            )
            .value(if b.shown.is_empty() {
                "(blank)".to_string()
            } else {
                b.shown
            })
            .hint(b.hint);
            all.push((file, b.first, d));
        }
        for (row, d) in self.other {
            all.push((d.file.clone(), row, d));
        }
        all.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        all.into_iter().map(|(_, _, d)| d).collect()
    }
}

pub(super) fn pe(r: &Records, e: PolarsError) -> Diagnostic {
    Diagnostic::error(&r.shown, "", format!("cannot be counted ({e})"))
}

/// One row per distinct combination of `keys`, with its number of rows
/// (`n`) and first row (`first`), in the order first seen.
pub(super) fn distinct(r: &Records, keys: &[&str]) -> Result<DataFrame, Diagnostic> {
    r.frame
        .clone()
        .lazy()
        .group_by(keys.iter().map(|k| col(*k)).collect::<Vec<_>>())
        .agg([len().alias("n"), col("row").min().alias("first")])
        .sort(["first"], Default::default())
        .collect()
        .map_err(|e| pe(r, e))
}

/// The string column `name` of `df`, value by value.
pub(super) fn strs<'a>(df: &'a DataFrame, name: &str) -> Vec<Option<&'a str>> {
    df.column(name)
        .ok()
        .and_then(|c| c.str().ok())
        .map_or_else(Vec::new, |c| c.iter().collect())
}

pub(super) fn nums(df: &DataFrame, name: &str) -> Vec<u64> {
    df.column(name)
        .ok()
        .and_then(|c| c.cast(&DataType::UInt64).ok())
        .and_then(|c| {
            c.u64()
                .ok()
                .map(|c| c.iter().map(|v| v.unwrap_or(0)).collect())
        })
        .unwrap_or_default()
}

/// Counts by service and measure (headcount by band id).
#[derive(Default)]
pub(super) struct Acc {
    pub(super) bands: BTreeMap<String, Triple>,
    pub(super) measures: BTreeMap<Measure, Triple>,
}

pub(super) fn add(t: &mut Triple, g: Group, n: u64) {
    match g {
        Group::White => t.white += n,
        Group::Minoritised => t.minoritised += n,
        Group::Unknown => t.unknown += n,
    }
}

pub(super) struct Ctx<'a> {
    pub(super) map: &'a EthnicityMap,
    pub(super) bands: &'a [Band],
    pub(super) problems: Problems,
    pub(super) acc: BTreeMap<Service, Acc>,
}

impl Ctx<'_> {
    /// A row's service and ethnicity group, or the problems noted.
    pub(super) fn who(
        &mut self,
        r: &Records,
        service: Option<&str>,
        eth: Option<&str>,
        n: u64,
        first: u32,
    ) -> Option<(Service, Group)> {
        let s = vocab::service(service);
        if s.is_none() {
            self.problems.value(
                r,
                "service",
                service,
                n,
                first,
                "service must be adults or children",
                "give adults or children for every row".into(),
            );
        }
        let g = self.map.group(eth);
        if g.is_none() {
            self.problems.value(
                r,
                "ethnicity",
                eth,
                n,
                first,
                "an ethnicity the map does not know",
                "add it to your ethnicity map (--ethnicity-map) as white, minoritised or unknown"
                    .into(),
            );
        }
        Some((s?, g?))
    }

    pub(super) fn yes(
        &mut self,
        r: &Records,
        column: &str,
        v: Option<&str>,
        n: u64,
        first: u32,
    ) -> Option<bool> {
        match vocab::yes(v) {
            Ok(b) => Some(b),
            Err(()) => {
                self.problems.value(
                    r,
                    column,
                    v,
                    n,
                    first,
                    "not a yes/no value",
                    "use yes or no (y/n, true/false, 1/0 are read too); blank means no".into(),
                );
                None
            }
        }
    }

    pub(super) fn measure(&mut self, s: Service, m: Measure) -> &mut Triple {
        self.acc
            .entry(s)
            .or_default()
            .measures
            .entry(m)
            .or_default()
    }
}

/// Duplicate and blank identifiers of a file.
pub(super) fn ids(r: &Records, what: &str, p: &mut Problems) -> Result<(), Diagnostic> {
    let d = r
        .frame
        .clone()
        .lazy()
        .group_by([col("person_id")])
        .agg([len().alias("n"), col("row").min().alias("first")])
        .filter(col("n").gt(lit(1)).or(col("person_id").is_null()))
        .sort(["first"], Default::default())
        .collect()
        .map_err(|e| pe(r, e))?;
    let (id, n, first) = (strs(&d, "person_id"), nums(&d, "n"), nums(&d, "first"));
    for i in 0..d.height() {
        let row = first[i] as u32;
        let diag = match id[i] {
            None => Diagnostic::error(
                &r.shown,
                r.place(row, "person_id"),
                format!("a blank person_id, on {} rows (the first shown)", n[i]),
            )
            .hint(format!("every {what} needs an identifier")),
            Some(v) => Diagnostic::error(
                &r.shown,
                r.place(row, "person_id"),
                format!("the same person_id on {} rows (the first shown)", n[i]),
            )
            .value(v)
            .hint(format!(
                "person_id is unique among {what}: one row a person"
            )),
        };
        p.other.push((row, diag));
    }
    Ok(())
}

/// Extracts a council's return from its records. Every problem is listed;
/// the return is given only if there was none.
pub fn extract(
    code: &str,
    year: i32,
    inputs: &Inputs,
    map: &EthnicityMap,
    bands: &[Band],
) -> (Option<Return>, Vec<Diagnostic>) {
    let mut cx = Ctx {
        map,
        bands,
        problems: Problems::default(),
        acc: BTreeMap::new(),
    };
    let mut hard: Vec<Diagnostic> = Vec::new();
    if let Err(d) = super::files::staff(&mut cx, &inputs.staff) {
        hard.push(d);
    }
    if let Some(l) = &inputs.leavers {
        if let Err(d) = super::files::leavers(&mut cx, l, &inputs.staff) {
            hard.push(d);
        }
    }
    if let Some(e) = &inputs.events {
        if let Err(d) = super::files::events(&mut cx, e, &inputs.staff, inputs.leavers.as_ref()) {
            hard.push(d);
        }
    }
    if let Some(r) = &inputs.recruitment {
        if let Err(d) = super::files::recruitment(&mut cx, r) {
            hard.push(d);
        }
    }
    if let Some(s) = &inputs.survey {
        if let Err(d) = super::files::survey(&mut cx, s) {
            hard.push(d);
        }
    }
    // A file not given leaves its measures blank (the caller warns).
    let given = [
        inputs.leavers.is_some(),
        inputs.events.is_some(),
        inputs.recruitment.is_some(),
        inputs.survey.is_some(),
    ];
    let blank: Vec<Measure> = OPTIONAL
        .iter()
        .zip(given)
        .filter(|(_, g)| !g)
        .flat_map(|((_, measures), _)| measures.iter().copied())
        .collect();
    let files: Vec<&Records> = std::iter::once(&inputs.staff)
        .chain(inputs.leavers.iter())
        .chain(inputs.events.iter())
        .chain(inputs.recruitment.iter())
        .chain(inputs.survey.iter())
        .collect();
    let mut diags = hard;
    diags.extend(std::mem::take(&mut cx.problems).into_diags(&files));
    if !diags.is_empty() {
        return (None, diags);
    }
    let mut services = BTreeMap::new();
    for (s, a) in cx.acc {
        let mut sr = ServiceReturn::default();
        for b in bands {
            sr.bands.push((
                b.id.clone(),
                Some(a.bands.get(&b.id).copied().unwrap_or_default()),
            ));
        }
        for m in Measure::ALL
            .into_iter()
            .filter(|m| *m != Measure::Headcount)
        {
            let v = if blank.contains(&m) {
                None
            } else {
                Some(a.measures.get(&m).copied().unwrap_or_default())
            };
            sr.measures.insert(m, v);
        }
        services.insert(s, sr);
    }
    let ret = Return {
        source: inputs.staff.shown.clone(),
        authority_code: code.to_string(),
        year,
        services,
    };
    (Some(ret), diags)
}
