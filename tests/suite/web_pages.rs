//! The web edition: every report as one self-contained HTML page, checked
//! for what it must and must not hold, and in Debian's chromium with
//! axe-core (WCAG 2.0, 2.1 and 2.2 A and AA), reflow at 320 px and no
//! network request. `.ci/run` installs chromium and the npm packages.

use crate::common::{copy_dir, fixture, read_report};
use std::path::{Path, PathBuf};
use std::process::Command;

const HOSTILE: &str = "<script>alert(1)</script> & <b>Kent</b>";

/// The basic fixture with `report.yaml` replaced and, if `rename`, the
/// London council renamed to [`HOSTILE`].
fn data(config: &str, rename: bool) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    copy_dir(&fixture("basic"), d.path());
    std::fs::write(d.path().join("report.yaml"), config).unwrap();
    if rename {
        let reg = d.path().join("authorities.csv");
        let text = std::fs::read_to_string(&reg)
            .unwrap()
            .replace("St #1 [Met] & *Co*", &format!("\"{HOSTILE}\""));
        std::fs::write(reg, text).unwrap();
    }
    d
}

fn run(data: &Path) -> crate::common::Release {
    let (out, o) = read_report(data);
    assert_eq!(
        o.status.code(),
        Some(1),
        "the fixture has one rejected return: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

fn pages(run: &Path) -> Vec<PathBuf> {
    let dir = run.join("2024");
    let mut pages = vec![
        dir.join("public/index.html"),
        dir.join("public/national/sc-wres-national-2024.html"),
    ];
    let mut local: Vec<PathBuf> = std::fs::read_dir(dir.join("public/local"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    local.sort();
    pages.extend(local);
    pages
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn every_report_has_a_web_page_listed_in_the_manifest() {
    let out = run(&fixture("basic"));
    let dir = out.path().join("2024");
    let manifest = read(&dir.join("manifest.json"));
    let pages = pages(out.path());
    assert_eq!(pages.len(), 2 + 4, "index, national and four local pages");
    for p in &pages {
        let rel = p.strip_prefix(&dir).unwrap().to_str().unwrap();
        assert!(
            manifest.contains(&format!("\"{rel}\"")),
            "{rel} in manifest"
        );
        let html = read(p);
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en-GB\">"));
        for rule in [
            "<script",
            "<link rel=\"stylesheet",
            "src=\"http",
            "href=\"http",
            "@import",
            "url(",
        ] {
            assert!(
                !html.contains(rule),
                "{rel}: self-contained, but has {rule}"
            );
        }
        // Every PDF has its page, and the index links both.
        let pdf = p.with_extension("pdf");
        if !rel.ends_with("index.html") {
            assert!(pdf.exists(), "{rel} beside its PDF");
        }
    }
    // Links are escaped like every value (`/` as `&#x2f;`, which a browser
    // reads as `/`).
    let index = read(&dir.join("public/index.html")).replace("&#x2f;", "/");
    for link in [
        "national/sc-wres-national-2024.html",
        "national/sc-wres-national-2024.pdf",
        "local/E10000015-hertfordshire.html",
        "local/E10000015-hertfordshire.pdf",
        "national/tables/sc-wres-national-tables-2024.xlsx",
    ] {
        assert!(
            index.contains(&format!("href=\"{link}\"")),
            "index links {link}"
        );
    }
    // Same words and figures as the PDF: the national relative likelihood
    // of indicator 3 (2.34, from results.csv), and each chart's text
    // alternative, are on the page.
    let national = read(&dir.join("public/national/sc-wres-national-2024.html"));
    assert!(national.contains("relative likelihood 2.34, 95% confidence interval"));
    assert_eq!(
        national.matches("role=\"img\"").count(),
        national.matches("<svg").count(),
        "every chart is an image with a name"
    );
    assert!(national.matches("<desc id=").count() >= 9);
    assert!(national.contains("<caption id="));
    assert!(national.contains("<th scope=\"col\""));
}

#[test]
fn every_value_is_escaped_and_no_page_names_another_council() {
    // The fixture's four councils, with funnels from 3 (the chart's marks).
    let d = data("synthetic: false\nmin_spread_councils: 3\n", true);
    let out = run(d.path());
    let dir = out.path().join("2024");
    let escaped = "&lt;script&gt;alert(1)&lt;&#x2f;script&gt; &amp; &lt;b&gt;Kent&lt;&#x2f;b&gt;";
    let own = read(&dir.join("public/local/E09000033-script-alert-1-script-b-kent-b.html"));
    assert!(
        own.contains(&format!("<h1>{escaped}: Social Care")),
        "title escaped"
    );
    assert!(!own.contains("<script"), "no script element");
    assert!(!own.contains("<b>"), "no element from the name");
    // Inside the chart too (the funnel mark's label is SVG text).
    assert!(own.contains(&format!("{escaped}: relative likelihood")));
    let names = ["Hertfordshire", "Essex", "Norfolk", "Kent", "Birmingham"];
    let national = read(&dir.join("public/national/sc-wres-national-2024.html"));
    for n in names {
        assert!(!national.contains(n), "the national page names {n}");
    }
    for p in pages(out.path())
        .iter()
        .filter(|p| p.starts_with(dir.join("public/local")))
    {
        let html = read(p);
        let mine = p.file_name().unwrap().to_str().unwrap();
        for n in names {
            let is_own = mine.contains(&n.to_lowercase());
            assert_eq!(html.contains(n), is_own, "{mine} and {n}");
        }
    }
}

#[test]
fn public_pages_hold_no_small_count_and_show_the_synthetic_notice() {
    let d = data("synthetic: true\n", false);
    let out = run(d.path());
    for p in pages(out.path()) {
        let html = read(&p);
        assert!(
            html.contains("<p class=\"notice notice-synthetic\">Synthetic demo data"),
            "{}: the notice is on every page",
            p.display()
        );
        assert!(html.contains("<title>[Synthetic demo]"));
    }
    // The London council's disciplinary counts (2 and 1) are withheld on
    // its page as in its PDF.
    let own = read(
        &out.path()
            .join("2024/public/local/E09000033-st-1-met-co.html"),
    );
    // Table 3 (disciplinary), adults: both groups' events withheld, the
    // staff rounded, and the relative likelihood resting on them withheld.
    assert!(
        own.contains("<tr><th scope=\"row\">Adults</th><td class=\"num\">[c] / 145</td><td class=\"num\">[c] / 35</td><td>[c]</td>"),
        "the withheld row of table 3"
    );
    assert!(!own.contains(">2 / "), "a small count shown");
}

// ---------------------------------------------------------------------
// In the browser.

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// Runs the browser checks on `pages`; `shots` keeps screenshots.
fn check(pages: &[PathBuf], shots: Option<&Path>) -> (bool, String) {
    let dir = browser_dir();
    let missing = [
        (
            Path::new("/usr/bin/chromium").to_path_buf(),
            "Debian's chromium",
        ),
        (dir.join("node_modules/axe-core"), "npm axe-core"),
        (
            dir.join("node_modules/playwright-core"),
            "npm playwright-core",
        ),
    ];
    for (path, what) in missing {
        assert!(
            path.exists()
                || std::env::var_os("SCWRES_CHROMIUM").is_some() && what.contains("chromium"),
            "{what} is not installed ({}): run .ci/run, which installs it",
            path.display()
        );
    }
    let mut cmd = Command::new("node");
    cmd.current_dir(&dir).arg("check.mjs");
    if let Some(s) = shots {
        cmd.arg("--shots").arg(s);
    }
    let o = cmd.args(pages).output().expect("node runs: run .ci/run");
    (
        o.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
    )
}

#[test]
fn pages_pass_axe_reflow_and_make_no_request_in_chromium() {
    // Public pages, and internal ones of synthetic data (both notices).
    let public = run(&fixture("basic"));
    let d = data("synthetic: true\naudience: internal\n", true);
    let internal = run(d.path());
    let mut all = pages(public.path());
    all.extend(pages(internal.path()));
    let shots = std::env::var_os("SCWRES_SCREENSHOTS").map(PathBuf::from);
    let (ok, report) = check(&all, shots.as_deref());
    assert!(ok, "browser checks failed:\n{report}");
    assert_eq!(
        report.lines().filter(|l| l.contains("\"ok\":true")).count(),
        all.len(),
        "{report}"
    );
    // The internal pages of synthetic data carry both notices, checked
    // full width.
    assert!(report.contains("\"notices\":2"), "{report}");
}

/// The checks can fail: a page with an unnamed image, grey-on-white text,
/// a request to a server and a wide box fails every one of them.
#[test]
fn the_browser_checks_catch_a_bad_page() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.html");
    std::fs::write(
        &bad,
        "<!DOCTYPE html><html><head><title>x</title></head><body>\
         <p style=\"color:#bbb\">faint text</p><img src=\"http://127.0.0.1:9/x.png\">\
         <div style=\"width:1000px\">wide</div>\
         <p class=\"notice\" style=\"max-width:30rem\">narrow banner</p></body></html>",
    )
    .unwrap();
    let (ok, report) = check(&[bad], None);
    assert!(!ok, "{report}");
    for found in [
        "html-has-lang",
        "image-alt",
        "color-contrast",
        "127.0.0.1:9",
    ] {
        assert!(report.contains(found), "{found} not caught: {report}");
    }
    assert!(
        !report.contains("\"overflow\":0"),
        "overflow not caught: {report}"
    );
    assert!(
        report.contains("\"text\":\"narrow banner\""),
        "a banner narrower than the window not caught: {report}"
    );
}
