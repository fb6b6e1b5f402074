//! Bad input: each case gets a clear message naming the file, the place and
//! the rule, and never a panic. Runs `scwres validate`, which uses exactly
//! the checks of the report run.

use crate::common::*;

fn good() -> String {
    std::fs::read_to_string(fixture("basic/returns/2024/hertfordshire.csv")).unwrap()
}

/// Validates `bytes` as a return; returns (exit code, stdout).
fn validate(bytes: &[u8]) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("return.csv");
    std::fs::write(&file, bytes).unwrap();
    let out = scwres()
        .arg("validate")
        .arg(&file)
        .args(["--year", "2024", "--data"])
        .arg(fixture("basic"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    (out.status.code().unwrap(), stdout)
}

/// Validates a folder; returns (exit code, stdout).
fn validate_dir(dir: &std::path::Path) -> (i32, String) {
    let out = scwres()
        .arg("validate")
        .arg(dir)
        .arg("--data")
        .arg(fixture("basic"))
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn replace_line(text: &str, contains: &str, f: impl Fn(&str) -> String) -> String {
    text.lines()
        .map(|l| {
            if l.contains(contains) {
                f(l)
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[track_caller]
fn rejected_with(text: &str, expected: &[&str]) -> String {
    let (code, out) = validate(text.as_bytes());
    assert_eq!(code, 1, "expected rejection:\n{out}");
    assert!(out.contains("return.csv"), "names the file:\n{out}");
    for e in expected {
        assert!(out.contains(e), "expected {e:?} in:\n{out}");
    }
    out
}

#[test]
fn the_fixture_return_is_valid() {
    let (code, out) = validate(good().as_bytes());
    assert_eq!(code, 0, "{out}");
    assert!(
        out.lines().any(|l| l.ends_with("return.csv: valid")),
        "{out}"
    );
}

#[test]
fn empty_and_header_only() {
    rejected_with("", &["the file is empty"]);
    rejected_with(
        "authority_code,year,service,measure,band,white,minoritised,unknown\n",
        &["header but no data rows"],
    );
}

#[test]
fn wrong_delimiter_and_columns() {
    rejected_with(
        &good().replace(',', ";"),
        &["line 1", "separated by commas", "semicolons"],
    );
    let extra = replace_line(&good(), "authority_code", |l| format!("{l},notes"));
    rejected_with(&extra, &["line 1, column 9", "unknown column", "notes"]);
    let missing = good()
        .lines()
        .map(|l| l.rsplit_once(',').unwrap().0.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    rejected_with(&missing, &["missing column `unknown`"]);
}

#[test]
fn encodings() {
    // UTF-8 with a byte-order mark is fine.
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(good().as_bytes());
    assert_eq!(validate(&bom).0, 0);
    // Windows-1252 text (a pound sign in a stray field) is named precisely.
    let mut cp1252 = good().into_bytes();
    cp1252.extend(b"E10000015,2024,adults,cpd,,\xA31,2,3\n");
    let (code, out) = validate(&cp1252);
    assert_eq!(code, 1);
    assert!(
        out.contains("not UTF-8") && out.contains("line 32"),
        "{out}"
    );
}

#[test]
fn values_that_are_not_counts() {
    for (value, hint) in [
        ("-3", "cannot be negative"),
        ("2.5", "whole numbers"),
        ("\"1,234\"", "thousands separator"),
        ("n/a", "leave the cell empty"),
        ("99999999999999999999", "more than 10,000,000"),
        ("9007199254740993", "more than 10,000,000"),
        ("10000001", "more than 10,000,000"),
    ] {
        let text = replace_line(&good(), ",adults,cpd,", |l| {
            let mut p: Vec<String> = l.split(',').map(String::from).collect();
            p[5] = value.to_string();
            p.join(",")
        });
        let out = rejected_with(&text, &["line 10, column 6 (white)", hint]);
        assert!(
            !out.contains("beside filled ones"),
            "a bad cell is one error, not also a blank one:\n{out}"
        );
    }
}

#[test]
fn unknown_codes_and_names() {
    rejected_with(
        &good().replace(",adults,cpd,", ",adults,training,"),
        &["unknown measure", "\"training\"", "the measures are"],
    );
    rejected_with(
        &good().replace(",children,", ",child,"),
        &["unknown service", "\"child\""],
    );
    rejected_with(
        &good().replace(",under_30k,", ",under_25k,"),
        &["unknown pay band", "\"under_25k\""],
    );
    rejected_with(
        &good().replace("E10000015", "E10000099"),
        &["not a council with social services responsibilities"],
    );
    rejected_with(
        &good().replace("E10000015", "Herts"),
        &["not a council GSS code"],
    );
}

#[test]
fn one_council_one_year_no_duplicates() {
    let two = replace_line(&good(), ",children,cpd,", |l| {
        l.replace("E10000015", "E10000012")
    });
    rejected_with(&two, &["holds one council only", "E10000012"]);
    let years = replace_line(&good(), ",children,cpd,", |l| l.replace(",2024,", ",2023,"));
    rejected_with(&years, &["holds one year only"]);
    let dup = good() + "E10000015,2024,adults,cpd,,1,1,1\n";
    rejected_with(&dup, &["appears twice", "first appears at line 10"]);
    rejected_with(
        &good().replace(",2024,", ",2023,"),
        &["the return says 2023, but this is the 2024 collection"],
    );
}

#[test]
fn containment_rules() {
    let text = replace_line(&good(), ",adults,appointed,", |l| {
        let mut p: Vec<String> = l.split(',').map(String::from).collect();
        p[6] = "999".into();
        p.join(",")
    });
    rejected_with(
        &text,
        &["appointed (minoritised, adults) is 999, more than shortlisted (minoritised) 180"],
    );
    let text = replace_line(&good(), ",adults,harassment_managers,", |l| {
        let mut p: Vec<String> = l.split(',').map(String::from).collect();
        p[5] = "5000".into();
        p.join(",")
    });
    rejected_with(
        &text,
        &["harassment_managers (white, adults) is 5000, more than survey_respondents (white) 300"],
    );
}

#[test]
fn warnings_keep_the_return() {
    // More leavers than staff: a warning, the return is used.
    let text = replace_line(&good(), ",adults,leavers,", |l| {
        let mut p: Vec<String> = l.split(',').map(String::from).collect();
        p[5] = "5000".into();
        p.join(",")
    });
    let (code, out) = validate(text.as_bytes());
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("warning:") && out.contains("leavers (white, adults) is 5000"),
        "{out}"
    );
    // A blank measure is not provided, not zero.
    let text = replace_line(&good(), ",adults,cpd,", |l| {
        let p: Vec<&str> = l.split(',').collect();
        format!("{},,,", p[..5].join(","))
    });
    let (code, out) = validate(text.as_bytes());
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("cpd in adults is left blank"), "{out}");
}

#[test]
fn lock_files_and_other_files_are_skipped_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("~$return.xlsx"), b"lock").unwrap();
    std::fs::write(dir.path().join("notes.docx"), b"PK").unwrap();
    std::fs::write(dir.path().join("good.csv"), good()).unwrap();
    let (code, stdout) = validate_dir(dir.path());
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("~$return.xlsx: skipped") && stdout.contains("notes.docx: skipped"),
        "{stdout}"
    );
    assert!(stdout.contains("good.csv: valid"));
}

#[test]
fn the_same_council_twice_rejects_both() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.csv"), good()).unwrap();
    std::fs::write(dir.path().join("b.csv"), good()).unwrap();
    let (code, stdout) = validate_dir(dir.path());
    assert_eq!(code, 1, "{stdout}");
    assert_eq!(
        stdout.matches("another return for E10000015").count(),
        2,
        "{stdout}"
    );
}

#[test]
fn json_format_for_machines() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.csv");
    std::fs::write(&file, good().replace(",adults,cpd,", ",adults,training,")).unwrap();
    let out = scwres()
        .args(["validate", "--format", "json", "--data"])
        .arg(fixture("basic"))
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], false);
    let d = &v["files"][0]["diagnostics"][0];
    assert_eq!(d["severity"], "error");
    assert_eq!(d["place"], "line 10, column 4 (measure)");
    assert_eq!(d["value"], "training");
    assert_eq!(d["rule"], "unknown measure");
}

/// `scwres validate` on the folder of bad-input fixtures: one precise
/// diagnostic per problem, the whole output under snapshot.
#[test]
fn bad_returns_folder_snapshot() {
    let out = scwres()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "validate",
            "tests/fixtures/bad-returns",
            "--year",
            "2024",
            "--data",
            "tests/fixtures/basic",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    // Every bad file is rejected; the stray files are skipped.
    for line in stdout
        .lines()
        .filter(|l| l.starts_with("tests/fixtures/bad-returns/") && !l.contains(", "))
    {
        let skipped = line.contains("notes.docx") || line.contains("~$return.xlsx");
        assert!(
            line.ends_with(if skipped { ": skipped" } else { ": REJECTED" }),
            "{line}"
        );
    }
    insta::assert_snapshot!(stdout);
}

#[test]
fn windows_line_endings_are_fine() {
    let crlf = good().replace('\n', "\r\n");
    let (code, out) = validate(crlf.as_bytes());
    assert_eq!(code, 0, "{out}");
}

/// A year written as the financial year (`2024/25`) on every row is said
/// once, with the year to write, not once per row.
#[test]
fn a_financial_year_is_refused_once_with_the_year_to_write() {
    let text: String = good()
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                l.to_string()
            } else {
                l.replacen(",2024,", ",2024/25,", 1)
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let out = rejected_with(
        &text,
        &["line 2, column 2 (year)", "write 2024 for 2024/25"],
    );
    assert_eq!(
        out.matches("the year must be a whole number").count(),
        1,
        "{out}"
    );
}

/// Without `--year`, a return in a year folder is checked against that
/// year's pay bands from report.yaml, not the defaults; a return outside
/// any year folder, when report.yaml sets bands by year, is refused with
/// the fix rather than checked against the wrong bands.
#[test]
fn validate_without_a_year_uses_the_year_folders_pay_bands() {
    let data = fixture_copy(
        "pay_bands:\n  2024:\n    - { id: low, label: \"Low\", min_salary: 0 }\n    - { id: high, label: \"High\", min_salary: 40000 }\n",
    );
    let ret = data.path().join("returns/2024/hertfordshire.csv");
    let text = std::fs::read_to_string(&ret).unwrap();
    // The fixture's band rows renamed to the configured bands.
    let text = text
        .replace(",under_30k,", ",low,")
        .replace(",30k_to_69k,", ",high,");
    let text: String = text
        .lines()
        .filter(|l| !l.contains(",70k_plus,"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&ret, &text).unwrap();
    let run = |file: &std::path::Path| {
        let o = scwres()
            .arg("validate")
            .arg(file)
            .arg("--data")
            .arg(data.path())
            .output()
            .unwrap();
        (
            o.status.code().unwrap(),
            String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr),
        )
    };
    let (code, out) = run(&ret);
    assert_eq!(code, 0, "{out}");
    let loose = data.path().join("hertfordshire.csv");
    std::fs::write(&loose, &text).unwrap();
    let (code, out) = run(&loose);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("hertfordshire.csv: report.yaml sets pay bands by year")
            && out.contains("--year"),
        "{out}"
    );
}

/// A year folder named other than by four digits (`02024`) is refused, not
/// taken for 2024 (then looked for as `2024` and not found) nor passed over
/// (the run would report 2023 without a word).
#[test]
fn a_year_folder_not_named_by_four_digits_is_named_in_the_message() {
    let data = tempfile::tempdir().unwrap();
    copy_dir(&fixture("basic"), data.path());
    std::fs::rename(
        data.path().join("returns/2024"),
        data.path().join("returns/02024"),
    )
    .unwrap();
    let (_, o) = run_report(data.path());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("02024: a year folder is named by the year's four digits"),
        "{err}"
    );
}

/// A file named on the command line is meant as a return: one that cannot
/// be read as one (Excel's "Unicode Text" export, a note) is refused, never
/// "skipped" with a valid result; in a folder a note is still skipped.
#[test]
fn a_named_file_that_is_not_a_return_is_refused_not_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let mut utf16 = vec![0xFF, 0xFE];
    for u in good().replace(',', "\t").encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    let txt = dir.path().join("our-return.txt");
    std::fs::write(&txt, utf16).unwrap();
    let note = dir.path().join("notes.md");
    std::fs::write(&note, "sent on Friday").unwrap();
    for (file, words) in [
        (&txt, &["our-return.txt", "Unicode Text", "CSV UTF-8"][..]),
        (&note, &["notes.md: not read: not a return file"][..]),
    ] {
        let o = scwres()
            .args(["validate", "--year", "2024", "--data"])
            .arg(fixture("basic"))
            .arg(file)
            .output()
            .unwrap();
        let out =
            String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{out}");
        assert!(out.contains("REJECTED"), "{out}");
        for w in words {
            assert!(out.contains(w), "{w:?} in {out}");
        }
    }
    std::fs::remove_file(&txt).unwrap();
    std::fs::write(dir.path().join("return.csv"), good()).unwrap();
    let (code, out) = validate_dir(dir.path());
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("notes.md: skipped"), "{out}");
}

/// A blank count beside filled ones is an error, not a quiet "not
/// provided": one blank cell of the adults' headcount would otherwise drop
/// the adults' staff from five indicators while the return passed. A row
/// left wholly blank stays a declared gap (a warning), as the
/// specification says; headcount given for some bands only is an error.
#[test]
fn a_blank_count_beside_filled_ones_is_an_error() {
    let blank_cell = replace_line(&good(), ",adults,headcount,30k_to_69k,", |l| {
        let mut p: Vec<String> = l.split(',').map(String::from).collect();
        p[6] = String::new();
        p.join(",")
    });
    rejected_with(
        &blank_cell,
        &[
            "line 3",
            "headcount (30k_to_69k) in adults has a blank count (minoritised) beside filled ones",
            "0 where there were none",
        ],
    );
    let blank_band = replace_line(&good(), ",children,headcount,70k_plus,", |l| {
        let mut p: Vec<String> = l.split(',').map(String::from).collect();
        for v in &mut p[5..8] {
            v.clear();
        }
        p.join(",")
    });
    rejected_with(
        &blank_band,
        &[
            "line 19",
            "headcount in children is given for some pay bands but not for 70k_plus",
        ],
    );
    // A measure left wholly blank is a declared gap: kept, with a warning.
    let blank_row = replace_line(&good(), ",adults,cpd,", |l| {
        let mut p: Vec<String> = l.split(',').map(String::from).collect();
        for v in &mut p[5..8] {
            v.clear();
        }
        p.join(",")
    });
    let (code, out) = validate(blank_row.as_bytes());
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("cpd in adults is left blank"), "{out}");
}
