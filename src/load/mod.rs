//! Load and validate: every return file of a year in, accepted returns and
//! the outcome of every file out. Reads files; writes nothing.

pub mod actions;
pub mod benchmarks;
pub mod csv_return;
pub use scwres_extract::diag;
pub mod guard;
pub mod plan_sheet;
mod plans;
pub mod queries;
pub mod records;
pub mod source;
pub use scwres_extract::text;
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
pub use source::{Folder, Memory, Source};

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

/// The register of `authorities.csv` if present, else the built-in one.
pub fn load_register(src: &dyn Source) -> anyhow::Result<Register> {
    let shown = src.shown("authorities.csv");
    match src.kind("authorities.csv") {
        Ok(None) => return Ok(Register::built_in()),
        Err(e) => anyhow::bail!("{shown}: {e}"),
        Ok(Some(_)) => {}
    }
    let bytes = src
        .read("authorities.csv", MAX_REGISTER)
        .map_err(|r| anyhow::anyhow!("{shown}: {}", r.rule))?;
    let text = text::decode(&bytes).map_err(|e| not_text(&shown, e))?;
    Register::parse(&text).map_err(|e| anyhow::anyhow!("{shown}: {e}"))
}

/// The files named, with the files of the folders named (sorted), in order.
pub fn expand_paths(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let folder = Folder::new(p);
            let (names, _) = folder_files(&folder, "", &|x| folder.shown(x))?;
            files.extend(names.into_iter().map(|n| p.join(n)));
        } else if p.is_file() {
            files.push(p.clone());
        } else {
            anyhow::bail!("{}: no such file or folder", p.display());
        }
    }
    Ok(files)
}

/// Reads `report.yaml` if present.
pub fn load_config(src: &dyn Source) -> anyhow::Result<Config> {
    let shown = src.shown("report.yaml");
    match src.kind("report.yaml") {
        Ok(None) => return Ok(Config::default()),
        Err(e) => anyhow::bail!("{shown}: {e}"),
        Ok(Some(_)) => {}
    }
    let refused = |r: guard::Refusal| {
        let at = if r.place.is_empty() {
            String::new()
        } else {
            format!(", {}", r.place)
        };
        anyhow::anyhow!("{shown}{at}: {}", r.rule)
    };
    let bytes = src.read("report.yaml", MAX_YAML).map_err(refused)?;
    let text = text::decode(&bytes).map_err(|e| not_text(&shown, e))?;
    // The guard reads the text, as the parser will.
    guard::yaml(text.as_bytes()).map_err(refused)?;
    Config::parse(&text).map_err(|e| anyhow::anyhow!("{shown}: {e}"))
}

/// A run's own file that is not text we read, said with its place, the
/// byte found and how to save it as UTF-8.
fn not_text(shown: &str, e: text::NotText) -> anyhow::Error {
    anyhow::anyhow!(
        "{shown}, {}: {} ({}); {}",
        e.place,
        e.rule(),
        e.value,
        e.hint
    )
}

/// The largest YAML file (return, plan, configuration) read.
pub const MAX_YAML: u64 = 1 << 20;
/// The largest CSV return read.
pub const MAX_CSV: u64 = 1 << 20;
/// The largest workbook read.
pub const MAX_XLSX: u64 = 20 << 20;
/// The largest benchmarks.csv read (one of 18,000 organisations is a few MB).
pub const MAX_BENCHMARKS: u64 = 64 << 20;

/// The largest register read (every council of England is about 15 KB).
pub const MAX_REGISTER: u64 = 4 << 20;

/// The files of the folder `dir` of `src` that may be read (their paths
/// in `src`), sorted, and an outcome for every entry that is skipped
/// (links, devices, sub-folders).
fn folder_files(
    src: &dyn Source,
    dir: &str,
    shown: &dyn Fn(&str) -> String,
) -> anyhow::Result<(Vec<String>, Vec<FileOutcome>)> {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let entries = src
        .entries(dir)
        .map_err(|e| anyhow::anyhow!("{}: {}", src.shown(dir), strip_shown(&e, &src.shown(dir))))?;
    for (name, kind) in entries {
        let rel = source::join(dir, &name);
        let why = match kind {
            guard::Kind::File => {
                files.push(rel);
                continue;
            }
            guard::Kind::Dir => "a folder".to_string(),
            guard::Kind::Other(what) => what.to_string(),
        };
        let file = shown(&rel);
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

/// An error's text without the path a [`Source`] put before it.
fn strip_shown(e: &std::io::Error, shown: &str) -> String {
    let t = e.to_string();
    t.strip_prefix(&format!("{shown}: "))
        .map(str::to_string)
        .unwrap_or(t)
}

/// The collection years found under `returns/`, oldest first.
pub fn years(src: &dyn Source) -> anyhow::Result<Vec<i32>> {
    let shown = src.shown("returns");
    let entries = src
        .entries("returns")
        .map_err(|e| anyhow::anyhow!("{shown}: {}", strip_shown(&e, &shown)))?;
    let mut years: Vec<i32> = Vec::new();
    for (name, kind) in entries {
        if !matches!(kind, guard::Kind::Dir) {
            continue;
        }
        if name.len() == 4 && name.bytes().all(|b| b.is_ascii_digit()) {
            years.push(name.parse()?);
        } else if name.trim_start_matches(['+', '-']).parse::<u32>().is_ok() {
            // `02024` or `+2024` would be 2024 to a number parser and then
            // not be found under that name: never left out silently.
            anyhow::bail!(
                "{}: a year folder is named by the year's four digits, such as 2024; rename this folder",
                src.shown(&source::join("returns", &name))
            );
        }
    }
    years.sort();
    Ok(years)
}

/// Loads and validates every return of `year`. Only an unreadable folder is
/// an `Err`; a bad file is a rejected outcome and the others carry on.
pub fn load_year(
    src: &dyn Source,
    year: i32,
    register: &Register,
    config: &Config,
) -> anyhow::Result<YearData> {
    let dir = format!("returns/{year}");
    let (files, skipped) = folder_files(src, &dir, &|rel| rel.to_string())?;
    let bands = config.bands(year);
    let ctx = validate::Context::new(register, &bands, Some(year), config);
    let loaded: Vec<(FileOutcome, Option<Return>)> = files
        .par_iter()
        .map(|rel| load_named(rel, rel, &|max| src.read(rel, max), &ctx))
        .collect();
    let (returns, mut outcomes) = reject_duplicates(ctx.year, loaded);
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
    let name = path.to_string_lossy();
    load_named(&name, shown, &|max| guard::read_file(path, max), ctx)
}

/// [`load_file`] for the file `rel` of a [`Source`], named as it names it.
pub fn load_from(
    src: &dyn Source,
    rel: &str,
    ctx: &validate::Context,
) -> (FileOutcome, Option<Return>) {
    load_named(rel, &src.shown(rel), &|max| src.read(rel, max), ctx)
}

/// Reads (with `read`, given the most bytes to read) and validates one
/// file named `path`.
fn load_named(
    path: &str,
    shown: &str,
    read: &dyn Fn(u64) -> Result<Vec<u8>, guard::Refusal>,
    ctx: &validate::Context,
) -> (FileOutcome, Option<Return>) {
    let path = Path::new(path);
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
        let head = read(MAX_CSV).unwrap_or_default();
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
    let bytes = match read(max) {
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
