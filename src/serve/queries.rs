//! A version's queries (`load::queries`, worked out when it was
//! uploaded) and the council's answers, which its sign-off waits for.

use super::App;
use super::db::{self, Upload};
use super::http::Response;
use super::ids::CouncilCode;
use super::routes::Session;
use serde_json::json;

type Result<T> = std::result::Result<T, db::DbError>;

/// A version's queries, each with its answer if given and its form field
/// (`q0`, `q1`, …); `typed` (field, text) keeps what was typed on an error.
pub(super) fn with_answers(
    app: &App,
    u: &Upload,
    typed: &[(String, String)],
) -> Result<Vec<serde_json::Value>> {
    let list: Vec<crate::load::queries::Query> = u
        .queries
        .as_deref()
        .and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default();
    let answers = db::answers(&*app.db.conn()?, u.id)?;
    Ok(list
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let field = format!("q{i}");
            let answer = answers.iter().find(|a| a.key == q.key);
            let given = typed
                .iter()
                .find(|(f, _)| *f == field)
                .map(|(_, t)| t.clone())
                .or_else(|| answer.map(|a| a.text.clone()))
                .unwrap_or_default();
            json!({"key": q.key, "text": q.text, "field": field, "answer": answer, "given": given})
        })
        .collect())
}

/// The council's answers to a version's queries: each kept (a new answer
/// replacing an older one); every problem of the form at once.
pub(super) fn answer(
    app: &App,
    s: &Session,
    code: &CouncilCode,
    u: Upload,
    form: &[(String, String)],
) -> Result<Response> {
    let list: Vec<crate::load::queries::Query> = u
        .queries
        .as_deref()
        .and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default();
    let mut given = Vec::new();
    let mut typed = Vec::new();
    let mut errors: Vec<(String, String)> = Vec::new();
    for (i, q) in list.iter().enumerate() {
        let field = format!("q{i}");
        let text = form
            .iter()
            .find(|(k, _)| *k == field)
            .map(|(_, v)| v.trim().replace("\r\n", "\n"))
            .unwrap_or_default();
        typed.push((field.clone(), text.clone()));
        if text.is_empty() {
            continue;
        }
        if text.chars().count() > 1000 || text.chars().any(|c| c.is_control() && c != '\n') {
            errors.push((field, "Write the answer in up to 1,000 characters".into()));
            continue;
        }
        given.push((q.key.clone(), text));
    }
    if given.is_empty() && errors.is_empty() {
        errors.push(("q0".into(), "Write an answer to at least one query".into()));
    }
    if errors.is_empty() {
        match db::answer(&mut *app.db.conn()?, &u, s.person.id, &given) {
            Ok(()) => {
                return Ok(Response::redirect(&format!(
                    "/council/versions/{}#queries",
                    u.version.0
                )));
            }
            Err(db::DbError::Refused(why)) => {
                errors.push(("q0".into(), super::council::capitalised(why)))
            }
            Err(e) => return Err(e),
        }
    }
    let refs: Vec<(&str, String)> = errors
        .iter()
        .map(|(f, t)| (f.as_str(), t.clone()))
        .collect();
    super::council::version_page(app, s, code, u, false, 400, &typed, &refs)
}
