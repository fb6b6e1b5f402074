//! `scwres extract`: from staff records to a return (docs/extract.md).

use crate::common::scwres;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn examples() -> PathBuf {
    repo().join("data/examples/staff")
}

/// Runs extract on the files of `dir` (those present), writing `out`.
fn extract(dir: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut cmd = scwres();
    cmd.args([
        "extract",
        "--authority",
        "E06000042",
        "--year",
        "2024",
        "--data",
    ])
    .arg(repo().join("data"))
    .arg("--staff")
    .arg(dir.join("staff.csv"));
    for (flag, file) in [
        ("--leavers", "leavers.csv"),
        ("--events", "events.csv"),
        ("--recruitment", "recruitment.csv"),
        ("--survey", "survey.csv"),
    ] {
        if dir.join(file).exists() {
            cmd.arg(flag).arg(dir.join(file));
        }
    }
    cmd.args(extra).arg("-o").arg(out).output().unwrap()
}

/// Writes a test file into `dir`.
fn put(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

fn sorted_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text.lines().skip(1).map(String::from).collect();
    lines.sort();
    lines
}

/// The example files give exactly the demo return they were made from,
/// and exactly what an independent count (tests/independent/count_staff.py,
/// Python's csv module only) makes of them.
#[test]
fn the_example_records_give_the_demo_return_and_the_independent_count() {
    let out = tempfile::tempdir().unwrap();
    let csv = out.path().join("return.csv");
    let o = extract(&examples(), &csv, &[]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let got = std::fs::read_to_string(&csv).unwrap();
    let demo =
        std::fs::read_to_string(repo().join("data/returns/2024/E06000042-milton-keynes.csv"))
            .unwrap();
    assert_eq!(got, demo, "the demo return, byte for byte");
    let py = std::process::Command::new("python3")
        .arg(repo().join("tests/independent/count_staff.py"))
        .arg(examples())
        .args(["E06000042", "2024"])
        .output()
        .expect("python3 runs the independent count");
    assert!(
        py.status.success(),
        "{}",
        String::from_utf8_lossy(&py.stderr)
    );
    assert_eq!(
        sorted_lines(&got),
        sorted_lines(&String::from_utf8_lossy(&py.stdout))
    );
    // The other encodings hold the same return, and pass `scwres validate`.
    for ext in ["yaml", "xlsx"] {
        let path = out.path().join(format!("return.{ext}"));
        let o = extract(&examples(), &path, &[]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{ext}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let v = scwres()
            .args(["validate", "--year", "2024", "--data"])
            .arg(repo().join("data"))
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(
            v.status.code(),
            Some(0),
            "{ext}: {}",
            String::from_utf8_lossy(&v.stderr)
        );
        let back = out.path().join(format!("from-{ext}.xlsx"));
        let t = scwres()
            .args(["template", "--year", "2024", "--from"])
            .arg(&path)
            .arg("-o")
            .arg(&back)
            .output()
            .unwrap();
        assert!(t.status.success());
    }
    // The same counts whatever the encoding: the workbooks made from the
    // CSV, from the YAML and from the xlsx extract wrote are the same bytes.
    let from_csv = out.path().join("from-csv.xlsx");
    scwres()
        .args(["template", "--year", "2024", "--from"])
        .arg(&csv)
        .arg("-o")
        .arg(&from_csv)
        .output()
        .unwrap();
    for other in ["from-yaml.xlsx", "from-xlsx.xlsx"] {
        assert_eq!(
            std::fs::read(&from_csv).unwrap(),
            std::fs::read(out.path().join(other)).unwrap(),
            "{other}"
        );
    }
}

/// A file not given leaves its measures blank, with a warning.
#[test]
fn a_file_not_given_leaves_its_measures_blank() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(examples().join("staff.csv"), dir.path().join("staff.csv")).unwrap();
    let out = dir.path().join("r.csv");
    let o = extract(dir.path(), &out, &[]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        err.contains("no --survey file: survey_respondents, harassment_public"),
        "{err}"
    );
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.contains("E06000042,2024,adults,leavers,,,,\n"),
        "{text}"
    );
    assert!(text.contains("E06000042,2024,adults,senior_managers,,133,9,10\n"));
}

/// Bad records: every problem listed with its place, nothing written, and
/// no message pairs a person's identifier with an ethnicity.
#[test]
fn every_problem_is_listed_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(
        d,
        "staff.csv",
        "Person_ID,Service,Ethnicity,Salary,Regulated,Senior_Manager,Team\n\
         S1,adults,White: Irish,31500,yes,no,x\n\
         S2,adults,Martian,31500,yes,no,x\n\
         S3,adults,martian ,\"£20,000\",perhaps,no,x\n\
         S4,all,White: Irish,twenty,no,no,x\n\
         S1,children,A,40000,no,no,x\n\
         S6,adults,Martian,-5,no,no,x\n",
    );
    put(
        d,
        "leavers.csv",
        "person_id,service,ethnicity\nS2,adults,Z\nL1,adults,B\n",
    );
    put(
        d,
        "events.csv",
        "person_id,event\nS1,cpd\nX9,cpd\nS1,sick leave\n",
    );
    put(
        d,
        "recruitment.csv",
        "service,ethnicity,stage\nadults,A,interviewed\n",
    );
    put(
        d,
        "survey.csv",
        "service,ethnicity,harassment_public\nadults,A,yes\n",
    );
    let out = d.join("r.csv");
    let o = extract(d, &out, &[]);
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(!out.exists(), "nothing written");
    for expected in [
        // Once per distinct value (matched loosely), with rows and the first line.
        "staff.csv, line 3, column ethnicity: an ethnicity the map does not know, on 3 rows (the first shown) (found \"Martian\")",
        "staff.csv, line 4, column regulated: not a yes/no value, on 1 row (found \"perhaps\")",
        "staff.csv, line 5, column service: service must be adults or children, on 1 row (found \"all\")",
        "staff.csv, line 5, column salary: not a salary, on 1 row (found \"twenty\")",
        "staff.csv, line 7, column salary: not a salary, on 1 row (found \"-5\")",
        "staff.csv, line 2, column person_id: the same person_id on 2 rows (the first shown) (found \"S1\")",
        "leavers.csv, line 2: 1 person is both in the staff file and among the leavers (the first shown) (found \"S2\")",
        "events.csv, line 3, column person_id: 1 event for a person in neither the staff file nor the leavers (the first shown) (found \"X9\")",
        "events.csv, line 4, column event: event must be disciplinary, fitness_to_practise or cpd, on 1 row (found \"sick leave\")",
        "recruitment.csv, line 2, column stage: stage must be applied, shortlisted or appointed, on 1 row (found \"interviewed\")",
        "survey.csv, line 1: missing required column harassment_colleagues",
        "survey.csv, line 1: missing required column harassment_managers",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    // `£20,000` is a salary: row 4 is wrong only in `regulated`.
    assert!(!err.contains("line 4, column salary"), "{err}");
    // Without the temporary folder's path, whose random name may hold
    // "S4" (this test failed so once).
    let folder = d.display().to_string();
    for line in err.lines().map(|l| l.replace(&folder, "")) {
        let ids = ["S1", "S2", "S3", "S4", "S6", "X9", "L1"];
        let eth = ["Irish", "Martian", "martian"];
        assert!(
            !(ids.iter().any(|i| line.contains(i)) && eth.iter().any(|e| line.contains(e))),
            "a person and an ethnicity in one message: {line}"
        );
    }
}

#[test]
fn an_ethnicity_map_extends_the_built_in_one_and_bad_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(
        d,
        "staff.csv",
        "person_id,service,ethnicity,salary,regulated,senior_manager\n1,adults,Martian,31500,no,no\n2,adults,White: Roma,31500,no,no\n",
    );
    put(
        d,
        "map.yaml",
        "martian: minoritised\n\"White: Roma\": minoritised\n",
    );
    let out = d.join("r.csv");
    let map = d.join("map.yaml");
    let o = extract(d, &out, &["--ethnicity-map", map.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.contains("adults,headcount,30k_to_69k,0,2,0\n"),
        "{text}"
    );
    // A map with a group that is not one, an alias bomb, an output that is
    // not a return format: refused with the file named.
    std::fs::write(&map, "Martian: purple\n").unwrap();
    let o = extract(d, &out, &["--ethnicity-map", map.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("map.yaml, Martian: the group must be white, minoritised or unknown")
    );
    std::fs::write(&map, "a: &a [1]\nb: *a\n").unwrap();
    let o = extract(d, &out, &["--ethnicity-map", map.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = extract(d, &d.join("r.txt"), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("r.txt: the return is written as .csv, .yaml or .xlsx")
    );
}

/// Staff records as a workbook: the first sheet, places as cells.
#[test]
fn records_in_a_workbook_are_read_and_placed_by_cell() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet().set_name("HR export").unwrap();
    let rows = [
        [
            "person_id",
            "service",
            "ethnicity",
            "salary",
            "regulated",
            "senior_manager",
        ],
        ["1", "adults", "White: Irish", "31500", "yes", "no"],
        ["2", "adults", "Klingon", "75000", "no", "yes"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write(r as u32, c as u16, *v).unwrap();
        }
    }
    ws.write(3, 0, 3).unwrap();
    ws.write(3, 1, "children").unwrap();
    ws.write(3, 2, "M").unwrap();
    ws.write(3, 3, 25000.0).unwrap();
    wb.save(d.join("staff.xlsx")).unwrap();
    let out = d.join("r.csv");
    let o = scwres()
        .args([
            "extract",
            "--authority",
            "E06000042",
            "--year",
            "2024",
            "--data",
        ])
        .arg(repo().join("data"))
        .arg("--staff")
        .arg(d.join("staff.xlsx"))
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("staff.xlsx, HR export!C3: an ethnicity the map does not know, on 1 row (found \"Klingon\")"), "{err}");
}

/// Outputs never replace inputs: `-o` naming one of the files to read (the
/// HR export itself, or another spelling of it) is refused, and the file is
/// left as it was.
#[test]
fn extract_refuses_to_write_over_its_input() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["staff.csv", "leavers.csv"] {
        std::fs::copy(examples().join(f), dir.path().join(f)).unwrap();
    }
    let before = std::fs::read(dir.path().join("staff.csv")).unwrap();
    for out in [
        dir.path().join("staff.csv"),
        dir.path().join(".").join("leavers.csv"),
    ] {
        // A .csv output is what the return would be written as.
        let mut renamed = out.clone();
        if out.ends_with("leavers.csv") {
            renamed = dir.path().join("sub/../leavers.csv");
            std::fs::create_dir_all(dir.path().join("sub")).unwrap();
        }
        let o = extract(dir.path(), &renamed, &[]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains("would be written over"), "{err}");
    }
    assert_eq!(std::fs::read(dir.path().join("staff.csv")).unwrap(), before);
}
