//! Reader for the canonical CSV return: bytes in, raw cells with places out.
//! It checks only the shape of the file; the rules live in `validate`.

use super::diag::Diagnostic;
use super::validate::{COLUMNS, Cell, RawRow, Read};

/// Splits a CSV return into raw rows, or says why the file is unreadable.
pub fn read(file: &str, bytes: &[u8]) -> Result<Read, Vec<Diagnostic>> {
    let text = match super::text::decode(bytes) {
        Ok(t) => t,
        Err(e) => return Err(vec![e.diagnostic(file)]),
    };
    let text: &str = &text;
    // True line numbers from byte offsets, whatever the line ends.
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    // A record's position may point at the line end before it (the LF of
    // a CRLF): its line is the first that holds a character of it.
    let line_of = |pos: Option<&csv::Position>| {
        pos.map_or(0, |p| {
            let mut b = p.byte() as usize;
            while matches!(text.as_bytes().get(b), Some(b'\r' | b'\n')) {
                b += 1;
            }
            starts.partition_point(|s| *s <= b)
        })
    };
    if text.trim().is_empty() {
        return Err(vec![Diagnostic::error(file, "", "the file is empty").hint(
            format!("a return starts with the header row: {}", COLUMNS.join(",")),
        )]);
    }

    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = rdr.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => {
            return Err(vec![Diagnostic::error(
                file,
                "line 1",
                format!("unreadable CSV: {e}"),
            )]);
        }
        None => unreachable!("non-empty text has a first record"),
    };
    let header: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();

    let mut errors = Vec::new();
    if header.len() == 1 {
        let h = &header[0];
        let sep = [';', '\t', '|'].into_iter().find(|c| h.contains(*c));
        if let Some(sep) = sep {
            return Err(vec![
                Diagnostic::error(file, "line 1", "columns must be separated by commas")
                    .value(h.clone())
                    .hint(format!(
                        "the file seems to use {} between columns; save it as comma-separated CSV",
                        match sep {
                            ';' => "semicolons",
                            '\t' => "tabs",
                            _ => "vertical bars",
                        }
                    )),
            ]);
        }
    }
    // Which column holds which field.
    let mut index = [usize::MAX; 8];
    for (i, name) in header.iter().enumerate() {
        match COLUMNS.iter().position(|c| c == name) {
            Some(k) if index[k] == usize::MAX => index[k] = i,
            Some(_) => errors.push(
                Diagnostic::error(
                    file,
                    format!("line 1, column {}", i + 1),
                    "a column appears twice",
                )
                .value(name.clone()),
            ),
            None => errors.push(
                Diagnostic::error(file, format!("line 1, column {}", i + 1), "unknown column")
                    .value(name.clone())
                    .hint(format!("the columns are: {}", COLUMNS.join(","))),
            ),
        }
    }
    for (k, c) in COLUMNS.iter().enumerate() {
        if index[k] == usize::MAX {
            errors.push(
                Diagnostic::error(file, "line 1", format!("missing column `{c}`"))
                    .hint(format!("the header must be: {}", COLUMNS.join(","))),
            );
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let mut rows = Vec::new();
    for rec in records {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = line_of(e.position());
                errors.push(Diagnostic::error(
                    file,
                    format!("line {line}"),
                    format!("unreadable CSV: {e}"),
                ));
                continue;
            }
        };
        let line = line_of(rec.position());
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue; // blank line
        }
        if rec.len() != header.len() {
            errors.push(
                Diagnostic::error(
                    file,
                    format!("line {line}"),
                    format!("the row has {} fields but the header has {}", rec.len(), header.len()),
                )
                .hint("check for a stray comma, or a number written with a thousands separator like 1,234"),
            );
            continue;
        }
        let cell = |k: usize| Cell {
            text: rec[index[k]].to_string(),
            place: format!("line {line}, column {} ({})", index[k] + 1, COLUMNS[k]),
        };
        rows.push(RawRow {
            place: format!("line {line}"),
            cells: std::array::from_fn(cell),
        });
    }
    if rows.is_empty() {
        if !errors.is_empty() {
            return Err(errors);
        }
        return Err(vec![
            Diagnostic::error(file, "", "the file has a header but no data rows")
                .hint("fill in one row per service, measure and pay band"),
        ]);
    }
    // Rows that could not be split are reported; the others are still checked.
    Ok(Read {
        rows,
        diags: errors,
    })
}
