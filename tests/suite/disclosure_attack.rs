//! Disclosure is a property of the whole release: a reader holding every
//! file of a release's public folder must not give back a withheld count or
//! pin a rounded one, by rates, sums, differences or quartiles. The attacker
//! is `tests/independent/attack.py` (written from docs/disclosure.md, not
//! from the program): it reads only the public folder and is judged against
//! the internal results.csv. Played on the demo release, on a generated
//! 153-council release with non-default thresholds, and, to show that it
//! can fail, on a release with each kind of leak put back by hand.

use crate::common::*;
use std::path::Path;

/// Runs the attack on `<out>/<year>`; its printed log and whether it found
/// nothing.
fn attack(release: &Path, min_count: u64, base: u64) -> (String, bool) {
    run_attack(&[release.as_os_str()], min_count, base)
}

/// Runs attack.py with `args` before the thresholds.
fn run_attack(args: &[&std::ffi::OsStr], min_count: u64, base: u64) -> (String, bool) {
    let o = std::process::Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/independent/attack.py"))
        .args(args)
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
fn report(data: &Path) -> crate::common::Release {
    let (out, o) = read_report(data);
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

/// 153 councils' generated returns in `<dir>/data`, with `min_count` 11,
/// `rounding_base` 10 and regions from 4 councils.
fn data_153_other_thresholds(dir: &Path) -> std::path::PathBuf {
    let data = dir.join("data");
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
    data
}

/// Why the spread needs 10 councils: the fixture's own setting shows the
/// quartiles of its 4 councils, and the attack (route 5) pins a withheld
/// council's count with them.
#[test]
fn quartiles_of_four_councils_give_a_count_back() {
    let (out, _) = read_report(&fixture("basic"));
    let (log, ok) = attack(&out.path().join("2024"), 8, 5);
    assert!(!ok && log.contains("the quartiles pin"), "{log}");
}

/// The attacker finds each kind of leak that earlier releases had: an
/// internal file in the public folder, a statistic computed from exact
/// counts beside rounded ones, a median of too few councils to 10 digits,
/// and an exact count printed in a local report.
#[test]
fn the_attack_finds_each_kind_of_leak() {
    let data = fixture_spread_from(10);
    let (out, _) = run_report(data.path());
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
        !ok && log.contains("route 5: indicator 2 all: a spread of 4 councils"),
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

// ---- Two releases together ----------------------------------------------

/// The attack on two releases held together (route 8 and every route on
/// each).
fn pair_attack(earlier: &Path, later: &Path, min_count: u64, base: u64) -> (String, bool) {
    run_attack(
        &["--pair".as_ref(), earlier.as_os_str(), later.as_os_str()],
        min_count,
        base,
    )
}

/// `scwres report` on `data`, compared with an earlier release when given.
fn release(data: &Path, year: Option<&str>, previous: Option<&Path>) -> tempfile::TempDir {
    let (out, o) = report_of(data, year, previous);
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

/// A copy of the demo data.
fn demo_copy() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("data"),
        d.path(),
    );
    d
}

/// The demo's 2024 return files, sorted.
fn returns_2024(data: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(data.join("returns/2024"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    v.sort();
    v
}

/// A late return: the first release without a council, its revision with
/// it. With exact national counts (as before) England's difference gave
/// the council's whole return back; with every count rounded it pins
/// nothing. Then a late return and a correction in the same revision of
/// that first release (made once for both).
#[test]
fn a_revision_with_a_late_return_and_then_a_correction_gives_nothing_back() {
    let data = demo_copy();
    let files = returns_2024(data.path());
    let late = files[3].clone();
    let held = tempfile::tempdir().unwrap();
    let aside = held.path().join(late.file_name().unwrap());
    std::fs::rename(&late, &aside).unwrap();
    let first = release(data.path(), None, None);
    std::fs::rename(&aside, &late).unwrap();
    let earlier = first.path().join("2024");
    let second = release(data.path(), None, Some(&earlier));
    let (log, ok) = pair_attack(&earlier, &second.path().join("2024"), 8, 5);
    assert!(ok, "{log}");
    let code = late.file_name().unwrap().to_str().unwrap()[..9].to_string();
    assert!(log.contains(&format!("added ['{code}']")), "{log}");

    // The attack can fail: England's exact counts put back into the
    // revision's benchmarks.csv give the late council's counts back.
    let tampered = tempfile::tempdir().unwrap();
    let r = tampered.path().join("2024");
    copy_dir(&second.path().join("2024"), &r);
    let early = tampered.path().join("earlier");
    copy_dir(&earlier, &early);
    for dir in [&r, &early] {
        exact_england(dir);
    }
    let (log, ok) = pair_attack(&early, &r, 8, 5);
    assert!(!ok && log.contains("pinned to"), "{log}");
    drop((second, tampered));

    // The late return and, in the same revision, another council's
    // correction: every count of its leavers' row up 6.
    let corrected = &files[20];
    let text = std::fs::read_to_string(corrected).unwrap();
    let fixed: Vec<String> = text
        .lines()
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            // authority_code,year,service,measure,band,white,minoritised,unknown
            if c.len() == 8 && c[3] == "leavers" {
                let up = |s: &str| {
                    s.parse::<u64>()
                        .map_or(s.to_string(), |n| (n + 6).to_string())
                };
                let head = c[..5].join(",");
                format!("{head},{},{},{}", up(c[5]), up(c[6]), up(c[7]))
            } else {
                l.to_string()
            }
        })
        .collect();
    assert_ne!(
        fixed.join("\n"),
        text.trim_end(),
        "the correction changes the file"
    );
    std::fs::write(corrected, fixed.join("\n") + "\n").unwrap();
    let third = release(data.path(), None, Some(&earlier));
    let (log, ok) = pair_attack(&earlier, &third.path().join("2024"), 8, 5);
    assert!(ok, "{log}");
    assert!(log.contains(&format!("added ['{code}']")), "{log}");
    assert!(log.contains("changed ['"), "{log}");
}

/// Puts England's exact counts (from the internal results.csv) into a
/// release's public benchmarks.csv, as releases before every count was
/// rounded published them.
fn exact_england(release: &Path) {
    let exact = read_csv(&release.join("internal/results.csv"));
    let path = release.join("public/benchmarks.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let header: Vec<String> = lines[0].split(',').map(str::to_string).collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    // The release's own year: the newest in its results.
    let year = exact.iter().map(|e| e["year"].clone()).max().unwrap();
    for line in lines.iter_mut().skip(1) {
        let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
        if cells[col("scope")] != "national" {
            continue;
        }
        let Some(t) = exact.iter().find(|e| {
            e["year"] == year
                && e["scope"] == "national"
                && ["service", "indicator", "band"]
                    .iter()
                    .all(|k| e[*k] == cells[col(k)])
        }) else {
            continue;
        };
        for k in [
            "white_events",
            "white_population",
            "minoritised_events",
            "minoritised_population",
            "unknown_events",
            "unknown_population",
        ] {
            cells[col(k)] = t[k].clone();
        }
        cells[col("count_margin")] = String::new();
        *line = cells.join(",");
    }
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
}

/// A return withdrawn after publication.
#[test]
fn a_revision_with_a_withdrawn_return_gives_nothing_back() {
    // The first release is the demo's own (made once for every test).
    let first = report(&demo());
    let data = demo_copy();
    let gone = returns_2024(data.path())[30].clone();
    std::fs::remove_file(&gone).unwrap();
    let earlier = first.path().join("2024");
    let second = release(data.path(), None, Some(&earlier));
    let (log, ok) = pair_attack(&earlier, &second.path().join("2024"), 8, 5);
    assert!(ok, "{log}");
    let code = gone.file_name().unwrap().to_str().unwrap()[..9].to_string();
    assert!(log.contains(&format!("withdrawn ['{code}']")), "{log}");
}

/// Two years: the 2023 release and the 2024 release, in which councils of
/// 2023 have left; the 2024 release's back-series figures of 2023 against
/// the 2023 release. (The 2023 release of 23 councils alone is the one
/// where regional totals and the councils' own sums together pinned
/// council counts until the joint check of `secondary::totals`.)
#[test]
fn two_years_with_councils_that_left_give_nothing_back() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    // The demo's releases of 2023 and 2024, each made once for every test.
    let (first, _) = read_report_of(&data, Some("2023"));
    let second = report(&data);
    let (log, ok) = pair_attack(
        &first.path().join("2023"),
        &second.path().join("2024"),
        8,
        5,
    );
    assert!(ok, "{log}");
    assert!(log.contains("route 8: years"), "{log}");
}

/// The 153-council release with other thresholds and a late return: the
/// pair attack plays every route on each release alone too (the first of
/// 152 councils, the revision of 153) before the routes of the two.
#[test]
fn a_153_council_revision_with_other_thresholds_gives_nothing_back() {
    let dir = tempfile::tempdir().unwrap();
    let data = data_153_other_thresholds(dir.path());
    let mut files: Vec<_> = std::fs::read_dir(data.join("returns/2024"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let late = files[7].clone();
    let aside = dir.path().join(late.file_name().unwrap());
    std::fs::rename(&late, &aside).unwrap();
    let first = release(&data, None, None);
    std::fs::rename(&aside, &late).unwrap();
    let earlier = first.path().join("2024");
    let second = release(&data, None, Some(&earlier));
    let (log, ok) = pair_attack(&earlier, &second.path().join("2024"), 11, 10);
    assert!(ok, "{log}");
    assert!(log.contains("added ['"), "{log}");
    for n in ["152 local reports", "153 local reports"] {
        assert!(log.contains(n), "{n} in {log}");
    }
}
