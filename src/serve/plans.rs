//! A council's action plan, once the year's release is published: uploaded
//! (YAML, or the workbook's Action plan sheet) or written on a form (an
//! action at a time, as the same YAML), kept as a version, and its local
//! report made again with it at once, both editions, by `scwres local`'s
//! code (`run::release::local_with_plan`).

use super::db;
use super::http::{Request, Response};
use super::ids::{CouncilCode, Version};
use super::routes::{FileForm, Session, failure, file_form, not_found, page};
use super::{App, multipart, releases};
use crate::load::actions::Action;
use crate::load::diag::Diagnostic;
use crate::run::collect::plan_file;
use serde_json::json;

type Result<T> = std::result::Result<T, db::DbError>;

/// Where a plan version's inputs and reports are.
fn plan_dir(app: &App, release: i64, code: &CouncilCode, v: Version) -> std::path::PathBuf {
    releases::folder(app, app.year, release)
        .root
        .join("plans")
        .join(&code.0)
        .join(v.0.to_string())
}

/// The plan's page; `errors` and `values` are the action form's own when
/// it is shown again, `editing` the action being changed (by its place).
pub fn show(
    app: &App,
    s: &Session,
    code: &CouncilCode,
    status: u16,
    errors: &[(&str, String)],
    values: &[(String, String)],
    editing: Option<usize>,
) -> Result<Response> {
    let c = app.db.conn()?;
    let published = db::published_release(&c, app.year)?;
    let plans = db::plans(&c, code, app.year)?;
    drop(c);
    let newest = plans.first().cloned();
    let problems: Vec<Diagnostic> = newest
        .as_ref()
        .map(|p| serde_json::from_str(&p.problems).unwrap_or_default())
        .unwrap_or_default();
    let reports = newest
        .as_ref()
        .filter(|p| p.ok == Some(true))
        .map(|p| report_files(app, code, p))
        .unwrap_or_default();
    let value = |k: &str| {
        values
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let indicators: Vec<_> = crate::indicators::INDICATORS
        .iter()
        .map(|i| json!({"id": i.id.as_str(), "title": i.title}))
        .collect();
    let actions: Vec<serde_json::Value> = current_actions(app, code)?
        .iter()
        .enumerate()
        .map(|(i, a)| json!({"n": i + 1, "action": a.action, "short": shorten(&a.action), "indicator": a.indicator, "owner": a.owner, "due": crate::config::Date::parse(&a.due).map_or_else(|| a.due.clone(), |d| d.long()), "status": a.status, "measure": a.measure}))
        .collect();
    let e = super::routes::form_errors(errors);
    Ok(page(
        app,
        Some(s),
        status,
        "plan.html",
        "Your action plan",
        json!({
            "published": published.map(|r| r.number),
            "plans": plans,
            "newest": newest,
            "problems": problems,
            "reports": reports,
            "errors": e["errors"],
            "bad": e["bad"],
            "actions": actions,
            "editing": editing.map(|i| i + 1),
            "values": {"action": value("action"), "indicator": value("indicator"), "owner": value("owner"), "due-day": value("due-day"), "due-month": value("due-month"), "due-year": value("due-year"), "status": value("status"), "measure": value("measure")},
            "indicators": indicators,
            "statuses": crate::load::actions::STATUSES,
        }),
    ))
}

/// The actions of the council's newest plan that made its report.
fn current_actions(app: &App, code: &CouncilCode) -> Result<Vec<Action>> {
    let c = app.db.conn()?;
    let Some(p) = db::plans(&c, code, app.year)?
        .into_iter()
        .find(|p| p.ok == Some(true))
    else {
        return Ok(Vec::new());
    };
    let bytes = db::plan_bytes(&c, p.id)?;
    Ok(crate::load::actions::read_any(&p.file_name, &bytes)
        .map(|old| old.actions)
        .unwrap_or_default())
}

/// The longest text of an action's fields (a plan's action may be long:
/// the report prints it whole).
const MAX_TEXT: usize = 20_000;

/// An action from the form, or every problem with it at once (GOV.UK's
/// error summary, in the order of the fields).
fn read_form(
    form: &[(String, String)],
) -> std::result::Result<Action, Vec<(&'static str, String)>> {
    let field = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().replace("\r\n", "\n"))
            .unwrap_or_default()
    };
    let mut errors: Vec<(&'static str, String)> = Vec::new();
    let text =
        |errors: &mut Vec<(&'static str, String)>, k: &'static str, empty: &str, max: usize| {
            let v = field(k);
            if v.is_empty() {
                errors.push((k, empty.to_string()));
            } else if v.chars().count() > max {
                errors.push((
                    k,
                    format!(
                        "Keep it to {} characters or fewer",
                        crate::format::thousands(max as i64)
                    ),
                ));
            } else if v.chars().any(|c| c.is_control() && c != '\n') {
                errors.push((k, "Write it without control characters".to_string()));
            }
            v.replace('\n', " ")
        };
    let action = text(&mut errors, "action", "Enter the action", MAX_TEXT);
    let indicator = crate::indicators::INDICATORS
        .iter()
        .map(|i| i.id)
        .find(|id| id.as_str() == field("indicator"));
    if indicator.is_none() {
        errors.push(("indicator", "Select the indicator it answers".into()));
    }
    let owner = text(&mut errors, "owner", "Enter the owner (a role)", 200);
    // The GOV.UK date input: day, month and year, each its own box.
    let (d, m, y) = (field("due-day"), field("due-month"), field("due-year"));
    let due = if d.is_empty() && m.is_empty() && y.is_empty() {
        errors.push(("due-day", "Enter the due date".into()));
        String::new()
    } else {
        let num = |s: &str| s.parse::<u32>().ok();
        match (num(&d), num(&m), num(&y)) {
            (Some(d), Some(m), Some(y)) if y >= 1000 => {
                let iso = format!("{y:04}-{m:02}-{d:02}");
                if crate::config::Date::parse(&iso).is_some() {
                    iso
                } else {
                    errors.push((
                        "due-day",
                        "The due date must be a real date, like 31 3 2027".into(),
                    ));
                    String::new()
                }
            }
            (_, _, Some(y)) if y < 1000 => {
                errors.push(("due-year", "Enter the year with 4 digits, like 2027".into()));
                String::new()
            }
            _ => {
                let first = if num(&d).is_none() {
                    "due-day"
                } else if num(&m).is_none() {
                    "due-month"
                } else {
                    "due-year"
                };
                errors.push((
                    first,
                    "The due date must have a day, month and year, in numbers".into(),
                ));
                String::new()
            }
        }
    };
    let status = crate::load::actions::STATUSES
        .into_iter()
        .find(|s| *s == field("status"));
    if status.is_none() {
        errors.push(("status", "Select the status".into()));
    }
    let measure = text(
        &mut errors,
        "measure",
        "Enter how success will be measured",
        MAX_TEXT,
    );
    match (indicator, status) {
        (Some(indicator), Some(status)) if errors.is_empty() => Ok(Action {
            action,
            indicator,
            owner,
            due,
            status,
            measure,
        }),
        _ => Err(errors),
    }
}

/// An action's form fields, to show it for changing.
fn fields_of(a: &Action) -> Vec<(String, String)> {
    let mut out = vec![
        ("action".to_string(), a.action.clone()),
        ("indicator".to_string(), a.indicator.as_str().to_string()),
        ("owner".to_string(), a.owner.clone()),
        ("status".to_string(), a.status.to_string()),
        ("measure".to_string(), a.measure.clone()),
    ];
    if let Some(d) = crate::config::Date::parse(&a.due) {
        out.push(("due-day".into(), d.day.to_string()));
        out.push(("due-month".into(), d.month.to_string()));
        out.push(("due-year".into(), d.year.to_string()));
    }
    out
}

/// The report files a plan version made: (edition, file name).
fn report_files(app: &App, code: &CouncilCode, p: &db::Plan) -> Vec<serde_json::Value> {
    let dir = plan_dir(app, p.release, code, p.version);
    let mut out = Vec::new();
    for edition in ["public", "internal"] {
        let Ok(entries) = std::fs::read_dir(dir.join(edition)) else {
            continue;
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.ends_with(".pdf") || n.ends_with(".html"))
            .collect();
        names.sort();
        for n in names {
            out.push(json!({"edition": edition, "name": n, "version": p.version}));
        }
    }
    out
}

/// `/council/plan/<v>/<edition>/<file>`: a report made with the council's
/// own plan.
pub fn file(
    app: &App,
    s: &Session,
    code: &CouncilCode,
    v: &str,
    edition: &str,
    name: &str,
) -> Result<Response> {
    let Some(v) = v.parse::<i64>().ok().filter(|v| *v > 0 && *v < 1_000_000) else {
        return Ok(not_found(app, Some(s)));
    };
    let plans = db::plans(&*app.db.conn()?, code, app.year)?;
    let Some(p) = plans
        .iter()
        .find(|p| p.version.0 == v && p.ok == Some(true))
    else {
        return Ok(not_found(app, Some(s)));
    };
    let listed = report_files(app, code, p)
        .iter()
        .any(|f| f["edition"] == edition && f["name"] == name);
    if !listed {
        return Ok(not_found(app, Some(s)));
    }
    match std::fs::read(
        plan_dir(app, p.release, code, p.version)
            .join(edition)
            .join(name),
    ) {
        Ok(bytes) => Ok(releases::serve_file(name, bytes)),
        Err(_) => Ok(not_found(app, Some(s))),
    }
}

/// An uploaded plan file.
pub fn upload(app: &App, req: &Request, s: &Session, code: &CouncilCode) -> Result<Response> {
    let parts = match file_form(req) {
        FileForm::Parts(p) => p,
        FileForm::Unreadable => {
            return show(
                app,
                s,
                code,
                400,
                &[(
                    "file",
                    "The upload could not be read; choose the file again".to_string(),
                )],
                &[],
                None,
            );
        }
    };
    let Some(f) = parts.iter().find(|p| {
        p.name == "file"
            && p.file_name.as_deref().is_some_and(|n| !n.is_empty())
            && !p.data.is_empty()
    }) else {
        return show(
            app,
            s,
            code,
            400,
            &[("file", "Select your action plan file".to_string())],
            &[],
            None,
        );
    };
    let name = multipart::base_name(f.file_name.as_deref().unwrap_or(""));
    if !crate::load::actions::is_plan_file(std::path::Path::new(&name)) {
        return show(
            app,
            s,
            code,
            400,
            &[("file", "The plan must be a .yaml file, or the return workbook (.xlsx) with its Action plan sheet".to_string())],
            &[],
            None,
        );
    }
    let cap = if name.to_ascii_lowercase().ends_with(".xlsx") {
        crate::load::MAX_XLSX
    } else {
        crate::load::MAX_YAML
    };
    if f.data.len() as u64 > cap {
        return show(
            app,
            s,
            code,
            400,
            &[(
                "file",
                "The file is too large for an action plan".to_string(),
            )],
            &[],
            None,
        );
    }
    make(app, s, code, &name, f.data)
}

/// An action from the form, added to the newest plan that was accepted.
pub fn add_action(
    app: &App,
    s: &Session,
    code: &CouncilCode,
    form: &[(String, String)],
) -> Result<Response> {
    let action = match read_form(form) {
        Ok(a) => a,
        Err(errors) => return show(app, s, code, 400, &errors, form, None),
    };
    let mut actions = current_actions(app, code)?;
    actions.push(action);
    let bytes = plan_file(&code.0, app.year, &actions);
    make(app, s, code, "actions.yaml", &bytes)
}

/// The form for changing the plan's action `n` (1-based), filled in.
pub fn change_form(app: &App, s: &Session, code: &CouncilCode, n: &str) -> Result<Response> {
    let actions = current_actions(app, code)?;
    match place(n, actions.len()) {
        Some(i) => show(app, s, code, 200, &[], &fields_of(&actions[i]), Some(i)),
        None => Ok(not_found(app, Some(s))),
    }
}

/// The plan's action `n` changed (its status, say): a new plan version.
pub fn change_action(
    app: &App,
    s: &Session,
    code: &CouncilCode,
    n: &str,
    form: &[(String, String)],
) -> Result<Response> {
    let mut actions = current_actions(app, code)?;
    let Some(i) = place(n, actions.len()) else {
        return Ok(not_found(app, Some(s)));
    };
    match read_form(form) {
        Ok(a) => actions[i] = a,
        Err(errors) => return show(app, s, code, 400, &errors, form, Some(i)),
    }
    let bytes = plan_file(&code.0, app.year, &actions);
    make(app, s, code, "actions.yaml", &bytes)
}

/// The plan's action `n` removed, once confirmed: a new plan version.
pub fn remove_action(
    app: &App,
    s: &Session,
    code: &CouncilCode,
    n: &str,
    confirmed: bool,
) -> Result<Response> {
    let mut actions = current_actions(app, code)?;
    let Some(i) = place(n, actions.len()) else {
        return Ok(not_found(app, Some(s)));
    };
    if !confirmed {
        return Ok(page(
            app,
            Some(s),
            200,
            "message.html",
            &format!("Remove action {}?", i + 1),
            json!({
                "lines": [format!("“{}”", shorten(&actions[i].action)), "Your report is made again without it. Earlier versions of your plan are kept."],
                "confirm": {"action": format!("/council/plan/action/{}/remove", i + 1), "button": "Yes, remove the action", "cancel": "/council/plan"},
                "link": null,
            }),
        ));
    }
    actions.remove(i);
    if actions.is_empty() {
        return show(
            app,
            s,
            code,
            409,
            &[(
                "action",
                "A plan needs at least one action: add another before removing this one".into(),
            )],
            &[],
            None,
        );
    }
    let bytes = plan_file(&code.0, app.year, &actions);
    make(app, s, code, "actions.yaml", &bytes)
}

/// A 1-based place among `len` actions, as an index.
fn place(n: &str, len: usize) -> Option<usize> {
    n.parse::<usize>()
        .ok()
        .filter(|n| (1..=len).contains(n))
        .map(|n| n - 1)
}

/// The first words of a long text.
fn shorten(t: &str) -> String {
    if t.chars().count() <= 200 {
        t.to_string()
    } else {
        t.chars().take(200).collect::<String>() + "…"
    }
}

/// Stores a plan version and makes its report against the published
/// release, at once.
fn make(app: &App, s: &Session, code: &CouncilCode, name: &str, bytes: &[u8]) -> Result<Response> {
    let c = app.db.conn()?;
    let Some(release) = db::published_release(&c, app.year)? else {
        return Ok(page(
            app,
            Some(s),
            409,
            "message.html",
            "The release is not published yet",
            json!({"lines": ["Your report with your action plan is made from the published national release. Come back when it is published."], "link": {"href": "/council", "text": "Back to your return"}}),
        ));
    };
    let Some(signed) = db::current_sign_off(&c, code, app.year)? else {
        return Ok(page(
            app,
            Some(s),
            409,
            "message.html",
            "Your return is not signed off",
            json!({"lines": ["Your report is made from your signed-off return."], "link": {"href": "/council", "text": "Back to your return"}}),
        ));
    };
    let upload = db::uploads(&c, code, app.year)?
        .into_iter()
        .find(|u| u.id == signed.upload);
    let Some(upload) = upload else {
        return Ok(failure(app, &"the signed-off version is missing"));
    };
    let ret = db::upload_bytes(&c, upload.id)?;
    drop(c);
    let v = db::add_plan(
        &mut *app.db.conn()?,
        code,
        app.year,
        release.number,
        s.person.id,
        name,
        bytes,
    )?;
    let folder = releases::folder(app, app.year, release.number);
    let made = releases::inputs_of(app, &release).and_then(|inputs| {
        crate::run::release::local_with_plan(
            &folder,
            &inputs,
            app.year,
            &code.0,
            (&format!("{}.{}", code.0, upload.kind), &ret),
            (name, bytes),
            &plan_dir(app, release.number, code, v),
        )
    });
    let (ok, problems) = match made {
        Ok(w) => {
            let d: Vec<Diagnostic> = w
                .outcomes
                .iter()
                .flat_map(|o| o.diagnostics.clone())
                .collect();
            (w.public.is_some() && w.internal.is_some(), d)
        }
        Err(e) => (
            false,
            vec![Diagnostic::error(
                name,
                "",
                format!("the report could not be made: {e:#}"),
            )],
        ),
    };
    let problems = serde_json::to_string(&problems).unwrap_or_else(|_| "[]".into());
    db::plan_done(&*app.db.conn()?, code, app.year, v, ok, &problems)?;
    Ok(Response::redirect("/council/plan"))
}
