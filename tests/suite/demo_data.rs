//! The demo data shipped in `data/`: reproducible from the generator, and
//! every output made from it says it is synthetic.

use crate::common::*;
use std::path::Path;

fn data() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

#[test]
fn shipped_demo_returns_are_the_generator_output() {
    let files = scwres::demo::generate(&scwres::register::Register::built_in(), 2024);
    for (path, text) in &files {
        let shipped =
            std::fs::read_to_string(data().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(
            shipped == *text,
            "{path} differs from `scwres demo-data --seed 2024`"
        );
    }
    // And the example staff records are the generator's for Milton Keynes.
    let register = scwres::register::Register::built_in();
    for (name, text) in scwres::run::demo_records(&files, &register, "E06000042", 2024).unwrap() {
        let shipped = std::fs::read_to_string(data().join("examples/staff").join(&name)).unwrap();
        assert!(
            shipped == text,
            "examples/staff/{name} differs from `scwres demo-data --records E06000042`"
        );
    }
    for year in ["2023", "2024"] {
        let n = std::fs::read_dir(data().join("returns").join(year))
            .unwrap()
            .count();
        assert_eq!(
            n,
            files
                .iter()
                .filter(|(p, _)| p.contains(&format!("/{year}/")))
                .count()
        );
    }
}

#[test]
fn demo_run_is_complete_and_says_synthetic() {
    let (out, o) = read_report(&data());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        o.status.code(),
        Some(1),
        "one demo return is rejected on purpose: {stderr}"
    );
    assert!(
        stderr.contains("one return rejected\n           on purpose")
            && stderr.contains("validation.md"),
        "the closing note says the rejection is on purpose: {stderr}"
    );
    let dir = out.path().join("2024");
    let local_files = |ext: &str| {
        std::fs::read_dir(dir.join("public/local"))
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().extension().unwrap() == ext)
            .count()
    };
    assert_eq!((local_files("pdf"), local_files("html")), (73, 73));
    for f in [
        "internal/results.csv",
        "public/benchmarks.csv",
        "internal/validation.json",
        "public/SYNTHETIC-DEMO-DATA.txt",
        "internal/SYNTHETIC-DEMO-DATA.txt",
        "public/national/SYNTHETIC-DEMO-DATA.txt",
    ] {
        assert!(dir.join(f).is_file(), "{f}");
    }
    let national = squash(&pdf_text(
        &dir.join("public/national/sc-wres-national-2024.pdf"),
    ));
    assert!(national.contains(&squash("This report is made from synthetic demo data")));
    // On every page: the page footer says so.
    let pages = national
        .matches(&squash("(synthetic demo data) Page"))
        .count();
    assert!(pages >= 10, "{pages}");
    let local = std::fs::read_dir(dir.join("public/local"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().unwrap() == "pdf")
        .unwrap();
    assert!(
        squash(&pdf_text(&local)).contains(&squash("This report is made from synthetic demo data"))
    );
    for page in [
        "public/index.html",
        "public/national/sc-wres-national-2024.html",
    ] {
        let html = std::fs::read_to_string(dir.join(page)).unwrap();
        assert!(
            html.contains("Synthetic demo data: not real council figures"),
            "{page}"
        );
    }
    let svg = std::fs::read_to_string(dir.join("public/national/charts/indicator-3.svg")).unwrap();
    assert!(squash(&svg).contains("Syntheticdemodata"));
    assert!(
        std::fs::read_to_string(dir.join("internal/validation.md"))
            .unwrap()
            .contains("Synthetic demo data")
    );

    // The 2024 national figures land near the published headlines.
    let rows = read_csv(&dir.join("internal/results.csv"));
    let rl = |ind: &str| -> f64 {
        let r = rows
            .iter()
            .find(|r| {
                r["year"] == "2024"
                    && r["scope"] == "national"
                    && r["service"] == "all"
                    && r["indicator"] == ind
            })
            .unwrap();
        r["relative_likelihood"].parse().unwrap()
    };
    for (ind, target) in [
        ("2", 0.52),
        ("3", 1.37),
        ("4", 1.08),
        ("8", 1.21),
        ("9", 0.55),
    ] {
        assert!(
            (rl(ind) - target).abs() < 0.05,
            "indicator {ind}: {} vs {target}",
            rl(ind)
        );
    }
}

#[test]
fn demo_data_in_a_new_folder_is_marked_synthetic() {
    let dir = tempfile::tempdir().unwrap();
    let o = scwres()
        .args(["demo-data", "--councils", "6", "--data"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        std::fs::read_dir(dir.path().join("returns/2024"))
            .unwrap()
            .count(),
        6
    );
    let config = std::fs::read_to_string(dir.path().join("report.yaml")).unwrap();
    assert!(config.contains("synthetic: true"));
}

/// The back series: the demo has three years; results.csv keeps every
/// year's national rows, and the national report prints each year's figure
/// as results.csv has it.
#[test]
fn the_back_series_is_in_results_and_the_report() {
    let (out, _) = read_report(&data());
    let dir = out.path().join("2024");
    let rows = read_csv(&dir.join("internal/results.csv"));
    let text = squash(&pdf_text(
        &dir.join("public/national/sc-wres-national-2024.pdf"),
    ));
    assert!(text.contains(&squash("Across the years")));
    for year in ["2022", "2023", "2024"] {
        let r = rows
            .iter()
            .find(|r| {
                r["year"] == year
                    && r["scope"] == "national"
                    && r["service"] == "all"
                    && r["indicator"] == "2"
            })
            .unwrap_or_else(|| panic!("national rows of {year}"));
        // As published (docs/methods.md): the RL of the counts rounded to
        // 5, the interval covering the Katz interval of every count 2 below
        // to 2 above them, rounded outwards.
        let n = |k: &str| r[k].parse::<f64>().unwrap();
        let r5 = |x: f64| (x / 5.0 + 0.5).floor() * 5.0;
        let [a, n1, c, n2] = [
            "minoritised_events",
            "minoritised_population",
            "white_events",
            "white_population",
        ]
        .map(|k| r5(n(k)));
        let point = (a / n1) / (c / n2);
        let lo_rl = ((a - 2.0) / (n1 + 2.0)) / ((c + 2.0) / (n2 - 2.0));
        let hi_rl = ((a + 2.0) / (n1 - 2.0)) / ((c - 2.0) / (n2 + 2.0));
        let se = (1.0 / (a - 2.0) - 1.0 / (n1 + 2.0) + 1.0 / (c - 2.0) - 1.0 / (n2 + 2.0)).sqrt();
        let lower = ((lo_rl.ln() - 1.959964 * se).exp() * 100.0 + 1e-9).floor() / 100.0;
        let upper = ((hi_rl.ln() + 1.959964 * se).exp() * 100.0 - 1e-9).ceil() / 100.0;
        assert!(lower <= n("ci_lower") && upper >= n("ci_upper"));
        let rl = format!("{point:.2} ({lower:.2} to {upper:.2})");
        assert!(text.contains(&squash(&rl)), "{year}: {rl}");
    }
    assert!(
        dir.join("public/national/charts/indicator-2-trend.svg")
            .exists()
    );
}
