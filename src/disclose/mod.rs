//! Disclose: computed figures in, published figures out. The one stage that
//! decides what a reader may see of a sub-national figure (docs/disclosure.md,
//! "Disclosure control"), and that logs every figure it withholds. Views and
//! writers only read what it returns.

pub mod benchmarks;
pub mod carry;
mod policy;
pub mod secondary;

pub use policy::{Policy, ceil_to, floor_to, round_to};

use crate::compute::Figure;
use crate::indicators::{IndicatorId, Service};
use crate::stats::Assessment;
use serde::Serialize;
use std::collections::BTreeSet;

/// A number, or a shorthand such as `[c]` in its place.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(untagged)]
pub enum Shown {
    N(f64),
    T(&'static str),
}

/// The shorthand of a withheld figure.
pub const SUPPRESSED: Shown = Shown::T("[c]");

/// An assessment as published: a withheld figure has no assessment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    WithinRange,
    Adverse,
    Favourable,
    Inconclusive,
    NotCalculable,
    NotProvided,
    Suppressed,
    /// A descriptive indicator: no assessment.
    #[serde(rename = "")]
    None,
}

impl Verdict {
    /// Every verdict an assessed indicator can get, in the order of a tally.
    pub const ASSESSED: [Verdict; 7] = [
        Verdict::WithinRange,
        Verdict::Adverse,
        Verdict::Favourable,
        Verdict::Inconclusive,
        Verdict::NotCalculable,
        Verdict::NotProvided,
        Verdict::Suppressed,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Verdict::Suppressed => "suppressed",
            Verdict::WithinRange => Assessment::WithinRange.id(),
            Verdict::Adverse => Assessment::Adverse.id(),
            Verdict::Favourable => Assessment::Favourable.id(),
            Verdict::Inconclusive => Assessment::Inconclusive.id(),
            Verdict::NotCalculable => Assessment::NotCalculable.id(),
            Verdict::NotProvided => Assessment::NotProvided.id(),
            Verdict::None => "",
        }
    }

    pub fn parse(s: &str) -> Option<Verdict> {
        Verdict::ASSESSED
            .into_iter()
            .chain([Verdict::None])
            .find(|v| v.id() == s)
    }
}

impl From<Assessment> for Verdict {
    fn from(a: Assessment) -> Verdict {
        match a {
            Assessment::WithinRange => Verdict::WithinRange,
            Assessment::Adverse => Verdict::Adverse,
            Assessment::Favourable => Verdict::Favourable,
            Assessment::Inconclusive => Verdict::Inconclusive,
            Assessment::NotCalculable => Verdict::NotCalculable,
            Assessment::NotProvided => Verdict::NotProvided,
            Assessment::None => Verdict::None,
        }
    }
}

/// One figure as published (and as a template reads it).
#[derive(Clone, Debug, Serialize)]
pub struct ShownFigure {
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
    pub assessment: Verdict,
    pub significant: Option<bool>,
    pub reason: Option<&'static str>,
    pub units_left_out: u32,
    pub councils: u32,
    /// The rates and relative likelihood are withheld.
    pub suppressed: bool,
    /// England's or a region's within-council figure, as published.
    pub within: Option<crate::compute::Within>,
}

/// A figure exactly as computed (national figures; the internal audience).
pub fn exact(f: &Figure) -> ShownFigure {
    let n = |x: u64| Some(Shown::N(x as f64));
    let fl = |x: Option<f64>| x.map(Shown::N);
    ShownFigure {
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
        assessment: f.assessment.into(),
        significant: f.significant,
        reason: f.not_calculable.map(|r| r.reason()),
        units_left_out: f.units_left_out,
        councils: f.councils,
        suppressed: false,
        within: f.within,
    }
}

/// A figure published as `[c]` throughout (a national figure withheld as
/// the partner of a council's count, read back from benchmarks.csv).
pub fn withheld(f: &Figure) -> ShownFigure {
    let c = Some(SUPPRESSED);
    // A 0 stays 0: it says nothing more than the `[c]` beside it.
    let n = |g: Option<crate::compute::GroupCount>, pick: fn(crate::compute::GroupCount) -> u64| {
        match g.map(pick) {
            Some(0) => Some(Shown::N(0.0)),
            _ => Some(SUPPRESSED),
        }
    };
    ShownFigure {
        provided: true,
        white_events: n(f.white, |g| g.events),
        white_population: n(f.white, |g| g.population),
        minoritised_events: n(f.minoritised, |g| g.events),
        minoritised_population: n(f.minoritised, |g| g.population),
        unknown_events: n(f.unknown, |g| g.events),
        unknown_population: n(f.unknown, |g| g.population),
        white_rate: c.clone(),
        minoritised_rate: c.clone(),
        rl: c.clone(),
        lower: c.clone(),
        upper: c.clone(),
        share: f.indicator().has_share.then_some(SUPPRESSED),
        share_lower: None,
        share_upper: None,
        workforce_share: None,
        assessment: if f.indicator().assessed() {
            Verdict::Suppressed
        } else {
            Verdict::None
        },
        significant: None,
        reason: None,
        units_left_out: f.units_left_out,
        councils: f.councils,
        suppressed: true,
        within: None,
    }
}

/// Why something was withheld. The words a reader sees, with the
/// configured thresholds, are in `report-templates/` (macro `withheld`);
/// `suppressions.csv` carries the id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Withheld {
    /// Rates and relative likelihood: an event count below the threshold.
    Rates,
    /// The workforce share: a headcount below the threshold.
    WorkforceShare,
    /// Counts below the threshold shown as `[c]`.
    Counts,
    /// The share of staff of unknown ethnicity.
    UnknownShare,
    /// A count withheld so that a withheld or rounded count cannot be
    /// worked out from the council's other counts (secondary withholding).
    Secondary,
    /// The staff-survey response rate.
    SurveyResponseRate,
}

impl Withheld {
    pub fn id(self) -> &'static str {
        match self {
            Withheld::Rates => "rates",
            Withheld::WorkforceShare => "workforce_share",
            Withheld::Counts => "counts",
            Withheld::UnknownShare => "unknown_share",
            Withheld::Secondary => "secondary",
            Withheld::SurveyResponseRate => "survey_response_rate",
        }
    }
}

/// One withheld figure, for the log.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Suppression {
    pub report: String,
    /// The collection year of the figure.
    pub year: i32,
    pub area_code: String,
    pub service: Service,
    /// `None` for a data-quality figure of a whole return.
    pub indicator: Option<IndicatorId>,
    pub band: Option<String>,
    pub what: Withheld,
}

/// Disclosure control of one document: the policy, and the log of what it
/// withheld.
pub struct Disclosure {
    policy: Policy,
    report: String,
    log: Vec<Suppression>,
    /// Counts withheld besides the small ones (`secondary`), by council.
    secondary: BTreeSet<(String, secondary::Cell)>,
}

impl Disclosure {
    /// `report` names the document in the log.
    pub fn new(policy: Policy, report: impl Into<String>) -> Disclosure {
        Disclosure {
            policy,
            report: report.into(),
            log: Vec::new(),
            secondary: BTreeSet::new(),
        }
    }

    /// Decides the secondary withholding of one council's figures of a
    /// year (every figure of the council, all services and bands), which
    /// [`Disclosure::figure`] then applies.
    pub fn protect(&mut self, council: &[&Figure]) {
        let cells = secondary::secondary(council, self.policy);
        if let Some(f) = council.first() {
            self.secondary
                .extend(cells.into_iter().map(|c| (f.area_code.clone(), c)));
        }
    }

    /// Logs a part of a figure withheld, and why.
    pub fn record(&mut self, f: &Figure, what: Withheld) {
        self.log.push(Suppression {
            report: self.report.clone(),
            year: f.year,
            area_code: f.area_code.clone(),
            service: f.service,
            indicator: Some(f.indicator),
            band: f.band.clone(),
            what,
        });
    }

    /// Every count withheld besides the small ones so far.
    pub fn withheld(&self) -> &BTreeSet<(String, secondary::Cell)> {
        &self.secondary
    }

    /// Withholds these counts too (national and regional totals decided
    /// for the whole release, `Benchmarks::withheld`). Nothing is withheld
    /// from an internal document.
    pub fn withhold(&mut self, counts: &BTreeSet<(String, secondary::Cell)>) {
        if self.policy.public {
            self.secondary.extend(counts.iter().cloned());
        }
    }

    /// A count of `f` withheld by [`Disclosure::protect`].
    fn is_secondary(&self, f: &Figure, minoritised: bool, population: bool) -> bool {
        !self.secondary.is_empty()
            && self.secondary.contains(&(
                f.area_code.clone(),
                secondary::Cell {
                    service: f.service,
                    indicator: f.indicator,
                    band: f.band.clone(),
                    minoritised,
                    population,
                },
            ))
    }

    pub fn count(&self, n: u64) -> Shown {
        self.policy.count(n)
    }

    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// The figure a reader of this document sees ([`Policy::published`]).
    pub fn published(&self, f: &Figure) -> Figure {
        self.policy.published(f)
    }

    /// A figure with the rules applied; exact when the audience is internal.
    /// At every level, England's included (docs/disclosure.md), counts are
    /// `[c]` or rounded and every statistic rests on the rounded counts
    /// ([`Policy::published`]).
    pub fn figure(&mut self, f: &Figure) -> ShownFigure {
        let mut v = exact(&self.policy.published(f));
        let (Some(w), Some(m), Some(u), true) =
            (f.white, f.minoritised, f.unknown, self.policy.public)
        else {
            return v;
        };
        let p = self.policy;
        // The counts shown: rounded, or carried from an earlier release
        // (`carry`), `[c]` when small either way.
        let shown = f.carried.map(|c| {
            [
                c.events.white,
                c.population.white,
                c.events.minoritised,
                c.population.minoritised,
                c.events.unknown,
                c.population.unknown,
            ]
        });
        for (i, (slot, n)) in [
            (&mut v.white_events, w.events),
            (&mut v.white_population, w.population),
            (&mut v.minoritised_events, m.events),
            (&mut v.minoritised_population, m.population),
            (&mut v.unknown_events, u.events),
            (&mut v.unknown_population, u.population),
        ]
        .into_iter()
        .enumerate()
        {
            *slot = Some(match shown {
                Some(c) if !p.small(n) => Shown::N(c[i] as f64),
                _ => p.count(n),
            });
        }
        let mut whats = Vec::new();
        let mut secondary = false;
        for (slot, minoritised, population) in [
            (&mut v.white_events, false, false),
            (&mut v.white_population, false, true),
            (&mut v.minoritised_events, true, false),
            (&mut v.minoritised_population, true, true),
        ] {
            if self.is_secondary(f, minoritised, population) {
                *slot = Some(SUPPRESSED);
                secondary = true;
            }
        }
        if secondary {
            whats.push(Withheld::Secondary);
        }
        // A rate or relative likelihood rests on counts of which none is
        // withheld: both groups' events (0 or at least the threshold), and
        // their populations.
        if secondary
            || !p.publishable_events(w.events, m.events)
            || p.small(w.population)
            || p.small(m.population)
        {
            // Withheld whether or not the rounded counts would give a
            // figure (a small count rounds to 0): the reader learns neither.
            // Except where the exact figure has none because a count is 0,
            // which the report prints as 0 anyway: that is said.
            use crate::stats::NotCalculable as N;
            let zero = matches!(
                f.not_calculable,
                Some(
                    N::NoMinoritisedEvents
                        | N::NoWhiteEvents
                        | N::NoMinoritisedPopulation
                        | N::NoWhitePopulation
                )
            ) && !secondary;
            for x in [&mut v.white_rate, &mut v.minoritised_rate] {
                *x = Some(SUPPRESSED);
            }
            for x in [&mut v.rl, &mut v.lower, &mut v.upper] {
                *x = if zero { None } else { Some(SUPPRESSED) };
            }
            if f.indicator().has_share {
                for x in [&mut v.share, &mut v.share_lower, &mut v.share_upper] {
                    *x = Some(SUPPRESSED);
                }
            }
            if f.indicator().assessed() {
                v.assessment = if zero {
                    Verdict::NotCalculable
                } else {
                    Verdict::Suppressed
                };
            }
            v.significant = None;
            v.reason = if zero {
                f.not_calculable.map(|r| r.reason())
            } else {
                None
            };
            v.suppressed = !zero;
            v.within = None;
            whats.push(Withheld::Rates);
        }
        if v.workforce_share.is_some() && (p.small(w.population) || p.small(m.population)) {
            v.workforce_share = Some(SUPPRESSED);
            whats.push(Withheld::WorkforceShare);
        }
        if [w, m, u]
            .iter()
            .any(|g| p.small(g.events) || p.small(g.population))
        {
            whats.push(Withheld::Counts);
        }
        for what in whats {
            self.record(f, what);
        }
        v
    }

    /// A share `part / whole` of a council's whole return (a data-quality
    /// figure): `[c]` when the part is a small count in a public report.
    pub fn share(
        &mut self,
        year: i32,
        area_code: &str,
        part: u64,
        whole: u64,
        what: Withheld,
    ) -> Option<Shown> {
        if whole == 0 {
            return None;
        }
        if self.policy.small(part) || self.policy.small(whole) {
            self.log.push(Suppression {
                report: self.report.clone(),
                year,
                area_code: area_code.to_string(),
                service: Service::All,
                indicator: None,
                band: None,
                what,
            });
            return Some(SUPPRESSED);
        }
        let (part, whole) = (self.policy.rounded(part), self.policy.rounded(whole));
        let share = part as f64 / whole as f64;
        Some(Shown::N(if self.policy.public {
            round_to(share, 3)
        } else {
            share
        }))
    }

    pub fn log(&self) -> &[Suppression] {
        &self.log
    }

    pub fn into_log(self) -> Vec<Suppression> {
        self.log
    }
}

#[cfg(test)]
mod tests;
