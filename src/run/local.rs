//! `scwres local`: a council's own report from its return and the published
//! benchmarks, without anyone else's data.

use super::{local_bench, local_inputs, local_source, threads};
use crate::compute;
use crate::config::{Audience, Config};
use crate::formats::publication;
use crate::load::diag::Diagnostic;
use crate::load::{self, FileOutcome, Status};
use crate::model::Return;
use crate::publish::Publisher;
use crate::register::Register;
use crate::render;
use std::path::{Path, PathBuf};

/// What `scwres local` is asked to do.
pub struct LocalOptions {
    /// The council's own return.
    pub ret: PathBuf,
    /// The published `benchmarks.csv` of the national run.
    pub benchmarks: PathBuf,
    /// The council's own returns of earlier years (any order): the newest
    /// gives the change since, all of them its series.
    pub previous: Vec<PathBuf>,
    /// The council's action plan.
    pub actions: Option<PathBuf>,
    /// `public` (the default) or `internal`.
    pub audience: Option<Audience>,
    /// Folder with the national run's `authorities.csv`, if it had its own.
    pub data: PathBuf,
    pub out: PathBuf,
}

/// What `scwres local` did: every file checked, with its problems, and the
/// report written if all were sound.
pub struct LocalRun {
    pub outcomes: Vec<FileOutcome>,
    pub written: Option<PathBuf>,
}

/// A council's local report from its own return and the published national
/// benchmarks, without anyone else's data: [`local_report`] on the files
/// as named, written to `out`.
pub fn run_local(o: &LocalOptions) -> anyhow::Result<LocalRun> {
    // The files as the user named them, read through the guard.
    let src = load::Folder::new(Path::new(""));
    let name = |p: &Path| -> anyhow::Result<String> {
        p.to_str().map(str::to_string).ok_or_else(|| {
            anyhow::anyhow!(
                "{}: a path that is not Unicode text; rename the file or its folder",
                p.display()
            )
        })
    };
    let made = local_report(&LocalFiles {
        src: &src,
        register: load::load_register(&load::Folder::new(&o.data))?,
        ret: name(&o.ret)?,
        benchmarks: name(&o.benchmarks)?,
        previous: o
            .previous
            .iter()
            .map(|p| name(p))
            .collect::<anyhow::Result<_>>()?,
        actions: o.actions.as_deref().map(name).transpose()?,
        audience: o.audience.unwrap_or(Audience::Public),
    })?;
    let Some(report) = made.report else {
        return Ok(LocalRun {
            outcomes: made.outcomes,
            written: None,
        });
    };
    let out = Publisher::new(&o.out);
    for (file, bytes) in &report.files {
        out.write(file, bytes)?;
    }
    out.sync()?;
    Ok(LocalRun {
        outcomes: made.outcomes,
        written: Some(o.out.join(&report.pdf)),
    })
}

/// The inputs of a council's local report: files of `src` by name.
pub struct LocalFiles<'a> {
    pub src: &'a dyn load::Source,
    /// The national run's register.
    pub register: Register,
    /// The council's own return.
    pub ret: String,
    /// The published `benchmarks.csv`; its `publication.json` is beside it.
    pub benchmarks: String,
    /// The council's own returns of earlier years (any order).
    pub previous: Vec<String>,
    pub actions: Option<String>,
    pub audience: Audience,
}

/// A local report in memory: its files by name (the PDF, the web page, the
/// suppression log) and which is the PDF.
pub struct LocalReport {
    pub files: Vec<(String, Vec<u8>)>,
    pub pdf: String,
}

/// What [`local_report`] made: every file checked, and the report if all
/// were sound.
pub struct LocalMade {
    pub outcomes: Vec<FileOutcome>,
    pub report: Option<LocalReport>,
}

/// A council's local report from its own return and the published national
/// benchmarks, without anyone else's data; nothing is read but through
/// `f.src`, nothing written.
pub fn local_report(f: &LocalFiles) -> anyhow::Result<LocalMade> {
    threads::init_threads();
    let register = &f.register;
    let shown = f.src.shown(&f.benchmarks);
    let bytes = f
        .src
        .read(&f.benchmarks, load::MAX_BENCHMARKS)
        .map_err(|r| anyhow::anyhow!("{shown}: {}", r.rule))?;
    // What the national publication decided travels beside the benchmarks
    // and wins over any local configuration; the audience is the council's.
    let pub_rel = match f.benchmarks.rsplit_once('/') {
        Some((dir, _)) => format!("{dir}/{}", publication::FILE),
        None => publication::FILE.to_string(),
    };
    let pub_shown = f.src.shown(&pub_rel);
    let pub_bytes = f.src.read(&pub_rel, load::MAX_YAML).map_err(|r| {
        anyhow::anyhow!(
            "{pub_shown}: {}; it is published with benchmarks.csv and must be beside it",
            r.rule
        )
    })?;
    let mut config = publication::Publication::read(&pub_shown, &pub_bytes, &shown, &bytes)
        .map_err(anyhow::Error::msg)?
        .configuration;
    config.audience = f.audience;
    let published = load::benchmarks::read(&shown, &bytes).map_err(anyhow::Error::msg)?;
    let year = published.year;
    let bands = config.bands(year);
    let ctx = load::validate::Context::new(register, &bands, Some(year), &config);
    let (outcome, ret) = load::load_from(f.src, &f.ret, &ctx);
    let mut outcomes = vec![outcome];
    let mut earlier: Vec<Return> = Vec::new();
    for pp in &f.previous {
        let shown = f.src.shown(pp);
        let (mut outcome, pr) = load_previous(f.src, pp, &shown, year, register, &config);
        if let (Some(pr), Some(r)) = (&pr, &ret)
            && pr.authority_code != r.authority_code
        {
            outcome.status = Status::Rejected;
            outcome.diagnostics.push(
                Diagnostic::error(&shown, "", "the previous return is another council's")
                    .value(&pr.authority_code)
                    .hint(format!(
                        "give {}'s own return of an earlier year",
                        r.authority_code
                    )),
            );
        }
        if let Some(pr) = &pr
            && earlier.iter().any(|e| e.year == pr.year)
        {
            outcome.status = Status::Rejected;
            outcome.diagnostics.push(
                Diagnostic::error(&shown, "", "a second previous return for the same year")
                    .value(pr.year.to_string())
                    .hint("give one return of each earlier year"),
            );
        }
        if outcome.status == Status::Accepted
            && let Some(pr) = pr
        {
            earlier.push(pr);
        }
        outcomes.push(outcome);
    }
    earlier.sort_by_key(|r| r.year);
    let mut plan = None;
    if let Some(ap) = &f.actions {
        let (mut outcome, p) = load::load_plan(
            f.src,
            ap,
            year,
            register,
            ret.as_ref().map(|r| r.authority_code.as_str()),
        )?;
        if let Some(p) = &p {
            let d = super::printable(p);
            if !d.is_empty() {
                outcome.status = Status::Rejected;
                outcome.diagnostics.extend(d);
            }
        }
        plan = p.filter(|_| outcome.status == Status::Accepted);
        outcomes.push(outcome);
    }
    let (Some(ret), true) = (ret, outcomes.iter().all(|o| o.status == Status::Accepted)) else {
        return Ok(LocalMade {
            outcomes,
            report: None,
        });
    };
    let own = compute::compute_year(std::slice::from_ref(&ret), year, register, &config)?;
    let earlier_results = earlier
        .iter()
        .map(|p| compute::compute_year(std::slice::from_ref(p), p.year, register, &config))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let bench = local_bench(&published, &config).map_err(anyhow::Error::msg)?;
    let inputs = local_inputs(
        &own.figures,
        &earlier_results
            .iter()
            .map(|p| (p.year, p.figures.as_slice()))
            .collect::<Vec<_>>(),
        register,
        &ret,
        plan.as_ref(),
    );
    let (doc, log) = local_source(&inputs, &bench, &config)
        .and_then(|(s, log)| Ok((render::typeset(s, config.release_ymd())?, log)))
        .map_err(anyhow::Error::msg)?;
    let pdf = format!("{}.pdf", doc.name);
    let files = vec![
        (pdf.clone(), doc.pdf),
        (format!("{}.html", doc.name), doc.html.into_bytes()),
        (
            format!("{}-suppressions.csv", doc.name),
            crate::formats::suppressions::write(&log),
        ),
    ];
    Ok(LocalMade {
        outcomes,
        report: Some(LocalReport { files, pdf }),
    })
}

/// Reads a council's return of an earlier year than `year`, validated with
/// that year's pay bands.
fn load_previous(
    src: &dyn load::Source,
    rel: &str,
    shown: &str,
    year: i32,
    register: &Register,
    config: &Config,
) -> (FileOutcome, Option<Return>) {
    let mut try_year = year - 1;
    loop {
        let bands = config.bands(try_year);
        let ctx = load::validate::Context::new(register, &bands, None, config);
        let (mut outcome, r) = load::load_from(src, rel, &ctx);
        match &r {
            Some(r) if r.year >= year => {
                outcome.status = Status::Rejected;
                outcome.diagnostics.push(
                    Diagnostic::error(
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
