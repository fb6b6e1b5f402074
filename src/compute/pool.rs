//! Pooling with polars: one row per unit (council × service) and indicator,
//! summed over the units that provided both events and population.

use crate::indicators::{INDICATORS, IndicatorId, Service};
use crate::model::{Return, Triple};
use crate::register::Register;
use crate::stats::{self, Terms};
use polars::prelude::*;

/// The level at which units are pooled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Authority,
    Region,
    National,
}

/// One pooled group: sums over the units that provided both measures.
#[derive(Clone, Debug)]
pub struct Pooled {
    pub level: Level,
    pub area_code: String,
    pub service: Service,
    pub indicator: IndicatorId,
    pub band: Option<String>,
    /// Events then population, per group (white, minoritised, unknown).
    pub events: Triple,
    pub population: Triple,
    /// Units (council × service) that provided both measures.
    pub units: u32,
    /// Units of the group that left either measure blank.
    pub units_left_out: u32,
    /// Councils with at least one contributing unit.
    pub councils: u32,
    /// The within-council (Mantel-Haenszel) sums over the contributing
    /// units, each unit (council × service) a stratum.
    pub within: Terms,
}

const SUMS: [&str; 6] = ["w_ev", "m_ev", "u_ev", "w_pop", "m_pop", "u_pop"];
/// The within-council terms of each unit (`stats::terms`), summed as are
/// the counts.
const TERMS: [&str; 3] = ["mh_r", "mh_s", "mh_v"];

/// The unit table: every (council, service, indicator, band) of the returns.
pub fn unit_frame(
    returns: &[Return],
    register: &Register,
    bands: &[crate::indicators::Band],
) -> PolarsResult<DataFrame> {
    let mut authority = Vec::new();
    let mut region = Vec::new();
    let mut service = Vec::new();
    let mut indicator = Vec::new();
    let mut band = Vec::new();
    let mut provided = Vec::new();
    let mut sums: [Vec<Option<u64>>; 6] = Default::default();
    let mut terms: [Vec<Option<f64>>; 3] = Default::default();
    for r in returns {
        let region_code = register
            .get(&r.authority_code)
            .map(|a| a.region_code.clone())
            .unwrap_or_default();
        for (s, sr) in &r.services {
            for ind in &INDICATORS {
                let rows: Vec<(String, Option<Triple>, Option<Triple>)> = if ind.per_band {
                    bands
                        .iter()
                        .map(|b| (b.id.clone(), sr.band(&b.id), sr.headcount()))
                        .collect()
                } else {
                    vec![(String::new(), sr.get(ind.events), sr.get(ind.population))]
                };
                for (b, ev, pop) in rows {
                    authority.push(r.authority_code.clone());
                    region.push(region_code.clone());
                    service.push(s.id());
                    indicator.push(ind.id.as_str());
                    band.push(b);
                    let both = ev.zip(pop);
                    provided.push(both.is_some());
                    let vals = both.map(|(e, p)| {
                        [
                            e.white,
                            e.minoritised,
                            e.unknown,
                            p.white,
                            p.minoritised,
                            p.unknown,
                        ]
                    });
                    for (k, col) in sums.iter_mut().enumerate() {
                        col.push(vals.map(|v| v[k]));
                    }
                    let t = vals.map(|v| stats::terms(v[1], v[4], v[0], v[3]));
                    terms[0].push(t.map(|t| t.r));
                    terms[1].push(t.map(|t| t.s));
                    terms[2].push(t.map(|t| t.v));
                }
            }
        }
    }
    let height = authority.len();
    let mut cols = vec![
        Column::new("authority".into(), authority),
        Column::new("region".into(), region),
        Column::new("service".into(), service),
        Column::new("indicator".into(), indicator),
        Column::new("band".into(), band),
        Column::new("provided".into(), provided),
    ];
    for (name, v) in SUMS.iter().zip(sums) {
        cols.push(Column::new((*name).into(), v));
    }
    for (name, v) in TERMS.iter().zip(terms) {
        cols.push(Column::new((*name).into(), v));
    }
    DataFrame::new(height, cols)
}

/// Pools the unit table at a level, per service and for all services.
pub fn pool(units: &DataFrame, level: Level) -> PolarsResult<Vec<Pooled>> {
    let mut out = Vec::new();
    for by_service in [true, false] {
        let mut keys: Vec<Expr> = Vec::new();
        match level {
            Level::Authority => keys.push(col("authority")),
            Level::Region => keys.push(col("region")),
            Level::National => {}
        }
        if by_service {
            keys.push(col("service"));
        }
        keys.push(col("indicator"));
        keys.push(col("band"));
        let mut aggs: Vec<Expr> = SUMS.iter().chain(&TERMS).map(|c| col(*c).sum()).collect();
        aggs.push(col("provided").cast(DataType::UInt64).sum().alias("units"));
        aggs.push(len().cast(DataType::UInt64).alias("total"));
        aggs.push(
            col("authority")
                .filter(col("provided"))
                .n_unique()
                .cast(DataType::UInt64)
                .alias("councils"),
        );
        let df = units
            .clone()
            .lazy()
            .group_by_stable(keys)
            .agg(aggs)
            .collect()?;

        let u = |name: &str| -> PolarsResult<Vec<u64>> {
            let ca = df.column(name)?.u64()?;
            Ok((0..ca.len()).map(|i| ca.get(i).unwrap_or(0)).collect())
        };
        let s = |name: &str| -> PolarsResult<Vec<String>> {
            let ca = df.column(name)?.str()?;
            Ok((0..ca.len())
                .map(|i| ca.get(i).unwrap_or("").to_string())
                .collect())
        };
        let area = match level {
            Level::Authority => s("authority")?,
            Level::Region => s("region")?,
            Level::National => vec![String::new(); df.height()],
        };
        let service = if by_service {
            s("service")?
        } else {
            vec!["all".into(); df.height()]
        };
        let indicator = s("indicator")?;
        let band = s("band")?;
        let sums: Vec<Vec<u64>> = SUMS.iter().map(|c| u(c)).collect::<PolarsResult<_>>()?;
        let f = |name: &str| -> PolarsResult<Vec<f64>> {
            let ca = df.column(name)?.f64()?;
            Ok((0..ca.len()).map(|i| ca.get(i).unwrap_or(0.0)).collect())
        };
        let terms: Vec<Vec<f64>> = TERMS.iter().map(|c| f(c)).collect::<PolarsResult<_>>()?;
        let units_n = u("units")?;
        let total = u("total")?;
        let councils = u("councils")?;
        for i in 0..df.height() {
            let Some(ind) = IndicatorId::parse(&indicator[i]) else {
                continue;
            };
            out.push(Pooled {
                level,
                area_code: area[i].clone(),
                service: Service::from_id(&service[i]).unwrap_or(Service::All),
                indicator: ind,
                band: (!band[i].is_empty()).then(|| band[i].clone()),
                events: Triple {
                    white: sums[0][i],
                    minoritised: sums[1][i],
                    unknown: sums[2][i],
                },
                population: Triple {
                    white: sums[3][i],
                    minoritised: sums[4][i],
                    unknown: sums[5][i],
                },
                units: units_n[i] as u32,
                units_left_out: (total[i] - units_n[i]) as u32,
                councils: councils[i] as u32,
                within: Terms {
                    r: terms[0][i],
                    s: terms[1][i],
                    v: terms[2][i],
                },
            });
        }
    }
    Ok(out)
}
