//! Views: one plain data model per document, exactly what a renderer may
//! read. Built from the computed figures through `disclose` (which decides
//! what is shown); views add no statistics of their own. A local report's
//! view is built from its own council's figures and the published
//! benchmarks only, never from the whole `Results`.
//!
//! Charts are drawn here (by `chart`, to SVG) from the same figures, since
//! a chart is part of what a reader sees; every renderer embeds them as
//! they are.

pub mod local;
pub mod national;
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

/// Information every report carries.
#[derive(Clone, Debug, Serialize)]
pub struct Meta {
    pub year: i32,
    pub previous_year: Option<i32>,
    pub synthetic: bool,
    pub internal: bool,
    pub producer: String,
    pub contact_name: String,
    pub contact_email: String,
    pub release_date: String,
    pub band_lower: f64,
    pub band_upper: f64,
    pub min_count: u64,
    pub rounding_base: u64,
    pub min_region_councils: usize,
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
            producer: p.producer.clone(),
            contact_name: p.contact_name.clone(),
            contact_email: p.contact_email.clone(),
            release_date: p.release_date.to_string(),
            band_lower: config.band_lower,
            band_upper: config.band_upper,
            min_count: config.disclosure.min_count,
            rounding_base: config.disclosure.rounding_base,
            min_region_councils: config.min_region_councils,
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
