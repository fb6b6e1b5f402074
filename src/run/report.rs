//! `scwres report`: the national batch.

use super::{Prepared, for_each_document};
use crate::formats::{self, manifest};
use crate::load::{FileOutcome, Status};
use crate::model::Return;
use crate::publish::{Publisher, Staged};
use crate::render;
use crate::view::index::{LocalEntry, TableEntry};
use crate::view::national::Files;
use std::path::PathBuf;

/// What `scwres report` is asked to do.
pub struct ReportOptions {
    pub data: PathBuf,
    pub out: PathBuf,
    pub year: Option<i32>,
    /// An earlier release of the same year (its `<out>/<year>/` folder):
    /// every figure that changed since is marked revised.
    pub previous_release: Option<PathBuf>,
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
    /// The run was made from synthetic demo data.
    pub synthetic: bool,
    pub outcomes: Vec<FileOutcome>,
}

/// Something a long run reports as it goes, for a progress display.
pub enum Progress {
    /// Returns loaded and figures computed; `reports` documents to make.
    Prepared { reports: usize },
    /// One more document made.
    Rendered,
}

/// Runs the whole batch: load, compute, disclose, view, render, publish.
pub fn run_report(opts: &ReportOptions) -> anyhow::Result<RunSummary> {
    run_report_with(opts, &|_| {})
}

/// [`run_report`], telling `progress` how it goes: the release made from
/// the data folder and written to `<out>/<year>/` as one publication.
pub fn run_report_with(
    opts: &ReportOptions,
    progress: &(dyn Fn(Progress) + Sync),
) -> anyhow::Result<RunSummary> {
    let src = crate::load::Folder::new(&opts.data);
    let earlier = opts
        .previous_release
        .as_deref()
        .map(crate::load::Folder::new);
    let mut staged = None;
    let (mut summary, out) = release(
        &src,
        opts.year,
        earlier.as_ref().map(|e| e as &dyn crate::load::Source),
        &mut |year| {
            let target = opts.out.join(year.to_string());
            crate::publish::check_target(&opts.data, &target)?;
            let s = Staged::begin(&target)?;
            let out = Publisher::new(s.dir());
            staged = Some(s);
            Ok(out)
        },
        progress,
    )?;
    out.sync()?;
    let staged = staged.ok_or_else(|| anyhow::anyhow!("internal error: no output folder"))?;
    summary.out_dir = staged.finish()?;
    Ok(summary)
}

/// A release in memory: every file by its path in the release's year
/// folder (`public/…`, `internal/…`, `manifest.json`), and what the run did.
pub struct Publication {
    pub files: std::collections::BTreeMap<String, Vec<u8>>,
    pub summary: RunSummary,
}

/// The pipeline as a library: inputs by name (report.yaml, the register,
/// each year's returns, the year's plans) to a release in memory, the
/// same files, byte for byte, that `scwres report` writes from a folder of
/// those inputs. `previous`, an earlier release of the year (its files by
/// path), makes it a revision. Nothing is read or written but through
/// `src` and `previous`.
pub fn publication(
    src: &dyn crate::load::Source,
    year: Option<i32>,
    previous: Option<&dyn crate::load::Source>,
    progress: &(dyn Fn(Progress) + Sync),
) -> anyhow::Result<Publication> {
    let (summary, out) = release(
        src,
        year,
        previous,
        &mut |_| Ok(Publisher::in_memory()),
        progress,
    )?;
    Ok(Publication {
        files: out.into_files(),
        summary,
    })
}

/// The release of `src`: prepared, then every file placed through the
/// publisher `open` gives once the year is known. The summary's
/// `out_dir` is left empty for the caller.
fn release(
    src: &dyn crate::load::Source,
    year: Option<i32>,
    previous: Option<&dyn crate::load::Source>,
    open: &mut dyn FnMut(i32) -> anyhow::Result<Publisher>,
    progress: &(dyn Fn(Progress) + Sync),
) -> anyhow::Result<(RunSummary, Publisher)> {
    let mut p = super::prepare_from(src, year, previous)?;
    let year = p.results.current.year;
    let inputs: Vec<manifest::Input> = p
        .history
        .iter()
        .flat_map(|y| &y.outcomes)
        .chain(&p.current.outcomes)
        .map(|o| manifest::Input {
            file: o.file.clone(),
            sha256: o.sha256.clone(),
            status: o.status.id().to_string(),
        })
        .collect();
    if let Some(earlier) = previous {
        p.revisions = Some(revisions(earlier, year, &p, &inputs)?);
    }
    progress(Progress::Prepared {
        reports: p.current.returns.len() + 1,
    });

    let out = open(year)?;
    out.write(
        &internal("results.csv"),
        &formats::results::of_run(&p.results),
    )?;
    out.write(&public("benchmarks.csv"), &p.benchmarks_csv)?;
    out.write(
        &public("funnels.csv"),
        &formats::funnels::write(&p.bench.funnels),
    )?;
    let publication = formats::publication::Publication::new(year, &p.config, &p.benchmarks_csv);
    out.write(&public(formats::publication::FILE), &publication.write())?;
    out.write(
        &internal("validation.json"),
        &formats::validation::json(year, &p.current.outcomes, &p.plans.outcomes()),
    )?;
    out.write(
        &internal("validation.md"),
        &formats::validation::markdown(
            year,
            &p.current.outcomes,
            &p.plans.outcomes(),
            p.config.synthetic,
        ),
    )?;
    let files = Files {
        files: p.current.outcomes.len(),
        rejected: p.current.rejected(),
        skipped: p.current.skipped(),
    };
    let tables = crate::view::tables::tables(
        &p.results,
        &p.bench,
        &p.register,
        &p.config,
        files,
        p.revisions.as_ref(),
    );
    if let Some(r) = &p.revisions {
        out.write(&internal("revisions.csv"), &r.csv())?;
    }
    for t in &tables {
        out.write(&public(&table_csv(&t.file, year)), &render::tables::csv(t))?;
    }
    out.write(
        &public(&tables_xlsx(year)),
        &render::tables::xlsx(&tables, &p.config, year)?,
    )?;

    let (locals, mut failures, suppressions) = documents(&p, &out, progress)?;
    let local_reports = locals.len();
    let meta = crate::view::Meta::new(&p.config, year, p.results.previous().map(|y| y.year));
    let table_entries = tables
        .iter()
        .map(|t| TableEntry {
            title: t.title.clone(),
            file: table_csv(&t.file, year),
        })
        .collect();
    let index = crate::view::index::IndexView::new(
        meta,
        national_stem(year),
        table_entries,
        tables_xlsx(year),
        locals,
    );
    out.write(
        &public("index.html"),
        render::html::page("index.html", &index, &[])
            .map_err(anyhow::Error::msg)?
            .as_bytes(),
    )?;
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
        &internal("suppressions.csv"),
        &formats::suppressions::write(&suppressions),
    )?;
    if p.config.synthetic {
        // The CSV columns are fixed by the output contract, so the tables say
        // it through a notice beside them (and every PDF and chart on its face).
        let notice = formats::validation::synthetic_notice(year);
        let name = formats::validation::SYNTHETIC_NOTICE;
        out.write(&public(name), &notice)?;
        out.write(&internal(name), &notice)?;
        out.write(&public(&format!("national/{name}")), &notice)?;
    }
    let m = manifest::Manifest::new(year, &p.config, &p.register.sha256, inputs, out.written());
    out.write("manifest.json", &m.write())?;

    let count = |s| p.current.outcomes.iter().filter(|o| o.status == s).count();
    let summary = RunSummary {
        year,
        out_dir: PathBuf::new(),
        accepted: count(Status::Accepted),
        rejected: count(Status::Rejected),
        skipped: count(Status::Skipped),
        local_reports,
        failures,
        synthetic: p.config.synthetic,
        files_written: out.count(),
        outcomes: p.current.outcomes,
    };
    Ok((summary, out))
}

/// The revisions since the earlier release in `dir` (its results.csv and
/// manifest.json), which must be of the same year.
fn revisions(
    earlier: &dyn crate::load::Source,
    year: i32,
    p: &Prepared,
    inputs: &[manifest::Input],
) -> anyhow::Result<crate::revise::Revisions> {
    let read = |name: &str| {
        let shown = earlier.shown(name);
        earlier
            .read(name, crate::load::MAX_BENCHMARKS)
            .map_err(|r| anyhow::anyhow!("{shown}: {}", r.rule))
            .map(|b| (shown, b))
    };
    let (shown, bytes) = read("manifest.json")?;
    let earlier = manifest::Manifest::read(&shown, &bytes).map_err(anyhow::Error::msg)?;
    if earlier.year != year {
        anyhow::bail!(
            "{shown}: the earlier release is of {}, not {year}; give the folder of the same year",
            earlier.year
        );
    }
    let (shown, bytes) = read(&internal("results.csv"))?;
    let old = formats::results::read(&shown, &bytes).map_err(anyhow::Error::msg)?;
    let new: Vec<_> = formats::results::rows_of_run(&p.results).collect();
    // The regional figures each release published: those of its public
    // benchmarks.csv (a region of too few councils is in results.csv only).
    let regions = |rows: Vec<formats::results::ResultRow>| {
        rows.into_iter()
            .filter(|r| r.scope == "region")
            .map(|r| r.key())
            .collect::<std::collections::HashSet<_>>()
    };
    let then = match read(&public("benchmarks.csv")) {
        Ok((shown, bytes)) => Some(regions(
            formats::benchmarks::read(&shown, &bytes)
                .map_err(anyhow::Error::msg)?
                .into_iter()
                .map(|(_, b)| b.result)
                .collect(),
        )),
        Err(_) => None,
    };
    let now = regions(
        p.bench
            .regions
            .iter()
            .map(formats::results::ResultRow::of)
            .collect(),
    );
    Ok(crate::revise::Revisions::compare(
        &old,
        &earlier,
        &new,
        inputs,
        &format!("returns/{year}/"),
        then.as_ref(),
        &now,
    ))
}

/// Charts, renders and publishes the national report and every local
/// report, one document per core at a time. Each PDF is written as soon as
/// it is made, so memory holds only the documents in flight. Returns the
/// local reports made, the failures, and every suppression (benchmarks'
/// first, then each council's in code order).
fn documents(
    p: &Prepared,
    out: &Publisher,
    progress: &(dyn Fn(Progress) + Sync),
) -> anyhow::Result<(
    Vec<LocalEntry>,
    Vec<String>,
    Vec<crate::disclose::Suppression>,
)> {
    let year = p.results.current.year;
    let locals = std::sync::Mutex::new(Vec::new());
    let jobs: Vec<Option<&Return>> = std::iter::once(None)
        .chain(p.current.returns.iter().map(Some))
        .collect();
    for_each_document(&jobs, |job| {
        match job {
            None => {
                let national = p
                    .render_national()
                    .map_err(|e| anyhow::anyhow!("national report: {e}"))?;
                out.write(
                    &public(&format!("{}.pdf", national_stem(year))),
                    &national.pdf,
                )?;
                out.write(
                    &public(&format!("{}.html", national_stem(year))),
                    national.html.as_bytes(),
                )?;
                for (name, svg) in &national.charts {
                    out.write(&public(&format!("national/{name}")), svg)?;
                }
            }
            Some(r) => {
                // A report that cannot be made or written is a failure of
                // its council only: the others are made, and the manifest.
                let made = p.render_local(r).and_then(|(doc, log)| {
                    out.write(&public(&format!("local/{}.pdf", doc.name)), &doc.pdf)
                        .and_then(|()| {
                            out.write(
                                &public(&format!("local/{}.html", doc.name)),
                                doc.html.as_bytes(),
                            )
                        })
                        .map_err(|e| e.to_string())?;
                    Ok((doc.name, log))
                });
                locals
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((r.authority_code.clone(), made));
            }
        }
        progress(Progress::Rendered);
        Ok(())
    })?;
    let mut locals = locals.into_inner().unwrap_or_else(|e| e.into_inner());
    locals.sort_by(|a, b| a.0.cmp(&b.0));
    let mut suppressions = p.benchmarks_log.clone();
    let mut failures = Vec::new();
    let mut made = Vec::new();
    for (code, result) in locals {
        match result {
            Ok((stem, log)) => {
                suppressions.extend(log);
                let name = p
                    .register
                    .get(&code)
                    .map_or(String::new(), |a| a.name.clone());
                made.push(LocalEntry { code, name, stem });
            }
            Err(e) => failures.push(format!("local report: {e}")),
        }
    }
    Ok((made, failures, suppressions))
}

/// The folder of a release that is safe to put on the web as a whole
/// (docs/disclosure.md): nothing in it, alone or together, gives back a
/// withheld or rounded count, and its index links nothing outside it.
pub const PUBLIC: &str = "public";

/// The national team's folder: exact figures, what became of each return,
/// the suppression log, revisions.
pub const INTERNAL: &str = "internal";

/// A file of the public folder.
pub(super) fn public(name: &str) -> String {
    format!("{PUBLIC}/{name}")
}

/// A file of the internal folder.
pub(super) fn internal(name: &str) -> String {
    format!("{INTERNAL}/{name}")
}

/// The national report's path in the public folder, without extension.
fn national_stem(year: i32) -> String {
    format!("national/sc-wres-national-{year}")
}

/// A national table's CSV in the run folder.
fn table_csv(file: &str, year: i32) -> String {
    format!("national/tables/{file}-{year}.csv")
}

/// The national tables' workbook in the run folder.
fn tables_xlsx(year: i32) -> String {
    format!("national/tables/sc-wres-national-tables-{year}.xlsx")
}
