//! Staff records (`scwres extract`, docs/extract.md): a council's own
//! record-level files (CSV or xlsx) read into polars frames of the needed
//! columns only, then counted into a return (`count`). Reads; writes
//! nothing. No message pairs a person's identifier with their ethnicity.

pub mod count;
mod files;
pub mod vocab;

use super::diag::Diagnostic;
use super::guard;
use polars::prelude::*;
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
    /// Each record's line in a CSV file (a quoted field may span lines) or
    /// row in a sheet.
    lines: Option<Vec<u64>>,
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
            Some(sheet) => format!("{sheet}!{}{}", letters(pos), self.line_no(row)),
            None => format!("line {}, column {column}", self.line_no(row)),
        }
    }

    /// Where record `row` is: `line 7` or `Staff row 7`.
    pub fn line(&self, row: u32) -> String {
        match &self.sheet {
            Some(sheet) => format!("{sheet} row {}", self.line_no(row)),
            None => format!("line {}", self.line_no(row)),
        }
    }

    fn line_no(&self, row: u32) -> u64 {
        self.lines
            .as_ref()
            .and_then(|l| l.get(row as usize).copied())
            .unwrap_or(u64::from(row) + 2)
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
    let err = |place: &str, rule: String| vec![Diagnostic::error(shown, place, rule)];
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size > MAX_CSV {
        return Err(err("", format!("larger than {} GB", MAX_CSV >> 30)));
    }
    let mut file =
        std::fs::File::open(path).map_err(|e| err("", format!("cannot be read ({e})")))?;
    let mut head = [0u8; 2];
    let got = std::io::Read::read(&mut file, &mut head).unwrap_or(0);
    let is_utf16 = got == 2 && (head == [0xFF, 0xFE] || head == [0xFE, 0xFF]);
    drop(file);
    // UTF-16 ("Unicode Text") is held as text; UTF-8 is streamed, every
    // line end made LF.
    let source: Box<dyn std::io::Read> = if is_utf16 {
        let bytes = guard::read_file(path, MAX_XLSX).map_err(|r| err(&r.place, r.rule))?;
        let text = super::text::decode(&bytes).map_err(|e| {
            vec![
                Diagnostic::error(shown, e.place.clone(), e.rule())
                    .value(e.value)
                    .hint(e.hint),
            ]
        })?;
        Box::new(std::io::Cursor::new(text.into_owned().into_bytes()))
    } else {
        let file =
            std::fs::File::open(path).map_err(|e| err("", format!("cannot be read ({e})")))?;
        Box::new(super::text::Lf::new(std::io::BufReader::with_capacity(
            1 << 16,
            file,
        )))
    };
    read_csv_from(source, shown, columns)
}

/// Splits CSV as Excel reads it: a `"` opens a quoted field only at the
/// start of a field (`12" ruler` is text), rows longer than the header with
/// something in the extra fields are refused (an unquoted `75,000` would
/// shift every column after it), and every place is the file's true line.
fn read_csv_from(
    source: Box<dyn std::io::Read>,
    shown: &str,
    columns: &[&str],
) -> Result<Records, Vec<Diagnostic>> {
    // Records end at LF only (every line end was made LF on the way in), so
    // that a record's position is its true line.
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_reader(source);
    let mut rec = csv::ByteRecord::new();
    let fail = |place: String, e: csv::Error| {
        let rule = match e.kind() {
            csv::ErrorKind::Io(io) => format!("cannot be read ({io})"),
            _ => format!("the file cannot be read as CSV ({e})"),
        };
        vec![Diagnostic::error(shown, place, rule)]
    };
    let as_text = |line: u64, field: &[u8]| -> Result<String, Vec<Diagnostic>> {
        String::from_utf8(field.to_vec()).map_err(|e| {
            let bad = field[e.utf8_error().valid_up_to()];
            let n = super::text::not_utf8(line, bad);
            vec![
                Diagnostic::error(shown, n.place.clone(), n.rule())
                    .value(n.value)
                    .hint(n.hint),
            ]
        })
    };
    match rdr.read_byte_record(&mut rec) {
        Ok(true) => {}
        Ok(false) => {
            return Err(vec![Diagnostic::error(
                shown,
                "",
                "the file is empty: a header row is needed",
            )]);
        }
        Err(e) => return Err(fail("line 1".into(), e)),
    }
    let header: Vec<String> = rec
        .iter()
        .map(|f| as_text(1, f))
        .collect::<Result<_, _>>()?;
    if header.len() == 1 {
        if let Some(sep) = [';', '\t', '|']
            .into_iter()
            .find(|c| header[0].contains(*c))
        {
            return Err(vec![
                Diagnostic::error(shown, "line 1", "columns must be separated by commas")
                    .value(header[0].chars().take(60).collect::<String>())
                    .hint(format!(
                        "the file seems to use {} between columns; save it as \"CSV UTF-8 (Comma delimited)\"",
                        match sep {
                            ';' => "semicolons",
                            '\t' => "tabs",
                            _ => "vertical bars",
                        }
                    )),
            ]);
        }
    }
    let width = header.len();
    let pos = positions(shown, "line 1", &header, columns)?;
    // Each needed column built as it is read: no string held twice.
    let mut cols: Vec<StringChunkedBuilder> = pos
        .iter()
        .map(|(name, _)| StringChunkedBuilder::new(name.as_str().into(), 1 << 12))
        .collect();
    let mut lines: Vec<u64> = Vec::new();
    let mut diags = Vec::new();
    loop {
        let line = rdr.position().line();
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(fail(format!("line {line}"), e)),
        }
        let line = rec.position().map_or(line, |p| p.line());
        if rec
            .iter()
            .all(|f| f.iter().all(|b| b.is_ascii_whitespace()))
        {
            continue;
        }
        if rec.len() > width && rec.iter().skip(width).any(|f| !f.trim_ascii().is_empty()) {
            if diags.len() < 20 {
                diags.push(
                    Diagnostic::error(
                        shown,
                        format!("line {line}"),
                        format!("the row has {} fields but the header has {width}", rec.len()),
                    )
                    .hint("a number written with a thousands separator, like 75,000, must be in quotes or written 75000; otherwise check for a stray comma"),
                );
            }
            continue;
        }
        for (k, (_, i)) in pos.iter().enumerate() {
            match rec.get(*i) {
                Some(f) if !f.is_empty() => match std::str::from_utf8(f) {
                    Ok(t) => cols[k].append_value(t),
                    Err(_) => return Err(as_text(line, f).err().unwrap_or_default()),
                },
                _ => cols[k].append_null(),
            }
        }
        lines.push(line);
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    let n = lines.len() as u32;
    let mut series: Vec<Column> = vec![Column::new("row".into(), (0..n).collect::<Vec<u32>>())];
    for b in cols {
        series.push(b.finish().into_column());
    }
    let frame = DataFrame::new_infer_height(series).map_err(|e| {
        vec![Diagnostic::error(
            shown,
            "",
            format!("the file cannot be read ({e})"),
        )]
    })?;
    Ok(Records {
        shown: shown.into(),
        frame,
        sheet: None,
        positions: pos,
        lines: Some(lines),
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
    // The first visible worksheet: a hidden sheet (lists, lookups) before
    // the data is not the data.
    let sheet = wb
        .sheets_metadata()
        .iter()
        .find(|m| {
            m.visible == calamine::SheetVisible::Visible && m.typ == calamine::SheetType::WorkSheet
        })
        .map(|m| m.name.clone())
        .ok_or_else(|| err("", "the workbook has no visible worksheet".into()))?;
    let range = wb
        .worksheet_range(&sheet)
        .map_err(|e| err(&sheet, format!("the sheet cannot be read ({e})")))?;
    let formulas = wb.worksheet_formula(&sheet).ok();
    let cell = |d: &Data| -> Option<String> {
        match d {
            Data::Empty => None,
            Data::String(s) if s.is_empty() => None,
            Data::String(s) => Some(s.clone()),
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => Some(format!("{}", *f as i64)),
            Data::Float(f) => Some(f.to_string()),
            Data::Int(i) => Some(i.to_string()),
            Data::Bool(b) => Some(b.to_string()),
            // Shown as a date, never as its serial: refused where a value
            // is read.
            Data::DateTime(t) => Some(format!(
                "{}{}",
                crate::load::workbook::DATE_CELL,
                crate::load::workbook::excel_date(t.as_f64())
            )),
            Data::DateTimeIso(t) => Some(format!("{}{t}", crate::load::workbook::DATE_CELL)),
            other => Some(other.to_string()),
        }
    };
    // Places are the sheet's own: the data may start below row 1 or right
    // of column A.
    let (start_row, start_col) = range.start().map_or((0, 0), |(r, c)| (r, c as usize));
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
    let pos = positions(
        shown,
        &format!("{sheet} row {}", start_row + 1),
        &header,
        columns,
    )?;
    let mut cols: Vec<Vec<Option<String>>> = vec![Vec::new(); pos.len()];
    let mut n: u32 = 0;
    let mut diags = Vec::new();
    for (k0, r) in rows.enumerate() {
        let row = start_row + 1 + k0 as u32;
        for (k, (name, i)) in pos.iter().enumerate() {
            let v = r.get(*i).and_then(cell);
            // A formula with no saved value would read as blank.
            let f = formulas
                .as_ref()
                .and_then(|f| f.get_value((row, (*i + start_col) as u32)))
                .filter(|f| !f.is_empty());
            if let (None, Some(f)) = (&v, f) {
                if diags.len() < 20 {
                    diags.push(
                        Diagnostic::error(
                            shown,
                            format!("{sheet}!{}{}", letters(*i + start_col), row + 1),
                            format!("a formula with no saved value in column {name}"),
                        )
                        .value(format!("={f}"))
                        .hint("open the file in Excel and save it (Excel saves each formula's value), or paste the column as values"),
                    );
                }
            }
            cols[k].push(v);
        }
        n += 1;
    }
    if !diags.is_empty() {
        return Err(diags);
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
        // Sheet rows (1-based) of each record.
        lines: Some(
            (0..u64::from(n))
                .map(|k| u64::from(start_row) + 2 + k)
                .collect(),
        ),
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
