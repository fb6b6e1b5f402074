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
/// benchmarks, without anyone else's data.
pub fn run_local(o: &LocalOptions) -> anyhow::Result<LocalRun> {
    threads::init_threads();
    let register = load::load_register(&crate::load::Folder::new(&o.data))?;
    let shown = o.benchmarks.display().to_string();
    let bytes = load::guard::read_file(&o.benchmarks, load::MAX_BENCHMARKS)
        .map_err(|r| anyhow::anyhow!("{shown}: {}", r.rule))?;
    // What the national publication decided travels beside the benchmarks
    // and wins over any local configuration; the audience is the council's.
    let pub_path = o.benchmarks.with_file_name(publication::FILE);
    let pub_shown = pub_path.display().to_string();
    let pub_bytes = load::guard::read_file(&pub_path, load::MAX_YAML).map_err(|r| {
        anyhow::anyhow!(
            "{pub_shown}: {}; it is published with benchmarks.csv and must be beside it",
            r.rule
        )
    })?;
    let mut config = publication::Publication::read(&pub_shown, &pub_bytes, &shown, &bytes)
        .map_err(anyhow::Error::msg)?
        .configuration;
    config.audience = o.audience.unwrap_or(Audience::Public);
    let published = load::benchmarks::read(&shown, &bytes).map_err(anyhow::Error::msg)?;
    let year = published.year;
    let bands = config.bands(year);
    let ctx = load::validate::Context::new(&register, &bands, Some(year), &config);
    let (outcome, ret) = load::load_file(&o.ret, &o.ret.display().to_string(), &ctx);
    let mut outcomes = vec![outcome];
    let mut earlier: Vec<Return> = Vec::new();
    for pp in &o.previous {
        let shown = pp.display().to_string();
        let (mut outcome, pr) = load_previous(pp, &shown, year, &register, &config);
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
    if let Some(ap) = &o.actions {
        let (mut outcome, p) = load::load_plan(
            ap,
            year,
            &register,
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
        return Ok(LocalRun {
            outcomes,
            written: None,
        });
    };
    let own = compute::compute_year(std::slice::from_ref(&ret), year, &register, &config)?;
    let earlier_results = earlier
        .iter()
        .map(|p| compute::compute_year(std::slice::from_ref(p), p.year, &register, &config))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let bench = local_bench(&published, &config).map_err(anyhow::Error::msg)?;
    let inputs = local_inputs(
        &own.figures,
        &earlier_results
            .iter()
            .map(|p| (p.year, p.figures.as_slice()))
            .collect::<Vec<_>>(),
        &register,
        &ret,
        plan.as_ref(),
    );
    let (doc, log) = local_source(&inputs, &bench, &config)
        .and_then(|(s, log)| Ok((render::typeset(s, config.release_ymd())?, log)))
        .map_err(anyhow::Error::msg)?;
    let out = Publisher::new(&o.out);
    let name = format!("{}.pdf", doc.name);
    out.write(&name, &doc.pdf)?;
    out.write(&format!("{}.html", doc.name), doc.html.as_bytes())?;
    out.write(
        &format!("{}-suppressions.csv", doc.name),
        &crate::formats::suppressions::write(&log),
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
    config: &Config,
) -> (FileOutcome, Option<Return>) {
    let mut try_year = year - 1;
    loop {
        let bands = config.bands(try_year);
        let ctx = load::validate::Context::new(register, &bands, None, config);
        let (mut outcome, r) = load::load_file(path, shown, &ctx);
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
