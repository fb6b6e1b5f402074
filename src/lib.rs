//! scwres: the Social Care Workforce Race Equality Standard report builder.
//!
//! The pipeline, one module a stage, data flowing one way:
//! `load` (read and validate returns) → `compute` (every figure, once) →
//! `chart` (SVG) → `render` (templates → typst → PDF bytes) → `publish`
//! (the only writer). `indicators` is the one definition of what is
//! computed; `stats` holds the pure statistical methods.

pub mod chart;
pub mod compute;
pub mod config;
pub mod demo;
pub mod indicators;
pub mod load;
pub mod model;
pub mod publish;
pub mod register;
pub mod render;
pub mod stats;

use anyhow::{Context as _, bail};
use compute::Scope;
use load::YearData;
use rayon::prelude::*;
use register::Register;
use render::Rendered;
use render::view::{self, Benchmarks, LocalInputs};
use std::path::{Path, PathBuf};

/// What `scwres report` is asked to do.
pub struct ReportOptions {
    pub data: PathBuf,
    pub out: PathBuf,
    pub year: Option<i32>,
}

/// What a report run did.
pub struct RunSummary {
    pub year: i32,
    pub out_dir: PathBuf,
    pub accepted: usize,
    pub rejected: usize,
    pub skipped: usize,
    pub local_reports: usize,
    /// Problems that did not stop the run (a local report that failed).
    pub failures: Vec<String>,
    pub outcomes: Vec<load::FileOutcome>,
}

/// The register of `<data>/authorities.csv` if present, else the built-in one.
pub fn register_for(data: &Path) -> anyhow::Result<Register> {
    let path = data.join("authorities.csv");
    match std::fs::read_to_string(&path) {
        Ok(text) => Register::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Register::built_in()),
        Err(e) => Err(anyhow::anyhow!("{}: {e}", path.display())),
    }
}

/// Runs the whole batch: load, compute, chart, render, publish.
pub fn run_report(opts: &ReportOptions) -> anyhow::Result<RunSummary> {
    let config = load::load_config(&opts.data)?;
    let register = register_for(&opts.data)?;
    let years = load::years(&opts.data)?;
    let year = match opts.year {
        Some(y) if years.contains(&y) => y,
        Some(y) => bail!(
            "no returns for {y}: {} has no folder {y}",
            opts.data.join("returns").display()
        ),
        None => *years.last().with_context(|| {
            format!("no year folders in {}", opts.data.join("returns").display())
        })?,
    };
    let previous_year = years.iter().copied().filter(|y| *y < year).max();

    // Load and validate.
    let current = load::load_year(&opts.data, year, &register, &config)?;
    let previous: Option<YearData> = match previous_year {
        Some(py) => Some(load::load_year(&opts.data, py, &register, &config)?),
        None => None,
    };

    // Compute, once.
    let results = compute::compute(
        &current.returns,
        year,
        previous.as_ref().map(|p| (p.returns.as_slice(), p.year)),
        &register,
        &config,
    )?;
    let bench = Benchmarks::from_results(&results, &config);
    let date = config
        .release_ymd()
        .expect("checked when the configuration was read");

    // Chart and render, national and local reports in parallel. typst needs
    // deep stacks in debug builds: give the workers 16 MiB.
    let pool = rayon::ThreadPoolBuilder::new()
        .stack_size(16 << 20)
        .build()?;
    let (national, locals) = pool.install(|| {
        rayon::join(
            || -> Result<Rendered, String> {
                let (v, charts) = view::national(&results, &bench, &current, &register, &config)?;
                render::document("national".into(), "national.typ", &v, charts, date)
            },
            || {
                current
                    .returns
                    .par_iter()
                    .map(|r| {
                        let authority = register
                            .get(&r.authority_code)
                            .expect("accepted returns are in the register");
                        let input = LocalInputs {
                            authority,
                            own: results
                                .current
                                .figures
                                .iter()
                                .filter(|f| {
                                    f.scope == Scope::Authority && f.area_code == r.authority_code
                                })
                                .collect(),
                            services: r.services.keys().copied().collect(),
                            staff: r
                                .services
                                .values()
                                .filter_map(|s| s.headcount())
                                .map(|t| t.total())
                                .sum(),
                        };
                        let (v, charts, log) = view::local(&input, &bench, &config)?;
                        let name = format!("{}-{}", authority.code, slug(&authority.name));
                        render::document(name, "local.typ", &v, charts, date).map(|d| (d, log))
                    })
                    .collect::<Vec<_>>()
            },
        )
    });
    let national = national.map_err(|e| anyhow::anyhow!("national report: {e}"))?;

    // Publish.
    let dir = opts.out.join(year.to_string());
    publish::write_atomic(
        &dir.join("results.csv"),
        &publish::results_csv(&results.current, results.previous.as_ref()),
    )?;
    let (bench_csv, mut suppressions) = publish::benchmarks_csv(&bench, &config);
    publish::write_atomic(&dir.join("benchmarks.csv"), &bench_csv)?;
    publish::write_atomic(
        &dir.join("validation.json"),
        &publish::validation_json(year, &current.outcomes),
    )?;
    publish::write_atomic(
        &dir.join("validation.md"),
        &publish::validation_md(year, &current.outcomes),
    )?;
    let national_dir = dir.join("national");
    publish::write_atomic(
        &national_dir.join(format!("sc-wres-national-{year}.pdf")),
        &national.pdf,
    )?;
    for (name, svg) in &national.charts {
        publish::write_atomic(&national_dir.join(name), svg)?;
    }
    let mut failures = Vec::new();
    let mut local_reports = 0;
    for l in locals {
        match l {
            Ok((doc, log)) => {
                publish::write_atomic(
                    &dir.join("local").join(format!("{}.pdf", doc.name)),
                    &doc.pdf,
                )?;
                suppressions.extend(log);
                local_reports += 1;
            }
            Err(e) => failures.push(format!("local report: {e}")),
        }
    }
    publish::write_atomic(
        &dir.join("suppressions.csv"),
        &publish::suppressions_csv(&suppressions),
    )?;

    let count = |s| current.outcomes.iter().filter(|o| o.status == s).count();
    Ok(RunSummary {
        year,
        out_dir: dir,
        accepted: count(load::Status::Accepted),
        rejected: count(load::Status::Rejected),
        skipped: count(load::Status::Skipped),
        local_reports,
        failures,
        outcomes: current.outcomes,
    })
}

/// A file-name slug: lower case, ASCII letters and digits joined by `-`.
pub fn slug(name: &str) -> String {
    let s: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    s.split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}
