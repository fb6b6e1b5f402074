//! Compute: accepted returns in, every figure of docs/specification.md out, once.
//! Pure: no I/O. Pooling runs in polars; per-figure statistics under rayon.

mod counts;
mod coverage;
mod funnel;
mod pool;
pub mod quality;

pub use counts::{Within, with_counts, with_known};
use coverage::coverage;
pub use coverage::{Coverage, RegionCoverage};
pub use funnel::{Funnel, Limits, Position};

use crate::config::Config;
use crate::indicators::{Band, INDICATORS, Indicator, IndicatorId, Service};
use crate::model::{Return, Triple};
use crate::register::Register;
use crate::stats::{self, Assessment, NotCalculable, Rl};
use pool::{Level, Pooled};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    National,
    Region,
    Authority,
}

impl Scope {
    pub fn id(self) -> &'static str {
        match self {
            Scope::National => "national",
            Scope::Region => "region",
            Scope::Authority => "authority",
        }
    }
}

/// Events and population of one group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct GroupCount {
    pub events: u64,
    pub population: u64,
}

/// One computed figure: a row of results.csv.
#[derive(Clone, Debug, Serialize)]
pub struct Figure {
    pub year: i32,
    pub scope: Scope,
    pub area_code: String,
    pub service: Service,
    pub indicator: IndicatorId,
    pub band: Option<String>,
    /// `None` when no unit provided both measures: not provided.
    pub white: Option<GroupCount>,
    pub minoritised: Option<GroupCount>,
    pub unknown: Option<GroupCount>,
    pub white_rate: Option<f64>,
    pub minoritised_rate: Option<f64>,
    pub rl: Option<Rl>,
    pub not_calculable: Option<NotCalculable>,
    /// Indicators 1 and 9: minoritised share of the events among staff of
    /// known ethnicity, with its Wilson interval, and the same share of the
    /// population (the whole workforce).
    pub share: Option<f64>,
    pub share_ci: Option<(f64, f64)>,
    pub workforce_share: Option<f64>,
    pub assessment: Assessment,
    pub significant: Option<bool>,
    pub units: u32,
    pub units_left_out: u32,
    pub councils: u32,
    /// England's or a region's counts as a revision publishes them: the
    /// earlier release's published counts carried forward with the changed
    /// councils' published differences (`disclose::carry`). `None`: the
    /// counts are published rounded, as every other.
    #[serde(skip)]
    pub carried: Option<Carried>,
    /// England's or a region's within-council figure (`None` for a
    /// council, a pay band, or where it is not calculable).
    pub within: Option<Within>,
}

/// Published counts carried from an earlier release, and the margin beyond
/// their rounding within which the exact counts lie (a function of what is
/// published: the changed councils' rounded and withheld cells).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Carried {
    pub events: Triple,
    pub population: Triple,
    pub margin: u64,
}

impl Figure {
    /// A figure with no counts yet: not provided (no assessment for a
    /// descriptive indicator).
    pub fn empty(
        year: i32,
        scope: Scope,
        area_code: &str,
        service: Service,
        indicator: IndicatorId,
        band: Option<String>,
    ) -> Figure {
        Figure {
            year,
            scope,
            area_code: area_code.to_string(),
            service,
            indicator,
            band,
            white: None,
            minoritised: None,
            unknown: None,
            white_rate: None,
            minoritised_rate: None,
            rl: None,
            not_calculable: None,
            share: None,
            share_ci: None,
            workforce_share: None,
            assessment: if indicator.def().assessed() {
                Assessment::NotProvided
            } else {
                Assessment::None
            },
            significant: None,
            units: 0,
            units_left_out: 0,
            councils: 0,
            carried: None,
            within: None,
        }
    }

    pub fn indicator(&self) -> &'static Indicator {
        self.indicator.def()
    }

    pub fn provided(&self) -> bool {
        self.white.is_some()
    }
}

/// The spread of council figures for one indicator, service and band.
#[derive(Clone, Debug, Serialize)]
pub struct Spread {
    pub indicator: IndicatorId,
    pub service: Service,
    pub band: Option<String>,
    /// Councils with a calculable RL (the median and quartiles are theirs).
    pub councils: u32,
    /// Whether the tallies and quartiles may be shown: always for the exact
    /// spread; in the published spread only with at least
    /// `min_spread_councils` councils with a figure
    /// (`disclose::benchmarks::public_spread`).
    pub shown: bool,
    pub median: Option<f64>,
    pub lower_quartile: Option<f64>,
    pub upper_quartile: Option<f64>,
    pub adverse: u32,
    pub within_range: u32,
    pub favourable: u32,
    pub inconclusive: u32,
    pub not_calculable: u32,
    pub not_provided: u32,
    /// Councils whose figure a public report withholds (published spread
    /// only, `disclose::benchmarks::public_spread`).
    pub suppressed: u32,
}

/// Every figure of one collection year.
#[derive(Clone, Debug, Serialize)]
pub struct YearResults {
    pub year: i32,
    pub bands: Vec<Band>,
    pub figures: Vec<Figure>,
    pub spread: Vec<Spread>,
    pub coverage: Coverage,
    #[serde(skip)]
    index: HashMap<(Scope, String, Service, IndicatorId, Option<String>), usize>,
}

impl YearResults {
    pub fn find(
        &self,
        scope: Scope,
        area: &str,
        service: Service,
        ind: IndicatorId,
        band: Option<&str>,
    ) -> Option<&Figure> {
        self.index
            .get(&(
                scope,
                area.to_string(),
                service,
                ind,
                band.map(str::to_string),
            ))
            .map(|i| &self.figures[*i])
    }

    pub fn national(
        &self,
        service: Service,
        ind: IndicatorId,
        band: Option<&str>,
    ) -> Option<&Figure> {
        self.find(Scope::National, "", service, ind, band)
    }

    pub fn spread(
        &self,
        service: Service,
        ind: IndicatorId,
        band: Option<&str>,
    ) -> Option<&Spread> {
        self.spread
            .iter()
            .find(|s| s.service == service && s.indicator == ind && s.band.as_deref() == band)
    }
}

/// National figures for the councils that took part in both years.
#[derive(Clone, Debug, Serialize)]
pub struct LikeForLike {
    pub councils: usize,
    pub previous: YearResults,
    pub current: YearResults,
}

/// The whole computation behind every output of a run.
#[derive(Clone, Debug, Serialize)]
pub struct Results {
    pub current: YearResults,
    /// The back series: every earlier year's figures, oldest first.
    pub history: Vec<YearResults>,
    /// National figures of the councils in both the report year and the
    /// year before it.
    pub like_for_like: Option<LikeForLike>,
}

impl Results {
    /// The newest earlier year: the "previous year" of the reports.
    pub fn previous(&self) -> Option<&YearResults> {
        self.history.last()
    }
}

/// Computes the report year, every earlier year given as (returns, year),
/// oldest first, and like-for-like with the newest of them.
pub fn compute(
    current: &[Return],
    year: i32,
    earlier: &[(&[Return], i32)],
    register: &Register,
    config: &Config,
) -> anyhow::Result<Results> {
    let cur = compute_year(current, year, register, config)?;
    // Council figures are kept for the local reports' own series.
    let history = earlier
        .iter()
        .map(|(returns, y)| compute_year(returns, *y, register, config))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let lfl = match earlier.last() {
        None => None,
        Some((prev_returns, prev_year)) => {
            let both: BTreeSet<&str> = prev_returns
                .iter()
                .map(|r| r.authority_code.as_str())
                .collect();
            let cur_common: Vec<Return> = current
                .iter()
                .filter(|r| both.contains(r.authority_code.as_str()))
                .cloned()
                .collect();
            if cur_common.is_empty() {
                None
            } else {
                let codes: BTreeSet<&str> = cur_common
                    .iter()
                    .map(|r| r.authority_code.as_str())
                    .collect();
                let prev_common: Vec<Return> = prev_returns
                    .iter()
                    .filter(|r| codes.contains(r.authority_code.as_str()))
                    .cloned()
                    .collect();
                Some(LikeForLike {
                    councils: codes.len(),
                    previous: national_only(compute_year(
                        &prev_common,
                        *prev_year,
                        register,
                        config,
                    )?),
                    current: national_only(compute_year(&cur_common, year, register, config)?),
                })
            }
        }
    };
    Ok(Results {
        current: cur,
        history,
        like_for_like: lfl,
    })
}

fn national_only(mut y: YearResults) -> YearResults {
    y.figures.retain(|f| f.scope == Scope::National);
    y.spread.clear();
    y.reindex();
    y
}

/// Pooled rows from which a year's figures are computed in parallel.
const PARALLEL_FROM: usize = 512;

/// Every figure of one year.
pub fn compute_year(
    returns: &[Return],
    year: i32,
    register: &Register,
    config: &Config,
) -> anyhow::Result<YearResults> {
    let bands = config.bands(year);
    let units = pool::unit_frame(returns, register, &bands)?;
    let mut pooled = Vec::new();
    for level in [Level::National, Level::Region, Level::Authority] {
        pooled.extend(pool::pool(&units, level)?);
    }
    // In parallel for a national run; one council's few figures (the
    // service's own figures, on a request) are quicker on the calling
    // thread than handed to the pool, whose idle workers would then spin
    // beside the service's other requests.
    let mut figures: Vec<Figure> = if pooled.len() >= PARALLEL_FROM {
        pooled.par_iter().map(|p| figure(p, year, config)).collect()
    } else {
        pooled.iter().map(|p| figure(p, year, config)).collect()
    };
    let order = |f: &Figure| {
        let ind = f.indicator;
        let band = f
            .band
            .as_ref()
            .and_then(|b| bands.iter().position(|x| &x.id == b))
            .unwrap_or(0);
        (f.scope, f.area_code.clone(), f.service, ind, band)
    };
    // Sorted by scope, then area (`local_inputs` relies on it).
    figures.sort_by_cached_key(order);
    let spread = spread(&figures, &bands);
    let coverage = coverage(returns, register);
    let mut y = YearResults {
        year,
        bands,
        figures,
        spread,
        coverage,
        index: HashMap::new(),
    };
    y.reindex();
    Ok(y)
}

impl YearResults {
    fn reindex(&mut self) {
        self.index = self
            .figures
            .iter()
            .enumerate()
            .map(|(i, f)| {
                (
                    (
                        f.scope,
                        f.area_code.clone(),
                        f.service,
                        f.indicator,
                        f.band.clone(),
                    ),
                    i,
                )
            })
            .collect();
    }
}

/// National figures again from published national counts (a council's own
/// local report, built from `benchmarks.csv`): the same statistics as the
/// national run, from the same counts.
pub fn national_from_counts(
    year: i32,
    rows: &[crate::load::benchmarks::NationalCounts],
    config: &Config,
) -> Vec<Figure> {
    rows.iter()
        .map(|r| {
            let (events, population) = r.counts.unwrap_or_default();
            let p = Pooled {
                level: Level::National,
                area_code: String::new(),
                service: r.service,
                indicator: r.indicator,
                band: r.band.clone(),
                events,
                population,
                units: u32::from(r.counts.is_some()),
                units_left_out: r.units_left_out,
                councils: 0,
                within: stats::Terms::default(),
            };
            let mut f = figure(&p, year, config);
            // Counts carried from an earlier release: published with the
            // margin within which the exact counts lie.
            if let (Some((e, n)), true) = (r.counts, r.margin > 0) {
                f.carried = Some(Carried {
                    events: e,
                    population: n,
                    margin: r.margin,
                });
            }
            f
        })
        .collect()
}

/// What a council's local report reads of a published benchmarks file:
/// the national figures computed again from the national counts, and each
/// indicator's funnel of the published anonymous points around them.
pub fn published_benchmarks(
    p: &crate::load::benchmarks::Published,
    config: &Config,
) -> (Vec<Figure>, Vec<Funnel>) {
    let national = national_from_counts(p.year, &p.national, config);
    let funnels = INDICATORS
        .iter()
        .filter_map(|ind| {
            let nat = national
                .iter()
                .find(|f| f.service == Service::All && f.indicator == ind.id && f.band.is_none())?;
            let (phi, tau2) = p
                .national
                .iter()
                .find(|r| r.service == Service::All && r.indicator == ind.id && r.band.is_none())
                .and_then(|r| r.funnel)
                .unwrap_or((0.0, 0.0));
            let points = p
                .funnel_points
                .iter()
                .filter(|q| q.indicator == ind.id)
                .map(|q| (q.staff, q.rl))
                .collect();
            // The national run's overdispersion, from its exact points.
            Funnel::with(nat, points, phi, tau2)
        })
        .collect();
    (national, funnels)
}

/// The band with the lowest minoritised share of an indicator reported by
/// pay band (nationally, all services), if any share is calculable.
pub fn lowest_share_band(y: &YearResults, ind: IndicatorId) -> Option<&Band> {
    y.bands
        .iter()
        .filter_map(|b| Some((b, y.national(Service::All, ind, Some(&b.id))?.share?)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(b, _)| b)
}

/// The statistics of one pooled group.
fn figure(p: &Pooled, year: i32, config: &Config) -> Figure {
    let ind = p.indicator.def();
    let scope = match p.level {
        Level::National => Scope::National,
        Level::Region => Scope::Region,
        Level::Authority => Scope::Authority,
    };
    let mut f = Figure::empty(year, scope, &p.area_code, p.service, ind.id, p.band.clone());
    (f.units, f.units_left_out, f.councils) = (p.units, p.units_left_out, p.councils);
    if p.units == 0 {
        return f;
    }
    with_counts(
        &mut f,
        p.events,
        p.population,
        config.band_lower,
        config.band_upper,
    );
    if scope != Scope::Authority && p.band.is_none() {
        f.within = Within::of(p.within, ind, config.band_lower, config.band_upper);
    }
    f
}

fn spread(figures: &[Figure], bands: &[Band]) -> Vec<Spread> {
    let mut out = Vec::new();
    for ind in &INDICATORS {
        let band_ids: Vec<Option<String>> = if ind.per_band {
            bands.iter().map(|b| Some(b.id.clone())).collect()
        } else {
            vec![None]
        };
        for band in band_ids {
            for service in Service::ALL3 {
                let council: Vec<&Figure> = figures
                    .iter()
                    .filter(|f| {
                        f.scope == Scope::Authority
                            && f.indicator == ind.id
                            && f.service == service
                            && f.band == band
                    })
                    .collect();
                let mut rls: Vec<f64> = council.iter().filter_map(|f| f.rl.map(|r| r.rl)).collect();
                rls.sort_by(f64::total_cmp);
                let count =
                    |a: Assessment| council.iter().filter(|f| f.assessment == a).count() as u32;
                out.push(Spread {
                    indicator: ind.id,
                    service,
                    band: band.clone(),
                    councils: rls.len() as u32,
                    shown: true,
                    median: stats::quantile_sorted(&rls, 0.5),
                    lower_quartile: stats::quantile_sorted(&rls, 0.25),
                    upper_quartile: stats::quantile_sorted(&rls, 0.75),
                    adverse: count(Assessment::Adverse),
                    within_range: count(Assessment::WithinRange),
                    favourable: count(Assessment::Favourable),
                    inconclusive: count(Assessment::Inconclusive),
                    not_calculable: count(Assessment::NotCalculable),
                    not_provided: count(Assessment::NotProvided),
                    suppressed: 0,
                });
            }
        }
    }
    out
}
