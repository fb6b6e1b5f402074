//! What may be shown, and how a public reader sees a figure: the
//! thresholds, and the published figure computed again from rounded counts
//! at published precision (docs/disclosure.md).

use super::{SUPPRESSED, Shown};
use crate::compute::{Figure, GroupCount, Scope};
use crate::config::{Audience, Config};
use crate::model::Triple;

/// What may be shown: the thresholds of `report.yaml` and whether they
/// apply (public) or every figure is exact (internal).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Policy {
    pub public: bool,
    /// Counts from 1 to `min_count - 1` are withheld.
    pub min_count: u64,
    /// Other counts are rounded to the nearest multiple of this.
    pub rounding_base: u64,
    /// The "within range" band, for assessing a figure computed again from
    /// rounded counts.
    pub band_lower: f64,
    pub band_upper: f64,
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
            band_lower: config.band_lower,
            band_upper: config.band_upper,
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

    /// A count as the published figures rest on it: 0 stays 0, others to
    /// the nearest multiple of the base (a small count too: what rests on
    /// it is withheld, see [`Policy::published`]). Exact when internal.
    pub fn rounded(&self, n: u64) -> u64 {
        if !self.public || n == 0 {
            return n;
        }
        let b = self.rounding_base;
        n.saturating_add(b / 2) / b * b
    }

    /// A figure as a reader of a public document sees it, before any
    /// shorthand (docs/disclosure.md). Below national level every statistic
    /// is computed again from the rounded counts (NHS Digital's rule: rates
    /// beside rounded counts come from the rounded counts), so that nothing
    /// published carries more of the exact counts than the rounded counts
    /// do; at every level rates and shares are kept to 3 decimal places (a
    /// percentage to 1) and relative likelihoods and their limits to 2, the
    /// precision every public file shows and stores. Internal: the figure
    /// itself, exact.
    pub fn published(&self, f: &Figure) -> Figure {
        let mut p = f.clone();
        if !self.public {
            return p;
        }
        if let (Scope::Region | Scope::Authority, Some(w), Some(m), Some(u)) =
            (f.scope, f.white, f.minoritised, f.unknown)
        {
            let r = |g: GroupCount, pick: fn(GroupCount) -> u64| self.rounded(pick(g));
            let triple = |pick: fn(GroupCount) -> u64| Triple {
                white: r(w, pick),
                minoritised: r(m, pick),
                unknown: r(u, pick),
            };
            crate::compute::with_counts(
                &mut p,
                triple(|g| g.events),
                triple(|g| g.population),
                self.band_lower,
                self.band_upper,
            );
        }
        let share = |x: Option<f64>| x.map(|x| round_to(x, 3));
        p.white_rate = share(p.white_rate);
        p.minoritised_rate = share(p.minoritised_rate);
        p.share = share(p.share);
        p.share_ci = p.share_ci.map(|(a, b)| (round_to(a, 3), round_to(b, 3)));
        p.workforce_share = share(p.workforce_share);
        if let Some(rl) = &mut p.rl {
            rl.rl = round_to(rl.rl, 2);
            rl.lower = round_to(rl.lower, 2);
            rl.upper = round_to(rl.upper, 2);
        }
        p
    }

    /// A published staff number (funnel points, a report's staff): the
    /// rounded count, or exact when internal.
    pub fn staff(&self, n: u64) -> f64 {
        self.rounded(n) as f64
    }
}

/// `x` to `dp` decimal places, halves away from zero: the value a public
/// file shows and stores.
pub fn round_to(x: f64, dp: i32) -> f64 {
    let k = 10f64.powi(dp);
    (x * k).round() / k
}
