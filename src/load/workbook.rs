//! The return workbook: its layout (shared with the template writer) and
//! the reader of a filled-in `.xlsx` (calamine). Like the CSV reader, it only
//! turns cells into raw cells with places (`Return!D7`); the rules live in
//! `validate`.

use super::diag::Diagnostic;
use super::validate::{Cell, RawRow, Read};
use crate::indicators::{Band, Measure, Service};
use calamine::{Data, Reader, Xlsx};

pub const RETURN_SHEET: &str = "Return";
pub const COVER_SHEET: &str = "Cover";
pub const LISTS_SHEET: &str = "Lists";
/// Council code and year: column B of these rows (0-based row numbers).
pub const CODE_ROW: u32 = 2;
pub const YEAR_ROW: u32 = 3;
pub const HEADER_ROW: u32 = 5;
pub const FIRST_DATA_ROW: u32 = 6;
/// Services side by side: white, minoritised, unknown for each.
pub const SERVICE_COLUMNS: [(Service, u16); 2] = [(Service::Adults, 2), (Service::Children, 5)];
pub const GROUPS: [&str; 3] = ["white", "minoritised", "unknown"];
/// Workbooks larger than this are refused before they are unpacked.
const MAX_BYTES: usize = 20 << 20;

/// The data rows of the template, in order: (measure, band id or "").
pub fn data_rows(bands: &[Band]) -> Vec<(Measure, String)> {
    let mut rows: Vec<(Measure, String)> = bands
        .iter()
        .map(|b| (Measure::Headcount, b.id.clone()))
        .collect();
    rows.extend(
        Measure::ALL
            .into_iter()
            .filter(|m| *m != Measure::Headcount)
            .map(|m| (m, String::new())),
    );
    rows
}

/// The header of the data table, one row.
pub fn header() -> Vec<String> {
    let mut h = vec!["Measure".to_string(), "Pay band".to_string()];
    for (s, _) in SERVICE_COLUMNS {
        let name = if s == Service::Adults {
            "Adults"
        } else {
            "Children"
        };
        for g in GROUPS {
            h.push(format!("{name}: {g}"));
        }
    }
    h.push("What to count".into());
    h
}

/// How date and formula cells read as text: the extraction core's.
pub use scwres_extract::cells::{DATE_CELL, FORMULA_CELL, excel_date};

/// `Return!D7` for a 0-based row and column.
pub fn cell_name(row: u32, col: u16) -> String {
    let mut letters = String::new();
    let mut c = col as u32 + 1;
    while c > 0 {
        let r = (c - 1) % 26;
        letters.insert(0, (b'A' + r as u8) as char);
        c = (c - 1) / 26;
    }
    format!("{RETURN_SHEET}!{letters}{}", row + 1)
}

fn text(d: Option<&Data>) -> String {
    match d {
        None | Some(Data::Empty) => String::new(),
        Some(Data::Int(i)) => i.to_string(),
        Some(Data::Float(f)) if f.fract() == 0.0 && f.abs() < 1e18 => format!("{}", *f as i64),
        Some(Data::Float(f)) => f.to_string(),
        Some(Data::String(s)) => s.clone(),
        Some(Data::Bool(b)) => if *b { "TRUE" } else { "FALSE" }.into(),
        // A cell Excel stores as a date (`3/4` typed into a count) is not
        // its serial number: shown as a date, which `validate` refuses.
        Some(Data::DateTime(d)) => format!("{DATE_CELL}{}", excel_date(d.as_f64())),
        Some(Data::DateTimeIso(s) | Data::DurationIso(s)) => s.clone(),
        // Shown as found (`#DIV/0!`); `validate` says it is not a count.
        Some(Data::Error(e)) => e.to_string(),
    }
}

/// Opens a workbook's bytes behind the guards: the old or a
/// password-protected format refused, the package's parts checked
/// (`guard::xlsx`) before calamine reads them.
pub(crate) fn open<'a>(
    file: &str,
    bytes: &'a [u8],
) -> Result<Xlsx<std::io::Cursor<&'a [u8]>>, Vec<Diagnostic>> {
    let fail = |rule: String, hint: &str| vec![Diagnostic::error(file, "", rule).hint(hint)];
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(fail(
            "the workbook is password-protected or in the old .xls format".into(),
            "remove the password (File > Info > Protect Workbook) and save as .xlsx",
        ));
    }
    if let Err(r) = super::guard::xlsx(bytes) {
        return Err(vec![Diagnostic::error(file, &r.place, r.rule).hint(r.hint)]);
    }
    calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).map_err(|e| {
        fail(
            format!("the file is not a readable .xlsx workbook ({e})"),
            "open it in Excel and save it again as an Excel Workbook (.xlsx)",
        )
    })
}

/// Splits a filled-in return workbook into raw rows.
pub fn read(file: &str, bytes: &[u8], bands: &[Band]) -> Result<Read, Vec<Diagnostic>> {
    let fail = |rule: String, hint: &str| Err(vec![Diagnostic::error(file, "", rule).hint(hint)]);
    if bytes.is_empty() {
        return fail(
            "the file is empty".into(),
            "save the return workbook again from Excel",
        );
    }
    if bytes.len() > MAX_BYTES {
        return fail(
            format!(
                "the workbook is {} MB, too large to be a return",
                bytes.len() >> 20
            ),
            "a return workbook is well under 1 MB; send the template filled in",
        );
    }
    let mut wb = open(file, bytes)?;
    let has_sheet = wb.sheet_names().iter().any(|n| n == RETURN_SHEET);
    let range = match wb.worksheet_range(RETURN_SHEET) {
        Ok(r) => r,
        Err(_) if !has_sheet => {
            return fail(
                format!("the workbook has no sheet named `{RETURN_SHEET}`"),
                "use the template made by `scwres template` and keep its sheet names",
            );
        }
        Err(e) => {
            let why: String = e.to_string().chars().take(200).collect();
            return fail(
                format!(
                    "the sheet `{RETURN_SHEET}` cannot be read: the workbook is damaged ({why})"
                ),
                "open it in Excel and save it again as an Excel Workbook (.xlsx)",
            );
        }
    };
    // Formulas: a formula cell without a saved value is not blank.
    let formulas = wb.worksheet_formula(RETURN_SHEET).ok();
    let get = |row: u32, col: u16| range.get_value((row, col as u32));
    let unsaved = |row: u32, col: u16| -> Option<String> {
        let f = formulas.as_ref()?.get_value((row, col as u32))?;
        let blank = match get(row, col) {
            None | Some(Data::Empty) => true,
            Some(Data::String(s)) => s.is_empty(),
            _ => false,
        };
        (!f.is_empty() && blank).then(|| format!("{FORMULA_CELL}={f}"))
    };
    let cell = |row: u32, col: u16| Cell {
        text: unsaved(row, col).unwrap_or_else(|| text(get(row, col))),
        place: cell_name(row, col),
    };

    // The layout must be the template's: check the header row.
    let expected = header();
    for (c, h) in expected.iter().enumerate() {
        let found = text(get(HEADER_ROW, c as u16));
        if found.trim() != h {
            return Err(vec![
                Diagnostic::error(file, cell_name(HEADER_ROW, c as u16), format!("expected the heading `{h}`"))
                    .value(found)
                    .hint("the layout of the Return sheet was changed; copy the figures into a new template"),
            ]);
        }
    }
    let code = cell(CODE_ROW, 1);
    let year = cell(YEAR_ROW, 1);
    let rows = data_rows(bands);
    let mut out = Vec::new();
    for (service, first_col) in SERVICE_COLUMNS {
        // A service whose block is entirely blank is not part of the return.
        let filled = (0..rows.len() as u32).any(|r| {
            (0..3).any(|g| {
                !matches!(
                    get(FIRST_DATA_ROW + r, first_col + g),
                    None | Some(Data::Empty)
                ) || unsaved(FIRST_DATA_ROW + r, first_col + g).is_some()
            })
        });
        if !filled {
            continue;
        }
        for i in 0..rows.len() as u32 {
            let r = FIRST_DATA_ROW + i;
            let svc = Cell {
                text: service.id().into(),
                place: cell_name(HEADER_ROW, first_col),
            };
            out.push(RawRow {
                // The row's three cells of this service, `Return!F11:H11`.
                place: format!(
                    "{}:{}",
                    cell_name(r, first_col),
                    cell_name(r, first_col + 2).trim_start_matches(&format!("{RETURN_SHEET}!"))
                ),
                cells: [
                    code.clone(),
                    year.clone(),
                    svc,
                    cell(r, 0),
                    cell(r, 1),
                    cell(r, first_col),
                    cell(r, first_col + 1),
                    cell(r, first_col + 2),
                ],
            });
        }
    }
    if out.is_empty() {
        return Err(vec![
            Diagnostic::error(
                file,
                cell_name(FIRST_DATA_ROW, 2),
                "no figures are filled in",
            )
            .hint("fill in the columns of the services you run"),
        ]);
    }
    // Figures typed below the table (a row added by hand) are not part of
    // the return: say so rather than leave them out silently.
    let last = FIRST_DATA_ROW + rows.len() as u32;
    let (height, width) = range.end().map_or((0, 0), |(r, c)| (r + 1, c + 1));
    let mut diags = Vec::new();
    for r in last..height {
        for c in 0..width.min(SERVICE_COLUMNS[1].1 as u32 + 3) {
            if !matches!(range.get_value((r, c)), None | Some(Data::Empty)) {
                diags.push(
                    Diagnostic::error(file, cell_name(r, c as u16), "a value below the return's table is not read")
                        .value(text(range.get_value((r, c))))
                        .hint("put every figure in the template's own rows; a measure that is not in the template is not part of the return"),
                );
                break;
            }
        }
    }
    Ok(Read { rows: out, diags })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `3/4` typed into a count cell is stored by Excel as the date
    /// 2024-04-03 (serial 45385): read as a date, never as 45,385 staff.
    #[test]
    fn a_date_cell_is_read_as_a_date_not_its_serial() {
        use calamine::{ExcelDateTime, ExcelDateTimeType};
        let d = Data::DateTime(ExcelDateTime::new(
            45385.0,
            ExcelDateTimeType::DateTime,
            false,
        ));
        assert_eq!(text(Some(&d)), "date 2024-04-03");
        assert_eq!(excel_date(1.0), "1899-12-31");
        assert_eq!(excel_date(60.0), "1900-02-28");
        let mut diags = Vec::new();
        let cell = crate::load::validate::Cell {
            text: text(Some(&d)),
            place: "Return!F7".into(),
        };
        assert!(crate::load::validate::parse_count("r.xlsx", &cell, &mut diags).is_err());
        let shown = diags[0].to_string();
        assert!(
            shown.contains("Return!F7") && shown.contains("stored this cell as a date"),
            "{shown}"
        );
    }

    #[test]
    fn cell_names() {
        assert_eq!(cell_name(6, 3), "Return!D7");
        assert_eq!(cell_name(0, 26), "Return!AA1");
    }
}
