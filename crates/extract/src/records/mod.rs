//! Staff records (`scwres extract`, docs/extract.md): a council's own
//! record-level files (CSV or xlsx) read, from their bytes, into the needed
//! columns only, each value stored once per column (`Column`), then counted
//! into a return (`count`). No message pairs a person's identifier with
//! their ethnicity.

pub mod count;
mod files;
pub mod vocab;

use crate::diag::Diagnostic;
use crate::guard;
use std::collections::HashMap;

/// A CSV of records may be large (a county's HR export); this is a sanity
/// bound, not a budget.
pub const MAX_CSV: u64 = 4 << 30;
/// An xlsx of records (and a UTF-16 CSV) is unpacked into memory.
pub const MAX_XLSX: u64 = 256 << 20;

/// The column whose values are compared after trimming: an identifier with
/// a trailing space is the same person.
const ID: &str = "person_id";

/// No value (a blank cell) in a [`Column`].
const BLANK: u32 = u32::MAX;

/// One needed column of a record file: each distinct value once, and each
/// record's value as its index (a county's 100,000 rows of `adults` are one
/// string), so that grouping compares numbers, not text.
#[derive(Default)]
pub struct Column {
    values: Vec<Box<str>>,
    index: HashMap<Box<str>, u32>,
    rows: Vec<u32>,
}

impl Column {
    fn push(&mut self, v: Option<&str>) {
        let id = match v {
            None => BLANK,
            Some(v) => match self.index.get(v) {
                Some(id) => *id,
                None => {
                    let id = self.values.len() as u32;
                    self.values.push(v.into());
                    self.index.insert(v.into(), id);
                    id
                }
            },
        };
        self.rows.push(id);
    }

    /// Record `row`'s value (`None` for a blank).
    pub fn get(&self, row: usize) -> Option<&str> {
        self.value(self.rows[row])
    }

    /// The value of index `id` (`None` for a blank).
    pub fn value(&self, id: u32) -> Option<&str> {
        (id != BLANK).then(|| &*self.values[id as usize])
    }

    /// Each record's value index ([`Column::value`]).
    pub fn ids(&self) -> &[u32] {
        &self.rows
    }

    /// The distinct values (blank not among them).
    pub fn distinct(&self) -> &[Box<str>] {
        &self.values
    }

    /// The index of a value, if any record has it.
    pub fn find(&self, v: &str) -> Option<u32> {
        self.index.get(v).copied()
    }
}

/// A record file's needed columns, as strings; records are numbered from 0
/// (the first record after the header).
pub struct Records {
    pub shown: String,
    /// `Some(sheet)` for a workbook.
    sheet: Option<String>,
    /// Each needed column's position in the file (0-based), by name.
    positions: Vec<(String, usize)>,
    /// Each record's line in a CSV file (a quoted field may span lines) or
    /// row in a sheet.
    lines: Vec<u64>,
    columns: Vec<Column>,
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
            .get(row as usize)
            .copied()
            .unwrap_or(u64::from(row) + 2)
    }

    /// How many records.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// A needed column (one named when the file was read).
    pub fn column(&self, name: &str) -> &Column {
        let k = self
            .positions
            .iter()
            .position(|(n, _)| n == name)
            .expect("a column asked for when the file was read");
        &self.columns[k]
    }

    /// Builds records from rows of the needed columns' values, in the
    /// order of `positions`.
    fn build(
        shown: &str,
        sheet: Option<String>,
        positions: Vec<(String, usize)>,
        capacity: usize,
    ) -> Records {
        Records {
            shown: shown.into(),
            sheet,
            columns: positions.iter().map(|_| Column::default()).collect(),
            positions,
            lines: Vec::with_capacity(capacity),
        }
    }

    /// Adds a record at `line`; `value(k)` is the `k`-th needed column's.
    fn push<'a>(&mut self, line: u64, mut value: impl FnMut(usize) -> Option<&'a str>) {
        for k in 0..self.columns.len() {
            let v = value(k);
            let v = if self.positions[k].0 == ID {
                v.map(str::trim).filter(|v| !v.is_empty())
            } else {
                v
            };
            self.columns[k].push(v);
        }
        self.lines.push(line);
    }

    /// Drops what was only needed while reading.
    fn finish(mut self) -> Records {
        for c in &mut self.columns {
            c.index.shrink_to_fit();
        }
        self
    }
}

/// `A`, `B`, … `Z`, `AA` for a 0-based column.
pub fn letters(mut i: usize) -> String {
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

/// A record file's format, from its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    /// `.csv` or `.xlsx` (any case); anything else is not a record file.
    pub fn of(name: &str) -> Option<Format> {
        let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
        match ext.as_deref() {
            Some("csv") => Some(Format::Csv),
            Some("xlsx") => Some(Format::Xlsx),
            _ => None,
        }
    }
}

/// The refusal of a file that is neither CSV nor xlsx.
pub fn not_records(shown: &str) -> Vec<Diagnostic> {
    vec![
        Diagnostic::error(shown, "", "not a CSV or xlsx file")
            .hint("export the list as CSV (UTF-8) or as an Excel workbook (.xlsx)"),
    ]
}

/// Reads a record file's bytes: `columns` are required; extra columns are
/// ignored.
pub fn parse(
    bytes: &[u8],
    format: Format,
    shown: &str,
    columns: &[&str],
) -> Result<Records, Vec<Diagnostic>> {
    let max = match format {
        Format::Csv => MAX_CSV,
        Format::Xlsx => MAX_XLSX,
    };
    if bytes.len() as u64 > max {
        let r = guard::too_large(max);
        return Err(vec![Diagnostic::error(shown, r.place, r.rule)]);
    }
    match format {
        Format::Csv => read_csv(bytes, shown, columns),
        Format::Xlsx => read_xlsx(bytes, shown, columns),
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

/// Rows looked at below the first for a header under a title.
const TITLE_ROWS: usize = 10;

/// When the first row is not the header: the row below it that is (a title
/// or a report's date above the column names), named as the cause.
fn header_below(
    shown: &str,
    rows: impl Iterator<Item = (String, Vec<String>)>,
    columns: &[&str],
) -> Option<Diagnostic> {
    for (place, row) in rows.take(TITLE_ROWS) {
        let keys: Vec<String> = row.iter().map(|h| header_key(h)).collect();
        if columns.iter().all(|c| keys.iter().any(|k| k == c)) {
            return Some(
                Diagnostic::error(
                    shown,
                    place.clone(),
                    format!("the header row is at {place}, below a title: the columns must be named in the first row"),
                )
                .hint("delete the rows above the header, so that the column names are the first row, and save"),
            );
        }
    }
    None
}

fn read_csv(bytes: &[u8], shown: &str, columns: &[&str]) -> Result<Records, Vec<Diagnostic>> {
    let is_utf16 = bytes.len() >= 2 && (bytes[..2] == [0xFF, 0xFE] || bytes[..2] == [0xFE, 0xFF]);
    // UTF-16 ("Unicode Text") is decoded first; UTF-8 is read as it is,
    // every line end made LF.
    if is_utf16 {
        if bytes.len() as u64 > MAX_XLSX {
            let r = guard::too_large(MAX_XLSX);
            return Err(vec![Diagnostic::error(shown, r.place, r.rule)]);
        }
        let text = crate::text::decode(bytes).map_err(|e| {
            vec![
                Diagnostic::error(shown, e.place.clone(), e.rule())
                    .value(e.value)
                    .hint(e.hint),
            ]
        })?;
        let text = text.into_owned().into_bytes();
        read_csv_from(crate::text::Lf::new(&text[..]), shown, columns)
    } else {
        read_csv_from(crate::text::Lf::new(bytes), shown, columns)
    }
}

/// Splits CSV as Excel reads it: a `"` opens a quoted field only at the
/// start of a field (`12" ruler` is text), rows longer than the header with
/// something in the extra fields are refused (an unquoted `75,000` would
/// shift every column after it), and every place is the file's true line.
fn read_csv_from(
    source: impl std::io::Read,
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
            let n = crate::text::not_utf8(line, bad);
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
    let pos = match positions(shown, "line 1", &header, columns) {
        Ok(pos) => pos,
        Err(diags) => {
            let below = std::iter::from_fn(|| {
                let line = rdr.position().line();
                match rdr.read_byte_record(&mut rec) {
                    Ok(true) => Some((
                        format!("line {}", rec.position().map_or(line, |p| p.line())),
                        rec.iter()
                            .map(|f| String::from_utf8_lossy(f).into_owned())
                            .collect(),
                    )),
                    _ => None,
                }
            });
            return Err(header_below(shown, below, columns).map_or(diags, |d| vec![d]));
        }
    };
    let mut out = Records::build(shown, None, pos.clone(), 1 << 12);
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
        let mut fields: Vec<Option<&str>> = Vec::with_capacity(pos.len());
        for (_, i) in &pos {
            fields.push(match rec.get(*i) {
                Some(f) if !f.is_empty() => match std::str::from_utf8(f) {
                    Ok(t) => Some(t),
                    Err(_) => return Err(as_text(line, f).err().unwrap_or_default()),
                },
                _ => None,
            });
        }
        out.push(line, |k| fields[k]);
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    Ok(out.finish())
}

fn read_xlsx(bytes: &[u8], shown: &str, columns: &[&str]) -> Result<Records, Vec<Diagnostic>> {
    use crate::cells::{DATE_CELL, excel_date};
    use calamine::{Data, Reader, Xlsx};
    let err = |place: &str, rule: String| vec![Diagnostic::error(shown, place, rule)];
    guard::xlsx_within(bytes, &guard::RECORDS_XLSX)
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
    // A number cell of a salary (a formula's result, 54985.8333) is pounds
    // and pence: rounded to the penny, as the sheet shows it.
    let cell = |d: &Data, salary: bool| -> Option<String> {
        match d {
            Data::Empty => None,
            Data::String(s) if s.is_empty() => None,
            Data::String(s) => Some(s.clone()),
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => Some(format!("{}", *f as i64)),
            Data::Float(f) if salary && f.is_finite() => {
                let pence = (f * 100.0).round() / 100.0;
                if pence.fract() == 0.0 && pence.abs() < 1e15 {
                    Some(format!("{}", pence as i64))
                } else {
                    Some(format!("{pence:.2}"))
                }
            }
            Data::Float(f) => Some(f.to_string()),
            Data::Int(i) => Some(i.to_string()),
            Data::Bool(b) => Some(b.to_string()),
            // Shown as a date, never as its serial: refused where a value
            // is read.
            Data::DateTime(t) => Some(format!("{DATE_CELL}{}", excel_date(t.as_f64()))),
            Data::DateTimeIso(t) => Some(format!("{DATE_CELL}{t}")),
            other => Some(other.to_string()),
        }
    };
    // Places are the sheet's own: the data may start below row 1 or right
    // of column A.
    let (start_row, start_col) = range.start().map_or((0, 0), |(r, c)| (r, c as usize));
    let mut rows = range.rows();
    let header: Vec<String> = rows
        .next()
        .map(|r| {
            r.iter()
                .map(|d| cell(d, false).unwrap_or_default())
                .collect()
        })
        .ok_or_else(|| {
            err(
                &format!("{sheet}!A1"),
                "the sheet is empty: a header row is needed".into(),
            )
        })?;
    let pos = match positions(
        shown,
        &format!("{sheet} row {}", start_row + 1),
        &header,
        columns,
    ) {
        Ok(pos) => pos,
        Err(diags) => {
            let below = rows.clone().enumerate().map(|(k, r)| {
                (
                    format!("{sheet} row {}", start_row + 2 + k as u32),
                    r.iter()
                        .map(|d| cell(d, false).unwrap_or_default())
                        .collect(),
                )
            });
            return Err(header_below(shown, below, columns).map_or(diags, |d| vec![d]));
        }
    };
    let mut out = Records::build(
        shown,
        Some(sheet.clone()),
        pos.iter()
            .map(|(n, i)| (n.clone(), i + start_col))
            .collect(),
        range.height(),
    );
    let mut diags = Vec::new();
    let mut values: Vec<Option<String>> = vec![None; pos.len()];
    for (k0, r) in rows.enumerate() {
        let row = start_row + 1 + k0 as u32;
        for (k, (name, i)) in pos.iter().enumerate() {
            let v = r.get(*i).and_then(|d| cell(d, name == "salary"));
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
            values[k] = v;
        }
        // Sheet rows (1-based) of each record.
        out.push(u64::from(row) + 1, |k| values[k].as_deref());
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    Ok(out.finish())
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
