//! Statistical methods of indicators.md. Pure functions: no I/O, no state.

use crate::indicators::Polarity;
use serde::Serialize;

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
pub fn relative_likelihood(a: u64, n1: u64, c: u64, n2: u64) -> Result<Rl, NotCalculable> {
    if n1 == 0 {
        return Err(NotCalculable::NoMinoritisedPopulation);
    }
    if n2 == 0 {
        return Err(NotCalculable::NoWhitePopulation);
    }
    if a == 0 {
        return Err(NotCalculable::NoMinoritisedEvents);
    }
    if c == 0 {
        return Err(NotCalculable::NoWhiteEvents);
    }
    if a > n1 || c > n2 {
        return Err(NotCalculable::EventsAbovePopulation);
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

/// Tests the change from `before` to `now` (methods chapter, "Year on
/// year"): the ratio of the two relative likelihoods, `now / before`, with
/// a 95% interval on the log scale whose standard error is
/// `sqrt(se_now² + se_before²)`, each read back from its Katz interval as
/// `(ln upper − ln lower) / (2 × 1.959964)`. The years are treated as
/// independent; staff counted in both years make them positively
/// correlated, which makes this test conservative. Up or down only where
/// the interval excludes 1.
pub fn change(now: &Rl, before: &Rl) -> Option<Change> {
    let se = |r: &Rl| {
        (r.rl > 0.0 && r.lower > 0.0 && r.upper > r.lower)
            .then(|| (r.upper.ln() - r.lower.ln()) / (2.0 * Z95))
    };
    let (a, b) = (se(now)?, se(before)?);
    let log_ratio = now.rl.ln() - before.rl.ln();
    let half = Z95 * (a * a + b * b).sqrt();
    Some(if log_ratio - half > 0.0 {
        Change::Up
    } else if log_ratio + half < 0.0 {
        Change::Down
    } else {
        Change::NoClearChange
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
    /// Outside the band, but the 95% interval includes 1: the difference
    /// could be chance.
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

/// The one verdict rule (methods chapter, "Assessment"), for every figure
/// of every output. `a, n1` are the minoritised events and population,
/// `c, n2` the white ones, `rl` their relative likelihood with its interval.
/// - within range: `lower <= RL <= upper`, decided exactly on the counts
///   (10/36 against 26/117 is exactly 1.25, within range, though its
///   floating-point value is 1.2500000000000002);
/// - adverse or favourable: outside the band, in the direction the
///   indicator's polarity calls worse or better for minoritised staff,
///   **and** the 95% interval excludes 1;
/// - inconclusive: outside the band, but the interval includes 1.
pub fn assess(
    (a, n1, c, n2): (u64, u64, u64, u64),
    rl: &Rl,
    polarity: Polarity,
    lower: f64,
    upper: f64,
) -> Assessment {
    if polarity == Polarity::Descriptive {
        return Assessment::None;
    }
    let below = compare_rl(a, n1, c, n2, lower) == std::cmp::Ordering::Less;
    let above = compare_rl(a, n1, c, n2, upper) == std::cmp::Ordering::Greater;
    if !below && !above {
        return Assessment::WithinRange;
    }
    if !rl.significant() {
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
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() <= tol, "{a} vs {b}");
    }

    // Reference values were computed independently with Python's standard
    // library (math.log/exp/sqrt), from the formulas as printed in
    // indicators.md, and cross-checked by hand for the first case:
    //   a=60,n1=400,c=100,n2=1000: RL=0.15/0.10=1.5;
    //   SE=sqrt(1/60-1/400+1/100-1/1000)=sqrt(0.0231666..)=0.152206;
    //   CI=exp(ln1.5 ± 1.959964*0.152206) = 1.113098 .. 2.021386.
    #[test]
    fn katz_matches_reference_values() {
        let r = relative_likelihood(60, 400, 100, 1000).unwrap();
        close(r.rl, 1.5, 1e-12);
        close(r.lower, 1.113_098, 1e-5);
        close(r.upper, 2.021_386, 1e-5);
        assert!(r.significant());

        // KCHFT 2017 (domain.md): BME 169/3467 vs white 586/6817 appointed.
        // SC-WRES direction gives 0.567; NHS-style white/BME is 1/0.567 = 1.76.
        let r = relative_likelihood(169, 3467, 586, 6817).unwrap();
        close(r.rl, 0.567_059, 1e-5);
        close(1.0 / r.rl, 1.763_5, 1e-3);
        close(r.lower, 0.480_241, 1e-5);
        close(r.upper, 0.669_573, 1e-5);

        // Equal rates: RL 1, interval straddles 1.
        let r = relative_likelihood(10, 100, 20, 200).unwrap();
        close(r.rl, 1.0, 1e-12);
        assert!(!r.significant());
    }

    /// Reference values computed independently (a plain Python script
    /// written from the formulas of issue 14, not from this code): the
    /// script is in docs/methods.md.
    #[test]
    fn overdispersion_matches_an_independent_computation() {
        let (theta, share, pm, pw) = (1.2, 0.3, 0.12, 0.10);
        let pts = [
            (1200.0, 0.8),
            (3400.0, 1.9),
            (5600.0, 1.1),
            (900.0, 2.6),
            (15000.0, 1.35),
            (8000.0, 0.95),
            (2300.0, 1.6),
            (4100.0, 0.7),
            (26000.0, 1.25),
            (1500.0, 3.1),
            (9800.0, 1.05),
            (6700.0, 1.5),
        ];
        let od = overdispersion(&pts, theta, share, pm, pw);
        assert_eq!(od.k, 12);
        close(od.phi, 8.807_455_762_391_086, 1e-9);
        close(od.tau2, 0.050_036_833_380_705_734, 1e-12);
        let (lo, _) = funnel_limits(theta, 5000.0, share, pm, pw, od.tau2, Z95).unwrap();
        let (_, hi) = funnel_limits(theta, 5000.0, share, pm, pw, od.tau2, Z998).unwrap();
        close(lo, 0.750_024_312_818_724_1, 1e-9);
        close(hi, 2.517_621_986_333_511_4, 1e-9);
        // No overdispersion: points on the target.
        let flat: Vec<(f64, f64)> = pts.iter().map(|(n, _)| (*n, theta)).collect();
        assert_eq!(overdispersion(&flat, theta, share, pm, pw).tau2, 0.0);
        assert_eq!(overdispersion(&[], theta, share, pm, pw).k, 0);
    }

    #[test]
    fn katz_not_calculable_with_more_events_than_people() {
        // 6.27 (6.27 to 6.27) was printed before: a zero-width interval.
        assert_eq!(
            relative_likelihood(40, 30, 10, 47),
            Err(NotCalculable::EventsAbovePopulation)
        );
        assert_eq!(
            relative_likelihood(3, 30, 50, 47),
            Err(NotCalculable::EventsAbovePopulation)
        );
        // Every member of a group with the event is still a proportion.
        let r = relative_likelihood(30, 30, 10, 40).unwrap();
        close(r.rl, 4.0, 1e-12);
        assert!(r.lower < r.rl && r.rl < r.upper);
    }

    #[test]
    fn katz_not_calculable_with_zeros() {
        assert_eq!(
            relative_likelihood(0, 10, 5, 10),
            Err(NotCalculable::NoMinoritisedEvents)
        );
        assert_eq!(
            relative_likelihood(1, 10, 0, 10),
            Err(NotCalculable::NoWhiteEvents)
        );
        assert_eq!(
            relative_likelihood(0, 0, 5, 10),
            Err(NotCalculable::NoMinoritisedPopulation)
        );
        assert_eq!(
            relative_likelihood(1, 10, 0, 0),
            Err(NotCalculable::NoWhitePopulation)
        );
    }

    #[test]
    fn katz_all_events_gives_point_interval() {
        let r = relative_likelihood(10, 10, 10, 10).unwrap();
        close(r.lower, 1.0, 1e-12);
        close(r.upper, 1.0, 1e-12);
    }

    // Wilson reference values: Python, from the textbook formula
    // (p + z²/2n ± z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n), and for 81/263
    // matching the worked example in Newcombe (1998), 0.2553 to 0.3662.
    #[test]
    fn wilson_matches_reference_values() {
        let (l, u) = wilson(81, 263).unwrap();
        close(l, 0.255_3, 1e-4);
        close(u, 0.366_2, 1e-4);
        let (l, u) = wilson(0, 10).unwrap();
        close(l, 0.0, 1e-12);
        close(u, 0.277_533, 1e-5);
        let (l, u) = wilson(10, 10).unwrap();
        close(l, 0.722_467, 1e-5);
        close(u, 1.0, 1e-12);
        assert_eq!(wilson(1, 0), None);
    }

    /// 300/1000 against 100/1000 (3.00, 2.43 to 3.70) against a year of
    /// 150/1000 against 100/1000 (1.50, 1.19 to 1.90): ratio 2, log 0.693,
    /// SE sqrt(0.1074² + 0.1189²) = 0.1603, interval 1.46 to 2.74: up.
    /// Against itself: no clear change.
    #[test]
    fn a_change_is_called_only_when_its_interval_excludes_1() {
        let now = relative_likelihood(300, 1000, 100, 1000).unwrap();
        let before = relative_likelihood(150, 1000, 100, 1000).unwrap();
        assert_eq!(change(&now, &before), Some(Change::Up));
        assert_eq!(change(&before, &now), Some(Change::Down));
        assert_eq!(change(&now, &now), Some(Change::NoClearChange));
        let small = relative_likelihood(12, 100, 10, 100).unwrap();
        let small_before = relative_likelihood(10, 100, 10, 100).unwrap();
        assert_eq!(change(&small, &small_before), Some(Change::NoClearChange));
    }

    /// The verdict of counts (a, n1, c, n2) against the default band.
    fn verdict(a: u64, n1: u64, c: u64, n2: u64, p: Polarity) -> Assessment {
        let rl = relative_likelihood(a, n1, c, n2).unwrap();
        assess((a, n1, c, n2), &rl, p, 0.8, 1.25)
    }

    #[test]
    fn assessment_follows_polarity_band_and_significance() {
        use Assessment::*;
        use Polarity::*;
        // 10/36 against 26/117 is exactly 1.25 (held as 1.2500000000000002).
        assert!((10.0 / 36.0) / (26.0 / 117.0) > 1.25);
        assert_eq!(verdict(10, 36, 26, 117, HigherIsWorse), WithinRange);
        // 8/100 against 10/100 is exactly 0.80.
        assert_eq!(verdict(8, 100, 10, 100, HigherIsBetter), WithinRange);
        // 300/1000 against 100/1000: 3.00 (2.43 to 3.70), significant.
        assert_eq!(verdict(300, 1000, 100, 1000, HigherIsWorse), Adverse);
        assert_eq!(verdict(300, 1000, 100, 1000, HigherIsBetter), Favourable);
        assert_eq!(verdict(100, 1000, 300, 1000, HigherIsBetter), Adverse);
        assert_eq!(verdict(100, 1000, 300, 1000, HigherIsWorse), Favourable);
        // 11/40 against 10/50: 1.375 (0.66 to 2.87): outside, not significant.
        assert_eq!(verdict(11, 40, 10, 50, HigherIsWorse), Inconclusive);
        assert_eq!(verdict(11, 40, 10, 50, HigherIsBetter), Inconclusive);
        assert_eq!(verdict(11, 40, 10, 50, Descriptive), None);
    }

    // Reference: Python, n=1000, share 0.2 (200 minoritised, 800 white),
    // p_m=0.02, p_w=0.01, target 2: se = sqrt(0.98/4 + 0.99/8) = 0.607248;
    // 95%: 2·exp(∓1.959964·se) = 0.608331 .. 6.575372.
    #[test]
    fn funnel_limits_match_reference_values() {
        let (lo, hi) = funnel_limits(2.0, 1000.0, 0.2, 0.02, 0.01, 0.0, Z95).unwrap();
        close(lo, 0.608331, 1e-5);
        close(hi, 6.575372, 1e-5);
        let (lo2, hi2) = funnel_limits(2.0, 1000.0, 0.2, 0.02, 0.01, 0.0, Z998).unwrap();
        assert!(lo2 < lo && hi2 > hi, "99.8% limits are wider");
        let (lo3, _) = funnel_limits(2.0, 100_000.0, 0.2, 0.02, 0.01, 0.0, Z95).unwrap();
        assert!(lo3 > lo, "limits narrow as the population grows");
        assert_eq!(funnel_limits(2.0, 1000.0, 0.0, 0.02, 0.01, 0.0, Z95), None);
    }

    /// A council with the national mix has its own size as its effective
    /// size; one with fewer minoritised staff than the national share is
    /// "smaller" (its minoritised rate is less precise): 1,000 staff with
    /// 50 minoritised, national share 0.2, p_m 0.02, p_w 0.01: own SE² =
    /// 0.98/1 + 0.99/9.5 = 1.084211; K = 0.98/0.004 + 0.99/0.008 = 368.75;
    /// n_eff = 340.11.
    #[test]
    fn effective_size_follows_the_councils_own_mix() {
        let same = effective_size(800.0, 200.0, 0.2, 0.02, 0.01).unwrap();
        close(same, 1000.0, 1e-9);
        let few = effective_size(950.0, 50.0, 0.2, 0.02, 0.01).unwrap();
        close(few, 340.1092, 1e-3);
    }

    // Type 7 reference values: numpy.quantile([1, 2, 3, 4, 10], [.25, .5, .75])
    // = 2.0, 3.0, 4.0, and for [0.5, 1.5] at 0.25: 0.75.
    #[test]
    fn quantiles_are_type_7() {
        let d = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert_eq!(quantile_sorted(&d, 0.25), Some(2.0));
        assert_eq!(quantile_sorted(&d, 0.5), Some(3.0));
        assert_eq!(quantile_sorted(&d, 0.75), Some(4.0));
        assert_eq!(quantile_sorted(&[0.5, 1.5], 0.25), Some(0.75));
        assert_eq!(quantile_sorted(&[2.0, 4.0, 7.0, 8.0], 0.5), Some(5.5));
        assert_eq!(quantile_sorted(&[], 0.5), None);
    }
}
