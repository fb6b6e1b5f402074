//! The action plan written in Excel: the Action plan sheet of the return
//! workbook (`scwres template`) is read into the same plan as the YAML file,
//! so a council's report is the same whichever it sends; its problems are
//! placed by cell. The workbook is filled here cell by cell, as a person
//! would, by address (`A7`), not from the reader's layout constants.

use crate::common::*;
use std::io::{Read as _, Write as _};

/// The template for Hertfordshire (`scwres template --from` its return).
fn template(dir: &std::path::Path) -> Vec<u8> {
    let out = dir.join("template.xlsx");
    let o = scwres()
        .args(["template", "--year", "2024", "--data"])
        .arg(fixture("basic"))
        .arg("--from")
        .arg(fixture("basic/returns/2024/hertfordshire.csv"))
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    std::fs::read(out).unwrap()
}

/// The workbook with text typed into cells of the sheet named `sheet`.
fn typed(xlsx: &[u8], sheet: &str, cells: &[(&str, &str)]) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx.to_vec())).unwrap();
    // Which part is the sheet: workbook.xml names it, its rels give the file.
    let part = |zip: &mut zip::ZipArchive<std::io::Cursor<Vec<u8>>>, name: &str| {
        let mut s = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    };
    let wbxml = part(&mut zip, "xl/workbook.xml");
    let at = wbxml.find(&format!("name=\"{sheet}\"")).expect("the sheet");
    let rid = wbxml[at..]
        .split("r:id=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let rels = part(&mut zip, "xl/_rels/workbook.xml.rels");
    let at = rels.find(&format!("Id=\"{rid}\"")).unwrap();
    let rel = &rels[rels[..at].rfind('<').unwrap()..];
    let target = rel
        .split("Target=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let target = format!("xl/{}", target.trim_start_matches("/xl/"));
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        if name == target {
            let mut xml = String::from_utf8(data).unwrap();
            for (cell, text) in cells {
                // The template's empty input cell `<c r="A7" s="N"/>`.
                let open = format!("<c r=\"{cell}\"");
                let start = xml
                    .find(&open)
                    .unwrap_or_else(|| panic!("{cell} in the template"));
                let end = start + xml[start..].find("/>").unwrap() + 2;
                let style = xml[start..end]
                    .split("s=\"")
                    .nth(1)
                    .map(|s| format!(" s=\"{}\"", s.split('"').next().unwrap()))
                    .unwrap_or_default();
                let esc = text.replace('&', "&amp;").replace('<', "&lt;");
                xml.replace_range(
                    start..end,
                    &format!("<c r=\"{cell}\"{style} t=\"inlineStr\"><is><t>{esc}</t></is></c>"),
                );
            }
            data = xml.into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// The fixture's Hertfordshire plan, typed into rows 7 and 8.
const ACTIONS: [(&str, &str); 12] = [
    ("A7", "Interview panels with #hash, [brackets] & *stars*"),
    ("B7", "2"),
    ("C7", "Head of HR"),
    ("D7", "2025-03-31"),
    ("E7", "in progress"),
    ("F7", "Appointment RL within 0.80 to 1.25"),
    ("A8", "Exit interviews for every leaver"),
    ("B8", "8"),
    ("C8", "Workforce lead"),
    ("D8", "2025-12-31"),
    ("E8", "Not started"),
    ("F8", "Leaving RL within range"),
];

/// The same plan as the fixture's YAML, sent as the return workbook: the
/// council's report is the same, byte for byte.
#[test]
fn a_plan_on_the_workbook_sheet_gives_the_report_the_yaml_plan_gives() {
    let dir = tempfile::tempdir().unwrap();
    let xlsx = typed(&template(dir.path()), "Action plan", &ACTIONS);
    let (yaml_run, _) = read_report(&fixture("basic"));
    let data = fixture_copy("");
    std::fs::remove_file(data.path().join("actions/2024/hertfordshire.yaml")).unwrap();
    std::fs::write(data.path().join("actions/2024/hertfordshire.xlsx"), &xlsx).unwrap();
    let (xlsx_run, o) = run_report(data.path());
    let err = String::from_utf8_lossy(&o.stderr);
    let name = "2024/public/local/E10000015-hertfordshire.pdf";
    let from_xlsx = std::fs::read(xlsx_run.path().join(name)).unwrap_or_else(|_| panic!("{err}"));
    assert!(
        squash(&pdf_text(&xlsx_run.path().join(name)))
            .contains(&squash("Exit interviews for every leaver")),
        "the plan is in the report"
    );
    assert_eq!(
        from_xlsx,
        std::fs::read(yaml_run.path().join(name)).unwrap()
    );
}

/// A plan's problems on the sheet are placed by cell, every one of them.
#[test]
fn a_plan_sheets_problems_are_placed_by_cell() {
    let dir = tempfile::tempdir().unwrap();
    let mut cells = ACTIONS.to_vec();
    cells[10] = ("E8", "underway");
    cells[1] = ("B7", "10");
    cells.retain(|(c, _)| *c != "C8");
    let xlsx = typed(&template(dir.path()), "Action plan", &cells);
    let plan = dir.path().join("plan.xlsx");
    std::fs::write(&plan, xlsx).unwrap();
    let o = scwres()
        .arg("local")
        .arg("--return")
        .arg(fixture("basic/returns/2024/hertfordshire.csv"))
        .arg("--benchmarks")
        .arg({
            let (out, _) = read_report(&fixture("basic"));
            let b = dir.path().join("benchmarks.csv");
            std::fs::copy(out.path().join("2024/public/benchmarks.csv"), &b).unwrap();
            std::fs::copy(
                out.path().join("2024/public/publication.json"),
                dir.path().join("publication.json"),
            )
            .unwrap();
            b
        })
        .arg("--data")
        .arg(fixture("basic"))
        .arg("--actions")
        .arg(&plan)
        .arg("-o")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_ne!(o.status.code(), Some(0), "{err}");
    for w in [
        "plan.xlsx, Action plan!B7: not an SC-WRES indicator (found \"10\")",
        "plan.xlsx, Action plan!C8: required text is missing",
        "plan.xlsx, Action plan!E8: not a known status (found \"underway\")",
    ] {
        assert!(err.contains(w), "{w:?} in {err}");
    }
}
