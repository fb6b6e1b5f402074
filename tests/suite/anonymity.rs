//! The national outputs name no council: every file of `public/national/`
//! (the report as PDF and web page, its charts, its tables as CSV and as a
//! workbook) and the files councils build their reports from
//! (benchmarks.csv, funnels.csv, publication.json), searched for every
//! council's name and GSS code in the register, on the demo and on the
//! fixture. (The index page links every council's local report by name, as
//! it should; a local report names its own council only, which
//! `report_run.rs` checks.)

use crate::common::*;
use std::io::Read as _;
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// The text a reader of the file sees: PDF text, the XML of a workbook's
/// parts, or the file itself.
fn text_of(p: &Path) -> String {
    match p.extension().and_then(|e| e.to_str()) {
        Some("pdf") => pdf_text(p),
        Some("xlsx") => {
            let mut zip = zip::ZipArchive::new(std::fs::File::open(p).unwrap()).unwrap();
            let mut all = String::new();
            for i in 0..zip.len() {
                let mut s = String::new();
                let _ = zip.by_index(i).unwrap().read_to_string(&mut s);
                all.push_str(&s);
            }
            all
        }
        _ => String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned(),
    }
}

/// Whether `name` stands in `text` as a word (not inside a longer word).
fn names(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + name.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

fn no_council_named(data: &Path) {
    let (out, o) = read_report(data);
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let public = out.path().join("2024/public");
    let mut all = Vec::new();
    files(&public.join("national"), &mut all);
    for f in ["benchmarks.csv", "funnels.csv", "publication.json"] {
        all.push(public.join(f));
    }
    let register = read_csv(
        &data
            .join("authorities.csv")
            .exists()
            .then(|| data.join("authorities.csv"))
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("data/authorities.csv")),
    );
    assert!(all.len() > 10, "{all:?}");
    let mut checked = 0;
    for f in &all {
        let text = text_of(f);
        // PDF text has no word spaces: its names are searched squashed.
        let squashed = f.extension().is_some_and(|e| e == "pdf");
        for a in &register {
            let name = if squashed {
                squash(&a["name"])
            } else {
                a["name"].clone()
            };
            for needle in [name.as_str(), a["code"].as_str()] {
                assert!(
                    !names(&text, needle),
                    "{} names {} ({})",
                    f.strip_prefix(out.path()).unwrap().display(),
                    a["name"],
                    a["code"]
                );
            }
        }
        checked += 1;
    }
    assert_eq!(checked, all.len());
}

#[test]
fn the_demos_national_outputs_name_no_council() {
    no_council_named(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data"));
}

#[test]
fn the_fixtures_national_outputs_name_no_council() {
    no_council_named(&fixture("basic"));
}

/// The search finds a name where one is: a national table with a council's
/// name put in by hand is caught.
#[test]
fn the_search_finds_a_council_put_in_by_hand() {
    assert!(names("Table 2, Hartlepool, 2024", "Hartlepool"));
    assert!(names("E06000001,x", "E06000001"));
    assert!(!names("West Berkshire", "Berkshire West"));
    assert!(
        !names("Yorkshire and The Humber", "York"),
        "York inside Yorkshire is not York"
    );
}
