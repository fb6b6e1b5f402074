//! File formats: one module owns each file a run writes and a later run or
//! a council reads back, with one serde row type for both directions. Pure:
//! bytes in, bytes out; `publish` writes them and `load` reads the files.

pub mod benchmarks;
pub mod funnels;
pub mod manifest;
pub mod plan;
pub mod publication;
pub mod results;
pub use scwres_extract::return_file;
pub mod suppressions;
pub mod validation;

use serde::Serialize;

/// CSV text with `\n` line ends: the header, then one record per row.
pub(crate) fn csv_bytes<R: Serialize>(
    header: &[&str],
    rows: impl IntoIterator<Item = R>,
) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(header).expect("writing to memory");
    for r in rows {
        w.serialize(r).expect("rows of strings serialise");
    }
    w.into_inner().expect("writing to memory")
}

/// The records of a CSV file as `R`, each with its line number; the header
/// must name every column of `header` (in any order; others are ignored).
pub(crate) fn csv_rows<R: serde::de::DeserializeOwned>(
    file: &str,
    bytes: &[u8],
    header: &[&str],
) -> Result<Vec<(usize, R)>, String> {
    let mut rdr = csv::Reader::from_reader(bytes);
    let found: Vec<String> = rdr
        .headers()
        .map_err(|e| format!("{file}: {e}"))?
        .iter()
        .map(String::from)
        .collect();
    if let Some(missing) = header.iter().find(|h| !found.iter().any(|f| f == *h)) {
        return Err(format!("{file}: no column `{missing}`"));
    }
    let mut out = Vec::new();
    for (i, rec) in rdr.deserialize().enumerate() {
        let line = i + 2;
        out.push((line, rec.map_err(|e| format!("{file}, line {line}: {e}"))?));
    }
    Ok(out)
}

/// An optional value as a cell: empty when `None`.
pub(crate) fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}
