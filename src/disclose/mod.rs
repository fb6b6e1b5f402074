//! Disclose: computed figures in, published figures out. The one stage that
//! decides what a reader may see of a sub-national figure (indicators.md,
//! "Disclosure control"), and that logs every figure it withholds. Views and
//! writers only read what it returns.

pub mod benchmarks;

use crate::compute::Figure;
use crate::config::{Audience, Config};
use crate::indicators::{IndicatorId, Service};
use crate::stats::Assessment;
use serde::Serialize;

/// What may be shown: the thresholds of `report.yaml` and whether they
/// apply (public) or every figure is exact (internal).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    pub public: bool,
    /// Counts from 1 to `min_count - 1` are withheld.
    pub min_count: u64,
    /// Other counts are rounded to the nearest multiple of this.
    pub rounding_base: u64,
}

impl Policy {
    /// The policy of a run: its audience and thresholds.
    pub fn of(config: &Config) -> Policy {
        Policy {
            public: config.audience == Audience::Public,
            ..Policy::public(config)
        }
    }

    /// The public policy whatever the run's audience: for files handed to
    /// every council.
    pub fn public(config: &Config) -> Policy {
        Policy {
            public: true,
            min_count: config.disclosure.min_count,
            rounding_base: config.disclosure.rounding_base,
        }
    }

    /// A count that must be withheld.
    pub fn small(&self, n: u64) -> bool {
        self.public && n > 0 && n < self.min_count
    }

    /// Both groups' event counts are 0 or at least `min_count`: a rate or
    /// relative likelihood resting on them may be published.
    pub fn publishable_events(&self, white: u64, minoritised: u64) -> bool {
        let ok = |e: u64| e == 0 || e >= self.min_count;
        ok(white) && ok(minoritised)
    }

    /// 0 stays 0, small counts are `[c]`, others rounded to the base.
    pub fn count(&self, n: u64) -> Shown {
        if !self.public {
            return Shown::N(n as f64);
        }
        if self.small(n) {
            return SUPPRESSED;
        }
        let b = self.rounding_base;
        Shown::N((n.saturating_add(b / 2) / b * b) as f64)
    }

    /// A rounded staff number (funnel points): to the nearest multiple of
    /// the rounding base.
    pub fn round(&self, n: f64) -> f64 {
        let b = self.rounding_base as f64;
        (n / b).round() * b
    }
}

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
    NotCalculable,
    NotProvided,
    Suppressed,
    /// A descriptive indicator: no assessment.
    #[serde(rename = "")]
    None,
}

impl Verdict {
    /// Every verdict an assessed indicator can get, in the order of a tally.
    pub const ASSESSED: [Verdict; 6] = [
        Verdict::WithinRange,
        Verdict::Adverse,
        Verdict::Favourable,
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
}

impl Disclosure {
    /// `report` names the document in the log.
    pub fn new(policy: Policy, report: impl Into<String>) -> Disclosure {
        Disclosure {
            policy,
            report: report.into(),
            log: Vec::new(),
        }
    }

    pub fn count(&self, n: u64) -> Shown {
        self.policy.count(n)
    }

    /// A figure with the rules applied; exact when the audience is internal.
    pub fn figure(&mut self, f: &Figure) -> ShownFigure {
        let mut v = exact(f);
        let (Some(w), Some(m), Some(u), true) =
            (f.white, f.minoritised, f.unknown, self.policy.public)
        else {
            return v;
        };
        let p = self.policy;
        for (slot, n) in [
            (&mut v.white_events, w.events),
            (&mut v.white_population, w.population),
            (&mut v.minoritised_events, m.events),
            (&mut v.minoritised_population, m.population),
            (&mut v.unknown_events, u.events),
            (&mut v.unknown_population, u.population),
        ] {
            *slot = Some(p.count(n));
        }
        let mut whats = Vec::new();
        if !p.publishable_events(w.events, m.events) {
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
                v.assessment = Verdict::Suppressed;
            }
            v.significant = None;
            v.suppressed = true;
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
        if self.policy.small(part) {
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
        Some(Shown::N(part as f64 / whole as f64))
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
