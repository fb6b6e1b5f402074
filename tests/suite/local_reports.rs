//! Local reports: the national run's and a council's own run give the same
//! PDF; disclosure control holds in every public local report; action plans
//! are read, shown and refused with clear messages.

use crate::common::*;
use std::path::PathBuf;

/// `scwres local` with the given extra arguments; returns the output folder.
fn council(args: &[&std::ffi::OsStr]) -> (tempfile::TempDir, std::process::Output) {
    let out = tempfile::tempdir().unwrap();
    let o = scwres()
        .arg("local")
        .args(args)
        .arg("-o")
        .arg(out.path())
        .output()
        .unwrap();
    (out, o)
}

fn os(p: &PathBuf) -> &std::ffi::OsStr {
    p.as_os_str()
}

const HERTS: &str = "E10000015-hertfordshire.pdf";

/// Runs the council's own build with `args` and checks its PDF and its web
/// page equal the national run's (in `national`); returns the council's
/// output folder.
fn same_report_both_routes(
    national: &std::path::Path,
    args: &[&std::ffi::OsStr],
    what: &str,
) -> tempfile::TempDir {
    let (mine, o) = council(args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let theirs = std::fs::read(national.join("2024/public/local").join(HERTS)).unwrap();
    let ours = std::fs::read(mine.path().join(HERTS)).unwrap();
    assert!(
        theirs == ours,
        "{what}: the council's own build differs from the national run's"
    );
    let page = HERTS.replace(".pdf", ".html");
    let theirs = std::fs::read(national.join("2024/public/local").join(&page)).unwrap();
    let ours = std::fs::read(mine.path().join(&page))
        .unwrap_or_else(|e| panic!("{what}: the council's own web page: {e}"));
    assert!(
        theirs == ours,
        "{what}: the council's own web page differs from the national run's"
    );
    mine
}

/// The same PDF, byte for byte, from the national run and from the council's
/// own run with its return, last year's return, its action plan and the
/// published benchmarks.csv alone: public and internal.
#[test]
fn national_and_council_routes_give_identical_pdfs() {
    let (out, o) = read_report(&fixture("basic"));
    assert_eq!(o.status.code(), Some(1), "one fixture return is rejected");
    let bench = out.path().join("2024/public/benchmarks.csv");
    let ret = fixture("basic/returns/2024/hertfordshire.csv");
    let prev = fixture("basic/returns/2023/hertfordshire.csv");
    let plan = fixture("basic/actions/2024/hertfordshire.yaml");
    let data = fixture("basic");
    let flag = |s: &'static str| std::ffi::OsStr::new(s);
    let args = [
        flag("--return"),
        os(&ret),
        flag("--benchmarks"),
        os(&bench),
        flag("--previous"),
        os(&prev),
        flag("--actions"),
        os(&plan),
        flag("--data"),
        os(&data),
    ];
    let mine = same_report_both_routes(out.path(), &args, "public");

    // What the report holds: last year's figure, the plan (escaped), regional
    // figures, a funnel plot with the council highlighted.
    let text = squash(&pdf_text(&mine.path().join(HERTS)));
    for want in [
        "In 2023 the figure was",
        "Interview panels with #hash, [brackets] & *stars*",
        "Exit interviews for every leaver",
        "not started",
        "Hertfordshire among all councils",
        "Public version.",
    ] {
        assert!(text.contains(&squash(want)), "missing {want:?}");
    }

    // Internal: the national run with `audience: internal` and the council's
    // run with `--audience internal` on the public report.yaml agree too.
    let internal = fixture_copy("audience: internal\n");
    let (out, _) = run_report(internal.path());
    let bench = out.path().join("2024/public/benchmarks.csv");
    let mut args = args.to_vec();
    args[3] = os(&bench);
    args.extend([flag("--audience"), flag("internal")]);
    let mine = same_report_both_routes(out.path(), &args, "internal");
    assert!(squash(&pdf_text(&mine.path().join(HERTS))).contains("NOTFORPUBLICATION"));
}

/// Every `k / n` (events / staff) of a table where k or n is from 1 to 7.
fn small_cells(text: &str) -> Vec<String> {
    let flat = squash(text);
    let b = flat.as_bytes();
    let small = |c: u8| (b'1'..=b'7').contains(&c);
    let numeric = |c: u8| c.is_ascii_digit() || c == b',' || c == b'.';
    let mut found = Vec::new();
    for (i, _) in flat.match_indices('/') {
        let before = i >= 1 && small(b[i - 1]) && (i < 2 || !numeric(b[i - 2]));
        let after = i + 1 < b.len() && small(b[i + 1]) && (i + 2 >= b.len() || !numeric(b[i + 2]));
        if before || after {
            found.push(flat[i.saturating_sub(12)..(i + 12).min(flat.len())].to_string());
        }
    }
    found
}

/// Disclosure control: no public local report shows a count from 1 to 7, and
/// the internal version of the small council's report does.
#[test]
fn public_local_reports_show_no_small_count_and_internal_ones_do() {
    let (out, _) = read_report(&fixture("basic"));
    let results = read_csv(&out.path().join("2024/internal/results.csv"));
    let mut checked = 0;
    for e in std::fs::read_dir(out.path().join("2024/public/local")).unwrap() {
        let path = e.unwrap().path();
        let text = if path.extension().unwrap() == "pdf" {
            pdf_text(&path)
        } else {
            page_text(&std::fs::read_to_string(&path).unwrap())
        };
        assert_eq!(
            small_cells(&text),
            Vec::<String>::new(),
            "{}",
            path.display()
        );
        checked += 1;
    }
    assert_eq!(checked, 8, "four PDFs and their four web pages");
    // The fixture does have small counts: the test above could fail.
    let small: Vec<_> = results
        .iter()
        .filter(|r| {
            r["scope"] == "authority" && r["area_code"] == "E09000033" && r["band"].is_empty()
        })
        .filter(|r| matches!(r["minoritised_events"].parse::<u64>(), Ok(1..=7)))
        .collect();
    assert!(!small.is_empty());

    let internal = fixture_copy("audience: internal\n");
    let (out, _) = run_report(internal.path());
    let text = pdf_text(
        &out.path()
            .join("2024/public/local/E09000033-st-1-met-co.pdf"),
    );
    let flat = squash(&text);
    for r in small {
        let cell = format!(
            "{}/{}",
            r["minoritised_events"],
            scwres::format::thousands(r["minoritised_population"].parse().unwrap())
        );
        assert!(flat.contains(&cell), "internal shows {cell}");
    }
    assert!(!small_cells(&text).is_empty());
    let page = std::fs::read_to_string(
        out.path()
            .join("2024/public/local/E09000033-st-1-met-co.html"),
    );
    assert!(
        !small_cells(&page_text(&page.unwrap())).is_empty(),
        "and its page"
    );
}

/// A plan that breaks the rules stops only its council's report, with the
/// file, the place and the rule; the other councils' reports are made.
#[test]
fn a_refused_action_plan_stops_only_its_councils_report() {
    let data = fixture_copy("");
    std::fs::write(
        data.path().join("actions/2024/hertfordshire.yaml"),
        "authority: E10000015\nyear: 2024\nactions:\n  - action: x\n    indicator: 12\n    owner: y\n    due: 2025-02-30\n    status: done\n    measure: z\n",
    )
    .unwrap();
    let (out, o) = run_report(data.path());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    for want in [
        "actions/2024/hertfordshire.yaml",
        "actions[1].indicator",
        "not an SC-WRES indicator",
        "actions[1].due",
        "E10000015: no local report",
    ] {
        assert!(stderr.contains(want), "{want:?} in {stderr}");
    }
    assert!(!stderr.contains("panicked"));
    let local = out.path().join("2024/public/local");
    assert!(!local.join(HERTS).exists());
    assert!(local.join("E10000012-essex.pdf").exists());
}

/// A plan that is not valid YAML (a colon inside an action's text, written
/// by someone who does not know YAML; a byte-order mark before the first
/// key) is tied to its council by its `authority:` line: that council gets
/// no report rather than one saying no plan was supplied, and the refusal
/// is listed in validation.md and validation.json, not on the console only.
#[test]
fn a_plan_yaml_cannot_read_fails_its_councils_report_and_is_listed() {
    let data = fixture_copy("");
    std::fs::write(
        data.path().join("actions/2024/hertfordshire.yaml"),
        "\u{feff}authority: E10000015\nyear: 2024\nactions:\n  - action: Panels: put two people on every panel\n    indicator: 2\n    owner: HR\n    due: 2025-03-31\n    status: planned\n    measure: panels\n",
    )
    .unwrap();
    let (out, o) = run_report(data.path());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("E10000015: no local report"), "{stderr}");
    let local = out.path().join("2024/public/local");
    assert!(!local.join(HERTS).exists());
    let md = std::fs::read_to_string(out.path().join("2024/internal/validation.md")).unwrap();
    assert!(
        md.contains("# Action plans with problems")
            && md.contains("actions/2024/hertfordshire.yaml (REJECTED)")
            && md.contains("not valid YAML"),
        "{md}"
    );
    let json: serde_json::Value = serde_json::from_slice(
        &std::fs::read(out.path().join("2024/internal/validation.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        json["action_plans"][0]["file"],
        "actions/2024/hertfordshire.yaml"
    );
}

/// A council's own run refuses last year's return or a plan of another
/// council, and makes no report.
#[test]
fn council_run_refuses_another_councils_files() {
    let (out, _) = read_report(&fixture("basic"));
    let bench = out.path().join("2024/public/benchmarks.csv");
    let ret = fixture("basic/returns/2024/hertfordshire.csv");
    let essex_prev = fixture("basic/returns/2023/essex.csv");
    let plan = fixture("basic/actions/2024/hertfordshire.yaml");
    let essex = fixture("basic/returns/2024/essex.csv");
    let data = fixture("basic");
    let f = |s: &'static str| std::ffi::OsStr::new(s);
    let (dir, o) = council(&[
        f("--return"),
        os(&ret),
        f("--benchmarks"),
        os(&bench),
        f("--previous"),
        os(&essex_prev),
        f("--data"),
        os(&data),
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("the previous return is another council's"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

    let (dir, o) = council(&[
        f("--return"),
        os(&essex),
        f("--benchmarks"),
        os(&bench),
        f("--actions"),
        os(&plan),
        f("--data"),
        os(&data),
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("the plan is another council's"), "{stderr}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// benchmarks.csv names no council in its funnel points, and its points are
/// sorted, so their order says nothing about which council is which.
#[test]
fn benchmarks_funnel_points_are_anonymous() {
    let (out, _) = read_report(&fixture("basic"));
    let rows = read_csv(&out.path().join("2024/public/benchmarks.csv"));
    let points: Vec<_> = rows
        .iter()
        .filter(|r| r["scope"] == "funnel_point")
        .collect();
    assert!(!points.is_empty());
    for p in &points {
        assert_eq!(p["area_code"], "");
        // The effective size, a whole number, from rounded populations; the
        // relative likelihood at published precision.
        let size: u64 = p["funnel_staff"].parse().unwrap();
        assert!(size > 0);
        let rl = &p["relative_likelihood"];
        assert_eq!(rl.split('.').nth(1).map(str::len), Some(2), "{rl}");
    }
    assert!(rows.iter().all(|r| r["scope"] != "authority"));
}

/// The council's run takes the publication's decisions from the
/// `publication.json` beside the benchmarks, not from whatever `report.yaml`
/// lies in the folder it runs in; a benchmarks file changed after
/// publication, or one without its publication, is refused.
#[test]
fn the_council_route_does_not_depend_on_the_folder_it_runs_in() {
    let (out, _) = read_report(&fixture("basic"));
    let published = tempfile::tempdir().unwrap();
    for f in ["benchmarks.csv", "publication.json"] {
        std::fs::copy(
            out.path().join("2024/public").join(f),
            published.path().join(f),
        )
        .unwrap();
    }
    // A folder with a misleading configuration of its own.
    let elsewhere = tempfile::tempdir().unwrap();
    let data = elsewhere.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(
        data.join("report.yaml"),
        "synthetic: true\ndisclosure:\n  min_count: 20\npublication:\n  producer: \"SC-WRES demo\"\n",
    )
    .unwrap();
    std::fs::copy(
        fixture("basic/authorities.csv"),
        data.join("authorities.csv"),
    )
    .unwrap();
    let mine = tempfile::tempdir().unwrap();
    let bench = published.path().join("benchmarks.csv");
    let local = |bench: &std::path::Path| {
        scwres()
            .current_dir(elsewhere.path())
            .arg("local")
            .arg("--return")
            .arg(fixture("basic/returns/2024/hertfordshire.csv"))
            .arg("--previous")
            .arg(fixture("basic/returns/2023/hertfordshire.csv"))
            .arg("--actions")
            .arg(fixture("basic/actions/2024/hertfordshire.yaml"))
            .arg("--benchmarks")
            .arg(bench)
            .arg("-o")
            .arg(mine.path())
            .output()
            .unwrap()
    };
    let o = local(&bench);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let theirs = std::fs::read(out.path().join("2024/public/local").join(HERTS)).unwrap();
    assert!(theirs == std::fs::read(mine.path().join(HERTS)).unwrap());

    // Changed after publication: one figure edited.
    let text = std::fs::read_to_string(&bench).unwrap();
    let edited = text.replacen(",national,,all,2,", ",national,,all,2,1", 1);
    assert_ne!(edited, text);
    std::fs::write(&bench, edited).unwrap();
    let o = local(&bench);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("changed or cut after publication"), "{err}");

    // Without its publication.
    std::fs::write(&bench, text).unwrap();
    std::fs::remove_file(published.path().join("publication.json")).unwrap();
    let err = String::from_utf8_lossy(&local(&bench).stderr).into_owned();
    assert!(
        err.contains("publication.json") && err.contains("must be beside it"),
        "{err}"
    );
}

/// A council in the demo's three years: the national run's local report
/// shows its own series, and the council's own run with both earlier
/// returns (given in any order) gives the same PDF.
#[test]
fn a_councils_own_series_is_the_same_on_both_routes() {
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let (out, _) = read_report(&demo);
    let mk = "E06000042-milton-keynes.pdf";
    let theirs = std::fs::read(out.path().join("2024/public/local").join(mk)).unwrap();
    let text = squash(&pdf_text(&out.path().join("2024/public/local").join(mk)));
    assert!(text.contains(&squash("Milton Keynes across the years, all services")));
    let ret = |y: &str| demo.join(format!("returns/{y}/E06000042-milton-keynes.csv"));
    let (mine, o) = council(&[
        std::ffi::OsStr::new("--return"),
        ret("2024").as_os_str(),
        std::ffi::OsStr::new("--previous"),
        ret("2022").as_os_str(),
        std::ffi::OsStr::new("--previous"),
        ret("2023").as_os_str(),
        std::ffi::OsStr::new("--benchmarks"),
        out.path().join("2024/public/benchmarks.csv").as_os_str(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        theirs == std::fs::read(mine.path().join(mk)).unwrap(),
        "the two routes differ"
    );
}

/// Long text in a plan's table (an e-mail address as owner, a web address,
/// a 10,000-character word) wraps inside its column: no glyph is drawn off
/// the page or on top of another, and all of the text is printed.
#[test]
fn long_words_in_the_plan_table_wrap_inside_their_columns() {
    let data = fixture_copy("");
    let url = "https://www.example-council.gov.uk/social-care/workforce/race-equality/action-plan-2024-25/interview-panels";
    let mail = "workforce.development.lead@example-council.gov.uk";
    let word = "Z".repeat(10_000);
    std::fs::write(
        data.path().join("actions/2024/hertfordshire.yaml"),
        format!(
            "authority: E10000015\nyear: 2024\nactions:\n  - action: Publish the panel guidance at {url}\n    indicator: 2\n    owner: {mail}\n    due: 2025-03-31\n    status: in progress\n    measure: {word}\n"
        ),
    )
    .unwrap();
    let (out, o) = run_report(data.path());
    let stderr = String::from_utf8_lossy(&o.stderr);
    let pdf = out.path().join("2024/public/local").join(HERTS);
    assert!(pdf.exists(), "{stderr}");
    let text: String = pdf_text(&pdf)
        .chars()
        .filter(|c| *c != '\u{200B}')
        .collect();
    let text = squash(&text);
    // A row may run over a page, so a cell's text may come in two parts:
    // every piece between its break marks is printed.
    for piece in url.split('/').chain(mail.split('@')) {
        assert!(text.contains(piece), "{piece} printed");
    }
    assert!(
        text.matches('Z').count() >= 10_000,
        "the long word printed whole"
    );
    for (i, (width, glyphs)) in pdf_glyphs(&pdf).into_iter().enumerate() {
        let mut lines: std::collections::BTreeMap<i64, Vec<f64>> = Default::default();
        for (t, x, y) in glyphs {
            let c = t.chars().next().unwrap_or(' ');
            if c == '\u{200B}' || c.is_whitespace() {
                continue;
            }
            assert!(
                (0.0..width - 20.0).contains(&x),
                "page {}: {c:?} drawn at x = {x:.1} on a page {width:.1} wide",
                i + 1
            );
            lines.entry((y * 2.0).round() as i64).or_default().push(x);
        }
        for (y, mut xs) in lines {
            xs.sort_by(f64::total_cmp);
            for pair in xs.windows(2) {
                assert!(
                    pair[1] - pair[0] > 1.0,
                    "page {}: two glyphs drawn on top of each other at x = {:.1}, y = {:.1}",
                    i + 1,
                    pair[0],
                    y as f64 / 2.0
                );
            }
        }
    }
}

/// A plan's action of any length is printed whole: a 2,000-word action
/// splits across pages and its last word is in the PDF.
#[test]
fn a_long_action_is_printed_whole() {
    let data = fixture_copy("");
    let plan = data.path().join("actions/2024/hertfordshire.yaml");
    let words: Vec<String> = (0..1999).map(|i| format!("step{i}")).collect();
    let long = format!("{} finalwordofthelongaction", words.join(" "));
    let text = std::fs::read_to_string(&plan).unwrap().replacen(
        "Exit interviews for every leaver",
        &long,
        1,
    );
    std::fs::write(&plan, text).unwrap();
    let (out, o) = run_report(data.path());
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let pdf = out
        .path()
        .join("2024/public/local/E10000015-hertfordshire.pdf");
    let text = squash(&pdf_text(&pdf));
    assert!(
        text.contains("finalwordofthelongaction"),
        "the last word is printed"
    );
    assert!(
        text.contains("step1000") && text.contains("step1998"),
        "and the middle"
    );
    // On the page: typst draws the text of a row taller than the page
    // below the page's foot, where no reader sees it. Every glyph lies on
    // its A4 page (842 pt tall; PDF heights run up from the foot).
    for (n, (_, glyphs)) in pdf_glyphs(&pdf).iter().enumerate() {
        for (g, _, y) in glyphs {
            assert!(
                (0.0..=842.0).contains(y),
                "page {}: {g:?} drawn at y = {y}, off the page",
                n + 1
            );
        }
    }
}
