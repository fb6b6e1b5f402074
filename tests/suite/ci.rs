//! `.ci/run` runs the test binaries in two lists at once (the service's and
//! the rest) instead of `cargo test --workspace` alone: every test target
//! of the workspace must be in one of them, or a new one would never run.

use std::path::Path;

/// The workspace's test targets as cargo finds them: `tests/<name>.rs`
/// and `tests/<name>/main.rs` of the program and of each crate.
fn test_targets() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![root.join("tests")];
    for e in std::fs::read_dir(root.join("crates")).unwrap() {
        dirs.push(e.unwrap().path().join("tests"));
    }
    let mut out = Vec::new();
    for d in dirs {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            let name = p.file_stem().unwrap().to_string_lossy().to_string();
            if p.is_dir() && p.join("main.rs").is_file() || p.extension().is_some_and(|x| x == "rs")
            {
                out.push(name);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_test_target_is_run_by_ci() {
    let run =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/run")).unwrap();
    let named: Vec<&str> = run
        .split("--test ")
        .skip(1)
        .map(|s| s.split_whitespace().next().unwrap_or(""))
        .collect();
    let targets = test_targets();
    assert!(targets.contains(&"suite".to_string()), "{targets:?}");
    assert!(targets.contains(&"service".to_string()), "{targets:?}");
    for t in &targets {
        assert_eq!(
            named.iter().filter(|n| *n == t).count(),
            1,
            "test target {t} is not run exactly once by .ci/run ({named:?})"
        );
    }
    assert_eq!(named.len(), targets.len(), "{named:?} against {targets:?}");
}
