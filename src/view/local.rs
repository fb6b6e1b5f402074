//! A council's local report view: its own figures (disclosure-controlled),
//! beside the published benchmarks. It never sees another council's named
//! figures: its inputs are [`LocalInputs`] and [`LocalBench`].

use super::{ByService, Chart, ChartTables, Meta};
use crate::chart::{Frame, RlPoint};
use crate::compute::quality::Quality;
use crate::compute::{Figure, Funnel, Position};
use crate::config::Config;
use crate::disclose::{
    Disclosure, Policy, SUPPRESSED, Shown, ShownFigure, Suppression, Verdict, Withheld, exact,
};
use crate::indicators::{Band, INDICATORS, Indicator, IndicatorId, Polarity, Service};
use crate::load::actions::{Action, ActionPlan};
use crate::load::benchmarks::{Cell, RegionFigure};
use crate::register::Authority;
use crate::stats::{self, Comparison};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// One council's figures, and nothing of any other council's.
pub struct LocalInputs<'a> {
    pub authority: &'a Authority,
    pub own: Vec<&'a Figure>,
    /// The council's own figures of the newest earlier year it took part in.
    pub previous: Option<(i32, Vec<&'a Figure>)>,
    /// Its own figures of every earlier year it took part in, oldest first.
    pub series: Vec<(i32, Vec<&'a Figure>)>,
    pub services: Vec<Service>,
    pub staff: u64,
    pub quality: Quality,
    pub actions: Option<&'a ActionPlan>,
}

/// A funnel's chart with every point grey, made once and shared by every
/// local report; a council's own point is drawn over it.
#[derive(Clone, Debug)]
pub struct SharedFunnel {
    pub indicator: IndicatorId,
    pub svg: Arc<Vec<u8>>,
    pub frame: Frame,
}

/// What a local report may read of the national run: exactly what the
/// published `benchmarks.csv` holds, read back from its bytes (national
/// figures computed again from the national counts; regional figures and
/// the anonymous funnel points as published).
#[derive(Clone, Debug)]
pub struct LocalBench {
    pub year: i32,
    pub bands: Vec<Band>,
    pub synthetic: bool,
    pub national: Vec<Figure>,
    pub regions: Vec<RegionFigure>,
    pub funnels: Vec<Funnel>,
    pub funnel_charts: Vec<SharedFunnel>,
    /// National figures published as `[c]` (docs/disclosure.md).
    pub withheld_national: std::collections::BTreeSet<(Service, IndicatorId, Option<String>)>,
}

impl LocalBench {
    fn national(&self, s: Service, ind: IndicatorId, band: Option<&str>) -> Option<&Figure> {
        self.national
            .iter()
            .find(|f| f.service == s && f.indicator == ind && f.band.as_deref() == band)
    }

    /// A national figure as published: exact counts, or withheld.
    fn national_shown(
        &self,
        s: Service,
        ind: IndicatorId,
        band: Option<&str>,
    ) -> Option<ShownFigure> {
        let f = self.national(s, ind, band)?;
        Some(
            if self
                .withheld_national
                .contains(&(s, ind, band.map(str::to_string)))
            {
                crate::disclose::withheld(f)
            } else {
                exact(f)
            },
        )
    }

    fn region(&self, code: &str, s: Service, ind: IndicatorId) -> Option<&RegionFigure> {
        self.regions.iter().find(|f| {
            f.area_code == code && f.service == s && f.indicator == ind && f.band.is_none()
        })
    }
}

/// A published regional figure as a template sees it.
fn region_view(r: &RegionFigure) -> ShownFigure {
    let c = |x: Cell| match x {
        Cell::Empty => None,
        Cell::N(n) => Some(Shown::N(n)),
        Cell::Suppressed => Some(SUPPRESSED),
    };
    ShownFigure {
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
        assessment: Verdict::parse(&r.assessment).unwrap_or(Verdict::None),
        significant: None,
        reason: None,
        units_left_out: 0,
        councils: r.councils,
        suppressed: r.rl == Cell::Suppressed,
        within: None,
    }
}

#[derive(Serialize)]
struct SummaryChart {
    file: String,
    higher_is_worse: bool,
}

#[derive(Serialize)]
struct LocalIndicator {
    #[serde(flatten)]
    def: &'static Indicator,
    events_description: &'static str,
    population_description: &'static str,
    /// The population in a word or two, for table headers.
    population_short: &'static str,
    assessed: bool,
    own: ByService,
    national: ByService,
    region: ByService,
    previous: Option<ShownFigure>,
    /// The council's own series (all services), oldest first, with this
    /// year; only with three years or more.
    series: Vec<SeriesRow>,
    /// Whether the council's interval lies wholly above or below England's
    /// (the summary chart draws the indicators that have one).
    differs: Option<Comparison>,
    /// Drawn on the summary chart (a relative likelihood of 0 cannot be, on
    /// a log scale).
    charted: bool,
    /// The one comparison with England the report states: on the funnel
    /// plot where the indicator has one, else by the council's interval.
    versus: Option<Versus>,
    /// This year against last year's figure, tested
    /// (`stats::change`).
    change: Option<stats::YearChange>,
    bands: Vec<LocalBand>,
    funnel: Option<LocalFunnel>,
    /// Actions of the council's plan addressing this indicator.
    actions: usize,
    /// Assessed adverse (as shown) and no action addresses it.
    unaddressed: bool,
}

/// How a council compares with England, and by which comparison.
#[derive(Serialize)]
struct Versus {
    direction: Comparison,
    /// `funnel` (its 95% control limits) or `interval` (the council's 95%
    /// interval against England's figure).
    by: &'static str,
}

#[derive(Serialize)]
struct SeriesRow {
    year: i32,
    fig: Option<ShownFigure>,
}

#[derive(Serialize)]
struct LocalBand {
    label: String,
    own: Option<ShownFigure>,
    national: Option<ShownFigure>,
}

/// Where the council sits on an indicator's funnel plot.
#[derive(Serialize)]
struct LocalFunnel {
    chart: String,
    /// The limits allow for variation between councils beyond chance.
    adjusted: bool,
    councils: usize,
    /// The council's white plus minoritised population (rounded when
    /// public), and its effective size, where it is drawn.
    staff: f64,
    size: f64,
    rl: f64,
    lo95: f64,
    hi95: f64,
    lo998: f64,
    hi998: f64,
    position: Position,
    /// The council's point as fractions of the chart's width from its top
    /// left corner, and which side its label goes.
    fx: f64,
    fy: f64,
    label_left: bool,
}

#[derive(Serialize)]
struct PlanGroup {
    id: IndicatorId,
    title: &'static str,
    assessment: Option<Verdict>,
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

/// The withheld parts of one figure.
#[derive(Serialize)]
struct SuppressionView {
    year: i32,
    indicator: Option<IndicatorId>,
    short: &'static str,
    service: &'static str,
    band: String,
    what: Vec<Withheld>,
}

/// A local report's view: what `local.typ` reads.
#[derive(Serialize)]
pub struct LocalView<'a> {
    meta: Meta,
    authority: &'a Authority,
    /// Whether the council's region's figures are published.
    region_published: bool,
    services: Vec<&'static str>,
    staff: Option<Shown>,
    indicators: Vec<LocalIndicator>,
    /// The comparison with England, one chart for the indicators where a
    /// higher figure is worse for minoritised staff and one where it is
    /// better, so that up means one thing on each.
    summary_charts: Vec<SummaryChart>,
    band_chart: Option<String>,
    workforce_share: Option<Shown>,
    /// Some funnel's limits allow for variation between councils.
    funnels_adjusted: bool,
    has_plan: bool,
    /// The plan's actions grouped by indicator, in indicator order.
    plan: Vec<PlanGroup>,
    /// How many indicators (all services, as shown) got each assessment.
    tally: BTreeMap<&'static str, usize>,
    /// What chance alone would make of those verdicts.
    chance: crate::stats::Chance,
    quality: QualityView,
    suppressions: Vec<SuppressionView>,
    /// What each chart draws, for the web page's data tables.
    chart_data: ChartTables,
}

impl LocalView<'_> {
    /// What the report says of each indicator for all the council's
    /// services: its relative likelihood as shown (a number, or `[c]` where
    /// withheld) and its verdict, as this view's disclosure made them.
    pub fn all_services(&self) -> Vec<(IndicatorId, Option<Shown>, Verdict)> {
        self.indicators
            .iter()
            .filter_map(|i| {
                i.own
                    .all
                    .as_ref()
                    .map(|f| (i.def.id, f.rl.clone(), f.assessment))
            })
            .collect()
    }
}

/// A local report: view, charts and the suppressions made. `bench` is what
/// benchmarks.csv publishes; `input` the council's own figures.
pub fn local<'a>(
    input: &'a LocalInputs<'a>,
    bench: &LocalBench,
    config: &Config,
) -> Result<(LocalView<'a>, Vec<Chart>, Vec<Suppression>), String> {
    let a = input.authority;
    let mut disclosure = Disclosure::new(Policy::of(config), format!("local {}", a.code));
    disclosure.protect(&input.own);
    let own = |s: Service, ind: IndicatorId, band: Option<&str>| {
        input
            .own
            .iter()
            .find(|f| f.service == s && f.indicator == ind && f.band.as_deref() == band)
            .copied()
    };
    let synthetic = config.synthetic || bench.synthetic;
    let region_published = bench.regions.iter().any(|r| r.area_code == a.region_code);
    let mut charts = Vec::new();
    let mut chart_data = ChartTables::new();
    let mut indicators = Vec::new();
    // Per direction (higher is worse, higher is better): categories, points.
    let mut groups: [(Vec<String>, Vec<RlPoint>); 2] = Default::default();
    for ind in &INDICATORS {
        let mut v = LocalIndicator {
            def: ind,
            events_description: ind.events.description(),
            population_description: ind.population.description(),
            population_short: ind.population.short(),
            assessed: ind.assessed(),
            own: ByService::new(|s| own(s, ind.id, None).map(|f| disclosure.figure(f))),
            national: ByService::new(|s| bench.national_shown(s, ind.id, None)),
            region: ByService::new(|s| bench.region(&a.region_code, s, ind.id).map(region_view)),
            previous: None,
            series: Vec::new(),
            differs: None,
            charted: false,
            versus: None,
            change: None,
            bands: Vec::new(),
            funnel: None,
            actions: 0,
            unaddressed: false,
        };
        if let Some((_, figs)) = &input.previous {
            let prev = figs
                .iter()
                .find(|f| f.service == Service::All && f.indicator == ind.id && f.band.is_none());
            v.previous = prev.map(|f| disclosure.figure(f));
            // Tested on the figures as published, when both are shown.
            let shown = |x: &Option<ShownFigure>| x.as_ref().is_some_and(|f| !f.suppressed);
            if shown(&v.previous) && shown(&v.own.all) {
                let now = own(Service::All, ind.id, None).map(|f| disclosure.published(f));
                let before = prev.map(|f| disclosure.published(f));
                if let (Some(Some(n)), Some(Some(b))) = (now.map(|f| f.rl), before.map(|f| f.rl)) {
                    v.change = stats::change(&n, &b);
                }
            }
        }
        if input.series.len() >= 2 && !ind.per_band {
            let all = |figs: &[&'a Figure]| {
                figs.iter()
                    .find(|f| {
                        f.service == Service::All && f.indicator == ind.id && f.band.is_none()
                    })
                    .copied()
            };
            for (year, figs) in &input.series {
                // The newest earlier year's figure is the one already shown.
                let fig = match &input.previous {
                    Some((py, _)) if py == year => v.previous.clone(),
                    _ => all(figs).map(|f| disclosure.figure(f)),
                };
                v.series.push(SeriesRow { year: *year, fig });
            }
            v.series.push(SeriesRow {
                year: bench.year,
                fig: v.own.all.clone(),
            });
        }
        if ind.per_band {
            for b in &bench.bands {
                v.bands.push(LocalBand {
                    label: b.label.clone(),
                    own: own(Service::All, ind.id, Some(&b.id)).map(|f| disclosure.figure(f)),
                    national: bench.national_shown(Service::All, ind.id, Some(&b.id)),
                });
            }
        } else {
            // The council's figure as its report publishes it (rounded
            // counts, published precision; exact when internal).
            let published = own(Service::All, ind.id, None).map(|f| disclosure.published(f));
            let mine = published.as_ref();
            let eng = bench.national(Service::All, ind.id, None);
            let shown = v.own.all.as_ref().is_some_and(|f| !f.suppressed);
            if let (Some(m), Some(e), true) =
                (mine.and_then(|f| f.rl), eng.and_then(|f| f.rl), shown)
            {
                v.differs = Some(m.compare(e.rl));
            }
            // Drawn on the log scale where both figures are above 0.
            if let (Some(m), Some(e), true) =
                (mine.and_then(|f| f.rl), eng.and_then(|f| f.rl), shown)
                && m.rl > 0.0
                && e.rl > 0.0
            {
                v.charted = true;
                let (cats, points) =
                    &mut groups[usize::from(ind.polarity != Polarity::HigherIsWorse)];
                cats.push(ind.id.to_string());
                for (series, r) in [m, e].into_iter().enumerate() {
                    points.push(RlPoint {
                        category: ind.id.to_string(),
                        series,
                        rl: r.rl,
                        lower: r.lower,
                        upper: r.upper,
                    });
                }
            }
            if let (Some(f), Some(c), Some(mine), true) = (
                bench.funnels.iter().find(|f| f.indicator == ind.id),
                bench.funnel_charts.iter().find(|c| c.indicator == ind.id),
                mine,
                shown,
            ) && let Some((fv, chart)) = funnel::local_funnel(f, c, mine)
            {
                charts.push(chart);
                v.funnel = Some(fv);
            }
            // One comparison with England: the funnel's limits where the
            // council is on the funnel plot, else its interval.
            v.versus = match (&v.funnel, v.differs) {
                (Some(f), _) => Some(Versus {
                    direction: match f.position {
                        Position::Inside => Comparison::Similar,
                        Position::Above95 | Position::Above998 => Comparison::Above,
                        Position::Below95 | Position::Below998 => Comparison::Below,
                    },
                    by: "funnel",
                }),
                (None, Some(d)) => Some(Versus {
                    direction: d,
                    by: "interval",
                }),
                (None, None) => None,
            };
        }
        v.actions = input.actions.map_or(0, |plan| {
            plan.actions
                .iter()
                .filter(|x| x.indicator == ind.id)
                .count()
        });
        v.unaddressed = v.actions == 0
            && v.own
                .all
                .as_ref()
                .is_some_and(|f| f.assessment == Verdict::Adverse);
        indicators.push(v);
    }
    let names = [a.name.clone(), "England".to_string()];
    let summary_charts = charts::summary(&groups, &names, config, &mut charts, &mut chart_data)?;
    // Pay bands: the council beside England and its own workforce.
    let by_band = indicators
        .iter()
        .find(|v| v.def.per_band)
        .map_or(&[][..], |v| &v.bands[..]);
    let (band_chart, workforce_share) = charts::pay_bands(
        &bench.bands,
        by_band,
        &names,
        config,
        &mut charts,
        &mut chart_data,
    )?;
    let staff = disclosure.count(input.staff);
    let q = &input.quality;
    let quality = QualityView {
        unknown_share: disclosure.share(
            bench.year,
            &a.code,
            q.unknown,
            q.headcount,
            Withheld::UnknownShare,
        ),
        survey_response_rate: disclosure.share(
            bench.year,
            &a.code,
            q.respondents,
            q.survey_staff,
            Withheld::SurveyResponseRate,
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
    let tally = tally(&indicators);
    let verdicts = ["within_range", "adverse", "favourable", "inconclusive"]
        .iter()
        .map(|v| tally.get(v).copied().unwrap_or(0))
        .sum();
    let chance = crate::stats::chance(verdicts);
    let suppressions = suppressions::suppression_lines(disclosure.log(), &bench.bands);
    let mut meta = Meta::new(config, bench.year, input.previous.as_ref().map(|(y, _)| *y));
    meta.synthetic = synthetic;
    let view = LocalView {
        meta,
        authority: a,
        region_published,
        services: input.services.iter().map(|s| s.id()).collect(),
        staff: Some(staff),
        indicators,
        summary_charts,
        band_chart,
        workforce_share,
        funnels_adjusted: bench.funnels.iter().any(|f| f.adjusted()),
        has_plan: input.actions.is_some(),
        plan,
        tally,
        chance,
        quality,
        suppressions,
        chart_data,
    };
    Ok((view, charts, disclosure.into_log()))
}

/// How many assessed indicators (all services, as shown) got each verdict.
fn tally(indicators: &[LocalIndicator]) -> BTreeMap<&'static str, usize> {
    let mut tally: BTreeMap<&'static str, usize> =
        Verdict::ASSESSED.into_iter().map(|a| (a.id(), 0)).collect();
    for v in indicators.iter().filter(|v| v.assessed) {
        let a = v.own.all.as_ref().map_or(Verdict::NotProvided, |f| {
            if f.provided {
                f.assessment
            } else {
                Verdict::NotProvided
            }
        });
        *tally.entry(a.id()).or_insert(0) += 1;
    }
    tally
}

mod charts;
mod funnel;
mod suppressions;
#[cfg(test)]
mod tests;
