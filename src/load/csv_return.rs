//! Reader for the canonical CSV return: bytes in, raw cells with places out.
//! It checks only the shape of the file; the rules live in `validate`.

use super::diag::Diagnostic;
use super::validate::{COLUMNS, Cell, RawRow, Read};

/// Splits a CSV return into raw rows, or says why the file is unreadable.
pub fn read(file: &str, bytes: &[u8]) -> Result<Read, Vec<Diagnostic>> {
    // Excel's "Unicode Text" and some HR exports write UTF-16 with a
    // byte-order mark: read as the text it is.
    let utf16 = utf16(bytes);
    let text = match utf16.as_deref().map_or(std::str::from_utf8(bytes), Ok) {
        Ok(t) => t,
        Err(e) => {
            let upto = &bytes[..e.valid_up_to()];
            let line = upto.iter().filter(|b| **b == b'\n').count() + 1;
            let byte = bytes[e.valid_up_to()];
            // Windows-1252 is what Excel writes for "CSV (comma delimited)".
            let cp1252 = match byte {
                0xA3 => " (a £ sign in Windows-1252)",
                0x80 => " (a € sign in Windows-1252)",
                0x92 => " (a ’ apostrophe in Windows-1252)",
                _ => "",
            };
            return Err(vec![
                Diagnostic::error(file, format!("line {line}"), "the file is not UTF-8 text")
                    .value(format!("byte 0x{byte:02X}{cp1252}"))
                    .hint("save the file as \"CSV UTF-8 (comma delimited)\""),
            ]);
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Excel for Mac's "CSV (Macintosh)" ends lines with a lone CR: read as
    // line ends (one byte for one, so every place stays where it was).
    let unix;
    let text = if text.contains('\r') {
        unix = lone_cr_to_lf(text);
        unix.as_str()
    } else {
        text
    };
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

/// The text of a UTF-16 file with a byte-order mark; `None` for any other.
fn utf16(bytes: &[u8]) -> Option<String> {
    let le = bytes.starts_with(&[0xFF, 0xFE]);
    if !le && !bytes.starts_with(&[0xFE, 0xFF]) {
        return None;
    }
    let units = bytes[2..].chunks_exact(2).map(|c| {
        if le {
            u16::from_le_bytes([c[0], c[1]])
        } else {
            u16::from_be_bytes([c[0], c[1]])
        }
    });
    Some(
        char::decode_utf16(units)
            .map(|c| c.unwrap_or('\u{fffd}'))
            .collect(),
    )
}

/// A CR not followed by LF becomes LF; CRLF stays.
fn lone_cr_to_lf(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        if c == '\r' && b.get(i + 1) != Some(&b'\n') {
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    out
}
