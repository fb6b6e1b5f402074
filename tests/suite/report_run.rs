//! `scwres report` on a small fixture: figures, validation outcome, and the
//! text of the PDFs it writes (extracted from the PDF files themselves).

use crate::common::*;

fn run_fixture() -> (Release, std::process::Output) {
    read_report(&fixture("basic"))
}

fn close(found: &str, expected: f64) {
    let x: f64 = found
        .parse()
        .unwrap_or_else(|_| panic!("not a number: {found:?}"));
    assert!((x - expected).abs() < 1e-6, "{x} vs {expected}");
}

#[test]
fn report_run_on_fixture() {
    let (out, output) = run_fixture();
    let stderr = String::from_utf8_lossy(&output.stderr);
    // A rejected return makes the exit status 1; the others are still used.
    assert_eq!(output.status.code(), Some(1), "stderr: {stderr}");
    assert!(
        stderr.contains("returns/2024/birmingham.csv"),
        "the rejection is reported: {stderr}"
    );
    let dir = out.path().join("2024");

    // results.csv follows outputs.md to the column.
    let text = std::fs::read_to_string(dir.join("internal/results.csv")).unwrap();
    assert_eq!(
        text.lines().next().unwrap(),
        "year,scope,area_code,service,indicator,band,white_events,white_population,minoritised_events,\
minoritised_population,unknown_events,unknown_population,white_rate,minoritised_rate,relative_likelihood,\
ci_lower,ci_upper,minoritised_share,assessment,significant"
    );
    let rows = read_csv(&dir.join("internal/results.csv"));
    let find = |year: &str, scope: &str, area: &str, service: &str, ind: &str, band: &str| {
        rows.iter()
            .find(|r| {
                r["year"] == year
                    && r["scope"] == scope
                    && r["area_code"] == area
                    && r["service"] == service
                    && r["indicator"] == ind
                    && r["band"] == band
            })
            .unwrap_or_else(|| panic!("no row {year} {scope} {area} {service} {ind} {band}"))
    };

    // National pooled indicator 3 (disciplinary / headcount), all services.
    // Reference computed independently in Python from the fixture counts:
    // minoritised 25 of 781, white 45 of 3285; RL = (25/781)/(45/3285) =
    // 2.3367478, Katz 95% CI 1.4421364 to 3.7863202. Birmingham (rejected)
    // contributes nothing.
    let r = find("2024", "national", "", "all", "3", "");
    assert_eq!(
        (
            r["minoritised_events"].as_str(),
            r["minoritised_population"].as_str()
        ),
        ("25", "781")
    );
    assert_eq!(
        (r["white_events"].as_str(), r["white_population"].as_str()),
        ("45", "3285")
    );
    close(&r["relative_likelihood"], 2.3367478);
    close(&r["ci_lower"], 1.4421364);
    close(&r["ci_upper"], 3.7863202);
    assert_eq!(r["assessment"], "adverse");
    assert_eq!(r["significant"], "true");

    // Indicator 6: Essex left the survey blank, so it is left out of the
    // pool: (46/217)/(248/930) = 0.7949309.
    let r = find("2024", "national", "", "all", "6", "");
    assert_eq!(r["minoritised_population"], "217");
    close(&r["relative_likelihood"], 0.7949309);
    // ...and Essex's own figure is not provided, not zero.
    let r = find("2024", "authority", "E10000012", "adults", "6", "");
    assert_eq!(r["assessment"], "not_provided");
    assert_eq!(r["white_events"], "");
    assert_eq!(r["relative_likelihood"], "");

    // Indicator 1 rows carry a band and a share but no assessment.
    let r = find("2024", "national", "", "all", "1", "under_30k");
    assert_eq!(r["assessment"], "");
    assert!(!r["minoritised_share"].is_empty());
    // The previous year's national figures are there for year on year.
    find("2023", "national", "", "all", "3", "");
    // Nothing from the rejected return.
    assert!(!rows.iter().any(|r| r["area_code"] == "E08000025"));
    // Not calculable is said, not left as zero: the small council has no
    // minoritised fitness-to-practise events.
    let r = find("2024", "authority", "E09000033", "adults", "4", "");
    assert_eq!(r["assessment"], "not_calculable");

    // Validation outcome: the rejected return with every reason, the stray
    // file skipped.
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("internal/validation.json")).unwrap())
            .unwrap();
    let files = v["files"].as_array().unwrap();
    let bham = files
        .iter()
        .find(|f| f["file"] == "returns/2024/birmingham.csv")
        .unwrap();
    assert_eq!(bham["status"], "rejected");
    let reasons: Vec<&str> = bham["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    assert!(
        reasons.iter().any(|r| r.contains("more than shortlisted")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r.contains("not a whole number")),
        "{reasons:?}"
    );
    let notes = files
        .iter()
        .find(|f| f["file"] == "returns/2024/notes.txt")
        .unwrap();
    assert_eq!(notes["status"], "skipped");
    assert!(
        std::fs::read_to_string(dir.join("internal/validation.md"))
            .unwrap()
            .contains("REJECTED")
    );

    // One local report per accepted return, none for the rejected one.
    let mut locals: Vec<String> = std::fs::read_dir(dir.join("public/local"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|f| f.ends_with(".pdf"))
        .collect();
    locals.sort();
    assert_eq!(
        locals,
        [
            "E09000033-st-1-met-co.pdf",
            "E10000012-essex.pdf",
            "E10000015-hertfordshire.pdf",
            "E10000020-norfolk.pdf"
        ]
    );

    // The national report: headline computed from the data, coverage, and
    // no council named anywhere (chart labels included).
    let national = pdf_text(&dir.join("public/national/sc-wres-national-2024.pdf"));
    let flat = squash(&national);
    assert!(flat.contains(&squash("Minoritised staff were 2.3 times as likely as white staff to enter the formal disciplinary process")), "{national}");
    // From England's rounded counts (45 of 3,285 against 25 of 780), the
    // interval covering every count the rounding could hide; the exact
    // counts' interval, 1.44 to 3.79, lies inside it.
    assert!(flat.contains(&squash(
        "relative likelihood 2.34, 95% confidence interval 1.24 to 4.38"
    )));
    assert!(flat.contains(&squash("4 of 5 councils")));
    assert!(flat.contains(&squash("1 rejected")));
    for name in [
        "Hertfordshire",
        "Essex",
        "Norfolk",
        "Birmingham",
        "St #1",
        "[Met]",
    ] {
        assert!(
            !flat.contains(&squash(name)),
            "the national report names {name}"
        );
    }
    assert!(
        !flat.contains("synthetic"),
        "fixture data is not marked synthetic"
    );

    // Accessibility: tagged PDF claiming PDF/UA-1, with language and title
    // (typst enforces alt text and heading order when exporting UA-1).
    for pdf in [
        "public/national/sc-wres-national-2024.pdf",
        "public/local/E10000015-hertfordshire.pdf",
    ] {
        let bytes = std::fs::read(dir.join(pdf)).unwrap();
        let has = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
        assert!(has("/MarkInfo<</Marked true"), "{pdf} is tagged");
        assert!(
            has("<pdfuaid:part>1</pdfuaid:part>"),
            "{pdf} claims PDF/UA-1"
        );
        assert!(has("/Lang(en-GB)"), "{pdf} declares its language");
        assert!(has("<dc:title>"), "{pdf} has a title");
    }

    // Escaping: the council name full of typst syntax prints literally.
    let weird = pdf_text(&dir.join("public/local/E09000033-st-1-met-co.pdf"));
    assert!(
        squash(&weird).contains(&squash(
            "Social Care Workforce Race Equality Standard St #1 [Met] & *Co* Local report 2024"
        )),
        "{weird}"
    );

    // No cross-council leak: a local report names only its own council.
    let names = [
        ("E10000015-hertfordshire.pdf", "Hertfordshire"),
        ("E10000012-essex.pdf", "Essex"),
        ("E10000020-norfolk.pdf", "Norfolk"),
        ("E09000033-st-1-met-co.pdf", "St #1 [Met] & *Co*"),
    ];
    for (file, own) in names {
        let text = squash(&pdf_text(&dir.join("public/local").join(file)));
        assert!(text.contains(&squash(own)), "{file} names its council");
        for (_, other) in names.iter().chain([&("", "Birmingham")]) {
            if *other != own {
                assert!(!text.contains(&squash(other)), "{file} names {other}");
            }
        }
    }

    // Disclosure control in a public local report: the small council's
    // disciplinary counts (2 white, 1 minoritised) are [c], not shown.
    assert!(
        squash(&weird).contains(&squash("Adults [c] / 145 [c] / 35 [c]")),
        "small counts suppressed, staff rounded, the RL on them withheld"
    );
    let supp = std::fs::read_to_string(dir.join("internal/suppressions.csv")).unwrap();
    assert!(
        supp.contains("local E09000033,2024,E09000033,adults,3,"),
        "suppression logged"
    );
}

#[test]
fn report_is_reproducible() {
    let (a, _) = run_report(&fixture("basic"));
    let (b, _) = run_report(&fixture("basic"));
    let (a, b) = (a.path().join("2024"), b.path().join("2024"));
    let files = files_under(&a);
    assert_eq!(files, files_under(&b), "the same files");
    assert!(files.iter().any(|f| f.ends_with(".html")), "web pages too");
    for f in files {
        let x = std::fs::read(a.join(&f)).unwrap();
        let y = std::fs::read(b.join(&f)).unwrap();
        assert!(x == y, "{f} differs between two runs on the same input");
    }
}

#[test]
fn national_tables_hold_the_report_figures_and_no_council() {
    use calamine::Reader;
    let (out, _) = run_fixture();
    let dir = out.path().join("2024/public/national/tables");
    // The tidy CSV carries the same figure as results.csv, at published
    // precision (2 decimal places).
    let t1 = read_csv(&dir.join("table-1-national-2024.csv"));
    let r = t1
        .iter()
        .find(|r| r["Indicator"] == "3" && r["Service"] == "All services")
        .unwrap();
    assert_eq!(r["Relative likelihood [note 1]"], "2.34");
    assert_eq!(r["Pay band"], "[z]");
    // The workbook: cover, contents, notes, then one table per sheet.
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook(dir.join("sc-wres-national-tables-2024.xlsx")).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "Cover", "Contents", "Notes", "Table_1", "Table_2", "Table_3", "Table_4", "Table_5"
        ]
    );
    let t1 = wb.worksheet_range("Table_1").unwrap();
    assert!(
        t1.get_value((0, 0))
            .unwrap()
            .to_string()
            .starts_with("National figures"),
        "title in A1"
    );
    let notes = wb.worksheet_range("Notes").unwrap();
    assert_eq!(notes.get_value((3, 0)).unwrap().to_string(), "note 1");
    let t4 = read_csv(&dir.join("table-4-coverage-2024.csv"));
    assert_eq!(t4[0]["Value"], "4", "councils used");
    assert!(
        t4.iter()
            .any(|r| r["Measure"] == "Returns rejected" && r["Value"] == "1")
    );
    // Nothing names a council.
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") {
            let text = std::fs::read_to_string(&path).unwrap();
            for name in ["Hertfordshire", "Essex", "Norfolk", "E10000015", "St #1"] {
                assert!(!text.contains(name), "{} names {name}", path.display());
            }
        }
    }
    for sheet in wb.sheet_names() {
        let range = wb.worksheet_range(&sheet).unwrap();
        for cell in range.used_cells() {
            let s = cell.2.to_string();
            assert!(
                !s.contains("Hertfordshire") && !s.contains("E10000015"),
                "{sheet} names a council"
            );
        }
    }
}

#[test]
fn manifest_records_version_inputs_and_outputs() {
    let (out, _) = run_fixture();
    let dir = out.path().join("2024");
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        m["configuration"]["publication"]["producer"],
        "Fixture producer"
    );
    let inputs = m["inputs"].as_array().unwrap();
    let herts = inputs
        .iter()
        .find(|i| i["file"] == "returns/2024/hertfordshire.csv")
        .unwrap();
    assert_eq!(
        herts["sha256"],
        sha256sum(&fixture("basic/returns/2024/hertfordshire.csv"))
    );
    assert!(
        inputs.iter().any(|i| i["file"] == "returns/2023/essex.csv"),
        "previous year's inputs too"
    );
    let outputs = m["outputs"].as_array().unwrap();
    let results = outputs
        .iter()
        .find(|o| o["file"] == "internal/results.csv")
        .unwrap();
    assert_eq!(
        results["sha256"],
        sha256sum(&dir.join("internal/results.csv"))
    );
    assert!(
        outputs
            .iter()
            .any(|o| o["file"] == "public/local/E10000015-hertfordshire.pdf")
    );
}

#[test]
fn missing_data_folder_is_a_clear_error() {
    let (_, output) = run_report(&fixture("nope"));
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("nope") && stderr.contains("returns"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"));
}

/// The internal audience: exact figures, small counts included, and "not
/// for publication" on every page.
#[test]
fn internal_audience_shows_exact_figures_marked_not_for_publication() {
    let data = tempfile::tempdir().unwrap();
    let copy = |rel: &str| {
        let to = data.path().join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(fixture("basic").join(rel), to).unwrap();
    };
    copy("authorities.csv");
    copy("returns/2024/st-1-met.csv");
    copy("returns/2024/hertfordshire.csv");
    copy("returns/2024/essex.csv");
    std::fs::write(data.path().join("report.yaml"), "audience: internal\n").unwrap();
    let (out, o) = run_report(data.path());
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = pdf_text(
        &out.path()
            .join("2024/public/local/E09000033-st-1-met-co.pdf"),
    );
    let pages = text.matches("NOT FOR PUBLICATION").count();
    assert!(
        pages >= 2 && pages == text.matches("Page ").count(),
        "on every page: {pages}"
    );
    // The small council's disciplinary counts (2 white, 1 minoritised) are
    // shown exactly, not as [c], and nothing of the council's own is
    // withheld. (England's and the region's figures are the published
    // ones, whatever the audience: a `[c]` there is the release's.)
    let flat = squash(&text);
    assert!(
        flat.contains(&squash("Disciplinary")) && flat.contains(&squash("2 / 146 1 / 34")),
        "{text}"
    );
    assert!(
        !flat.contains(&squash("What was withheld in this report")),
        "nothing of the council's withheld for an internal audience"
    );
}

/// A rerun replaces the whole folder: a killed run's staging folder is
/// gone, and the folder holds exactly the files its manifest lists. A file
/// the earlier release did not list (a user's) is never deleted: the run
/// refuses, naming it.
#[test]
fn a_run_folder_holds_exactly_what_its_manifest_lists() {
    let out = tempfile::tempdir().unwrap();
    let run = || {
        scwres()
            .args(["report", "--quiet", "--data"])
            .arg(fixture("basic"))
            .arg("--out")
            .arg(out.path())
            .output()
            .unwrap()
    };
    assert_eq!(run().status.code(), Some(1));
    let dir = out.path().join("2024");
    let kept = dir.join("public/local/my-notes.txt");
    std::fs::write(&kept, b"mine").unwrap();
    let o = run();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("public/local/my-notes.txt")
            && err.contains("not part of the earlier release"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&kept).unwrap(),
        b"mine",
        "the user's file is kept"
    );
    std::fs::remove_file(&kept).unwrap();
    let killed = out.path().join(".2024.staging-999999");
    std::fs::create_dir_all(&killed).unwrap();
    std::fs::write(killed.join("half.pdf"), b"half").unwrap();
    assert_eq!(run().status.code(), Some(1));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let mut listed: Vec<String> = manifest["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["file"].as_str().unwrap().to_string())
        .chain(["manifest.json".to_string()])
        .collect();
    listed.sort();
    assert_eq!(files_under(&dir), listed);
    assert!(!killed.exists(), "a killed run's staging folder is removed");
    let mut top: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(top, [".2024.lock", "2024"]);
}

/// A second run into the same folder while one is writing is refused, and
/// the first run's folder is untouched.
#[test]
fn a_second_run_at_once_is_refused() {
    use std::os::fd::AsRawFd as _;
    let out = tempfile::tempdir().unwrap();
    let lock = std::fs::File::create(out.path().join(".2024.lock")).unwrap();
    // SAFETY: a valid descriptor; the lock is released when `lock` drops.
    assert_eq!(unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX) }, 0);
    let o = scwres()
        .args(["report", "--quiet", "--data"])
        .arg(fixture("basic"))
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("another run is writing this folder"), "{err}");
    assert!(!out.path().join("2024").exists());
    drop(lock);
}

/// The like-for-like figures the national report prints are in results.csv
/// (scope `national_like_for_like`), for both years.
#[test]
fn like_for_like_figures_are_in_results_csv() {
    let (out, _) = run_fixture();
    let dir = out.path().join("2024");
    let rows = read_csv(&dir.join("internal/results.csv"));
    let lfl: Vec<_> = rows
        .iter()
        .filter(|r| {
            r["scope"] == "national_like_for_like" && r["service"] == "all" && r["indicator"] == "2"
        })
        .collect();
    assert_eq!(lfl.len(), 2, "one row for each year");
    let text = squash(&pdf_text(
        &dir.join("public/national/sc-wres-national-2024.pdf"),
    ));
    for r in lfl {
        let f = |k: &str| format!("{:.2}", r[k].parse::<f64>().unwrap());
        // "0.50 in 2024 against 0.52 in 2023": each year's figure.
        let printed = format!("{} in {}", f("relative_likelihood"), r["year"]);
        assert!(text.contains(&squash(&printed)), "{printed}");
    }
}

/// Outputs never replace inputs: an output folder inside the data folder
/// (the year folder would be swapped over the returns), a data folder
/// inside the output's year folder, and a year folder that is not an
/// earlier release are refused before anything is written, and every file
/// is left as it was.
#[test]
fn a_run_never_replaces_its_inputs() {
    let data = fixture_copy("");
    let returns: Vec<String> = files_under(&data.path().join("returns"));
    let run = |data: &std::path::Path, out: &std::path::Path| {
        scwres()
            .args(["report", "--quiet", "--data"])
            .arg(data)
            .arg("--out")
            .arg(out)
            .output()
            .unwrap()
    };
    // --out data/returns: the year folder would be data/returns/2024.
    let o = run(data.path(), &data.path().join("returns"));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("inside the data folder"), "{err}");
    assert_eq!(files_under(&data.path().join("returns")), returns);

    // A data folder named 2024 and --out its parent.
    let parent = tempfile::tempdir().unwrap();
    copy_dir(data.path(), &parent.path().join("2024"));
    let o = run(&parent.path().join("2024"), parent.path());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("inside the output folder"), "{err}");
    assert_eq!(files_under(&parent.path().join("2024/returns")), returns);

    // A year folder that is not a release of scwres.
    let out = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(out.path().join("2024")).unwrap();
    std::fs::write(out.path().join("2024/budget.xlsx"), b"not ours").unwrap();
    let o = run(data.path(), out.path());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("no manifest.json"), "{err}");
    assert_eq!(
        std::fs::read(out.path().join("2024/budget.xlsx")).unwrap(),
        b"not ours"
    );
}

/// A file's SHA-256 by coreutils' `sha256sum`, not the program's own digest.
fn sha256sum(path: &std::path::Path) -> String {
    let o = std::process::Command::new("sha256sum")
        .arg(path)
        .output()
        .expect("sha256sum");
    String::from_utf8(o.stdout)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}
