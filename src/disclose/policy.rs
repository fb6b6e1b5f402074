//! What may be shown, and how a public reader sees a figure: the
//! thresholds, and the published figure computed again from rounded counts
//! at published precision (docs/disclosure.md).

use super::{SUPPRESSED, Shown};
use crate::compute::{Carried, Figure, GroupCount};
use crate::config::{Audience, Config};
use crate::model::Triple;
use crate::stats::{Counts, Span};

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

    /// What a reader of a public document knows of a count `n`: exactly 0,
    /// 1 to `min_count - 1` (a `[c]`), or every count its rounded value
    /// could hide ([`Policy::behind`]). Exact when internal.
    pub fn hidden(&self, n: u64) -> Span {
        if !self.public || n == 0 {
            return Span::exact(n);
        }
        if self.small(n) {
            return Span {
                lo: 1,
                hi: self.min_count.saturating_sub(1).max(1),
            };
        }
        self.behind(self.rounded(n))
    }

    /// Every count a published count `r` could stand for: 0 is 0; any other
    /// value is a count of at least `min_count` that rounds to `r`, from
    /// `r - base/2` to `r + base - 1 - base/2` (2 below to 2 above for a
    /// base of 5).
    pub fn behind(&self, r: u64) -> Span {
        if !self.public || r == 0 {
            return Span::exact(r);
        }
        let b = self.rounding_base.max(1);
        let half = b / 2;
        Span {
            lo: r.saturating_sub(half).max(self.min_count).max(1),
            hi: r + (b - 1 - half),
        }
    }

    /// A figure as a reader of a public document sees it, before any
    /// shorthand (docs/disclosure.md), at every level, England's included:
    /// every statistic computed again from the rounded counts (NHS
    /// Digital's rule: rates beside rounded counts come from the rounded
    /// counts), so that nothing published carries more of the exact counts
    /// than the rounded counts do; the 95% interval the one that covers the
    /// interval of every set of counts the rounding could hide, rounded
    /// outwards to 2 decimals, and the verdict the one every such set gives
    /// (else inconclusive): never another verdict than the exact counts',
    /// and an interval that contains the exact one. Rates and shares are
    /// kept to 3 decimal places (a percentage to 1) and relative
    /// likelihoods to 2, the precision every public file shows and stores.
    /// Internal: the figure itself, exact.
    pub fn published(&self, f: &Figure) -> Figure {
        if !self.public {
            return f.clone();
        }
        let (Some(w), Some(m), Some(u)) = (f.white, f.minoritised, f.unknown) else {
            return self.publish(f, None);
        };
        if let Some(c) = f.carried {
            return self.publish(f, Some(self.carried_counts(&c)));
        }
        let triple = |pick: fn(GroupCount) -> u64| Triple {
            white: self.rounded(pick(w)),
            minoritised: self.rounded(pick(m)),
            unknown: self.rounded(pick(u)),
        };
        let k = Counts {
            a: self.hidden(m.events),
            n1: self.hidden(m.population),
            c: self.hidden(w.events),
            n2: self.hidden(w.population),
        };
        self.publish(f, Some((triple(|g| g.events), triple(|g| g.population), k)))
    }

    /// A figure whose counts are already the published ones (England's
    /// figures read back from benchmarks.csv, with their carried margin)
    /// as [`Policy::published`] makes it: the same statistics, the same
    /// interval and verdict.
    pub fn republished(&self, f: &Figure) -> Figure {
        if !self.public || f.carried.is_some() {
            return self.published(f);
        }
        let (Some(w), Some(m), Some(u)) = (f.white, f.minoritised, f.unknown) else {
            return self.publish(f, None);
        };
        let c = Carried {
            events: Triple {
                white: w.events,
                minoritised: m.events,
                unknown: u.events,
            },
            population: Triple {
                white: w.population,
                minoritised: m.population,
                unknown: u.population,
            },
            margin: 0,
        };
        self.publish(f, Some(self.carried_counts(&c)))
    }

    /// Counts published as `c` (carried, or read back): the counts, and
    /// every exact count they could stand for: what rounds to them, widened
    /// by the margin.
    fn carried_counts(&self, c: &Carried) -> (Triple, Triple, Counts) {
        let span = |r: u64| {
            let s = self.behind(r);
            Span {
                lo: s.lo.saturating_sub(c.margin),
                hi: s.hi.saturating_add(c.margin),
            }
        };
        let k = Counts {
            a: span(c.events.minoritised),
            n1: span(c.population.minoritised),
            c: span(c.events.white),
            n2: span(c.population.white),
        };
        (c.events, c.population, k)
    }

    fn publish(&self, f: &Figure, counts: Option<(Triple, Triple, Counts)>) -> Figure {
        let mut p = f.clone();
        if let Some((e, n, k)) = counts {
            crate::compute::with_known(
                &mut p,
                e,
                n,
                &k,
                &|(lo, hi)| (floor_to(lo, 2), ceil_to(hi, 2)),
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
        }
        // The within-council figure: from the exact counts (a ratio of sums
        // over the councils, no count), its interval rounded outwards.
        // The verdict reads the exact estimate against the band, and the
        // printed interval.
        if let Some(w) = p.within {
            let mut shown = crate::compute::Within::at(
                w.rl.rl,
                (floor_to(w.rl.lower, 2), ceil_to(w.rl.upper, 2)),
                p.indicator.def(),
                self.band_lower,
                self.band_upper,
            );
            shown.rl.rl = round_to(w.rl.rl, 2);
            p.within = Some(shown);
        }
        p
    }

    /// A figure recomputed from its rounded counts by the plain formulas,
    /// at full precision: England's figure as every local report computes
    /// it from benchmarks.csv, around which both draw the funnel.
    pub fn recounted(&self, f: &Figure) -> Figure {
        let mut p = f.clone();
        if let (true, Some(c)) = (self.public, f.carried) {
            crate::compute::with_counts(
                &mut p,
                c.events,
                c.population,
                self.band_lower,
                self.band_upper,
            );
        } else if let (true, Some(w), Some(m), Some(u)) =
            (self.public, f.white, f.minoritised, f.unknown)
        {
            let triple = |pick: fn(GroupCount) -> u64| Triple {
                white: self.rounded(pick(w)),
                minoritised: self.rounded(pick(m)),
                unknown: self.rounded(pick(u)),
            };
            crate::compute::with_counts(
                &mut p,
                triple(|g| g.events),
                triple(|g| g.population),
                self.band_lower,
                self.band_upper,
            );
        }
        p
    }

    /// A published staff number (funnel points, a report's staff): the
    /// rounded count, or exact when internal.
    pub fn staff(&self, n: u64) -> f64 {
        self.rounded(n) as f64
    }
}

/// `x` rounded down to `dp` decimal places: the lower limit of a published
/// interval (outwards, so that it contains the exact interval). A hair of
/// tolerance keeps a value already at `dp` places where it is (1.23 is
/// held as 1.2299999999999999).
pub fn floor_to(x: f64, dp: i32) -> f64 {
    let k = 10f64.powi(dp);
    (x * k + 1e-9).floor() / k
}

/// `x` rounded up to `dp` decimal places: the upper limit of a published
/// interval.
pub fn ceil_to(x: f64, dp: i32) -> f64 {
    if !x.is_finite() {
        return x;
    }
    let k = 10f64.powi(dp);
    (x * k - 1e-9).ceil() / k
}

/// `x` to `dp` decimal places, halves away from zero: the value a public
/// file shows and stores.
pub fn round_to(x: f64, dp: i32) -> f64 {
    let k = 10f64.powi(dp);
    (x * k).round() / k
}
