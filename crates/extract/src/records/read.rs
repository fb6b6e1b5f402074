//! Reading a record file's bytes: CSV as Excel writes and reads it, and
//! the first visible sheet of a workbook, into the needed columns.

use super::{MAX_XLSX, Records, header_key, letters, positions};
use crate::diag::Diagnostic;
use crate::guard;

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

pub(super) fn csv(
    bytes: &[u8],
    shown: &str,
    columns: &[&str],
    progress: &mut dyn FnMut(u64),
) -> Result<Records, Vec<Diagnostic>> {
    let is_utf16 = bytes.len() >= 2 && (bytes[..2] == [0xFF, 0xFE] || bytes[..2] == [0xFE, 0xFF]);
    // UTF-16 ("Unicode Text") is decoded first; UTF-8 is read as it is,
    // every line end made LF.
    if is_utf16 {
        if bytes.len() as u64 > MAX_XLSX {
            let r = guard::too_large(MAX_XLSX);
            return Err(vec![Diagnostic::error(shown, r.place, r.rule)]);
        }
        let text = crate::text::decode(bytes).map_err(|e| vec![e.diagnostic(shown)])?;
        let text = text.into_owned().into_bytes();
        let lines = lines(&text);
        // The text is twice the bytes' length as UTF-8 is not: progress
        // by share.
        let scale = bytes.len() as f64 / text.len().max(1) as f64;
        read_csv_from(
            crate::text::Lf::new(&text[..]),
            shown,
            columns,
            lines,
            &mut |at| progress((at as f64 * scale) as u64),
        )
    } else {
        read_csv_from(
            crate::text::Lf::new(bytes),
            shown,
            columns,
            lines(bytes),
            progress,
        )
    }
}

/// About how many records: the line ends (LF, or CR alone), so that
/// the columns are made at their size once.
fn lines(bytes: &[u8]) -> usize {
    let lf = bytes.iter().filter(|&&b| b == b'\n').count();
    if lf > 0 {
        lf
    } else {
        bytes.iter().filter(|&&b| b == b'\r').count()
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
    lines: usize,
    progress: &mut dyn FnMut(u64),
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
            vec![crate::text::not_utf8(line, bad).diagnostic(shown)]
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
    let mut out = Records::build(shown, None, pos.clone(), lines);
    let mut diags = Vec::new();
    loop {
        let line = rdr.position().line();
        if out.len() % (1 << 16) == 0 {
            progress(rdr.position().byte());
        }
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

pub(super) fn xlsx(
    bytes: &[u8],
    shown: &str,
    columns: &[&str],
) -> Result<Records, Vec<Diagnostic>> {
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
