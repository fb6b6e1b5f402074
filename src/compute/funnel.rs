//! Funnel plots: council points (population, RL) around the national RL,
//! their control limits, and where a point lies against them. Pure.

use super::Figure;
use crate::indicators::IndicatorId;
use crate::stats::{self, Z95, Z998};
use serde::Serialize;

/// An indicator's funnel plot: council points (population, RL) around the
/// national RL, and how many lie outside the control limits. Which councils
/// are points is decided by `disclose`.
#[derive(Clone, Debug, Serialize)]
pub struct Funnel {
    pub indicator: IndicatorId,
    pub target: f64,
    /// National minoritised share of the population and national rates.
    pub share: f64,
    pub p_m: f64,
    pub p_w: f64,
    pub points: Vec<(f64, f64)>,
    /// Councils with a figure, drawn or not: the overdispersion and the
    /// counts outside the limits are of all of them (`around`); the points
    /// alone where the funnel is read back from benchmarks.csv (`with`).
    pub councils: usize,
    /// Overdispersion: mean squared winsorised z-score, and the
    /// between-council variance of ln RL added to every limit (0 for plain
    /// binomial limits).
    pub phi: f64,
    pub tau2: f64,
    pub above95: usize,
    pub below95: usize,
    pub above998: usize,
    pub below998: usize,
}

/// One point of a limit curve: population, then the 95% and 99.8% lower
/// and upper limits.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    pub n: f64,
    pub lo95: f64,
    pub hi95: f64,
    pub lo998: f64,
    pub hi998: f64,
}

/// Where a point lies against the limits at its population.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    Inside,
    #[serde(rename = "above95")]
    Above95,
    #[serde(rename = "above998")]
    Above998,
    #[serde(rename = "below95")]
    Below95,
    #[serde(rename = "below998")]
    Below998,
}

impl Funnel {
    /// A funnel of `points` (population, RL) around a national figure
    /// (service "all"): the target and the limits come from the national
    /// counts; with `adjust`, the limits allow for overdispersion estimated
    /// from `every` council with a figure (effective size, RL), not only
    /// those drawn: which councils are drawn is disclosure's decision, and
    /// leaving councils out by their outcome would bias the estimate. Points
    /// are (effective size, RL): see [`stats::effective_size`]. `None` when
    /// there are no points or the national RL is not calculable.
    pub fn around(
        nat: &Figure,
        points: Vec<(f64, f64)>,
        every: &[(f64, f64)],
        adjust: bool,
    ) -> Option<Funnel> {
        let mut f = Funnel::with(nat, points, 0.0, 0.0)?;
        if adjust {
            let od = stats::overdispersion(every, f.target, f.share, f.p_m, f.p_w);
            f = Funnel::with(nat, f.points, od.phi, od.tau2)?;
        }
        f.count(every);
        Some(f)
    }

    /// Counts the councils `every` (effective size, RL) outside the limits.
    pub fn count(&mut self, every: &[(f64, f64)]) {
        self.councils = every.len();
        (self.above95, self.below95, self.above998, self.below998) = (0, 0, 0, 0);
        for &(n, r) in every {
            if let Some(l) = self.limits_at(n) {
                self.above95 += usize::from(r > l.hi95);
                self.below95 += usize::from(r < l.lo95);
                self.above998 += usize::from(r > l.hi998);
                self.below998 += usize::from(r < l.lo998);
            }
        }
    }

    /// A council's effective size on this funnel, from its white and
    /// minoritised populations.
    pub fn size(&self, white: f64, minoritised: f64) -> Option<f64> {
        stats::effective_size(white, minoritised, self.share, self.p_m, self.p_w)
    }

    /// A funnel with a given overdispersion (as published).
    pub fn with(nat: &Figure, points: Vec<(f64, f64)>, phi: f64, tau2: f64) -> Option<Funnel> {
        let (rl, w, m) = (nat.rl?, nat.white?, nat.minoritised?);
        if points.is_empty() {
            return None;
        }
        let mut f = Funnel {
            indicator: nat.indicator,
            target: rl.rl,
            share: m.population as f64 / (m.population + w.population) as f64,
            p_m: nat.minoritised_rate?,
            p_w: nat.white_rate?,
            councils: 0,
            points: Vec::new(),
            phi,
            tau2,
            above95: 0,
            below95: 0,
            above998: 0,
            below998: 0,
        };
        f.count(&points);
        f.points = points;
        Some(f)
    }

    /// Whether the limits allow for variation between councils.
    pub fn adjusted(&self) -> bool {
        self.tau2 > 0.0
    }

    /// The control limits at population `n` and `z` standard errors.
    pub fn limits(&self, n: f64, z: f64) -> Option<(f64, f64)> {
        stats::funnel_limits(self.target, n, self.share, self.p_m, self.p_w, self.tau2, z)
    }

    /// The 95% and 99.8% limits at population `n`.
    pub fn limits_at(&self, n: f64) -> Option<Limits> {
        let (lo95, hi95) = self.limits(n, Z95)?;
        let (lo998, hi998) = self.limits(n, Z998)?;
        Some(Limits {
            n,
            lo95,
            hi95,
            lo998,
            hi998,
        })
    }

    /// The limits at 81 populations from half the smallest point to the
    /// largest, denser where they bend: the curves of the chart.
    pub fn curve(&self) -> Vec<Limits> {
        let nmax = self.points.iter().map(|p| p.0).fold(0.0, f64::max) * 1.02;
        let nmin = self
            .points
            .iter()
            .map(|p| p.0)
            .fold(f64::MAX, f64::min)
            .max(1.0)
            / 2.0;
        (0..=80)
            .filter_map(|i| self.limits_at(nmin + (nmax - nmin) * (i as f64 / 80.0).powi(2)))
            .collect()
    }
}

impl Limits {
    /// Where an RL lies against these limits.
    pub fn position(&self, rl: f64) -> Position {
        if rl > self.hi998 {
            Position::Above998
        } else if rl > self.hi95 {
            Position::Above95
        } else if rl < self.lo998 {
            Position::Below998
        } else if rl < self.lo95 {
            Position::Below95
        } else {
            Position::Inside
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            n: 100.0,
            lo95: 0.8,
            hi95: 1.25,
            lo998: 0.6,
            hi998: 1.6,
        }
    }

    #[test]
    fn positions_against_the_limits() {
        let l = limits();
        assert_eq!(l.position(1.0), Position::Inside);
        assert_eq!(l.position(1.25), Position::Inside);
        assert_eq!(l.position(1.3), Position::Above95);
        assert_eq!(l.position(1.7), Position::Above998);
        assert_eq!(l.position(0.7), Position::Below95);
        assert_eq!(l.position(0.5), Position::Below998);
        assert_eq!(
            serde_json::to_string(&Position::Above998).unwrap(),
            "\"above998\""
        );
    }
}
