//! What the national run publishes for every council: national and
//! regional figures (regions with enough councils), always under public
//! disclosure control (rounded counts, statistics from them), since the file
//! goes to every council; the spread across councils and each indicator's
//! funnel. The spread and the funnel statistics are of **every** council
//! with a figure (leaving out councils by their outcome would bias them),
//! published only as aggregates of at least `min_spread_councils` councils:
//! the tallies count each council by the verdict its published counts
//! support, the quartiles and the funnel's overdispersion and counts
//! outside the limits are the exact ones; the drawn funnel points are the
//! councils' published figures (docs/disclosure.md).

use super::secondary;
use super::{Disclosure, Policy, Shown, Suppression, Verdict};
use crate::compute::{Figure, Funnel, Results, Scope, Spread, YearResults};
use crate::config::{Config, OverdispersionMethod};
use crate::formats::benchmarks::{BenchExtra, BenchRow};
use crate::formats::results::ResultRow;
use crate::indicators::{Band, INDICATORS, Service};
use crate::register::Register;
use std::collections::BTreeSet;

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
    /// National and regional counts withheld so that the councils' own
    /// published counts cannot be solved for a withheld one
    /// (`secondary::totals`); area code empty for England.
    pub withheld: BTreeSet<secondary::Total>,
    /// The policy of the run's documents.
    pub policy: Policy,
}

impl Benchmarks {
    pub fn from_results(r: &Results, register: &Register, config: &Config) -> Benchmarks {
        let y = &r.current;
        let policy = Policy::public(config);
        let adjust = config.funnel.overdispersion == OverdispersionMethod::Additive;
        let of_scope = |s: Scope| y.figures.iter().filter(move |f| f.scope == s);
        // Every council's figures as its public report shows them.
        let mut d = councils(y, policy);
        let region_of = |code: &str| register.get(code).map(|a| a.region_code.clone());
        let withheld = secondary::totals(
            &y.figures,
            &region_of,
            config.min_region_councils,
            d.withheld(),
            policy,
        );
        d.withhold(&withheld);
        let min = config.min_spread_councils;
        Benchmarks {
            withheld,
            policy: Policy::of(config),
            year: y.year,
            bands: y.bands.clone(),
            synthetic: config.synthetic,
            national: of_scope(Scope::National).cloned().collect(),
            regions: of_scope(Scope::Region)
                .filter(|f| f.councils as usize >= config.min_region_councils)
                .cloned()
                .collect(),
            spread: public_spread(y, &mut d, min),
            funnels: INDICATORS
                .iter()
                .filter(|i| i.assessed())
                .filter_map(|i| {
                    let exact_nat = y.national(Service::All, i.id, None)?;
                    // No funnel around a national figure that is withheld.
                    if d.figure(exact_nat).suppressed {
                        return None;
                    }
                    // England as every local report computes it from the
                    // published counts: the target and the limits.
                    let nat = &policy.recounted(exact_nat);
                    let councils: Vec<&Figure> = of_scope(Scope::Authority)
                        .filter(|f| f.service == Service::All && f.indicator == i.id)
                        .collect();
                    // The mix and rates the points are sized with.
                    let base = Funnel::with(nat, vec![(1.0, 1.0)], 0.0, 0.0)?;
                    // Every council with a figure, at its exact size and
                    // RL (an RL of 0 with Haldane's correction, so that it
                    // has a logarithm): the overdispersion and the counts
                    // outside the limits. Not below the threshold.
                    let every: Vec<(f64, f64)> = councils
                        .iter()
                        .filter_map(|f| {
                            let (w, m, rl) = (f.white?, f.minoritised?, f.rl?);
                            let size = base.size(w.population as f64, m.population as f64)?;
                            Some((size, if rl.rl > 0.0 { rl.rl } else { haldane(w, m)? }))
                        })
                        .collect();
                    if every.len() < min {
                        return None;
                    }
                    let points = councils
                        .iter()
                        .filter_map(|f| funnel_point(f, &mut d, &base))
                        .collect();
                    // The overdispersion as published (4 significant
                    // digits), so that the national report and every local
                    // report draw the same limits.
                    let f = Funnel::around(nat, points, &every, adjust)?;
                    let mut out =
                        Funnel::with(nat, f.points, significant(f.phi), significant(f.tau2))?;
                    out.count(&every);
                    Some(out)
                })
                .collect(),
        }
    }

    /// A national figure of the report year published as `[c]`.
    pub fn national_withheld(
        &self,
        service: Service,
        ind: crate::indicators::IndicatorId,
        band: Option<&str>,
    ) -> bool {
        self.withheld.iter().any(|(area, c)| {
            area.is_empty()
                && c.service == service
                && c.indicator == ind
                && c.band.as_deref() == band
        })
    }

    /// A national figure of the report year as published: rounded counts
    /// and the statistics resting on them, or withheld.
    pub fn national_shown(&self, f: &Figure) -> super::ShownFigure {
        if self.national_withheld(f.service, f.indicator, f.band.as_deref()) {
            super::withheld(f)
        } else {
            Disclosure::new(self.policy, "national").figure(f)
        }
    }

    /// The published spread of an indicator, service and band.
    pub fn spread(
        &self,
        service: Service,
        ind: crate::indicators::IndicatorId,
        band: Option<&str>,
    ) -> Option<&Spread> {
        self.spread
            .iter()
            .find(|s| s.service == service && s.indicator == ind && s.band.as_deref() == band)
    }

    /// The funnel of an indicator, if it has one.
    pub fn funnel(&self, ind: crate::indicators::IndicatorId) -> Option<&Funnel> {
        self.funnels.iter().find(|f| f.indicator == ind)
    }

    /// The rows of benchmarks.csv and the suppressions made in them.
    pub fn rows(&self, config: &Config) -> (Vec<BenchRow>, Vec<Suppression>) {
        let synthetic = self.synthetic.to_string();
        let policy = Policy::public(config);
        let mut d = Disclosure::new(policy, "benchmarks.csv");
        d.withhold(&self.withheld);
        // A figure's columns of results.csv as shown: counts exact
        // (national), rounded or `[c]`, statistics at published precision.
        let withheld = |f: &Figure| {
            f.scope == Scope::National
                && self.national_withheld(f.service, f.indicator, f.band.as_deref())
        };
        let mut shown = |f: &Figure| {
            // A national figure that is a partner is withheld whole, as
            // every report shows it.
            let v = if withheld(f) {
                d.record(f, super::Withheld::Secondary);
                super::withheld(f)
            } else {
                d.figure(f)
            };
            let num = |x: &Option<Shown>, dp: usize| match x {
                Some(Shown::N(n)) => format!("{n:.dp$}"),
                Some(Shown::T(t)) => t.to_string(),
                None => String::new(),
            };
            let count = |x: &Option<Shown>| num(x, 0);
            let mut r = BenchRow::from_result(ResultRow::published(&policy.published(f)));
            r.result.white_events = count(&v.white_events);
            r.result.white_population = count(&v.white_population);
            r.result.minoritised_events = count(&v.minoritised_events);
            r.result.minoritised_population = count(&v.minoritised_population);
            r.result.unknown_events = count(&v.unknown_events);
            r.result.unknown_population = count(&v.unknown_population);
            r.result.white_rate = num(&v.white_rate, 3);
            r.result.minoritised_rate = num(&v.minoritised_rate, 3);
            r.result.relative_likelihood = num(&v.rl, 2);
            r.result.ci_lower = num(&v.lower, 2);
            r.result.ci_upper = num(&v.upper, 2);
            r.result.minoritised_share = num(&v.share, 3);
            if v.suppressed {
                r.result.assessment = if v.assessment == Verdict::Suppressed {
                    Verdict::Suppressed.id().to_string()
                } else {
                    String::new()
                };
                r.result.significant = String::new();
            }
            r.extra.units_left_out = f.units_left_out.to_string();
            r.extra.count_margin = f.carried.map(|c| c.margin.to_string()).unwrap_or_default();
            r.extra.synthetic = synthetic.clone();
            r
        };
        let mut rows = Vec::new();
        for f in &self.national {
            let mut r = shown(f);
            if let Some(s) = self
                .spread
                .iter()
                .find(|s| s.indicator == f.indicator && s.service == f.service && s.band == f.band)
            {
                let opt = |x: Option<f64>| x.map(|x| format!("{x:.2}")).unwrap_or_default();
                r.extra.councils = s.councils.to_string();
                r.extra.median = opt(s.median);
                r.extra.lower_quartile = opt(s.lower_quartile);
                r.extra.upper_quartile = opt(s.upper_quartile);
                // Tallies only where enough councils have a figure.
                let n = |x: u32| {
                    if s.shown {
                        x.to_string()
                    } else {
                        String::new()
                    }
                };
                r.extra.councils_adverse = n(s.adverse);
                r.extra.councils_within_range = n(s.within_range);
                r.extra.councils_favourable = n(s.favourable);
                r.extra.councils_not_calculable = n(s.not_calculable);
                r.extra.councils_not_provided = s.not_provided.to_string();
                r.extra.councils_suppressed = n(s.suppressed);
                r.extra.councils_inconclusive = n(s.inconclusive);
            }
            if let Some(fun) = self
                .funnel(f.indicator)
                .filter(|_| f.service == Service::All && f.band.is_none())
            {
                // Already at 4 significant digits: the shortest form.
                r.extra.funnel_phi = fun.phi.to_string();
                r.extra.funnel_tau2 = fun.tau2.to_string();
            }
            rows.push(r);
        }
        for f in &self.regions {
            let mut r = shown(f);
            r.extra.councils = f.councils.to_string();
            rows.push(r);
        }
        for f in &self.funnels {
            // Already rounded staff and published relative likelihoods;
            // sorted, so that the order says nothing of which is which.
            let mut points: Vec<(i64, i64)> = f
                .points
                .iter()
                .map(|(n, rl)| (n.round() as i64, (rl * 100.0).round() as i64))
                .collect();
            points.sort_unstable();
            for (staff, rl) in points {
                rows.push(BenchRow {
                    result: ResultRow {
                        year: self.year.to_string(),
                        scope: "funnel_point".into(),
                        service: Service::All.id().into(),
                        indicator: f.indicator.to_string(),
                        relative_likelihood: format!("{:.2}", rl as f64 / 100.0),
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

/// Disclosure of every council's figures of the year, each council's
/// secondary withholding decided (what every public local report shows).
pub fn councils(y: &YearResults, policy: Policy) -> Disclosure {
    let mut by_council: std::collections::BTreeMap<&str, Vec<&Figure>> = Default::default();
    for f in y.figures.iter().filter(|f| f.scope == Scope::Authority) {
        by_council.entry(&f.area_code).or_default().push(f);
    }
    let mut d = Disclosure::new(policy, "councils");
    for figures in by_council.values() {
        d.protect(figures);
    }
    d
}

/// A council's point on a funnel plot as its public report shows it: its
/// effective size from its rounded populations (a whole number, as
/// published) and its published relative likelihood; `None` when that is
/// withheld or not calculable.
pub fn funnel_point(f: &Figure, d: &mut Disclosure, funnel: &Funnel) -> Option<(f64, f64)> {
    let v = d.figure(f);
    let (Some(Shown::N(rl)), Some(Shown::N(w)), Some(Shown::N(m))) =
        (v.rl, v.white_population, v.minoritised_population)
    else {
        return None;
    };
    // A relative likelihood of 0 cannot be drawn on the log scale.
    (rl > 0.0).then_some(())?;
    Some((funnel.size(w, m)?.round(), rl))
}

/// The spread across councils of each indicator, service and band, of
/// every council with a figure, shown only where at least `min` councils
/// have one (else only how many): the tally of verdicts, each council
/// counted by the verdict its published counts support (its published
/// verdict; where its figure is withheld, the verdict every count its
/// `[c]` and rounded counts could hide gives, else inconclusive), which is
/// never another than its exact counts give and says nothing a reader of
/// the councils' reports could not work out; and the median and quartiles
/// of the councils' exact relative likelihoods (RL 0 included), to 2
/// decimals. `suppressed` counts the councils whose own figure is withheld.
pub fn public_spread(y: &YearResults, d: &mut Disclosure, min: usize) -> Vec<Spread> {
    let policy = d.policy();
    use std::collections::HashMap;
    let mut by_key: HashMap<_, Vec<&Figure>> = HashMap::new();
    for f in y.figures.iter().filter(|f| f.scope == Scope::Authority) {
        by_key
            .entry((f.indicator, f.service, f.band.as_deref()))
            .or_default()
            .push(f);
    }
    y.spread
        .iter()
        .map(|s| {
            let mut out = Spread {
                shown: false,
                median: None,
                lower_quartile: None,
                upper_quartile: None,
                adverse: 0,
                within_range: 0,
                favourable: 0,
                inconclusive: 0,
                not_calculable: 0,
                not_provided: 0,
                suppressed: 0,
                ..s.clone()
            };
            let mut provided = 0;
            for f in by_key
                .get(&(s.indicator, s.service, s.band.as_deref()))
                .into_iter()
                .flatten()
            {
                let v = d.figure(f);
                provided += usize::from(f.provided());
                let verdict = match v.assessment {
                    Verdict::Suppressed => {
                        out.suppressed += 1;
                        known_verdict(f, policy, d)
                    }
                    Verdict::None if v.suppressed => {
                        out.suppressed += 1;
                        Verdict::None
                    }
                    other => other,
                };
                match verdict {
                    Verdict::Adverse => out.adverse += 1,
                    Verdict::WithinRange => out.within_range += 1,
                    Verdict::Favourable => out.favourable += 1,
                    Verdict::Inconclusive => out.inconclusive += 1,
                    Verdict::NotCalculable => out.not_calculable += 1,
                    Verdict::NotProvided => out.not_provided += 1,
                    Verdict::Suppressed | Verdict::None => {}
                }
            }
            out.shown = provided >= min.max(1);
            if !out.shown {
                (out.adverse, out.within_range, out.favourable) = (0, 0, 0);
                (out.inconclusive, out.not_calculable, out.suppressed) = (0, 0, 0);
            }
            if (s.councils as usize) >= min.max(1) && out.shown {
                let two = |x: Option<f64>| x.map(|x| super::round_to(x, 2));
                out.median = two(s.median);
                out.lower_quartile = two(s.lower_quartile);
                out.upper_quartile = two(s.upper_quartile);
            }
            out
        })
        .collect()
}

/// The verdict of a withheld council figure that every set of counts its
/// published cells could hide gives (`[c]`: 1 to `min_count - 1`; a rounded
/// count: what rounds to it), else inconclusive; inconclusive when a count
/// is withheld as a partner (anything could be behind it).
fn known_verdict(f: &Figure, policy: Policy, d: &Disclosure) -> Verdict {
    let (Some(w), Some(m)) = (f.white, f.minoritised) else {
        return Verdict::NotProvided;
    };
    let partner = d.withheld().iter().any(|(area, c)| {
        area == &f.area_code
            && c.service == f.service
            && c.indicator == f.indicator
            && c.band == f.band
    });
    if partner {
        return Verdict::Inconclusive;
    }
    let k = crate::stats::Counts {
        a: policy.hidden(m.events),
        n1: policy.hidden(m.population),
        c: policy.hidden(w.events),
        n2: policy.hidden(w.population),
    };
    let ind = f.indicator();
    match crate::stats::covering_interval(&k) {
        Ok(Some((lo, hi))) => crate::stats::assess(
            &k,
            (super::floor_to(lo, 2), super::ceil_to(hi, 2)),
            ind.polarity,
            policy.band_lower,
            policy.band_upper,
        )
        .into(),
        Ok(None) => Verdict::Inconclusive,
        Err(_) => Verdict::NotCalculable,
    }
}

/// The relative likelihood with 0.5 added to each count (Haldane-Anscombe):
/// a figure of 0 on the logarithmic scale of the overdispersion.
fn haldane(w: crate::compute::GroupCount, m: crate::compute::GroupCount) -> Option<f64> {
    let h = 0.5;
    let rl = (h / (m.population as f64 + h)) / ((w.events as f64 + h) / (w.population as f64 + h));
    (rl > 0.0 && rl.is_finite()).then_some(rl)
}

/// `x` to 4 significant digits (the funnels' overdispersion as published).
fn significant(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let dp = 3 - x.abs().log10().floor() as i32;
    if dp >= 0 {
        super::round_to(x, dp)
    } else {
        let k = 10f64.powi(-dp);
        (x / k).round() * k
    }
}
