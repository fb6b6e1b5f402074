//! The action plans of a year (`<data>/actions/<year>/`, YAML or a
//! workbook's Action plan sheet) and of one council (`scwres local`): read,
//! checked against the year and the register, and tied to their council.

use super::{FileOutcome, MAX_XLSX, MAX_YAML, Source, Status, actions, diag, folder_files};
use crate::register::Register;
use diag::Diagnostic;
use std::path::Path;

/// The action plans of a year.
#[derive(Debug, Default)]
pub struct Plans {
    /// Sound plans, by council code.
    pub by_council: std::collections::BTreeMap<String, actions::ActionPlan>,
    /// Refused plans' problems, by the council they name.
    pub refused: std::collections::BTreeMap<String, Vec<Diagnostic>>,
    /// Problems of plans that name no council of the register.
    pub problems: Vec<Diagnostic>,
}

impl Plans {
    /// Every plan with a problem, a file each (refused plans and plans not
    /// tied to a council), for the validation files.
    pub fn outcomes(&self) -> Vec<FileOutcome> {
        let mut by_file: std::collections::BTreeMap<&str, Vec<Diagnostic>> = Default::default();
        for d in self
            .refused
            .values()
            .flatten()
            .chain(&self.problems)
            .filter(|d| d.is_error())
            .chain(self.by_council.values().flat_map(|p| &p.warnings))
        {
            by_file.entry(&d.file).or_default().push(d.clone());
        }
        by_file
            .into_iter()
            .map(|(f, d)| {
                let status = if d.iter().any(|d| d.is_error()) {
                    Status::Rejected
                } else {
                    Status::Accepted
                };
                FileOutcome::new(f, status, d)
            })
            .collect()
    }
}

/// The action plans of a year, from `<data>/actions/<year>/` (`*.yaml`, or
/// `*.xlsx` with an Action plan sheet). A plan
/// that is not valid, names another year, or shares its council with another
/// plan is refused; the caller then makes no local report for that council,
/// so that no plan is silently left out. A missing folder means no plans.
pub fn load_actions(src: &dyn Source, year: i32, register: &Register) -> anyhow::Result<Plans> {
    let dir = format!("actions/{year}");
    let mut plans = Plans::default();
    if src.kind(&dir).ok().flatten().is_none() {
        return Ok(plans);
    }
    let (files, skipped) = folder_files(src, &dir, &|rel| rel.to_string())?;
    for s in skipped {
        plans.problems.extend(s.diagnostics);
    }
    let files: Vec<String> = files
        .into_iter()
        .filter(|p| actions::is_plan_file(Path::new(p)))
        .collect();
    let mut first: std::collections::BTreeMap<String, String> = Default::default();
    for p in files {
        let shown = p.clone();
        let bytes = match src.read(&p, plan_cap(Path::new(&p))) {
            Ok(b) => b,
            Err(r) => {
                plans
                    .problems
                    .push(Diagnostic::error(&shown, &r.place, r.rule).hint(r.hint));
                continue;
            }
        };
        let named =
            actions::named_authority_any(&shown, &bytes).filter(|c| register.get(c).is_some());
        let result = check_plan(actions::read_any(&shown, &bytes), year, register);
        let Some(code) = named else {
            plans.problems.extend(result.err().unwrap_or_default());
            continue;
        };
        if let Some(earlier) = first.insert(code.clone(), shown.clone()) {
            let d = Diagnostic::error(
                &shown,
                "authority",
                format!("a second action plan for {code} (the first is {earlier})"),
            )
            .hint("keep one plan per council");
            plans.by_council.remove(&code);
            plans.refused.entry(code).or_default().push(d);
            continue;
        }
        match result {
            Ok(plan) => {
                plans.by_council.insert(code, plan);
            }
            Err(d) => {
                plans.refused.entry(code).or_default().extend(d);
            }
        }
    }
    Ok(plans)
}

/// Reads and checks one council's action plan (`scwres local`): for `year`,
/// of a council of the register, and of `council` when the return is known.
/// The plan is the file `rel` of `src`.
pub fn load_plan(
    src: &dyn Source,
    rel: &str,
    year: i32,
    register: &Register,
    council: Option<&str>,
) -> anyhow::Result<(FileOutcome, Option<actions::ActionPlan>)> {
    let shown = src.shown(rel);
    let bytes = src
        .read(rel, plan_cap(Path::new(rel)))
        .map_err(|r| anyhow::anyhow!("{shown}: {}", r.rule))?;
    let mut outcome = FileOutcome {
        file: shown.clone(),
        status: Status::Accepted,
        authority_code: None,
        sha256: Some(crate::digest::sha256_hex(&bytes)),
        diagnostics: Vec::new(),
    };
    let checked =
        check_plan(actions::read_any(&shown, &bytes), year, register).and_then(|p| match council {
            Some(code) if code != p.authority => Err(vec![
                Diagnostic::error(&shown, "authority", "the plan is another council's")
                    .value(&p.authority)
                    .hint(format!("the return is {code}'s")),
            ]),
            _ => Ok(p),
        });
    match checked {
        Ok(p) => {
            outcome.diagnostics = p.warnings.clone();
            Ok((outcome, Some(p)))
        }
        Err(d) => {
            outcome.status = Status::Rejected;
            outcome.diagnostics = d;
            Ok((outcome, None))
        }
    }
}

/// The most a plan file may hold: a workbook is larger than YAML.
fn plan_cap(p: &Path) -> u64 {
    if p.extension()
        .is_some_and(|x| x.eq_ignore_ascii_case("xlsx"))
    {
        MAX_XLSX
    } else {
        MAX_YAML
    }
}

/// Checks a plan against the year and the register.
pub fn check_plan(
    plan: Result<actions::ActionPlan, Vec<diag::Diagnostic>>,
    year: i32,
    register: &Register,
) -> Result<actions::ActionPlan, Vec<diag::Diagnostic>> {
    let plan = plan?;
    let mut d = Vec::new();
    if plan.year != year {
        d.push(
            diag::Diagnostic::error(&plan.file, "year", format!("the plan must be for {year}"))
                .value(plan.year.to_string()),
        );
    }
    if register.get(&plan.authority).is_none() {
        d.push(
            diag::Diagnostic::error(&plan.file, "authority", "not a council in the register")
                .value(&plan.authority),
        );
    }
    if d.is_empty() { Ok(plan) } else { Err(d) }
}
