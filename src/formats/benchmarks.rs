//! `benchmarks.csv`: what the national run publishes for every council to
//! build its own local report (national figures with the spread across
//! councils, disclosure-controlled regional figures, anonymous funnel
//! points). `disclose::benchmarks` makes the rows, `load::benchmarks` checks
//! the rows read back; both use [`BenchRow`].

use super::results::{COLUMNS as RESULT_COLUMNS, ResultRow};
use super::{csv_bytes, csv_rows};
use serde::{Deserialize, Serialize};

/// The columns after those of results.csv.
pub const EXTRA_COLUMNS: [&str; 17] = [
    "councils",
    "median",
    "lower_quartile",
    "upper_quartile",
    "councils_adverse",
    "councils_within_range",
    "councils_favourable",
    "councils_not_calculable",
    "councils_not_provided",
    "units_left_out",
    "funnel_staff",
    "synthetic",
    "funnel_phi",
    "funnel_tau2",
    "councils_suppressed",
    "councils_inconclusive",
    "count_margin",
];

/// Every column, in order.
pub fn columns() -> Vec<&'static str> {
    RESULT_COLUMNS
        .iter()
        .chain(&EXTRA_COLUMNS)
        .copied()
        .collect()
}

/// One row of benchmarks.csv, as text: the columns of results.csv, then
/// [`BenchExtra`]'s. `scope` is `national`, `region` or `funnel_point`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BenchRow {
    pub result: ResultRow,
    pub extra: BenchExtra,
}

/// The columns of benchmarks.csv after those of results.csv.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BenchExtra {
    pub councils: String,
    pub median: String,
    pub lower_quartile: String,
    pub upper_quartile: String,
    pub councils_adverse: String,
    pub councils_within_range: String,
    pub councils_favourable: String,
    pub councils_not_calculable: String,
    pub councils_not_provided: String,
    pub units_left_out: String,
    pub funnel_staff: String,
    pub synthetic: String,
    /// On an indicator's national row (all services): its funnel's
    /// overdispersion, so that every local report uses the national limits.
    pub funnel_phi: String,
    pub funnel_tau2: String,
    /// Councils whose figure their public report withholds.
    pub councils_suppressed: String,
    /// Councils whose verdict is inconclusive.
    pub councils_inconclusive: String,
    /// On a national or regional row of a revision: how far beyond their
    /// rounding the exact counts may lie, the counts being carried from the
    /// earlier release (`disclose::carry`); empty otherwise.
    pub count_margin: String,
}

impl Serialize for BenchRow {
    /// One flat record: the two structs one after the other.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (&self.result, &self.extra).serialize(s)
    }
}

impl BenchRow {
    /// A row whose first columns are those of a results.csv row.
    pub fn from_result(result: ResultRow) -> BenchRow {
        BenchRow {
            result,
            extra: BenchExtra::default(),
        }
    }
}

pub fn write(rows: &[BenchRow]) -> Vec<u8> {
    csv_bytes(&columns(), rows)
}

/// The rows of a benchmarks file with their line numbers, columns found by
/// name. `file` names it in messages.
pub fn read(file: &str, bytes: &[u8]) -> Result<Vec<(usize, BenchRow)>, String> {
    let result: Vec<(usize, ResultRow)> = csv_rows(file, bytes, &columns()).map_err(|e| {
        if e.contains("no column") {
            format!("{e}; is this a benchmarks.csv from scwres 0.2 or later?")
        } else {
            e
        }
    })?;
    let extra: Vec<(usize, BenchExtra)> = csv_rows(file, bytes, &columns())?;
    Ok(result
        .into_iter()
        .zip(extra)
        .map(|((line, result), (_, extra))| (line, BenchRow { result, extra }))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_columns_are_the_fields_in_order() {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.serialize(BenchExtra::default()).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(text.lines().next().unwrap(), EXTRA_COLUMNS.join(","));
    }

    #[test]
    fn rows_round_trip() {
        let row = BenchRow {
            result: ResultRow {
                year: "2024".into(),
                scope: "funnel_point".into(),
                relative_likelihood: "1.250".into(),
                ..ResultRow::default()
            },
            extra: BenchExtra {
                funnel_staff: "125".into(),
                synthetic: "true".into(),
                ..BenchExtra::default()
            },
        };
        let bytes = write(std::slice::from_ref(&row));
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert_eq!(
            text.lines().nth(1).unwrap().split(',').count(),
            columns().len()
        );
        assert_eq!(read("b.csv", &bytes).unwrap(), vec![(2, row)]);
        assert!(
            read("b.csv", b"year,scope\n")
                .unwrap_err()
                .contains("no column")
        );
    }
}
