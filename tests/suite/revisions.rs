//! Revisions: a rerun of a year compared with its earlier release marks
//! every figure that changed, says why, and lists old and new values.

use crate::common::*;

fn report(
    data: &std::path::Path,
    previous: Option<&std::path::Path>,
) -> (tempfile::TempDir, std::process::Output) {
    report_of(data, None, previous)
}

#[test]
fn a_corrected_return_revises_the_figures_it_feeds() {
    let (first, _) = report(&fixture("basic"), None);
    let earlier = first.path().join("2024");
    let data = fixture_copy("");
    // Essex corrects its adults' appointments (white): 84 → 74.
    let essex = data.path().join("returns/2024/essex.csv");
    let text = std::fs::read_to_string(&essex).unwrap();
    std::fs::write(
        &essex,
        text.replacen(",adults,appointed,,84,", ",adults,appointed,,74,", 1),
    )
    .unwrap();
    let (second, o) = report(data.path(), Some(&earlier));
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let dir = second.path().join("2024");

    let revisions = read_csv(&dir.join("internal/revisions.csv"));
    let find = |rows: &[std::collections::HashMap<String, String>]| {
        rows.iter()
            .find(|r| {
                r["scope"] == "national"
                    && r["service"] == "adults"
                    && r["indicator"] == "2"
                    && r["year"] == "2024"
            })
            .map(|r| r["relative_likelihood"].clone())
            .unwrap()
    };
    let (old, new) = (
        find(&read_csv(&earlier.join("internal/results.csv"))),
        find(&read_csv(&dir.join("internal/results.csv"))),
    );
    assert_ne!(old, new);
    let rl = revisions
        .iter()
        .find(|r| {
            r["scope"] == "national"
                && r["service"] == "adults"
                && r["indicator"] == "2"
                && r["column"] == "relative_likelihood"
        })
        .expect("the national RL of indicator 2, adults, is revised");
    assert_eq!((&rl["old"], &rl["new"]), (&old, &new));
    assert!(
        revisions.iter().all(|r| r["indicator"] == "2"),
        "only what Essex's appointments feed"
    );
    // The East of England (three councils, so published) is revised too.
    assert!(
        revisions
            .iter()
            .any(|r| r["scope"] == "region" && r["area_code"] == "E12000006"),
        "{revisions:?}"
    );

    let text = squash(&pdf_text(
        &dir.join("public/national/sc-wres-national-2024.pdf"),
    ));
    assert!(text.contains(&squash("0 returns were added, 0 withdrawn and 1 corrected")));
    let t1 = read_csv(&dir.join("public/national/tables/table-1-national-2024.csv"));
    let mark = |ind: &str, service: &str| {
        t1.iter()
            .find(|r| r["Indicator"] == ind && r["Service"] == service)
            .map(|r| r["Revised [note 12]"].clone())
            .unwrap()
    };
    assert_eq!(mark("2", "Adults"), "[r]");
    assert_eq!(mark("3", "Adults"), "Not revised");
}

/// A region of fewer than `min_region_councils` councils is never
/// published: its figure changing is not a revision of the release.
#[test]
fn a_region_never_published_is_not_revised() {
    let data = fixture_copy("min_region_councils: 4\n");
    let (first, o) = report(data.path(), None);
    assert!(!String::from_utf8_lossy(&o.stderr).contains("panicked"));
    let earlier = first.path().join("2024");
    let essex = data.path().join("returns/2024/essex.csv");
    let text = std::fs::read_to_string(&essex).unwrap();
    std::fs::write(
        &essex,
        text.replacen(",adults,appointed,,84,", ",adults,appointed,,74,", 1),
    )
    .unwrap();
    let (second, _) = report(data.path(), Some(&earlier));
    let dir = second.path().join("2024");
    let region = |rows: &[std::collections::HashMap<String, String>]| {
        rows.iter()
            .find(|r| {
                r["scope"] == "region"
                    && r["area_code"] == "E12000006"
                    && r["service"] == "adults"
                    && r["indicator"] == "2"
            })
            .map(|r| r["relative_likelihood"].clone())
            .unwrap()
    };
    assert_ne!(
        region(&read_csv(&earlier.join("internal/results.csv"))),
        region(&read_csv(&dir.join("internal/results.csv")))
    );
    assert!(
        !read_csv(&earlier.join("public/benchmarks.csv"))
            .iter()
            .any(|r| r["scope"] == "region"),
        "no region was published"
    );
    let revisions = read_csv(&dir.join("internal/revisions.csv"));
    assert!(revisions.iter().any(|r| r["scope"] == "national"));
    assert!(
        revisions.iter().all(|r| r["scope"] != "region"),
        "{revisions:?}"
    );
}

#[test]
fn an_unchanged_rerun_revises_nothing() {
    let (first, _) = report(&fixture("basic"), None);
    let (second, _) = report(&fixture("basic"), Some(&first.path().join("2024")));
    let dir = second.path().join("2024");
    assert!(read_csv(&dir.join("internal/revisions.csv")).is_empty());
    let text = squash(&pdf_text(
        &dir.join("public/national/sc-wres-national-2024.pdf"),
    ));
    assert!(text.contains(&squash("no published figure has changed")));
}

#[test]
fn an_earlier_release_of_another_year_is_refused() {
    let (first, _) = report(&fixture("basic"), None);
    let fake = tempfile::tempdir().unwrap();
    let m = std::fs::read_to_string(first.path().join("2024/manifest.json")).unwrap();
    std::fs::write(
        fake.path().join("manifest.json"),
        m.replace("\"year\": 2024", "\"year\": 2023"),
    )
    .unwrap();
    std::fs::create_dir_all(fake.path().join("internal")).unwrap();
    std::fs::copy(
        first.path().join("2024/internal/results.csv"),
        fake.path().join("internal/results.csv"),
    )
    .unwrap();
    let (_, o) = report(&fixture("basic"), Some(fake.path()));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("the earlier release is of 2023, not 2024"),
        "{err}"
    );
}

/// A return withdrawn since the earlier release (Norfolk's): the figures
/// it fed are revised, the report and its web page say one return was
/// withdrawn, and the revised figures are marked `[r]` in the tables as
/// CSV and in the workbook.
#[test]
fn a_withdrawn_return_revises_what_it_fed_and_is_said() {
    let (first, _) = report(&fixture("basic"), None);
    let data = fixture_copy("");
    std::fs::remove_file(data.path().join("returns/2024/norfolk.csv")).unwrap();
    let (second, _) = report(data.path(), Some(&first.path().join("2024")));
    let dir = second.path().join("2024");
    let revisions = read_csv(&dir.join("internal/revisions.csv"));
    assert!(
        revisions
            .iter()
            .any(|r| r["scope"] == "national" && r["column"] == "white_population"),
        "England's counts changed"
    );
    let said = "0 returns were added, 1 withdrawn and 0 corrected";
    let pdf = squash(&pdf_text(
        &dir.join("public/national/sc-wres-national-2024.pdf"),
    ));
    assert!(pdf.contains(&squash(said)), "the PDF says so");
    let html =
        std::fs::read_to_string(dir.join("public/national/sc-wres-national-2024.html")).unwrap();
    assert!(html.contains(said), "the web page says so");
    // Every national figure of table 1 that a revision lists is marked.
    let t1 = read_csv(&dir.join("public/national/tables/table-1-national-2024.csv"));
    let revised: std::collections::BTreeSet<(String, String)> = revisions
        .iter()
        .filter(|r| r["scope"] == "national" && r["year"] == "2024")
        .map(|r| (r["indicator"].clone(), r["service"].clone()))
        .collect();
    let marked = t1
        .iter()
        .filter(|r| r["Revised [note 12]"] == "[r]")
        .count();
    assert!(marked > 0 && !revised.is_empty());
    for r in &t1 {
        let service = r["Service"].to_lowercase().replace("all services", "all");
        let listed = revised.contains(&(r["Indicator"].clone(), service));
        assert_eq!(
            r["Revised [note 12]"] == "[r]",
            listed,
            "table 1, indicator {} {}",
            r["Indicator"],
            r["Service"]
        );
    }
    // The workbook carries the mark too.
    let mut zip = zip::ZipArchive::new(
        std::fs::File::open(dir.join("public/national/tables/sc-wres-national-tables-2024.xlsx"))
            .unwrap(),
    )
    .unwrap();
    let mut strings = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/sharedStrings.xml").unwrap(),
        &mut strings,
    )
    .unwrap();
    assert!(strings.contains("<t>[r]</t>"), "the workbook has the mark");
}
