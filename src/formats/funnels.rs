//! `funnels.csv`: each indicator's funnel plot (all services) as the
//! reports draw it: its target, the councils with a figure and those drawn,
//! the overdispersion and how many councils lie outside the limits.

use super::{csv_bytes, csv_rows};
use crate::compute::Funnel;
use serde::{Deserialize, Serialize};

pub const COLUMNS: [&str; 11] = [
    "indicator",
    "target",
    "councils",
    "drawn",
    "phi",
    "tau2",
    "adjusted",
    "above95",
    "below95",
    "above998",
    "below998",
];

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FunnelRow {
    pub indicator: String,
    pub target: String,
    /// Councils with a figure: the overdispersion and the counts outside
    /// the limits are of them.
    pub councils: String,
    /// Councils drawn: those whose public report shows their figure.
    pub drawn: String,
    pub phi: String,
    pub tau2: String,
    pub adjusted: String,
    pub above95: String,
    pub below95: String,
    pub above998: String,
    pub below998: String,
}

impl FunnelRow {
    pub fn of(f: &Funnel) -> FunnelRow {
        FunnelRow {
            indicator: f.indicator.to_string(),
            // Published precision (docs/disclosure.md): the target as a
            // relative likelihood, the overdispersion as published in
            // benchmarks.csv (4 significant digits).
            target: format!("{:.2}", f.target),
            councils: f.councils.to_string(),
            drawn: f.points.len().to_string(),
            phi: f.phi.to_string(),
            tau2: f.tau2.to_string(),
            adjusted: f.adjusted().to_string(),
            above95: f.above95.to_string(),
            below95: f.below95.to_string(),
            above998: f.above998.to_string(),
            below998: f.below998.to_string(),
        }
    }
}

pub fn write(funnels: &[Funnel]) -> Vec<u8> {
    csv_bytes(&COLUMNS, funnels.iter().map(FunnelRow::of))
}

pub fn read(file: &str, bytes: &[u8]) -> Result<Vec<FunnelRow>, String> {
    Ok(csv_rows(file, bytes, &COLUMNS)?
        .into_iter()
        .map(|(_, r)| r)
        .collect())
}
