use super::*;
use crate::compute::{GroupCount, Scope};
use crate::stats::Assessment;

fn fig(s: Service, ind: IndicatorId, band: Option<&str>, w: (u64, u64), m: (u64, u64)) -> Figure {
    Figure {
        year: 2024,
        scope: Scope::Authority,
        area_code: "E06000035".into(),
        service: s,
        indicator: ind,
        band: band.map(str::to_string),
        white: Some(GroupCount {
            events: w.0,
            population: w.1,
        }),
        minoritised: Some(GroupCount {
            events: m.0,
            population: m.1,
        }),
        unknown: Some(GroupCount {
            events: 0,
            population: 0,
        }),
        white_rate: None,
        minoritised_rate: None,
        rl: None,
        not_calculable: None,
        share: None,
        share_ci: None,
        workforce_share: None,
        assessment: Assessment::None,
        significant: None,
        units: 1,
        units_left_out: 0,
        councils: 1,
        carried: None,
        within: None,
    }
}

fn policy() -> Policy {
    Policy {
        public: true,
        min_count: 8,
        rounding_base: 5,
        band_lower: 0.8,
        band_upper: 1.25,
    }
}

/// Bands of 8 (shown 10), 33 (35) and 1 ([c]) against a headcount of 42
/// (40): at the bottom of their rounding the bands already make the top
/// of the headcount's, so the [c] is exactly 1 unless a band is withheld.
#[test]
fn bands_that_pin_a_withheld_count_lose_a_partner() {
    use IndicatorId::*;
    let figs = [
        fig(Service::All, I1, Some("a"), (100, 400), (8, 42)),
        fig(Service::All, I1, Some("b"), (150, 400), (33, 42)),
        fig(Service::All, I1, Some("c"), (150, 400), (1, 42)),
        fig(Service::All, I3, None, (9, 400), (9, 42)),
    ];
    let refs: Vec<&Figure> = figs.iter().collect();
    let s = secondary(&refs, policy());
    assert_eq!(
        s.iter()
            .map(|c| (c.band.as_deref(), c.minoritised, c.population))
            .collect::<Vec<_>>(),
        [(Some("b"), true, false)],
        "a band count of the group is withheld: the 10 alone would leave the others pinned"
    );
    assert!(
        secondary(
            &refs,
            Policy {
                public: false,
                ..policy()
            }
        )
        .is_empty(),
        "internal reports are exact"
    );
}

/// Two councils with 1 minoritised event each and England's exact 2:
/// England minus the councils gives both back, so England's count is
/// withheld, and so is a partner service, else all services minus
/// adults would give it back.
#[test]
fn a_national_count_that_gives_councils_back_is_withheld() {
    use IndicatorId::*;
    let mut figs = Vec::new();
    for (scope, area, n) in [
        (Scope::Authority, "E1", 1),
        (Scope::Authority, "E2", 1),
        (Scope::National, "", 2),
    ] {
        for s in [Service::Adults, Service::Children, Service::All] {
            let m = if s == Service::Children { 0 } else { n };
            let mut f = fig(s, I4, None, (40, 400), (m, 100));
            f.scope = scope;
            f.area_code = area.into();
            figs.push(f);
        }
    }
    let none = BTreeSet::new();
    let t = totals(&figs, &|_| None, 3, &none, policy());
    let withheld: Vec<(Service, bool, bool)> = t
        .iter()
        .filter(|(area, _)| area.is_empty())
        .map(|(_, c)| (c.service, c.minoritised, c.population))
        .collect();
    assert!(
        withheld.contains(&(Service::All, true, false)),
        "{withheld:?}"
    );
    assert!(
        withheld.contains(&(Service::Adults, true, false)),
        "{withheld:?}"
    );
    assert!(
        !withheld.iter().any(|c| !c.1),
        "white counts stay: {withheld:?}"
    );
    assert!(
        totals(
            &figs,
            &|_| None,
            3,
            &none,
            Policy {
                public: false,
                ..policy()
            }
        )
        .is_empty()
    );
}

#[test]
fn counts_far_from_the_edges_need_nothing() {
    use IndicatorId::*;
    let figs = [
        fig(Service::All, I1, Some("a"), (100, 400), (10, 45)),
        fig(Service::All, I1, Some("b"), (300, 400), (30, 45)),
        fig(Service::All, I1, Some("c"), (0, 400), (5, 45)),
        fig(Service::All, I3, None, (9, 400), (9, 45)),
    ];
    let refs: Vec<&Figure> = figs.iter().collect();
    assert!(secondary(&refs, policy()).is_empty());
}
