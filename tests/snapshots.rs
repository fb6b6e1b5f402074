//! Snapshot tests (insta) of the generated typst source and the tables, on
//! the fixture returns. Review changes with `cargo insta review`.

mod common;

fn prepared() -> scwres::Prepared {
    scwres::prepare(&common::fixture("basic"), Some(2024)).unwrap()
}

#[test]
fn results_csv_snapshot() {
    let p = prepared();
    let csv = scwres::formats::results::of_run(&p.results);
    // National and regional rows: the authority rows follow the same code.
    let text = String::from_utf8(csv).unwrap();
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !l.contains(",authority,"))
        .collect();
    insta::assert_snapshot!(kept.join("\n"));
}

#[test]
fn benchmarks_csv_snapshot() {
    let p = prepared();
    let (rows, _) = p.bench.rows(&p.config);
    let csv = scwres::formats::benchmarks::write(&rows);
    assert_eq!(csv, p.benchmarks_csv, "the run publishes these rows");
    insta::assert_snapshot!(String::from_utf8(csv).unwrap());
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
