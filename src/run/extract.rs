//! `scwres extract`: a council's return from its own staff records. Every
//! file is read and every problem listed; the return is checked exactly as
//! `scwres validate` checks one, and written only if it would be accepted.
//! It is the only file written.

use crate::load::diag::Diagnostic;
use crate::load::records;
use crate::load::{self, Status};
use scwres_extract::extract::{self as core, Asking, Named, Request};
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

/// A file for the core: its bytes, or none if it could not be read.
fn named<'a>(f: &'a Option<(String, Vec<u8>)>, p: &'a Path) -> Named<'a> {
    match f {
        Some((shown, bytes)) => Named {
            shown,
            bytes: Some(bytes),
        },
        None => Named {
            shown: p.to_str().unwrap_or(""),
            bytes: None,
        },
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
    // Every file read first (the core reads no file), then counted.
    let mut bytes_of = |p: &PathBuf, max: u64| -> Option<(String, Vec<u8>)> {
        let shown = p.display().to_string();
        match records::read_bytes(p, &shown, max) {
            Ok(b) => Some((shown, b)),
            Err(d) => {
                diags.extend(d);
                None
            }
        }
    };
    let map = o
        .ethnicity_map
        .as_ref()
        .map(|p| bytes_of(p, load::MAX_YAML));
    let staff = bytes_of(&o.staff, records::MAX_CSV);
    let mut optional = |p: &Option<PathBuf>| p.as_ref().map(|p| bytes_of(p, records::MAX_CSV));
    let files = [
        optional(&o.leavers),
        optional(&o.events),
        optional(&o.recruitment),
        optional(&o.survey),
    ];
    let Some(staff) = staff else {
        return Ok(ExtractRun {
            diagnostics: diags,
            written: None,
        });
    };
    // A file given but unreadable is still given: its measures are not
    // "not provided", and no return is written.
    let paths = [&o.leavers, &o.events, &o.recruitment, &o.survey];
    let [leavers, events, recruitment, survey] =
        [0, 1, 2, 3].map(|k| Some(named(files[k].as_ref()?, paths[k].as_ref()?)));
    let req = Request {
        authority: &o.authority,
        year: o.year,
        bands: &bands,
        staff: Named {
            shown: &staff.0,
            bytes: Some(&staff.1),
        },
        leavers,
        events,
        recruitment,
        survey,
        ethnicity_map: map
            .as_ref()
            .zip(o.ethnicity_map.as_ref())
            .map(|(m, p)| named(m, p)),
        asking: Asking::Options,
    };
    // The files read at once, each on a thread of its own (the core has
    // none; a county's staff file is most of the time), then counted.
    let given = [
        Some(&req.staff),
        req.leavers.as_ref(),
        req.events.as_ref(),
        req.recruitment.as_ref(),
        req.survey.as_ref(),
    ];
    let read_all: Vec<Option<core::Read>> = std::thread::scope(|scope| {
        let running: Vec<_> = given
            .iter()
            .zip(core::COLUMNS)
            .map(|(f, columns)| f.map(|f| scope.spawn(move || core::read(f, columns))))
            .collect();
        running
            .into_iter()
            .map(|h| {
                h.map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(vec![Diagnostic::error(
                            "",
                            "",
                            "the file could not be read (the reader stopped)",
                        )])
                    })
                })
            })
            .collect()
    });
    let out = core::extract_read(&req, read_all);
    diags.extend(out.diagnostics);
    let ret = out.ret.filter(|_| diags.iter().all(|d| !d.is_error()));
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
