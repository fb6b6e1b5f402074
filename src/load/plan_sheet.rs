//! The action plan as a sheet: councils write in Excel, so the return
//! workbook has an "Action plan" sheet (`scwres template`), and a plan may
//! come as that workbook or any workbook with the sheet. Read into the same
//! plan as the YAML file, with the same rules; places are cells
//! (`Action plan!D9`).

use super::actions::{ActionPlan, from_mapping};
use super::diag::Diagnostic;
use super::workbook::{CODE_ROW, RETURN_SHEET, YEAR_ROW, excel_date};
use calamine::{Data, Reader};
use serde_norway::{Mapping, Value};

pub const PLAN_SHEET: &str = "Action plan";
/// The header of the actions table, and its first row (0-based).
pub const PLAN_HEADER_ROW: u32 = 5;
pub const PLAN_FIRST_ROW: u32 = 6;
/// Rows the template offers for actions.
pub const PLAN_ROWS: u32 = 100;
/// The columns, in order, with the field each fills.
pub const PLAN_COLUMNS: [(&str, &str); 6] = [
    ("Action", "action"),
    ("Indicator", "indicator"),
    ("Owner (a role)", "owner"),
    ("Due (YYYY-MM-DD)", "due"),
    ("Status", "status"),
    ("Measure of success", "measure"),
];
/// Workbooks larger than this are refused before they are unpacked.
const MAX_BYTES: usize = 20 << 20;

/// A cell as the text a person typed: a date cell as `YYYY-MM-DD` (a due
/// date typed into Excel is stored as one), a whole number without `.0`.
fn text(d: Option<&Data>) -> String {
    match d {
        None | Some(Data::Empty) => String::new(),
        Some(Data::String(s)) => s.trim().to_string(),
        Some(Data::Float(f)) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Some(Data::Float(f)) => f.to_string(),
        Some(Data::Int(i)) => i.to_string(),
        Some(Data::Bool(b)) => b.to_string(),
        Some(Data::DateTime(t)) => excel_date(t.as_f64()),
        Some(Data::DateTimeIso(s)) => s.chars().take(10).collect(),
        Some(Data::DurationIso(s)) => s.clone(),
        Some(Data::Error(e)) => e.to_string(),
    }
}

/// `Action plan!D9` for a 0-based row and column.
fn cell(row: u32, col: u16) -> String {
    super::workbook::cell_name(row, col).replacen(RETURN_SHEET, PLAN_SHEET, 1)
}

/// The council code a plan workbook names (the sheet's B3, else the Return
/// sheet's), so that a refused plan can still be tied to its council.
pub fn named_authority(bytes: &[u8]) -> Option<String> {
    if bytes.len() > MAX_BYTES {
        return None;
    }
    let mut wb = super::workbook::open("", bytes).ok()?;
    let own = wb
        .worksheet_range(PLAN_SHEET)
        .ok()
        .map(|s| text(s.get_value((CODE_ROW, 1))))
        .filter(|c| !c.is_empty());
    own.or_else(|| {
        let r = wb.worksheet_range(RETURN_SHEET).ok()?;
        Some(text(r.get_value((CODE_ROW, 1)))).filter(|c| !c.is_empty())
    })
}

/// Reads the Action plan sheet of a workbook. The council and year are the
/// sheet's own (B3, B4), or else the Return sheet's of the same workbook.
pub fn read(file: &str, bytes: &[u8]) -> Result<ActionPlan, Vec<Diagnostic>> {
    let fail = |place: &str, rule: String, hint: &str| {
        Err(vec![Diagnostic::error(file, place, rule).hint(hint)])
    };
    if bytes.len() > MAX_BYTES {
        return fail(
            "",
            "the workbook is too large to be an action plan".into(),
            "an action plan workbook is well under 1 MB",
        );
    }
    let mut wb = super::workbook::open(file, bytes)?;
    let Ok(sheet) = wb.worksheet_range(PLAN_SHEET) else {
        return fail(
            "",
            format!("the workbook has no sheet named `{PLAN_SHEET}`"),
            "write the plan on the Action plan sheet of the return workbook made by `scwres template`",
        );
    };
    let ret = wb.worksheet_range(RETURN_SHEET).ok();
    let own = |row: u32| text(sheet.get_value((row, 1)));
    let from_return = |row: u32| {
        ret.as_ref()
            .map(|r| text(r.get_value((row, 1))))
            .unwrap_or_default()
    };
    let (code, code_at) = match own(CODE_ROW) {
        c if !c.is_empty() => (c, cell(CODE_ROW, 1)),
        _ => (
            from_return(CODE_ROW),
            super::workbook::cell_name(CODE_ROW, 1),
        ),
    };
    let (year, year_at) = match own(YEAR_ROW) {
        y if !y.is_empty() => (y, cell(YEAR_ROW, 1)),
        _ => (
            from_return(YEAR_ROW),
            super::workbook::cell_name(YEAR_ROW, 1),
        ),
    };
    for (c, (h, _)) in PLAN_COLUMNS.iter().enumerate() {
        let found = text(sheet.get_value((PLAN_HEADER_ROW, c as u32)));
        if !found.eq_ignore_ascii_case(h) {
            return Err(vec![
                Diagnostic::error(file, cell(PLAN_HEADER_ROW, c as u16), format!("expected the heading `{h}`"))
                    .value(found)
                    .hint("the layout of the Action plan sheet was changed; copy the actions into a new template"),
            ]);
        }
    }
    // Every row below the header with anything in it is an action; the
    // row each action came from, for places.
    let last = sheet.end().map_or(PLAN_FIRST_ROW, |(r, _)| r);
    let mut actions = Vec::new();
    let mut rows = Vec::new();
    for r in PLAN_FIRST_ROW..=last {
        let cells: Vec<String> = (0..PLAN_COLUMNS.len() as u32)
            .map(|c| text(sheet.get_value((r, c))))
            .collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        let mut m = Mapping::new();
        for ((_, field), v) in PLAN_COLUMNS.iter().zip(cells) {
            if !v.is_empty() {
                m.insert(Value::from(*field), Value::from(v));
            }
        }
        actions.push(Value::Mapping(m));
        rows.push(r);
    }
    let mut top = Mapping::new();
    top.insert("authority".into(), Value::from(code));
    top.insert(
        "year".into(),
        year.parse::<i64>()
            .map_or(Value::from(year.clone()), Value::from),
    );
    top.insert("actions".into(), Value::Sequence(actions));
    // The same rules as a YAML plan, the places made cells.
    let place = |p: &str| -> String {
        match p {
            "authority" => code_at.clone(),
            "year" => year_at.clone(),
            _ => p
                .strip_prefix("actions[")
                .and_then(|rest| rest.split_once("]."))
                .and_then(|(i, field)| {
                    let row = *rows.get(i.parse::<usize>().ok()?.checked_sub(1)?)?;
                    let col = PLAN_COLUMNS.iter().position(|(_, f)| *f == field)?;
                    Some(cell(row, col as u16))
                })
                .unwrap_or_else(|| p.to_string()),
        }
    };
    match from_mapping(file, &top) {
        Ok((authority, year, actions)) => Ok(ActionPlan {
            file: file.to_string(),
            authority,
            year,
            actions,
            warnings: Vec::new(),
        }),
        Err(d) => Err(d
            .into_iter()
            .map(|mut d| {
                d.place = place(&d.place);
                d
            })
            .collect()),
    }
}
