//! What the collection service asks of the pipeline, bytes in and bytes
//! out: an uploaded return checked with exactly the rules of `scwres
//! validate` (and the same guards, before anything is parsed), a council's
//! own figures from its clean return, what changed between two uploads,
//! and the return workbook. No file is read or written here and nothing
//! process-wide is changed.

use crate::compute;
use crate::config::Config;
use crate::load::benchmarks::Published;
use crate::load::diag::Diagnostic;
use crate::load::{self, FileOutcome, Status, guard};
use crate::model::Return;
use crate::register::Register;
use crate::view::own::{self, Changed, OwnFigures};

/// An action plan written from a form (an action at a time), as the YAML
/// file a council would write: read back by the rules of any plan.
pub fn plan_file(authority: &str, year: i32, actions: &[crate::load::actions::Action]) -> Vec<u8> {
    crate::formats::plan::yaml(authority, year, actions)
}

/// A council's own figures of an earlier year ([`earlier_figures`]), held
/// by the service to set beside this year's ([`own_figures`]).
pub struct Earlier(OwnFigures);

/// The year's rules: the register, report.yaml and the collection year.
pub struct Rules<'a> {
    pub register: &'a Register,
    pub config: &'a Config,
    pub year: i32,
}

/// An upload checked.
pub struct Checked {
    pub outcome: FileOutcome,
    /// The return, when it has no errors.
    pub ret: Option<Return>,
    /// What the reader was (`csv`, `xlsx`, `yaml`), when the name said.
    pub kind: Option<&'static str>,
}

/// Checks an uploaded return: its name's extension chooses the reader, the
/// size caps and bomb guards of the command line run first, then the rules
/// of `scwres validate` for the collection year. `shown` names it in every
/// message (the file name the council gave).
pub fn check_upload(shown: &str, bytes: &[u8], rules: &Rules) -> Checked {
    let ext = std::path::Path::new(shown)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let refuse = |d: Diagnostic| Checked {
        outcome: FileOutcome {
            file: shown.to_string(),
            status: Status::Rejected,
            authority_code: None,
            sha256: Some(crate::digest::sha256_hex(bytes)),
            diagnostics: vec![d],
        },
        ret: None,
        kind: None,
    };
    let (kind, max) = match ext.as_str() {
        "csv" => ("csv", load::MAX_CSV),
        "xlsx" => ("xlsx", load::MAX_XLSX),
        "yaml" | "yml" => ("yaml", load::MAX_YAML),
        "xls" | "xlsm" | "xlsb" | "ods" | "numbers" => {
            return refuse(
                Diagnostic::error(shown, "", "this kind of spreadsheet cannot be read")
                    .value(format!(".{ext}"))
                    .hint("open it and save it as an Excel Workbook (.xlsx), or as CSV UTF-8 (comma delimited) (.csv)"),
            );
        }
        _ => {
            return refuse(
                Diagnostic::error(shown, "", "not a return file")
                    .value(if ext.is_empty() {
                        "no extension".to_string()
                    } else {
                        format!(".{ext}")
                    })
                    .hint("upload the return workbook (.xlsx), or the return as .csv or .yaml"),
            );
        }
    };
    if bytes.len() as u64 > max {
        let r = guard::too_large(max);
        return refuse(Diagnostic::error(shown, &r.place, r.rule).hint(r.hint));
    }
    let bands = rules.config.bands(rules.year);
    let ctx = load::validate::Context::new(rules.register, &bands, Some(rules.year), rules.config);
    let (outcome, ret) = load::load_bytes(bytes, kind, shown, &ctx);
    Checked {
        outcome,
        ret,
        kind: Some(kind),
    }
}

/// A council's own figures from its clean return, beside England's and its
/// region's figures of a published release (`benchmarks.csv` read), if one
/// is given, and its own figures of the year before (`last`: its return of
/// that year and [`earlier_figures`] of it), if there is one.
/// A council's own figures of an earlier year, from its return of that
/// year: what [`own_figures`] sets beside this year's (the service makes
/// them once, when it starts).
pub fn earlier_figures(last: &Return, rules: &Rules) -> anyhow::Result<Earlier> {
    let own = compute::compute_year(
        std::slice::from_ref(last),
        last.year,
        rules.register,
        rules.config,
    )?;
    Ok(Earlier(own::figures(
        &last.authority_code,
        &own,
        None,
        None,
    )))
}

pub fn own_figures(
    ret: &Return,
    rules: &Rules,
    england: Option<&Published>,
    last: Option<(&Return, &Earlier)>,
) -> anyhow::Result<OwnFigures> {
    let of = |r: &Return, year: i32, england: Option<&Published>| -> anyhow::Result<OwnFigures> {
        let own =
            compute::compute_year(std::slice::from_ref(r), year, rules.register, rules.config)?;
        let national = england.map(|p| {
            (
                p.year,
                compute::national_from_counts(p.year, &p.national, rules.config)
                    .iter()
                    .map(|f| crate::disclose::Policy::public(rules.config).republished(f))
                    .collect::<Vec<_>>(),
            )
        });
        let authority = rules.register.get(&r.authority_code);
        let region = england.zip(authority).map(|(p, a)| own::RegionBeside {
            name: &a.region_name,
            code: &a.region_code,
            figures: &p.regions,
        });
        Ok(own::figures(
            &r.authority_code,
            &own,
            national.as_ref().map(|(y, f)| (*y, f.as_slice())),
            region,
        ))
    };
    let mut figures = of(ret, rules.year, england)?;
    if let Some((_, earlier)) = last.filter(|(l, _)| l.year < rules.year) {
        own::with_last_year(&mut figures, &earlier.0);
    }
    let last = last.map(|(l, _)| l);
    // Beside a release of the same year: what the council's public local
    // report says, made as the national run makes it (its own figures
    // through the local report's disclosure, against the published
    // benchmarks).
    if let Some(p) = england.filter(|p| p.year == rules.year) {
        let mut config = rules.config.clone();
        config.audience = crate::config::Audience::Public;
        let this =
            compute::compute_year(std::slice::from_ref(ret), p.year, rules.register, &config)?;
        let earlier = match last.filter(|l| l.year < p.year) {
            Some(l) => vec![compute::compute_year(
                std::slice::from_ref(l),
                l.year,
                rules.register,
                &config,
            )?],
            None => Vec::new(),
        };
        let bench = super::local_bench(p, &config).map_err(anyhow::Error::msg)?;
        let inputs = super::local_inputs(
            &this.figures,
            &earlier
                .iter()
                .map(|e| (e.year, e.figures.as_slice()))
                .collect::<Vec<_>>(),
            rules.register,
            ret,
            None,
        );
        let (view, _, _) =
            crate::view::local::local(&inputs, &bench, &config).map_err(anyhow::Error::msg)?;
        own::with_public(&mut figures, &view.all_services());
    }
    Ok(figures)
}

/// A release's published `benchmarks.csv`, read (England's and the
/// regions' figures beside a council's own).
pub fn read_published(bytes: &[u8]) -> Result<Published, String> {
    crate::load::benchmarks::read("benchmarks.csv", bytes)
}

/// Every figure that differs from one upload to the next.
pub fn changes(before: &Return, after: &Return) -> Vec<Changed> {
    own::changes(before, after)
}

/// The return workbook of the collection year, filled from `previous` (the
/// council's return of an earlier year) where there is one.
pub fn workbook(rules: &Rules, previous: Option<&Return>) -> anyhow::Result<Vec<u8>> {
    let bands = rules.config.bands(rules.year);
    // A previous year's figures, put into this year's workbook: the council
    // checks and updates each one.
    let filled = previous.map(|p| Return {
        year: rules.year,
        ..p.clone()
    });
    Ok(crate::template::workbook(
        rules.year,
        &bands,
        rules.register,
        filled.as_ref(),
        rules.config.collection.due,
    )?)
}

/// The queries of a return without errors (`load::queries`), against the
/// council's return of the year before when there is one.
pub fn queries(
    ret: &Return,
    last: Option<&Return>,
    rules: &Rules,
) -> Vec<crate::load::queries::Query> {
    crate::load::queries::queries(ret, last, &rules.config.queries)
}

/// The problems of an upload as the CSV a council downloads: one row a
/// problem, the columns of the page's table.
pub fn problems_csv(diagnostics: &[Diagnostic]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["severity", "file", "place", "value", "rule", "hint"]);
    for d in diagnostics {
        let sev = if d.is_error() { "error" } else { "warning" };
        let _ = w.write_record([
            sev,
            &formula_safe(&d.file),
            &formula_safe(&d.place),
            &formula_safe(d.value.as_deref().unwrap_or("")),
            &formula_safe(&d.rule),
            &formula_safe(d.hint.as_deref().unwrap_or("")),
        ]);
    }
    w.into_inner().unwrap_or_default()
}

/// A value that Excel would run as a formula (`=`, `+`, `-`, `@`, a tab
/// or carriage return first) gets a leading apostrophe: a file name or a
/// quoted cell from a hostile upload stays text in the downloaded CSV.
fn formula_safe(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}").into()
    } else {
        s.into()
    }
}
