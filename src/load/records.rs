//! Staff records from files (`scwres extract`): the file system's part.
//! Reading and counting are the extraction core's
//! (`scwres_extract::records`, re-exported here), from bytes; this reads a
//! regular file, never a link or device, within the core's size bounds.

pub use scwres_extract::records::*;

use super::diag::Diagnostic;
use super::guard;
use std::path::Path;

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
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let Some(format) = Format::of(name) else {
        return Err(not_records(shown));
    };
    let max = match format {
        Format::Csv => MAX_CSV,
        Format::Xlsx => MAX_XLSX,
    };
    let bytes = guard::read_file(path, max).map_err(|r| err(&r.place, r.rule))?;
    parse(&bytes, format, shown, columns)
}
