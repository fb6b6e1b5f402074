//! Revise: the figures of this run against those of an earlier release of
//! the same collection year (its `results.csv` and `manifest.json`). Pure:
//! rows in, revisions out. Only published figures are compared (national,
//! regional and like-for-like rows); what changed is said by value, and why
//! by the returns added, withdrawn or corrected since.

use crate::formats::manifest::{Input, Manifest};
use crate::formats::results::ResultRow;
use serde::Serialize;
use std::collections::BTreeMap;

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

type Key = (String, String, String, String, String, String);

fn key(r: &ResultRow) -> Key {
    (
        r.year.clone(),
        r.scope.clone(),
        r.area_code.clone(),
        r.service.clone(),
        r.indicator.clone(),
        r.band.clone(),
    )
}

/// Published rows: national, regional and like-for-like.
fn published(rows: &[ResultRow]) -> BTreeMap<Key, &ResultRow> {
    rows.iter()
        .filter(|r| r.scope != "authority")
        .map(|r| (key(r), r))
        .collect()
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
    ) -> Revisions {
        let (a, b) = (published(old), published(new));
        let mut changes = Vec::new();
        let change = |k: &Key, column: &str, old: &str, new: &str| Revision {
            year: k.0.clone(),
            scope: k.1.clone(),
            area_code: k.2.clone(),
            service: k.3.clone(),
            indicator: k.4.clone(),
            band: k.5.clone(),
            column: column.into(),
            old: old.into(),
            new: new.into(),
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
        let k = key(&ResultRow::of(f));
        self.changes.iter().any(|c| {
            (
                &c.year,
                &c.scope,
                &c.area_code,
                &c.service,
                &c.indicator,
                &c.band,
            ) == (&k.0, &k.1, &k.2, &k.3, &k.4, &k.5)
        })
    }

    /// `revisions.csv`: every changed value, old and new.
    pub fn csv(&self) -> Vec<u8> {
        crate::formats::csv_bytes(&COLUMNS, &self.changes)
    }

    /// Distinct figures revised.
    pub fn figures(&self) -> usize {
        let mut keys: Vec<_> = self
            .changes
            .iter()
            .map(|c| {
                (
                    &c.year,
                    &c.scope,
                    &c.area_code,
                    &c.service,
                    &c.indicator,
                    &c.band,
                )
            })
            .collect();
        keys.dedup();
        keys.len()
    }
}
