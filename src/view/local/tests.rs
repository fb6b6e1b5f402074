use super::suppressions::suppression_lines;
use super::*;
use crate::config::Config;
use crate::disclose::exact;

fn shown(assessment: Verdict, provided: bool) -> ShownFigure {
    let mut f = exact(
        &crate::compute::national_from_counts(
            2024,
            &[crate::load::benchmarks::NationalCounts {
                service: Service::All,
                indicator: IndicatorId::I2,
                band: None,
                counts: None,
                withheld: false,
                units_left_out: 0,
                funnel: None,
                margin: 0,
            }],
            &Config::default(),
        )[0],
    );
    f.assessment = assessment;
    f.provided = provided;
    f
}

fn indicator(ind: IndicatorId, all: Option<ShownFigure>) -> LocalIndicator {
    LocalIndicator {
        def: ind.def(),
        events_description: "",
        population_description: "",
        population_short: "",
        assessed: ind.def().assessed(),
        own: ByService::new(|s| if s == Service::All { all.clone() } else { None }),
        national: ByService::new(|_| None),
        region: ByService::new(|_| None),
        previous: None,
        series: Vec::new(),
        differs: None,
        charted: false,
        versus: None,
        change: None,
        bands: Vec::new(),
        funnel: None,
        actions: 0,
        unaddressed: false,
    }
}

#[test]
fn the_tally_counts_what_is_shown() {
    let inds = [
        indicator(IndicatorId::I1, Some(shown(Verdict::None, true))),
        indicator(IndicatorId::I2, Some(shown(Verdict::Adverse, true))),
        indicator(IndicatorId::I3, Some(shown(Verdict::Adverse, true))),
        indicator(IndicatorId::I4, Some(shown(Verdict::Suppressed, true))),
        indicator(IndicatorId::I5, Some(shown(Verdict::WithinRange, false))),
        indicator(IndicatorId::I6, None),
    ];
    let t = tally(&inds);
    assert_eq!(t["adverse"], 2);
    assert_eq!(t["suppressed"], 1);
    assert_eq!(
        t["not_provided"], 2,
        "a figure not provided and a missing one"
    );
    assert_eq!(t["within_range"], 0);
    assert_eq!(t.values().sum::<usize>(), 5, "indicator 1 is not assessed");
}

#[test]
fn one_line_per_withheld_figure() {
    let s = |ind: Option<IndicatorId>, what| Suppression {
        report: "local E1".into(),
        year: 2024,
        area_code: "E1".into(),
        service: Service::All,
        indicator: ind,
        band: None,
        what,
    };
    let lines = suppression_lines(
        &[
            s(Some(IndicatorId::I3), Withheld::Rates),
            s(Some(IndicatorId::I3), Withheld::Counts),
            s(Some(IndicatorId::I8), Withheld::Counts),
            s(None, Withheld::UnknownShare),
        ],
        &crate::indicators::default_bands(),
    );
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0].what, [Withheld::Rates, Withheld::Counts]);
    assert_eq!(lines[0].short, "Disciplinary");
    assert_eq!(lines[2].short, "");
}

#[test]
fn a_published_region_keeps_its_shorthand() {
    let r = RegionFigure {
        area_code: "E12000007".into(),
        service: Service::All,
        indicator: IndicatorId::I3,
        band: None,
        counts: [
            Cell::N(40.0),
            Cell::N(400.0),
            Cell::Suppressed,
            Cell::N(100.0),
            Cell::N(0.0),
            Cell::N(0.0),
        ],
        rl: Cell::Suppressed,
        lower: Cell::Suppressed,
        upper: Cell::Suppressed,
        share: Cell::Empty,
        assessment: "suppressed".into(),
        councils: 4,
    };
    let v = region_view(&r);
    assert!(v.provided && v.suppressed);
    assert_eq!(v.rl, Some(SUPPRESSED));
    assert_eq!(v.minoritised_events, Some(SUPPRESSED));
    assert_eq!(v.share, None);
    assert_eq!(v.assessment, Verdict::Suppressed);
    assert_eq!(v.councils, 4);
}
