//! Staff records from files (`scwres extract`): the file system's part.
//! Reading and counting are the extraction core's
//! (`scwres_extract::records`, re-exported here), from bytes; this reads a
//! regular file, never a link or device, within the core's size bounds.

pub use scwres_extract::records::*;

use super::diag::Diagnostic;
use super::guard;
use std::path::Path;

/// A record file's bytes (or an ethnicity map's): a regular file, never a
/// link or device, of at most `max` bytes.
pub fn read_bytes(path: &Path, shown: &str, max: u64) -> Result<Vec<u8>, Vec<Diagnostic>> {
    regular(path, shown)?;
    guard::read_file(path, max).map_err(|r| vec![Diagnostic::error(shown, &r.place, r.rule)])
}

/// Whether `path` is a regular file, or why it is never read.
fn regular(path: &Path, shown: &str) -> Result<(), Vec<Diagnostic>> {
    let err = |rule: String| vec![Diagnostic::error(shown, "", rule)];
    match guard::kind(path) {
        Ok(guard::Kind::File) => Ok(()),
        Ok(guard::Kind::Dir) => Err(err("a folder, not a file".into())),
        Ok(guard::Kind::Other(what)) => Err(err(format!("{what}, not a regular file: never read"))),
        Err(e) => Err(err(format!("cannot be read ({e})"))),
    }
}

/// Reads a record file: `columns` are required; extra columns are ignored.
pub fn read(path: &Path, shown: &str, columns: &[&str]) -> Result<Records, Vec<Diagnostic>> {
    regular(path, shown)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let Some(format) = Format::of(name) else {
        return Err(not_records(shown));
    };
    let max = match format {
        Format::Csv => MAX_CSV,
        Format::Xlsx => MAX_XLSX,
    };
    parse(&read_bytes(path, shown, max)?, format, shown, columns)
}
