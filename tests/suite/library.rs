//! The pipeline as a library: inputs as named bytes in memory to a release
//! in memory, in process, the same files byte for byte as `scwres report`
//! writes from a folder of the same inputs.

use crate::common::*;
use scwres::load::{Memory, Source as _};
use std::collections::BTreeMap;
use std::path::Path;

/// Every file under `dir` and its bytes, by its path from `dir`.
fn files_of(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    files_under(dir)
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(dir.join(&f)).unwrap();
            (f, bytes)
        })
        .collect()
}

fn same_files(memory: &BTreeMap<String, Vec<u8>>, disk: &BTreeMap<String, Vec<u8>>) {
    let names = |m: &BTreeMap<String, Vec<u8>>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(memory), names(disk));
    for (name, bytes) in memory {
        assert!(
            bytes == &disk[name],
            "{name} differs from the command line's"
        );
    }
}

#[test]
fn a_release_in_memory_is_the_command_lines_byte_for_byte() {
    let inputs = Memory::of_folder(&fixture("basic")).unwrap();
    assert!(inputs.kind("returns/2024").unwrap().is_some());
    let made = scwres::run::publication(&inputs, None, None, &|_| {}).unwrap();
    assert_eq!(made.summary.year, 2024);
    assert_eq!((made.summary.accepted, made.summary.rejected), (4, 1));
    let (cli, _) = read_report(&fixture("basic"));
    let disk = files_of(&cli.path().join("2024"));
    assert!(disk.len() > 30, "{}", disk.len());
    same_files(&made.files, &disk);
}

/// A revision: the earlier release given as its files in memory revises
/// as the command line's `--previous-release` folder does.
#[test]
fn a_revision_in_memory_is_the_command_lines() {
    let (first, _) = read_report(&fixture("basic"));
    let data = fixture_copy("");
    // A corrected return: one count changed.
    let p = data.path().join("returns/2024/essex.csv");
    let text = std::fs::read_to_string(&p).unwrap();
    let changed = text.replacen("shortlisted,,280,", "shortlisted,,281,", 1);
    assert_ne!(text, changed, "the fixture has 280 shortlisted to correct");
    std::fs::write(&p, changed).unwrap();
    let (cli, o) = report_of(data.path(), None, Some(&first.path().join("2024")));
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let inputs = Memory::of_folder(data.path()).unwrap();
    let earlier = Memory::of_folder(&first.path().join("2024")).unwrap();
    let made = scwres::run::publication(&inputs, None, Some(&earlier), &|_| {}).unwrap();
    assert!(made.files.contains_key("internal/revisions.csv"));
    same_files(&made.files, &files_of(&cli.path().join("2024")));
}

/// Inputs named as the run expects and nothing else: without the year's
/// returns there is nothing to report, said without a folder of this
/// machine.
#[test]
fn a_release_without_returns_is_refused_by_name() {
    let mut inputs = Memory::new();
    inputs.insert(
        "report.yaml",
        std::fs::read(fixture("basic/report.yaml")).unwrap(),
    );
    inputs.insert("returns/2024/notes.txt", b"not a return".to_vec());
    let err = scwres::run::publication(&inputs, Some(2024), None, &|_| {})
        .err()
        .expect("refused");
    let text = format!("{err:#}");
    assert!(text.contains("returns/2024"), "{text}");
}
