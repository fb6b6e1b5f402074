//! The national team's pages: every council's status, its people and
//! versions, invitations and links, reopening, the audit log and the
//! export of the signed-off returns.

use super::App;
use super::db;
use super::http::Response;
use super::ids::{CouncilCode, PersonId, Role, Version};
use super::routes::{Session, failure, not_found, page};
use serde_json::json;

type Result<T> = std::result::Result<T, db::DbError>;

pub(super) fn council(
    app: &App,
    s: &Session,
    code: &CouncilCode,
    error: Option<&str>,
) -> Result<Response> {
    let c = app.db.conn()?;
    let name = app
        .register
        .get(&code.0)
        .map(|a| a.name.clone())
        .unwrap_or_default();
    Ok(page(
        app,
        Some(s),
        if error.is_some() { 400 } else { 200 },
        "council.html",
        &name,
        json!({
            "code": code,
            "name": name,
            "people": db::people(&c, Some(code))?,
            "uploads": db::uploads(&c, code, app.year)?,
            "sign_offs": db::sign_offs(&c, code, app.year)?,
            "signed_off": db::current_sign_off(&c, code, app.year)?,
            "error": error,
        }),
    ))
}

pub(super) fn version_file(
    app: &App,
    s: &Session,
    code: &CouncilCode,
    v: Version,
) -> Result<Response> {
    let c = app.db.conn()?;
    match db::upload(&c, code, app.year, v)? {
        Some(u) => Ok(Response::file(
            "application/octet-stream",
            &format!("{}-v{}.{}", code.0, v.0, u.kind),
            db::upload_bytes(&c, u.id)?,
        )),
        None => Ok(not_found(app, Some(s))),
    }
}

pub(super) fn reopen(app: &App, s: &Session, code: &CouncilCode, reason: &str) -> Result<Response> {
    if reason.is_empty() || reason.chars().count() > 500 {
        return council(
            app,
            s,
            code,
            Some("Enter why the return is reopened, up to 500 characters"),
        );
    }
    let notices = super::notices::reopened(app, code, reason)?;
    match db::reopen(
        &mut *app.db.conn()?,
        code,
        app.year,
        s.person.id,
        reason,
        &notices,
    ) {
        Ok(()) => {
            app.wake_mailer();
            Ok(Response::redirect(&format!("/admin/councils/{}", code.0)))
        }
        Err(db::DbError::Refused(why)) => council(app, s, code, Some(why)),
        Err(e) => Err(e),
    }
}

pub(super) fn invite_form(
    app: &App,
    s: &Session,
    status: u16,
    errors: &[(&str, String)],
    values: &[(&str, &str)],
) -> Response {
    let councils: Vec<_> = app
        .register
        .iter()
        .map(|a| json!({"code": a.code, "name": a.name}))
        .collect();
    let values: serde_json::Map<String, serde_json::Value> = values
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    let mut ctx = json!({
        "councils": councils,
        "values": values,
    });
    if let (Some(o), serde_json::Value::Object(e)) =
        (ctx.as_object_mut(), super::routes::form_errors(errors))
    {
        o.extend(e);
    }
    page(app, Some(s), status, "invite.html", "Invite a person", ctx)
}

pub(super) fn invite(
    app: &App,
    s: &Session,
    email: &str,
    role: &str,
    council: &str,
) -> Result<Response> {
    let values = [("email", email), ("role", role), ("council", council)];
    // Every problem of the form at once.
    let mut errors: Vec<(&str, String)> = Vec::new();
    if !super::auth::email_ok(email) {
        errors.push((
            "email",
            "Enter an email address in the correct format, like name@example.org".into(),
        ));
    }
    let role = Role::from_id(role);
    if role.is_none() {
        errors.push(("role", "Select what the person will do".into()));
    }
    let code = app.council(council);
    if role != Some(Role::Admin) && code.is_none() {
        errors.push(("council", "Select the person's council".into()));
    }
    let Some(role) = role.filter(|_| errors.is_empty()) else {
        return Ok(invite_form(app, s, 400, &errors, &values));
    };
    let code = if role == Role::Admin { None } else { code };
    let id = match db::invite(
        &mut *app.db.conn()?,
        Some(s.person.id),
        email,
        role,
        code.as_ref(),
    ) {
        Ok(id) => id,
        Err(db::DbError::Refused(why)) => {
            return Ok(invite_form(
                app,
                s,
                400,
                &[("email", why.to_string())],
                &values,
            ));
        }
        Err(e) => return Err(e),
    };
    link_page(app, s, id, email, Some((role, code)))
}

/// A new sign-in link, shown to the team (and mailed when mail is set up).
/// `invited`: the person was just invited (their role and council), so
/// the message is an invitation, not a bare link.
fn link_page(
    app: &App,
    s: &Session,
    id: PersonId,
    email: &str,
    invited: Option<(Role, Option<CouncilCode>)>,
) -> Result<Response> {
    // With mail set up, the link's message is queued with it and sent by
    // the mail worker; the page never waits for the relay.
    let (link, mailed) = match &app.mailer {
        Some(m) => {
            let message = |link: &str| match &invited {
                Some((role, code)) => super::notices::invitation(app, *role, code.as_ref(), link),
                None => None,
            };
            let link = super::outbox::new_mailed_link(&app.db, &app.base_url, id, email, &message)?;
            m.wake();
            (link, true)
        }
        None => (app.new_link(id)?, false),
    };
    // Every sign-in link the team makes is in the audit log (never the
    // link itself).
    db::audit(
        &*app.db.conn()?,
        Some(s.person.id),
        None,
        "sign-in link",
        &format!(
            "a new sign-in link for {email}{}",
            if mailed { ", mailed" } else { "" }
        ),
    )?;
    Ok(page(
        app,
        Some(s),
        200,
        "message.html",
        "Sign-in link made",
        json!({
            "panel": format!("A sign-in link for {email}"),
            "lines": [
                if mailed {
                    "It is being emailed to them (the service retries for a day if the mail relay does not answer). You can also send it yourself. It works once, within 24 hours."
                } else {
                    "Mail is not set up, so send this link to the person yourself. It works once, within 24 hours."
                }
            ],
            "code": link,
            "link": {"href": "/admin", "text": "Back to councils"},
        }),
    ))
}

pub(super) fn person_action(
    app: &App,
    s: &Session,
    id: PersonId,
    action: &str,
    confirmed: bool,
) -> Result<Response> {
    let Some(p) = db::person(&*app.db.conn()?, id)? else {
        return Ok(not_found(app, Some(s)));
    };
    let back = match &p.council {
        Some(c) => format!("/admin/councils/{}", c.0),
        None => "/admin".to_string(),
    };
    match action {
        "link" if p.revoked_at.is_none() => link_page(app, s, id, &p.email, None),
        // Revoking asks first (GOV.UK's confirmation pattern): the button
        // on the council's page leads here, and only the confirmation's
        // own button revokes.
        "revoke" if p.id != s.person.id && p.revoked_at.is_none() && !confirmed => Ok(page(
            app,
            Some(s),
            200,
            "message.html",
            &format!("Revoke {}'s access?", p.email),
            json!({
                "lines": ["They will no longer be able to sign in, and any session they have ends now. Their uploads, sign-offs and the audit log stay as they are. To give them access again, invite them again."],
                "confirm": {"action": format!("/admin/people/{}/revoke", p.id.0), "button": "Yes, revoke access", "cancel": back},
                "link": null,
            }),
        )),
        "revoke" if p.id != s.person.id && p.revoked_at.is_none() => {
            let p = db::revoke(&mut *app.db.conn()?, s.person.id, id)?;
            Ok(Response::redirect(&match p.council {
                Some(c) => format!("/admin/councils/{}", c.0),
                None => "/admin".to_string(),
            }))
        }
        _ => Ok(page(
            app,
            Some(s),
            409,
            "message.html",
            "That cannot be done",
            json!({"lines": ["A revoked person needs inviting again; you cannot revoke yourself."], "link": {"href": "/admin", "text": "Back to councils"}}),
        )),
    }
}

/// Reminders to every council whose return is not signed off, at most
/// once a day (the audit log says when they last went).
pub(super) fn reminders(app: &App, s: &Session) -> Result<Response> {
    let message = |status: u16, title: &str, line: String| {
        page(
            app,
            Some(s),
            status,
            "message.html",
            title,
            json!({"lines": [line], "link": {"href": "/admin", "text": "Back to councils"}}),
        )
    };
    if app.mailer.is_none() {
        return Ok(message(
            409,
            "Reminders need email",
            "This service does not send email; contact the councils yourself.".into(),
        ));
    }
    let now = db::now();
    if let Some(last) = super::outbox_db::last_action(&*app.db.conn()?, "reminders")?
        && now - last < 86_400
    {
        return Ok(message(
            409,
            "Reminders were sent less than a day ago",
            format!(
                "The last reminders went at {}. You can send them again after {}.",
                crate::render::service::when(last),
                crate::render::service::when(last + 86_400)
            ),
        ));
    }
    let (notices, councils) = super::notices::reminders(app)?;
    let detail = format!(
        "reminders to {} people of {councils} councils not signed off",
        notices.len(),
    );
    super::outbox_db::queue_audited(
        &mut *app.db.conn()?,
        &notices,
        s.person.id,
        "reminders",
        &detail,
    )?;
    app.wake_mailer();
    Ok(message(
        200,
        "Reminders sent",
        format!(
            "Reminders are on their way to {} people of {councils} councils whose return is not signed off.",
            notices.len(),
        ),
    ))
}

pub(super) fn audit(app: &App, s: &Session) -> Result<Response> {
    let lines = db::audit_log(&*app.db.conn()?, 1000)?;
    Ok(page(
        app,
        Some(s),
        200,
        "audit.html",
        "Audit log",
        json!({"lines": lines}),
    ))
}

/// The signed-off returns as the `returns/<year>/` folder the national run
/// reads, zipped: each file the bytes its council uploaded.
pub(super) fn export(app: &App, s: &Session) -> Result<Response> {
    let mut c = app.db.conn()?;
    let files = db::signed_off_returns(&c, app.year)?;
    let year = app.year;
    let named: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|(code, kind, bytes)| (format!("returns/{year}/{}.{kind}", code.0), bytes.clone()))
        .collect();
    let bytes = match super::zipped(&named) {
        Ok(b) => b,
        Err(e) => return Ok(failure(app, &e)),
    };
    let tx = c.transaction()?;
    db::audit(
        &tx,
        Some(s.person.id),
        None,
        "export",
        &format!("{} signed-off returns of {year} exported", files.len()),
    )?;
    tx.commit()?;
    Ok(Response::file(
        "application/zip",
        &format!("sc-wres-returns-{year}.zip"),
        bytes,
    ))
}
