//! Load and validate: every return file of a year in, accepted returns and
//! the outcome of every file out. Reads files; writes nothing.

pub mod actions;
pub mod benchmarks;
pub mod csv_return;
pub mod diag;
pub mod guard;
pub mod plan_sheet;
mod plans;
pub mod records;
pub mod text;
pub mod validate;
pub mod workbook;
pub mod yaml_return;

use crate::config::Config;
use crate::model::Return;
use crate::register::Register;
use diag::Diagnostic;
use rayon::prelude::*;
use serde::Serialize;
use std::path::{Path, PathBuf};

pub use plans::{Plans, check_plan, load_actions, load_plan};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Accepted,
    Rejected,
    Skipped,
}

impl Status {
    pub fn id(self) -> &'static str {
        match self {
            Status::Accepted => "accepted",
            Status::Rejected => "rejected",
            Status::Skipped => "skipped",
        }
    }
}

/// What happened to one file.
#[derive(Clone, Debug, Serialize)]
pub struct FileOutcome {
    pub file: String,
    pub status: Status,
    /// The council, when the file named a valid one.
    pub authority_code: Option<String>,
    /// SHA-256 of the bytes read, for the run manifest.
    pub sha256: Option<String>,
    pub diagnostics: Vec<Diagnostic>,
}

impl FileOutcome {
    fn new(file: &str, status: Status, diagnostics: Vec<Diagnostic>) -> Self {
        FileOutcome {
            file: file.to_string(),
            status,
            authority_code: None,
            sha256: None,
            diagnostics,
        }
    }
}

/// The accepted returns of one year and the outcome of every file.
#[derive(Clone, Debug)]
pub struct YearData {
    pub year: i32,
    pub returns: Vec<Return>,
    pub outcomes: Vec<FileOutcome>,
}

impl YearData {
    pub fn rejected(&self) -> usize {
        self.count(Status::Rejected)
    }

    pub fn skipped(&self) -> usize {
        self.count(Status::Skipped)
    }

    fn count(&self, status: Status) -> usize {
        self.outcomes.iter().filter(|o| o.status == status).count()
    }
}

/// The register of `<data>/authorities.csv` if present, else the built-in one.
pub fn load_register(data: &Path) -> anyhow::Result<Register> {
    let path = data.join("authorities.csv");
    match std::fs::read(&path) {
        Ok(bytes) => {
            let text = text::decode(&bytes).map_err(|e| not_text(&path, e))?;
            Register::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Register::built_in()),
        Err(e) => Err(anyhow::anyhow!("{}: {e}", path.display())),
    }
}

/// The files named, with the files of the folders named (sorted), in order.
pub fn expand_paths(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            files.extend(folder_files(p, |x| x.display().to_string())?.0);
        } else if p.is_file() {
            files.push(p.clone());
        } else {
            anyhow::bail!("{}: no such file or folder", p.display());
        }
    }
    Ok(files)
}

/// Reads `<data>/report.yaml` if present.
pub fn load_config(data: &Path) -> anyhow::Result<Config> {
    let path = data.join("report.yaml");
    if absent(&path) {
        return Ok(Config::default());
    }
    let refused = |r: guard::Refusal| {
        let at = if r.place.is_empty() {
            String::new()
        } else {
            format!(", {}", r.place)
        };
        anyhow::anyhow!("{}{at}: {}", path.display(), r.rule)
    };
    let bytes = guard::read_file(&path, MAX_YAML).map_err(refused)?;
    let text = text::decode(&bytes).map_err(|e| not_text(&path, e))?;
    // The guard reads the text, as the parser will.
    guard::yaml(text.as_bytes()).map_err(refused)?;
    Config::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// A run's own file that is not text we read, said with its place, the
/// byte found and how to save it as UTF-8.
fn not_text(path: &Path, e: text::NotText) -> anyhow::Error {
    anyhow::anyhow!(
        "{}, {}: {} ({}); {}",
        path.display(),
        e.place,
        e.rule(),
        e.value,
        e.hint
    )
}

/// Nothing at all is at `path` (not even a link): an optional file or
/// folder that is not there.
fn absent(path: &Path) -> bool {
    matches!(std::fs::symlink_metadata(path), Err(e) if e.kind() == std::io::ErrorKind::NotFound)
}

/// A path as messages show it: relative to the data folder, with `/`.
fn shown_in(data: &Path, p: &Path) -> String {
    p.strip_prefix(data)
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/")
}

/// The largest YAML file (return, plan, configuration) read.
pub const MAX_YAML: u64 = 1 << 20;
/// The largest CSV return read.
pub const MAX_CSV: u64 = 1 << 20;
/// The largest workbook read.
pub const MAX_XLSX: u64 = 20 << 20;
/// The largest benchmarks.csv read (one of 18,000 organisations is a few MB).
pub const MAX_BENCHMARKS: u64 = 64 << 20;

/// The entries of a folder that may be read, sorted, and an outcome for
/// every entry that is skipped (links, devices, sub-folders).
fn folder_files(
    dir: &Path,
    shown: impl Fn(&Path) -> String,
) -> anyhow::Result<(Vec<PathBuf>, Vec<FileOutcome>)> {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        let why = match guard::kind(&p) {
            Ok(guard::Kind::File) => {
                files.push(p);
                continue;
            }
            Ok(guard::Kind::Dir) => "a folder".to_string(),
            Ok(guard::Kind::Other(what)) => what.to_string(),
            Err(e) => format!("cannot be read: {e}"),
        };
        let file = shown(&p);
        skipped.push(FileOutcome {
            diagnostics: vec![Diagnostic::warning(
                &file,
                "",
                format!("skipped: {why}, not a return file; it is not read"),
            )],
            file,
            status: Status::Skipped,
            authority_code: None,
            sha256: None,
        });
    }
    Ok((files, skipped))
}

/// The collection years found under `<data>/returns/`, oldest first.
pub fn years(data: &Path) -> anyhow::Result<Vec<i32>> {
    let dir = data.join("returns");
    let entries = std::fs::read_dir(&dir).map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?;
    let mut years: Vec<i32> = Vec::new();
    for e in entries.filter_map(|e| e.ok()).filter(|e| e.path().is_dir()) {
        let name = e.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.len() == 4 && name.bytes().all(|b| b.is_ascii_digit()) {
            years.push(name.parse()?);
        } else if name.trim_start_matches(['+', '-']).parse::<u32>().is_ok() {
            // `02024` or `+2024` would be 2024 to a number parser and then
            // not be found under that name: never left out silently.
            anyhow::bail!(
                "{}: a year folder is named by the year's four digits, such as 2024; rename this folder",
                dir.join(name).display()
            );
        }
    }
    years.sort();
    Ok(years)
}

/// Loads and validates every return of `year`. Only an unreadable folder is
/// an `Err`; a bad file is a rejected outcome and the others carry on.
pub fn load_year(
    data: &Path,
    year: i32,
    register: &Register,
    config: &Config,
) -> anyhow::Result<YearData> {
    let dir = data.join("returns").join(year.to_string());
    let shown = |p: &Path| shown_in(data, p);
    let (files, skipped) = folder_files(&dir, shown)?;
    let bands = config.bands(year);
    let ctx = validate::Context::new(register, &bands, Some(year), config);
    let files: Vec<(PathBuf, String)> = files
        .into_iter()
        .map(|p| {
            let s = shown(&p);
            (p, s)
        })
        .collect();
    let (returns, mut outcomes) = load_files(&files, &ctx);
    outcomes.extend(skipped);
    outcomes.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(YearData {
        year,
        returns,
        outcomes,
    })
}

/// Loads and validates files (path, name to show), in parallel, then
/// rejects councils that appear twice: the checks of a whole run.
pub fn load_files(
    files: &[(PathBuf, String)],
    ctx: &validate::Context,
) -> (Vec<Return>, Vec<FileOutcome>) {
    let loaded: Vec<(FileOutcome, Option<Return>)> = files
        .par_iter()
        .map(|(p, shown)| load_file(p, shown, ctx))
        .collect();
    reject_duplicates(ctx.year, loaded)
}

/// Reads and validates one file.
pub fn load_file(
    path: &Path,
    shown: &str,
    ctx: &validate::Context,
) -> (FileOutcome, Option<Return>) {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let outcome = |status, diagnostics| FileOutcome::new(shown, status, diagnostics);
    if name.starts_with("~$") || name.starts_with(".~lock") || name.starts_with('.') {
        let d = Diagnostic::warning(shown, "", "skipped: a lock or hidden file, not a return")
            .hint("close the workbook in Excel before the run; the return itself is read");
        return (outcome(Status::Skipped, vec![d]), None);
    }
    // A spreadsheet in a format the program does not read is a return that
    // cannot be used, not a stray file: refused, saying how to save it.
    if matches!(ext.as_str(), "xls" | "xlsm" | "xlsb" | "ods" | "numbers") {
        let what = match ext.as_str() {
            "xls" => "an Excel 97-2003 workbook (.xls)",
            "xlsm" => "a macro-enabled workbook (.xlsm)",
            "xlsb" => "a binary workbook (.xlsb)",
            "ods" => "an OpenDocument spreadsheet (.ods)",
            _ => "a Numbers spreadsheet",
        };
        let d = Diagnostic::error(shown, "", format!("{what} cannot be read"))
            .hint("open it and save it as an Excel Workbook (.xlsx), or as CSV UTF-8 (comma delimited) (.csv)");
        return (outcome(Status::Rejected, vec![d]), None);
    }
    // Excel's "Unicode Text" (.txt: UTF-16, tab-separated) or a .tsv of a
    // return is a return saved the wrong way, not a stray note.
    if matches!(ext.as_str(), "txt" | "tsv" | "tab") {
        let head = guard::read_file(path, MAX_CSV).unwrap_or_default();
        let text = text::decode(&head).map(|t| t.chars().take(200).collect::<String>());
        let utf16 = head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]);
        if utf16 || text.is_ok_and(|t| t.contains("authority_code")) {
            let d = Diagnostic::error(
                shown,
                "",
                "a text export (Excel's \"Unicode Text\" or tab-separated) cannot be read as a return",
            )
            .hint("in Excel choose Save As, \"CSV UTF-8 (Comma delimited) (*.csv)\", or save the workbook as .xlsx");
            return (outcome(Status::Rejected, vec![d]), None);
        }
    }
    if !matches!(ext.as_str(), "csv" | "xlsx" | "yaml" | "yml") {
        let d = Diagnostic::warning(
            shown,
            "",
            "skipped: not a return file (.csv, .xlsx or .yaml expected)",
        );
        return (outcome(Status::Skipped, vec![d]), None);
    }
    let max = match ext.as_str() {
        "csv" => MAX_CSV,
        "xlsx" => MAX_XLSX,
        _ => MAX_YAML,
    };
    let bytes = match guard::read_file(path, max) {
        Ok(b) => b,
        Err(r) => {
            let d = Diagnostic::error(shown, &r.place, r.rule).hint(r.hint);
            return (outcome(Status::Rejected, vec![d]), None);
        }
    };
    load_bytes(&bytes, &ext, shown, ctx)
}

/// Validates a return's bytes, encoded as `ext` (`csv`, `xlsx`, `yaml`):
/// exactly what [`load_file`] does once the file is read.
pub fn load_bytes(
    bytes: &[u8],
    ext: &str,
    shown: &str,
    ctx: &validate::Context,
) -> (FileOutcome, Option<Return>) {
    let outcome = |status, diagnostics| FileOutcome::new(shown, status, diagnostics);
    let rows = match ext {
        "csv" => csv_return::read(shown, &bytes),
        "xlsx" => workbook::read(shown, &bytes, ctx.bands),
        _ => yaml_return::read(shown, &bytes),
    };
    let (mut o, ret) = match rows {
        Err(diags) => (outcome(Status::Rejected, diags), None),
        Ok(read) => {
            let (ret, diags) = validate::build(shown, &read.rows, ctx);
            let mut all = read.diags;
            all.extend(diags);
            let ret = ret.filter(|_| !all.iter().any(|d| d.is_error()));
            let status = if ret.is_some() {
                Status::Accepted
            } else {
                Status::Rejected
            };
            let mut o = outcome(status, all);
            o.authority_code = ret.as_ref().map(|r| r.authority_code.clone());
            (o, ret)
        }
    };
    o.sha256 = Some(crate::digest::sha256_hex(&bytes));
    (o, ret)
}

/// Two returns for one council in one year: both are rejected, since the run
/// cannot know which is right.
fn reject_duplicates(
    year: Option<i32>,
    loaded: Vec<(FileOutcome, Option<Return>)>,
) -> (Vec<Return>, Vec<FileOutcome>) {
    let mut by_code: std::collections::HashMap<String, Vec<String>> = Default::default();
    for (o, r) in &loaded {
        if let Some(r) = r {
            by_code
                .entry(r.authority_code.clone())
                .or_default()
                .push(o.file.clone());
        }
    }
    let mut returns = Vec::new();
    let mut outcomes = Vec::new();
    for (mut o, r) in loaded {
        if let Some(r) = r {
            let files = &by_code[&r.authority_code];
            if files.len() > 1 {
                let others: Vec<String> = files
                    .iter()
                    .filter(|f| **f != o.file)
                    .take(3)
                    .cloned()
                    .collect();
                let n = files.len() - 1;
                o.status = Status::Rejected;
                o.diagnostics.push(
                    Diagnostic::error(
                        &o.file,
                        "",
                        if n == 1 {
                            format!(
                                "another return for {} in {} is in this run",
                                r.authority_code,
                                year.unwrap_or(r.year)
                            )
                        } else {
                            format!(
                                "{n} other returns for {} in {} are in this run",
                                r.authority_code,
                                year.unwrap_or(r.year)
                            )
                        },
                    )
                    .value(others.join(", "))
                    .hint(if n == 1 {
                        "keep one return per council and year; both are left out until then"
                    } else {
                        "keep one return per council and year; all of them are left out until then"
                    }),
                );
            } else {
                returns.push(r);
            }
        }
        outcomes.push(o);
    }
    returns.sort_by(|a, b| a.authority_code.cmp(&b.authority_code));
    (returns, outcomes)
}
