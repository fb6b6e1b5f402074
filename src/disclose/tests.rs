use super::*;
use crate::compute::{GroupCount, Scope};
use crate::config::{Audience, Config};
use crate::indicators::IndicatorId;
use crate::stats;

fn config(audience: Audience, min_count: u64) -> Config {
    let mut c = Config::default();
    c.audience = audience;
    c.disclosure.min_count = min_count;
    c
}

/// A council's figure of indicator 3 with these white and minoritised
/// events and populations (no staff of unknown ethnicity).
fn figure(we: u64, wp: u64, me: u64, mp: u64) -> Figure {
    let rl = stats::relative_likelihood(me, mp, we, wp).ok();
    let g = |events, population| Some(GroupCount { events, population });
    Figure {
        year: 2024,
        scope: Scope::Authority,
        area_code: "E09000001".into(),
        service: Service::All,
        indicator: IndicatorId::I3,
        band: None,
        white: g(we, wp),
        minoritised: g(me, mp),
        unknown: g(0, 0),
        white_rate: stats::rate(we, wp),
        minoritised_rate: stats::rate(me, mp),
        rl,
        not_calculable: None,
        share: None,
        share_ci: None,
        workforce_share: None,
        assessment: Assessment::Adverse,
        significant: rl.map(|r| r.significant()),
        units: 1,
        units_left_out: 0,
        councils: 1,
        carried: None,
        within: None,
    }
}

#[test]
fn counts_are_withheld_below_the_threshold_and_rounded_above() {
    let p = Policy::of(&config(Audience::Public, 8));
    assert_eq!(p.count(0), Shown::N(0.0));
    assert_eq!(p.count(1), SUPPRESSED);
    assert_eq!(p.count(7), SUPPRESSED);
    assert_eq!(p.count(8), Shown::N(10.0));
    assert_eq!(p.count(12), Shown::N(10.0));
    assert_eq!(p.count(13), Shown::N(15.0));
    assert_eq!(p.count(u64::MAX), Shown::N((u64::MAX / 5 * 5) as f64));
    let internal = Policy::of(&config(Audience::Internal, 8));
    assert_eq!(internal.count(3), Shown::N(3.0));
    assert!(!internal.small(3));
    // Files for every council are public whatever the run's audience.
    assert!(Policy::public(&config(Audience::Internal, 8)).small(3));
}

#[test]
fn the_threshold_is_the_configured_one() {
    let p = Policy::of(&config(Audience::Public, 5));
    assert_eq!(p.count(4), SUPPRESSED);
    assert_eq!(p.count(5), Shown::N(5.0));
    assert!(p.publishable_events(0, 5));
    assert!(!p.publishable_events(4, 50));
}

#[test]
fn a_figure_on_few_events_is_withheld_and_logged() {
    let mut d = Disclosure::new(Policy::of(&config(Audience::Public, 8)), "local E09000001");
    let v = d.figure(&figure(40, 400, 3, 100));
    assert!(v.suppressed);
    assert_eq!(v.rl, Some(SUPPRESSED));
    assert_eq!(v.white_rate, Some(SUPPRESSED));
    assert_eq!(v.assessment, Verdict::Suppressed);
    assert_eq!(v.significant, None);
    assert_eq!(v.minoritised_events, Some(SUPPRESSED));
    assert_eq!(v.white_events, Some(Shown::N(40.0)));
    assert_eq!(v.white_population, Some(Shown::N(400.0)));
    let whats: Vec<Withheld> = d.log().iter().map(|s| s.what).collect();
    assert_eq!(whats, [Withheld::Rates, Withheld::Counts]);
    let s = &d.log()[0];
    assert_eq!(
        (s.report.as_str(), s.year, s.area_code.as_str(), s.indicator),
        ("local E09000001", 2024, "E09000001", Some(IndicatorId::I3))
    );
}

/// Every statistic of a public council figure rests on the rounded counts
/// shown beside it: 40/401 and 12/99 are shown as 40/400 and 10/100, so the
/// rates are 0.100 and 0.100 and the relative likelihood exactly 1, within
/// range, with the Katz interval of 10/100 against 40/400:
/// SE = sqrt(1/10 - 1/100 + 1/40 - 1/400) = 0.33541, limits
/// exp(±1.959964 × 0.33541) = 0.5182 and 1.9298, published as 0.52 and 1.93.
#[test]
fn a_figure_on_enough_events_rests_on_its_rounded_counts() {
    let mut d = Disclosure::new(Policy::of(&config(Audience::Public, 8)), "x");
    let f = figure(40, 401, 12, 99);
    let v = d.figure(&f);
    assert!(!v.suppressed);
    assert_eq!(v.white_population, Some(Shown::N(400.0)));
    assert_eq!(v.minoritised_population, Some(Shown::N(100.0)));
    assert_eq!(v.minoritised_events, Some(Shown::N(10.0)));
    assert_eq!(v.white_rate, Some(Shown::N(0.1)));
    assert_eq!(v.minoritised_rate, Some(Shown::N(0.1)));
    assert_eq!(v.rl, Some(Shown::N(1.0)));
    // The interval covers every count the rounding could hide (8 to 12 of
    // 98 to 102 against 38 to 42 of 398 to 402), rounded outwards; the
    // Katz interval of the rounded counts alone would be 0.52 to 1.93.
    assert_eq!(v.lower, Some(Shown::N(0.35)));
    assert_eq!(v.upper, Some(Shown::N(2.7)));
    assert_eq!(
        v.assessment,
        Verdict::Inconclusive,
        "not within range: the interval reaches past the band"
    );
    assert_ne!(f.rl.unwrap().rl, 1.0, "the exact figure differs");
    assert!(d.log().is_empty());
}

/// England's counts are published as every other: 0, `[c]` or rounded,
/// so that two releases cannot be differenced to give a council's counts
/// back; what rests on a withheld count is withheld.
#[test]
fn national_counts_are_rounded_like_every_other() {
    let mut d = Disclosure::new(Policy::of(&config(Audience::Public, 8)), "x");
    let mut f = figure(40, 401, 3, 99);
    f.scope = Scope::National;
    f.area_code = String::new();
    let v = d.figure(&f);
    assert_eq!(v.minoritised_events, Some(SUPPRESSED));
    assert_eq!(v.white_population, Some(Shown::N(400.0)));
    assert_eq!(v.rl, Some(SUPPRESSED));
    assert!(v.suppressed);
    let f = {
        let mut f = figure(4003, 40_001, 1_202, 9_998);
        f.scope = Scope::National;
        f.area_code = String::new();
        f
    };
    let v = d.figure(&f);
    assert_eq!(v.white_events, Some(Shown::N(4005.0)));
    assert_eq!(v.minoritised_population, Some(Shown::N(10_000.0)));
    assert!(!v.suppressed);
}

#[test]
fn internal_figures_are_exact_and_nothing_is_logged() {
    let mut d = Disclosure::new(Policy::of(&config(Audience::Internal, 8)), "x");
    let f = figure(40, 401, 3, 99);
    let v = d.figure(&f);
    assert!(!v.suppressed);
    assert_eq!(v.minoritised_events, Some(Shown::N(3.0)));
    assert_eq!(v.rl, Some(Shown::N(f.rl.unwrap().rl)));
    assert!(d.into_log().is_empty());
}

#[test]
fn a_small_workforce_hides_the_workforce_share() {
    let mut d = Disclosure::new(Policy::of(&config(Audience::Public, 8)), "x");
    let mut f = figure(0, 20, 0, 5);
    f.workforce_share = Some(0.2);
    let v = d.figure(&f);
    assert_eq!(v.workforce_share, Some(SUPPRESSED));
    let whats: Vec<Withheld> = d.log().iter().map(|s| s.what).collect();
    // The minoritised population (5) is withheld, so is all that rests on it.
    assert_eq!(
        whats,
        [Withheld::Rates, Withheld::WorkforceShare, Withheld::Counts]
    );
}

#[test]
fn data_quality_shares_rest_on_their_count() {
    let mut d = Disclosure::new(Policy::of(&config(Audience::Public, 8)), "x");
    assert_eq!(
        d.share(2024, "E1", 3, 100, Withheld::UnknownShare),
        Some(SUPPRESSED)
    );
    assert_eq!(
        d.share(2024, "E1", 30, 100, Withheld::UnknownShare),
        Some(Shown::N(0.3))
    );
    assert_eq!(d.share(2024, "E1", 0, 0, Withheld::UnknownShare), None);
    assert_eq!(d.log().len(), 1);
    assert_eq!(d.log()[0].indicator, None);
    assert_eq!(d.log()[0].what, Withheld::UnknownShare);
}

#[test]
fn verdict_ids_round_trip() {
    for v in Verdict::ASSESSED.into_iter().chain([Verdict::None]) {
        assert_eq!(Verdict::parse(v.id()), Some(v));
        assert_eq!(serde_json::to_value(v).unwrap(), v.id());
    }
}
