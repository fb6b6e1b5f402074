//! The extraction core of scwres: a council's staff records (CSV as Excel
//! writes it, or xlsx) to its return, with every problem named by file,
//! place and value. Bytes in, the return and its diagnostics out: no file
//! system, no threads, no polars, so that the same code runs in `scwres
//! extract` and, compiled to WebAssembly, in the council's own browser
//! (the records never leave it).
//!
//! It also owns what the return is: the indicators and their measures
//! (`indicators`), a return's counts (`model`), the diagnostics every stage
//! reports (`diag`), how text files are decoded (`text`), the byte-level
//! guards against hostile files (`guard`) and the return's canonical CSV
//! (`return_file`). The program re-exports them at their old places.

pub mod cells;
pub mod diag;
pub mod extract;
pub mod guard;
pub mod indicators;
pub mod model;
pub mod records;
pub mod return_file;
pub mod text;
