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
    /// Warnings about a plan that is read (text YAML left out as a comment).
    #[serde(skip)]
    pub warnings: Vec<Diagnostic>,
}

const FIELDS: [&str; 6] = ["action", "indicator", "owner", "due", "status", "measure"];

/// Whether a file name is one of a plan's encodings: YAML, or a workbook
/// with an Action plan sheet.
pub fn is_plan_file(p: &std::path::Path) -> bool {
    p.extension().is_some_and(|x| {
        ["yaml", "yml", "xlsx"]
            .iter()
            .any(|e| x.eq_ignore_ascii_case(e))
    })
}

/// Reads an action plan in either encoding, by its file name: a workbook
/// (`.xlsx`, its Action plan sheet) or YAML.
pub fn read_any(file: &str, bytes: &[u8]) -> Result<ActionPlan, Vec<Diagnostic>> {
    if is_xlsx(file) {
        super::plan_sheet::read(file, bytes)
    } else {
        read(file, bytes)
    }
}

/// The council code a plan in either encoding names, if it can be read.
pub fn named_authority_any(file: &str, bytes: &[u8]) -> Option<String> {
    if is_xlsx(file) {
        super::plan_sheet::named_authority(bytes)
    } else {
        named_authority(bytes)
    }
}

fn is_xlsx(file: &str) -> bool {
    file.rsplit('.')
        .next()
        .is_some_and(|x| x.eq_ignore_ascii_case("xlsx"))
}

/// Reads an action plan; `file` names it in messages. Every problem found is
/// returned, not just the first.
pub fn read(file: &str, bytes: &[u8]) -> Result<ActionPlan, Vec<Diagnostic>> {
    let err = |place: &str, rule: String| Diagnostic::error(file, place, rule);
    if bytes.len() > MAX_BYTES {
        return Err(vec![err("", "an action plan is at most 1 MB".into())]);
    }
    // Excel and Notepad write a byte-order mark, UTF-16 or lone CRs.
    let text = super::text::decode(bytes)
        .map_err(|e| vec![err(&e.place, e.rule().into()).value(e.value).hint(e.hint)])?;
    if let Err(r) = super::guard::yaml(text.as_bytes()) {
        return Err(vec![err(&r.place, r.rule).hint(r.hint)]);
    }
    let doc: Value = serde_norway::from_str(&text).map_err(|e| {
        let msg = e.to_string();
        // What YAML itself does to plain text, said in the council's words.
        let hint = if msg.contains("mapping values are not allowed") {
            "a colon followed by a space inside text starts a key in YAML: put the whole text in double quotes, such as action: \"Panels: put two people on each\""
        } else if msg.contains("did not find expected") || msg.contains("found character that cannot start") {
            "text that starts with a character such as `, @, %, [ or {, or holds a quote, goes in double quotes (a \" inside is written \\\")"
        } else {
            "see data/examples/actions.yaml for the layout"
        };
        vec![
            err(
                &e.location()
                    .map(|l| format!("line {}, column {}", l.line(), l.column()))
                    .unwrap_or_default(),
                format!("not valid YAML: {e}"),
            )
            .hint(hint),
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
    let (authority, year, actions) = from_mapping(file, &top)?;
    Ok(ActionPlan {
        file: file.to_string(),
        authority,
        year,
        actions,
        warnings: lost_comments(file, &text),
    })
}

/// The council, year and actions of a plan read into a YAML mapping (from a
/// YAML file, or from a workbook's Action plan sheet), every problem with
/// its path (`actions[2].due`).
pub(crate) fn from_mapping(
    file: &str,
    top: &serde_norway::Mapping,
) -> Result<(String, i32, Vec<Action>), Vec<Diagnostic>> {
    let err = |place: &str, rule: String| Diagnostic::error(file, place, rule);
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
        Ok((authority, year, actions))
    } else {
        Err(diags)
    }
}

/// Text after ` #` on a line that holds a value is a YAML comment: on a plan
/// line it is almost always text the council meant (`band #3 posts`).
fn lost_comments(file: &str, text: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim_start().starts_with('#') {
            continue;
        }
        // The value after `key: ` or `- `; a quoted value keeps its `#`.
        let t = line.trim_start().trim_start_matches("- ");
        let value = t.split_once(": ").map_or(t, |(_, v)| v).trim_start();
        if value.starts_with(['"', '\'']) {
            continue;
        }
        let at = line.find(" #").or_else(|| line.find("\t#"));
        if let Some(k) = at {
            let lost = line[k..].trim();
            out.push(
                Diagnostic::warning(
                    file,
                    format!("line {}", i + 1),
                    "text after ` #` is a YAML comment and is left out of the plan",
                )
                .value(lost.chars().take(60).collect::<String>())
                .hint("if it is part of the text, put the whole text in double quotes, such as action: \"Review band #3 posts\""),
            );
        }
    }
    out
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
    let text = super::text::decode(bytes).ok()?;
    text.lines().find_map(|l| {
        let v = l
            .trim_start_matches('\u{feff}')
            .strip_prefix("authority:")?;
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
