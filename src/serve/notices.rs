//! The service's email notices: who is told what, when. Each notice is
//! made here from `notices.txt` (its words) and queued in the same
//! transaction as what it announces (`outbox_db::Outgoing`); the mail
//! worker sends it. Without mail set up, no notice is made and the pages
//! give the national team's contact instead.

use super::App;
use super::db::{self, Person};
use super::ids::{CouncilCode, Role};
use super::outbox_db::Outgoing;
use serde_json::{Value, json};

/// A notice of `kind` to each of `to`, its words from `notices.txt`
/// with `ctx` (and the year and the service's address); none without
/// mail. A notice that cannot be made is logged, never a failed request.
fn make(app: &App, to: &[String], kind: &str, mut ctx: Value) -> Vec<Outgoing> {
    if app.mailer.is_none() || to.is_empty() {
        return Vec::new();
    }
    if let Some(o) = ctx.as_object_mut() {
        o.insert("kind".into(), json!(kind));
        o.insert("year".into(), json!(app.year));
        o.insert("base_url".into(), json!(app.base_url));
        o.insert(
            "due".into(),
            json!(app.config.collection.due.map(super::window::long)),
        );
    }
    match crate::render::service::notice(&ctx) {
        Ok((subject, body)) => to
            .iter()
            .map(|t| Outgoing {
                to: t.clone(),
                subject: subject.clone(),
                body: body.clone(),
            })
            .collect(),
        Err(e) => {
            eprintln!("scwres serve: the {kind} notice could not be made: {e}");
            Vec::new()
        }
    }
}

fn council_name(app: &App, code: &CouncilCode) -> String {
    app.register
        .get(&code.0)
        .map_or_else(|| code.0.clone(), |a| a.name.clone())
}

/// The council's people (not revoked), of `role` when given, but `not`.
fn people(
    app: &App,
    code: &CouncilCode,
    role: Option<Role>,
    not: Option<&str>,
) -> db::Result<Vec<String>> {
    Ok(db::people(&*app.db.conn()?, Some(code))?
        .into_iter()
        .filter(|p: &Person| p.revoked_at.is_none())
        .filter(|p| role.is_none_or(|r| p.role == r))
        .filter(|p| not.is_none_or(|n| !p.email.eq_ignore_ascii_case(n)))
        .map(|p| p.email)
        .collect())
}

/// A clean return was uploaded: its senior officers are asked to sign it
/// off (not the uploader, who knows).
pub(super) fn ready(app: &App, code: &CouncilCode, uploader: &str) -> db::Result<Vec<Outgoing>> {
    let to = people(app, code, Some(Role::Signer), Some(uploader))?;
    Ok(make(
        app,
        &to,
        "ready",
        json!({"council": council_name(app, code), "uploader": uploader}),
    ))
}

/// A return was signed off: a receipt to everyone of the council.
pub(super) fn signed(
    app: &App,
    code: &CouncilCode,
    version: i64,
    signer: &str,
) -> db::Result<Vec<Outgoing>> {
    let to = people(app, code, None, None)?;
    Ok(make(
        app,
        &to,
        "signed",
        json!({
            "council": council_name(app, code),
            "version": version,
            "signer": signer,
            "at": crate::render::service::when(db::now()),
        }),
    ))
}

/// A return was reopened: everyone of the council, with the reason.
pub(super) fn reopened(app: &App, code: &CouncilCode, reason: &str) -> db::Result<Vec<Outgoing>> {
    let to = people(app, code, None, None)?;
    Ok(make(
        app,
        &to,
        "reopened",
        json!({"council": council_name(app, code), "reason": reason}),
    ))
}

/// A reminder to everyone of each council whose return is not signed
/// off, saying where it stands; and how many councils they are.
pub(super) fn reminders(app: &App) -> db::Result<(Vec<Outgoing>, usize)> {
    let states = db::council_states(&*app.db.conn()?, app.year)?;
    let mut out = Vec::new();
    let mut councils = 0;
    for a in app.register.iter() {
        let st = states.get(&a.code);
        if st.is_some_and(|s| s.signed_off) {
            continue;
        }
        let status = match st.and_then(|s| s.newest) {
            Some((_, true, _, _)) => {
                "uploaded with no errors, waiting for your senior officer's sign-off"
            }
            Some((_, false, _, _)) => "uploaded, with errors to correct",
            None => "nothing uploaded yet",
        };
        let code = CouncilCode(a.code.clone());
        let to = people(app, &code, None, None)?;
        councils += usize::from(!to.is_empty());
        out.extend(make(
            app,
            &to,
            "reminder",
            json!({"council": a.name, "status": status}),
        ));
    }
    Ok((out, councils))
}

/// A release was published: everyone invited, each council's people told
/// of their own report.
pub(super) fn published(app: &App, release_date: &str) -> db::Result<Vec<Outgoing>> {
    let everyone = db::people(&*app.db.conn()?, None)?;
    let mut out = Vec::new();
    for p in everyone.into_iter().filter(|p| p.revoked_at.is_none()) {
        let council = p.council.as_ref().map(|c| council_name(app, c));
        out.extend(make(
            app,
            &[p.email],
            "published",
            json!({"council": council, "release_date": release_date}),
        ));
    }
    Ok(out)
}

/// An invitation with its sign-in link.
pub(super) fn invitation(
    app: &App,
    role: Role,
    code: Option<&CouncilCode>,
    link: &str,
) -> Option<(String, String)> {
    let ctx = json!({
        "kind": "invited",
        "year": app.year,
        "base_url": app.base_url,
        "due": Value::Null,
        "council": code.map(|c| council_name(app, c)),
        "role": match role {
            Role::Signer => "sign off the return",
            _ => "submit the return",
        },
        "link": link,
    });
    crate::render::service::notice(&ctx)
        .map_err(|e| eprintln!("scwres serve: the invitation could not be made: {e}"))
        .ok()
}
