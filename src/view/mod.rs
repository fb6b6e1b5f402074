//! Views: one plain data model per document, exactly what a renderer may
//! read. Built from the computed figures through `disclose` (which decides
//! what is shown); views add no statistics of their own. A local report's
//! view is built from its own council's figures and the published
//! benchmarks only, never from the whole `Results`.
//!
//! Charts are drawn here (by `chart`, to SVG) from the same figures, since
//! a chart is part of what a reader sees; every renderer embeds them as
//! they are.

pub mod index;
pub mod local;
pub mod national;
pub mod own;
pub mod tables;

use crate::config::{Audience, Config};
use crate::disclose::ShownFigure;
use crate::indicators::Service;
use serde::Serialize;

/// What every chart made from synthetic data says on its face.
pub const SYNTHETIC_NOTE: &str = "Synthetic demo data";

fn note(synthetic: bool) -> Option<&'static str> {
    synthetic.then_some(SYNTHETIC_NOTE)
}

/// A chart of a document: its file name inside the document and its SVG.
pub type Chart = (String, Vec<u8>);

/// What a chart draws, row by row: the data table a web page gives under
/// the chart. Made from the very points handed to the chart, so the table
/// and the picture cannot disagree (and show nothing the picture does not).
#[derive(Clone, Debug, Serialize)]
pub struct ChartData {
    /// What the categories are: `service`, `indicator`, `year`, `band`.
    pub category: &'static str,
    /// What the values are: `rl` (with an interval) or `share`.
    pub measure: &'static str,
    pub rows: Vec<DataRow>,
}

/// One plotted value.
#[derive(Clone, Debug, Serialize)]
pub struct DataRow {
    pub series: String,
    pub category: String,
    pub value: f64,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

impl ChartData {
    /// The relative likelihoods of an RL chart, in the order drawn.
    pub fn rl(category: &'static str, points: &[crate::chart::RlPoint], names: &[String]) -> Self {
        let rows = points
            .iter()
            .map(|p| DataRow {
                series: names.get(p.series).cloned().unwrap_or_default(),
                category: p.category.clone(),
                value: p.rl,
                lower: Some(p.lower),
                upper: Some(p.upper),
            })
            .collect();
        ChartData {
            category,
            measure: "rl",
            rows,
        }
    }

    /// The shares of a share chart, then its reference line, if any.
    pub fn share(
        category: &'static str,
        bars: &[crate::chart::Bar],
        names: &[String],
        reference: Option<&(String, f64)>,
    ) -> Self {
        let mut rows: Vec<DataRow> = bars
            .iter()
            .map(|b| DataRow {
                series: names.get(b.series).cloned().unwrap_or_default(),
                category: b.category.clone(),
                value: b.share,
                lower: b.ci.map(|c| c.0),
                upper: b.ci.map(|c| c.1),
            })
            .collect();
        if let Some((label, share)) = reference {
            rows.push(DataRow {
                series: label.clone(),
                category: String::new(),
                value: *share,
                lower: None,
                upper: None,
            });
        }
        ChartData {
            category,
            measure: "share",
            rows,
        }
    }
}

/// Every chart's data, by the chart's file name.
pub type ChartTables = std::collections::BTreeMap<String, ChartData>;

/// Information every report carries.
#[derive(Clone, Debug, Serialize)]
pub struct Meta {
    pub year: i32,
    pub previous_year: Option<i32>,
    pub synthetic: bool,
    pub internal: bool,
    /// report.yaml's `publication` (producer, contact, release date and
    /// time, status, pre-release access...), as templates read it:
    /// `meta.producer`, `meta.release_date`.
    #[serde(flatten)]
    pub publication: crate::config::Publication,
    pub band_lower: f64,
    pub band_upper: f64,
    pub min_count: u64,
    pub rounding_base: u64,
    pub min_region_councils: usize,
    pub min_spread_councils: usize,
    pub version: &'static str,
}

impl Meta {
    pub fn new(config: &Config, year: i32, previous_year: Option<i32>) -> Meta {
        let p = &config.publication;
        Meta {
            year,
            previous_year,
            synthetic: config.synthetic,
            internal: config.audience == Audience::Internal,
            publication: p.clone(),
            band_lower: config.band_lower,
            band_upper: config.band_upper,
            min_count: config.disclosure.min_count,
            rounding_base: config.disclosure.rounding_base,
            min_region_councils: config.min_region_councils,
            min_spread_councils: config.min_spread_councils,
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

/// A figure for each service.
#[derive(Clone, Debug, Serialize)]
pub struct ByService {
    pub adults: Option<ShownFigure>,
    pub children: Option<ShownFigure>,
    pub all: Option<ShownFigure>,
}

impl ByService {
    pub fn new(mut get: impl FnMut(Service) -> Option<ShownFigure>) -> ByService {
        ByService {
            adults: get(Service::Adults),
            children: get(Service::Children),
            all: get(Service::All),
        }
    }
}

/// Chart series names for a year and the year before it, if any.
fn year_names(year: i32, previous: Option<i32>) -> Vec<String> {
    [Some(year), previous]
        .into_iter()
        .flatten()
        .map(|x| x.to_string())
        .collect()
}

/// Relative likelihoods by category with intervals, as SVG bytes.
fn rl_svg(
    cats: &[String],
    points: &[crate::chart::RlPoint],
    names: &[String],
    config: &Config,
) -> Result<Vec<u8>, String> {
    let svg = crate::chart::rl_chart(
        cats,
        points,
        names,
        (config.band_lower, config.band_upper),
        note(config.synthetic),
    )?;
    Ok(svg.into_bytes())
}
