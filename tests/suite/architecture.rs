//! The invariants of ARCHITECTURE.md that a test can check, on the source
//! itself: stages never reach back, only `publish` writes files, the pure
//! stages do no I/O, and no source file grows past about 600 lines.

use std::path::{Path, PathBuf};

mod paths;

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Every source file of the library: (module path such as `view/local`,
/// text without its test modules).
fn modules() -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(&src).unwrap().with_extension("");
            let name = rel.to_string_lossy().replace('\\', "/");
            let text = std::fs::read_to_string(&p).unwrap();
            // Unit tests may use anything; the code above them may not.
            let code = match text.find("#[cfg(test)]") {
                Some(i) => text[..i].to_string(),
                None if name.ends_with("/tests") => String::new(),
                None => text,
            };
            (name, code)
        })
        .collect()
}

/// The top-level module a file belongs to.
fn stage(name: &str) -> &str {
    name.split('/').next().unwrap()
}

/// What each stage may not name: the stages after it, and the orchestration.
const FORBIDDEN: &[(&str, &[&str])] = &[
    (
        "stats",
        &[
            "load", "compute", "disclose", "view", "chart", "render", "publish", "run", "formats",
        ],
    ),
    (
        "indicators",
        &[
            "load", "compute", "disclose", "view", "chart", "render", "publish", "run", "formats",
        ],
    ),
    (
        "model",
        &[
            "load", "compute", "disclose", "view", "chart", "render", "publish", "run", "formats",
        ],
    ),
    (
        "load",
        &[
            "compute", "disclose", "view", "chart", "render", "publish", "run",
        ],
    ),
    (
        "compute",
        &[
            "disclose", "view", "chart", "render", "publish", "run", "formats",
        ],
    ),
    (
        "revise",
        &["disclose", "view", "chart", "render", "publish", "run"],
    ),
    ("disclose", &["view", "chart", "render", "publish", "run"]),
    (
        "chart",
        &["load", "disclose", "view", "render", "publish", "run"],
    ),
    ("view", &["render", "publish", "run", "formats"]),
    (
        "render",
        &["load", "compute", "disclose", "publish", "run", "formats"],
    ),
    ("formats", &["view", "chart", "render", "publish", "run"]),
    (
        "publish",
        &[
            "load", "compute", "disclose", "view", "chart", "render", "run",
        ],
    ),
    // The service is a thin layer over `run`: no statistics, no figures,
    // no views of its own (run::collect gives it what it shows).
    (
        "serve",
        &[
            "compute", "stats", "disclose", "view", "chart", "formats", "revise",
        ],
    ),
];

/// Nothing of the pipeline names the service; only the service's database
/// layer speaks SQL.
#[test]
fn the_service_sits_on_top_and_only_its_database_layer_holds_sql() {
    let mut broken = Vec::new();
    for (name, code) in modules() {
        let st = stage(&name);
        if st != "serve" && st != "bench" && st != "main" && code.contains("crate::serve") {
            broken.push(format!("src/{name}.rs names crate::serve"));
        }
        let db = [
            "serve/db",
            "serve/versions",
            "serve/releases_db",
            "serve/outbox_db",
        ]
        .contains(&name.as_str());
        if !db && code.contains("rusqlite") {
            broken.push(format!("src/{name}.rs uses rusqlite"));
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[test]
fn stages_never_reach_back() {
    let mut broken = Vec::new();
    let all = modules();
    let krate = paths::Crate::new(&all);
    for (name, _) in &all {
        let Some((_, forbidden)) = FORBIDDEN.iter().find(|(s, _)| *s == stage(name)) else {
            continue;
        };
        for m in krate.stages(name) {
            if forbidden.contains(&m.as_str()) {
                broken.push(format!("src/{name}.rs names crate::{m}"));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "stages reaching back:\n{}",
        broken.join("\n")
    );
}

/// File-system calls that change something on disk.
const WRITES: [&str; 8] = [
    "fs::write",
    "File::create",
    "create_dir",
    "remove_file",
    "remove_dir",
    "fs::rename",
    "OpenOptions",
    "fs::copy",
];

#[test]
fn only_publish_writes_files() {
    for (name, code) in modules() {
        if stage(&name) == "publish" {
            continue;
        }
        for w in WRITES {
            assert!(!code.contains(w), "src/{name}.rs writes to disk ({w})");
        }
    }
}

#[test]
fn the_pure_stages_do_no_io() {
    for (name, code) in modules() {
        if ![
            "stats", "compute", "revise", "disclose", "view", "chart", "render", "formats",
        ]
        .contains(&stage(&name))
        {
            continue;
        }
        for io in [
            "std::fs",
            "File::",
            "std::net",
            "std::process",
            "std::env::var",
        ] {
            assert!(!code.contains(io), "src/{name}.rs does I/O ({io})");
        }
    }
}

#[test]
fn no_source_file_is_too_long() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    sources(&root.join("src"), &mut files);
    sources(&root.join("crates"), &mut files);
    for p in files {
        let lines = std::fs::read_to_string(&p).unwrap().lines().count();
        assert!(lines <= 600, "{}: {lines} lines", p.display());
    }
}

#[test]
fn a_local_report_never_sees_the_whole_run() {
    let code = modules()
        .into_iter()
        .find(|(n, _)| n == "view/local")
        .unwrap()
        .1;
    for whole in ["Results", "YearResults", "Benchmarks", "Register"] {
        assert!(
            !code.contains(whole),
            "view::local names {whole}: a local report reads only its council's figures and the published benchmarks"
        );
    }
}

#[test]
fn the_checks_can_fail() {
    // The helpers see what they look for, in the library itself: the
    // local report's view names `disclose`, and the service reaches
    // `run` (through `use crate::run::collect::{self, …}` and then
    // `collect::…` paths).
    assert_eq!(stage("view/local"), "view");
    let all = modules();
    let krate = paths::Crate::new(&all);
    assert!(krate.stages("view/local").contains("disclose"));
    assert!(krate.stages("serve/council").contains("run"));
    assert!(
        all.iter()
            .any(|(n, c)| n == "publish/mod" && c.contains("File::create"))
    );
    assert!(
        all.iter()
            .any(|(n, c)| n == "view/local" && c.contains("crate::disclose"))
    );
}

/// THIRD-PARTY.md names every crate of Cargo.lock at its locked version
/// (and the embedded fonts), so the notice cannot fall behind the lock.
#[test]
fn the_third_party_notice_names_every_locked_crate() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).unwrap();
    let notice = std::fs::read_to_string(root.join("THIRD-PARTY.md")).unwrap();
    let mut missing = Vec::new();
    let mut n = 0;
    for block in lock.split("[[package]]").skip(1) {
        let field = |k: &str| {
            block
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{k} = \"")))
                .map(|v| v.trim_end_matches('"').to_string())
                .unwrap_or_default()
        };
        let (name, version) = (field("name"), field("version"));
        // The project's own crates (no registry source) are not third party.
        if !block.contains("\nsource = ") {
            continue;
        }
        n += 1;
        if !notice.contains(&format!("| {name} | {version} |")) {
            missing.push(format!("{name} {version}"));
        }
    }
    assert!(n > 100, "{n} crates");
    assert!(missing.is_empty(), "not in THIRD-PARTY.md: {missing:?}");
    for font in [
        "Open Sans",
        "Libertinus Serif",
        "New Computer Modern",
        "DejaVu Sans Mono",
    ] {
        assert!(notice.contains(font), "{font}");
    }
}

/// The extraction core runs in the council's browser as WebAssembly: bytes
/// in and bytes out, so no file system, network, process, threads, clock or
/// environment, and none of the report's crates (polars, rayon, typst).
#[test]
fn the_extraction_core_does_no_io_and_holds_no_report_crate() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/extract");
    let mut files = Vec::new();
    sources(&root.join("src"), &mut files);
    assert!(files.len() > 5, "{files:?}");
    for p in files {
        let text = std::fs::read_to_string(&p).unwrap();
        // The code without its tests and comments (which name these in words).
        let code: String = text
            .split("#[cfg(test)]")
            .next()
            .unwrap()
            .lines()
            .map(|l| l.split("//").next().unwrap())
            .collect::<Vec<_>>()
            .join("\n");
        for io in [
            "std::fs",
            "File::",
            "std::net",
            "std::process",
            "std::thread",
            "std::env",
            "SystemTime",
            "Instant",
            "polars",
            "rayon",
            "typst",
        ] {
            assert!(!code.contains(io), "{}: {io}", p.display());
        }
    }
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let deps = manifest
        .split("[dependencies]")
        .nth(1)
        .unwrap()
        .split("\n[")
        .next()
        .unwrap();
    for heavy in ["polars", "rayon", "typst", "tokio", "hyper", "rusqlite"] {
        assert!(!deps.contains(heavy), "the core depends on {heavy}");
    }
}
