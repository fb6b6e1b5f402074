//! Every test of the program but the service's, in one binary (one link
//! of the program): each module was once a binary of its own. The demo
//! release and the basic fixture's release are made once (`common`) and
//! shared by the tests that only read them. The file-by-file table is in
//! tests/README.md.

mod anonymity;
mod architecture;
mod ci;
mod common;
mod configuration;
mod contrast;
mod demo_data;
mod disclosure_attack;
mod excel_inputs;
mod extract;
mod formats;
mod funnels;
mod fuzz;
mod hostile;
mod library;
mod local_reports;
mod own_figures;
mod plan_workbook;
mod progress_bench;
mod recompute;
mod report_run;
mod revisions;
mod snapshots;
mod specification;
mod validate_cli;
mod verdicts;
mod web_pages;
