//! Counting records into a return. Records are grouped by the needed
//! columns' value indexes (`distinct`); the few distinct values that come
//! out are then read through `vocab`, so every bad value is reported once,
//! with how many rows carry it and the first of them.

use super::vocab::{self, EthnicityMap, Group};
use super::{BLANK, ID, QuickMap, Records};
use crate::diag::Diagnostic;
use crate::indicators::{Band, Measure, Service};
use crate::model::{Return, ServiceReturn, Triple};
use std::collections::BTreeMap;
use std::collections::hash_map::Entry;

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

/// Columns grouped by at most, at once.
const MAX_KEYS: usize = 5;

/// One distinct combination of some columns' values: how many records
/// carry it and the first of them.
pub(super) struct Distinct<'a> {
    pub(super) values: Vec<Option<&'a str>>,
    pub(super) n: u64,
    pub(super) first: u32,
}

/// Every distinct combination of `keys` (at most [`MAX_KEYS`]), in the
/// order first seen (so by first record).
pub(super) fn distinct<'a>(r: &'a Records, keys: &[&str]) -> Vec<Distinct<'a>> {
    assert!(
        keys.len() <= MAX_KEYS,
        "grouped by at most {MAX_KEYS} columns"
    );
    let cols: Vec<_> = keys.iter().map(|k| r.column(k)).collect();
    let mut at: QuickMap<[u32; MAX_KEYS], usize> = QuickMap::default();
    let mut groups: Vec<([u32; MAX_KEYS], u64, u32)> = Vec::new();
    for row in 0..r.len() {
        let mut key = [0u32; MAX_KEYS];
        for (k, c) in cols.iter().enumerate() {
            key[k] = c.ids()[row];
        }
        match at.entry(key) {
            Entry::Occupied(e) => groups[*e.get()].1 += 1,
            Entry::Vacant(e) => {
                e.insert(groups.len());
                groups.push((key, 1, row as u32));
            }
        }
    }
    groups
        .into_iter()
        .map(|(key, n, first)| Distinct {
            values: cols.iter().zip(key).map(|(c, id)| c.value(id)).collect(),
            n,
            first,
        })
        .collect()
}

/// Each value's first record, by value index (values are indexed in the
/// order first seen).
pub(super) fn first_rows(ids: &[u32], values: usize) -> Vec<u32> {
    let mut first = vec![u32::MAX; values];
    for (row, &id) in ids.iter().enumerate() {
        if id != BLANK && first[id as usize] == u32::MAX {
            first[id as usize] = row as u32;
        }
    }
    first
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

/// The problem of `n` blank identifiers, the first at record `first`.
pub(super) fn blank_ids(r: &Records, n: u64, first: u32, hint: String) -> (u32, Diagnostic) {
    (
        first,
        Diagnostic::error(
            &r.shown,
            r.place(first, ID),
            format!("a blank person_id, on {n} rows (the first shown)"),
        )
        .hint(hint),
    )
}

/// Duplicate and blank identifiers of a file.
pub(super) fn ids(r: &Records, what: &str, p: &mut Problems) {
    let c = r.column(ID);
    let mut n = vec![0u64; c.distinct().len()];
    let (mut blanks, mut blank_first) = (0u64, u32::MAX);
    for (row, &id) in c.ids().iter().enumerate() {
        if id == BLANK {
            blanks += 1;
            blank_first = blank_first.min(row as u32);
        } else {
            n[id as usize] += 1;
        }
    }
    let first = first_rows(c.ids(), n.len());
    let mut found: Vec<(u32, Diagnostic)> = Vec::new();
    if blanks > 0 {
        found.push(blank_ids(
            r,
            blanks,
            blank_first,
            format!("every {what} needs an identifier"),
        ));
    }
    for (id, &k) in n.iter().enumerate() {
        if k > 1 {
            let row = first[id];
            found.push((
                row,
                Diagnostic::error(
                    &r.shown,
                    r.place(row, ID),
                    format!("the same person_id on {k} rows (the first shown)"),
                )
                .value(&*c.distinct()[id])
                .hint(format!(
                    "person_id is unique among {what}: one row a person"
                )),
            ));
        }
    }
    // Identifiers a spreadsheet read as numbers: where the others keep
    // their leading zeros (`000123`), a shorter all-digit one (`124`) lost
    // them, and would match nobody in another file.
    let digits = |v: &str| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit());
    let width = c
        .distinct()
        .iter()
        .filter(|v| v.starts_with('0') && digits(v))
        .map(|v| v.len())
        .max();
    if let Some(width) = width {
        let short: Vec<usize> = (0..c.distinct().len())
            .filter(|&id| {
                let v = &c.distinct()[id];
                digits(v) && !v.starts_with('0') && v.len() < width
            })
            .collect();
        if let Some(&id) = short.first() {
            let row = first[id];
            found.push((
                row,
                Diagnostic::error(
                    &r.shown,
                    r.place(row, ID),
                    format!(
                        "{} person_id {} lost {} leading zeros (others have {width} digits), the first shown",
                        short.len(),
                        if short.len() == 1 { "value" } else { "values" },
                        if short.len() == 1 { "its" } else { "their" }
                    ),
                )
                .value(&*c.distinct()[id])
                .hint("a spreadsheet read the identifiers as numbers: format the person_id column as Text and export again"),
            ));
        }
    }
    found.sort_by_key(|(row, _)| *row);
    p.other.extend(found);
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
    super::files::staff(&mut cx, &inputs.staff);
    if let Some(l) = &inputs.leavers {
        super::files::leavers(&mut cx, l, &inputs.staff);
    }
    if let Some(e) = &inputs.events {
        super::files::events(&mut cx, e, &inputs.staff, inputs.leavers.as_ref());
    }
    if let Some(r) = &inputs.recruitment {
        super::files::recruitment(&mut cx, r);
    }
    if let Some(s) = &inputs.survey {
        super::files::survey(&mut cx, s);
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
    let diags = std::mem::take(&mut cx.problems).into_diags(&files);
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
