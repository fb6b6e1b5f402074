//! Inviting many people at once: a CSV of email, role and council code
//! (a file, or pasted). Every row is checked first and every bad row
//! reported with its line, value and fix; only a list with no bad row is
//! invited, each with their invitation (emailed when mail is set up, else
//! their links shown for the team to send).

use super::App;
use super::db;
use super::http::{Request, Response};
use super::ids::{CouncilCode, Role};
use super::routes::{FileForm, Session, file_form, page};
use serde_json::json;

type Result<T> = std::result::Result<T, db::DbError>;

/// The most rows one list may hold (every council's people, several
/// times over).
const MAX_ROWS: usize = 2_000;

pub(super) fn form(
    app: &App,
    s: &Session,
    status: u16,
    problems: &[String],
    pasted: &str,
) -> Response {
    page(
        app,
        Some(s),
        status,
        "invite_many.html",
        "Invite people from a list",
        json!({"problems": problems, "pasted": pasted, "max_rows": MAX_ROWS}),
    )
}

/// One row to invite.
struct Row {
    email: String,
    role: Role,
    council: CouncilCode,
}

/// The rows of the list, or every problem with it.
fn read(app: &App, text: &str) -> std::result::Result<Vec<Row>, Vec<String>> {
    let mut problems = Vec::new();
    let mut rows: Vec<Row> = Vec::new();
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut seen = std::collections::HashMap::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 1;
        let Ok(rec) = rec else {
            problems.push(format!(
                "line {line}: cannot be read as CSV; check its quotes"
            ));
            continue;
        };
        let cell = |k: usize| rec.get(k).unwrap_or("").to_string();
        let (email, role, code) = (cell(0), cell(1), cell(2));
        if rec.iter().all(str::is_empty) {
            continue;
        }
        // A header row, as a spreadsheet saves it.
        if line == 1 && email.eq_ignore_ascii_case("email") {
            continue;
        }
        if rows.len() + problems.len() >= MAX_ROWS {
            problems.push(format!("more than {MAX_ROWS} rows: split the list"));
            break;
        }
        let mut bad = Vec::new();
        if !super::auth::email_ok(&email) {
            bad.push(format!(
                "\"{email}\" is not an email address: write one address, like name@example.org"
            ));
        }
        let role = match role.to_ascii_lowercase().as_str() {
            "submitter" => Some(Role::Submitter),
            "signer" | "senior officer" => Some(Role::Signer),
            _ => {
                bad.push(format!("the role \"{role}\" is not one of submitter, signer (senior officer); the national team is invited one at a time"));
                None
            }
        };
        let council = app.council(&code);
        if council.is_none() {
            bad.push(format!(
                "\"{code}\" is not a council code of the register, like E06000001"
            ));
        }
        if let Some(first) = seen.insert(email.to_ascii_lowercase(), line) {
            bad.push(format!(
                "{email} is on line {first} too: invite each person once"
            ));
        }
        if !bad.is_empty() {
            problems.extend(bad.into_iter().map(|b| format!("line {line}: {b}")));
            continue;
        }
        if let (Some(role), Some(council)) = (role, council) {
            rows.push(Row {
                email,
                role,
                council,
            });
        }
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push("the list is empty: one person a line, as email, role, council code".into());
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

pub(super) fn invite(app: &App, req: &Request, s: &Session) -> Result<Response> {
    let FileForm::Parts(parts) = file_form(req) else {
        return Ok(form(
            app,
            s,
            400,
            &["The list could not be read. Choose the file again, or paste the rows.".into()],
            "",
        ));
    };
    let field = |name: &str| parts.iter().find(|p| p.name == name).map(|p| p.data);
    let pasted = String::from_utf8_lossy(field("rows").unwrap_or_default()).into_owned();
    let file = parts
        .iter()
        .find(|p| p.name == "file" && p.file_name.as_deref().is_some_and(|n| !n.is_empty()));
    let text = match file {
        Some(f) => match crate::load::text::decode(f.data) {
            Ok(t) => t.into_owned(),
            Err(e) => {
                return Ok(form(
                    app,
                    s,
                    400,
                    &[format!(
                        "the file is not text we read ({}); save it as CSV UTF-8",
                        e.rule()
                    )],
                    &pasted,
                ));
            }
        },
        None => pasted.clone(),
    };
    let rows = match read(app, &text) {
        Ok(rows) => rows,
        Err(problems) => return Ok(form(app, s, 400, &problems, &pasted)),
    };
    // Already invited: reported, nobody invited (the list is fixed and
    // sent again whole).
    let mut problems = Vec::new();
    {
        let c = app.db.conn()?;
        for r in &rows {
            if db::person_by_email(&c, &r.email)?.is_some_and(|p| p.revoked_at.is_none()) {
                problems.push(format!(
                    "{} is already invited; take them off the list",
                    r.email
                ));
            }
        }
    }
    if !problems.is_empty() {
        return Ok(form(app, s, 409, &problems, &pasted));
    }
    let mut made = Vec::new();
    for r in &rows {
        let id = db::invite(
            &mut *app.db.conn()?,
            Some(s.person.id),
            &r.email,
            r.role,
            Some(&r.council),
        )?;
        let link = match &app.mailer {
            Some(_) => {
                let message =
                    |link: &str| super::notices::invitation(app, r.role, Some(&r.council), link);
                super::outbox::new_mailed_link(&app.db, &app.base_url, id, &r.email, &message)?;
                None
            }
            None => Some(app.new_link(id)?),
        };
        made.push(json!({"email": r.email, "role": r.role.label(), "council": app.register.get(&r.council.0).map(|a| a.name.clone()), "link": link}));
    }
    db::audit(
        &*app.db.conn()?,
        Some(s.person.id),
        None,
        "invite list",
        &format!(
            "{} people invited from a list{}",
            made.len(),
            if app.mailer.is_some() {
                ", invitations mailed"
            } else {
                ""
            }
        ),
    )?;
    app.wake_mailer();
    Ok(page(
        app,
        Some(s),
        200,
        "invite_many.html",
        "People invited",
        json!({"problems": [], "pasted": "", "max_rows": MAX_ROWS, "made": made, "mailed": app.mailer.is_some()}),
    ))
}
