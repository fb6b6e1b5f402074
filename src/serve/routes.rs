//! Every route of the service, in one table ([`dispatch`]), and who may
//! use it: the public pages and signing in here, a council's pages in
//! `council` (its council always the session's, never a request's), the
//! national team's in `admin`. Every change is a POST carrying the
//! session's CSRF token; every page is rendered by `render::service`.

use super::db::{self, Person};
use super::http::{Request, Response, plain};
use super::ids::Role;
use super::table::{self, Who};
use super::{App, auth};
use crate::render::service as pages;
use hyper::Method;
use serde_json::{Value, json};

/// A signed-in person.
pub struct Session {
    pub person: Person,
    pub csrf: String,
    hash: String,
}

/// The answer to every request.
pub fn dispatch(app: &App, req: &Request) -> Response {
    // Asked for by the name the service was given (`--base-url`), when it
    // was: another `Host` is refused before anything else.
    if let Some(host) = &app.expected_host
        && !req
            .header("host")
            .is_some_and(|h| h.eq_ignore_ascii_case(host))
    {
        return plain(421, &format!("this service answers at {}", app.base_url));
    }
    let session = match current_session(app, req) {
        Ok(s) => s,
        Err(e) => return failure(app, &e),
    };
    let s = session.as_ref();
    let found = table::find(req.method.as_str(), &req.path);
    // Who may use it: the route's, or for an address under a signed-in
    // part that no route has, that part's (so that it answers as any
    // other page there that does not exist).
    let who = match &found {
        Some((r, _)) => r.who,
        None if req.path == "/council" || req.path.starts_with("/council/") => Who::Council,
        None if req.path == "/admin" || req.path.starts_with("/admin/") => Who::Team,
        None => Who::Anyone,
    };
    let allowed = match (who, s) {
        (Who::Anyone, _) => true,
        (_, None) => return Response::redirect("/sign-in"),
        (Who::Signed, Some(_)) => true,
        (Who::Council, Some(s)) => s.person.council.is_some() && s.person.role != Role::Admin,
        (Who::Team, Some(s)) => s.person.role == Role::Admin,
    };
    if !allowed {
        return not_yours(app, s.expect("a session"));
    }
    let Some((route, args)) = found else {
        return not_found(app, s);
    };
    // A change: this service's own Origin, and for a signed-in person's
    // route the session's CSRF token, checked here for every route.
    let form = if req.method == Method::POST && route.body.is_form() {
        req.form()
    } else {
        Vec::new()
    };
    if req.method == Method::POST {
        let token = match route.body {
            table::Body::Form | table::Body::Typeset => Some(
                form.iter()
                    .find(|(k, _)| k == "csrf")
                    .map(|(_, v)| v.clone()),
            ),
            table::Body::Upload | table::Body::List => upload_csrf(req),
        };
        // An upload that cannot be read as a form at all goes on to be
        // refused as unreadable (400), changing nothing; one that can is
        // held to its token.
        let ok = same_origin(app, req)
            && (who == Who::Anyone
                || token.is_none()
                || s.is_some_and(|s| token.flatten().is_some_and(|t| auth::same(&t, &s.csrf))));
        if !ok {
            return forbidden_csrf(app, s);
        }
    }
    let call = table::Call {
        session: s,
        args,
        form,
    };
    (route.run)(app, req, &call).unwrap_or_else(|e| failure(app, &e))
}

/// The CSRF token of a file-upload form (a part named `csrf`); `None`
/// when the body is not a form this service can read.
fn upload_csrf(req: &Request) -> Option<Option<String>> {
    let parts = req
        .header("content-type")
        .and_then(super::multipart::boundary)
        .and_then(|b| super::multipart::parse(&req.body, &b, 8))?;
    Some(
        parts
            .iter()
            .find(|p| p.name == "csrf")
            .map(|p| String::from_utf8_lossy(p.data).into_owned()),
    )
}

/// The service's style sheet.
pub fn css() -> Response {
    Response {
        status: 200,
        headers: vec![("content-type", "text/css; charset=utf-8".into())],
        body: pages::CSS.as_bytes().to_vec(),
    }
}

/// An information page (help and contact, accessibility, privacy,
/// cookies): `which` names it.
pub fn info(app: &App, s: Option<&Session>, which: &str, title: &str) -> Response {
    page(app, s, 200, "info.html", title, json!({"which": which}))
}

/// The sign-in page.
pub fn sign_in_page(app: &App, s: Option<&Session>) -> Response {
    page(
        app,
        s,
        200,
        "sign_in.html",
        "Sign in",
        json!({"error": null, "email": "", "mail": app.smtp.is_some()}),
    )
}

/// Signing out ends the session.
pub fn sign_out(app: &App, s: &Session) -> Result<Response, db::DbError> {
    db::end_session(&*app.db.conn()?, &s.hash, &s.person)?;
    Ok(page(app, None, 200, "message.html", "You have signed out", json!({"lines": ["You have signed out of the SC-WRES collection service."], "link": {"href": "/sign-in", "text": "Sign in again"}}))
        .with_header("set-cookie", clear_cookie(app)))
}

/// The body a request may send, from its route alone: an upload (a
/// return, a plan) the largest a workbook may be, and only with a live
/// session of a council's person; every other request a form's few KB.
/// Decided before a byte of the body is read. A council's heavy requests
/// (uploads, the plan's report) are owned by its council: one at a time,
/// on the heavy pool, within its byte budget (`http::Admitted`).
/// The largest list of people to invite (a few thousand lines).
pub const LIST_BODY: usize = 1 << 20;

pub fn admit(app: &App, req: &Request) -> Result<super::http::Admitted, Response> {
    use super::http::{Admitted, FORM_BODY, MAX_BODY};
    // The body limit and whether the work is heavy are the table's.
    let route = table::find(req.method.as_str(), &req.path).map(|(r, _)| r);
    let limit = match route.map(|r| r.body) {
        // Heavy work of a council's: an upload to check (a return, a plan),
        // or its report typeset again.
        Some(table::Body::Upload) => MAX_BODY,
        Some(table::Body::Typeset) => FORM_BODY,
        // The team's list of people to invite: from a signed-in person
        // only, on no council's budget; anyone but the team is refused at
        // dispatch, as on every team route, and their body stays small.
        Some(table::Body::List) => {
            return match current_session(app, req) {
                Ok(Some(s)) => Ok(Admitted {
                    limit: if s.person.role == Role::Admin {
                        LIST_BODY
                    } else {
                        FORM_BODY
                    },
                    owner: None,
                }),
                Ok(None) => Err(Response::redirect("/sign-in")),
                Err(e) => Err(failure(app, &e)),
            };
        }
        Some(table::Body::Form) | None => {
            return Ok(Admitted {
                limit: FORM_BODY,
                owner: None,
            });
        }
    };
    match current_session(app, req) {
        Ok(Some(s)) if s.person.role != Role::Admin && s.person.council.is_some() => Ok(Admitted {
            limit,
            owner: s.person.council.map(|c| c.0),
        }),
        Ok(_) => Err(Response::redirect("/sign-in")),
        Err(e) => Err(failure(app, &e)),
    }
}

fn current_session(app: &App, req: &Request) -> Result<Option<Session>, db::DbError> {
    let Some(token) = req.cookie(auth::COOKIE).filter(|t| auth::well_formed(t)) else {
        return Ok(None);
    };
    let hash = auth::hash(token);
    let c = app.db.conn()?;
    Ok(db::session(&c, &hash)?.map(|(person, csrf)| Session { person, csrf, hash }))
}

/// A page in the service's layout: `extra` is the page's own data.
/// A form's errors for the templates' `summary` and `error_for` macros:
/// every error at once, in the order of the form's fields.
pub fn form_errors(errors: &[(&str, String)]) -> Value {
    let list: Vec<Value> = errors
        .iter()
        .map(|(f, t)| json!({"field": f, "text": t}))
        .collect();
    let by_field: serde_json::Map<String, Value> = errors
        .iter()
        .rev()
        .map(|(f, t)| (f.to_string(), json!(t)))
        .collect();
    json!({"errors": list, "bad": by_field})
}

/// Which navigation item a page is, or is under: `page` for the item's
/// own page, `true` for a page within its section.
fn nav_of(template: &str) -> Value {
    let (href, own) = match template {
        "admin.html" => ("/admin", true),
        "council.html" => ("/admin", false),
        "invite.html" => ("/admin/people/new", true),
        "releases.html" => ("/admin/releases", true),
        "release.html" => ("/admin/releases", false),
        "audit.html" => ("/admin/audit", true),
        "tasks.html" => ("/council", true),
        "upload.html" | "extract.html" | "version.html" | "sign_off.html" | "plan.html" => {
            ("/council", false)
        }
        _ => return json!({"href": null, "current": null}),
    };
    json!({"href": href, "current": if own { "page" } else { "true" }})
}

pub fn page(
    app: &App,
    s: Option<&Session>,
    status: u16,
    template: &str,
    title: &str,
    extra: Value,
) -> Response {
    let me = s.map(|s| {
        json!({
            "email": s.person.email,
            "role": s.person.role.id(),
            "council": s.person.council.as_ref().and_then(|c| app.register.get(&c.0)).map(|a| a.name.clone()),
        })
    });
    let mut ctx = json!({
        "title": title,
        "synthetic": app.config.synthetic,
        "year": app.year,
        "me": me,
        "csrf": s.map(|s| s.csrf.clone()).unwrap_or_default(),
        // The collection window, on every page that names it.
        "window": super::window::view(&app.config.collection, super::db::now()),
        // The navigation's current item: the page itself, or the section
        // the page is in (GOV.UK's `aria-current`).
        "nav": nav_of(template),
        // Whether the service sends email (else pages give the contact).
        "sends_mail": app.mailer.is_some(),
        // For the footer, the feedback link and the help pages.
        "contact": {
            "name": app.config.publication.contact_name,
            "email": app.config.publication.contact_email,
            "producer": app.config.publication.producer,
        },
    });
    if let (Some(obj), Value::Object(more)) = (ctx.as_object_mut(), extra) {
        obj.extend(more);
    }
    match pages::page(template, &ctx) {
        Ok(html) => Response::html(status, html),
        Err(e) => {
            eprintln!("scwres serve: {e}");
            plain(
                500,
                "the page could not be made; the error is in the service's log",
            )
        }
    }
}

/// A storage failure: logged, and a page that says nothing of the data.
pub fn failure(app: &App, e: &dyn std::fmt::Display) -> Response {
    eprintln!("scwres serve: {e}");
    page(
        app,
        None,
        500,
        "message.html",
        "Sorry, there is a problem with the service",
        json!({"lines": ["Try again later. Nothing you sent was half-saved: a change is saved whole or not at all."], "link": null}),
    )
}

pub fn not_found(app: &App, s: Option<&Session>) -> Response {
    page(
        app,
        s,
        404,
        "message.html",
        "Page not found",
        json!({"lines": ["If you typed the web address, check it is correct."], "link": {"href": "/", "text": "Go to the start"}}),
    )
}

/// Another council's or the national team's page: one answer, whatever
/// exists behind it.
pub fn not_yours(app: &App, s: &Session) -> Response {
    page(
        app,
        Some(s),
        403,
        "message.html",
        "You cannot see this page",
        json!({"lines": ["This page is not part of your account."], "link": {"href": "/", "text": "Go to your start page"}}),
    )
}

pub fn forbidden_csrf(app: &App, s: Option<&Session>) -> Response {
    page(
        app,
        s,
        403,
        "message.html",
        "The form has expired",
        json!({"lines": ["The form was not sent from this service's own page, or your session has changed. Go back, reload the page and try again."], "link": {"href": "/", "text": "Go to the start"}}),
    )
}

/// A browser's `Origin`, when sent, is this service: the origin of
/// `--base-url` when it was given, else this scheme and the `Host` asked
/// for. An `Origin` that is not plain ASCII, or `null`, is another origin.
fn same_origin(app: &App, req: &Request) -> bool {
    let Some(raw) = req.headers.get("origin") else {
        return true;
    };
    let Ok(origin) = raw.to_str() else {
        return false;
    };
    match &app.expected_host {
        Some(_) => origin.eq_ignore_ascii_case(&app.origin()),
        None => {
            let scheme = if app.secure_cookies { "https" } else { "http" };
            match (origin.split_once("://"), req.header("host")) {
                (Some((s, rest)), Some(h)) => s == scheme && rest.eq_ignore_ascii_case(h),
                _ => false,
            }
        }
    }
}

fn session_cookie(app: &App, token: &str) -> String {
    format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        auth::COOKIE,
        auth::SESSION_TTL,
        if app.secure_cookies { "; Secure" } else { "" }
    )
}

fn clear_cookie(app: &App) -> String {
    format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        auth::COOKIE,
        if app.secure_cookies { "; Secure" } else { "" }
    )
}

pub fn start(app: &App, s: Option<&Session>) -> Response {
    match s.map(|s| s.person.role) {
        Some(Role::Admin) => Response::redirect("/admin"),
        Some(_) => Response::redirect("/council"),
        None => page(
            app,
            None,
            200,
            "start.html",
            "Submit your SC-WRES return",
            json!({}),
        ),
    }
}

/// Asks for a sign-in link by email address: the same answer whether or
/// not the address is known (nobody learns who is invited), at most a few
/// links an hour per address.
pub fn request_link(app: &App, req: &Request, s: Option<&Session>, email: &str) -> Response {
    let email = email.to_string();
    if !auth::email_ok(&email) {
        return page(
            app,
            s,
            400,
            "sign_in.html",
            "Sign in",
            json!({"error": "Enter an email address in the correct format, like name@example.org", "email": email, "mail": app.smtp.is_some()}),
        );
    }
    let now = db::now();
    // At most 3 links an hour to one address, 30 asked for from one client.
    let client_ok = app.link_requests_by_client.allow(&app.client(req), now);
    // The request only hands the address to the mail worker: the same work
    // and the same answer whether or not it is invited (`outbox`).
    if client_ok
        && app.link_requests.allow(&email.to_lowercase(), now)
        && let Some(m) = &app.mailer
    {
        m.ask_link(&email);
    }
    if app.smtp.is_none() {
        return page(
            app,
            s,
            200,
            "message.html",
            "Ask the national programme team for a link",
            json!({"lines": ["This service does not send email. The national programme team can make you a new sign-in link from their pages."], "link": null}),
        );
    }
    page(
        app,
        s,
        200,
        "message.html",
        "Check your email",
        json!({"lines": [
        format!("If {email} is invited to the service, we have sent a sign-in link to it. The link works once, within 24 hours."),
        "If no email arrives, ask the national programme team for a link."
    ], "link": null}),
    )
}

fn bad_link(app: &App, s: Option<&Session>, status: u16) -> Response {
    page(
        app,
        s,
        status,
        "message.html",
        "This sign-in link does not work",
        json!({"lines": [
        "It may have been used already, have expired (links work for 24 hours), or have been copied only in part.",
        "Ask for a new link on the sign-in page, or from the national programme team."
    ], "link": {"href": "/sign-in", "text": "Ask for a new sign-in link"}}),
    )
}

/// A link from an email opens a page with a button: following the link
/// (as a mail scanner does) spends nothing.
pub fn confirm_sign_in(app: &App, req: &Request, s: Option<&Session>, token: &str) -> Response {
    let owner = if auth::well_formed(token) {
        match app.db.conn() {
            Ok(c) => match db::link_owner(&c, &auth::hash(token)) {
                Ok(o) => o,
                Err(e) => return failure(app, &e),
            },
            Err(e) => return failure(app, &e),
        }
    } else {
        None
    };
    if owner.is_none() {
        return failed_link(app, req, s);
    }
    page(
        app,
        s,
        200,
        "confirm_sign_in.html",
        "Sign in to the SC-WRES collection service",
        json!({"token": token}),
    )
}

/// A link that does not work: counted against the client, and after too
/// many, refused without a look (guessing is stopped). A valid link is
/// never refused, whoever else guessed from the same address (a council
/// office behind one address cannot lock out its own staff).
fn failed_link(app: &App, req: &Request, s: Option<&Session>) -> Response {
    let key = format!("ip {}", app.client(req));
    let now = db::now();
    if app.failed_sign_ins.blocked(&key, now) {
        return too_many(app);
    }
    app.failed_sign_ins.allow(&key, now);
    bad_link(app, s, 404)
}

fn too_many(app: &App) -> Response {
    page(app, None, 429, "message.html", "Too many attempts", json!({"lines": ["There have been too many attempts to sign in from your network. Wait ten minutes and try again."], "link": null}))
        .with_header("retry-after", "600".into())
}

pub fn sign_in(app: &App, req: &Request, token: &str) -> Response {
    let session = auth::token();
    let spent = if auth::well_formed(token) {
        match app.db.conn() {
            Ok(mut c) => db::spend_link(
                &mut c,
                &auth::hash(token),
                &auth::hash(&session),
                &auth::token(),
                auth::SESSION_TTL,
            ),
            Err(e) => Err(e),
        }
    } else {
        Ok(None)
    };
    match spent {
        Ok(Some(p)) => Response::redirect(if p.role == Role::Admin {
            "/admin"
        } else {
            "/council"
        })
        .with_header("set-cookie", session_cookie(app, &session)),
        Ok(None) => failed_link(app, req, None),
        Err(e) => failure(app, &e),
    }
}

/// A file-upload form (multipart), read (its CSRF token was checked at
/// dispatch).
pub enum FileForm<'a> {
    /// Not a multipart body this service can read.
    Unreadable,
    /// The form's parts.
    Parts(Vec<super::multipart::Part<'a>>),
}

pub fn file_form(req: &Request) -> FileForm<'_> {
    match req
        .header("content-type")
        .and_then(super::multipart::boundary)
        .and_then(|b| super::multipart::parse(&req.body, &b, 8))
    {
        Some(parts) => FileForm::Parts(parts),
        None => FileForm::Unreadable,
    }
}
