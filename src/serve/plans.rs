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
use crate::load::diag::Diagnostic;
use crate::run::collect::{PlanAction as Action, plan_yaml};
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

pub fn show(
    app: &App,
    s: &Session,
    code: &CouncilCode,
    status: u16,
    error: Option<(&str, &str)>,
    values: &[(String, String)],
) -> Result<Response> {
    let c = app.db.conn()?;
    let published = db::published_release(&c, app.year)?;
    let plans = db::plans(&c, code, app.year)?;
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
            "error": error.map(|(f, t)| json!({"field": f, "text": t})),
            "values": {"action": value("action"), "indicator": value("indicator"), "owner": value("owner"), "due": value("due"), "status": value("status"), "measure": value("measure")},
            "indicators": indicators,
            "statuses": crate::load::actions::STATUSES,
        }),
    ))
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
                Some((
                    "file",
                    "The upload could not be read; choose the file again",
                )),
                &[],
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
            Some(("file", "Select your action plan file")),
            &[],
        );
    };
    let name = multipart::base_name(f.file_name.as_deref().unwrap_or(""));
    if !crate::load::actions::is_plan_file(std::path::Path::new(&name)) {
        return show(
            app,
            s,
            code,
            400,
            Some((
                "file",
                "The plan must be a .yaml file, or the return workbook (.xlsx) with its Action plan sheet",
            )),
            &[],
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
            Some(("file", "The file is too large for an action plan")),
            &[],
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
    let field = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    for (k, what) in [
        ("action", "Enter the action"),
        ("indicator", "Select the indicator it answers"),
        ("owner", "Enter the owner (a role)"),
        ("due", "Enter the due date as YYYY-MM-DD"),
        ("status", "Select the status"),
        ("measure", "Enter how success will be measured"),
    ] {
        if field(k).is_empty() {
            return show(app, s, code, 400, Some((k, what)), &form);
        }
    }
    if field("action").chars().count() > 1000
        || field("measure").chars().count() > 1000
        || field("owner").chars().count() > 200
    {
        return show(
            app,
            s,
            code,
            400,
            Some(("action", "Keep each text under 1,000 characters")),
            &form,
        );
    }
    // The actions so far: those of the newest accepted plan.
    let c = app.db.conn()?;
    let mut actions: Vec<Action> = Vec::new();
    if let Some(p) = db::plans(&c, code, app.year)?
        .into_iter()
        .find(|p| p.ok == Some(true))
    {
        let bytes = db::plan_bytes(&c, p.id)?;
        if let Ok(old) = crate::load::actions::read_any(&p.file_name, &bytes) {
            actions = old
                .actions
                .iter()
                .map(|a| Action {
                    action: a.action.clone(),
                    indicator: a.indicator.as_str().to_string(),
                    owner: a.owner.clone(),
                    due: a.due.clone(),
                    status: a.status.to_string(),
                    measure: a.measure.clone(),
                })
                .collect();
        }
    }
    drop(c);
    actions.push(Action {
        action: field("action"),
        indicator: field("indicator"),
        owner: field("owner"),
        due: field("due"),
        status: field("status"),
        measure: field("measure"),
    });
    let bytes = plan_yaml(&code.0, app.year, &actions);
    make(app, s, code, "actions.yaml", &bytes)
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
    let made = crate::run::release::local_with_plan(
        &folder,
        app.year,
        &code.0,
        (&format!("{}.{}", code.0, upload.kind), &ret),
        (name, bytes),
        &plan_dir(app, release.number, code, v),
    );
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
