//! Staff records read right: the cases an HR export or a spreadsheet
//! really produces, each through the one entry point the command line and
//! the browser share (`extract::extract`), from bytes made here.

use scwres_extract::diag::Diagnostic;
use scwres_extract::extract::{Asking, Extracted, Named, Request, extract};
use scwres_extract::indicators::{Measure, Service, default_bands};

const HEAD: &str = "person_id,service,ethnicity,salary,regulated,senior_manager\n";

fn run(staff: (&str, &[u8]), leavers: Option<&str>, events: Option<&str>) -> Extracted {
    let bands = default_bands();
    let named = |shown: &'static str, text: Option<&'static str>| {
        text.map(|t| Named {
            shown,
            bytes: Some(t.as_bytes()),
        })
    };
    // Leaked for the test's brief life: the request borrows its inputs.
    let leavers: Option<&'static str> =
        leavers.map(|s| &*Box::leak(s.to_string().into_boxed_str()));
    let events: Option<&'static str> = events.map(|s| &*Box::leak(s.to_string().into_boxed_str()));
    extract(&Request {
        authority: "E06000042",
        year: 2024,
        bands: &bands,
        staff: Named {
            shown: staff.0,
            bytes: Some(staff.1),
        },
        leavers: named("leavers.csv", leavers),
        events: named("events.csv", events),
        recruitment: None,
        survey: None,
        ethnicity_map: None,
        asking: Asking::Page,
    })
}

fn errors(x: &Extracted) -> Vec<&Diagnostic> {
    x.diagnostics.iter().filter(|d| d.is_error()).collect()
}

fn staff_csv(rows: &[&str]) -> Vec<u8> {
    let mut s = HEAD.to_string();
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s.into_bytes()
}

/// `P1 ` and `P1` are one person: a duplicate, and a leaver still in post.
#[test]
fn person_ids_are_compared_after_trimming() {
    let staff = staff_csv(&[
        "P1 ,adults,White: Irish,31000,no,no",
        "P1,adults,White: Irish,31000,no,no",
    ]);
    let x = run(("staff.csv", &staff), None, None);
    let e = errors(&x);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].rule.contains("the same person_id on 2 rows"), "{e:?}");

    let staff = staff_csv(&["P1,adults,White: Irish,31000,no,no"]);
    let x = run(
        ("staff.csv", &staff),
        Some("person_id,service,ethnicity\nP1  ,adults,White: Irish\n"),
        None,
    );
    let e = errors(&x);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].rule
            .contains("both in the staff file and among the leavers"),
        "{e:?}"
    );
    assert!(x.ret.is_none());
}

/// A salary of 0 is refused, never counted in the lowest band (whose
/// min_salary is 0).
#[test]
fn a_salary_of_zero_is_refused() {
    let staff = staff_csv(&[
        "P1,adults,White: Irish,0,no,no",
        "P2,adults,White: Irish,£0.00,no,no",
        "P3,adults,White: Irish,31000,no,no",
    ]);
    let x = run(("staff.csv", &staff), None, None);
    let e = errors(&x);
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(
        e.iter().all(|d| d.rule.starts_with("a salary of £0")),
        "{e:?}"
    );
    assert_eq!(e[0].place, "line 2, column salary");
    assert!(x.ret.is_none());
}

/// A workbook of staff whose salary cells hold a formula's result with
/// fractional pence: rounded to the penny and banded, not refused as
/// another locale's number.
#[test]
fn a_salary_cell_with_fractional_pence_is_rounded_to_the_penny() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in HEAD.trim().split(',').enumerate() {
        ws.write_string(0, c as u16, h).unwrap();
    }
    let rows: [(&str, f64); 3] = [("P1", 54985.8333), ("P2", 29999.996), ("P3", 70000.0)];
    for (r, (id, salary)) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        ws.write_string(r, 0, *id).unwrap();
        ws.write_string(r, 1, "adults").unwrap();
        ws.write_string(r, 2, "White: Irish").unwrap();
        ws.write_number(r, 3, *salary).unwrap();
        ws.write_string(r, 4, "no").unwrap();
        ws.write_string(r, 5, "no").unwrap();
    }
    let bytes = wb.save_to_buffer().unwrap();
    let x = run(("staff.xlsx", &bytes), None, None);
    assert!(errors(&x).is_empty(), "{:?}", x.diagnostics);
    let ret = x.ret.unwrap();
    let adults = &ret.services[&Service::Adults];
    // 29999.996 is £30,000.00 to the penny: the middle band, with 54985.83.
    let band = |id: &str| adults.band(id).unwrap().white;
    assert_eq!(
        (band("under_30k"), band("30k_to_69k"), band("70k_plus")),
        (0, 2, 1)
    );
}

/// Ids a spreadsheet turned into numbers are named as such: within a file
/// (others keep their zeros) and across files (an event's `7` is the staff
/// file's `0007`).
#[test]
fn ids_that_lost_their_leading_zeros_are_named() {
    let staff = staff_csv(&[
        "0001,adults,White: Irish,31000,no,no",
        "0002,adults,White: Irish,31000,no,no",
        "3,adults,White: Irish,31000,no,no",
    ]);
    let x = run(("staff.csv", &staff), None, None);
    let e = errors(&x);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].rule.contains("lost its leading zeros"), "{e:?}");
    assert_eq!(e[0].value.as_deref(), Some("3"));

    let staff = staff_csv(&[
        "0001,adults,White: Irish,31000,no,no",
        "0007,adults,White: Irish,31000,no,no",
    ]);
    let x = run(
        ("staff.csv", &staff),
        None,
        Some("person_id,event\n7,cpd\n1,cpd\n"),
    );
    let e = errors(&x);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].rule.contains("2 events for a person in neither"),
        "{e:?}"
    );
    assert!(
        e[0].hint
            .as_deref()
            .unwrap()
            .contains("lost their leading zeros"),
        "{e:?}"
    );
}

/// A title above the header is named as the cause, with the header's line.
#[test]
fn a_title_row_above_the_header_is_named() {
    let mut text = String::from("Staff in post at 31 March 2024,,,,,\n,,,,,\n");
    text.push_str(HEAD);
    text.push_str("P1,adults,White: Irish,31000,no,no\n");
    let x = run(("staff.csv", text.as_bytes()), None, None);
    let e = errors(&x);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].place, "line 3");
    assert!(
        e[0].rule
            .contains("the header row is at line 3, below a title"),
        "{e:?}"
    );

    // Without a header anywhere, the missing columns are listed.
    let x = run(("staff.csv", b"a,b\n1,2\n"), None, None);
    assert!(errors(&x).len() >= 6, "{:?}", x.diagnostics);
    assert!(errors(&x)[0].rule.starts_with("missing required column"));
}

/// The page's words: a file not chosen is named by its kind, not by a
/// command-line option.
#[test]
fn a_file_not_chosen_is_named_for_the_page() {
    let staff = staff_csv(&["P1,adults,White: Irish,31000,no,no"]);
    let x = run(("staff.csv", &staff), None, None);
    let w: Vec<&str> = x.diagnostics.iter().map(|d| d.rule.as_str()).collect();
    assert!(
        w.contains(&"no leavers file: leavers left blank (not provided)"),
        "{w:?}"
    );
    assert!(w.iter().all(|r| !r.contains("--")), "{w:?}");
    let ret = x.ret.unwrap();
    assert_eq!(
        ret.services[&Service::Adults].measures[&Measure::Leavers],
        None
    );
}
