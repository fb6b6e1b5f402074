//! A release run from the collection service: the national batch on the
//! signed-off returns of a year, exactly `scwres report` on the same
//! inputs. The inputs are gathered in memory ([`inputs`]: the service's
//! data folder's report.yaml with the release date, the register, every
//! earlier year's returns and the year's action plans, and the signed-off
//! files, each byte for byte as its council uploaded it); [`run`] makes the
//! publication from them in memory (`run::publication`) and writes it to
//! the release's folder. No data folder is composed: the caller keeps the
//! inputs (the service, in its database) as the record of what went in,
//! from which a council's report with its plan and the internal editions
//! are made later.

use super::report::{Progress, RunSummary};
use crate::load::{self, Memory, Source as _};
use crate::publish;
use anyhow::Context as _;

use crate::formats::manifest::Manifest;
use std::path::{Path, PathBuf};

/// Where a release's outputs are: `<folder>/out/<year>/`.
pub struct ReleaseFolder {
    pub root: PathBuf,
}

impl ReleaseFolder {
    pub fn out(&self) -> PathBuf {
        self.root.join("out")
    }

    /// The published folder of the year's run (`out/<year>/`).
    pub fn year_dir(&self, year: i32) -> PathBuf {
        self.out().join(year.to_string())
    }
}

/// A release's inputs, by their names in a data folder: `data`'s
/// report.yaml (with `publication.release_date` set to `date`, everything
/// else as the data folder's), authorities.csv, `returns/<y>/` for every
/// earlier year and `actions/<year>/`, with the signed-off files
/// (`(file name, bytes)`) as `returns/<year>/`. Read through the guard: a
/// link or device in the data folder is left out, as a run leaves it out.
pub fn inputs(
    data: &Path,
    year: i32,
    signed: &[(String, Vec<u8>)],
    date: crate::config::Date,
) -> anyhow::Result<Memory> {
    let folder = load::Folder::new(data);
    let mut m = Memory::new();
    let is = |rel: &str, want: fn(&load::guard::Kind) -> bool| -> anyhow::Result<bool> {
        Ok(folder
            .kind(rel)
            .with_context(|| folder.shown(rel))?
            .is_some_and(|k| want(&k)))
    };
    let file = |k: &load::guard::Kind| matches!(k, load::guard::Kind::File);
    let dir = |k: &load::guard::Kind| matches!(k, load::guard::Kind::Dir);
    let copy = |m: &mut Memory, rel: &str| -> anyhow::Result<()> {
        let bytes = folder
            .read(rel, load::MAX_BENCHMARKS)
            .map_err(|r| anyhow::anyhow!("{}: {}", folder.shown(rel), r.rule))?;
        m.insert(rel, bytes);
        Ok(())
    };
    let copy_dir = |m: &mut Memory, rel: &str| -> anyhow::Result<()> {
        for (name, kind) in folder.entries(rel)? {
            if file(&kind) {
                copy(m, &format!("{rel}/{name}"))?;
            }
        }
        Ok(())
    };
    for name in ["report.yaml", "authorities.csv"] {
        if is(name, file)? {
            copy(&mut m, name)?;
        }
    }
    if is("returns", dir)? {
        for y in load::years(&folder)?.into_iter().filter(|y| *y < year) {
            copy_dir(&mut m, &format!("returns/{y}"))?;
        }
    }
    let actions = format!("actions/{year}");
    if is(&actions, dir)? {
        copy_dir(&mut m, &actions)?;
    }
    // The release date printed in the release's reports (and inside its
    // PDFs).
    let mut config = load::load_config(&m)?;
    config.publication.release_date = date;
    let text = serde_norway::to_string(&config).context("the release's report.yaml")?;
    m.insert("report.yaml", text.into_bytes());
    for (name, bytes) in signed {
        m.insert(&format!("returns/{year}/{name}"), bytes.clone());
    }
    Ok(m)
}

/// Runs the national batch of `year` on `inputs`, in memory, and writes
/// the publication to the release's `out/<year>/`; an earlier release of
/// the year (its `out/<year>/`) marks what it revises.
pub fn run(
    folder: &ReleaseFolder,
    inputs: &Memory,
    year: i32,
    previous: Option<PathBuf>,
    progress: &(dyn Fn(Progress) + Sync),
) -> anyhow::Result<RunSummary> {
    let earlier = previous.as_deref().map(load::Folder::new);
    let made = super::report::publication(
        inputs,
        Some(year),
        earlier.as_ref().map(|e| e as &dyn load::Source),
        progress,
    )?;
    let mut summary = made.summary;
    summary.out_dir = publish::write_tree(&folder.year_dir(year), &made.files)?;
    Ok(summary)
}

/// The councils with a return among a release's inputs of `year`.
pub fn councils(inputs: &Memory, year: i32) -> Vec<String> {
    inputs
        .entries(&format!("returns/{year}"))
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(n, _)| n.split('.').next().map(str::to_string))
        .collect()
}

/// A council's local report made again with its action plan, both
/// editions: exactly `scwres local` on the council's signed-off return,
/// the release's published benchmarks, its own earlier returns in the
/// release's inputs, and the plan. The editions are written to
/// `into/public/` and `into/internal/`.
pub struct WithPlan {
    /// Every input checked (the return, earlier returns, the plan).
    pub outcomes: Vec<crate::load::FileOutcome>,
    /// The public edition's PDF, and the internal one's, when made.
    pub public: Option<PathBuf>,
    pub internal: Option<PathBuf>,
}

pub fn local_with_plan(
    folder: &ReleaseFolder,
    inputs: &Memory,
    year: i32,
    code: &str,
    ret: (&str, &[u8]),
    plan: (&str, &[u8]),
    into: &Path,
) -> anyhow::Result<WithPlan> {
    use crate::config::Audience;
    let (ret_name, plan_name) = (safe_name(ret.0), safe_name(plan.0));
    anyhow::ensure!(
        ret_name != plan_name,
        "the return and the plan need different names"
    );
    // The job's own files: the return and the plan by their names, beside
    // the release's inputs and its published benchmarks.
    let mut src = with_benchmarks(folder, inputs, year)?;
    src.insert(&format!("{JOB}/{ret_name}"), ret.1.to_vec());
    src.insert(&format!("{JOB}/{plan_name}"), plan.1.to_vec());
    let previous = earlier_returns(inputs, year)?
        .remove(code)
        .unwrap_or_default();
    let register = load::load_register(inputs)?;
    // One edition after the other, on the request's own thread: under
    // load a second thread per request only oversubscribes the cores
    // (docs/performance.md).
    let mut made = [None, None];
    let mut outcomes = Vec::new();
    for (i, (audience, edition)) in [
        (Audience::Public, "public"),
        (Audience::Internal, "internal"),
    ]
    .into_iter()
    .enumerate()
    {
        let run = super::local::local_report(&super::local::LocalFiles {
            src: &src,
            register: register.clone(),
            ret: format!("{JOB}/{ret_name}"),
            benchmarks: BENCHMARKS.into(),
            previous: previous.clone(),
            actions: Some(format!("{JOB}/{plan_name}")),
            audience,
        })?;
        outcomes = run.outcomes;
        let Some(report) = run.report else { break };
        made[i] = Some(write_edition(&into.join(edition), &report)?);
    }
    let [public, internal] = made;
    Ok(WithPlan {
        outcomes,
        public,
        internal,
    })
}

/// Where a job's own files are among the inputs it reads: a name no data
/// folder's input has.
const JOB: &str = "job";
/// Where the release's published benchmarks are among them.
const BENCHMARKS: &str = "release/public/benchmarks.csv";

/// A release's inputs with its published benchmarks and publication rules
/// beside them (`release/public/`), as a council's report reads them.
fn with_benchmarks(folder: &ReleaseFolder, inputs: &Memory, year: i32) -> anyhow::Result<Memory> {
    let mut src = inputs.clone();
    let public = folder.year_dir(year).join("public");
    for name in ["benchmarks.csv", crate::formats::publication::FILE] {
        let p = public.join(name);
        let bytes = load::guard::read_file(&p, load::MAX_BENCHMARKS)
            .map_err(|r| anyhow::anyhow!("{}: {}", p.display(), r.rule))?;
        src.insert(&format!("release/public/{name}"), bytes);
    }
    Ok(src)
}

/// Writes a local report's files to `dir`: the PDF's path.
fn write_edition(dir: &Path, report: &super::local::LocalReport) -> anyhow::Result<PathBuf> {
    let out = publish::Publisher::new(dir);
    for (name, bytes) in &report.files {
        out.write(name, bytes)?;
    }
    out.sync()?;
    Ok(dir.join(&report.pdf))
}

/// A file name as given, reduced to letters, digits, `.`, `-` and `_`.
fn safe_name(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    if s.trim_matches('.').is_empty() {
        "file".into()
    } else {
        s
    }
}

/// What changed for one council between two releases of a year (their
/// `out/<year>/` folders): its own figures, value by value, whether its
/// local report changed, and how many national and regional values the
/// newer release revised.
#[derive(Clone, Debug, serde::Serialize)]
pub struct CouncilChanges {
    pub figures: Vec<crate::revise::Revision>,
    pub report_changed: bool,
    pub published_revisions: usize,
}

pub fn council_changes(old: &Path, new: &Path, code: &str) -> anyhow::Result<CouncilChanges> {
    use crate::formats::{manifest::Manifest, results};
    let rows = |dir: &Path| -> anyhow::Result<Vec<results::ResultRow>> {
        let p = dir.join("internal").join("results.csv");
        let bytes = std::fs::read(&p).with_context(|| p.display().to_string())?;
        results::read(&p.display().to_string(), &bytes).map_err(anyhow::Error::msg)
    };
    let own_reports = |dir: &Path| -> anyhow::Result<Vec<(String, String)>> {
        let p = dir.join("manifest.json");
        let bytes = std::fs::read(&p).with_context(|| p.display().to_string())?;
        let m = Manifest::read(&p.display().to_string(), &bytes).map_err(anyhow::Error::msg)?;
        let prefix = format!("public/local/{code}-");
        Ok(m.outputs
            .into_iter()
            .filter(|o| o.file.starts_with(&prefix))
            .map(|o| (o.file, o.sha256))
            .collect())
    };
    let revisions = std::fs::read(new.join("internal").join("revisions.csv"))
        .map(|b| {
            b.split(|c| *c == b'\n')
                .filter(|l| !l.is_empty())
                .count()
                .saturating_sub(1)
        })
        .unwrap_or(0);
    Ok(CouncilChanges {
        figures: crate::revise::council_changes(&rows(old)?, &rows(new)?, code),
        report_changed: own_reports(old)? != own_reports(new)?,
        published_revisions: revisions,
    })
}

/// A release's manifest, read from its folder.
fn manifest(folder: &ReleaseFolder, year: i32) -> Option<Manifest> {
    let bytes = std::fs::read(folder.year_dir(year).join("manifest.json")).ok()?;
    Manifest::read("manifest.json", &bytes).ok()
}

/// What a release holds, from its manifest: every file it wrote
/// (`public/…`, `internal/…`) with its hash, and the release date it
/// states. Read once (a release's files never change once written).
pub struct Contents {
    pub files: Vec<String>,
    pub release_date: Option<String>,
    /// Each file's SHA-256, as the manifest gives it.
    hashes: std::collections::HashMap<String, String>,
}

impl Contents {
    /// A file of the release (`public/…`, `internal/…`), if the manifest
    /// lists it and its bytes are those the manifest's hash says.
    pub fn file(&self, folder: &ReleaseFolder, year: i32, path: &str) -> Option<Vec<u8>> {
        let want = self.hashes.get(path)?;
        let bytes = std::fs::read(folder.year_dir(year).join(path)).ok()?;
        (crate::digest::sha256_hex(&bytes) == *want).then_some(bytes)
    }
}

/// A release's [`Contents`], if its manifest reads.
pub fn contents(folder: &ReleaseFolder, year: i32) -> Option<Contents> {
    let m = manifest(folder, year)?;
    Some(Contents {
        release_date: m
            .configuration
            .pointer("/publication/release_date")
            .and_then(|v| v.as_str())
            .map(str::to_string),
        files: m.outputs.iter().map(|o| o.file.clone()).collect(),
        hashes: m.outputs.into_iter().map(|o| (o.file, o.sha256)).collect(),
    })
}

/// A file of a release, if its manifest lists it with these bytes.
pub fn file(folder: &ReleaseFolder, year: i32, path: &str) -> Option<Vec<u8>> {
    contents(folder, year)?.file(folder, year, path)
}

/// Every council's earlier returns among a release's inputs, as the release
/// read them (accepted), by name: read once for all the councils a job
/// makes reports for.
fn earlier_returns(
    inputs: &Memory,
    year: i32,
) -> anyhow::Result<std::collections::HashMap<String, Vec<String>>> {
    let config = load::load_config(inputs)?;
    let register = load::load_register(inputs)?;
    let mut by_code: std::collections::HashMap<String, Vec<String>> = Default::default();
    if inputs.kind("returns")?.is_none() {
        return Ok(by_code);
    }
    for y in load::years(inputs)?.into_iter().filter(|y| *y < year) {
        for o in load::load_year(inputs, y, &register, &config)?.outcomes {
            if let Some(code) = o
                .authority_code
                .filter(|_| o.status == load::Status::Accepted)
            {
                by_code.entry(code).or_default().push(o.file);
            }
        }
    }
    Ok(by_code)
}

/// Each council's internal local report of a release (exact figures, for
/// the council alone): `scwres local --audience internal` on its signed-off
/// return in the release's inputs, the release's published benchmarks, its
/// earlier returns there and the action plan the national team put in
/// `actions/<year>/`, if any: the internal twin of the public local report
/// the release published. `jobs` are (council, folder to write to); the
/// earlier returns and plans are read once for all. Returns the councils
/// whose edition failed, with why; a council with no accepted return in
/// the release is passed over.
pub fn internal_editions(
    folder: &ReleaseFolder,
    inputs: &Memory,
    year: i32,
    jobs: &[(String, PathBuf)],
) -> anyhow::Result<Vec<(String, anyhow::Error)>> {
    let src = with_benchmarks(folder, inputs, year)?;
    let returns = inputs
        .entries(&format!("returns/{year}"))
        .unwrap_or_default();
    let register = load::load_register(inputs)?;
    let plans = load::load_actions(inputs, year, &register)?;
    let mut earlier = earlier_returns(inputs, year)?;
    let mut failed = Vec::new();
    for (code, into) in jobs {
        let Some((ret, _)) = returns
            .iter()
            .find(|(n, _)| n.starts_with(&format!("{code}.")))
        else {
            continue;
        };
        let run = super::local::local_report(&super::local::LocalFiles {
            src: &src,
            register: register.clone(),
            ret: format!("returns/{year}/{ret}"),
            benchmarks: BENCHMARKS.into(),
            previous: earlier.remove(code).unwrap_or_default(),
            actions: plans.by_council.get(code).map(|p| p.file.clone()),
            audience: crate::config::Audience::Internal,
        })
        .and_then(|run| match run.report {
            Some(report) => write_edition(into, &report).map(|_| ()),
            None => Ok(()),
        });
        if let Err(e) = run {
            failed.push((code.clone(), e));
        }
    }
    Ok(failed)
}
