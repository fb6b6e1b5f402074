//! `scwres extract`: a council's return from its own staff records. Every
//! file is read and every problem listed; the return is checked exactly as
//! `scwres validate` checks one, and written only if it would be accepted.
//! It is the only file written.

use crate::load::diag::Diagnostic;
use crate::load::records::count::{self, Inputs};
use crate::load::records::vocab::{EthnicityMap, Group};
use crate::load::records::{self, Records};
use crate::load::{self, Status, guard};
use std::path::{Path, PathBuf};

/// What `scwres extract` is asked to do.
pub struct ExtractOptions {
    pub authority: String,
    pub year: i32,
    pub staff: PathBuf,
    pub leavers: Option<PathBuf>,
    pub events: Option<PathBuf>,
    pub recruitment: Option<PathBuf>,
    pub survey: Option<PathBuf>,
    pub ethnicity_map: Option<PathBuf>,
    /// Folder with `report.yaml` (pay bands) and the register, if not built in.
    pub data: PathBuf,
    /// The return to write: `.csv`, `.yaml`/`.yml` or `.xlsx`.
    pub output: PathBuf,
}

/// What `scwres extract` did.
pub struct ExtractRun {
    pub diagnostics: Vec<Diagnostic>,
    /// The return written, if everything was sound.
    pub written: Option<PathBuf>,
}

/// Reads a council's own ethnicity map: a YAML mapping of value to
/// `white`, `minoritised` or `unknown`.
fn ethnicity_file(path: &Path) -> Result<Vec<(String, Group)>, Vec<Diagnostic>> {
    let shown = path.display().to_string();
    let bad = |place: &str, rule: String| vec![Diagnostic::error(&shown, place, rule)];
    let bytes = guard::read_file(path, load::MAX_YAML).map_err(|r| bad(&r.place, r.rule))?;
    let text = load::text::decode(&bytes).map_err(|e| {
        vec![
            Diagnostic::error(&shown, e.place.clone(), e.rule())
                .value(e.value)
                .hint(e.hint),
        ]
    })?;
    // The guard reads the text, as the parser will (a UTF-16 file's bytes
    // would hide an alias from it).
    guard::yaml(text.as_bytes()).map_err(|r| bad(&r.place, r.rule))?;
    let map: serde_norway::Mapping = serde_norway::from_str(&text).map_err(|e| {
        bad(
            "",
            format!("not a YAML mapping of ethnicity value to group ({e})"),
        )
    })?;
    let mut out = Vec::new();
    let mut diags = Vec::new();
    // Values are matched loosely (case, spaces): two spellings of one
    // value given two groups would leave the group to the order of lines.
    let mut seen: std::collections::HashMap<String, (String, Group)> = Default::default();
    for (k, v) in &map {
        let key = match k {
            serde_norway::Value::String(s) => s.clone(),
            serde_norway::Value::Number(n) => n.to_string(),
            serde_norway::Value::Null => String::new(),
            _ => {
                diags.push(Diagnostic::error(&shown, "", "a key that is not a value"));
                continue;
            }
        };
        match v.as_str().and_then(Group::parse) {
            Some(g) => {
                match seen.get(&load::records::vocab::key(&key)) {
                    Some((other, h)) if *h != g => diags.push(
                        Diagnostic::error(&shown, key.clone(), "the same value is mapped to two groups")
                            .value(format!(
                                "{other} → {}; {key} → {}",
                                format!("{h:?}").to_lowercase(),
                                format!("{g:?}").to_lowercase()
                            ))
                            .hint("values are matched ignoring case and spaces: keep one line for this value"),
                    ),
                    _ => {
                        seen.insert(load::records::vocab::key(&key), (key.clone(), g));
                    }
                }
                out.push((key, g))
            }
            None => diags.push(
                Diagnostic::error(
                    &shown,
                    key.clone(),
                    "the group must be white, minoritised or unknown",
                )
                .value(format!("{v:?}").chars().take(40).collect::<String>()),
            ),
        }
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(diags)
    }
}

/// Runs the extraction.
pub fn run_extract(o: &ExtractOptions) -> anyhow::Result<ExtractRun> {
    let ext = o
        .output
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let ext = match ext.as_str() {
        "csv" | "xlsx" => ext,
        "yaml" | "yml" => "yaml".to_string(),
        _ => anyhow::bail!(
            "{}: the return is written as .csv, .yaml or .xlsx; give one of these",
            o.output.display()
        ),
    };
    // Never write over an input (the HR export given as -o by mistake).
    for input in [
        Some(&o.staff),
        o.leavers.as_ref(),
        o.events.as_ref(),
        o.recruitment.as_ref(),
        o.survey.as_ref(),
        o.ethnicity_map.as_ref(),
    ]
    .into_iter()
    .flatten()
    {
        if crate::publish::same_path(input, &o.output) {
            anyhow::bail!(
                "{}: this is one of the files to read, and would be written over; give -o a new file for the return",
                o.output.display()
            );
        }
    }
    let config = load::load_config(&crate::load::Folder::new(&o.data))?;
    let register = load::load_register(&crate::load::Folder::new(&o.data))?;
    let mut diags = Vec::new();
    if register.get(&o.authority).is_none() {
        diags.push(
            Diagnostic::error("--authority", "", "not a council in the authority register")
                .value(&o.authority)
                .hint("give the council's ONS GSS code, such as E10000015"),
        );
    }
    let bands = config.bands(o.year);
    if bands.iter().any(|b| b.min_salary.is_none()) {
        diags.push(
            Diagnostic::error(
                &o.data.join("report.yaml").display().to_string(),
                format!("pay_bands.{}", o.year),
                "every pay band needs a min_salary to place salaries in bands",
            )
            .hint("add min_salary (the lowest annual salary in the band, in pounds) to each band"),
        );
    }
    let mut map = EthnicityMap::builtin();
    if let Some(p) = &o.ethnicity_map {
        match ethnicity_file(p) {
            Ok(entries) => map.extend(entries),
            Err(d) => diags.extend(d),
        }
    }
    let mut read = |path: &PathBuf, columns: &[&str]| -> Option<Records> {
        match records::read(path, &path.display().to_string(), columns) {
            Ok(r) => Some(r),
            Err(d) => {
                diags.extend(d);
                None
            }
        }
    };
    let staff = read(&o.staff, count::STAFF);
    let mut optional = |p: &Option<PathBuf>, columns: &[&str]| -> Result<Option<Records>, ()> {
        match p {
            None => Ok(None),
            Some(p) => read(p, columns).map(Some).ok_or(()),
        }
    };
    let leavers = optional(&o.leavers, count::LEAVERS);
    let events = optional(&o.events, count::EVENTS);
    let recruitment = optional(&o.recruitment, count::RECRUITMENT);
    let survey = optional(&o.survey, count::SURVEY);
    let Some(staff) = staff else {
        return Ok(ExtractRun {
            diagnostics: diags,
            written: None,
        });
    };
    // A file that could not be read is counted as absent, so that the
    // others' problems are listed too; nothing is written in any case.
    let inputs = Inputs {
        staff,
        leavers: leavers.unwrap_or(None),
        events: events.unwrap_or(None),
        recruitment: recruitment.unwrap_or(None),
        survey: survey.unwrap_or(None),
    };
    let (ret, found) = count::extract(&o.authority, o.year, &inputs, &map, &bands);
    diags.extend(found);
    let paths = [&o.leavers, &o.events, &o.recruitment, &o.survey];
    for ((flag, measures), path) in count::OPTIONAL.iter().zip(paths) {
        if path.is_none() {
            let ids: Vec<&str> = measures.iter().map(|m| m.id()).collect();
            diags.push(
                Diagnostic::warning(
                    &inputs.staff.shown,
                    "",
                    format!(
                        "no {flag} file: {} left blank (not provided)",
                        ids.join(", ")
                    ),
                )
                .hint(format!("give {flag} FILE to count them")),
            );
        }
    }
    let ret = ret.filter(|_| diags.iter().all(|d| !d.is_error()));
    let Some(ret) = ret else {
        return Ok(ExtractRun {
            diagnostics: diags,
            written: None,
        });
    };
    let bytes = match ext.as_str() {
        "csv" => crate::formats::return_file::csv(&ret),
        "yaml" => crate::formats::return_file::yaml(&ret),
        _ => crate::template::workbook(o.year, &bands, &register, Some(&ret), None)?,
    };
    // Exactly the checks of `scwres validate`, on the bytes to be written.
    let ctx = load::validate::Context::new(&register, &bands, Some(o.year), &config);
    let shown = o.output.display().to_string();
    let (outcome, _) = load::load_bytes(&bytes, &ext, &shown, &ctx);
    diags.extend(outcome.diagnostics);
    if outcome.status != Status::Accepted {
        return Ok(ExtractRun {
            diagnostics: diags,
            written: None,
        });
    }
    crate::publish::write_atomic(&o.output, &bytes)
        .map_err(|e| anyhow::anyhow!("{}: cannot be written ({e})", o.output.display()))?;
    Ok(ExtractRun {
        diagnostics: diags,
        written: Some(o.output.clone()),
    })
}
