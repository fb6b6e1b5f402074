//! The smaller commands: `validate`, `template` and `demo-data`.

use crate::load::diag::Diagnostic;
use crate::load::{self, FileOutcome, validate as rules};
use crate::publish;
use std::path::{Path, PathBuf};

/// `scwres validate`: every return file named, or in a folder named,
/// checked with the rules of a report run (duplicates across them too).
pub fn validate(
    paths: &[PathBuf],
    year: Option<i32>,
    data: &Path,
) -> anyhow::Result<Vec<FileOutcome>> {
    let config = load::load_config(&crate::load::Folder::new(data))?;
    let register = load::load_register(&crate::load::Folder::new(data))?;
    let files = load::expand_paths(paths)?;
    // Each file is checked against its year's pay bands: `--year`, else the
    // year folder it is in (`returns/2024/`). Without either, report.yaml's
    // own bands cannot be chosen: say so rather than check the defaults.
    let mut by_year: std::collections::BTreeMap<Option<i32>, Vec<(PathBuf, String)>> =
        Default::default();
    for f in files {
        let folder = f
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str())
            .filter(|n| n.len() == 4 && n.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|n| n.parse().ok());
        let y = year.or(folder);
        if y.is_none() && !config.pay_bands.is_empty() {
            anyhow::bail!(
                "{}: report.yaml sets pay bands by year, so the year must be known: give --year (or keep the file in its year folder, returns/<year>/)",
                f.display()
            );
        }
        let s = f.display().to_string();
        by_year.entry(y).or_default().push((f, s));
    }
    let mut out = Vec::new();
    for (y, files) in by_year {
        let bands = config.bands(y.unwrap_or(0));
        let ctx = rules::Context::new(&register, &bands, y, &config);
        out.extend(load::load_files(&files, &ctx).1);
    }
    // A file named on the command line is meant as a return: not reading it
    // is a refusal, never "skipped" with a valid result.
    for o in &mut out {
        let named = paths
            .iter()
            .any(|p| p.is_file() && p.display().to_string() == o.file);
        if named && o.status == load::Status::Skipped {
            o.status = load::Status::Rejected;
            for d in &mut o.diagnostics {
                d.severity = crate::load::diag::Severity::Error;
                d.rule = d.rule.replacen("skipped: ", "not read: ", 1);
            }
        }
    }
    Ok(out)
}

/// `scwres template`: the return workbook, blank or filled from a return.
/// Returns the problems of the return it was filled from, if any; nothing
/// is written when that return has errors.
pub fn template(
    year: i32,
    from: Option<&Path>,
    data: &Path,
    output: &Path,
) -> anyhow::Result<Vec<Diagnostic>> {
    let config = load::load_config(&crate::load::Folder::new(data))?;
    let register = load::load_register(&crate::load::Folder::new(data))?;
    let bands = config.bands(year);
    let (filled, diagnostics) = match from {
        None => (None, Vec::new()),
        Some(path) => {
            let ctx = rules::Context::new(&register, &bands, Some(year), &config);
            let (o, r) = load::load_file(path, &path.display().to_string(), &ctx);
            if r.is_none() {
                let why: Vec<String> = o.diagnostics.iter().map(|d| d.to_string()).collect();
                anyhow::bail!(
                    "{}: the return has errors; fix them first\n{}",
                    path.display(),
                    why.join("\n")
                );
            }
            (r, o.diagnostics)
        }
    };
    let bytes = crate::template::workbook(
        year,
        &bands,
        &register,
        filled.as_ref(),
        config.collection.due,
    )?;
    publish::write_atomic(output, &bytes)?;
    Ok(diagnostics)
}

/// `scwres demo-data`: the synthetic returns, and a `report.yaml` saying
/// they are synthetic if the folder has none. Returns the files written.
pub fn demo_data(
    data: &Path,
    seed: u64,
    councils: usize,
    records: Option<&str>,
) -> anyhow::Result<usize> {
    let register = crate::register::Register::built_in();
    let files = crate::demo::generate_sized(&register, seed, councils);
    for (path, text) in &files {
        publish::write_atomic(&data.join(path), text.as_bytes())?;
    }
    if let Some(code) = records {
        for (name, text) in demo_records(&files, &register, code, seed)? {
            publish::write_atomic(&data.join("examples/staff").join(name), text.as_bytes())?;
        }
    }
    // Whatever folder the synthetic returns go to, every output made from
    // them must say so.
    let config = data.join("report.yaml");
    if !config.exists() {
        let text =
            "# Written by `scwres demo-data`: the returns here are synthetic.\nsynthetic: true\n";
        publish::write_atomic(&config, text.as_bytes())?;
    }
    Ok(files.len())
}

/// The staff records of one council's 2024 demo return (`demo-data
/// --records CODE`), from which `scwres extract` gives that return back.
pub fn demo_records(
    files: &[(String, String)],
    register: &crate::register::Register,
    code: &str,
    seed: u64,
) -> anyhow::Result<Vec<(String, String)>> {
    let ret = demo_return(files, register, code).ok_or_else(|| {
        anyhow::anyhow!("{code} has no accepted 2024 demo return; give one of the demo councils")
    })?;
    Ok(crate::demo_records::records(
        &ret,
        &crate::indicators::default_bands(),
        seed,
    ))
}

/// One council's accepted 2024 return among the demo files.
pub fn demo_return(
    files: &[(String, String)],
    register: &crate::register::Register,
    code: &str,
) -> Option<crate::model::Return> {
    let config = crate::config::Config::default();
    let bands = crate::indicators::default_bands();
    let ctx = crate::load::validate::Context::new(register, &bands, Some(2024), &config);
    files
        .iter()
        .filter(|(p, _)| p.contains("/2024/"))
        .find_map(|(p, text)| {
            crate::load::load_bytes(text.as_bytes(), "csv", p, &ctx)
                .1
                .filter(|r| r.authority_code == code)
        })
}
