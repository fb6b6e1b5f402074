//! The one verdict rule against an independent computation: every figure
//! of results.csv recomputed from its counts by tests/independent/verdicts.py
//! (written from the methods chapter, with exact fractions at the band's
//! edges), on the demo release and on the fixture with another band; and
//! one comparison with England per indicator in every local report.

use crate::common::*;
use std::path::Path;

fn independent(results: &Path, band: Option<(&str, &str)>) -> String {
    let mut cmd = std::process::Command::new("python3");
    cmd.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/independent/verdicts.py"))
        .arg(results);
    if let Some((lo, hi)) = band {
        cmd.args([lo, hi]);
    }
    let o = cmd.output().expect("python3 runs the independent check");
    let log = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{log}");
    log
}

#[test]
fn every_demo_verdict_follows_the_rule() {
    let (out, o) = read_report(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data"));
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let dir = out.path().join("2024");
    let log = independent(&dir.join("internal/results.csv"), None);
    // Every verdict occurs, so a flipped direction or band would show.
    for v in ["adverse", "favourable", "inconclusive", "within_range"] {
        assert!(log.contains(v), "{log}");
    }
    one_comparison_per_indicator(&dir.join("public/local"));
}

#[test]
fn another_band_is_applied_by_the_same_rule() {
    let data = fixture_copy("band_lower: 0.9\nband_upper: 1.1\n");
    let (out, o) = run_report(data.path());
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    independent(
        &out.path().join("2024/internal/results.csv"),
        Some(("0.9", "1.1")),
    );
}

/// A local report states one comparison with England per indicator: where
/// the indicator has a funnel section, the key finding uses the funnel's
/// limits, and its words agree with the funnel section's.
fn one_comparison_per_indicator(local: &Path) {
    let mut checked = 0;
    for e in std::fs::read_dir(local).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|x| x != "html") {
            continue;
        }
        let html = std::fs::read_to_string(&p).unwrap();
        for ind in ["2", "3", "4", "5", "6", "7a", "7b", "8", "9"] {
            let Some(start) = html.find(&format!("<li><strong>{ind}. ")) else {
                continue;
            };
            let finding = &html[start..start + html[start..].find("</li>").unwrap()];
            let comparisons = [
                "on the funnel plot",
                "interval lies wholly",
                "interval includes England",
            ]
            .iter()
            .map(|w| finding.matches(w).count())
            .sum::<usize>();
            assert!(comparisons <= 1, "{}: {finding}", p.display());
            if html.contains(&format!("id=\"chart-{ind}-funnel-data\"")) {
                assert!(
                    finding.contains("on the funnel plot"),
                    "{}: {finding}",
                    p.display()
                );
                let inside = finding.contains("within the 95% control limits");
                let at = html
                    .find(&format!("id=\"chart-{ind}-funnel-desc\""))
                    .unwrap();
                let desc = &html[at..at + html[at..].find("</").unwrap()];
                assert_eq!(
                    inside,
                    desc.contains("lies inside the 95% control limits"),
                    "{}: the key finding and the funnel section disagree: {finding} / {desc}",
                    p.display()
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 0, "some indicator has a funnel");
}
