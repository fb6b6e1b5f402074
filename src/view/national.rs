//! The national report's view. It names no council: national figures,
//! regional figures of regions with enough councils (disclosure-controlled),
//! and the anonymous spread and funnels of the published benchmarks.

use super::{ByService, Chart, ChartData, ChartTables, Meta, note, rl_svg, year_names};
use crate::chart::{self, Bar, RlPoint};
use crate::compute::{Coverage, Results, Spread, YearResults};
use crate::config::Config;
use crate::disclose::benchmarks::Benchmarks;
use crate::disclose::{Disclosure, Policy, ShownFigure};
use crate::indicators::{INDICATORS, Indicator, IndicatorId, Service};
use crate::register::Register;
use crate::revise::Revisions;
use serde::Serialize;

/// How many files a run received, and what became of them.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Files {
    pub files: usize,
    pub rejected: usize,
    pub skipped: usize,
}

#[derive(Serialize)]
struct BandView {
    id: String,
    label: String,
    fig: ByService,
    previous: Option<ShownFigure>,
}

#[derive(Serialize)]
struct RegionView {
    code: String,
    name: String,
    fig: ShownFigure,
}

#[derive(Serialize)]
struct IndicatorView {
    #[serde(flatten)]
    def: &'static Indicator,
    events_description: &'static str,
    population_description: &'static str,
    /// The population in a word or two, for table headers.
    population_short: &'static str,
    assessed: bool,
    fig: ByService,
    bands: Vec<BandView>,
    spread: Option<Spread>,
    /// What chance alone would make of the councils' verdicts.
    chance: Option<crate::stats::Chance>,
    regions: Vec<RegionView>,
    previous: Option<ShownFigure>,
    lfl_previous: Option<ShownFigure>,
    lfl_current: Option<ShownFigure>,
    /// The change since last year, tested (`stats::change`): all
    /// participants, and like for like (the headline).
    change: Option<crate::stats::YearChange>,
    lfl_change: Option<crate::stats::YearChange>,
    /// The change the key findings would state (like for like, else all
    /// participants) rests on a staff survey or is unusually large
    /// (`YearChange::unusual`): listed in the quality section to be
    /// checked, not stated as a key finding.
    change_to_check: bool,
    /// England's relative likelihood (all services) were every member of
    /// staff of unknown ethnicity minoritised, or every one white: from the
    /// published counts.
    if_unknown_minoritised: Option<f64>,
    if_unknown_white: Option<f64>,
    chart: Option<String>,
    band_chart: Option<String>,
    funnel: Option<FunnelView>,
    /// Why an assessed indicator has no funnel plot: `withheld` (England's
    /// figure is withheld), `national` (not calculable), `councils` (no
    /// council's figure can be published).
    no_funnel: Option<&'static str>,
    /// Indicators by pay band: the band with the lowest minoritised share.
    lowest_band: Option<String>,
    /// The back series (all services), oldest first, with this year; only
    /// with three years or more (two are "compared with" already).
    trend: Vec<TrendRow>,
    trend_chart: Option<String>,
}

/// One year of an indicator's back series.
#[derive(Serialize)]
struct TrendRow {
    year: i32,
    councils: usize,
    fig: Option<ShownFigure>,
}

/// The funnel plot of an indicator and what it shows, for the text.
#[derive(Serialize)]
struct FunnelView {
    chart: String,
    /// The limits allow for variation between councils beyond chance.
    adjusted: bool,
    /// Councils with a figure: the counts outside the limits are of them.
    councils: usize,
    /// Councils drawn: those whose figure their public report shows.
    drawn: usize,
    above95: usize,
    below95: usize,
    above998: usize,
    below998: usize,
}

#[derive(Serialize)]
struct CoverageView<'a> {
    #[serde(flatten)]
    coverage: &'a Coverage,
    #[serde(flatten)]
    files: Files,
    lfl_councils: Option<usize>,
    previous_councils: Option<usize>,
}

/// What changed since the earlier release, for the "Revisions" section.
#[derive(Serialize)]
struct RevisionsView {
    previous_release: String,
    figures: usize,
    added: usize,
    withdrawn: usize,
    corrected: usize,
    /// National relative likelihoods that changed, report year.
    national: Vec<RevisedRl>,
}

#[derive(Serialize)]
struct RevisedRl {
    indicator: String,
    short: &'static str,
    service: &'static str,
    band: String,
    old: String,
    new: String,
}

impl RevisionsView {
    fn new(r: &Revisions, y: &YearResults) -> RevisionsView {
        let national = r
            .changes
            .iter()
            .filter(|c| {
                c.scope == "national"
                    && c.year == y.year.to_string()
                    && c.column == "relative_likelihood"
            })
            .filter_map(|c| {
                let ind = IndicatorId::parse(&c.indicator)?;
                Some(RevisedRl {
                    indicator: c.indicator.clone(),
                    short: ind.def().short,
                    service: Service::parse(&c.service)?.label(),
                    band: y
                        .bands
                        .iter()
                        .find(|b| b.id == c.band)
                        .map(|b| b.label.clone())
                        .unwrap_or_default(),
                    old: c.old.clone(),
                    new: c.new.clone(),
                })
            })
            .collect();
        RevisionsView {
            previous_release: r.previous_release.clone(),
            figures: r.figures(),
            added: r.added.len(),
            withdrawn: r.withdrawn.len(),
            corrected: r.corrected.len(),
            national,
        }
    }
}

/// The national report's view: what `national.typ` reads.
#[derive(Serialize)]
pub struct NationalView<'a> {
    meta: Meta,
    coverage: CoverageView<'a>,
    indicators: Vec<IndicatorView>,
    revisions: Option<RevisionsView>,
    /// What each chart draws, for the web page's data tables.
    chart_data: ChartTables,
}

/// An indicator's back series (all services): a row a year and a chart of
/// the relative likelihoods with their intervals, oldest year first.
fn trend(
    history: &[YearResults],
    current: &YearResults,
    bench: &Benchmarks,
    ind: &Indicator,
    config: &Config,
    disclosure: &mut Disclosure,
) -> Result<(Vec<TrendRow>, Option<(Vec<u8>, ChartData)>), String> {
    let years: Vec<&YearResults> = history.iter().chain([current]).collect();
    // Every year's figure as published (the report year's may be withheld).
    let mut shown = |yr: &YearResults, f: &crate::compute::Figure| {
        if yr.year == current.year {
            bench.national_shown(f)
        } else {
            disclosure.figure(f)
        }
    };
    let rows = years
        .iter()
        .map(|yr| TrendRow {
            year: yr.year,
            councils: yr.coverage.councils,
            fig: yr
                .national(Service::All, ind.id, None)
                .map(|f| shown(yr, f)),
        })
        .collect();
    // Each year's category names its councils: "England" is a different
    // set of councils each year.
    let label = |yr: &YearResults| format!("{} ({} councils)", yr.year, yr.coverage.councils);
    let cats: Vec<String> = years.iter().map(|yr| label(yr)).collect();
    let points: Vec<RlPoint> = years
        .iter()
        .filter(|yr| {
            yr.year != current.year || !bench.national_withheld(Service::All, ind.id, None)
        })
        .filter_map(|yr| {
            let rl = Policy::of(config)
                .published(yr.national(Service::All, ind.id, None)?)
                .rl?;
            (rl.rl > 0.0).then_some(())?;
            Some(RlPoint {
                category: label(yr),
                series: 0,
                rl: rl.rl,
                lower: rl.lower,
                upper: rl.upper,
            })
        })
        .collect();
    let chart = if points.len() >= 2 {
        let names = ["England".to_string()];
        Some((
            rl_svg(&cats, &points, &names, config)?,
            ChartData::rl("year", &points, &names),
        ))
    } else {
        None
    };
    Ok((rows, chart))
}

/// The national report: view and charts.
pub fn national<'a>(
    results: &'a Results,
    bench: &Benchmarks,
    files: Files,
    revisions: Option<&Revisions>,
    register: &Register,
    config: &Config,
) -> Result<(NationalView<'a>, Vec<Chart>), String> {
    let y = &results.current;
    let prev = results.previous();
    let meta = Meta::new(config, y.year, prev.map(|p| p.year));
    let mut disclosure = Disclosure::new(Policy::of(config), "national");
    disclosure.withhold(&bench.withheld);
    let mut charts = Vec::new();
    let mut chart_data = ChartTables::new();
    let mut indicators = Vec::new();
    let regions = register.regions();
    let names = year_names(y.year, prev.map(|p| p.year));
    let policy = Policy::of(config);
    let lfl = |pick: fn(&crate::compute::LikeForLike) -> &YearResults, ind| {
        results
            .like_for_like
            .as_ref()
            .and_then(|l| pick(l).national(Service::All, ind, None))
    };
    for ind in &INDICATORS {
        let fig =
            |s, band: Option<&str>| y.national(s, ind.id, band).map(|f| bench.national_shown(f));
        let mut v = IndicatorView {
            def: ind,
            events_description: ind.events.description(),
            population_description: ind.population.description(),
            population_short: ind.population.short(),
            assessed: ind.assessed(),
            fig: ByService::new(|s| fig(s, None)),
            bands: Vec::new(),
            spread: bench.spread(Service::All, ind.id, None).cloned(),
            chance: bench
                .spread(Service::All, ind.id, None)
                .filter(|s| s.shown)
                .map(|s| {
                    crate::stats::chance(
                        (s.adverse + s.within_range + s.favourable + s.inconclusive) as usize,
                    )
                }),
            regions: Vec::new(),
            previous: prev
                .and_then(|p| p.national(Service::All, ind.id, None))
                .map(|f| disclosure.figure(f)),
            lfl_previous: lfl(|l| &l.previous, ind.id).map(|f| disclosure.figure(f)),
            lfl_current: lfl(|l| &l.current, ind.id).map(|f| disclosure.figure(f)),
            change: None,
            lfl_change: None,
            change_to_check: false,
            if_unknown_minoritised: None,
            if_unknown_white: None,
            chart: None,
            band_chart: None,
            funnel: None,
            no_funnel: None,
            lowest_band: None,
            trend: Vec::new(),
            trend_chart: None,
        };
        // Every national figure as published (rounded counts, covering
        // interval), for the tests of change and the charts.
        let rl_of = |yr: Option<&YearResults>| {
            policy
                .published(yr?.national(Service::All, ind.id, None)?)
                .rl
        };
        if !bench.national_withheld(Service::All, ind.id, None) {
            if let (Some(n), Some(b)) = (rl_of(Some(y)), rl_of(prev)) {
                v.change = crate::stats::change(&n, &b);
            }
            let l = results.like_for_like.as_ref();
            if let (Some(n), Some(b)) =
                (rl_of(l.map(|l| &l.current)), rl_of(l.map(|l| &l.previous)))
            {
                v.lfl_change = crate::stats::change(&n, &b);
            }
            v.change_to_check = v
                .lfl_change
                .or(v.change)
                .is_some_and(|c| ind.survey || c.unusual());
            if let Some(p) = y
                .national(Service::All, ind.id, None)
                .filter(|_| ind.assessed())
                .map(|f| policy.published(f))
                && let (Some(w), Some(m), Some(u)) = (p.white, p.minoritised, p.unknown)
            {
                let rl = |a, n1, c, n2| {
                    crate::stats::relative_likelihood(a, n1, c, n2)
                        .ok()
                        .map(|r| crate::disclose::round_to(r.rl, 2))
                };
                v.if_unknown_minoritised = rl(
                    m.events + u.events,
                    m.population + u.population,
                    w.events,
                    w.population,
                );
                v.if_unknown_white = rl(
                    m.events,
                    m.population,
                    w.events + u.events,
                    w.population + u.population,
                );
            }
        }
        if ind.per_band {
            for b in &y.bands {
                v.bands.push(BandView {
                    id: b.id.clone(),
                    label: b.label.clone(),
                    fig: ByService::new(|s| fig(s, Some(&b.id))),
                    previous: prev
                        .and_then(|p| p.national(Service::All, ind.id, Some(&b.id)))
                        .map(|f| disclosure.figure(f)),
                });
            }
            v.lowest_band = crate::compute::lowest_share_band(y, ind.id).map(|b| b.label.clone());
            let cats: Vec<String> = y.bands.iter().map(|b| b.label.clone()).collect();
            let mut bars = Vec::new();
            for (series, yr) in [Some(y), prev].into_iter().enumerate() {
                let Some(yr) = yr else { continue };
                for b in &y.bands {
                    if series == 0 && bench.national_withheld(Service::All, ind.id, Some(&b.id)) {
                        continue;
                    }
                    if let Some(p) = yr
                        .national(Service::All, ind.id, Some(&b.id))
                        .map(|f| policy.published(f))
                        && let Some(share) = p.share
                    {
                        bars.push(Bar {
                            category: b.label.clone(),
                            series,
                            share,
                            ci: p.share_ci,
                        });
                    }
                }
            }
            let workforce = y
                .national(Service::All, ind.id, Some(&y.bands[0].id))
                .filter(|_| !bench.national_withheld(Service::All, ind.id, Some(&y.bands[0].id)))
                .and_then(|f| policy.published(f).workforce_share);
            let reference = workforce.map(|w| (format!("Workforce {}", y.year), w));
            let data = ChartData::share("band", &bars, &names, reference.as_ref());
            let svg = chart::share_chart(&cats, &bars, &names, reference, note(config.synthetic))?;
            let name = format!("charts/indicator-{}-pay-bands.svg", ind.id);
            chart_data.insert(name.clone(), data);
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
            let cats: Vec<String> = Service::ALL3
                .iter()
                .map(|s| s.label().to_string())
                .collect();
            let mut points = Vec::new();
            for (series, yr) in [Some(y), prev].into_iter().enumerate() {
                let Some(yr) = yr else { continue };
                for s in Service::ALL3 {
                    if series == 0 && bench.national_withheld(s, ind.id, None) {
                        continue;
                    }
                    if let Some(rl) = yr
                        .national(s, ind.id, None)
                        .and_then(|f| policy.published(f).rl)
                        .filter(|r| r.rl > 0.0)
                    {
                        points.push(RlPoint {
                            category: s.label().into(),
                            series,
                            rl: rl.rl,
                            lower: rl.lower,
                            upper: rl.upper,
                        });
                    }
                }
            }
            if !points.is_empty() {
                let svg = rl_svg(&cats, &points, &names, config)?;
                if let Some(f) = bench.funnel(ind.id) {
                    let view = FunnelView {
                        chart: format!("charts/indicator-{}-funnel.svg", ind.id),
                        adjusted: f.adjusted(),
                        councils: f.councils,
                        drawn: f.points.len(),
                        above95: f.above95,
                        below95: f.below95,
                        above998: f.above998,
                        below998: f.below998,
                    };
                    let (svg, _) = chart::funnel_chart(
                        &f.points,
                        f.target,
                        &f.curve(),
                        false,
                        &chart::axis_title(ind.population.description()),
                        note(config.synthetic),
                    )?;
                    charts.push((view.chart.clone(), svg.into_bytes()));
                    v.funnel = Some(view);
                }
                if v.funnel.is_none() && ind.assessed() {
                    v.no_funnel = Some(if bench.national_withheld(Service::All, ind.id, None) {
                        "withheld"
                    } else if y
                        .national(Service::All, ind.id, None)
                        .and_then(|f| f.rl)
                        .is_none()
                    {
                        "national"
                    } else if bench
                        .spread(Service::All, ind.id, None)
                        .is_some_and(|s| !s.shown)
                    {
                        "few"
                    } else {
                        "councils"
                    });
                }
                let name = format!("charts/indicator-{}.svg", ind.id);
                chart_data.insert(name.clone(), ChartData::rl("service", &points, &names));
                charts.push((name.clone(), svg));
                v.chart = Some(name);
            }
            if results.history.len() >= 2 {
                let (rows, chart) =
                    trend(&results.history, y, bench, ind, config, &mut disclosure)?;
                v.trend = rows;
                if let Some((svg, data)) = chart {
                    let name = format!("charts/indicator-{}-trend.svg", ind.id);
                    chart_data.insert(name.clone(), data);
                    charts.push((name.clone(), svg));
                    v.trend_chart = Some(name);
                }
            }
        }
        indicators.push(v);
    }
    let view = NationalView {
        meta,
        coverage: CoverageView {
            coverage: &y.coverage,
            files,
            lfl_councils: results.like_for_like.as_ref().map(|l| l.councils),
            previous_councils: prev.map(|p| p.coverage.councils),
        },
        indicators,
        revisions: revisions.map(|r| RevisionsView::new(r, y)),
        chart_data,
    };
    Ok((view, charts))
}
