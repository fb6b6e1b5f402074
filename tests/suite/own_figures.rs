//! A council's own figures in the collection service: beside England's and
//! its region's published figures and its own of the year before, each
//! the value the release and the earlier return give.

use crate::common::*;
use scwres::load::{self, Folder};
use scwres::register::Register;

#[test]
fn a_councils_figures_stand_beside_its_regions_englands_and_its_own_last_year() {
    let (release, _) = read_report(&demo());
    let bench = std::fs::read(release.path().join("2024/public/benchmarks.csv")).unwrap();
    let published = scwres::run::collect::read_published(&bench).unwrap();
    let config = load::load_config(&Folder::new(&demo())).unwrap();
    let register = Register::built_in();
    let year = |y: i32| load::load_year(&Folder::new(&demo()), y, &register, &config).unwrap();
    let this = year(2024);
    let last = year(2023);
    let code = "E08000024";
    let mine = |d: &load::YearData| d.returns.iter().find(|r| r.authority_code == code).cloned();
    let (ret, prev) = (mine(&this).unwrap(), mine(&last).unwrap());
    let rules = scwres::run::collect::Rules {
        register: &register,
        config: &config,
        year: 2024,
    };
    let f = scwres::run::collect::own_figures(
        &ret,
        &rules,
        Some(&published),
        Some((
            &prev,
            &scwres::run::collect::earlier_figures(&prev, &rules).unwrap(),
        )),
    )
    .unwrap();
    assert_eq!(f.region.as_deref(), Some("North East"));
    assert_eq!((f.england_year, f.last_year), (Some(2024), Some(2023)));
    // Each region value is the release's own row (all services, no band).
    let rows = read_csv(&release.path().join("2024/public/benchmarks.csv"));
    let mut checked = 0;
    for r in f.rows.iter().filter(|r| r.band.is_none()) {
        let published = rows.iter().find(|b| {
            b["scope"] == "region"
                && b["area_code"] == "E12000001"
                && b["service"] == "all"
                && b["indicator"] == r.number
                && b["band"].is_empty()
        });
        let want = published.and_then(|b| b["relative_likelihood"].parse::<f64>().ok());
        assert_eq!(r.region_rl, want, "indicator {}", r.number);
        checked += usize::from(want.is_some());
    }
    assert!(checked >= 5, "{checked} regional figures compared");
    // What the public local report prints, beside the exact verdict: the
    // national run's own web page of that report shows the same figure,
    // and its verdict is the exact one or less decisive, never another.
    let page = squash(&page_text(
        &std::fs::read_to_string(
            release
                .path()
                .join("2024/public/local/E08000024-sunderland.html"),
        )
        .unwrap(),
    ));
    let mut shown = 0;
    for r in f
        .rows
        .iter()
        .filter(|r| r.band.is_none() && r.assessment != "")
    {
        let public = r
            .public_assessment
            .expect("every indicator has a public verdict");
        assert!(
            public == r.assessment
                || ["inconclusive", "suppressed", "not_calculable"].contains(&public),
            "indicator {}: public {public}, exact {}",
            r.number,
            r.assessment
        );
        if let Some(rl) = r.public_rl.as_deref().filter(|v| *v != "[c]") {
            assert!(
                page.contains(rl),
                "indicator {}: {rl} on the public page",
                r.number
            );
            shown += 1;
        }
    }
    assert!(shown >= 5, "{shown} public figures compared");
    // Last year's: the council's own 2023 figure, as a 2023 run gives it.
    let (r2023, _) = read_report_of(&demo(), Some("2023"));
    let results = read_csv(&r2023.path().join("2023/internal/results.csv"));
    let mut compared = 0;
    for r in f
        .rows
        .iter()
        .filter(|r| r.band.is_none() && r.last_rl.is_some())
    {
        let exact = results
            .iter()
            .find(|x| {
                x["scope"] == "authority"
                    && x["area_code"] == code
                    && x["service"] == "all"
                    && x["indicator"] == r.number
                    && x["band"].is_empty()
            })
            .and_then(|x| x["relative_likelihood"].parse::<f64>().ok())
            .unwrap();
        assert!(
            (r.last_rl.unwrap() - exact).abs() < 5e-4,
            "{}: {:?} vs {exact}",
            r.number,
            r.last_rl
        );
        compared += 1;
    }
    assert!(compared >= 5, "{compared} of last year's figures compared");
}
