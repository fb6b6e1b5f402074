//! Reader for a council's action plan (`actions.yaml`): what the council
//! will do about its figures. Every problem is reported with the file, the
//! YAML path and the rule, like a return's.

use super::diag::Diagnostic;
use serde::Serialize;
use serde_norway::Value;

/// How far an action has got.
pub const STATUSES: [&str; 3] = ["not started", "in progress", "done"];

/// Larger than any real plan; refuses a runaway file before parsing it.
const MAX_BYTES: usize = 1 << 20;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Action {
    pub action: String,
    pub indicator: crate::indicators::IndicatorId,
    pub owner: String,
    /// `YYYY-MM-DD`.
    pub due: String,
    /// One of [`STATUSES`].
    pub status: &'static str,
    pub measure: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ActionPlan {
    pub file: String,
    pub authority: String,
    pub year: i32,
    pub actions: Vec<Action>,
}

const FIELDS: [&str; 6] = ["action", "indicator", "owner", "due", "status", "measure"];

/// Reads an action plan; `file` names it in messages. Every problem found is
/// returned, not just the first.
pub fn read(file: &str, bytes: &[u8]) -> Result<ActionPlan, Vec<Diagnostic>> {
    let err = |place: &str, rule: String| Diagnostic::error(file, place, rule);
    // Excel and Notepad write a byte-order mark before the first key.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.len() > MAX_BYTES {
        return Err(vec![err("", "an action plan is at most 1 MB".into())]);
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        vec![err(
            "",
            format!("the file is not UTF-8 text (byte {})", e.valid_up_to()),
        )]
    })?;
    if let Err(r) = super::guard::yaml(bytes) {
        return Err(vec![err(&r.place, r.rule).hint(r.hint)]);
    }
    let doc: Value = serde_norway::from_str(text).map_err(|e| {
        vec![
            err(
                &e.location()
                    .map(|l| format!("line {}, column {}", l.line(), l.column()))
                    .unwrap_or_default(),
                format!("not valid YAML: {e}"),
            )
            .hint("see data/examples/actions.yaml for the layout"),
        ]
    })?;
    let Value::Mapping(top) = doc else {
        return Err(vec![
            err(
                "",
                "the file must be a mapping with authority, year and actions".into(),
            )
            .hint("see data/examples/actions.yaml for the layout"),
        ]);
    };
    let mut diags = Vec::new();
    for k in top.keys() {
        let k = scalar(k);
        if !["authority", "year", "actions"].contains(&k.as_str()) {
            diags.push(
                err(&k, "unknown key".into()).hint("the keys are authority, year and actions"),
            );
        }
    }
    let authority = match top.get("authority") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        _ => {
            diags.push(
                err("authority", "the council's code is required".into())
                    .hint("the GSS code of the council, as in its return, e.g. E09000001"),
            );
            String::new()
        }
    };
    let year = match top.get("year").and_then(Value::as_i64) {
        Some(y) if (2000..=2100).contains(&y) => y as i32,
        other => {
            let mut d = err("year", "the collection year is required".into())
                .hint("the year of the return the plan answers, e.g. 2024");
            if let Some(v) = other {
                d = d.value(v.to_string());
            }
            diags.push(d);
            0
        }
    };
    let mut actions = Vec::new();
    match top.get("actions") {
        Some(Value::Sequence(items)) => {
            for (i, item) in items.iter().enumerate() {
                if let Some(a) = action(file, i, item, &mut diags) {
                    actions.push(a);
                }
            }
        }
        Some(Value::Null) => {}
        _ => diags.push(
            err("actions", "a list of actions is required".into())
                .hint("write `actions: []` for a plan with no actions yet"),
        ),
    }
    if diags.is_empty() {
        Ok(ActionPlan {
            file: file.to_string(),
            authority,
            year,
            actions,
        })
    } else {
        Err(diags)
    }
}

/// The council code a plan names, if it can be read at all: so that a
/// refused plan can still be tied to its council.
pub fn named_authority(bytes: &[u8]) -> Option<String> {
    if bytes.len() > MAX_BYTES {
        return None;
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(v) = serde_norway::from_slice::<Value>(bytes) {
        return v.get("authority")?.as_str().map(|s| s.trim().to_string());
    }
    // Not valid YAML (a colon or `#` in an action's text): the plan is
    // still tied to its council by its `authority:` line, so that the
    // council's report fails instead of going out without its plan.
    let text = std::str::from_utf8(bytes).ok()?;
    text.lines().find_map(|l| {
        let v = l.strip_prefix("authority:")?;
        let v = v.split(" #").next()?.trim().trim_matches(['"', '\'']);
        (v.len() == 9 && v.starts_with('E') && v[1..].bytes().all(|b| b.is_ascii_digit()))
            .then(|| v.to_string())
    })
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => "(not text)".into(),
    }
}

fn action(file: &str, i: usize, item: &Value, diags: &mut Vec<Diagnostic>) -> Option<Action> {
    let at = |field: &str| format!("actions[{}].{field}", i + 1);
    let Value::Mapping(m) = item else {
        diags.push(Diagnostic::error(
            file,
            format!("actions[{}]", i + 1),
            "each action is a mapping of action, indicator, owner, due, status and measure",
        ));
        return None;
    };
    let before = diags.len();
    for k in m.keys() {
        let k = scalar(k);
        if !FIELDS.contains(&k.as_str()) {
            diags.push(
                Diagnostic::error(file, at(&k), "unknown field")
                    .hint(format!("the fields are {}", FIELDS.join(", "))),
            );
        }
    }
    let mut text = |field: &str| -> String {
        match m.get(field) {
            Some(v @ (Value::String(_) | Value::Number(_))) if !scalar(v).trim().is_empty() => {
                scalar(v).trim().to_string()
            }
            _ => {
                diags.push(Diagnostic::error(
                    file,
                    at(field),
                    "required text is missing",
                ));
                String::new()
            }
        }
    };
    let action = text("action");
    let owner = text("owner");
    let measure = text("measure");
    let ind_text = text("indicator");
    let due = text("due");
    let status_text = text("status");
    let indicator = crate::indicators::IndicatorId::parse(&ind_text);
    if indicator.is_none() && !ind_text.is_empty() {
        let ids: Vec<&str> = crate::indicators::INDICATORS
            .iter()
            .map(|i| i.id.as_str())
            .collect();
        diags.push(
            Diagnostic::error(file, at("indicator"), "not an SC-WRES indicator")
                .value(&ind_text)
                .hint(format!("one of {}", ids.join(", "))),
        );
    }
    if !due.is_empty() && crate::config::Date::parse(&due).is_none() {
        diags.push(
            Diagnostic::error(file, at("due"), "the due date must be a date YYYY-MM-DD")
                .value(&due),
        );
    }
    let status = STATUSES
        .iter()
        .find(|s| s.eq_ignore_ascii_case(&status_text))
        .copied();
    if status.is_none() && !status_text.is_empty() {
        diags.push(
            Diagnostic::error(file, at("status"), "not a known status")
                .value(&status_text)
                .hint(format!("one of {}", STATUSES.join(", "))),
        );
    }
    (diags.len() == before).then(|| Action {
        action,
        indicator: indicator.expect("checked"),
        owner,
        due,
        status: status.expect("checked"),
        measure,
    })
}

/// A real calendar date written `YYYY-MM-DD`.

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "authority: E09000001\nyear: 2024\nactions:\n  - action: Diverse interview panels\n    indicator: 2\n    owner: Head of HR\n    due: 2025-03-31\n    status: In progress\n    measure: RL within 0.80 to 1.25 by 2026\n";

    #[test]
    fn reads_a_plan() {
        let p = read("a.yaml", GOOD.as_bytes()).unwrap();
        assert_eq!(p.authority, "E09000001");
        assert_eq!(p.year, 2024);
        assert_eq!(p.actions.len(), 1);
        assert_eq!(p.actions[0].indicator.as_str(), "2");
        assert_eq!(p.actions[0].status, "in progress");
    }

    #[test]
    fn reports_every_problem_with_its_path() {
        let bad = GOOD
            .replace("indicator: 2", "indicator: 10")
            .replace("2025-03-31", "2025-02-30")
            .replace("In progress", "underway")
            .replace("    owner: Head of HR\n", "    colour: red\n");
        let d = read("a.yaml", bad.as_bytes()).unwrap_err();
        let got: Vec<String> = d
            .iter()
            .map(|d| format!("{} {}", d.place, d.rule))
            .collect();
        assert_eq!(
            got,
            [
                "actions[1].colour unknown field",
                "actions[1].owner required text is missing",
                "actions[1].indicator not an SC-WRES indicator",
                "actions[1].due the due date must be a date YYYY-MM-DD",
                "actions[1].status not a known status",
            ]
        );
    }

    #[test]
    fn dates() {
        assert!(crate::config::Date::parse("2024-02-29").is_some());
        assert!(crate::config::Date::parse("2023-02-29").is_none());
        assert!(crate::config::Date::parse("2024-13-01").is_none());
        assert!(crate::config::Date::parse("31/03/2025").is_none());
    }
}
