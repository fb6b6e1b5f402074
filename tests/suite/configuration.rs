//! report.yaml as the reports read it: the thresholds stated in words are
//! the configured ones, impossible values are refused naming the file, and
//! the benchmark never empties a folder it did not make.

use crate::common::*;

/// With `min_count: 5` every sentence that states the threshold says "1 to
/// 4": the national report, a public local report and its list of what was
/// withheld; and the suppression log uses the reason ids.
#[test]
fn the_configured_threshold_is_the_one_the_reports_state() {
    let data = fixture_copy("disclosure:\n  min_count: 5\n");
    let (out, o) = run_report(data.path());
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let dir = out.path().join("2024");
    let national = squash(&pdf_text(
        &dir.join("public/national/sc-wres-national-2024.pdf"),
    ));
    assert!(national.contains(&squash("[c] (for 1 to 4)")), "national");
    let local = squash(&pdf_text(
        &dir.join("public/local/E09000033-st-1-met-co.pdf"),
    ));
    assert!(
        local.contains(&squash("counts from 1 to 4 are shown as [c]")),
        "local"
    );
    assert!(local.contains(&squash("at least 5")), "local");
    // "1 to 7" as the default threshold, not inside a number ("0.41 to
    // 7.94", an interval, squashes to the same letters).
    for text in [&national, &local] {
        let pattern = squash("1 to 7");
        let stated = text.match_indices(&pattern).any(|(i, _)| {
            let before = text[..i].chars().next_back();
            let after = text[i + pattern.len()..].chars().next();
            !before.is_some_and(|c| c.is_ascii_digit() || c == '.')
                && !after.is_some_and(|c| c.is_ascii_digit() || c == '.')
        });
        assert!(!stated, "a threshold that is not the configured one");
    }
    // What is withheld is what min_count 5 says, value by value: the
    // independent recomputation of every published figure agrees.
    let r = std::process::Command::new("python3")
        .arg(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/independent/recompute.py"),
        )
        .arg(data.path())
        .arg(&dir)
        .output()
        .expect("python3");
    let said = String::from_utf8_lossy(&r.stdout);
    assert!(
        r.status.success() && said.contains(" 0 disagreements"),
        "{said}"
    );
    let log = read_csv(&dir.join("internal/suppressions.csv"));
    assert!(!log.is_empty());
    for row in &log {
        assert!(
            [
                "rates",
                "workforce_share",
                "counts",
                "unknown_share",
                "survey_response_rate",
                "secondary"
            ]
            .contains(&row["what"].as_str()),
            "{row:?}"
        );
    }
}

fn refused(yaml: &str) -> String {
    let data = fixture_copy(yaml);
    let (_, o) = run_report(data.path());
    assert_eq!(o.status.code(), Some(2));
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn an_impossible_release_date_is_refused_naming_the_file() {
    // A YAML mapping may not repeat a key, so the whole file is written.
    let data = fixture_copy("");
    std::fs::write(
        data.path().join("report.yaml"),
        "publication:\n  release_date: \"2025-02-30\"\n",
    )
    .unwrap();
    let (_, o) = run_report(data.path());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("report.yaml"), "{err}");
    assert!(
        err.contains("publication.release_date")
            && err.contains("`2025-02-30` is not a calendar date"),
        "{err}"
    );
}

/// The collection window is read as dates, and in order.
#[test]
fn a_collection_window_out_of_order_is_refused() {
    let data =
        fixture_copy("collection:\n  opens: 2026-04-01\n  due: 2026-06-30\n  closes: 2026-06-01\n");
    let (_, o) = run_report(data.path());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("collection.due (2026-06-30) is after collection.closes (2026-06-01)"),
        "{err}"
    );
    let data = fixture_copy("collection:\n  due: 2026-06-31\n");
    let (_, o) = run_report(data.path());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("collection.due") && err.contains("`2026-06-31` is not a calendar date"),
        "{err}"
    );
}

#[test]
fn thresholds_that_cannot_work_are_refused() {
    for (yaml, words) in [
        (
            "disclosure:\n  min_count: 0\n",
            "min_count must be at least 2",
        ),
        (
            "disclosure:\n  rounding_base: 0\n",
            "rounding_base must be at least 1",
        ),
    ] {
        let err = refused(yaml);
        assert!(err.contains("report.yaml") && err.contains(words), "{err}");
    }
}

#[test]
fn the_benchmark_refuses_a_folder_it_did_not_make() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("thesis.docx"), "years of work").unwrap();
    let o = scwres()
        .args(["bench", "--runs", "1", "--scale", "0", "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("was not made by `scwres bench`"), "{err}");
    assert!(dir.path().join("thesis.docx").exists());
}

/// A rounding base that would turn a published count into 0 (read as
/// none), and a pay band given twice (its staff counted twice), are refused
/// naming the key and the way out.
#[test]
fn settings_that_would_misstate_counts_are_refused() {
    let err = refused("disclosure:\n  min_count: 2\n  rounding_base: 10\n");
    assert!(
        err.contains("report.yaml") && err.contains("would round a published count of 2 to 0"),
        "{err}"
    );
    let err = refused(
        "pay_bands:\n  2024:\n    - { id: low, label: \"Low\" }\n    - { id: low, label: \"Low again\" }\n",
    );
    assert!(err.contains("the band id `low` is given twice"), "{err}");
}

/// Text the reports print that their fonts cannot show (Chinese in the
/// producer's name) is refused naming the file and field before any
/// typesetting, and no staging folder is left beside the output.
#[test]
fn text_the_fonts_cannot_print_is_refused_naming_the_field() {
    let data = fixture_copy("");
    let config = data.path().join("report.yaml");
    let text = std::fs::read_to_string(&config).unwrap().replace(
        "producer: \"Fixture producer\"",
        "producer: \"社会护理 Fixture\"",
    );
    std::fs::write(&config, text).unwrap();
    let (out, o) = run_report(data.path());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(
            "report.yaml, publication.producer: the character '社' (U+793E) cannot be printed"
        ),
        "{err}"
    );
    assert!(!err.contains("PDF/UA"), "{err}");
    let left: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".lock"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
