//! Every figure of a release against an independent recomputation from the
//! returns (`tests/independent/recompute.py`, written from the guide's
//! methods and disclosure rules): results.csv row by row, and every
//! national and regional value of benchmarks.csv and the national tables as
//! a public reader sees it; on the demo, on the fixture, and on the fixture
//! with every disclosure and assessment setting changed.

mod common;
use common::*;
use std::path::Path;

fn recompute(data: &Path) {
    let (out, o) = run_report(data);
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/independent/recompute.py");
    let r = std::process::Command::new("python3")
        .arg(script)
        .arg(data)
        .arg(out.path().join("2024"))
        .output()
        .expect("python3");
    let text =
        String::from_utf8_lossy(&r.stdout).into_owned() + &String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(0), "{text}");
    assert!(text.contains(" 0 disagreements"), "{text}");
}

/// On the demo every assessed indicator has figures outside the band on a
/// clear side (adverse or favourable), so a direction flipped in the
/// program changes verdicts the recomputation judges.
#[test]
fn the_demo_release_is_the_independent_recomputation() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    recompute(&data);
    let (out, _) = run_report(&data);
    let rows = read_csv(&out.path().join("2024/internal/results.csv"));
    for ind in ["2", "3", "4", "5", "6", "7a", "7b", "8", "9"] {
        assert!(
            rows.iter().any(|r| r["indicator"] == ind
                && (r["assessment"] == "adverse" || r["assessment"] == "favourable")),
            "indicator {ind}: no figure a flipped direction would change"
        );
    }
}

#[test]
fn the_fixture_release_is_the_independent_recomputation() {
    recompute(&fixture("basic"));
}

/// Every setting the rules take changed at once: a narrower band, fewer
/// councils per region, a higher threshold and a coarser rounding.
#[test]
fn a_release_with_other_settings_is_the_independent_recomputation() {
    let data = fixture_copy(
        "band_lower: 0.9\nband_upper: 1.1\nmin_region_councils: 2\ndisclosure:\n  min_count: 11\n  rounding_base: 10\n",
    );
    recompute(data.path());
}

/// The reference values of the overdispersion unit test
/// (`src/stats/tests.rs`) are what the independent script prints.
#[test]
fn the_overdispersion_reference_values_come_from_the_script() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/independent/overdispersion.py");
    let o = std::process::Command::new("python3")
        .arg(script)
        .output()
        .expect("python3");
    let text = String::from_utf8_lossy(&o.stdout);
    for line in [
        "phi 8.807455762391086",
        "tau2 0.050036833380705734",
        "lower95_at_5000 0.7500243128187241",
        "upper998_at_5000 2.5176219863335114",
    ] {
        assert!(text.contains(line), "{line:?} in {text}");
    }
}
