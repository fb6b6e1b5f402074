//! What the national run publishes for every council: national figures
//! (exact), regional figures for regions with enough councils (always under
//! public disclosure control, since the file goes to every council), and
//! each indicator's funnel of anonymous council points (councils whose
//! relative likelihood would be withheld are left out; staff rounded, RL to
//! 3 decimals, sorted so that order says nothing of which is which).

use super::{Disclosure, Policy, Shown, Suppression, Verdict};
use crate::compute::{Figure, Funnel, Results, Scope, Spread};
use crate::config::{Config, OverdispersionMethod};
use crate::format::decimal;
use crate::formats::benchmarks::{BenchExtra, BenchRow};
use crate::formats::results::ResultRow;
use crate::indicators::{Band, INDICATORS, Service};

/// The national and regional figures a council needs for its local report,
/// and what the national report and tables show of the councils. No
/// council's own figures are in it.
#[derive(Clone, Debug)]
pub struct Benchmarks {
    pub year: i32,
    pub bands: Vec<Band>,
    pub synthetic: bool,
    pub national: Vec<Figure>,
    /// Regional figures, only where enough councils contributed.
    pub regions: Vec<Figure>,
    pub spread: Vec<Spread>,
    /// Funnels of the councils whose relative likelihood may be published.
    pub funnels: Vec<Funnel>,
}

impl Benchmarks {
    pub fn from_results(r: &Results, config: &Config) -> Benchmarks {
        let y = &r.current;
        let policy = Policy::public(config);
        let adjust = config.funnel.overdispersion == OverdispersionMethod::Additive;
        let of_scope = |s: Scope| y.figures.iter().filter(move |f| f.scope == s);
        Benchmarks {
            year: y.year,
            bands: y.bands.clone(),
            synthetic: config.synthetic,
            national: of_scope(Scope::National).cloned().collect(),
            regions: of_scope(Scope::Region)
                .filter(|f| f.councils as usize >= config.min_region_councils)
                .cloned()
                .collect(),
            spread: y.spread.clone(),
            funnels: INDICATORS
                .iter()
                .filter(|i| i.assessed())
                .filter_map(|i| {
                    let nat = y.national(Service::All, i.id, None)?;
                    let points = of_scope(Scope::Authority)
                        .filter(|f| f.service == Service::All && f.indicator == i.id)
                        .filter_map(|f| {
                            let (w, m, rl) = (f.white?, f.minoritised?, f.rl?);
                            policy
                                .publishable_events(w.events, m.events)
                                .then_some(((w.population + m.population) as f64, rl.rl))
                        })
                        .collect();
                    Funnel::around(nat, points, adjust)
                })
                .collect(),
        }
    }

    /// The funnel of an indicator, if it has one.
    pub fn funnel(&self, ind: crate::indicators::IndicatorId) -> Option<&Funnel> {
        self.funnels.iter().find(|f| f.indicator == ind)
    }

    /// The rows of benchmarks.csv and the suppressions made in them.
    pub fn rows(&self, config: &Config) -> (Vec<BenchRow>, Vec<Suppression>) {
        let synthetic = self.synthetic.to_string();
        let mut rows = Vec::new();
        for f in &self.national {
            let mut r = BenchRow::from_result(ResultRow::of(f));
            if let Some(s) = self
                .spread
                .iter()
                .find(|s| s.indicator == f.indicator && s.service == f.service && s.band == f.band)
            {
                let opt = |x: Option<f64>| x.map(decimal).unwrap_or_default();
                r.extra.councils = s.councils.to_string();
                r.extra.median = opt(s.median);
                r.extra.lower_quartile = opt(s.lower_quartile);
                r.extra.upper_quartile = opt(s.upper_quartile);
                r.extra.councils_adverse = s.adverse.to_string();
                r.extra.councils_within_range = s.within_range.to_string();
                r.extra.councils_favourable = s.favourable.to_string();
                r.extra.councils_not_calculable = s.not_calculable.to_string();
                r.extra.councils_not_provided = s.not_provided.to_string();
            }
            r.extra.units_left_out = f.units_left_out.to_string();
            r.extra.synthetic = synthetic.clone();
            if let Some(fun) = self
                .funnel(f.indicator)
                .filter(|_| f.service == Service::All && f.band.is_none())
            {
                r.extra.funnel_phi = decimal(fun.phi);
                r.extra.funnel_tau2 = decimal(fun.tau2);
            }
            rows.push(r);
        }
        let policy = Policy::public(config);
        let mut d = Disclosure::new(policy, "benchmarks.csv");
        for f in &self.regions {
            let v = d.figure(f);
            let num = |x: &Option<Shown>| match x {
                Some(Shown::N(n)) => decimal(*n),
                Some(Shown::T(t)) => t.to_string(),
                None => String::new(),
            };
            let count = |x: &Option<Shown>| match x {
                Some(Shown::N(n)) => format!("{}", *n as u64),
                other => num(other),
            };
            let mut r = BenchRow::from_result(ResultRow::of(f));
            r.result.white_events = count(&v.white_events);
            r.result.white_population = count(&v.white_population);
            r.result.minoritised_events = count(&v.minoritised_events);
            r.result.minoritised_population = count(&v.minoritised_population);
            r.result.unknown_events = count(&v.unknown_events);
            r.result.unknown_population = count(&v.unknown_population);
            r.result.white_rate = num(&v.white_rate);
            r.result.minoritised_rate = num(&v.minoritised_rate);
            r.result.relative_likelihood = num(&v.rl);
            r.result.ci_lower = num(&v.lower);
            r.result.ci_upper = num(&v.upper);
            r.result.minoritised_share = num(&v.share);
            if v.suppressed {
                r.result.assessment = if v.assessment == Verdict::Suppressed {
                    Verdict::Suppressed.id().to_string()
                } else {
                    String::new()
                };
                r.result.significant = String::new();
            }
            r.extra.councils = f.councils.to_string();
            r.extra.units_left_out = f.units_left_out.to_string();
            r.extra.synthetic = synthetic.clone();
            rows.push(r);
        }
        for f in &self.funnels {
            let mut points: Vec<(i64, i64)> = f
                .points
                .iter()
                .map(|(n, rl)| (policy.round(*n) as i64, (rl * 1000.0).round() as i64))
                .collect();
            points.sort_unstable();
            for (staff, rl) in points {
                rows.push(BenchRow {
                    result: ResultRow {
                        year: self.year.to_string(),
                        scope: "funnel_point".into(),
                        service: Service::All.id().into(),
                        indicator: f.indicator.to_string(),
                        relative_likelihood: format!("{:.3}", rl as f64 / 1000.0),
                        ..ResultRow::default()
                    },
                    extra: BenchExtra {
                        funnel_staff: staff.to_string(),
                        synthetic: synthetic.clone(),
                        ..BenchExtra::default()
                    },
                });
            }
        }
        (rows, d.into_log())
    }
}
