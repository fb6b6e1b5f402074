//! The run's feedback (log lines when not on a terminal, `--quiet`, the
//! closing summary) and the benchmark's building blocks.

use crate::common::*;

fn report(extra: &[&str]) -> String {
    let out = tempfile::tempdir().unwrap();
    let o = scwres()
        .args(["report", "--data"])
        .arg(fixture("basic"))
        .arg("--out")
        .arg(out.path())
        .args(extra)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "one fixture return is rejected");
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The number a hidden bench subcommand prints after `label` (its whole
/// output is that one line).
fn printed<T: std::str::FromStr>(stdout: &[u8], label: &str) -> T {
    let out = String::from_utf8_lossy(stdout);
    out.trim()
        .strip_prefix(label)
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("expected {label:?} and a number, got {out:?}"))
}

/// Not on a terminal: plain log lines, then the summary. `--quiet` keeps
/// the problems and the summary and drops the log lines.
#[test]
fn log_lines_quiet_and_summary() {
    let loud = report(&[]);
    for want in [
        "scwres: loading and checking the returns in",
        "scwres: figures computed; typesetting 5 reports",
        "scwres: 5 of 5 reports made",
        "scwres: 2024 run finished in",
        "returns: 4 accepted, 1 rejected, 1 skipped",
        "reports: the national report and 4 local reports",
        "files:",
    ] {
        assert!(loud.contains(want), "{want:?} in {loud}");
    }
    let quiet = report(&["--quiet"]);
    assert!(!quiet.contains("reports made"), "{quiet}");
    assert!(!quiet.contains("loading and checking"), "{quiet}");
    assert!(
        quiet.contains("returns/2024/birmingham.csv"),
        "problems still shown"
    );
    assert!(quiet.contains("run finished in"), "the summary still shown");
}

/// The benchmark's load-and-compute phase reports its own time.
#[test]
fn bench_phase_reports_its_time() {
    let o = scwres()
        .args(["bench-phase", "prepare", "--data"])
        .arg(fixture("basic"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let secs: f64 = printed(&o.stdout, "elapsed ");
    assert!(secs > 0.0 && secs < 60.0);
}

/// The benchmark table: medians, the ratio and share the targets use.
#[test]
fn bench_table_reports_medians_and_ratios() {
    use scwres::bench::{Row, Sample, table};
    use std::time::Duration;
    let s = |secs: f64, peak: u64| Sample {
        wall: Duration::from_secs_f64(secs),
        peak: Some(peak),
        inner: None,
    };
    let rows = vec![
        Row {
            phase: "153 councils, end to end".into(),
            documents: 154,
            samples: vec![
                s(9.0, 200_000_000),
                s(7.0, 210_000_000),
                s(8.0, 205_000_000),
            ],
        },
        Row {
            phase: "153 councils: load + validate + compute".into(),
            documents: 0,
            samples: vec![Sample {
                wall: Duration::from_secs(1),
                peak: None,
                inner: Some(Duration::from_secs_f64(0.08)),
            }],
        },
        Row {
            phase: "153 councils: typesetting only".into(),
            documents: 154,
            samples: vec![s(6.4, 1), s(6.4, 1)],
        },
    ];
    let t = table(&rows);
    // The machine line names the processor where the system says which.
    let first = t.lines().next().unwrap();
    assert!(first.starts_with("Machine: "), "{t}");
    let named = std::fs::read_to_string("/proc/cpuinfo")
        .is_ok_and(|c| c.lines().any(|l| l.starts_with("model name")));
    if named {
        assert!(!first.contains("processor unknown"), "{first}");
    }
    assert!(
        t.contains("| 153 councils, end to end | 3 | 8.00 | 7.00–9.00 | 210 MB | 1155 |"),
        "{t}"
    );
    assert!(
        t.contains("| 153 councils: load + validate + compute | 1 | 0.08 |"),
        "{t}"
    );
    assert!(t.contains("end to end / typesetting only = 1.25"), "{t}");
    assert!(
        t.contains("load + validate + compute = 1.0% of end to end"),
        "{t}"
    );
}

/// The benchmark's data sets are written by a process of their own (so
/// the benchmark process stays small and its peak is not read into every
/// phase's): synthetic returns for a register of any size, and staff
/// records scaled to a number of people in post.
#[test]
fn bench_data_writes_returns_and_records() {
    let dir = tempfile::tempdir().unwrap();
    let returns = dir.path().join("returns");
    let o = scwres()
        .args(["bench-data", "--orgs", "7", "--files", "5", "--data"])
        .arg(&returns)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let register = std::fs::read_to_string(returns.join("authorities.csv")).unwrap();
    assert_eq!(
        register.lines().count(),
        1 + 7,
        "a header and 7 organisations"
    );
    let written = std::fs::read_dir(returns.join("returns/2024"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().is_file())
        .count();
    assert_eq!(written, 5, "5 returns of 2024");

    let records = dir.path().join("records");
    let o = scwres()
        .args(["bench-data", "--people", "1000", "--data"])
        .arg(&records)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let people: u64 = printed(&o.stdout, "people ");
    assert!(people >= 1000, "{people}");
    let staff = std::fs::read_to_string(records.join("staff.csv")).unwrap();
    assert_eq!(
        staff.lines().count() as u64,
        1 + people,
        "a header and every person"
    );
}
