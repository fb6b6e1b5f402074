//! The three encodings of a return: a filled-in template, its CSV twin and
//! its YAML twin give exactly the same return; Excel quirks are read as a
//! person meant them; broken files get a precise message.

use crate::common::*;
use rust_xlsxwriter::{Formula, Workbook};
use scwres::indicators::{Measure, default_bands};
use scwres::load::{self, FileOutcome, Status, validate};
use scwres::model::Return;
use scwres::register::Register;
use std::path::Path;

fn register() -> Register {
    scwres::load::load_register(&scwres::load::Folder::new(&fixture("basic"))).unwrap()
}

fn load_with(reg: &Register, path: &Path, shown: &str) -> (FileOutcome, Option<Return>) {
    let bands = default_bands();
    let ctx = validate::Context::new(reg, &bands, Some(2024), &scwres::config::Config::default());
    load::load_file(path, shown, &ctx)
}

fn load(path: &Path) -> (FileOutcome, Option<Return>) {
    load_with(&register(), path, &path.display().to_string())
}

fn csv_return() -> Return {
    load(&fixture("basic/returns/2024/hertfordshire.csv"))
        .1
        .unwrap()
}

/// The YAML twin of a return, written out by hand from its counts.
fn to_yaml(r: &Return) -> String {
    let mut y = format!(
        "authority_code: {}\nyear: {}\nservices:\n",
        r.authority_code, r.year
    );
    for (s, sr) in &r.services {
        y.push_str(&format!("  {}:\n    headcount:\n", s.id()));
        for (b, t) in &sr.bands {
            let t = t.unwrap();
            y.push_str(&format!(
                "      {b}: {{ white: {}, minoritised: {}, unknown: {} }}\n",
                t.white, t.minoritised, t.unknown
            ));
        }
        for (m, t) in &sr.measures {
            match t {
                Some(t) => y.push_str(&format!(
                    "    {}: {{ white: {}, minoritised: {}, unknown: {} }}\n",
                    m.id(),
                    t.white,
                    t.minoritised,
                    t.unknown
                )),
                None => y.push_str(&format!("    {}: ~\n", m.id())),
            }
        }
    }
    y
}

fn same(a: &Return, b: &Return) {
    assert_eq!(a.authority_code, b.authority_code);
    assert_eq!(a.year, b.year);
    assert_eq!(a.services, b.services);
}

#[test]
fn template_csv_and_yaml_twins_give_the_same_return() {
    let dir = tempfile::tempdir().unwrap();
    let csv = csv_return();
    let xlsx = dir.path().join("herts.xlsx");
    let bytes =
        scwres::template::workbook(2024, &default_bands(), &register(), Some(&csv), None).unwrap();
    std::fs::write(&xlsx, bytes).unwrap();
    let yaml = dir.path().join("herts.yaml");
    std::fs::write(&yaml, to_yaml(&csv)).unwrap();
    let (ox, rx) = load(&xlsx);
    let (oy, ry) = load(&yaml);
    let (oc, _) = load(&fixture("basic/returns/2024/hertfordshire.csv"));
    same(&csv, &rx.unwrap_or_else(|| panic!("{:#?}", ox.diagnostics)));
    same(&csv, &ry.unwrap_or_else(|| panic!("{:#?}", oy.diagnostics)));
    // And they are reported identically: the same rules, the same verdicts.
    let rules = |o: &FileOutcome| {
        o.diagnostics
            .iter()
            .map(|d| d.rule.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(rules(&oc), rules(&ox));
    assert_eq!(rules(&oc), rules(&oy));
}

#[test]
fn the_blank_template_has_the_layout_the_reader_expects() {
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("blank.xlsx");
    std::fs::write(
        &xlsx,
        scwres::template::workbook(2024, &default_bands(), &register(), None, None).unwrap(),
    )
    .unwrap();
    let (o, r) = load(&xlsx);
    assert!(r.is_none());
    let text: Vec<String> = o.diagnostics.iter().map(|d| d.to_string()).collect();
    assert!(
        text.iter()
            .any(|d| d.contains("Return!C7") && d.contains("no figures are filled in")),
        "{text:?}"
    );
}

/// The Return sheet as the guide describes it (docs/returns.md), by
/// address, not from the reader's layout: code in B3, year in B4, the
/// header in row 6, then one row per measure and band from row 7 (the
/// three headcount bands, then the other twelve measures), adults in C to
/// E, children in F to H.
const HEADER: [&str; 9] = [
    "Measure",
    "Pay band",
    "Adults: white",
    "Adults: minoritised",
    "Adults: unknown",
    "Children: white",
    "Children: minoritised",
    "Children: unknown",
    "What to count",
];
const ROWS: [(&str, &str); 15] = [
    ("headcount", "under_30k"),
    ("headcount", "30k_to_69k"),
    ("headcount", "70k_plus"),
    ("shortlisted", ""),
    ("appointed", ""),
    ("disciplinary", ""),
    ("regulated_professionals", ""),
    ("fitness_to_practise", ""),
    ("cpd", ""),
    ("leavers", ""),
    ("senior_managers", ""),
    ("survey_respondents", ""),
    ("harassment_public", ""),
    ("harassment_colleagues", ""),
    ("harassment_managers", ""),
];
/// Row 7, 0-based.
const FIRST: u32 = 6;

/// A workbook in the template layout written cell by cell, as a person might
/// fill it: numbers typed as text with spaces, formulas, blanks.
fn hand_filled(dir: &Path, edit: impl Fn(u32, u16) -> Option<Cell>) -> std::path::PathBuf {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("Return").unwrap();
    ws.write_string(2, 1, "E10000015").unwrap();
    ws.write_number(3, 1, 2024).unwrap();
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string(5, c as u16, *h).unwrap();
    }
    let csv = csv_return();
    let adults = &csv.services[&scwres::indicators::Service::Adults];
    for (i, (m, band)) in ROWS.iter().enumerate() {
        let r = FIRST + i as u32;
        ws.write_string(r, 0, *m).unwrap();
        ws.write_string(r, 1, *band).unwrap();
        let m = Measure::ALL.into_iter().find(|x| x.id() == *m).unwrap();
        let t = if m == Measure::Headcount {
            adults.band(band)
        } else {
            adults.get(m)
        }
        .unwrap();
        for (g, v) in [t.white, t.minoritised, t.unknown].into_iter().enumerate() {
            let col = 2 + g as u16;
            match edit(r, col) {
                Some(Cell::Text(s)) => ws.write_string(r, col, s).unwrap(),
                Some(Cell::Formula(f, cached)) => ws
                    .write_formula(r, col, Formula::new(f).set_result(cached))
                    .unwrap(),
                Some(Cell::Blank) => ws,
                None => ws.write_number(r, col, v as f64).unwrap(),
            };
        }
    }
    let path = dir.join("hand.xlsx");
    std::fs::write(&path, wb.save_to_buffer().unwrap()).unwrap();
    path
}

enum Cell {
    Text(String),
    Formula(String, String),
    Blank,
}

#[test]
fn excel_quirks_text_numbers_formulas_and_blanks() {
    let dir = tempfile::tempdir().unwrap();
    let csv = csv_return();
    let want = csv.services[&scwres::indicators::Service::Adults].clone();
    // Row 7 is headcount under_30k: white typed as text with spaces; the
    // minoritised count a formula whose cached value is read.
    let path = hand_filled(dir.path(), |r, c| match (r, c) {
        (6, 2) => Some(Cell::Text(format!(
            " {} ",
            want.band("under_30k").unwrap().white
        ))),
        (6, 3) => Some(Cell::Formula(
            "=50+10".into(),
            want.band("under_30k").unwrap().minoritised.to_string(),
        )),
        _ => None,
    });
    let (o, r) = load(&path);
    let r = r.unwrap_or_else(|| panic!("{:#?}", o.diagnostics));
    assert_eq!(r.services[&scwres::indicators::Service::Adults], want);
    assert!(
        !r.services
            .contains_key(&scwres::indicators::Service::Children),
        "blank block = service not returned"
    );

    // Blank stays blank (not provided), not zero: cpd is row 6 + 3 bands + 5.
    let cpd_row = FIRST + 8;
    let path = hand_filled(dir.path(), |r, _| (r == cpd_row).then_some(Cell::Blank));
    let (o, r) = load(&path);
    assert_eq!(
        r.unwrap().services[&scwres::indicators::Service::Adults].get(Measure::Cpd),
        None
    );
    assert!(
        o.diagnostics
            .iter()
            .any(|d| d.rule.contains("cpd in adults is left blank")),
        "{:#?}",
        o.diagnostics
    );

    // A bad value is named by sheet and cell.
    let path = hand_filled(dir.path(), |r, c| {
        (r == cpd_row && c == 3).then(|| Cell::Text("n/a".into()))
    });
    let (o, _) = load(&path);
    assert_eq!(o.status, Status::Rejected);
    let d = o.diagnostics.iter().find(|d| d.is_error()).unwrap();
    assert_eq!(d.place, format!("Return!D{}", cpd_row + 1));
    assert_eq!(d.value.as_deref(), Some("n/a"));

    // Every problem from a workbook names its cell: a blank count beside
    // filled ones, and a count above its population (CPD of minoritised
    // staff above their headcount), each at its own cell; a row wholly
    // blank at the row's cells.
    let path = hand_filled(dir.path(), |r, c| {
        (r == cpd_row && c == 3).then_some(Cell::Blank)
    });
    let (o, _) = load(&path);
    let d = o
        .diagnostics
        .iter()
        .find(|d| d.rule.contains("beside filled"))
        .unwrap();
    assert_eq!(d.place, format!("Return!D{}", cpd_row + 1), "{d:?}");
    let path = hand_filled(dir.path(), |r, c| {
        (r == cpd_row && c == 3).then(|| Cell::Text("999999".into()))
    });
    let (o, _) = load(&path);
    let d = o
        .diagnostics
        .iter()
        .find(|d| d.rule.contains("more than"))
        .unwrap();
    assert_eq!(d.place, format!("Return!D{}", cpd_row + 1), "{d:?}");
    let path = hand_filled(dir.path(), |r, _| (r == cpd_row).then_some(Cell::Blank));
    let (o, _) = load(&path);
    let d = o
        .diagnostics
        .iter()
        .find(|d| d.rule.contains("left blank"))
        .unwrap();
    assert_eq!(d.place, format!("Return!C{0}:E{0}", cpd_row + 1), "{d:?}");
}

#[track_caller]
fn rejected(name: &str, bytes: &[u8], expect: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let (o, r) = load(&path);
    assert!(r.is_none());
    assert_eq!(o.status, Status::Rejected);
    let all: String = o.diagnostics.iter().map(|d| d.to_string() + "\n").collect();
    assert!(all.contains(expect), "expected {expect:?} in:\n{all}");
}

#[test]
fn broken_workbooks() {
    rejected("r.xlsx", b"", "the file is empty");
    rejected(
        "r.xlsx",
        b"this is not a zip file at all",
        "not a readable .xlsx workbook",
    );
    let mut cfb = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    cfb.extend([0u8; 504]);
    rejected("r.xlsx", &cfb, "password-protected");
    let mut wb = Workbook::new();
    wb.add_worksheet().set_name("Sheet1").unwrap();
    rejected(
        "r.xlsx",
        &wb.save_to_buffer().unwrap(),
        "no sheet named `Return`",
    );
    let mut wb = Workbook::new();
    wb.add_worksheet()
        .set_name("Return")
        .unwrap()
        .write_string(5, 0, "Things")
        .unwrap();
    rejected(
        "r.xlsx",
        &wb.save_to_buffer().unwrap(),
        "expected the heading `Measure`",
    );
}

#[test]
fn broken_yaml() {
    let good = to_yaml(&csv_return());
    rejected("r.yaml", b"", "the file is empty");
    rejected(
        "r.yaml",
        b"authority_code: [unclosed",
        "not readable as YAML",
    );
    rejected(
        "r.yaml",
        good.replace("year: 2024", "year: 2024\ncolour: blue")
            .as_bytes(),
        "unknown key `colour`",
    );
    rejected(
        "r.yaml",
        good.replacen("white: ", "whites: ", 1).as_bytes(),
        "unknown group `whites`",
    );
    rejected(
        "r.yaml",
        good.replacen("white: ", "white: [1, 2], x: ", 1).as_bytes(),
        "services.adults.headcount.under_30k.white: not a whole number of 0 or more (found \"[1, 2]\")",
    );
    rejected(
        "r.yaml",
        good.replacen("appointed: {", "apointed: {", 1).as_bytes(),
        "unknown measure",
    );
    let bad = good.replacen("cpd: { white: ", "cpd: { white: 2.5, w: ", 1);
    rejected("r.yaml", bad.as_bytes(), "unknown group `w`");
    rejected(
        "r.yaml",
        good.replacen("cpd: { white: ", "cpd: { white: -", 1)
            .as_bytes(),
        "services.adults.cpd.white",
    );
}

#[test]
fn billion_laughs_is_refused_by_the_guard() {
    let mut y = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for w in names.windows(2) {
        let refs = vec![format!("*{}", w[0]); 9].join(",");
        y.push_str(&format!("{}: &{} [{refs}]\n", w[1], w[1]));
    }
    // Refused by the guard before any parser expands it (the message is
    // the guard's): no expansion, whatever the machine's speed.
    rejected(
        "bomb.yaml",
        y.as_bytes(),
        "bomb.yaml, line 1: YAML anchors and aliases (& and *) are not accepted",
    );
}

#[test]
fn shipped_examples_are_twins() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/examples");
    let reg = Register::built_in();
    let read = |name: &str| {
        let (o, r) = load_with(&reg, &dir.join(name), name);
        r.unwrap_or_else(|| panic!("{name}: {:#?}", o.diagnostics))
    };
    let csv = read("return-example.csv");
    same(&csv, &read("return-example.xlsx"));
    same(&csv, &read("return-example.yaml"));
}
