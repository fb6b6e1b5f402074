//! Disclosure is a property of the whole release: a reader holding every
//! file of a release's public folder must not give back a withheld count or
//! pin a rounded one, by rates, sums, differences or quartiles. The attacker
//! is `tests/independent/attack.py` (written from docs/disclosure.md, not
//! from the program): it reads only the public folder and is judged against
//! the internal results.csv. Played on the demo release, on a generated
//! 153-council release with non-default thresholds, and, to show that it
//! can fail, on a release with each kind of leak put back by hand.

mod common;
use common::*;
use std::path::Path;

/// Runs the attack on `<out>/<year>`; its printed log and whether it found
/// nothing.
fn attack(release: &Path, min_count: u64, base: u64) -> (String, bool) {
    let o = std::process::Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/independent/attack.py"))
        .arg(release)
        .arg(min_count.to_string())
        .arg(base.to_string())
        .output()
        .expect("python3 runs the attack");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "the attack itself failed: {log}"
    );
    (log, o.status.success())
}

/// A report run that finished (0, or 1 for the rejected demo return).
fn report(data: &Path) -> tempfile::TempDir {
    let (out, o) = run_report(data);
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

#[test]
fn the_demo_release_gives_nothing_back() {
    let out = report(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data"));
    let (log, ok) = attack(&out.path().join("2024"), 8, 5);
    assert!(ok, "{log}");
    // It did attack: every route read something.
    for route in ["route 0:", "route 1:", "route 2:", "route 5:"] {
        assert!(log.contains(route), "{route} in {log}");
    }
    assert!(log.contains("73 local reports"), "{log}");
}

#[test]
fn a_153_council_release_with_other_thresholds_gives_nothing_back() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let o = scwres()
        .args(["bench-data", "--orgs", "153", "--files", "153", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::write(
        data.join("report.yaml"),
        "synthetic: true\ndisclosure:\n  min_count: 11\n  rounding_base: 10\nmin_region_councils: 4\n",
    )
    .unwrap();
    let out = report(&data);
    let (log, ok) = attack(&out.path().join("2024"), 11, 10);
    assert!(ok, "{log}");
    assert!(log.contains("153 local reports"), "{log}");
}

/// The attacker finds each kind of leak that earlier releases had: an
/// internal file in the public folder, a statistic computed from exact
/// counts beside rounded ones, a median of too few councils to 10 digits,
/// and an exact count printed in a local report.
#[test]
fn the_attack_finds_each_kind_of_leak() {
    let (out, _) = run_report(&fixture("basic"));
    let release = out.path().join("2024");
    let (log, ok) = attack(&release, 8, 5);
    assert!(ok, "the fixture release is clean: {log}");

    let tampered = tempfile::tempdir().unwrap();
    let copy = |name: &str| {
        let to = tampered.path().join(name);
        copy_dir(&release, &to);
        to
    };

    // 0: the internal folder's results.csv published.
    let r = copy("internal-file");
    std::fs::copy(r.join("internal/results.csv"), r.join("public/results.csv")).unwrap();
    let (log, ok) = attack(&r, 8, 5);
    assert!(!ok && log.contains("route 0: internal file"), "{log}");

    // 1: a regional relative likelihood from the exact counts.
    let r = copy("exact-rate");
    let exact = read_csv(&r.join("internal/results.csv"));
    let bench = std::fs::read_to_string(r.join("public/benchmarks.csv")).unwrap();
    let mut lines: Vec<String> = bench.lines().map(str::to_string).collect();
    let header: Vec<String> = lines[0].split(',').map(str::to_string).collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let mut changed = false;
    for line in lines.iter_mut().skip(1) {
        let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
        if cells[col("scope")] != "region" || cells[col("relative_likelihood")].is_empty() {
            continue;
        }
        let truth = exact.iter().find(|e| {
            ["scope", "area_code", "service", "indicator", "band"]
                .iter()
                .all(|k| e[*k] == cells[col(k)])
        });
        if let Some(t) = truth
            && format!("{:.2}", t["relative_likelihood"].parse::<f64>().unwrap())
                != cells[col("relative_likelihood")]
        {
            cells[col("relative_likelihood")] = t["relative_likelihood"].clone();
            *line = cells.join(",");
            changed = true;
            break;
        }
    }
    assert!(
        changed,
        "a regional figure whose exact RL differs from the published one"
    );
    std::fs::write(r.join("public/benchmarks.csv"), lines.join("\n") + "\n").unwrap();
    let (log, ok) = attack(&r, 8, 5);
    assert!(!ok && log.contains("route 1: benchmarks.csv"), "{log}");

    // 5: a median of fewer councils than the threshold, to 10 digits.
    let r = copy("median");
    let bench = std::fs::read_to_string(r.join("public/benchmarks.csv")).unwrap();
    let mut lines: Vec<String> = bench.lines().map(str::to_string).collect();
    let header: Vec<String> = lines[0].split(',').map(str::to_string).collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let row = lines
        .iter()
        .position(|l| {
            let c: Vec<&str> = l.split(',').collect();
            c[col("scope")] == "national"
                && c[col("service")] == "all"
                && c[col("indicator")] == "2"
        })
        .unwrap();
    let mut cells: Vec<String> = lines[row].split(',').map(str::to_string).collect();
    cells[col("median")] = "0.5424300868".into();
    lines[row] = cells.join(",");
    std::fs::write(r.join("public/benchmarks.csv"), lines.join("\n") + "\n").unwrap();
    let (log, ok) = attack(&r, 8, 5);
    assert!(
        !ok && log.contains("route 5: indicator 2 all: a median of"),
        "{log}"
    );

    // 6: an exact count in a local report.
    let r = copy("exact-count");
    let page = r.join("public/local/E10000015-hertfordshire.html");
    let html = std::fs::read_to_string(&page).unwrap();
    let staff = html.find("<dt>Staff</dt><dd>").unwrap() + "<dt>Staff</dt><dd>".len();
    let end = staff + html[staff..].find('<').unwrap();
    let html = format!("{}1,293{}", &html[..staff], &html[end..]);
    std::fs::write(&page, html).unwrap();
    let (log, ok) = attack(&r, 8, 5);
    assert!(!ok && log.contains("staff printed as 1,293"), "{log}");
}
