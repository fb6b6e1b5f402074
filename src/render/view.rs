//! Views: exactly what a template may read, built from the computed figures.
//! Disclosure control happens here, once, for every published council or
//! regional value. A local report is built from its own council's figures
//! and the published `Benchmarks` only, never from the whole `Results`.

use crate::chart::{self, Bar, RlPoint};
use crate::compute::{Figure, Results, Scope, Spread, YearResults};
use crate::config::{Audience, Config};
use crate::indicators::{Band, INDICATORS, Indicator, Service};
use crate::load::{Status, YearData};
use crate::register::{Authority, Register};
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
            previous: r.previous.clone(),
        }
    }

    fn national(&self, s: Service, ind: &str, band: Option<&str>) -> Option<&Figure> {
        self.national
            .iter()
            .find(|f| f.service == s && f.indicator == ind && f.band.as_deref() == band)
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

/// The funnel chart of an indicator, from the computed funnel.
fn funnel(
    y: &YearResults,
    ind: &Indicator,
    config: &Config,
) -> Result<Option<(FunnelView, Vec<u8>)>, String> {
    let Some(f) = y.funnels.iter().find(|f| f.indicator == ind.id) else {
        return Ok(None);
    };
    let limits_at = |n: f64| -> Option<chart::Limits> {
        let (lo95, hi95) = f.limits(n, crate::stats::Z95)?;
        let (lo998, hi998) = f.limits(n, crate::stats::Z998)?;
        Some(chart::Limits {
            n,
            lo95,
            hi95,
            lo998,
            hi998,
        })
    };
    let nmax = f.points.iter().map(|p| p.0).fold(0.0, f64::max) * 1.02;
    let nmin = f
        .points
        .iter()
        .map(|p| p.0)
        .fold(f64::MAX, f64::min)
        .max(1.0)
        / 2.0;
    let curve: Vec<chart::Limits> = (0..=80)
        .filter_map(|i| limits_at(nmin + (nmax - nmin) * (i as f64 / 80.0).powi(2)))
        .collect();
    let view = FunnelView {
        chart: format!("charts/indicator-{}-funnel.svg", ind.id),
        councils: f.points.len(),
        above95: f.above95,
        below95: f.below95,
        above998: f.above998,
        below998: f.below998,
    };
    let svg = chart::funnel_chart(&f.points, f.target, &curve, note(config))?;
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

#[derive(Serialize)]
struct LocalIndicator {
    #[serde(flatten)]
    def: &'static Indicator,
    assessed: bool,
    per_band: bool,
    has_share: bool,
    own: ByService,
    national: ByService,
    /// Whether the council's interval lies wholly above or below England's.
    differs: Option<&'static str>,
    bands: Vec<LocalBand>,
}

#[derive(Serialize)]
struct LocalBand {
    label: String,
    own: Option<FigView>,
    national: Option<FigView>,
}

#[derive(Serialize)]
struct LocalView<'a> {
    meta: Meta,
    authority: &'a Authority,
    services: Vec<&'static str>,
    staff: Option<Shown>,
    indicators: Vec<LocalIndicator>,
    summary_chart: Option<String>,
    band_chart: Option<String>,
}

/// One council's figures, and nothing of any other council's.
pub struct LocalInputs<'a> {
    pub authority: &'a Authority,
    pub own: Vec<&'a Figure>,
    pub services: Vec<Service>,
    pub staff: u64,
}

/// A local report: view, charts and the suppressions made.
pub fn local<'a>(
    input: &'a LocalInputs<'a>,
    bench: &Benchmarks,
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
        log: Vec::new(),
    };
    let own = |s: Service, ind: &str, band: Option<&str>| {
        input
            .own
            .iter()
            .find(|f| f.service == s && f.indicator == ind && f.band.as_deref() == band)
            .copied()
    };
    let mut indicators = Vec::new();
    let mut points = Vec::new();
    let mut cats = Vec::new();
    for ind in &INDICATORS {
        let mut v = LocalIndicator {
            def: ind,
            assessed: ind.assessed(),
            per_band: ind.per_band(),
            has_share: ind.has_share(),
            own: by_service(|s| own(s, ind.id, None).map(|f| disclosure.figure(f))),
            national: by_service(|s| bench.national(s, ind.id, None).map(exact)),
            differs: None,
            bands: Vec::new(),
        };
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
                points.push(RlPoint {
                    category: ind.id.into(),
                    series: 0,
                    rl: m.rl,
                    lower: m.lower,
                    upper: m.upper,
                });
                points.push(RlPoint {
                    category: ind.id.into(),
                    series: 1,
                    rl: e.rl,
                    lower: e.lower,
                    upper: e.upper,
                });
            }
        }
        indicators.push(v);
    }
    let mut charts = Vec::new();
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
    // Pay bands: the council beside England, where publishable.
    let mut bars = Vec::new();
    let band_cats: Vec<String> = bench.bands.iter().map(|b| b.label.clone()).collect();
    for (b, lb) in bench.bands.iter().zip(&indicators[0].bands) {
        if let Some(Shown::N(s)) = lb.own.as_ref().and_then(|f| f.share.clone()) {
            bars.push(Bar {
                category: b.label.clone(),
                series: 0,
                share: s,
            });
        }
        if let Some(Shown::N(s)) = lb.national.as_ref().and_then(|f| f.share.clone()) {
            bars.push(Bar {
                category: b.label.clone(),
                series: 1,
                share: s,
            });
        }
    }
    let band_chart = if bars.iter().any(|b| b.series == 0) {
        let svg = chart::share_chart(
            &band_cats,
            &bars,
            &["Council".into(), "England".into()],
            None,
            note(config),
        )?;
        charts.push(("charts/pay-bands.svg".to_string(), svg.into_bytes()));
        Some("charts/pay-bands.svg".to_string())
    } else {
        None
    };
    let staff = disclosure.count(input.staff);
    let view = LocalView {
        meta: Meta::new(config, bench.year, bench.previous.as_ref().map(|p| p.year)),
        authority: a,
        services: input.services.iter().map(|s| s.id()).collect(),
        staff: Some(staff),
        indicators,
        summary_chart,
        band_chart,
    };
    Ok((view, charts, disclosure.log))
}
