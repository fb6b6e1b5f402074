//! Guards against hostile files: the byte-level checks (YAML, xlsx) are the
//! extraction core's (`scwres_extract::guard`, re-exported here); this is
//! the file system's part: only regular files inside the data are read,
//! never links or devices, and never more bytes than a limit (read with a
//! cap, not trusting the size).

pub use scwres_extract::guard::*;
use std::io::Read as _;
use std::path::Path;

/// What a path is, without following a link.
pub enum Kind {
    File,
    Dir,
    /// A link, device, pipe or socket: never read.
    Other(&'static str),
}

/// The kind of a path, not following links.
pub fn kind(path: &Path) -> std::io::Result<Kind> {
    let t = std::fs::symlink_metadata(path)?.file_type();
    Ok(if t.is_symlink() {
        Kind::Other("a link")
    } else if t.is_dir() {
        Kind::Dir
    } else if t.is_file() {
        Kind::File
    } else {
        Kind::Other("a device, pipe or socket")
    })
}

/// Reads a regular file (not a link, pipe or device) of at most `max`
/// bytes, without trusting its stated size.
pub fn read_file(path: &Path, max: u64) -> Result<Vec<u8>, Refusal> {
    let hint = "give the return file itself";
    match kind(path) {
        Err(e) => return Err(refuse("", format!("the file cannot be read: {e}"), hint)),
        Ok(Kind::Other(what)) => {
            return Err(refuse(
                "",
                format!("not a regular file but {what}; it is not read"),
                hint,
            ));
        }
        Ok(Kind::Dir) => return Err(refuse("", "a folder, not a file", hint)),
        Ok(Kind::File) => {}
    }
    let f = std::fs::File::open(path)
        .map_err(|e| refuse("", format!("the file cannot be read: {e}"), hint))?;
    let mut bytes = Vec::new();
    f.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| refuse("", format!("the file cannot be read: {e}"), hint))?;
    if bytes.len() as u64 > max {
        return Err(too_large(max));
    }
    Ok(bytes)
}
