//! Every figure of a release against an independent recomputation from the
//! returns (`tests/independent/recompute.py`, written from the guide's
//! methods and disclosure rules): results.csv row by row, and every
//! national and regional value of benchmarks.csv and the national tables as
//! a public reader sees it, and every public local report's web page; its
//! PDF is then checked to print every figure cell of the page; on the demo,
//! on the fixture, and on the fixture with every disclosure and assessment
//! setting changed.

use crate::common::*;
use std::path::Path;

fn recompute(data: &Path) -> crate::common::Release {
    let (out, o) = read_report(data);
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
    out
}

/// The PDF edition prints what the web page (checked above) prints: every
/// figure cell of every public local report's tables (counts, relative
/// likelihoods with their intervals, verdicts) is in its PDF's text.
fn pdfs_print_the_pages_figures(out: &Path) {
    let local = out.join("2024/public/local");
    let mut cells = 0;
    for e in std::fs::read_dir(&local).unwrap() {
        let page = e.unwrap().path();
        if page.extension().is_none_or(|x| x != "html") {
            continue;
        }
        let html = std::fs::read_to_string(&page).unwrap();
        let pdf = squash(&pdf_text(&page.with_extension("pdf")));
        for table in html.split("<caption id=\"table-").skip(1) {
            let table = &table[..table.find("</table>").unwrap()];
            for td in table.split("<td").skip(1) {
                let text = &td[td.find('>').unwrap() + 1..td.find("</td>").unwrap()];
                let text = text.replace("&amp;", "&").replace("&#x2F;", "/");
                // Figures only: a cell with a digit or a [c].
                if text.chars().any(|c| c.is_ascii_digit()) || text.contains("[c]") {
                    cells += 1;
                    assert!(
                        pdf.contains(&squash(&text)),
                        "{}: {text:?} is not in the PDF",
                        page.display()
                    );
                }
            }
        }
    }
    assert!(cells > 100, "{cells} cells");
}

/// A page's text, tags removed, entities read, spaces squashed.
fn plain_text(html: &str) -> String {
    page_text(html)
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The sentence that follows position `at` of `text`: up to a full stop
/// followed by a space or the end.
fn next_sentence(text: &str, at: usize) -> &str {
    let rest = &text[at..];
    let end = rest.find(". ").map(|i| i + 1).unwrap_or(rest.len());
    &rest[..end]
}

/// Every interval printed as `<marker>L to U` in `text`, with the text
/// after it to the end of the next sentence.
fn intervals<'a>(text: &'a str, marker: &str) -> Vec<(f64, f64, &'a str)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find(marker) {
        let start = from + i + marker.len();
        let rest = &text[start..];
        let mut parts = rest.splitn(4, ' ');
        let (lo, to, hi) = (parts.next(), parts.next(), parts.next());
        let num = |s: Option<&str>| {
            s.map(|s| s.trim_end_matches([')', ',', ':', ';', '.']))
                .and_then(|s| s.parse::<f64>().ok())
        };
        if let (Some(lo), Some("to"), Some(hi)) = (num(lo), to, num(hi)) {
            let close = start + rest.find(')').unwrap_or(0) + 1;
            // The verdict of this figure: the rest of its sentence and the
            // next one (a headline's verdict sentence), not further.
            let first = next_sentence(text, close);
            let after = (close + first.len()).min(text.len());
            let second = next_sentence(text, after);
            out.push((lo, hi, &text[close..(after + second.len()).min(text.len())]));
        }
        from = start;
    }
    out
}

/// Issue 38, item 5: the national report's and every local report's words
/// never contradict their figures: a verdict "unlikely to be chance"
/// (adverse, favourable, up or down) only beside an interval printed
/// wholly on one side of 1 (1.00 included, as printed), "could be chance"
/// or "no clear change" only beside one that includes it; an RL of 0 never
/// called not calculable; the NHS WRES's numbering given with ours; no
/// indicator both publishing and not publishing councils' figures.
fn words_agree_with_figures(out: &Path) {
    let mut pages = vec![out.join("2024/public/national/sc-wres-national-2024.html")];
    for e in std::fs::read_dir(out.join("2024/public/local")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "html") {
            pages.push(p);
        }
    }
    let (mut figures, mut changes) = (0, 0);
    for page in &pages {
        let text = plain_text(&std::fs::read_to_string(page).unwrap());
        let name = page.file_name().unwrap().to_string_lossy();
        for (lo, hi, after) in intervals(&text, "95% confidence interval ") {
            let includes_one = lo <= 1.0 && hi >= 1.0;
            let decided = [
                "unlikely to be chance",
                ": adverse",
                ": favourable",
                ", adverse",
                ", favourable",
            ]
            .iter()
            .any(|w| after.contains(w));
            assert!(
                !(includes_one && decided) && !(!includes_one && after.contains("could be chance")),
                "{name}: {lo} to {hi} followed by {after:?}"
            );
            figures += 1;
        }
        for (lo, hi, after) in intervals(&text, "(95% CI ") {
            let includes_one = lo <= 1.0 && hi >= 1.0;
            if after.starts_with(": up") || after.starts_with(": down") {
                assert!(!includes_one, "{name}: {lo} to {hi} then {after:?}");
                changes += 1;
            } else if after.starts_with(": no clear change") {
                assert!(includes_one, "{name}: {lo} to {hi} then {after:?}");
                changes += 1;
            }
        }
        assert!(
            !text.contains("not calculable when either group has no events"),
            "{name}: RL 0 called not calculable"
        );
        for s in text
            .split(". ")
            .filter(|s| s.contains("relative likelihood 0,"))
        {
            assert!(!s.contains("not calculable"), "{name}: {s}");
        }
        for s in text
            .split(". ")
            .filter(|s| s.contains("indicators 2 and 4"))
        {
            assert!(s.contains("here 2 and 5"), "{name}: {s}");
        }
        for section in text.split("Indicator ").skip(1) {
            assert!(
                !(section.contains("no council's figure can be published")
                    && section.contains("figures are published")),
                "{name}: {section}"
            );
        }
    }
    // The test read figures and changes with every kind of verdict.
    assert!(figures > 500 && changes > 20, "{figures} {changes}");
}

/// On the demo every assessed indicator has figures outside the band on a
/// clear side (adverse or favourable), so a direction flipped in the
/// program changes verdicts the recomputation judges.
#[test]
fn the_demo_release_is_the_independent_recomputation() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let out = recompute(&data);
    pdfs_print_the_pages_figures(out.path());
    words_agree_with_figures(out.path());
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
    let out = recompute(&fixture("basic"));
    pdfs_print_the_pages_figures(out.path());
}

/// Every setting the rules take changed at once: a narrower band, fewer
/// councils per region, a higher threshold and a coarser rounding.
#[test]
fn a_release_with_other_settings_is_the_independent_recomputation() {
    let data = fixture_copy(
        "band_lower: 0.9\nband_upper: 1.1\nmin_region_councils: 2\ndisclosure:\n  min_count: 11\n  rounding_base: 10\n",
    );
    let out = recompute(data.path());
    pdfs_print_the_pages_figures(out.path());
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

/// Where councils with more minoritised staff have higher rates for
/// everyone, England's pooled figure is adverse while staff of the same
/// council fare alike: the within-council (Mantel-Haenszel) figure, pinned
/// by the independent recomputation, says so, and so do the report's words.
#[test]
fn the_within_council_figure_shows_what_pooling_mixes() {
    let data = tempfile::tempdir().unwrap();
    copy_dir(&fixture("basic"), data.path());
    let dir = data.path().join("returns/2024");
    // Essex: many minoritised staff, 30% leave in both groups; Hertfordshire
    // and Norfolk: few, 5% leave in both groups.
    for (file, keep) in [
        ("essex.csv", true),
        ("hertfordshire.csv", true),
        ("norfolk.csv", true),
        ("birmingham.csv", false),
        ("st-1-met.csv", false),
    ] {
        let path = dir.join(file);
        if !keep {
            std::fs::remove_file(path).unwrap();
            continue;
        }
        let (band, leavers) = if file == "essex.csv" {
            ("200,200", "180,180")
        } else {
            ("400,60", "60,9")
        };
        let text = std::fs::read_to_string(&path).unwrap();
        let rows: Vec<String> = text
            .lines()
            .map(|l| {
                let c: Vec<&str> = l.split(',').collect();
                match c.get(3) {
                    Some(&"headcount") => format!("{},{band},10", c[..5].join(",")),
                    Some(&"leavers") => format!("{},{leavers},0", c[..5].join(",")),
                    _ => l.to_string(),
                }
            })
            .collect();
        std::fs::write(&path, rows.join("\n") + "\n").unwrap();
    }
    let out = recompute(data.path());
    let rows = read_csv(
        &out.path()
            .join("2024/public/national/tables/table-1-national-2024.csv"),
    );
    let leaving = rows
        .iter()
        .find(|r| r["Indicator"] == "8" && r["Service"] == "All services")
        .expect("indicator 8, all services");
    assert_eq!(leaving["Assessment [note 4]"], "Adverse", "{leaving:?}");
    assert_eq!(
        leaving["Within councils: relative likelihood [note 14]"],
        "1.00"
    );
    assert_ne!(leaving["Within councils: assessment [note 14]"], "Adverse");
    let page = std::fs::read_to_string(
        out.path()
            .join("2024/public/national/sc-wres-national-2024.html"),
    )
    .unwrap();
    let section = &page[page.find("id=\"indicator-8\"").unwrap()..];
    let section = &section[..section.find("id=\"indicator-9\"").unwrap()];
    assert!(
        section.contains("The two differ: England's figure adds every council"),
        "{section}"
    );
}
