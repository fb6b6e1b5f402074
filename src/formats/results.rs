//! `results.csv`: every computed figure, unsuppressed (docs/outputs.md).

use super::{csv_bytes, csv_rows, opt};
use crate::compute::{Figure, GroupCount, Results, Scope, YearResults};
use crate::format::decimal;
use crate::stats::Assessment;
use serde::{Deserialize, Serialize};

/// The columns, in the order of docs/specification.md.
pub const COLUMNS: [&str; 20] = [
    "year",
    "scope",
    "area_code",
    "service",
    "indicator",
    "band",
    "white_events",
    "white_population",
    "minoritised_events",
    "minoritised_population",
    "unknown_events",
    "unknown_population",
    "white_rate",
    "minoritised_rate",
    "relative_likelihood",
    "ci_lower",
    "ci_upper",
    "minoritised_share",
    "assessment",
    "significant",
];

/// One row of results.csv, as text: what is written is what is read.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ResultRow {
    pub year: String,
    pub scope: String,
    pub area_code: String,
    pub service: String,
    pub indicator: String,
    pub band: String,
    pub white_events: String,
    pub white_population: String,
    pub minoritised_events: String,
    pub minoritised_population: String,
    pub unknown_events: String,
    pub unknown_population: String,
    pub white_rate: String,
    pub minoritised_rate: String,
    pub relative_likelihood: String,
    pub ci_lower: String,
    pub ci_upper: String,
    pub minoritised_share: String,
    pub assessment: String,
    pub significant: String,
}

impl ResultRow {
    /// The six counts with their column names: white, minoritised and
    /// unknown events and population.
    pub fn counts(&self) -> [(&'static str, &str); 6] {
        [
            ("white_events", &self.white_events),
            ("white_population", &self.white_population),
            ("minoritised_events", &self.minoritised_events),
            ("minoritised_population", &self.minoritised_population),
            ("unknown_events", &self.unknown_events),
            ("unknown_population", &self.unknown_population),
        ]
    }

    /// Every value column (all but the six that say which figure this is),
    /// with its name.
    pub fn values(&self) -> Vec<(&'static str, &str)> {
        let mut v = self.counts().to_vec();
        v.extend([
            ("white_rate", self.white_rate.as_str()),
            ("minoritised_rate", &self.minoritised_rate),
            ("relative_likelihood", &self.relative_likelihood),
            ("ci_lower", &self.ci_lower),
            ("ci_upper", &self.ci_upper),
            ("minoritised_share", &self.minoritised_share),
            ("assessment", &self.assessment),
            ("significant", &self.significant),
        ]);
        v
    }

    /// Which figure the row is.
    pub fn key(&self) -> FigureKey {
        [
            self.year.clone(),
            self.scope.clone(),
            self.area_code.clone(),
            self.service.clone(),
            self.indicator.clone(),
            self.band.clone(),
        ]
    }

    /// A computed figure, exactly.
    pub fn of(f: &Figure) -> ResultRow {
        let [year, scope, area_code, service, indicator, band] = key_of(f);
        let g = |x: Option<GroupCount>, ev: bool| {
            opt(x.map(|g| if ev { g.events } else { g.population }))
        };
        let assessment = match f.assessment {
            Assessment::None => String::new(),
            a => a.id().to_string(),
        };
        ResultRow {
            year,
            scope,
            area_code,
            service,
            indicator,
            band,
            white_events: g(f.white, true),
            white_population: g(f.white, false),
            minoritised_events: g(f.minoritised, true),
            minoritised_population: g(f.minoritised, false),
            unknown_events: g(f.unknown, true),
            unknown_population: g(f.unknown, false),
            white_rate: opt(f.white_rate.map(decimal)),
            minoritised_rate: opt(f.minoritised_rate.map(decimal)),
            relative_likelihood: opt(f.rl.map(|r| decimal(r.rl))),
            ci_lower: opt(f.rl.map(|r| decimal(r.lower))),
            ci_upper: opt(f.rl.map(|r| decimal(r.upper))),
            minoritised_share: opt(f.share.map(decimal)),
            assessment,
            significant: opt(f.significant),
        }
    }
}

impl ResultRow {
    /// The row of a figure as a public file shows it
    /// (`disclose::Policy::published`): rates and shares to 3 decimal
    /// places, relative likelihoods and limits to 2.
    pub fn published(f: &Figure) -> ResultRow {
        let fixed = |x: Option<f64>, dp: usize| x.map(|x| format!("{x:.dp$}")).unwrap_or_default();
        ResultRow {
            white_rate: fixed(f.white_rate, 3),
            minoritised_rate: fixed(f.minoritised_rate, 3),
            relative_likelihood: fixed(f.rl.map(|r| r.rl), 2),
            ci_lower: fixed(f.rl.map(|r| r.lower), 2),
            ci_upper: fixed(f.rl.map(|r| r.upper), 2),
            minoritised_share: fixed(f.share, 3),
            ..ResultRow::of(f)
        }
    }
}

/// Which figure a row is: its first six columns (year, scope, area code,
/// service, indicator, band).
pub type FigureKey = [String; 6];

/// The key a computed figure's row has, without formatting its values.
pub fn key_of(f: &Figure) -> FigureKey {
    [
        f.year.to_string(),
        f.scope.id().to_string(),
        f.area_code.clone(),
        f.service.id().to_string(),
        f.indicator.to_string(),
        f.band.clone().unwrap_or_default(),
    ]
}

/// The `scope` of the like-for-like rows: national figures of the councils
/// whose returns were used in both years.
pub const LIKE_FOR_LIKE: &str = "national_like_for_like";

/// results.csv of a run: every figure of the report year; every earlier
/// year's national figures (the back series); and the like-for-like national figures of both
/// years (scope `national_like_for_like`), so that every figure a report
/// prints is in the file.
pub fn of_run(r: &Results) -> Vec<u8> {
    csv_bytes(&COLUMNS, rows_of_run(r))
}

/// The rows of [`of_run`], made one at a time: a million rows (18,000
/// councils) held at once as text would take several times the file.
pub fn rows_of_run(r: &Results) -> impl Iterator<Item = ResultRow> + '_ {
    fn national(y: &YearResults) -> impl Iterator<Item = ResultRow> + '_ {
        y.figures
            .iter()
            .filter(|f| f.scope == Scope::National)
            .map(ResultRow::of)
    }
    let like_for_like = r
        .like_for_like
        .iter()
        .flat_map(|l| [&l.previous, &l.current])
        .flat_map(national)
        .map(|mut row| {
            row.scope = LIKE_FOR_LIKE.into();
            row
        });
    r.current
        .figures
        .iter()
        .map(ResultRow::of)
        .chain(r.history.iter().flat_map(national))
        .chain(like_for_like)
}

/// The rows of a results.csv, for checks and comparisons.
pub fn read(file: &str, bytes: &[u8]) -> Result<Vec<ResultRow>, String> {
    Ok(csv_rows(file, bytes, &COLUMNS)?
        .into_iter()
        .map(|(_, r)| r)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_the_row_fields_in_order() {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.serialize(ResultRow::default()).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(text.lines().next().unwrap(), COLUMNS.join(","));
    }

    #[test]
    fn rows_round_trip() {
        let row = ResultRow {
            year: "2024".into(),
            scope: "national".into(),
            indicator: "7a".into(),
            relative_likelihood: "1.234567890".into(),
            ..ResultRow::default()
        };
        let bytes = csv_bytes(&COLUMNS, [row.clone()]);
        assert_eq!(read("results.csv", &bytes).unwrap(), vec![row]);
    }
}
