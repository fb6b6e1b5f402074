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
pub mod format;
pub mod indicators;
pub mod load;
pub mod model;
pub mod publish;
pub mod register;
pub mod render;
pub mod stats;
pub mod template;

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

/// A year's returns loaded and every figure computed: everything a run
/// renders and publishes.
pub struct Prepared {
    pub config: config::Config,
    pub register: Register,
    pub current: YearData,
    pub previous: Option<YearData>,
    pub results: compute::Results,
    pub bench: Benchmarks,
}

/// Loads, validates and computes: the stages before any output.
pub fn prepare(data: &Path, year: Option<i32>) -> anyhow::Result<Prepared> {
    let config = load::load_config(data)?;
    let register = register_for(data)?;
    let returns_dir = data.join("returns");
    let years = load::years(data)?;
    let year = match year {
        Some(y) if years.contains(&y) => y,
        Some(y) => bail!(
            "no returns for {y}: {} has no folder {y}",
            returns_dir.display()
        ),
        None => *years
            .last()
            .with_context(|| format!("no year folders in {}", returns_dir.display()))?,
    };
    let current = load::load_year(data, year, &register, &config)?;
    let previous = match years.iter().copied().filter(|y| *y < year).max() {
        Some(py) => Some(load::load_year(data, py, &register, &config)?),
        None => None,
    };
    let results = compute::compute(
        &current.returns,
        year,
        previous.as_ref().map(|p| (p.returns.as_slice(), p.year)),
        &register,
        &config,
    )?;
    let bench = Benchmarks::from_results(&results, &config);
    Ok(Prepared {
        config,
        register,
        current,
        previous,
        results,
        bench,
    })
}

impl Prepared {
    /// The inputs of one council's local report: its own figures only.
    pub fn local_inputs(&self, r: &model::Return) -> LocalInputs<'_> {
        local_inputs(&self.results.current.figures, &self.register, r)
    }

    fn date(&self) -> (i32, u8, u8) {
        self.config
            .release_ymd()
            .expect("checked when the configuration was read")
    }

    pub fn render_national(&self) -> Result<Rendered, String> {
        let (v, charts) = view::national(
            &self.results,
            &self.bench,
            &self.current,
            &self.register,
            &self.config,
        )?;
        render::document("national".into(), "national.typ", &v, charts, self.date())
    }

    pub fn render_local(
        &self,
        r: &model::Return,
    ) -> Result<(Rendered, Vec<view::Suppression>), String> {
        render_local(&self.local_inputs(r), &self.bench, &self.config)
    }
}

/// A council's own figures from a set of figures: nothing of any other
/// council's is passed on.
fn local_inputs<'a>(
    figures: &'a [compute::Figure],
    register: &'a Register,
    r: &model::Return,
) -> LocalInputs<'a> {
    LocalInputs {
        authority: register
            .get(&r.authority_code)
            .expect("accepted returns are in the register"),
        own: figures
            .iter()
            .filter(|f| f.scope == Scope::Authority && f.area_code == r.authority_code)
            .collect(),
        services: r.services.keys().copied().collect(),
        staff: r
            .services
            .values()
            .filter_map(|s| s.headcount())
            .map(|t| t.total())
            .sum(),
    }
}

fn render_local(
    input: &LocalInputs,
    bench: &Benchmarks,
    config: &config::Config,
) -> Result<(Rendered, Vec<view::Suppression>), String> {
    let (v, charts, log) = view::local(input, bench, config)?;
    let name = format!("{}-{}", input.authority.code, slug(&input.authority.name));
    let date = config
        .release_ymd()
        .expect("checked when the configuration was read");
    render::document(name, "local.typ", &v, charts, date).map(|d| (d, log))
}

/// What `scwres local` is asked to do.
pub struct LocalOptions {
    /// The council's own return.
    pub ret: PathBuf,
    /// The published `benchmarks.csv` of the national run.
    pub benchmarks: PathBuf,
    /// Folder with `report.yaml` (and optionally `authorities.csv`).
    pub data: PathBuf,
    pub out: PathBuf,
}

/// A council's local report from its own return and the published national
/// benchmarks, without anyone else's data. Returns the validation outcome of
/// the return and the file written, if any.
pub fn run_local(o: &LocalOptions) -> anyhow::Result<(load::FileOutcome, Option<PathBuf>)> {
    let config = load::load_config(&o.data)?;
    let register = register_for(&o.data)?;
    let shown = o.benchmarks.display().to_string();
    let bytes = std::fs::read(&o.benchmarks).with_context(|| shown.clone())?;
    let (year, rows) = load::benchmarks::read(&shown, &bytes).map_err(anyhow::Error::msg)?;
    let bands = config.bands(year);
    let ctx = load::validate::Context::new(&register, &bands, Some(year), &config);
    let (outcome, ret) = load::load_file(&o.ret, &o.ret.display().to_string(), &ctx);
    let Some(ret) = ret else {
        return Ok((outcome, None));
    };
    let own = compute::compute_year(std::slice::from_ref(&ret), year, &register, &config)?;
    let bench = Benchmarks {
        year,
        bands,
        national: compute::national_from_counts(year, &rows, &config),
        regions: Vec::new(),
        spread: Vec::new(),
        previous: None,
    };
    let (doc, log) = render_local(
        &local_inputs(&own.figures, &register, &ret),
        &bench,
        &config,
    )
    .map_err(anyhow::Error::msg)?;
    let mut out = publish::Publisher::new(&o.out);
    let name = format!("{}.pdf", doc.name);
    out.write(&name, &doc.pdf)?;
    out.write(
        &format!("{}-suppressions.csv", doc.name),
        &publish::suppressions_csv(&log),
    )?;
    Ok((outcome, Some(o.out.join(name))))
}

/// Runs the whole batch: load, compute, chart, render, publish.
pub fn run_report(opts: &ReportOptions) -> anyhow::Result<RunSummary> {
    let p = prepare(&opts.data, opts.year)?;
    let year = p.results.current.year;

    // Chart and render, national and local reports in parallel. typst needs
    // deep stacks in debug builds: give the workers 16 MiB.
    let pool = rayon::ThreadPoolBuilder::new()
        .stack_size(16 << 20)
        .build()?;
    let (national, locals) = pool.install(|| {
        rayon::join(
            || p.render_national(),
            || {
                p.current
                    .returns
                    .par_iter()
                    .map(|r| p.render_local(r))
                    .collect::<Vec<_>>()
            },
        )
    });
    let national = national.map_err(|e| anyhow::anyhow!("national report: {e}"))?;

    // Publish.
    let dir = opts.out.join(year.to_string());
    let mut out = publish::Publisher::new(&dir);
    let prev = p.results.previous.as_ref();
    out.write(
        "results.csv",
        &publish::results_csv(&p.results.current, prev),
    )?;
    let (bench_csv, mut suppressions) = publish::benchmarks_csv(&p.bench, &p.config);
    out.write("benchmarks.csv", &bench_csv)?;
    out.write(
        "validation.json",
        &publish::validation_json(year, &p.current.outcomes),
    )?;
    out.write(
        "validation.md",
        &publish::validation_md(year, &p.current.outcomes, p.config.synthetic),
    )?;
    out.write(
        &format!("national/sc-wres-national-{year}.pdf"),
        &national.pdf,
    )?;
    for (name, svg) in &national.charts {
        out.write(&format!("national/{name}"), svg)?;
    }
    let files = (p.current.outcomes.len(), p.current.rejected());
    let tables = render::tables::tables(&p.results, &p.bench, &p.register, &p.config, files);
    for t in &tables {
        out.write(
            &format!("national/tables/{}-{year}.csv", t.file),
            &render::tables::csv(t),
        )?;
    }
    out.write(
        &format!("national/tables/sc-wres-national-tables-{year}.xlsx"),
        &render::tables::xlsx(&tables, &p.config, year)?,
    )?;
    let mut failures = Vec::new();
    let mut local_reports = 0;
    for l in locals {
        match l {
            Ok((doc, log)) => {
                out.write(&format!("local/{}.pdf", doc.name), &doc.pdf)?;
                suppressions.extend(log);
                local_reports += 1;
            }
            Err(e) => failures.push(format!("local report: {e}")),
        }
    }
    out.write(
        "suppressions.csv",
        &publish::suppressions_csv(&suppressions),
    )?;
    if p.config.synthetic {
        // The CSV columns are fixed by the output contract, so the tables say
        // it through a notice beside them (and every PDF and chart on its face).
        let notice = publish::synthetic_notice(year);
        out.write(publish::SYNTHETIC_NOTICE, &notice)?;
        out.write(&format!("national/{}", publish::SYNTHETIC_NOTICE), &notice)?;
    }
    let inputs: Vec<&load::FileOutcome> = p
        .previous
        .iter()
        .flat_map(|y| &y.outcomes)
        .chain(&p.current.outcomes)
        .collect();
    let manifest = out.manifest(year, &p.config, &p.register.sha256, &inputs);
    out.write("manifest.json", &manifest)?;

    let count = |s| p.current.outcomes.iter().filter(|o| o.status == s).count();
    Ok(RunSummary {
        year,
        out_dir: dir,
        accepted: count(load::Status::Accepted),
        rejected: count(load::Status::Rejected),
        skipped: count(load::Status::Skipped),
        local_reports,
        failures,
        outcomes: p.current.outcomes,
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
