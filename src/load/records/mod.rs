//! Staff records (`scwres extract`, staff-records.md): a council's own
//! record-level files (CSV or xlsx) read into polars frames of the needed
//! columns only, then counted into a return (`count`). Reads; writes
//! nothing. No message pairs a person's identifier with their ethnicity.

pub mod count;
mod files;
pub mod vocab;

use super::diag::Diagnostic;
use super::guard;
use polars::prelude::*;
use polars_io::RowIndex;
use polars_io::SerReader;
use polars_io::csv::read::CsvReadOptions;
use std::path::Path;

/// A CSV of records may be large (a county's HR export); this is a sanity
/// bound, not a budget.
pub const MAX_CSV: u64 = 4 << 30;
/// An xlsx of records is read into memory first.
pub const MAX_XLSX: u64 = 256 << 20;

/// A record file's needed columns, as strings, with `row` (0 for the first
/// record after the header).
pub struct Records {
    pub shown: String,
    pub frame: DataFrame,
    /// `Some(sheet)` for a workbook.
    sheet: Option<String>,
    /// Each needed column's position in the file (0-based), by name.
    positions: Vec<(String, usize)>,
}

impl Records {
    /// Where record `row`'s `column` is: `line 7, column salary` or
    /// `Staff!D7`.
    pub fn place(&self, row: u32, column: &str) -> String {
        let pos = self
            .positions
            .iter()
            .find(|(n, _)| n == column)
            .map_or(0, |(_, p)| *p);
        match &self.sheet {
            Some(sheet) => format!("{sheet}!{}{}", letters(pos), u64::from(row) + 2),
            None => format!("line {}, column {column}", u64::from(row) + 2),
        }
    }

    /// Where record `row` is: `line 7` or `Staff row 7`.
    pub fn line(&self, row: u32) -> String {
        match &self.sheet {
            Some(sheet) => format!("{sheet} row {}", u64::from(row) + 2),
            None => format!("line {}", u64::from(row) + 2),
        }
    }
}

/// `A`, `B`, … `Z`, `AA` for a 0-based column.
fn letters(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// How a header is matched: trimmed, lower case (a byte-order mark dropped).
fn header_key(h: &str) -> String {
    h.trim_start_matches('\u{feff}').trim().to_lowercase()
}

/// Reads a record file: `columns` are required; extra columns are ignored.
pub fn read(path: &Path, shown: &str, columns: &[&str]) -> Result<Records, Vec<Diagnostic>> {
    let err = |place: &str, rule: String| vec![Diagnostic::error(shown, place, rule)];
    match guard::kind(path) {
        Ok(guard::Kind::File) => {}
        Ok(guard::Kind::Dir) => return Err(err("", "a folder, not a file".into())),
        Ok(guard::Kind::Other(what)) => {
            return Err(err("", format!("{what}, not a regular file: never read")));
        }
        Err(e) => return Err(err("", format!("cannot be read ({e})"))),
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "csv" => read_csv(path, shown, columns),
        "xlsx" => read_xlsx(path, shown, columns),
        _ => Err(vec![
            Diagnostic::error(shown, "", "not a CSV or xlsx file")
                .hint("export the list as CSV (UTF-8) or as an Excel workbook (.xlsx)"),
        ]),
    }
}

/// The position of each needed column in `header`, or every problem.
fn positions(
    shown: &str,
    place: &str,
    header: &[String],
    columns: &[&str],
) -> Result<Vec<(String, usize)>, Vec<Diagnostic>> {
    let keys: Vec<String> = header.iter().map(|h| header_key(h)).collect();
    let mut out = Vec::new();
    let mut diags = Vec::new();
    for c in columns {
        let at: Vec<usize> = (0..keys.len()).filter(|i| keys[*i] == *c).collect();
        match at[..] {
            [i] => out.push((c.to_string(), i)),
            [] => diags.push(
                Diagnostic::error(shown, place, format!("missing required column {c}")).hint(
                    format!(
                        "the header row must name these columns: {}",
                        columns.join(", ")
                    ),
                ),
            ),
            _ => diags.push(Diagnostic::error(
                shown,
                place,
                format!("the column {c} is there {} times", at.len()),
            )),
        }
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(diags)
    }
}

fn read_csv(path: &Path, shown: &str, columns: &[&str]) -> Result<Records, Vec<Diagnostic>> {
    let err = |rule: String| vec![Diagnostic::error(shown, "", rule)];
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size > MAX_CSV {
        return Err(err(format!("larger than {} GB", MAX_CSV >> 30)));
    }
    // The header, read by the csv crate (quotes and a byte-order mark
    // handled), from the first 1 MB at most.
    let file = std::fs::File::open(path).map_err(|e| err(format!("cannot be read ({e})")))?;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(std::io::Read::take(file, 1 << 20));
    let header: Vec<String> = match rdr.records().next() {
        Some(Ok(r)) => r.iter().map(String::from).collect(),
        Some(Err(e)) => return Err(err(format!("the header row cannot be read ({e})"))),
        None => return Err(err("the file is empty: a header row is needed".into())),
    };
    let mut pos = positions(shown, "line 1", &header, columns)?;
    pos.sort_by_key(|(_, i)| *i);
    let projection: Vec<usize> = pos.iter().map(|(_, i)| *i).collect();
    let frame = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .with_projection(Some(Arc::new(projection)))
        .with_row_index(Some(RowIndex {
            name: "row".into(),
            offset: 0,
        }))
        .map_parse_options(|o| {
            o.with_truncate_ragged_lines(true)
                .with_missing_is_null(true)
        })
        .try_into_reader_with_file_path(Some(path.to_path_buf()))
        .and_then(|r| r.finish())
        .map_err(|e| err(format!("the file cannot be read as CSV ({e})")))?;
    // Columns come back in file order, after `row`: name them by position.
    let mut frame = frame;
    let names: Vec<String> = frame
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    if names.len() != pos.len() + 1 {
        return Err(err("the file cannot be read as CSV (columns lost)".into()));
    }
    for (old, (new, _)) in names[1..].iter().zip(&pos) {
        frame
            .rename(old, new.as_str().into())
            .map_err(|e| err(format!("the file cannot be read as CSV ({e})")))?;
    }
    Ok(Records {
        shown: shown.into(),
        frame,
        sheet: None,
        positions: pos,
    })
}

fn read_xlsx(path: &Path, shown: &str, columns: &[&str]) -> Result<Records, Vec<Diagnostic>> {
    use calamine::{Data, Reader, Xlsx};
    let err = |place: &str, rule: String| vec![Diagnostic::error(shown, place, rule)];
    let bytes = guard::read_file(path, MAX_XLSX).map_err(|r| err(&r.place, r.rule))?;
    guard::xlsx_within(&bytes, &guard::RECORDS_XLSX)
        .map_err(|r| vec![Diagnostic::error(shown, &r.place, r.rule).hint(r.hint)])?;
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| err("", format!("the workbook cannot be read ({e})")))?;
    let sheet = wb
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| err("", "the workbook has no sheet".into()))?;
    let range = wb
        .worksheet_range(&sheet)
        .map_err(|e| err(&sheet, format!("the sheet cannot be read ({e})")))?;
    let cell = |d: &Data| -> Option<String> {
        match d {
            Data::Empty => None,
            Data::String(s) => Some(s.clone()),
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => Some(format!("{}", *f as i64)),
            Data::Float(f) => Some(f.to_string()),
            Data::Int(i) => Some(i.to_string()),
            Data::Bool(b) => Some(b.to_string()),
            other => Some(other.to_string()),
        }
    };
    let start_col = range.start().map_or(0, |(_, c)| c as usize);
    let mut rows = range.rows();
    let header: Vec<String> = rows
        .next()
        .map(|r| r.iter().map(|d| cell(d).unwrap_or_default()).collect())
        .ok_or_else(|| {
            err(
                &format!("{sheet}!A1"),
                "the sheet is empty: a header row is needed".into(),
            )
        })?;
    let pos = positions(shown, &format!("{sheet} row 1"), &header, columns)?;
    let mut cols: Vec<Vec<Option<String>>> = vec![Vec::new(); pos.len()];
    let mut n: u32 = 0;
    for r in rows {
        for (k, (_, i)) in pos.iter().enumerate() {
            cols[k].push(r.get(*i).and_then(cell));
        }
        n += 1;
    }
    let mut series: Vec<Column> = vec![Column::new("row".into(), (0..n).collect::<Vec<u32>>())];
    for ((name, _), values) in pos.iter().zip(cols) {
        series.push(Column::new(name.as_str().into(), values));
    }
    let frame = DataFrame::new_infer_height(series)
        .map_err(|e| err("", format!("the sheet cannot be read ({e})")))?;
    Ok(Records {
        shown: shown.into(),
        frame,
        sheet: Some(sheet),
        positions: pos.into_iter().map(|(n, i)| (n, i + start_col)).collect(),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn column_letters() {
        assert_eq!(super::letters(0), "A");
        assert_eq!(super::letters(25), "Z");
        assert_eq!(super::letters(26), "AA");
        assert_eq!(super::letters(27), "AB");
    }
}
