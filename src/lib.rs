//! scwres: the Social Care Workforce Race Equality Standard report builder.
//!
//! One batch pipeline, one module a stage, data flowing one way:
//! `load` (read and validate) → `compute` (every figure, once) → `disclose`
//! (what may be shown) → `view` (one data model per document) → `render`
//! (templates → typst → PDF bytes) → `publish` (the only writer). `run`
//! calls them in order for every command. `indicators` is the one
//! definition of what is computed; `stats` the pure statistical methods;
//! `formats` the file formats, read and written with one row type each.
//! ARCHITECTURE.md has the map and the invariants.

pub mod bench;
pub mod chart;
pub mod compute;
pub mod config;
pub mod demo;
pub mod demo_records;
pub mod digest;
pub mod disclose;
pub mod format;
pub mod formats;
pub use scwres_extract::indicators;
pub mod load;
pub use scwres_extract::model;
pub mod publish;
pub mod register;
pub mod render;
pub mod revise;
pub mod run;
pub mod serve;
pub mod stats;
pub mod template;
pub mod view;

pub use run::{Prepared, prepare};
