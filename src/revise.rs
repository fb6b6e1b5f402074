//! Revise: the figures of this run against those of an earlier release of
//! the same collection year (its `results.csv` and `manifest.json`). Pure:
//! rows in, revisions out. Only published figures are compared (national,
//! regional and like-for-like rows); what changed is said by value, and why
//! by the returns added, withdrawn or corrected since.

use crate::formats::manifest::{Input, Manifest};
use crate::formats::results::{FigureKey, ResultRow, key_of};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// The columns of revisions.csv: the fields of [`Revision`].
pub const COLUMNS: [&str; 9] = [
    "year",
    "scope",
    "area_code",
    "service",
    "indicator",
    "band",
    "column",
    "old",
    "new",
];

/// One changed value of one figure.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Revision {
    pub year: String,
    pub scope: String,
    pub area_code: String,
    pub service: String,
    pub indicator: String,
    pub band: String,
    /// The results.csv column that changed; `figure` when the figure itself
    /// was added or withdrawn.
    pub column: String,
    pub old: String,
    pub new: String,
}

/// What changed since the earlier release, and why.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Revisions {
    /// The earlier release's date (from its manifest's configuration).
    pub previous_release: String,
    pub changes: Vec<Revision>,
    /// Return files accepted now and not then; accepted then and not now;
    /// accepted in both with other contents.
    pub added: Vec<String>,
    pub withdrawn: Vec<String>,
    pub corrected: Vec<String>,
}

/// Published rows: national, like-for-like, and the regional rows in
/// `regions` (a regional figure of fewer than `min_region_councils` councils
/// is never published). `None`: every regional row (an earlier release
/// whose public benchmarks.csv is not at hand).
fn published<'a>(
    rows: &'a [ResultRow],
    regions: Option<&HashSet<FigureKey>>,
) -> BTreeMap<FigureKey, &'a ResultRow> {
    rows.iter()
        .filter(|r| r.scope != "authority")
        .map(|r| (r.key(), r))
        .filter(|(k, r)| r.scope != "region" || regions.is_none_or(|p| p.contains(k)))
        .collect()
}

/// A council's own figures (its `authority` rows) that differ between two
/// releases of a year: what a council whose return was corrected is shown.
/// Exact figures: for the council itself.
pub fn council_changes(old: &[ResultRow], new: &[ResultRow], code: &str) -> Vec<Revision> {
    let own = |rows: &[ResultRow]| -> BTreeMap<FigureKey, ResultRow> {
        rows.iter()
            .filter(|r| r.scope == "authority" && r.area_code == code)
            .map(|r| (r.key(), r.clone()))
            .collect()
    };
    let (a, b) = (own(old), own(new));
    let mut out = Vec::new();
    for k in a.keys().chain(b.keys().filter(|k| !a.contains_key(*k))) {
        let [year, scope, area_code, service, indicator, band] = k.clone();
        let rev = |column: &str, old: &str, new: &str| Revision {
            year: year.clone(),
            scope: scope.clone(),
            area_code: area_code.clone(),
            service: service.clone(),
            indicator: indicator.clone(),
            band: band.clone(),
            column: column.into(),
            old: old.into(),
            new: new.into(),
        };
        match (a.get(k), b.get(k)) {
            (Some(x), Some(y)) => {
                for ((column, ov), (_, nv)) in x.values().into_iter().zip(y.values()) {
                    if ov != nv {
                        out.push(rev(column, ov, nv));
                    }
                }
            }
            (Some(_), None) => out.push(rev("figure", "published", "withdrawn")),
            (None, Some(_)) => out.push(rev("figure", "", "published")),
            (None, None) => {}
        }
    }
    out
}

impl Revisions {
    /// Compares this run (`new`, with its inputs) with an earlier release.
    /// `returns` is the folder prefix of the year's returns in the inputs
    /// (`returns/2024/`).
    pub fn compare(
        old: &[ResultRow],
        earlier: &Manifest,
        new: &[ResultRow],
        inputs: &[Input],
        returns: &str,
        regions_then: Option<&HashSet<FigureKey>>,
        regions_now: &HashSet<FigureKey>,
    ) -> Revisions {
        let (a, b) = (
            published(old, regions_then),
            published(new, Some(regions_now)),
        );
        let mut changes = Vec::new();
        let change = |k: &FigureKey, column: &str, old: &str, new: &str| {
            let [year, scope, area_code, service, indicator, band] = k.clone();
            Revision {
                year,
                scope,
                area_code,
                service,
                indicator,
                band,
                column: column.into(),
                old: old.into(),
                new: new.into(),
            }
        };
        for k in a.keys().chain(b.keys().filter(|k| !a.contains_key(*k))) {
            match (a.get(k), b.get(k)) {
                (Some(x), Some(y)) => {
                    for ((column, ov), (_, nv)) in x.values().into_iter().zip(y.values()) {
                        if ov != nv {
                            changes.push(change(k, column, ov, nv));
                        }
                    }
                }
                (Some(_), None) => changes.push(change(k, "figure", "published", "withdrawn")),
                (None, Some(_)) => changes.push(change(k, "figure", "", "published")),
                (None, None) => {}
            }
        }
        let accepted = |inputs: &[Input]| -> BTreeMap<String, Option<String>> {
            inputs
                .iter()
                .filter(|i| i.status == "accepted" && i.file.starts_with(returns))
                .map(|i| (i.file.clone(), i.sha256.clone()))
                .collect()
        };
        let (then, now) = (accepted(&earlier.inputs), accepted(inputs));
        Revisions {
            previous_release: earlier.configuration["publication"]["release_date"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            changes,
            added: now
                .keys()
                .filter(|f| !then.contains_key(*f))
                .cloned()
                .collect(),
            withdrawn: then
                .keys()
                .filter(|f| !now.contains_key(*f))
                .cloned()
                .collect(),
            corrected: now
                .iter()
                .filter(|(f, h)| then.get(*f).is_some_and(|t| t != *h))
                .map(|(f, _)| f.clone())
                .collect(),
        }
    }

    /// Whether any value of the figure changed.
    pub fn revised(&self, f: &crate::compute::Figure) -> bool {
        let k = key_of(f);
        self.changes.iter().any(|c| c.key() == k)
    }

    /// `revisions.csv`: every changed value, old and new.
    pub fn csv(&self) -> Vec<u8> {
        crate::formats::csv_bytes(&COLUMNS, &self.changes)
    }

    /// Distinct figures revised (a figure's changes are listed together).
    pub fn figures(&self) -> usize {
        let mut keys: Vec<FigureKey> = self.changes.iter().map(Revision::key).collect();
        keys.dedup();
        keys.len()
    }
}

impl Revision {
    /// Which figure changed.
    fn key(&self) -> FigureKey {
        [
            self.year.clone(),
            self.scope.clone(),
            self.area_code.clone(),
            self.service.clone(),
            self.indicator.clone(),
            self.band.clone(),
        ]
    }
}
