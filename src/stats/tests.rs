use super::*;

fn close(a: f64, b: f64, tol: f64) {
    assert!((a - b).abs() <= tol, "{a} vs {b}");
}

// Reference values were computed independently with Python's standard
// library (math.log/exp/sqrt), from the formulas as printed in
// docs/methods.md, and cross-checked by hand for the first case:
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

/// Reference values computed independently by
/// `tests/independent/overdispersion.py` (Python's standard library, from
/// the formulas of docs/methods.md, not from this code); `tests/suite/recompute.rs`
/// runs it and checks it still prints these.
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
    // No minoritised events is a figure, 0 (see below); no white events
    // is not.
    assert_eq!(relative_likelihood(0, 10, 5, 10).map(|r| r.rl), Ok(0.0));
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

/// 0 of 200 minoritised against 30 of 300 white: RL 0, upper limit with
/// 0.5 added to each count: RL' = (0.5/200.5)/(30.5/300.5) = 0.024570,
/// SE = sqrt(1/0.5 - 1/200.5 + 1/30.5 - 1/300.5) = 1.422839, upper
/// = exp(ln 0.024570 + 1.959964 × 1.422839) = 0.399506 (significant).
#[test]
fn no_minoritised_events_is_a_relative_likelihood_of_0() {
    let r = relative_likelihood(0, 200, 30, 300).unwrap();
    assert_eq!((r.rl, r.lower), (0.0, 0.0));
    close(r.upper, 0.399_506, 1e-5);
    assert!(r.significant());
    // With few staff the bound is wide and includes 1.
    let wide = relative_likelihood(0, 5, 3, 30).unwrap();
    assert!(wide.upper > 1.0 && !wide.significant());
    assert_eq!(
        relative_likelihood(3, 30, 0, 5),
        Err(NotCalculable::NoWhiteEvents)
    );
    use Polarity::*;
    let judge = |k: Counts, r: &Rl, p| assess(&k, (r.lower, r.upper), p, 0.8, 1.25);
    assert_eq!(
        judge(Counts::exact(0, 200, 30, 300), &r, HigherIsWorse),
        Assessment::Favourable
    );
    assert_eq!(
        judge(Counts::exact(0, 200, 30, 300), &r, HigherIsBetter),
        Assessment::Adverse
    );
    assert_eq!(
        judge(Counts::exact(0, 5, 3, 30), &wide, HigherIsWorse),
        Assessment::Inconclusive
    );
    // The covering interval of exact counts is the interval itself, bit
    // for bit, at 0 too.
    assert_eq!(
        covering_interval(&Counts::exact(0, 200, 30, 300)),
        Ok(Some((r.lower, r.upper)))
    );
}

/// 300/1000 against 100/1000 (3.00, 2.43 to 3.70) against a year of
/// 150/1000 against 100/1000 (1.50, 1.19 to 1.90): ratio 2, log 0.693,
/// SE sqrt(0.1074² + 0.1189²) = 0.1603, interval 1.46 to 2.74: up.
/// Against itself: no clear change.
#[test]
fn a_change_is_called_only_when_its_interval_excludes_1() {
    let now = relative_likelihood(300, 1000, 100, 1000).unwrap();
    let before = relative_likelihood(150, 1000, 100, 1000).unwrap();
    let up = change(&now, &before).unwrap();
    assert_eq!(up.change, Change::Up);
    close(up.ratio, 2.0, 1e-12);
    // Computed independently with Python's standard library from the
    // formulas of docs/methods.md: 1.458068 to 2.743356.
    close(up.lower, 1.458_068, 1e-5);
    close(up.upper, 2.743_356, 1e-5);
    assert_eq!(change(&before, &now).unwrap().change, Change::Down);
    assert_eq!(change(&now, &now).unwrap().change, Change::NoClearChange);
    let small = relative_likelihood(12, 100, 10, 100).unwrap();
    let small_before = relative_likelihood(10, 100, 10, 100).unwrap();
    assert_eq!(
        change(&small, &small_before).unwrap().change,
        Change::NoClearChange
    );
}

/// The verdict of counts (a, n1, c, n2) against the default band.
fn verdict(a: u64, n1: u64, c: u64, n2: u64, p: Polarity) -> Assessment {
    let rl = relative_likelihood(a, n1, c, n2).unwrap();
    assess(
        &Counts::exact(a, n1, c, n2),
        (rl.lower, rl.upper),
        p,
        0.8,
        1.25,
    )
}

#[test]
fn assessment_follows_polarity_band_and_significance() {
    use Assessment::*;
    use Polarity::*;
    // 10/36 against 26/117 is exactly 1.25 (held as 1.2500000000000002):
    // not outside the band, so never adverse, however large the counts
    // (its interval then lies astride the edge: inconclusive).
    assert!((10.0 / 36.0) / (26.0 / 117.0) > 1.25);
    assert_eq!(verdict(10, 36, 26, 117, HigherIsWorse), Inconclusive);
    assert_eq!(
        verdict(100_000, 360_000, 260_000, 1_170_000, HigherIsWorse),
        Inconclusive
    );
    // Within range needs the whole interval inside the band: 1.00 (0.96 to
    // 1.04) is; 0.86 (0.43 to 1.73) is not, though its point is.
    assert_eq!(
        verdict(5000, 50_000, 5000, 50_000, HigherIsWorse),
        WithinRange
    );
    let wide = relative_likelihood(6, 70, 10, 100).unwrap();
    assert!(wide.rl > 0.8 && wide.rl < 1.25 && wide.lower < 0.8);
    assert_eq!(verdict(6, 70, 10, 100, HigherIsWorse), Inconclusive);
    // A point inside the band, significant, the interval past its edge:
    // 1.20 (1.10 to 1.31): neither within range nor adverse.
    let edge = relative_likelihood(1200, 10_000, 1000, 10_000).unwrap();
    assert!(edge.significant() && edge.upper > 1.25);
    assert_eq!(
        verdict(1200, 10_000, 1000, 10_000, HigherIsWorse),
        Inconclusive
    );
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

/// The covering interval contains the Katz interval of every set of counts
/// in the spans, and the verdict on the spans is the one every set gives,
/// or inconclusive: checked by brute force over every set of counts of
/// spans a rounding to 5 leaves, for many counts and both polarities.
#[test]
fn the_verdict_on_spans_is_never_another_than_an_exact_one() {
    use Polarity::*;
    let span = |r: u64| {
        if r == 0 {
            Span::exact(0)
        } else {
            Span {
                lo: (r - 2).max(8),
                hi: r + 2,
            }
        }
    };
    let mut decided = 0;
    let mut checked = 0;
    for a in [0u64, 10, 15, 30, 60, 200] {
        for n1 in [40u64, 100, 400] {
            for c in [10u64, 20, 50, 150] {
                for n2 in [100u64, 400, 1000] {
                    if a + 4 > n1 || c + 4 > n2 {
                        continue;
                    }
                    let k = Counts {
                        a: span(a),
                        n1: span(n1),
                        c: span(c),
                        n2: span(n2),
                    };
                    let Ok(Some((lo, hi))) = covering_interval(&k) else {
                        continue;
                    };
                    for p in [HigherIsWorse, HigherIsBetter] {
                        let v = assess(&k, (lo, hi), p, 0.8, 1.25);
                        decided += usize::from(v != Assessment::Inconclusive);
                        for ea in k.a.lo..=k.a.hi {
                            for en1 in k.n1.lo..=k.n1.hi {
                                for ec in k.c.lo..=k.c.hi {
                                    for en2 in k.n2.lo..=k.n2.hi {
                                        let rl = relative_likelihood(ea, en1, ec, en2).unwrap();
                                        assert!(rl.lower >= lo - 1e-12 && rl.upper <= hi + 1e-12);
                                        let exact = verdict(ea, en1, ec, en2, p);
                                        assert!(
                                            v == exact || v == Assessment::Inconclusive,
                                            "{v:?} on {k:?}, {exact:?} at {ea} {en1} {ec} {en2}"
                                        );
                                        checked += 1;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    // It did decide figures, not only call them inconclusive.
    assert!(decided > 20 && checked > 10_000, "{decided} {checked}");
}

// Reference values from the formulas by hand (and Python's math):
// stratum 1 (a=10, n1=100, c=20, n2=400): r = 8, s = 4, v = 4.4;
// stratum 2 (a=30, n1=50, c=40, n2=100): r = 20, s = 13.3333, v = 7.5556;
// RL = 28 / 17.3333 = 1.615385, SE = sqrt(11.955556 / (28 × 17.333333)),
// interval 1.187623 to 2.197218.
#[test]
fn mantel_haenszel_with_greenland_robins_variance() {
    let t = terms(10, 100, 20, 400).add(terms(30, 50, 40, 100));
    close(t.r, 28.0, 1e-12);
    close(t.s, 17.333_333_333_333_3, 1e-9);
    close(t.v, 11.955_555_555_555_6, 1e-9);
    let rl = mantel_haenszel(t).unwrap();
    close(rl.rl, 1.615_384_615, 1e-8);
    close(rl.lower, 1.187_623_499, 1e-8);
    close(rl.upper, 2.197_217_769, 1e-8);
    // One stratum: the crude relative likelihood and its Katz interval.
    let one = mantel_haenszel(terms(60, 400, 100, 1000)).unwrap();
    let katz = relative_likelihood(60, 400, 100, 1000).unwrap();
    close(one.rl, katz.rl, 1e-12);
    close(one.lower, katz.lower, 1e-9);
    close(one.upper, katz.upper, 1e-9);
    // No minoritised or no white events anywhere: no estimate; an empty
    // stratum adds nothing.
    assert!(mantel_haenszel(terms(0, 100, 20, 400)).is_none());
    assert!(mantel_haenszel(terms(10, 100, 0, 400)).is_none());
    assert_eq!(terms(0, 0, 0, 0), Terms::default());
}

#[test]
fn an_estimate_is_assessed_by_the_same_rule() {
    use crate::indicators::Polarity::*;
    let a = |rl, lo, hi, p| assess_estimate(rl, (lo, hi), p, 0.8, 1.25);
    assert_eq!(a(1.0, 0.9, 1.1, HigherIsWorse), Assessment::WithinRange);
    assert_eq!(a(1.4, 1.3, 1.5, HigherIsWorse), Assessment::Adverse);
    assert_eq!(a(1.4, 1.3, 1.5, HigherIsBetter), Assessment::Favourable);
    assert_eq!(a(0.6, 0.5, 0.7, HigherIsBetter), Assessment::Adverse);
    // Significant but inside the band: inconclusive; the band's edge is
    // not outside it.
    assert_eq!(a(1.2, 1.1, 1.3, HigherIsWorse), Assessment::Inconclusive);
    assert_eq!(a(1.25, 1.1, 1.4, HigherIsWorse), Assessment::Inconclusive);
    assert_eq!(a(1.5, 0.9, 2.5, HigherIsWorse), Assessment::Inconclusive);
    assert_eq!(a(1.0, 0.9, 1.1, Descriptive), Assessment::None);
}

#[test]
fn unusual_changes_lie_wholly_beyond_a_ratio_of_one_and_a_half() {
    let c = |lower, upper| YearChange {
        ratio: 1.0,
        lower,
        upper,
        change: Change::NoClearChange,
    };
    assert!(c(1.51, 2.0).unusual());
    assert!(c(0.3, 0.66).unusual());
    assert!(!c(1.4, 2.0).unusual());
    assert!(!c(0.3, 0.7).unusual());
}
