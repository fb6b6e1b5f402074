//! Snapshot tests (insta) of the generated typst source and the tables, on
//! the fixture returns. Review changes with `cargo insta review`.

fn prepared() -> scwres::Prepared {
    scwres::prepare(&crate::common::fixture("basic"), Some(2024)).unwrap()
}

/// results.csv and benchmarks.csv as a run of the binary writes them on
/// the fixture: every row, council rows included.
#[test]
fn results_csv_snapshot() {
    let (out, _) = crate::common::read_report(&crate::common::fixture("basic"));
    let text = std::fs::read_to_string(out.path().join("2024/internal/results.csv")).unwrap();
    assert!(
        text.contains(",authority,E10000015,"),
        "council rows are in it"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn benchmarks_csv_snapshot() {
    let (out, _) = crate::common::read_report(&crate::common::fixture("basic"));
    let text = std::fs::read_to_string(out.path().join("2024/public/benchmarks.csv")).unwrap();
    insta::assert_snapshot!(text);
}

#[test]
fn national_typst_snapshot() {
    let p = prepared();
    let doc = p.render_national().unwrap();
    insta::assert_snapshot!(doc.typst);
}

#[test]
fn local_typst_snapshot_escapes_council_name() {
    let p = prepared();
    let r = p
        .current
        .returns
        .iter()
        .find(|r| r.authority_code == "E09000033")
        .unwrap();
    let (doc, _) = p.render_local(r).unwrap();
    assert!(doc.typst.contains("= St \\#1 \\[Met\\] & \\*Co\\*\n"));
    insta::assert_snapshot!(doc.typst);
}

/// A local report with last year's figures and an action plan whose text is
/// full of typst syntax.
#[test]
fn local_typst_snapshot_with_previous_year_and_plan() {
    let p = prepared();
    let r = p
        .current
        .returns
        .iter()
        .find(|r| r.authority_code == "E10000015")
        .unwrap();
    let (doc, _) = p.render_local(r).unwrap();
    // The action's text escaped (with the lines `render::fit` breaks it
    // into joined again).
    assert!(
        doc.typst
            .replace(" \\ ", " ")
            .contains("[Interview panels with \\#hash, \\[brackets\\] & \\*stars\\*]")
    );
    insta::assert_snapshot!(doc.typst);
}
