//! The run's index page: what a national run published, with links. It
//! lists files already decided by the run; it shows no figure.

use super::Meta;
use serde::Serialize;

/// A local report in the index.
#[derive(Serialize)]
pub struct LocalEntry {
    pub code: String,
    pub name: String,
    /// The reports' file stem under `local/`.
    pub stem: String,
}

/// A national table in the index.
#[derive(Serialize)]
pub struct TableEntry {
    pub title: String,
    /// Path under the run folder.
    pub file: String,
}

/// What `index.html` reads.
#[derive(Serialize)]
pub struct IndexView {
    meta: Meta,
    /// The national report's path under the run folder, without extension.
    national: String,
    tables: Vec<TableEntry>,
    workbook: String,
    locals: Vec<LocalEntry>,
}

impl IndexView {
    /// The index of a run: the files as the run named them; `locals` in
    /// any order (listed by name).
    pub fn new(
        meta: Meta,
        national: String,
        tables: Vec<TableEntry>,
        workbook: String,
        mut locals: Vec<LocalEntry>,
    ) -> IndexView {
        locals.sort_by(|a, b| a.name.cmp(&b.name).then(a.code.cmp(&b.code)));
        IndexView {
            meta,
            national,
            tables,
            workbook,
            locals,
        }
    }
}
