//! A council's pages. The council is always the signed-in person's own:
//! no address names a council, and a version number is looked up only
//! among the council's own uploads, so another council's data cannot be
//! reached, nor its existence told from an answer.

use super::db::{self, NewUpload, Upload};
use super::http::{Request, Response};
use super::ids::{CouncilCode, Role, Version};
use super::routes::{FileForm, Session, failure, file_form, not_found, page};
use super::{App, multipart};
use crate::load::diag::Diagnostic;
use crate::run::collect::{self, Rules};
use serde_json::{Value, json};

/// A council's upload, as it sent it.
pub(super) fn version_file(app: &App, code: &CouncilCode, u: Upload) -> Result<Response> {
    let bytes = db::upload_bytes(&*app.db.conn()?, u.id)?;
    Ok(Response::file(
        "application/octet-stream",
        &format!("{}-v{}.{}", code.0, u.version.0, u.kind),
        bytes,
    ))
}

type Result<T> = std::result::Result<T, db::DbError>;

fn rules(app: &App) -> Rules<'_> {
    Rules {
        register: &app.register,
        config: &app.config,
        year: app.year,
    }
}

fn council_name(app: &App, code: &CouncilCode) -> String {
    app.register
        .get(&code.0)
        .map(|a| a.name.clone())
        .unwrap_or_default()
}

pub(super) fn with_version(
    app: &App,
    s: &Session,
    code: &CouncilCode,
    v: &str,
    f: impl FnOnce(Upload) -> Result<Response>,
) -> Result<Response> {
    let Some(v) = v
        .parse::<i64>()
        .ok()
        .filter(|v| *v > 0 && v.to_string().len() < 10)
    else {
        return Ok(not_found(app, Some(s)));
    };
    match db::upload(&*app.db.conn()?, code, app.year, Version(v))? {
        Some(u) => f(u),
        None => Ok(not_found(app, Some(s))),
    }
}

pub(super) fn tasks(app: &App, s: &Session, code: &CouncilCode) -> Result<Response> {
    let c = app.db.conn()?;
    let uploads = db::uploads(&c, code, app.year)?;
    let signed = db::current_sign_off(&c, code, app.year)?;
    let people = db::people(&c, Some(code))?;
    let newest = uploads.first();
    let upload_status = match newest {
        None => "not started",
        Some(u) if u.clean => "clean",
        Some(_) => "has errors",
    };
    Ok(page(
        app,
        Some(s),
        200,
        "tasks.html",
        "Your SC-WRES return",
        json!({
            "council": council_name(app, code),
            "code": code,
            "prefilled": app.previous.get(&code.0).map(|r| r.year),
            "current": uploads.iter().find(|u| u.clean).map(|u| u.version.0),
            "uploads": uploads,
            "newest": newest,
            "upload_status": upload_status,
            "signed_off": signed,
            "reopened": db::reopened(&c, code, app.year)?,
            "queries_open": match newest {
                Some(u) if u.clean => db::unanswered(&c, u)?,
                _ => 0,
            },
            "can_sign": s.person.role == Role::Signer,
            "reports": super::own_report::council_files(app, code)
            .iter()
            .map(|f| {
                let name = f.rsplit('/').next().unwrap_or("");
                json!({"name": name, "pdf": name.ends_with(".pdf")})
            })
            .collect::<Vec<_>>(),
        "changed": super::own_report::council_changes(app, code),
        "internal": super::internal::internal_files(app, code),
        "signers": people.iter().filter(|p| p.role == Role::Signer && p.revoked_at.is_none()).map(|p| p.email.clone()).collect::<Vec<_>>(),
        }),
    ))
}

/// The return workbook: filled in from the council's newest clean version
/// of this year, if it has one (what it has checked and may be signing
/// off), else from its return of last year.
pub(super) fn workbook(app: &App, code: &CouncilCode) -> Result<Response> {
    let newest = db::uploads(&*app.db.conn()?, code, app.year)?
        .into_iter()
        .find(|u| u.clean);
    let current = match newest {
        Some(u) => reread(app, &u)?,
        None => None,
    };
    match collect::workbook(&rules(app), current.as_ref().or(app.previous.get(&code.0))) {
        Ok(bytes) => Ok(Response::file(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &format!("sc-wres-return-{}-{}.xlsx", app.year, code.0),
            bytes,
        )),
        Err(e) => Ok(failure(app, &e)),
    }
}

pub(super) fn upload_form(app: &App, s: &Session, status: u16, error: Option<&str>) -> Response {
    page(
        app,
        Some(s),
        status,
        "upload.html",
        "Upload your return",
        json!({
            "error": error,
            "max_mb": crate::load::MAX_XLSX >> 20,
        }),
    )
}

pub(super) fn upload(
    app: &App,
    req: &Request,
    s: &Session,
    code: &CouncilCode,
) -> Result<Response> {
    if let Some(why) = window_refusal(app, code)? {
        return Ok(upload_form(app, s, 403, Some(&capitalised(&why))));
    }
    let parts = match file_form(req) {
        FileForm::Parts(p) => p,
        FileForm::Unreadable => {
            return Ok(upload_form(
                app,
                s,
                400,
                Some("The upload could not be read. Choose the file again and select Upload."),
            ));
        }
    };
    let Some(file) = parts
        .iter()
        .find(|p| p.name == "file" && p.file_name.as_deref().is_some_and(|n| !n.is_empty()))
    else {
        return Ok(upload_form(app, s, 400, Some("Select your return file")));
    };
    if file.data.is_empty() {
        return Ok(upload_form(app, s, 400, Some("The selected file is empty")));
    }
    let name = multipart::base_name(file.file_name.as_deref().unwrap_or(""));
    // The same file again: its version, without checking it again (unless
    // the return is signed off, which the storing below says).
    let sha = crate::digest::sha256_hex(file.data);
    {
        let c = app.db.conn()?;
        if db::current_sign_off(&c, code, app.year)?.is_none()
            && let Some(v) = db::same_as_newest(&c, code, app.year, &sha)?
        {
            return Ok(Response::redirect(&format!("/council/versions/{}", v.0)));
        }
    }
    let checked = collect::check_upload(&name, file.data, &rules(app));
    let diags = &checked.outcome.diagnostics;
    let errors = diags.iter().filter(|d| d.is_error()).count() as i64;
    let clean = checked.ret.is_some();
    // A return for another council is refused, not stored as this one's.
    let mut diags = diags.clone();
    if let Some(r) = &checked.ret
        && r.authority_code != code.0
    {
        diags.push(
            Diagnostic::error(
                &name,
                "authority_code",
                "this return is for another council",
            )
            .value(r.authority_code.clone())
            .hint(format!(
                "upload {}'s own return ({})",
                council_name(app, code),
                code.0
            )),
        );
    }
    let errors = errors.max(diags.iter().filter(|d| d.is_error()).count() as i64);
    let warnings = diags.len() as i64 - errors;
    let problems = serde_json::to_string(&diags).unwrap_or_else(|_| "[]".into());
    let clean = clean && errors == 0;
    // A clean return's own figures, and what changed since the newest
    // earlier clean version, worked out once, here, and kept with it.
    let (mut figures, mut changes, mut queries) = (None, None, None);
    if let Some(r) = checked.ret.as_ref().filter(|_| clean) {
        queries =
            serde_json::to_string(&collect::queries(r, app.previous.get(&code.0), &rules(app)))
                .ok();
        figures = collect::own_figures(r, &rules(app), app.england.as_ref(), last_year(app, code))
            .map_err(|e| eprintln!("scwres serve: figures of {}: {e:#}", code.0))
            .ok()
            .and_then(|f| serde_json::to_string(&f).ok());
        let prev = db::uploads(&*app.db.conn()?, code, app.year)?
            .into_iter()
            .find(|u| u.clean);
        if let Some(p) = prev
            && let Some(pr) = reread(app, &p)?
        {
            changes = serde_json::to_string(
                &json!({"since": p.version, "cells": collect::changes(&pr, r)}),
            )
            .ok();
        }
    }
    let q = &app.config.service;
    let quota = db::Quota {
        versions: q.versions_per_day,
        bytes: u64::from(q.megabytes_per_day) << 20,
    };
    let stored = db::add_upload(
        &mut *app.db.conn()?,
        &NewUpload {
            council: code,
            year: app.year,
            person: s.person.id,
            file_name: &name,
            kind: checked.kind.unwrap_or("unknown"),
            sha256: &sha,
            bytes: file.data,
            clean,
            errors,
            warnings,
            problems: &problems,
            figures: figures.as_deref(),
            changes: changes.as_deref(),
            queries: queries.as_deref(),
        },
        quota,
        &if clean {
            super::notices::ready(app, code, &s.person.email)?
        } else {
            Vec::new()
        },
    );
    match stored {
        Ok(v) => {
            app.wake_mailer();
            Ok(Response::redirect(&format!("/council/versions/{}", v.0)))
        }
        Err(db::DbError::Refused(why)) => Ok(page(
            app,
            Some(s),
            409,
            "message.html",
            "Your return is signed off",
            json!({"lines": [why], "link": {"href": "/council", "text": "Back to your return"}}),
        )),
        Err(db::DbError::Quota { until }) => Ok(page(
            app,
            Some(s),
            429,
            "message.html",
            "Your council has uploaded a lot today",
            json!({"lines": [
                format!("Your council has uploaded {} versions or {} MB in the last 24 hours, the most the service keeps in a day.", q.versions_per_day, q.megabytes_per_day),
                format!("You can upload again after {}. If you need to before then, contact the national programme team.", crate::render::service::when(until)),
            ], "link": {"href": "/council", "text": "Back to your return"}}),
        )
        .with_header("retry-after", (until - db::now()).max(1).to_string())),
        Err(e) => Err(e),
    }
}

/// The return an upload holds, checked again from its stored bytes.
fn reread(app: &App, u: &Upload) -> Result<Option<crate::model::Return>> {
    if !u.clean {
        return Ok(None);
    }
    let bytes = db::upload_bytes(&*app.db.conn()?, u.id)?;
    Ok(collect::check_upload(&u.file_name, &bytes, &rules(app)).ret)
}

pub(super) fn version(app: &App, s: &Session, code: &CouncilCode, u: Upload) -> Result<Response> {
    version_for(app, s, code, u, false)
}

/// A version's page: for the council, or (`team`) for the national team
/// reviewing it, with the team's own addresses and no council actions.
pub(super) fn version_for(
    app: &App,
    s: &Session,
    code: &CouncilCode,
    u: Upload,
    team: bool,
) -> Result<Response> {
    version_page(app, s, code, u, team, 200, &[], &[])
}

/// The version's page; `typed` and `errors` are the answers form's own
/// (what was typed, and every problem with it) when it is shown again.
#[allow(clippy::too_many_arguments)]
pub(super) fn version_page(
    app: &App,
    s: &Session,
    code: &CouncilCode,
    u: Upload,
    team: bool,
    status: u16,
    typed: &[(String, String)],
    answer_errs: &[(&str, String)],
) -> Result<Response> {
    let diags: Vec<Diagnostic> = serde_json::from_str(&u.problems).unwrap_or_default();
    let (errors, warnings): (Vec<&Diagnostic>, Vec<&Diagnostic>) =
        diags.iter().partition(|d| d.is_error());
    let c = app.db.conn()?;
    let all = db::uploads(&c, code, app.year)?;
    let newest = all.first().is_some_and(|n| n.version == u.version);
    let signed = db::current_sign_off(&c, code, app.year)?;
    drop(c);
    let stored = |j: &Option<String>| {
        j.as_deref()
            .and_then(|j| serde_json::from_str::<Value>(j).ok())
            .unwrap_or(Value::Null)
    };
    let (mut figures, changes) = (stored(&u.figures), stored(&u.changes));
    // Once a release of the year is published in the service, England's
    // figures beside the council's are that release's (those stored with
    // the version were made beside the release loaded at the start, if any),
    // and its public report's beside them: made once per version and
    // release (they never change), not on every view.
    if u.clean
        && let Some(r) = super::releases::newest_published(app)
    {
        if let Some(f) = app.beside.get(r.number, u.id) {
            figures = f;
        } else if let Some(bytes) = crate::run::release::file(
            &super::releases::folder(app, app.year, r.number),
            app.year,
            "public/benchmarks.csv",
        ) && let Ok(p) = collect::read_published(&bytes)
            && let Some(ret) = reread(app, &u)?
        {
            match collect::own_figures(&ret, &rules(app), Some(&p), last_year(app, code)) {
                Ok(f) => {
                    figures = serde_json::to_value(f).unwrap_or(figures);
                    app.beside.put(r.number, u.id, figures.clone());
                }
                Err(e) => eprintln!("scwres serve: figures of {}: {e:#}", code.0),
            }
        }
    }
    let queries = super::queries::with_answers(app, &u, typed)?;
    let form_errors = super::routes::form_errors(answer_errs);
    let title = if u.clean {
        format!("Version {}: no errors", u.version.0)
    } else {
        let n = errors.len();
        format!(
            "Version {}: {n} {} to fix",
            u.version.0,
            if n == 1 { "error" } else { "errors" }
        )
    };
    Ok(page(
        app,
        Some(s),
        status,
        "version.html",
        &title,
        json!({
            "council": council_name(app, code),
            "upload": u,
            "errors": errors,
            "warnings": warnings,
            "figures": figures,
            "changes": changes,
            "newest": newest,
            "signed_off": signed,
            "can_sign": !team && s.person.role == Role::Signer && newest && u.clean && signed.is_none(),
            "team": team,
            "queries": queries,
            "answer_errors": form_errors["errors"],
            "answer_bad": form_errors["bad"],
            "base": if team { format!("/admin/councils/{}", code.0) } else { "/council".to_string() },
        }),
    ))
}

pub(super) fn problems_csv(code: &CouncilCode, u: Upload) -> Result<Response> {
    let diags: Vec<Diagnostic> = serde_json::from_str(&u.problems).unwrap_or_default();
    Ok(Response::file(
        "text/csv; charset=utf-8",
        &format!("{}-v{}-problems.csv", code.0, u.version.0),
        collect::problems_csv(&diags),
    ))
}

pub(super) fn sign_off_form(
    app: &App,
    s: &Session,
    code: &CouncilCode,
    status: u16,
    errors: &[(&str, String)],
    values: &[(&str, &str)],
) -> Result<Response> {
    let c = app.db.conn()?;
    let newest = db::uploads(&c, code, app.year)?.into_iter().next();
    let signed = db::current_sign_off(&c, code, app.year)?;
    let values: serde_json::Map<String, serde_json::Value> = values
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    let mut ctx = json!({
        "council": council_name(app, code),
        "newest": newest,
        "signed_off": signed,
        "can_sign": s.person.role == Role::Signer,
        "values": values,
    });
    if let (Some(o), serde_json::Value::Object(e)) =
        (ctx.as_object_mut(), super::routes::form_errors(errors))
    {
        o.extend(e);
    }
    Ok(page(
        app,
        Some(s),
        status,
        "sign_off.html",
        "Sign off your return",
        ctx,
    ))
}

pub(super) fn sign_off(
    app: &App,
    s: &Session,
    code: &CouncilCode,
    form: &[(String, String)],
) -> Result<Response> {
    if s.person.role != Role::Signer {
        return Ok(page(
            app,
            Some(s),
            403,
            "message.html",
            "Only a senior officer can sign off",
            json!({"lines": ["Ask your council's senior officer to sign off the return."], "link": {"href": "/council", "text": "Back to your return"}}),
        ));
    }
    let field = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let (name, confirm) = (field("name"), field("confirm"));
    let values = [("name", name.as_str()), ("confirm", confirm.as_str())];
    // Every problem of the form at once.
    let mut errors: Vec<(&str, String)> = Vec::new();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        errors.push(("name", "Enter your full name, up to 100 characters".into()));
    }
    if confirm != "yes" {
        errors.push((
            "confirm",
            "Confirm that the return is complete and correct".into(),
        ));
    }
    let version = field("version").parse::<i64>();
    if version.is_err() && errors.is_empty() {
        errors.push(("confirm", "Upload a return before signing off".into()));
    }
    if errors.is_empty()
        && let Some(why) = window_refusal(app, code)?
    {
        errors.push(("confirm", capitalised(&why)));
    }
    let v = match version {
        Ok(v) if errors.is_empty() => v,
        _ => return sign_off_form(app, s, code, 400, &errors, &values),
    };
    let notices = super::notices::signed(app, code, v, &name)?;
    match db::sign_off(
        &mut *app.db.conn()?,
        code,
        app.year,
        Version(v),
        s.person.id,
        &name,
        &notices,
    ) {
        Ok(()) => Ok({
            app.wake_mailer();
            page(
                app,
                Some(s),
                200,
                "message.html",
                "Return signed off",
                json!({
            "panel": format!("Version {v} of {}'s {} return is submitted to the national programme team.", council_name(app, code), app.year),
            "lines": [format!("Signed off by {name}. The national team will contact you if they need anything more; a correction after this needs them to reopen the return.")],
            "link": {"href": "/council", "text": "Back to your return"}}),
            )
        }),
        Err(db::DbError::Refused(why)) => {
            sign_off_form(app, s, code, 409, &[("confirm", capitalised(why))], &values)
        }
        Err(e) => Err(e),
    }
}

/// A message that starts a sentence.
pub(super) fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Why the council cannot upload or sign off today, if it cannot (the
/// collection window; a reopened return may always be corrected).
fn window_refusal(app: &App, code: &CouncilCode) -> Result<Option<String>> {
    let reopened = db::reopened(&*app.db.conn()?, code, app.year)?.is_some();
    Ok(super::window::refusal(
        &app.config.collection,
        db::now(),
        reopened,
    ))
}

/// The council's return of the year before and its figures, if it sent one.
fn last_year<'a>(
    app: &'a App,
    code: &CouncilCode,
) -> Option<(&'a crate::model::Return, &'a crate::run::collect::Earlier)> {
    app.previous
        .get(&code.0)
        .zip(app.previous_figures.get(&code.0))
}
