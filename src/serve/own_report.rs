//! A council's own published files: its local report of the newest
//! published release, what changed for it since the release before, and
//! its files as one zip.

use super::App;
use super::db;
use super::http::{Response, plain};
use super::ids::CouncilCode;
use super::releases::{contents, folder, newest_published, release_file, serve_file};
use super::routes::{Session, failure, not_found};
use crate::run::release;
use serde_json::json;

type Result<T> = std::result::Result<T, db::DbError>;

/// A council's own published reports: its public local report files of the
/// newest published release of the year.
pub fn council_files(app: &App, code: &CouncilCode) -> Vec<String> {
    let Some(r) = newest_published(app) else {
        return Vec::new();
    };
    let prefix = format!("public/local/{}-", code.0);
    contents(app, app.year, r.number)
        .map(|c| {
            c.files
                .iter()
                .filter(|f| f.starts_with(&prefix))
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

/// `/council/report/<file>`: one of the council's own published files.
pub fn council_file(app: &App, s: &Session, code: &CouncilCode, name: &str) -> Response {
    let path = format!("public/local/{name}");
    if !council_files(app, code).contains(&path) {
        return not_found(app, Some(s));
    }
    let Some(r) = newest_published(app) else {
        return not_found(app, Some(s));
    };
    match release_file(app, app.year, r.number, &path) {
        Some(b) => serve_file(&path, b),
        None => plain(500, "the stored report does not match its manifest"),
    }
}

/// What changed for a council from the previous published release of the
/// year to the newest, if there are two.
pub fn council_changes(app: &App, code: &CouncilCode) -> Option<serde_json::Value> {
    let c = app.db.conn().ok()?;
    let published: Vec<db::Release> = db::releases(&c, app.year)
        .ok()?
        .into_iter()
        .filter(|r| r.published_at.is_some())
        .collect();
    let (new, old) = (published.first()?, published.get(1)?);
    let dir = |r: &db::Release| folder(app, app.year, r.number).year_dir(app.year);
    let ch = release::council_changes(&dir(old), &dir(new), &code.0)
        .map_err(|e| eprintln!("scwres serve: changes for {}: {e:#}", code.0))
        .ok()?;
    Some(json!({"since": old.number, "now": new.number, "changes": ch}))
}

/// `/council/files.zip`: the council's own files as one zip: its
/// signed-off return as uploaded, its published local report, and its
/// newest report made with its action plan (both editions) and that plan.
pub fn council_zip(app: &App, s: &Session, code: &CouncilCode) -> Result<Response> {
    let c = app.db.conn()?;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    if let Some(so) = db::current_sign_off(&c, code, app.year)?
        && let Some(u) = db::uploads(&c, code, app.year)?
            .into_iter()
            .find(|u| u.id == so.upload)
    {
        files.push((
            format!("return/{}.{}", code.0, u.kind),
            db::upload_bytes(&c, u.id)?,
        ));
    }
    if let Some(r) = db::published_release(&c, app.year)? {
        for f in council_files(app, code) {
            if let Some(b) = release_file(app, app.year, r.number, &f) {
                files.push((
                    format!("report/{}", f.trim_start_matches("public/local/")),
                    b,
                ));
            }
        }
    }
    if let Some(r) = newest_published(app) {
        for f in super::internal::internal_files(app, code) {
            if let Ok(b) =
                std::fs::read(super::internal::internal_dir(app, r.number, &code.0).join(&f))
            {
                files.push((format!("report/internal/{f}"), b));
            }
        }
    }
    if let Some(p) = db::plans(&c, code, app.year)?
        .into_iter()
        .find(|p| p.ok == Some(true))
    {
        files.push((format!("plan/{}", p.file_name), db::plan_bytes(&c, p.id)?));
        let dir = folder(app, app.year, p.release)
            .root
            .join("plans")
            .join(&code.0)
            .join(p.version.0.to_string());
        for edition in ["public", "internal"] {
            if let Ok(rd) = std::fs::read_dir(dir.join(edition)) {
                let mut names: Vec<_> = rd.filter_map(|e| e.ok()).map(|e| e.path()).collect();
                names.sort();
                for n in names {
                    if let (Some(name), Ok(b)) =
                        (n.file_name().and_then(|x| x.to_str()), std::fs::read(&n))
                    {
                        files.push((format!("report-with-plan/{edition}/{name}"), b));
                    }
                }
            }
        }
    }
    if files.is_empty() {
        return Ok(not_found(app, Some(s)));
    }
    let named: Vec<(String, Vec<u8>)> = files
        .into_iter()
        .map(|(n, b)| (format!("sc-wres-{}-{}/{n}", app.year, code.0), b))
        .collect();
    match super::zipped(&named) {
        Ok(bytes) => Ok(Response::file(
            "application/zip",
            &format!("sc-wres-{}-{}.zip", app.year, code.0),
            bytes,
        )),
        Err(e) => Ok(failure(app, &e)),
    }
}
