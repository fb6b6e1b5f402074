//! `suppressions.csv`: every figure withheld by disclosure control, with the
//! document it was withheld from and why (an id of `disclose::Withheld`).

use super::{csv_bytes, csv_rows};
use crate::disclose::Suppression;
use serde::{Deserialize, Serialize};

pub const COLUMNS: [&str; 7] = [
    "report",
    "year",
    "area_code",
    "service",
    "indicator",
    "band",
    "what",
];

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SuppressionRow {
    pub report: String,
    pub year: String,
    pub area_code: String,
    pub service: String,
    pub indicator: String,
    pub band: String,
    pub what: String,
}

impl SuppressionRow {
    pub fn of(s: &Suppression) -> SuppressionRow {
        SuppressionRow {
            report: s.report.clone(),
            year: s.year.to_string(),
            area_code: s.area_code.clone(),
            service: s.service.id().to_string(),
            indicator: s.indicator.map(|i| i.to_string()).unwrap_or_default(),
            band: s.band.clone().unwrap_or_default(),
            what: s.what.id().to_string(),
        }
    }
}

pub fn write(log: &[Suppression]) -> Vec<u8> {
    csv_bytes(&COLUMNS, log.iter().map(SuppressionRow::of))
}

pub fn read(file: &str, bytes: &[u8]) -> Result<Vec<SuppressionRow>, String> {
    Ok(csv_rows(file, bytes, &COLUMNS)?
        .into_iter()
        .map(|(_, r)| r)
        .collect())
}
