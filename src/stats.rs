//! Statistical methods of docs/methods.md (docs/specification.md). Pure functions: no I/O, no state.

use crate::indicators::Polarity;
use serde::Serialize;

mod within;
pub use within::{Terms, mantel_haenszel, terms};

/// The normal quantile for a two-sided 95% interval.
pub const Z95: f64 = 1.959964;

/// The normal quantile for a two-sided 99.8% interval (funnel plots).
pub const Z998: f64 = 3.090232;

/// A relative likelihood with its 95% confidence interval (Katz log method).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Rl {
    pub rl: f64,
    pub lower: f64,
    pub upper: f64,
}

impl Rl {
    /// The 95% interval excludes 1.
    pub fn significant(&self) -> bool {
        self.lower > 1.0 || self.upper < 1.0
    }
}

/// Why a relative likelihood could not be calculated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotCalculable {
    NoMinoritisedPopulation,
    NoWhitePopulation,
    NoMinoritisedEvents,
    NoWhiteEvents,
    /// More events than people in a group's population (more leavers than
    /// staff, say): a rate above 1 is not a proportion, and the Katz
    /// interval, which treats it as one, does not exist.
    EventsAbovePopulation,
}

impl NotCalculable {
    pub fn reason(self) -> &'static str {
        match self {
            NotCalculable::NoMinoritisedPopulation => "no minoritised staff in the population",
            NotCalculable::NoWhitePopulation => "no white staff in the population",
            NotCalculable::NoMinoritisedEvents => "no events among minoritised staff",
            NotCalculable::NoWhiteEvents => "no events among white staff",
            NotCalculable::EventsAbovePopulation => {
                "more events than people in the population of a group"
            }
        }
    }
}

/// `events / population`, or `None` for an empty population.
pub fn rate(events: u64, population: u64) -> Option<f64> {
    (population > 0).then(|| events as f64 / population as f64)
}

/// Relative likelihood `(a/n1) / (c/n2)` with the Katz log interval
/// `exp(ln RL ± z·sqrt(1/a − 1/n1 + 1/c − 1/n2))`, no continuity correction.
/// `a, n1`: minoritised events and population; `c, n2`: white.
///
/// No minoritised events against some white ones is a relative likelihood
/// of **0**, a figure: its interval runs from 0 to the Katz upper limit
/// with Haldane's correction (0.5 added to each of the four counts, as the
/// Katz interval itself does not exist at 0), and it is significant when
/// that limit is below 1. No white events leaves it not calculable (no
/// finite figure).
pub fn relative_likelihood(a: u64, n1: u64, c: u64, n2: u64) -> Result<Rl, NotCalculable> {
    if n1 == 0 {
        return Err(NotCalculable::NoMinoritisedPopulation);
    }
    if n2 == 0 {
        return Err(NotCalculable::NoWhitePopulation);
    }
    if c == 0 {
        return Err(NotCalculable::NoWhiteEvents);
    }
    if a > n1 || c > n2 {
        return Err(NotCalculable::EventsAbovePopulation);
    }
    if a == 0 {
        let (a, n1, c, n2) = (0.5, n1 as f64 + 0.5, c as f64 + 0.5, n2 as f64 + 0.5);
        let corrected = (a / n1) / (c / n2);
        let se = (1.0 / a - 1.0 / n1 + 1.0 / c - 1.0 / n2).max(0.0).sqrt();
        return Ok(Rl {
            rl: 0.0,
            lower: 0.0,
            upper: (corrected.ln() + Z95 * se).exp(),
        });
    }
    let (a, n1, c, n2) = (a as f64, n1 as f64, c as f64, n2 as f64);
    let rl = (a / n1) / (c / n2);
    // Clamp at 0: rounding can make 1/a - 1/n1 a hair negative when a == n1.
    let se = (1.0 / a - 1.0 / n1 + 1.0 / c - 1.0 / n2).max(0.0).sqrt();
    Ok(Rl {
        rl,
        lower: (rl.ln() - Z95 * se).exp(),
        upper: (rl.ln() + Z95 * se).exp(),
    })
}

/// A change between two years' relative likelihoods, as tested.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Significantly higher now.
    Up,
    /// Significantly lower now.
    Down,
    /// The 95% interval of the ratio includes 1.
    NoClearChange,
}

/// A change between two years' relative likelihoods: the ratio
/// `now / before` with its 95% interval, and what the test says.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct YearChange {
    pub ratio: f64,
    pub lower: f64,
    pub upper: f64,
    pub change: Change,
}

/// A change whose 95% interval lies wholly beyond a ratio of 1.5 up or
/// down (methods chapter, "Year on year"): larger than workforce figures
/// move in a year, so more likely a change in how a council counted than
/// in how staff fare. Such a change is listed in the quality section to be
/// checked, not stated as a key finding.
pub const UNUSUAL_CHANGE: f64 = 1.5;

impl YearChange {
    pub fn unusual(&self) -> bool {
        self.lower > UNUSUAL_CHANGE || self.upper < 1.0 / UNUSUAL_CHANGE
    }
}

/// Tests the change from `before` to `now` (methods chapter, "Year on
/// year"): the ratio of the two relative likelihoods, `now / before`, with
/// a 95% interval on the log scale whose standard error is
/// `sqrt(se_now² + se_before²)`, each read back from its Katz interval as
/// `(ln upper − ln lower) / (2 × 1.959964)`. The years are treated as
/// independent; staff counted in both years make them positively
/// correlated, which makes this test conservative. Up or down only where
/// the interval excludes 1.
pub fn change(now: &Rl, before: &Rl) -> Option<YearChange> {
    let se = |r: &Rl| {
        (r.rl > 0.0 && r.lower > 0.0 && r.upper > r.lower)
            .then(|| (r.upper.ln() - r.lower.ln()) / (2.0 * Z95))
    };
    let (a, b) = (se(now)?, se(before)?);
    let log_ratio = now.rl.ln() - before.rl.ln();
    let half = Z95 * (a * a + b * b).sqrt();
    Some(YearChange {
        ratio: log_ratio.exp(),
        lower: (log_ratio - half).exp(),
        upper: (log_ratio + half).exp(),
        change: if log_ratio - half > 0.0 {
            Change::Up
        } else if log_ratio + half < 0.0 {
            Change::Down
        } else {
            Change::NoClearChange
        },
    })
}

/// How an interval lies against a reference value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    /// The whole interval is above the reference.
    Above,
    /// The whole interval is below it.
    Below,
    /// The interval contains it.
    Similar,
}

impl Rl {
    /// Whether this interval lies wholly above or below `reference` (a
    /// council against England's figure).
    pub fn compare(&self, reference: f64) -> Comparison {
        if self.lower > reference {
            Comparison::Above
        } else if self.upper < reference {
            Comparison::Below
        } else {
            Comparison::Similar
        }
    }
}

/// Wilson score 95% interval for the proportion `x / n`.
pub fn wilson(x: u64, n: u64) -> Option<(f64, f64)> {
    if n == 0 || x > n {
        return None;
    }
    let (x, n, z) = (x as f64, n as f64, Z95);
    let p = x / n;
    let denom = 1.0 + z * z / n;
    let centre = p + z * z / (2.0 * n);
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    Some(((centre - half) / denom, (centre + half) / denom))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Assessment {
    WithinRange,
    Adverse,
    Favourable,
    /// Neither adverse, favourable nor within range: the data are
    /// compatible with a difference beyond the band and with none (or
    /// disclosure control leaves the verdict open).
    Inconclusive,
    NotCalculable,
    NotProvided,
    /// Descriptive indicator: no assessment.
    None,
}

impl Assessment {
    pub fn id(self) -> &'static str {
        match self {
            Assessment::WithinRange => "within_range",
            Assessment::Adverse => "adverse",
            Assessment::Favourable => "favourable",
            Assessment::Inconclusive => "inconclusive",
            Assessment::NotCalculable => "not_calculable",
            Assessment::NotProvided => "not_provided",
            Assessment::None => "",
        }
    }
}

/// What a count may be: exactly `lo` when `lo == hi`, otherwise any whole
/// number from `lo` to `hi` (the counts a published rounded or withheld
/// count could hide, as a reader of the publication knows them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Span {
    pub lo: u64,
    pub hi: u64,
}

impl Span {
    pub fn exact(n: u64) -> Span {
        Span { lo: n, hi: n }
    }
}

/// The four counts of a comparison as far as they are known: minoritised
/// events `a` and population `n1`, white events `c` and population `n2`.
/// Exact counts are spans of one value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counts {
    pub a: Span,
    pub n1: Span,
    pub c: Span,
    pub n2: Span,
}

impl Counts {
    pub fn exact(a: u64, n1: u64, c: u64, n2: u64) -> Counts {
        let e = Span::exact;
        Counts {
            a: e(a),
            n1: e(n1),
            c: e(c),
            n2: e(n2),
        }
    }
}

/// The 95% interval that covers the interval of **every** set of counts in
/// `k` (methods chapter, "A published verdict is never wrong"): with
/// `RLmin = (a.lo/n1.hi)/(c.hi/n2.lo)`, `RLmax = (a.hi/n1.lo)/(c.lo/n2.hi)`
/// and the largest standard error `S = sqrt(1/a.lo − 1/n1.hi + 1/c.lo −
/// 1/n2.hi)`, it is `exp(ln RLmin − z·S)` to `exp(ln RLmax + z·S)`: every
/// Katz interval in the box lies inside it, since its RL lies between the
/// two and its standard error is at most `S`. Where `a` may be 0, the
/// lower limit is 0 and the upper is the larger of the Katz bound above
/// (over `a ≥ 1`) and the Haldane-Anscombe bound (0.5 added to each count,
/// `n1.lo`, `c.lo`, `n2.hi` for the largest corrected RL, `n1.hi` for the
/// largest standard error). For exact counts it is the Katz interval
/// itself (with Haldane's correction at RL 0), bit for bit.
///
/// `Ok(None)` when the box holds both calculable and not calculable counts
/// (a withheld population or white event count that may be 0): nothing can
/// be said. `Err` when no set of counts in it gives a figure.
pub fn covering_interval(k: &Counts) -> Result<Option<(f64, f64)>, NotCalculable> {
    let Counts { a, n1, c, n2 } = *k;
    if n1.hi == 0 {
        return Err(NotCalculable::NoMinoritisedPopulation);
    }
    if n2.hi == 0 {
        return Err(NotCalculable::NoWhitePopulation);
    }
    if c.hi == 0 {
        return Err(NotCalculable::NoWhiteEvents);
    }
    if a.lo > n1.hi || c.lo > n2.hi {
        return Err(NotCalculable::EventsAbovePopulation);
    }
    if n1.lo == 0 || n2.lo == 0 || c.lo == 0 {
        // Some counts in the box give no figure and some do: no interval
        // covers what cannot be computed. Exact counts never get here.
        // (Events above population in part of the box only widen the
        // bound: it still covers every possible set of counts.)
        return Ok(None);
    }
    let katz = |a_lo: u64, a_hi: u64| {
        let (a_lo, a_hi) = (a_lo as f64, a_hi as f64);
        let (n1_lo, n1_hi) = (n1.lo as f64, n1.hi as f64);
        let (c_lo, c_hi) = (c.lo as f64, c.hi as f64);
        let (n2_lo, n2_hi) = (n2.lo as f64, n2.hi as f64);
        let rl_min = (a_lo / n1_hi) / (c_hi / n2_lo);
        let rl_max = (a_hi / n1_lo) / (c_lo / n2_hi);
        // Clamp at 0: rounding can make 1/a - 1/n1 a hair negative when a == n1.
        let se = (1.0 / a_lo - 1.0 / n1_hi + 1.0 / c_lo - 1.0 / n2_hi)
            .max(0.0)
            .sqrt();
        (
            (rl_min.ln() - Z95 * se).exp(),
            (rl_max.ln() + Z95 * se).exp(),
        )
    };
    if a.lo > 0 {
        return Ok(Some(katz(a.lo, a.hi)));
    }
    // RL 0 among the possibilities: Haldane-Anscombe's upper limit.
    let h = 0.5;
    let corrected = (h / (n1.lo as f64 + h)) / ((c.lo as f64 + h) / (n2.hi as f64 + h));
    let se = (1.0 / h - 1.0 / (n1.hi as f64 + h) + 1.0 / (c.lo as f64 + h)
        - 1.0 / (n2.hi as f64 + h))
        .max(0.0)
        .sqrt();
    let mut upper = (corrected.ln() + Z95 * se).exp();
    if a.hi > 0 {
        upper = upper.max(katz(1, a.hi).1);
    }
    Ok(Some((0.0, upper)))
}

/// The one verdict rule (methods chapter, "Assessment"), for every figure
/// of every output, exact or published. `k` are the counts as far as they
/// are known (exact: spans of one value), `interval` the 95% interval that
/// covers every one of them ([`covering_interval`], or as published,
/// rounded outwards). The verdict is the one every set of counts in `k`
/// gives, or `inconclusive`:
/// - within range: the **whole** interval lies inside the band
///   `lower..=upper` (an equivalence reading);
/// - adverse or favourable: the RL lies outside the band for every set of
///   counts, decided exactly on the counts (10/36 against 26/117 is
///   exactly 1.25, not outside, though its floating-point value is
///   1.2500000000000002), in the direction the indicator's polarity calls
///   worse or better for minoritised staff, **and** the interval excludes 1;
/// - inconclusive: every other figure.
pub fn assess(
    k: &Counts,
    interval: (f64, f64),
    polarity: Polarity,
    lower: f64,
    upper: f64,
) -> Assessment {
    if polarity == Polarity::Descriptive {
        return Assessment::None;
    }
    let Counts { a, n1, c, n2 } = *k;
    // The largest RL of the box below the band, or the smallest above it.
    let below = compare_rl(a.hi, n1.lo, c.lo, n2.hi, lower) == std::cmp::Ordering::Less;
    let above = compare_rl(a.lo, n1.hi, c.hi, n2.lo, upper) == std::cmp::Ordering::Greater;
    verdict(interval, below, above, polarity, lower, upper)
}

/// The same rule for an estimate that is not a ratio of four counts (the
/// within-council relative likelihood): `rl` outside the band in place of
/// every set of counts.
pub fn assess_estimate(
    rl: f64,
    interval: (f64, f64),
    polarity: Polarity,
    lower: f64,
    upper: f64,
) -> Assessment {
    if polarity == Polarity::Descriptive {
        return Assessment::None;
    }
    verdict(interval, rl < lower, rl > upper, polarity, lower, upper)
}

/// The rule itself: `below`/`above` say the figure lies below or above the
/// band whatever the counts behind it.
fn verdict(
    interval: (f64, f64),
    below: bool,
    above: bool,
    polarity: Polarity,
    lower: f64,
    upper: f64,
) -> Assessment {
    let (lo, hi) = interval;
    if lo >= lower && hi <= upper {
        return Assessment::WithinRange;
    }
    let significant = lo > 1.0 || hi < 1.0;
    if !significant || !(below || above) {
        return Assessment::Inconclusive;
    }
    match polarity {
        Polarity::HigherIsWorse if above => Assessment::Adverse,
        Polarity::HigherIsBetter if below => Assessment::Adverse,
        _ => Assessment::Favourable,
    }
}

/// `(a/n1) / (c/n2)` against `bound`, exactly: the bound is read as the
/// decimal it is written as (to 6 places, as report.yaml gives it) and the
/// comparison made in whole numbers, `a·n2·10⁶` against `bound·10⁶·c·n1`.
/// `c` and `n1` are positive (a calculable figure).
pub fn compare_rl(a: u64, n1: u64, c: u64, n2: u64, bound: f64) -> std::cmp::Ordering {
    let q: u128 = 1_000_000;
    let p = (bound * 1e6).round().max(0.0) as u128;
    let left = a as u128 * n2 as u128 * q;
    let right = p * c as u128 * n1 as u128;
    left.cmp(&right)
}

/// What chance alone makes of `n` verdicts (methods chapter, "Multiple
/// comparisons"): were there no real difference anywhere, a verdict is
/// adverse only where its 95% interval lies wholly on the worse side of 1,
/// which chance gives at most 2.5% of the time (and favourable likewise):
/// the expected number of adverse verdicts, `0.025·n`, and the chance of at
/// least one, `1 − 0.975ⁿ`, the verdicts taken as independent.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Chance {
    pub verdicts: usize,
    pub adverse: f64,
    pub any_adverse: f64,
}

pub fn chance(verdicts: usize) -> Chance {
    Chance {
        verdicts,
        adverse: 0.025 * verdicts as f64,
        any_adverse: 1.0 - 0.975f64.powi(verdicts as i32),
    }
}

/// Quantile of sorted data by linear interpolation between order statistics
/// (R's type 7, NumPy's default): `h = (n − 1)p`.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() || !(0.0..=1.0).contains(&p) {
        return None;
    }
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

/// The standard error of ln RL for a council of total population `n` with
/// the national minoritised share `share` and the national rates `p_m`,
/// `p_w` (the null hypothesis), by the delta method:
/// `sqrt((1−p_m)/(n·share·p_m) + (1−p_w)/(n·(1−share)·p_w))`.
pub fn funnel_se(n: f64, share: f64, p_m: f64, p_w: f64) -> Option<f64> {
    let (n_m, n_w) = (n * share, n * (1.0 - share));
    (n_m > 0.0 && n_w > 0.0 && p_m > 0.0 && p_m < 1.0 && p_w > 0.0 && p_w < 1.0)
        .then(|| ((1.0 - p_m) / (n_m * p_m) + (1.0 - p_w) / (n_w * p_w)).sqrt())
}

/// A council's **effective size** on a funnel plot: the population at which
/// the national mix's standard error equals the council's own standard
/// error under the null (its own group sizes `n_w`, `n_m`, at the national
/// rates): `n_eff = K / SE_own²` with `K = SE(1)²` at the national share
/// `share`. Plotting a council at `n_eff` puts it against limits that use
/// its own standard error, on one set of curves for every council.
pub fn effective_size(n_w: f64, n_m: f64, share: f64, p_m: f64, p_w: f64) -> Option<f64> {
    let valid = n_w > 0.0 && n_m > 0.0 && p_m > 0.0 && p_m < 1.0 && p_w > 0.0 && p_w < 1.0;
    let k = funnel_se(1.0, share, p_m, p_w)?.powi(2);
    let own = (1.0 - p_m) / (n_m * p_m) + (1.0 - p_w) / (n_w * p_w);
    (valid && own > 0.0).then(|| k / own)
}

/// Funnel-plot control limits around the national value `target` at total
/// population `n` and `z` standard errors, widened by the between-council
/// variance `tau2` (0 for plain binomial limits):
/// `exp(ln target ± z·sqrt(SE(n)² + tau2))`.
pub fn funnel_limits(
    target: f64,
    n: f64,
    share: f64,
    p_m: f64,
    p_w: f64,
    tau2: f64,
    z: f64,
) -> Option<(f64, f64)> {
    let se = funnel_se(n, share, p_m, p_w)?;
    if !(target > 0.0) {
        return None;
    }
    let half = z * (se * se + tau2).sqrt();
    Some(((target.ln() - half).exp(), (target.ln() + half).exp()))
}

/// Overdispersion of council points around a funnel's target: the
/// additive random-effects form of Spiegelhalter (2005), on ln RL.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Overdispersion {
    /// Points used (those with a standard error).
    pub k: usize,
    /// Mean squared z-score after winsorising at the 10th and 90th
    /// percentiles.
    pub phi: f64,
    /// Between-council variance of ln RL; 0 when there is no overdispersion.
    pub tau2: f64,
}

/// Estimates the overdispersion of `points` (population, RL): z-scores
/// `(ln RL − ln target)/SE(n)`, winsorised at their 10th and 90th
/// percentiles (type 7), `phi` the mean of their squares; if `phi > 1` and
/// `k·phi > k − 1`, `tau2 = (k·phi − (k − 1)) / (Σw − Σw²/Σw)` with
/// `w = 1/SE(n)²`, else 0.
pub fn overdispersion(
    points: &[(f64, f64)],
    target: f64,
    share: f64,
    p_m: f64,
    p_w: f64,
) -> Overdispersion {
    let mut z = Vec::new();
    let mut w = Vec::new();
    for (n, rl) in points {
        if let Some(se) = funnel_se(*n, share, p_m, p_w).filter(|s| *s > 0.0)
            && *rl > 0.0
            && target > 0.0
        {
            z.push((rl.ln() - target.ln()) / se);
            w.push(1.0 / (se * se));
        }
    }
    let k = z.len();
    if k == 0 {
        return Overdispersion {
            k,
            phi: 0.0,
            tau2: 0.0,
        };
    }
    let mut sorted = z.clone();
    sorted.sort_by(f64::total_cmp);
    let lo = quantile_sorted(&sorted, 0.1).unwrap_or(f64::MIN);
    let hi = quantile_sorted(&sorted, 0.9).unwrap_or(f64::MAX);
    let phi = z.iter().map(|v| v.clamp(lo, hi).powi(2)).sum::<f64>() / k as f64;
    let kf = k as f64;
    let (sw, sw2) = (w.iter().sum::<f64>(), w.iter().map(|x| x * x).sum::<f64>());
    let denom = sw - sw2 / sw;
    let tau2 = if phi > 1.0 && kf * phi > kf - 1.0 && denom > 0.0 {
        (kf * phi - (kf - 1.0)) / denom
    } else {
        0.0
    };
    Overdispersion { k, phi, tau2 }
}

#[cfg(test)]
mod tests;
