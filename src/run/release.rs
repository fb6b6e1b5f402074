//! A release run from the collection service: the national batch on the
//! signed-off returns of a year, exactly `scwres report` on a data folder
//! made for it. The folder is composed from the service's data folder
//! (report.yaml, the register, every earlier year's returns, the year's
//! action plans) and the signed-off files, each byte for byte as its
//! council uploaded it; then `run_report_with` runs on it. So the release
//! is the command line's release of the same inputs, byte for byte, and the
//! folder says what went in.

use super::report::{Progress, ReportOptions, RunSummary, run_report_with};
use crate::publish;
use anyhow::Context as _;

use crate::formats::manifest::Manifest;
use std::path::{Path, PathBuf};

/// Where a release's inputs and outputs are: `<folder>/data/` and
/// `<folder>/out/<year>/`.
pub struct ReleaseFolder {
    pub root: PathBuf,
}

impl ReleaseFolder {
    pub fn data(&self) -> PathBuf {
        self.root.join("data")
    }

    pub fn out(&self) -> PathBuf {
        self.root.join("out")
    }

    /// The published folder of the year's run (`out/<year>/`).
    pub fn year_dir(&self, year: i32) -> PathBuf {
        self.out().join(year.to_string())
    }
}

/// The files of `dir` (not its folders), sorted, or none if it is absent.
fn files_of(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).with_context(|| dir.display().to_string())? {
        let p = e?.path();
        if p.is_file() {
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}

/// Makes the release's data folder: `data`'s report.yaml, authorities.csv,
/// `returns/<y>/` for every earlier year and `actions/<year>/`, with the
/// signed-off files (`(file name, bytes)`) as `returns/<year>/`. The
/// folder must be new.
pub fn compose(
    data: &Path,
    year: i32,
    signed: &[(String, Vec<u8>)],
    folder: &ReleaseFolder,
) -> anyhow::Result<()> {
    let into = folder.data();
    anyhow::ensure!(
        !folder.root.exists(),
        "{}: the release folder exists already",
        folder.root.display()
    );
    let copy = |from: &Path, rel: &Path| -> anyhow::Result<()> {
        let bytes = std::fs::read(from).with_context(|| from.display().to_string())?;
        publish::write_atomic(&into.join(rel), &bytes)
            .with_context(|| into.join(rel).display().to_string())
    };
    for name in ["report.yaml", "authorities.csv"] {
        let p = data.join(name);
        if p.is_file() {
            copy(&p, Path::new(name))?;
        }
    }
    if data.join("returns").is_dir() {
        for y in crate::load::years(&crate::load::Folder::new(data))?
            .into_iter()
            .filter(|y| *y < year)
        {
            for f in files_of(&data.join("returns").join(y.to_string()))? {
                let rel = Path::new("returns")
                    .join(y.to_string())
                    .join(f.file_name().unwrap_or_default());
                copy(&f, &rel)?;
            }
        }
    }
    for f in files_of(&data.join("actions").join(year.to_string()))? {
        let rel = Path::new("actions")
            .join(year.to_string())
            .join(f.file_name().unwrap_or_default());
        copy(&f, &rel)?;
    }
    for (name, bytes) in signed {
        let rel = Path::new("returns").join(year.to_string()).join(name);
        publish::write_atomic(&into.join(&rel), bytes)
            .with_context(|| into.join(&rel).display().to_string())?;
    }
    Ok(())
}

/// Sets the release date printed in the release's reports (and inside its
/// PDFs): the composed `report.yaml` with `publication.release_date`
/// replaced, everything else as the data folder's.
pub fn set_release_date(folder: &ReleaseFolder, date: crate::config::Date) -> anyhow::Result<()> {
    let path = folder.data().join("report.yaml");
    let mut config = if path.is_file() {
        crate::load::load_config(&crate::load::Folder::new(&folder.data()))?
    } else {
        crate::config::Config::default()
    };
    config.publication.release_date = date;
    let text = serde_norway::to_string(&config).context("the release's report.yaml")?;
    publish::write_atomic(&path, text.as_bytes()).with_context(|| path.display().to_string())
}

/// Runs the national batch of `year` on the composed folder; an earlier
/// release of the year (its `out/<year>/`) marks what it revises.
pub fn run(
    folder: &ReleaseFolder,
    year: i32,
    previous: Option<PathBuf>,
    progress: &(dyn Fn(Progress) + Sync),
) -> anyhow::Result<RunSummary> {
    run_report_with(
        &ReportOptions {
            data: folder.data(),
            out: folder.out(),
            year: Some(year),
            previous_release: previous,
        },
        progress,
    )
}

/// A council's local report made again with its action plan, both
/// editions: exactly `scwres local` on the council's signed-off return,
/// the release's published benchmarks, its own earlier returns in the
/// release's inputs, and the plan. The inputs are kept in `into/inputs/`,
/// the editions in `into/public/` and `into/internal/`.
pub struct WithPlan {
    /// Every input checked (the return, earlier returns, the plan).
    pub outcomes: Vec<crate::load::FileOutcome>,
    /// The public edition's PDF, and the internal one's, when made.
    pub public: Option<PathBuf>,
    pub internal: Option<PathBuf>,
}

pub fn local_with_plan(
    folder: &ReleaseFolder,
    year: i32,
    code: &str,
    ret: (&str, &[u8]),
    plan: (&str, &[u8]),
    into: &Path,
) -> anyhow::Result<WithPlan> {
    use super::local::{LocalOptions, run_local};
    use crate::config::Audience;
    let inputs = into.join("inputs");
    let ret_path = inputs.join(safe_name(ret.0));
    let plan_path = inputs.join(safe_name(plan.0));
    anyhow::ensure!(
        ret_path != plan_path,
        "the return and the plan need different names"
    );
    publish::write_atomic(&ret_path, ret.1)?;
    publish::write_atomic(&plan_path, plan.1)?;
    let data = folder.data();
    let previous = previous_returns(&data, year, code)?;
    let benchmarks = folder.year_dir(year).join("public").join("benchmarks.csv");
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
        let run = run_local(&LocalOptions {
            ret: ret_path.clone(),
            benchmarks: benchmarks.clone(),
            previous: previous.clone(),
            actions: Some(plan_path.clone()),
            audience: Some(audience),
            data: data.clone(),
            out: into.join(edition),
        })?;
        made[i] = run.written;
        outcomes = run.outcomes;
        if made[i].is_none() {
            break;
        }
    }
    let [public, internal] = made;
    Ok(WithPlan {
        outcomes,
        public,
        internal,
    })
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
/// (`public/…`, `internal/…`) and the release date it states.
pub struct Contents {
    pub files: Vec<String>,
    pub release_date: Option<String>,
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
        files: m.outputs.into_iter().map(|o| o.file).collect(),
    })
}

/// A file of a release (`public/…`, `internal/…`), if its manifest lists
/// it and its bytes are those the manifest's hash says.
pub fn file(folder: &ReleaseFolder, year: i32, path: &str) -> Option<Vec<u8>> {
    let m = manifest(folder, year)?;
    let entry = m.outputs.iter().find(|o| o.file == path)?;
    let bytes = std::fs::read(folder.year_dir(year).join(path)).ok()?;
    (crate::digest::sha256_hex(&bytes) == entry.sha256).then_some(bytes)
}

/// A council's own earlier returns among a release's inputs, as the
/// release read them (accepted).
fn previous_returns(data: &Path, year: i32, code: &str) -> anyhow::Result<Vec<PathBuf>> {
    Ok(earlier_returns(data, year)?
        .remove(code)
        .unwrap_or_default())
}

/// Every council's earlier returns among a release's inputs, as the release
/// read them (accepted): read once for all the councils a job makes reports
/// for.
fn earlier_returns(
    data: &Path,
    year: i32,
) -> anyhow::Result<std::collections::HashMap<String, Vec<PathBuf>>> {
    let config = crate::load::load_config(&crate::load::Folder::new(data))?;
    let register = crate::load::load_register(&crate::load::Folder::new(data))?;
    let mut by_code: std::collections::HashMap<String, Vec<PathBuf>> = Default::default();
    for y in crate::load::years(&crate::load::Folder::new(data))?
        .into_iter()
        .filter(|y| *y < year)
    {
        for o in
            crate::load::load_year(&crate::load::Folder::new(data), y, &register, &config)?.outcomes
        {
            if let Some(code) = o
                .authority_code
                .filter(|_| o.status == crate::load::Status::Accepted)
            {
                by_code.entry(code).or_default().push(data.join(&o.file));
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
    year: i32,
    jobs: &[(String, PathBuf)],
) -> anyhow::Result<Vec<(String, anyhow::Error)>> {
    use super::local::{LocalOptions, run_local};
    let data = folder.data();
    let returns = files_of(&data.join("returns").join(year.to_string()))?;
    let register = crate::load::load_register(&crate::load::Folder::new(&data))?;
    let plans = crate::load::load_actions(&crate::load::Folder::new(&data), year, &register)?;
    let mut earlier = earlier_returns(&data, year)?;
    let mut failed = Vec::new();
    for (code, into) in jobs {
        let ret = returns.iter().find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&format!("{code}.")))
        });
        let Some(ret) = ret else { continue };
        let plan = plans
            .by_council
            .get(code)
            .map(|p| data.join(&p.file))
            .filter(|p| p.is_file());
        let run = run_local(&LocalOptions {
            ret: ret.clone(),
            benchmarks: folder.year_dir(year).join("public").join("benchmarks.csv"),
            previous: earlier.remove(code).unwrap_or_default(),
            actions: plan,
            audience: Some(crate::config::Audience::Internal),
            data: data.clone(),
            out: into.clone(),
        });
        if let Err(e) = run {
            failed.push((code.clone(), e));
        }
    }
    Ok(failed)
}
