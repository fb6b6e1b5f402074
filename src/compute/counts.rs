//! Counts to statistics: the one place a figure's rates, relative
//! likelihood, interval, shares and verdict are computed from its counts,
//! exact or as a public reader knows them. Pure.

use super::{Figure, GroupCount};
use crate::indicators::Indicator;
use crate::model::Triple;
use crate::stats::{self, Assessment, Counts, Rl};
use serde::Serialize;

/// A figure's statistics computed afresh from the exact counts `e`
/// (events) and `n` (population): rates, relative likelihood and its Katz
/// interval, shares and the assessment against the band `lower..=upper`.
pub fn with_counts(f: &mut Figure, e: Triple, n: Triple, lower: f64, upper: f64) {
    let k = Counts::exact(e.minoritised, n.minoritised, e.white, n.white);
    with_known(f, e, n, &k, &|iv| iv, lower, upper);
}

/// The one place counts become statistics: the computation of every
/// figure (exact counts), and `disclose` computing a public figure from its
/// rounded counts `e`, `n`. `known` is what may be known of the four
/// compared counts (exact, or every count the rounding could hide); the
/// interval is the one covering all of them (`stats::covering_interval`),
/// passed through `shown` (published precision, rounded outwards) before
/// the one verdict rule reads it, so that the verdict is the one the
/// printed interval supports and every set of counts in `known` gives.
pub fn with_known(
    f: &mut Figure,
    e: Triple,
    n: Triple,
    known: &Counts,
    shown: &dyn Fn((f64, f64)) -> (f64, f64),
    lower: f64,
    upper: f64,
) {
    let ind = f.indicator.def();
    let gc = |events, population| Some(GroupCount { events, population });
    f.white = gc(e.white, n.white);
    f.minoritised = gc(e.minoritised, n.minoritised);
    f.unknown = gc(e.unknown, n.unknown);
    f.white_rate = stats::rate(e.white, n.white);
    f.minoritised_rate = stats::rate(e.minoritised, n.minoritised);
    f.rl = None;
    f.not_calculable = None;
    f.significant = None;
    f.assessment = if ind.assessed() {
        Assessment::NotProvided
    } else {
        Assessment::None
    };
    match stats::relative_likelihood(e.minoritised, n.minoritised, e.white, n.white) {
        Ok(mut rl) => {
            match stats::covering_interval(known) {
                Ok(Some(iv)) => {
                    let (lo, hi) = shown(iv);
                    rl.lower = lo;
                    rl.upper = hi;
                    f.significant = Some(rl.significant());
                    if ind.assessed() {
                        f.assessment = stats::assess(known, (lo, hi), ind.polarity, lower, upper);
                    }
                }
                // What is known leaves the figure open (a count that may be
                // 0): no verdict. Only withheld figures get here.
                Ok(None) | Err(_) => {
                    let (lo, hi) = shown((rl.lower, rl.upper));
                    rl.lower = lo;
                    rl.upper = hi;
                    f.significant = Some(false);
                    if ind.assessed() {
                        f.assessment = Assessment::Inconclusive;
                    }
                }
            }
            f.rl = Some(rl);
        }
        Err(why) => {
            f.not_calculable = Some(why);
            if ind.assessed() {
                f.assessment = Assessment::NotCalculable;
            }
        }
    }
    if ind.has_share {
        let known = e.white + e.minoritised;
        f.share = stats::rate(e.minoritised, known);
        f.share_ci = stats::wilson(e.minoritised, known);
        f.workforce_share = stats::rate(n.minoritised, n.white + n.minoritised);
    }
}

/// The within-council relative likelihood (Mantel-Haenszel over the
/// council services that provided the indicator, `stats::mantel_haenszel`)
/// with its interval and verdict by the one rule (`stats::assess_estimate`).
/// A sensitivity beside England's and the regions' pooled figures: the
/// pooled figure mixes differences between councils with differences
/// within them; this one compares minoritised and white staff of the same
/// council service, then combines.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Within {
    pub rl: Rl,
    pub assessment: Assessment,
}

impl Within {
    /// From the summed terms of the strata, exact.
    pub fn of(t: stats::Terms, ind: &Indicator, lower: f64, upper: f64) -> Option<Within> {
        if !ind.assessed() {
            return None;
        }
        let rl = stats::mantel_haenszel(t)?;
        Some(Within::at(rl.rl, (rl.lower, rl.upper), ind, lower, upper))
    }

    /// The figure `rl` with the interval as shown (the published one,
    /// rounded outwards), and the verdict that interval supports.
    pub fn at(rl: f64, interval: (f64, f64), ind: &Indicator, lower: f64, upper: f64) -> Within {
        let (lo, hi) = interval;
        Within {
            rl: Rl {
                rl,
                lower: lo,
                upper: hi,
            },
            assessment: stats::assess_estimate(rl, interval, ind.polarity, lower, upper),
        }
    }
}
