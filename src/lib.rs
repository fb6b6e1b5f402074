//! scwres: the Social Care Workforce Race Equality Standard report builder.
//!
//! The pipeline, one module a stage, data flowing one way:
//! `load` (read and validate returns) → `compute` (every figure, once) →
//! `chart` (SVG) → `render` (templates → typst → PDF bytes) → `publish`
//! (the only writer). `indicators` is the one definition of what is
//! computed; `stats` holds the pure statistical methods.

pub mod bench;
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
use load::actions::ActionPlan;
use register::Register;
use render::Rendered;
use render::view::{self, Benchmarks, LocalBench, LocalInputs};
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
    pub files_written: usize,
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
    /// The bytes of `benchmarks.csv` and the suppressions made in it.
    pub benchmarks_csv: Vec<u8>,
    pub benchmarks_log: Vec<view::Suppression>,
    /// What local reports read: `benchmarks_csv` read back, exactly as a
    /// council running `scwres local` reads it.
    pub local_bench: LocalBench,
    /// The action plans of the year.
    pub plans: load::Plans,
}

/// Loads, validates and computes: the stages before any output.
pub fn prepare(data: &Path, year: Option<i32>) -> anyhow::Result<Prepared> {
    init_threads();
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
    if current.returns.is_empty() {
        bail!(
            "none of the {} files in {} was accepted, so there is nothing to report; `scwres validate {}` says why",
            current.outcomes.len(),
            returns_dir.join(year.to_string()).display(),
            returns_dir.join(year.to_string()).display()
        );
    }
    let previous = match years.iter().copied().filter(|y| *y < year).max() {
        Some(py) => Some(load::load_year(data, py, &register, &config)?),
        None => None,
    };
    let plans = load::load_actions(data, year, &register)?;
    let results = compute::compute(
        &current.returns,
        year,
        previous.as_ref().map(|p| (p.returns.as_slice(), p.year)),
        &register,
        &config,
    )?;
    let bench = Benchmarks::from_results(&results, &config);
    let (benchmarks_csv, benchmarks_log) = publish::benchmarks_csv(&bench, &config);
    let published = load::benchmarks::read("benchmarks.csv", &benchmarks_csv).map_err(|e| {
        anyhow::anyhow!("internal error: the benchmarks written cannot be read back: {e}")
    })?;
    let local_bench = LocalBench::new(&published, &config).map_err(anyhow::Error::msg)?;
    Ok(Prepared {
        config,
        register,
        current,
        previous,
        results,
        bench,
        benchmarks_csv,
        benchmarks_log,
        local_bench,
        plans,
    })
}

impl Prepared {
    /// The inputs of one council's local report: its own figures only.
    pub fn local_inputs<'a>(&'a self, r: &'a model::Return) -> LocalInputs<'a> {
        let previous = self
            .results
            .previous
            .as_ref()
            .map(|p| (p.year, p.figures.as_slice()));
        local_inputs(
            &self.results.current.figures,
            previous,
            &self.register,
            r,
            self.plans.by_council.get(&r.authority_code),
        )
    }

    fn date(&self) -> (i32, u8, u8) {
        self.config
            .release_ymd()
            .expect("checked when the configuration was read")
    }

    pub fn render_national(&self) -> Result<Rendered, String> {
        render::typeset(self.national_source()?, self.date())
    }

    /// The national report, ready for the typesetter.
    pub fn national_source(&self) -> Result<render::Source, String> {
        let (v, charts) = view::national(
            &self.results,
            &self.bench,
            &self.current,
            &self.register,
            &self.config,
        )?;
        render::source("national".into(), "national.typ", &v, charts)
    }

    /// A council's local report. A council whose action plan was refused
    /// gets no report: its plan must not be silently left out.
    pub fn render_local(
        &self,
        r: &model::Return,
    ) -> Result<(Rendered, Vec<view::Suppression>), String> {
        let (s, log) = self.local_source(r)?;
        Ok((render::typeset(s, self.date())?, log))
    }

    /// A council's local report, ready for the typesetter.
    pub fn local_source(
        &self,
        r: &model::Return,
    ) -> Result<(render::Source, Vec<view::Suppression>), String> {
        if let Some(refused) = self.plans.refused.get(&r.authority_code) {
            let why: Vec<String> = refused.iter().map(|d| d.to_string()).collect();
            return Err(format!(
                "{}: no local report, because its action plan was refused:\n{}",
                r.authority_code,
                why.join("\n")
            ));
        }
        local_source(&self.local_inputs(r), &self.local_bench, &self.config)
    }
}

/// A council's own figures from a set of figures: nothing of any other
/// council's is passed on.
fn local_inputs<'a>(
    figures: &'a [compute::Figure],
    previous: Option<(i32, &'a [compute::Figure])>,
    register: &'a Register,
    r: &'a model::Return,
    actions: Option<&'a ActionPlan>,
) -> LocalInputs<'a> {
    // Figures are sorted by scope, then area: a council's are one run,
    // found by binary search (a linear scan per report made a run of many
    // thousands of organisations quadratic).
    let own = |figs: &'a [compute::Figure]| -> Vec<&'a compute::Figure> {
        fn key(f: &compute::Figure) -> (Scope, &str) {
            (f.scope, f.area_code.as_str())
        }
        let want = (Scope::Authority, r.authority_code.as_str());
        let start = figs.partition_point(|f| key(f) < want);
        let end = start + figs[start..].partition_point(|f| key(f) == want);
        figs[start..end].iter().collect()
    };
    LocalInputs {
        authority: register
            .get(&r.authority_code)
            .expect("accepted returns are in the register"),
        own: own(figures),
        previous: previous
            .map(|(y, f)| (y, own(f)))
            .filter(|(_, f)| !f.is_empty()),
        services: r.services.keys().copied().collect(),
        staff: r
            .services
            .values()
            .filter_map(|s| s.headcount())
            .map(|t| t.total())
            .sum(),
        quality: view::Quality::of(r),
        actions,
    }
}

fn local_source(
    input: &LocalInputs,
    bench: &LocalBench,
    config: &config::Config,
) -> Result<(render::Source, Vec<view::Suppression>), String> {
    let (v, charts, log) = view::local(input, bench, config)?;
    let name = format!("{}-{}", input.authority.code, slug(&input.authority.name));
    render::source(name, "local.typ", &v, charts).map(|s| (s, log))
}

/// What `scwres local` is asked to do.
pub struct LocalOptions {
    /// The council's own return.
    pub ret: PathBuf,
    /// The published `benchmarks.csv` of the national run.
    pub benchmarks: PathBuf,
    /// The council's own return of an earlier year, for the change since.
    pub previous: Option<PathBuf>,
    /// The council's action plan.
    pub actions: Option<PathBuf>,
    /// Overrides the audience of `report.yaml`.
    pub audience: Option<config::Audience>,
    /// Folder with `report.yaml` (and optionally `authorities.csv`).
    pub data: PathBuf,
    pub out: PathBuf,
}

/// What `scwres local` did: every file checked, with its problems, and the
/// report written if all were sound.
pub struct LocalRun {
    pub outcomes: Vec<load::FileOutcome>,
    pub written: Option<PathBuf>,
}

/// A council's local report from its own return and the published national
/// benchmarks, without anyone else's data.
pub fn run_local(o: &LocalOptions) -> anyhow::Result<LocalRun> {
    init_threads();
    let mut config = load::load_config(&o.data)?;
    if let Some(a) = o.audience {
        config.audience = a;
    }
    let register = register_for(&o.data)?;
    let shown = o.benchmarks.display().to_string();
    let bytes = std::fs::read(&o.benchmarks).with_context(|| shown.clone())?;
    let published = load::benchmarks::read(&shown, &bytes).map_err(anyhow::Error::msg)?;
    let year = published.year;
    let bands = config.bands(year);
    let ctx = load::validate::Context::new(&register, &bands, Some(year), &config);
    let (outcome, ret) = load::load_file(&o.ret, &o.ret.display().to_string(), &ctx);
    let mut outcomes = vec![outcome];
    let mut prev = None;
    if let Some(pp) = &o.previous {
        let shown = pp.display().to_string();
        let (mut outcome, pr) = load_previous(pp, &shown, year, &register, &config);
        if let (Some(pr), Some(r)) = (&pr, &ret)
            && pr.authority_code != r.authority_code
        {
            outcome.status = load::Status::Rejected;
            outcome.diagnostics.push(
                load::diag::Diagnostic::error(
                    &shown,
                    "",
                    "the previous return is another council's",
                )
                .value(&pr.authority_code)
                .hint(format!(
                    "give {}'s own return of an earlier year",
                    r.authority_code
                )),
            );
        }
        if outcome.status == load::Status::Accepted {
            prev = pr;
        }
        outcomes.push(outcome);
    }
    let mut plan = None;
    if let Some(ap) = &o.actions {
        let shown = ap.display().to_string();
        let bytes = std::fs::read(ap).with_context(|| shown.clone())?;
        let mut outcome = load::FileOutcome {
            file: shown.clone(),
            status: load::Status::Accepted,
            authority_code: None,
            sha256: Some(load::sha256_hex(&bytes)),
            diagnostics: Vec::new(),
        };
        let checked = load::check_plan(load::actions::read(&shown, &bytes), year, &register)
            .and_then(|p| match &ret {
                Some(r) if r.authority_code != p.authority => Err(vec![
                    load::diag::Diagnostic::error(
                        &shown,
                        "authority",
                        "the plan is another council's",
                    )
                    .value(&p.authority)
                    .hint(format!("the return is {}'s", r.authority_code)),
                ]),
                _ => Ok(p),
            });
        match checked {
            Ok(p) => plan = Some(p),
            Err(d) => {
                outcome.status = load::Status::Rejected;
                outcome.diagnostics = d;
            }
        }
        outcomes.push(outcome);
    }
    let (Some(ret), true) = (
        ret,
        outcomes.iter().all(|o| o.status == load::Status::Accepted),
    ) else {
        return Ok(LocalRun {
            outcomes,
            written: None,
        });
    };
    let own = compute::compute_year(std::slice::from_ref(&ret), year, &register, &config)?;
    let prev_results = match &prev {
        Some(p) => Some(compute::compute_year(
            std::slice::from_ref(p),
            p.year,
            &register,
            &config,
        )?),
        None => None,
    };
    let bench = LocalBench::new(&published, &config).map_err(anyhow::Error::msg)?;
    let inputs = local_inputs(
        &own.figures,
        prev_results
            .as_ref()
            .map(|p| (p.year, p.figures.as_slice())),
        &register,
        &ret,
        plan.as_ref(),
    );
    let date = config
        .release_ymd()
        .expect("checked when the configuration was read");
    let (doc, log) = local_source(&inputs, &bench, &config)
        .and_then(|(s, log)| Ok((render::typeset(s, date)?, log)))
        .map_err(anyhow::Error::msg)?;
    let out = publish::Publisher::new(&o.out);
    let name = format!("{}.pdf", doc.name);
    out.write(&name, &doc.pdf)?;
    out.write(
        &format!("{}-suppressions.csv", doc.name),
        &publish::suppressions_csv(&log),
    )?;
    out.sync()?;
    Ok(LocalRun {
        outcomes,
        written: Some(o.out.join(name)),
    })
}

/// Reads a council's return of an earlier year than `year`, validated with
/// that year's pay bands.
fn load_previous(
    path: &Path,
    shown: &str,
    year: i32,
    register: &Register,
    config: &config::Config,
) -> (load::FileOutcome, Option<model::Return>) {
    let mut try_year = year - 1;
    loop {
        let bands = config.bands(try_year);
        let ctx = load::validate::Context::new(register, &bands, None, config);
        let (mut outcome, r) = load::load_file(path, shown, &ctx);
        match &r {
            Some(r) if r.year >= year => {
                outcome.status = load::Status::Rejected;
                outcome.diagnostics.push(
                    load::diag::Diagnostic::error(
                        shown,
                        "",
                        format!("the previous return must be for a year before {year}"),
                    )
                    .value(r.year.to_string()),
                );
                return (outcome, None);
            }
            Some(r) if r.year != try_year => try_year = r.year,
            _ => return (outcome, r),
        }
    }
}

/// Runs the whole batch: load, compute, chart, render, publish.
pub fn run_report(opts: &ReportOptions) -> anyhow::Result<RunSummary> {
    run_report_with(opts, &|_| {})
}

/// Something a long run reports as it goes, for a progress display.
pub enum Progress {
    /// Returns loaded and figures computed; `reports` documents to make.
    Prepared { reports: usize },
    /// One more document made.
    Rendered,
}

/// [`run_report`], telling `progress` how it goes.
pub fn run_report_with(
    opts: &ReportOptions,
    progress: &(dyn Fn(Progress) + Sync),
) -> anyhow::Result<RunSummary> {
    let p = prepare(&opts.data, opts.year)?;
    let year = p.results.current.year;
    progress(Progress::Prepared {
        reports: p.current.returns.len() + 1,
    });

    let dir = opts.out.join(year.to_string());
    let out = publish::Publisher::new(&dir);
    let prev = p.results.previous.as_ref();
    out.write(
        "results.csv",
        &publish::results_csv(&p.results.current, prev),
    )?;
    out.write("benchmarks.csv", &p.benchmarks_csv)?;
    out.write(
        "validation.json",
        &publish::validation_json(year, &p.current.outcomes),
    )?;
    out.write(
        "validation.md",
        &publish::validation_md(year, &p.current.outcomes, p.config.synthetic),
    )?;
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

    // Chart, render and publish the national report and every local report,
    // one document per core at a time. Each PDF is written as soon as it is
    // made, so memory holds only the documents in flight.
    let locals = std::sync::Mutex::new(Vec::new());
    let jobs: Vec<Option<&model::Return>> = std::iter::once(None)
        .chain(p.current.returns.iter().map(Some))
        .collect();
    for_each_document(&jobs, |job| {
        match job {
            None => {
                let national = p
                    .render_national()
                    .map_err(|e| anyhow::anyhow!("national report: {e}"))?;
                out.write(
                    &format!("national/sc-wres-national-{year}.pdf"),
                    &national.pdf,
                )?;
                for (name, svg) in &national.charts {
                    out.write(&format!("national/{name}"), svg)?;
                }
            }
            Some(r) => {
                let made = p.render_local(r);
                if let Ok((doc, _)) = &made {
                    out.write(&format!("local/{}.pdf", doc.name), &doc.pdf)?;
                }
                let made = made.map(|(_, log)| log);
                locals
                    .lock()
                    .expect("no panics while held")
                    .push((r.authority_code.clone(), made));
            }
        }
        progress(Progress::Rendered);
        Ok(())
    })?;
    let mut locals = locals.into_inner().expect("no panics while held");
    locals.sort_by(|a, b| a.0.cmp(&b.0));

    let mut suppressions = p.benchmarks_log.clone();
    let mut failures = Vec::new();
    let mut local_reports = 0;
    for (_, made) in locals {
        match made {
            Ok(log) => {
                suppressions.extend(log);
                local_reports += 1;
            }
            Err(e) => failures.push(format!("local report: {e}")),
        }
    }
    for d in &p.plans.problems {
        failures.push(format!("action plan refused: {d}"));
    }
    for code in p.plans.by_council.keys().chain(p.plans.refused.keys()) {
        if !p.current.returns.iter().any(|r| &r.authority_code == code) {
            failures.push(format!(
                "action plan for {code} not used: {code} has no accepted return for {year}"
            ));
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
    out.sync()?;

    let count = |s| p.current.outcomes.iter().filter(|o| o.status == s).count();
    Ok(RunSummary {
        year,
        out_dir: dir,
        accepted: count(load::Status::Accepted),
        rejected: count(load::Status::Rejected),
        skipped: count(load::Status::Skipped),
        local_reports,
        failures,
        files_written: out.count(),
        outcomes: p.current.outcomes,
    })
}

/// Runs `f` over `items` on one thread per core, each taking the next item
/// when it is done with one, and stops at the first error.
///
/// Documents are deliberately not rayon tasks: typst parallelises inside a
/// document with rayon, and a rayon worker waiting on such inner work steals
/// other queued tasks, so with documents as tasks one thread could start
/// document after document, nested on its stack, all in memory at once
/// (measured: peak memory grew with the number of councils, to 5.9 GB for
/// 2,000). Here a thread holds one document at a time.
pub fn for_each_document<T: Sync>(
    items: &[T],
    f: impl Fn(&T) -> anyhow::Result<()> + Sync,
) -> anyhow::Result<()> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    init_threads();
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let first_error = std::sync::Mutex::new(None);
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            std::thread::Builder::new()
                .name("scwres-typeset".into())
                .stack_size(STACK)
                .spawn_scoped(s, || {
                    // typst's inner parallel work runs on this worker's own
                    // one-thread pool: one document per core, no stealing.
                    let pool = rayon::ThreadPoolBuilder::new()
                        .num_threads(1)
                        .stack_size(STACK)
                        .build();
                    while !failed.load(Ordering::Relaxed) {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        let result = match &pool {
                            Ok(pool) => pool.install(|| f(item)),
                            Err(e) => Err(anyhow::anyhow!("starting a typesetting thread: {e}")),
                        };
                        if let Err(e) = result {
                            failed.store(true, Ordering::Relaxed);
                            first_error
                                .lock()
                                .expect("no panics while held")
                                .get_or_insert(e);
                        }
                    }
                })
                .expect("a thread can be started");
        }
    });
    match first_error.into_inner().expect("no panics while held") {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Stack size of the threads that typeset: typst recurses deeply, the more
/// so in debug builds.
const STACK: usize = 16 << 20;

/// Gives rayon's global pool (where typst runs its inner parallel work) the
/// same deep stacks. Harmless if the pool already exists.
fn init_threads() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rayon::ThreadPoolBuilder::new()
            .stack_size(STACK)
            .build_global();
    });
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
