//! Views: exactly what a template may read, built from the computed figures.
//! Disclosure control happens here, once, for every published council or
//! regional value. A local report is built from its own council's figures
//! and the published `Benchmarks` only, never from the whole `Results`.

use crate::chart::{self, Bar, RlPoint};
use crate::compute::{Figure, Funnel, Results, Scope, Spread, YearResults};
use crate::config::{Audience, Config};
use crate::indicators::{Band, INDICATORS, Indicator, Measure, Service};
use crate::load::actions::{Action, ActionPlan};
use crate::load::benchmarks::{Cell, Published, RegionFigure};
use crate::load::{Status, YearData};
use crate::register::{Authority, Register};
use crate::stats::Assessment;
use serde::Serialize;

/// What every chart made from synthetic data says on its face.
pub const SYNTHETIC_NOTE: &str = "Synthetic demo data";

fn note(config: &Config) -> Option<&'static str> {
    config.synthetic.then_some(SYNTHETIC_NOTE)
}

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
            release_date: p.release_date.clone(),
            band_lower: config.band_lower,
            band_upper: config.band_upper,
            min_count: config.disclosure.min_count,
            rounding_base: config.disclosure.rounding_base,
            min_region_councils: config.min_region_councils,
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

/// A number, or a shorthand such as `[c]` in its place.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(untagged)]
pub enum Shown {
    N(f64),
    T(&'static str),
}

pub const SUPPRESSED: Shown = Shown::T("[c]");

/// One figure as a template sees it.
#[derive(Clone, Debug, Serialize)]
pub struct FigView {
    pub provided: bool,
    pub white_events: Option<Shown>,
    pub white_population: Option<Shown>,
    pub minoritised_events: Option<Shown>,
    pub minoritised_population: Option<Shown>,
    pub unknown_events: Option<Shown>,
    pub unknown_population: Option<Shown>,
    pub white_rate: Option<Shown>,
    pub minoritised_rate: Option<Shown>,
    pub rl: Option<Shown>,
    pub lower: Option<Shown>,
    pub upper: Option<Shown>,
    pub share: Option<Shown>,
    pub share_lower: Option<Shown>,
    pub share_upper: Option<Shown>,
    pub workforce_share: Option<Shown>,
    /// An assessment id, or `suppressed`.
    pub assessment: &'static str,
    pub significant: Option<bool>,
    pub reason: Option<&'static str>,
    pub units_left_out: u32,
    pub councils: u32,
    pub suppressed: bool,
}

/// One suppression, for the log.
#[derive(Clone, Debug, Serialize)]
pub struct Suppression {
    pub report: String,
    /// The collection year of the figure.
    pub year: i32,
    pub area_code: String,
    pub service: &'static str,
    pub indicator: &'static str,
    pub band: String,
    pub what: &'static str,
}

/// Disclosure control of published sub-national figures (indicators.md).
pub struct Disclosure<'a> {
    pub config: &'a Config,
    pub report: String,
    /// The year and area of the figures now being controlled, for the log.
    pub year: i32,
    pub area: String,
    pub log: Vec<Suppression>,
}

impl Disclosure<'_> {
    fn active(&self) -> bool {
        self.config.audience == Audience::Public
    }

    fn small(&self, n: u64) -> bool {
        n > 0 && n < self.config.disclosure.min_count
    }

    /// 0 stays 0, small counts are `[c]`, others rounded to the base.
    pub fn count(&self, n: u64) -> Shown {
        if !self.active() {
            return Shown::N(n as f64);
        }
        if self.small(n) {
            return SUPPRESSED;
        }
        let b = self.config.disclosure.rounding_base;
        Shown::N((((n + b / 2) / b) * b) as f64)
    }

    /// A figure with the rules applied; exact when the audience is internal.
    pub fn figure(&mut self, f: &Figure) -> FigView {
        let mut v = exact(f);
        if !self.active() || !f.provided() {
            return v;
        }
        let (w, m, u) = (f.white.unwrap(), f.minoritised.unwrap(), f.unknown.unwrap());
        v.white_events = Some(self.count(w.events));
        v.white_population = Some(self.count(w.population));
        v.minoritised_events = Some(self.count(m.events));
        v.minoritised_population = Some(self.count(m.population));
        v.unknown_events = Some(self.count(u.events));
        v.unknown_population = Some(self.count(u.population));
        let mut whats: Vec<&'static str> = Vec::new();
        if self.small(w.events) || self.small(m.events) {
            for x in [
                &mut v.white_rate,
                &mut v.minoritised_rate,
                &mut v.rl,
                &mut v.lower,
                &mut v.upper,
                &mut v.share,
                &mut v.share_lower,
                &mut v.share_upper,
            ] {
                if x.is_some() {
                    *x = Some(SUPPRESSED);
                }
            }
            if f.indicator().assessed() {
                v.assessment = "suppressed";
            }
            v.significant = None;
            v.suppressed = true;
            whats.push("rates and relative likelihood: an event count of 1 to 7");
        }
        if v.workforce_share.is_some() && (self.small(w.population) || self.small(m.population)) {
            v.workforce_share = Some(SUPPRESSED);
            whats.push("workforce share: a headcount of 1 to 7");
        }
        if [w, m, u]
            .iter()
            .any(|g| self.small(g.events) || self.small(g.population))
        {
            whats.push("counts of 1 to 7 shown as [c]");
        }
        for what in whats {
            self.log.push(Suppression {
                report: self.report.clone(),
                year: f.year,
                area_code: f.area_code.clone(),
                service: f.service.id(),
                indicator: f.indicator,
                band: f.band.clone().unwrap_or_default(),
                what,
            });
        }
        v
    }
}

/// A figure exactly as computed (national figures; internal audience).
pub fn exact(f: &Figure) -> FigView {
    let n = |x: u64| Some(Shown::N(x as f64));
    let fl = |x: Option<f64>| x.map(Shown::N);
    FigView {
        provided: f.provided(),
        white_events: f.white.and_then(|g| n(g.events)),
        white_population: f.white.and_then(|g| n(g.population)),
        minoritised_events: f.minoritised.and_then(|g| n(g.events)),
        minoritised_population: f.minoritised.and_then(|g| n(g.population)),
        unknown_events: f.unknown.and_then(|g| n(g.events)),
        unknown_population: f.unknown.and_then(|g| n(g.population)),
        white_rate: fl(f.white_rate),
        minoritised_rate: fl(f.minoritised_rate),
        rl: fl(f.rl.map(|r| r.rl)),
        lower: fl(f.rl.map(|r| r.lower)),
        upper: fl(f.rl.map(|r| r.upper)),
        share: fl(f.share),
        share_lower: fl(f.share_ci.map(|c| c.0)),
        share_upper: fl(f.share_ci.map(|c| c.1)),
        workforce_share: fl(f.workforce_share),
        assessment: f.assessment.id(),
        significant: f.significant,
        reason: f.not_calculable.map(|r| r.reason()),
        units_left_out: f.units_left_out,
        councils: f.councils,
        suppressed: false,
    }
}

/// The national and regional figures a council needs for its local report:
/// what `benchmarks.csv` publishes. No council's own figures are in it.
#[derive(Clone, Debug)]
pub struct Benchmarks {
    pub year: i32,
    pub bands: Vec<Band>,
    pub national: Vec<Figure>,
    /// Regional figures, only where enough councils contributed.
    pub regions: Vec<Figure>,
    pub spread: Vec<Spread>,
    /// Funnels whose anonymous points are published.
    pub funnels: Vec<crate::compute::Funnel>,
    pub previous: Option<YearResults>,
}

impl Benchmarks {
    pub fn from_results(r: &Results, config: &Config) -> Benchmarks {
        let y = &r.current;
        Benchmarks {
            year: y.year,
            bands: y.bands.clone(),
            national: y
                .figures
                .iter()
                .filter(|f| f.scope == Scope::National)
                .cloned()
                .collect(),
            regions: y
                .figures
                .iter()
                .filter(|f| {
                    f.scope == Scope::Region && f.councils as usize >= config.min_region_councils
                })
                .cloned()
                .collect(),
            spread: y.spread.clone(),
            funnels: y.funnels.clone(),
            previous: r.previous.clone(),
        }
    }
}

#[derive(Serialize)]
struct ByService {
    adults: Option<FigView>,
    children: Option<FigView>,
    all: Option<FigView>,
}

fn by_service(mut get: impl FnMut(Service) -> Option<FigView>) -> ByService {
    ByService {
        adults: get(Service::Adults),
        children: get(Service::Children),
        all: get(Service::All),
    }
}

#[derive(Serialize)]
struct BandView {
    id: String,
    label: String,
    fig: ByService,
    previous: Option<FigView>,
}

#[derive(Serialize)]
struct RegionView {
    code: String,
    name: String,
    fig: FigView,
}

#[derive(Serialize)]
struct IndicatorView {
    #[serde(flatten)]
    def: &'static Indicator,
    events_description: &'static str,
    population_description: &'static str,
    assessed: bool,
    per_band: bool,
    has_share: bool,
    fig: ByService,
    bands: Vec<BandView>,
    spread: Option<Spread>,
    regions: Vec<RegionView>,
    previous: Option<FigView>,
    lfl_previous: Option<FigView>,
    lfl_current: Option<FigView>,
    chart: Option<String>,
    band_chart: Option<String>,
    funnel: Option<FunnelView>,
    /// Indicator 1: the pay band with the lowest minoritised share.
    lowest_band: Option<String>,
}

/// The funnel plot of an indicator and what it shows, for the text.
#[derive(Serialize)]
struct FunnelView {
    chart: String,
    councils: usize,
    above95: usize,
    below95: usize,
    above998: usize,
    below998: usize,
}

/// A funnel's control limits at 81 staff numbers from half the smallest to
/// the largest (and at least `n_at_least`), denser where they bend.
fn limit_curve(f: &Funnel, n_at_least: f64) -> Vec<chart::Limits> {
    let nmax = f.points.iter().map(|p| p.0).fold(n_at_least, f64::max) * 1.02;
    let nmin = f
        .points
        .iter()
        .map(|p| p.0)
        .fold(f64::MAX, f64::min)
        .max(1.0)
        / 2.0;
    (0..=80)
        .filter_map(|i| {
            let n = nmin + (nmax - nmin) * (i as f64 / 80.0).powi(2);
            let (lo95, hi95) = f.limits(n, crate::stats::Z95)?;
            let (lo998, hi998) = f.limits(n, crate::stats::Z998)?;
            Some(chart::Limits {
                n,
                lo95,
                hi95,
                lo998,
                hi998,
            })
        })
        .collect()
}

/// The funnel chart of an indicator, from the computed funnel.
fn funnel(
    y: &YearResults,
    ind: &Indicator,
    config: &Config,
) -> Result<Option<(FunnelView, Vec<u8>)>, String> {
    let Some(f) = y.funnels.iter().find(|f| f.indicator == ind.id) else {
        return Ok(None);
    };
    let curve = limit_curve(f, 0.0);
    let view = FunnelView {
        chart: format!("charts/indicator-{}-funnel.svg", ind.id),
        councils: f.points.len(),
        above95: f.above95,
        below95: f.below95,
        above998: f.above998,
        below998: f.below998,
    };
    let (svg, _) = chart::funnel_chart(&f.points, f.target, &curve, false, note(config))?;
    Ok(Some((view, svg.into_bytes())))
}

#[derive(Serialize)]
struct CoverageView<'a> {
    #[serde(flatten)]
    coverage: &'a crate::compute::Coverage,
    files: usize,
    rejected: usize,
    skipped: usize,
    lfl_councils: Option<usize>,
    previous_councils: Option<usize>,
}

#[derive(Serialize)]
struct NationalView<'a> {
    meta: Meta,
    coverage: CoverageView<'a>,
    indicators: Vec<IndicatorView>,
}

const SERVICE_LABELS: [(Service, &str); 3] = [
    (Service::Adults, "Adults"),
    (Service::Children, "Children"),
    (Service::All, "All services"),
];

/// The national report: view and charts.
pub fn national<'a>(
    results: &'a Results,
    bench: &Benchmarks,
    data: &YearData,
    register: &Register,
    config: &Config,
) -> Result<(impl Serialize + use<'a>, Vec<(String, Vec<u8>)>), String> {
    let y = &results.current;
    let prev = results.previous.as_ref();
    let meta = Meta::new(config, y.year, prev.map(|p| p.year));
    let mut disclosure = Disclosure {
        config,
        report: "national".into(),
        year: y.year,
        area: String::new(),
        log: Vec::new(),
    };
    let mut charts = Vec::new();
    let mut indicators = Vec::new();
    let regions = register.regions();
    for ind in &INDICATORS {
        let fig = |s, band: Option<&str>| y.national(s, ind.id, band).map(exact);
        let mut v = IndicatorView {
            def: ind,
            events_description: ind.events.description(),
            population_description: ind.population.description(),
            assessed: ind.assessed(),
            per_band: ind.per_band(),
            has_share: ind.has_share(),
            fig: by_service(|s| fig(s, None)),
            bands: Vec::new(),
            spread: y.spread(Service::All, ind.id, None).cloned(),
            regions: Vec::new(),
            previous: prev
                .and_then(|p| p.national(Service::All, ind.id, None))
                .map(exact),
            lfl_previous: results
                .like_for_like
                .as_ref()
                .and_then(|l| l.previous.national(Service::All, ind.id, None))
                .map(exact),
            lfl_current: results
                .like_for_like
                .as_ref()
                .and_then(|l| l.current.national(Service::All, ind.id, None))
                .map(exact),
            chart: None,
            band_chart: None,
            funnel: None,
            lowest_band: None,
        };
        if ind.per_band() {
            for b in &y.bands {
                v.bands.push(BandView {
                    id: b.id.clone(),
                    label: b.label.clone(),
                    fig: by_service(|s| fig(s, Some(&b.id))),
                    previous: prev
                        .and_then(|p| p.national(Service::All, ind.id, Some(&b.id)))
                        .map(exact),
                });
            }
            v.lowest_band = y
                .bands
                .iter()
                .filter_map(|b| Some((b, y.national(Service::All, ind.id, Some(&b.id))?.share?)))
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(b, _)| b.label.clone());
            let cats: Vec<String> = y.bands.iter().map(|b| b.label.clone()).collect();
            let mut bars = Vec::new();
            for (series, yr) in [Some(y), prev].into_iter().enumerate() {
                let Some(yr) = yr else { continue };
                for b in &y.bands {
                    if let Some(share) = yr
                        .national(Service::All, ind.id, Some(&b.id))
                        .and_then(|f| f.share)
                    {
                        bars.push(Bar {
                            category: b.label.clone(),
                            series,
                            share,
                        });
                    }
                }
            }
            let workforce = y
                .national(Service::All, ind.id, Some(&y.bands[0].id))
                .and_then(|f| f.workforce_share);
            let names: Vec<String> = [Some(y.year), prev.map(|p| p.year)]
                .into_iter()
                .flatten()
                .map(|x| x.to_string())
                .collect();
            let svg = chart::share_chart(
                &cats,
                &bars,
                &names,
                workforce.map(|w| (format!("Workforce {}", y.year), w)),
                note(config),
            )?;
            let name = "charts/indicator-1-pay-bands.svg".to_string();
            charts.push((name.clone(), svg.into_bytes()));
            v.band_chart = Some(name);
        } else {
            // Regional figures: only regions with enough councils (benchmarks).
            for (code, rname) in &regions {
                if let Some(f) = bench.regions.iter().find(|f| {
                    &f.area_code == code && f.service == Service::All && f.indicator == ind.id
                }) {
                    v.regions.push(RegionView {
                        code: code.clone(),
                        name: rname.clone(),
                        fig: disclosure.figure(f),
                    });
                }
            }
            let cats: Vec<String> = SERVICE_LABELS.iter().map(|(_, l)| l.to_string()).collect();
            let mut points = Vec::new();
            for (series, yr) in [Some(y), prev].into_iter().enumerate() {
                let Some(yr) = yr else { continue };
                for (s, label) in SERVICE_LABELS {
                    if let Some(rl) = yr.national(s, ind.id, None).and_then(|f| f.rl) {
                        points.push(RlPoint {
                            category: label.into(),
                            series,
                            rl: rl.rl,
                            lower: rl.lower,
                            upper: rl.upper,
                        });
                    }
                }
            }
            if !points.is_empty() {
                let names: Vec<String> = [Some(y.year), prev.map(|p| p.year)]
                    .into_iter()
                    .flatten()
                    .map(|x| x.to_string())
                    .collect();
                let svg = chart::rl_chart(
                    &cats,
                    &points,
                    &names,
                    (config.band_lower, config.band_upper),
                    note(config),
                )?;
                if let Some((f, svg)) = funnel(y, ind, config)? {
                    charts.push((f.chart.clone(), svg));
                    v.funnel = Some(f);
                }
                let name = format!("charts/indicator-{}.svg", ind.id);
                charts.push((name.clone(), svg.into_bytes()));
                v.chart = Some(name);
            }
        }
        indicators.push(v);
    }
    let view = NationalView {
        meta,
        coverage: CoverageView {
            coverage: &y.coverage,
            files: data.outcomes.len(),
            rejected: data.rejected(),
            skipped: data
                .outcomes
                .iter()
                .filter(|o| o.status == Status::Skipped)
                .count(),
            lfl_councils: results.like_for_like.as_ref().map(|l| l.councils),
            previous_councils: prev.map(|p| p.coverage.councils),
        },
        indicators,
    };
    Ok((view, charts))
}

/// What a local report may read of the national run: exactly what the
/// published `benchmarks.csv` holds, read back from its bytes. National
/// figures are computed again from the national counts; regional figures and
/// the anonymous funnel points are as published.
#[derive(Clone, Debug)]
pub struct LocalBench {
    pub year: i32,
    pub bands: Vec<Band>,
    pub synthetic: bool,
    pub national: Vec<Figure>,
    pub regions: Vec<RegionFigure>,
    pub funnels: Vec<Funnel>,
    /// Each funnel's chart with every point grey, made once and shared by
    /// every local report; a council's own point is drawn over it.
    pub funnel_charts: Vec<(&'static str, std::sync::Arc<Vec<u8>>, chart::Frame)>,
}

impl LocalBench {
    pub fn new(p: &Published, config: &Config) -> Result<LocalBench, String> {
        let national = crate::compute::national_from_counts(p.year, &p.national, config);
        let funnels: Vec<Funnel> = INDICATORS
            .iter()
            .filter_map(|ind| {
                let nat = national.iter().find(|f| {
                    f.service == Service::All && f.indicator == ind.id && f.band.is_none()
                })?;
                let points = p
                    .funnel_points
                    .iter()
                    .filter(|q| q.indicator == ind.id)
                    .map(|q| (q.staff, q.rl))
                    .collect();
                Funnel::around(nat, points)
            })
            .collect();
        let synthetic = config.synthetic || p.synthetic;
        let funnel_charts = funnels
            .iter()
            .map(|f: &Funnel| {
                let (svg, frame) = chart::funnel_chart(
                    &f.points,
                    f.target,
                    &limit_curve(f, 0.0),
                    true,
                    synthetic.then_some(SYNTHETIC_NOTE),
                )?;
                Ok((f.indicator, std::sync::Arc::new(svg.into_bytes()), frame))
            })
            .collect::<Result<_, String>>()?;
        Ok(LocalBench {
            year: p.year,
            bands: config.bands(p.year),
            synthetic: p.synthetic,
            national,
            regions: p.regions.clone(),
            funnels,
            funnel_charts,
        })
    }

    fn national(&self, s: Service, ind: &str, band: Option<&str>) -> Option<&Figure> {
        self.national
            .iter()
            .find(|f| f.service == s && f.indicator == ind && f.band.as_deref() == band)
    }

    fn region(&self, code: &str, s: Service, ind: &str) -> Option<&RegionFigure> {
        self.regions.iter().find(|f| {
            f.area_code == code && f.service == s && f.indicator == ind && f.band.is_none()
        })
    }
}

/// A published regional figure as a template sees it.
fn region_view(r: &RegionFigure) -> FigView {
    let c = |x: Cell| match x {
        Cell::Empty => None,
        Cell::N(n) => Some(Shown::N(n)),
        Cell::Suppressed => Some(SUPPRESSED),
    };
    let assessment = [
        Assessment::WithinRange,
        Assessment::Adverse,
        Assessment::Favourable,
        Assessment::NotCalculable,
        Assessment::NotProvided,
    ]
    .into_iter()
    .map(Assessment::id)
    .chain(["suppressed"])
    .find(|a| *a == r.assessment)
    .unwrap_or("");
    FigView {
        provided: r.counts.iter().any(|x| *x != Cell::Empty),
        white_events: c(r.counts[0]),
        white_population: c(r.counts[1]),
        minoritised_events: c(r.counts[2]),
        minoritised_population: c(r.counts[3]),
        unknown_events: c(r.counts[4]),
        unknown_population: c(r.counts[5]),
        white_rate: None,
        minoritised_rate: None,
        rl: c(r.rl),
        lower: c(r.lower),
        upper: c(r.upper),
        share: c(r.share),
        share_lower: None,
        share_upper: None,
        workforce_share: None,
        assessment,
        significant: None,
        reason: None,
        units_left_out: 0,
        councils: r.councils,
        suppressed: r.rl == Cell::Suppressed,
    }
}

/// Data quality of a council's own return, from its counts.
#[derive(Clone, Debug, Default)]
pub struct Quality {
    /// Staff of unknown ethnicity, and all staff, in services that gave
    /// their headcount.
    pub unknown: u64,
    pub headcount: u64,
    /// Survey respondents, and the staff of the services that gave both.
    pub respondents: u64,
    pub survey_staff: u64,
    pub survey_services: usize,
    /// (service, measure) left blank.
    pub not_provided: Vec<(Service, Measure)>,
}

impl Quality {
    pub fn of(r: &crate::model::Return) -> Quality {
        let mut q = Quality::default();
        for (s, sr) in &r.services {
            let head = sr.headcount();
            if let Some(h) = head {
                q.unknown += h.unknown;
                q.headcount += h.total();
            }
            if let (Some(h), Some(resp)) = (head, sr.get(Measure::SurveyRespondents)) {
                q.respondents += resp.total();
                q.survey_staff += h.total();
                q.survey_services += 1;
            }
            for m in Measure::ALL {
                if sr.get(m).is_none() {
                    q.not_provided.push((*s, m));
                }
            }
        }
        q
    }
}

/// One council's figures, and nothing of any other council's.
pub struct LocalInputs<'a> {
    pub authority: &'a Authority,
    pub own: Vec<&'a Figure>,
    /// The council's own figures of an earlier year, if it took part.
    pub previous: Option<(i32, Vec<&'a Figure>)>,
    pub services: Vec<Service>,
    pub staff: u64,
    pub quality: Quality,
    pub actions: Option<&'a ActionPlan>,
}

#[derive(Serialize)]
struct LocalIndicator {
    #[serde(flatten)]
    def: &'static Indicator,
    events_description: &'static str,
    population_description: &'static str,
    assessed: bool,
    per_band: bool,
    has_share: bool,
    own: ByService,
    national: ByService,
    region: ByService,
    previous: Option<FigView>,
    /// Whether the council's interval lies wholly above or below England's.
    differs: Option<&'static str>,
    bands: Vec<LocalBand>,
    funnel: Option<LocalFunnel>,
    /// Actions of the council's plan addressing this indicator.
    actions: usize,
    /// Assessed adverse (as shown) and no action addresses it.
    unaddressed: bool,
}

#[derive(Serialize)]
struct LocalBand {
    label: String,
    own: Option<FigView>,
    national: Option<FigView>,
}

/// Where the council sits on an indicator's funnel plot.
#[derive(Serialize)]
struct LocalFunnel {
    chart: String,
    councils: usize,
    staff: f64,
    rl: f64,
    lo95: f64,
    hi95: f64,
    lo998: f64,
    hi998: f64,
    /// `inside`, `above95`, `above998`, `below95` or `below998`.
    position: &'static str,
    /// The council's point as fractions of the chart's width from its top
    /// left corner, and which side its label goes.
    fx: f64,
    fy: f64,
    label_left: bool,
}

#[derive(Serialize)]
struct PlanGroup {
    id: &'static str,
    title: &'static str,
    assessment: Option<&'static str>,
    actions: Vec<Action>,
}

#[derive(Serialize)]
struct QualityView {
    unknown_share: Option<Shown>,
    survey_response_rate: Option<Shown>,
    survey_services: usize,
    not_provided: Vec<NotProvidedView>,
}

#[derive(Serialize)]
struct NotProvidedView {
    service: &'static str,
    measures: Vec<&'static str>,
}

#[derive(Serialize)]
struct SuppressionView {
    year: i32,
    indicator: &'static str,
    short: &'static str,
    service: &'static str,
    band: String,
    what: Vec<&'static str>,
}

#[derive(Serialize)]
struct LocalView<'a> {
    meta: Meta,
    authority: &'a Authority,
    /// Whether the council's region's figures are published.
    region_published: bool,
    services: Vec<&'static str>,
    staff: Option<Shown>,
    indicators: Vec<LocalIndicator>,
    summary_chart: Option<String>,
    band_chart: Option<String>,
    workforce_share: Option<Shown>,
    has_plan: bool,
    /// The plan's actions grouped by indicator, in indicator order.
    plan: Vec<PlanGroup>,
    /// How many indicators (all services, as shown) got each assessment.
    tally: std::collections::BTreeMap<&'static str, usize>,
    quality: QualityView,
    suppressions: Vec<SuppressionView>,
}

/// A share `part / whole` under disclosure control: `[c]` when the part is
/// a small count in a public report.
fn share_shown(d: &mut Disclosure, part: u64, whole: u64, what: &'static str) -> Option<Shown> {
    if whole == 0 {
        return None;
    }
    if d.active() && d.small(part) {
        d.log.push(Suppression {
            report: d.report.clone(),
            year: d.year,
            area_code: d.area.clone(),
            service: Service::All.id(),
            indicator: "",
            band: String::new(),
            what,
        });
        return Some(SUPPRESSED);
    }
    Some(Shown::N(part as f64 / whole as f64))
}

/// Where the council sits on the shared funnel chart of an indicator: the
/// chart's anonymous points are grey; the template draws the council's own
/// point over it, in focus colour and a different shape.
fn local_funnel(
    f: &Funnel,
    chart: &(&'static str, std::sync::Arc<Vec<u8>>, chart::Frame),
    own: &Figure,
) -> Option<(LocalFunnel, Vec<u8>)> {
    let (w, m, rl) = (own.white?, own.minoritised?, own.rl?);
    let staff = (w.population + m.population) as f64;
    let (lo95, hi95) = f.limits(staff, crate::stats::Z95)?;
    let (lo998, hi998) = f.limits(staff, crate::stats::Z998)?;
    let position = if rl.rl > hi998 {
        "above998"
    } else if rl.rl > hi95 {
        "above95"
    } else if rl.rl < lo998 {
        "below998"
    } else if rl.rl < lo95 {
        "below95"
    } else {
        "inside"
    };
    let (fx, fy) = chart.2.place(staff, rl.rl);
    let view = LocalFunnel {
        chart: format!("charts/indicator-{}-funnel.svg", f.indicator),
        councils: f.points.len(),
        staff,
        rl: rl.rl,
        lo95,
        hi95,
        lo998,
        hi998,
        position,
        fx,
        fy,
        label_left: fx > 0.6,
    };
    Some((view, chart.1.as_ref().clone()))
}

/// A local report: view, charts and the suppressions made. `bench` is what
/// benchmarks.csv publishes; `input` the council's own figures.
pub fn local<'a>(
    input: &'a LocalInputs<'a>,
    bench: &LocalBench,
    config: &Config,
) -> Result<
    (
        impl Serialize + use<'a>,
        Vec<(String, Vec<u8>)>,
        Vec<Suppression>,
    ),
    String,
> {
    let a = input.authority;
    let mut disclosure = Disclosure {
        config,
        report: format!("local {}", a.code),
        year: bench.year,
        area: a.code.clone(),
        log: Vec::new(),
    };
    let own = |s: Service, ind: &str, band: Option<&str>| {
        input
            .own
            .iter()
            .find(|f| f.service == s && f.indicator == ind && f.band.as_deref() == band)
            .copied()
    };
    let region_published = bench.regions.iter().any(|r| r.area_code == a.region_code);
    let mut charts = Vec::new();
    let mut indicators = Vec::new();
    let mut points = Vec::new();
    let mut cats = Vec::new();
    for ind in &INDICATORS {
        let mut v = LocalIndicator {
            def: ind,
            events_description: ind.events.description(),
            population_description: ind.population.description(),
            assessed: ind.assessed(),
            per_band: ind.per_band(),
            has_share: ind.has_share(),
            own: by_service(|s| own(s, ind.id, None).map(|f| disclosure.figure(f))),
            national: by_service(|s| bench.national(s, ind.id, None).map(exact)),
            region: by_service(|s| bench.region(&a.region_code, s, ind.id).map(region_view)),
            previous: None,
            differs: None,
            bands: Vec::new(),
            funnel: None,
            actions: 0,
            unaddressed: false,
        };
        if let Some((py, figs)) = &input.previous {
            let prev = figs
                .iter()
                .find(|f| f.service == Service::All && f.indicator == ind.id && f.band.is_none());
            debug_assert!(prev.is_none_or(|f| f.year == *py));
            v.previous = prev.map(|f| disclosure.figure(f));
        }
        if ind.per_band() {
            for b in &bench.bands {
                v.bands.push(LocalBand {
                    label: b.label.clone(),
                    own: own(Service::All, ind.id, Some(&b.id)).map(|f| disclosure.figure(f)),
                    national: bench.national(Service::All, ind.id, Some(&b.id)).map(exact),
                });
            }
        } else {
            let mine = own(Service::All, ind.id, None);
            let eng = bench.national(Service::All, ind.id, None);
            let shown = v.own.all.as_ref().is_some_and(|f| !f.suppressed);
            if let (Some(m), Some(e), true) =
                (mine.and_then(|f| f.rl), eng.and_then(|f| f.rl), shown)
            {
                v.differs = Some(if m.lower > e.rl {
                    "above"
                } else if m.upper < e.rl {
                    "below"
                } else {
                    "similar"
                });
                cats.push(ind.id.to_string());
                for (series, r) in [m, e].into_iter().enumerate() {
                    points.push(RlPoint {
                        category: ind.id.into(),
                        series,
                        rl: r.rl,
                        lower: r.lower,
                        upper: r.upper,
                    });
                }
            }
            if let (Some(f), Some(c), Some(mine), true) = (
                bench.funnels.iter().find(|f| f.indicator == ind.id),
                bench.funnel_charts.iter().find(|c| c.0 == ind.id),
                mine,
                shown,
            ) && let Some((fv, svg)) = local_funnel(f, c, mine)
            {
                charts.push((fv.chart.clone(), svg));
                v.funnel = Some(fv);
            }
        }
        if let Some(plan) = input.actions {
            v.actions = plan
                .actions
                .iter()
                .filter(|x| x.indicator == ind.id)
                .count();
        }
        v.unaddressed = v.actions == 0
            && v.own
                .all
                .as_ref()
                .is_some_and(|f| f.assessment == "adverse");
        indicators.push(v);
    }
    let summary_chart = if points.is_empty() {
        None
    } else {
        let names = vec![a.name.clone(), "England".to_string()];
        let svg = chart::rl_chart(
            &cats,
            &points,
            &names,
            (config.band_lower, config.band_upper),
            note(config),
        )?;
        charts.push(("charts/summary.svg".to_string(), svg.into_bytes()));
        Some("charts/summary.svg".to_string())
    };
    // Pay bands: the council beside England and its own workforce.
    let mut bars = Vec::new();
    let band_cats: Vec<String> = bench.bands.iter().map(|b| b.label.clone()).collect();
    for (b, lb) in bench.bands.iter().zip(&indicators[0].bands) {
        for (series, f) in [&lb.own, &lb.national].into_iter().enumerate() {
            if let Some(Shown::N(s)) = f.as_ref().and_then(|f| f.share.clone()) {
                bars.push(Bar {
                    category: b.label.clone(),
                    series,
                    share: s,
                });
            }
        }
    }
    let workforce_share = indicators[0]
        .bands
        .iter()
        .find_map(|b| b.own.as_ref().and_then(|f| f.workforce_share.clone()));
    let band_chart = if bars.iter().any(|b| b.series == 0) {
        let reference = match workforce_share {
            Some(Shown::N(w)) => Some(("Workforce".to_string(), w)),
            _ => None,
        };
        let svg = chart::share_chart(
            &band_cats,
            &bars,
            &[a.name.clone(), "England".into()],
            reference,
            note(config),
        )?;
        charts.push(("charts/pay-bands.svg".to_string(), svg.into_bytes()));
        Some("charts/pay-bands.svg".to_string())
    } else {
        None
    };
    let staff = disclosure.count(input.staff);
    let q = &input.quality;
    let quality = QualityView {
        unknown_share: share_shown(
            &mut disclosure,
            q.unknown,
            q.headcount,
            "share of staff of unknown ethnicity: a count of 1 to 7",
        ),
        survey_response_rate: share_shown(
            &mut disclosure,
            q.respondents,
            q.survey_staff,
            "survey response rate: a count of 1 to 7 respondents",
        ),
        survey_services: q.survey_services,
        not_provided: input
            .services
            .iter()
            .map(|s| NotProvidedView {
                service: s.id(),
                measures: q
                    .not_provided
                    .iter()
                    .filter(|(x, _)| x == s)
                    .map(|(_, m)| m.description())
                    .collect(),
            })
            .filter(|n| !n.measures.is_empty())
            .collect(),
    };
    let plan = input
        .actions
        .iter()
        .flat_map(|p| {
            INDICATORS.iter().zip(&indicators).filter_map(|(ind, v)| {
                let actions: Vec<Action> = p
                    .actions
                    .iter()
                    .filter(|x| x.indicator == ind.id)
                    .cloned()
                    .collect();
                (!actions.is_empty()).then(|| PlanGroup {
                    id: ind.id,
                    title: ind.title,
                    assessment: v.own.all.as_ref().map(|f| f.assessment),
                    actions,
                })
            })
        })
        .collect();
    let mut tally: std::collections::BTreeMap<&'static str, usize> = [
        "within_range",
        "adverse",
        "favourable",
        "not_calculable",
        "not_provided",
        "suppressed",
    ]
    .into_iter()
    .map(|a| (a, 0))
    .collect();
    for v in indicators.iter().filter(|v| v.assessed) {
        let a = v.own.all.as_ref().map_or("not_provided", |f| {
            if f.provided {
                f.assessment
            } else {
                "not_provided"
            }
        });
        *tally.entry(a).or_insert(0) += 1;
    }
    // One line per figure, whatever was withheld of it.
    let mut suppressions: Vec<SuppressionView> = Vec::new();
    for s in &disclosure.log {
        match suppressions.last_mut() {
            Some(l)
                if (l.year, l.indicator, l.service, &l.band)
                    == (s.year, s.indicator, s.service, &s.band) =>
            {
                l.what.push(s.what);
            }
            _ => suppressions.push(SuppressionView {
                year: s.year,
                indicator: s.indicator,
                short: crate::indicators::by_id(s.indicator).map_or("", |i| i.short),
                service: s.service,
                band: s.band.clone(),
                what: vec![s.what],
            }),
        }
    }
    let mut meta = Meta::new(config, bench.year, input.previous.as_ref().map(|(y, _)| *y));
    meta.synthetic |= bench.synthetic;
    let view = LocalView {
        meta,
        authority: a,
        region_published,
        services: input.services.iter().map(|s| s.id()).collect(),
        staff: Some(staff),
        indicators,
        summary_chart,
        band_chart,
        workforce_share,
        has_plan: input.actions.is_some(),
        plan,
        tally,
        quality,
        suppressions,
    };
    Ok((view, charts, disclosure.log))
}
