//! A council's own figures, for the collection service, the moment its
//! return is clean: the nine indicators for all its services, with the
//! relative likelihood, its interval and the one verdict rule's verdict,
//! beside England's published figure where a release is loaded; and what
//! changed from its previous upload, figure by figure. Exact figures: the
//! council sees only its own return. No statistics here: the figures are
//! `compute`'s.

use crate::compute::{Figure, Scope, YearResults};
use crate::indicators::{INDICATORS, Measure, Service};
use crate::model::{Return, Triple};
use serde::Serialize;

/// One row of the council's figures.
#[derive(Clone, Debug, Serialize)]
pub struct OwnRow {
    pub number: &'static str,
    pub title: &'static str,
    /// The pay band's label, for an indicator reported by band.
    pub band: Option<String>,
    pub minoritised: Option<(u64, u64)>,
    pub white: Option<(u64, u64)>,
    pub rl: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    /// The verdict's id (`adverse`, `within_range`, …; empty: descriptive).
    pub assessment: &'static str,
    /// Why no RL, when there is none.
    pub not_calculable: Option<&'static str>,
    /// England's published RL, where a release is loaded.
    pub england_rl: Option<f64>,
    /// The council's region's published RL, where the release has it.
    pub region_rl: Option<f64>,
    /// The council's own RL the year before, from its return of that year.
    pub last_rl: Option<f64>,
    /// What its public local report prints: the RL as shown (`[c]` where
    /// withheld) and its verdict's id, once a release is published.
    pub public_rl: Option<String>,
    pub public_assessment: Option<&'static str>,
}

/// The council's figures, all services.
#[derive(Clone, Debug, Serialize)]
pub struct OwnFigures {
    pub year: i32,
    pub rows: Vec<OwnRow>,
    /// The year of the national figures beside them, if any.
    pub england_year: Option<i32>,
    /// The region whose published figures are beside them, if any.
    pub region: Option<String>,
    /// The year of the council's own earlier figures beside them, if any.
    pub last_year: Option<i32>,
    /// Its public report's figures are beside them.
    pub public: bool,
}

/// A region's published figures, for [`figures`]: its name and its rows
/// of the release's benchmarks.
pub struct RegionBeside<'a> {
    pub name: &'a str,
    pub code: &'a str,
    pub figures: &'a [crate::load::benchmarks::RegionFigure],
}

fn pair(g: Option<crate::compute::GroupCount>) -> Option<(u64, u64)> {
    g.map(|g| (g.events, g.population))
}

/// The rows of a council's figures (`own`: its own year's results, from
/// its return alone) beside `england` (national figures of a release).
pub fn figures(
    code: &str,
    own: &YearResults,
    england: Option<(i32, &[Figure])>,
    region: Option<RegionBeside>,
) -> OwnFigures {
    let mut rows = Vec::new();
    for ind in INDICATORS.iter() {
        let mine: Vec<&Figure> = own
            .figures
            .iter()
            .filter(|f| {
                f.scope == Scope::Authority
                    && f.area_code == code
                    && f.service == Service::All
                    && f.indicator == ind.id
            })
            .collect();
        for f in mine {
            let england_rl = england.and_then(|(_, nat)| {
                nat.iter()
                    .find(|n| {
                        n.service == Service::All && n.indicator == ind.id && n.band == f.band
                    })
                    .and_then(|n| n.rl)
                    .map(|r| r.rl)
            });
            let region_rl = region.as_ref().and_then(|r| {
                r.figures
                    .iter()
                    .find(|x| {
                        x.area_code == r.code
                            && x.service == Service::All
                            && x.indicator == ind.id
                            && x.band == f.band
                    })
                    .and_then(|x| match x.rl {
                        crate::load::benchmarks::Cell::N(v) => Some(v),
                        _ => None,
                    })
            });
            rows.push(OwnRow {
                number: ind.id.as_str(),
                title: ind.title,
                band: f.band.as_ref().map(|id| {
                    own.bands
                        .iter()
                        .find(|b| &b.id == id)
                        .map_or_else(|| id.clone(), |b| b.label.clone())
                }),
                minoritised: pair(f.minoritised),
                white: pair(f.white),
                rl: f.rl.map(|r| r.rl),
                lower: f.rl.map(|r| r.lower),
                upper: f.rl.map(|r| r.upper),
                assessment: f.assessment.id(),
                not_calculable: f.not_calculable.map(|n| n.reason()),
                england_rl,
                region_rl,
                last_rl: None,
                public_rl: None,
                public_assessment: None,
            });
        }
    }
    OwnFigures {
        year: own.year,
        rows,
        england_year: england.map(|(y, _)| y),
        region: region
            .filter(|r| r.figures.iter().any(|x| x.area_code == r.code))
            .map(|r| r.name.to_string()),
        last_year: None,
        public: false,
    }
}

/// What the council's public local report prints for each indicator (all
/// services: `view::local::LocalView::all_services`) beside its exact
/// figures, the band-less rows only.
pub fn with_public(
    this: &mut OwnFigures,
    public: &[(
        crate::indicators::IndicatorId,
        Option<crate::disclose::Shown>,
        crate::disclose::Verdict,
    )],
) {
    this.public = true;
    for r in this.rows.iter_mut().filter(|r| r.band.is_none()) {
        if let Some((_, rl, v)) = public.iter().find(|(id, _, _)| id.as_str() == r.number) {
            r.public_rl = rl.as_ref().map(|s| match s {
                crate::disclose::Shown::N(x) => format!("{x:.2}"),
                crate::disclose::Shown::T(t) => t.to_string(),
            });
            r.public_assessment = Some(v.id());
        }
    }
}

/// The council's figures of the year before (`last`, made by [`figures`]
/// from that year's return) beside this year's, row by row (indicator and
/// pay band).
pub fn with_last_year(this: &mut OwnFigures, last: &OwnFigures) {
    this.last_year = Some(last.year);
    for r in &mut this.rows {
        r.last_rl = last
            .rows
            .iter()
            .find(|l| l.number == r.number && l.band == r.band)
            .and_then(|l| l.rl);
    }
}

/// One figure of a return that differs between two uploads.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Changed {
    pub service: &'static str,
    /// The measure, or `headcount, band <id>`.
    pub measure: String,
    pub group: &'static str,
    /// `None`: not provided (blank).
    pub before: Option<u64>,
    pub after: Option<u64>,
}

fn cells(r: &Return) -> Vec<(&'static str, String, &'static str, Option<u64>)> {
    let mut out = Vec::new();
    let mut push = |service: Service, measure: String, t: Option<Triple>| {
        for (group, v) in [
            ("white", t.map(|t| t.white)),
            ("minoritised", t.map(|t| t.minoritised)),
            ("unknown", t.map(|t| t.unknown)),
        ] {
            out.push((service.label(), measure.clone(), group, v));
        }
    };
    for service in Service::REPORTED {
        let Some(s) = r.services.get(&service) else {
            for m in Measure::ALL.iter().filter(|m| **m != Measure::Headcount) {
                push(service, m.id().to_string(), None);
            }
            continue;
        };
        for (band, t) in &s.bands {
            push(service, format!("headcount, band {band}"), *t);
        }
        for m in Measure::ALL.iter().filter(|m| **m != Measure::Headcount) {
            push(service, m.id().to_string(), s.get(*m));
        }
    }
    out
}

/// Every cell that differs from `before` to `after`, in the order of the
/// return.
pub fn changes(before: &Return, after: &Return) -> Vec<Changed> {
    let a = cells(before);
    let b = cells(after);
    let mut out = Vec::new();
    for (service, measure, group, v) in &b {
        let old = a
            .iter()
            .find(|(s, m, g, _)| s == service && m == measure && g == group)
            .and_then(|c| c.3);
        if old != *v {
            out.push(Changed {
                service,
                measure: measure.clone(),
                group,
                before: old,
                after: *v,
            });
        }
    }
    out
}
