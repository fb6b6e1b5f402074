//! Releases in the service: the national team runs the national batch on
//! the signed-off returns (`run::release`, the code of `scwres report`),
//! checks it privately (every look recorded as pre-release access), and
//! publishes it; then its public part is served at `/releases/<year>/` to
//! anyone, and each council finds its own local report on its page. Files
//! are served from the stored release, never made per request, and only
//! files its manifest lists, with the hash the manifest gives.

use super::App;
use super::db;
use super::http::Response;
use super::routes::{Session, failure, not_found, page};
use crate::load::Memory;
use crate::run::release::{self, Contents, ReleaseFolder};
use serde_json::json;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

type Result<T> = std::result::Result<T, db::DbError>;

/// Where a release's inputs and outputs are kept, in the data folder.
pub fn folder(app: &App, year: i32, number: i64) -> ReleaseFolder {
    ReleaseFolder {
        root: app
            .data
            .join("service-releases")
            .join(year.to_string())
            .join(number.to_string()),
    }
}

/// A release's inputs as recorded when it ran (by name in a data folder);
/// for a release recorded before the inputs were kept in the database,
/// the data folder it was run from.
pub(super) fn inputs_of(app: &App, r: &db::Release) -> anyhow::Result<Memory> {
    let rows = db::release_inputs(&*app.db.conn()?, r.id)?;
    if rows.is_empty() {
        return Memory::of_folder(&folder(app, r.year, r.number).root.join("data"));
    }
    let mut m = Memory::new();
    for (path, bytes) in rows {
        m.insert(&path, bytes);
    }
    Ok(m)
}

/// A release's inputs as one zip, a data folder (`sc-wres-<year>-release-
/// <n>-inputs/…`): `scwres report` on it makes the release again, byte for
/// byte. Every download before publication is pre-release access.
pub(super) fn zip_inputs(app: &App, s: &Session, r: db::Release) -> Result<Response> {
    let inputs = match inputs_of(app, &r) {
        Ok(m) => m,
        Err(e) => return Ok(failure(app, &format!("release {}: {e:#}", r.number))),
    };
    let prefix = format!("sc-wres-{}-release-{}-inputs", app.year, r.number);
    let files: Vec<(String, Vec<u8>)> = inputs
        .files()
        .map(|(p, b)| (format!("{prefix}/{p}"), b.to_vec()))
        .collect();
    zip_download(app, s, &r, "its inputs", &format!("{prefix}.zip"), &files)
}

/// A zip of a release's files as a download to the team, recorded as
/// pre-release access (`what` of the release) before publication.
fn zip_download(
    app: &App,
    s: &Session,
    r: &db::Release,
    what: &str,
    name: &str,
    files: &[(String, Vec<u8>)],
) -> Result<Response> {
    if r.published_at.is_none() {
        db::audit(
            &*app.db.conn()?,
            Some(s.person.id),
            None,
            "pre-release access",
            &format!("release {} of {}: {what}", r.number, app.year),
        )?;
    }
    match super::zipped(files) {
        Ok(bytes) => Ok(Response::file("application/zip", name, bytes)),
        Err(e) => Ok(failure(app, &e)),
    }
}

/// What a release holds (its files with their hashes, its date), read from
/// its manifest once and kept: a release's files never change once
/// written (a finished release's folder is written once, whole).
pub(super) fn contents(app: &App, year: i32, number: i64) -> Option<Arc<Contents>> {
    if let Some(c) = app.contents.get(year, number) {
        return Some(c);
    }
    let c = Arc::new(release::contents(&folder(app, year, number), year)?);
    app.contents.put(year, number, c.clone());
    Some(c)
}

/// A file of a release, if its manifest lists it with these bytes.
pub(super) fn release_file(app: &App, year: i32, number: i64, path: &str) -> Option<Vec<u8>> {
    contents(app, year, number)?.file(&folder(app, year, number), year, path)
}

/// Every release's [`Contents`] read so far, by year and number.
#[derive(Default)]
pub struct ContentsCache(std::sync::Mutex<HashMap<(i32, i64), Arc<Contents>>>);

impl ContentsCache {
    fn get(&self, year: i32, number: i64) -> Option<Arc<Contents>> {
        let held = self.0.lock().unwrap_or_else(|e| e.into_inner());
        held.get(&(year, number)).cloned()
    }

    fn put(&self, year: i32, number: i64, c: Arc<Contents>) {
        let mut held = self.0.lock().unwrap_or_else(|e| e.into_inner());
        held.insert((year, number), c);
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "pdf" => "application/pdf",
        "csv" => "text/csv; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "md" | "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// A release file as an answer: web pages shown (their styles are inline,
/// so they get a policy of their own, still without any script), the rest
/// downloaded.
pub fn serve_file(path: &str, bytes: Vec<u8>) -> Response {
    let ct = content_type(path);
    if ct.starts_with("text/html") || ct == "image/svg+xml" || ct == "application/pdf" {
        Response {
            status: 200,
            headers: vec![
                ("content-type", ct.to_string()),
                (
                    "content-security-policy",
                    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'".into(),
                ),
            ],
            body: bytes,
        }
    } else {
        Response::file(ct, path.rsplit('/').next().unwrap_or("file"), bytes)
    }
}

/// A file of a release to the national team (the private part, and the
/// whole release before publication): every look before publication is
/// recorded as pre-release access.
pub(super) fn private_file(app: &App, s: &Session, r: db::Release, path: &str) -> Result<Response> {
    let year = app.year;
    match release_file(app, year, r.number, path) {
        Some(bytes) => {
            if r.published_at.is_none() {
                let c = app.db.conn()?;
                db::audit(
                    &c,
                    Some(s.person.id),
                    None,
                    "pre-release access",
                    &format!("release {} of {year}: {path}", r.number),
                )?;
            }
            Ok(serve_file(path, bytes))
        }
        None => Ok(not_found(app, Some(s))),
    }
}

/// Publishes a checked release (the form confirms it).
pub(super) fn publish(
    app: &App,
    s: &Session,
    r: db::Release,
    form: &[(String, String)],
) -> Result<Response> {
    if !form.iter().any(|(k, v)| k == "confirm" && v == "yes") {
        return show_with(
            app,
            s,
            r,
            Some("Confirm that the release has been checked and may be published"),
        );
    }
    let date = release_date(app, r.number).unwrap_or_default();
    let long = crate::config::Date::parse(&date).map_or_else(|| date.clone(), super::window::long);
    let notices = super::notices::published(app, &long)?;
    match db::publish_release(
        &mut *app.db.conn()?,
        app.year,
        r.number,
        s.person.id,
        &date,
        &notices,
    ) {
        Ok(()) => {
            app.wake_mailer();
            super::internal::make_internal_editions(app, r.number);
            Ok(Response::redirect(&format!("/admin/releases/{}", r.number)))
        }
        Err(db::DbError::Refused(why)) => show_with(app, s, r, Some(why)),
        Err(e) => Err(e),
    }
}

pub(super) fn with_release(
    app: &App,
    s: &Session,
    n: &str,
    f: impl FnOnce(db::Release) -> Result<Response>,
) -> Result<Response> {
    let Some(n) = n.parse::<i64>().ok().filter(|n| *n > 0 && *n < 1_000_000) else {
        return Ok(not_found(app, Some(s)));
    };
    match db::release(&*app.db.conn()?, app.year, n)? {
        Some(r) => f(r),
        None => Ok(not_found(app, Some(s))),
    }
}

fn release_date(app: &App, number: i64) -> Option<String> {
    contents(app, app.year, number)?.release_date.clone()
}

pub(super) fn list(app: &App, s: &Session) -> Result<Response> {
    list_with(app, s, None, &[])
}

/// The releases page, with the run form (its values kept, and its error,
/// after a refused start). The form states the release's coverage, and
/// below `service.min_release_share` of the register asks for an explicit
/// confirmation; the release date is today unless the team sets another.
fn list_with(
    app: &App,
    s: &Session,
    error: Option<(&str, &str)>,
    form: &[(String, String)],
) -> Result<Response> {
    let c = app.db.conn()?;
    let signed = db::signed_off_returns(&c, app.year)?.len();
    let invited: std::collections::BTreeSet<String> = db::people(&c, None)?
        .into_iter()
        .filter(|p| p.revoked_at.is_none())
        .filter_map(|p| p.council.map(|c| c.0))
        .collect();
    let releases = db::releases(&c, app.year)?;
    let (y, m, d) = crate::format::civil_date(db::now().div_euclid(86_400));
    let value = |k: &str, default: String| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or(default)
    };
    Ok(page(
        app,
        Some(s),
        if error.is_some() { 400 } else { 200 },
        "releases.html",
        &format!("Releases of {}", app.year),
        json!({
            "releases": releases,
            "signed": signed,
            "invited": invited.len(),
            "register": app.register.len(),
            "low": (signed as f64) < app.config.service.min_release_share * app.register.len() as f64,
            "min_share": app.config.service.min_release_share,
            "day": value("day", d.to_string()),
            "month": value("month", m.to_string()),
            "year_field": value("year", y.to_string()),
            "error": error.map(|(field, text)| json!({"field": field, "text": text})),
            "running": app.release_progress.lock().ok().and_then(|p| *p),
        }),
    ))
}

/// Starts the national batch on the signed-off returns, on a thread of its
/// own; the page shows how far it has gone.
pub(super) fn start(app: &App, s: &Session, form: &[(String, String)]) -> Result<Response> {
    let field = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    // The release date printed in the reports: a real calendar date.
    // (A form without the three fields, as a script sends it: today.)
    let (y, m, d) = crate::format::civil_date(db::now().div_euclid(86_400));
    let (yy, mm, dd) = if ["day", "month", "year"].iter().all(|k| field(k).is_empty()) {
        (y.to_string(), m.to_string(), d.to_string())
    } else {
        (field("year"), field("month"), field("day"))
    };
    let date = crate::config::Date::parse(&format!("{yy:0>4}-{mm:0>2}-{dd:0>2}"));
    let Some(date) = date else {
        return list_with(
            app,
            s,
            Some((
                "release-date",
                "Enter a real release date, for example 31 3 2026",
            )),
            form,
        );
    };
    let mut c = app.db.conn()?;
    let signed = db::signed_off_returns(&c, app.year)?;
    // Few councils: only on purpose.
    let low =
        (signed.len() as f64) < app.config.service.min_release_share * app.register.len() as f64;
    if low && !signed.is_empty() && field("coverage") != "confirmed" {
        drop(c);
        return list_with(
            app,
            s,
            Some((
                "coverage",
                "Confirm that the release may cover this few councils, or wait for more returns",
            )),
            form,
        );
    }
    if signed.is_empty() {
        return Ok(page(
            app,
            Some(s),
            409,
            "message.html",
            "Nothing to release yet",
            json!({"lines": ["No council's return is signed off yet."], "link": {"href": "/admin/releases", "text": "Back to releases"}}),
        ));
    }
    let r = match db::start_release(&mut c, app.year, s.person.id, signed.len() as i64) {
        Ok(r) => r,
        Err(db::DbError::Refused(why)) => {
            return Ok(page(
                app,
                Some(s),
                409,
                "message.html",
                "A release is running",
                json!({"lines": [why], "link": {"href": "/admin/releases", "text": "Back to releases"}}),
            ));
        }
        Err(e) => return Err(e),
    };
    drop(c);
    let files: Vec<(String, Vec<u8>)> = signed
        .into_iter()
        .map(|(code, kind, bytes)| (format!("{}.{kind}", code.0), bytes))
        .collect();
    let previous: Option<PathBuf> = db::published_release(&*app.db.conn()?, app.year)?
        .map(|p| folder(app, app.year, p.number).year_dir(app.year));
    let (dbh, progress, data, year, fault) = (
        app.db.clone(),
        app.release_progress.clone(),
        app.data.clone(),
        app.year,
        app.release_fault,
    );
    let target = folder(app, year, r.number);
    if let Ok(mut p) = progress.lock() {
        *p = Some((0, 0));
    }
    std::thread::spawn(move || {
        let tell = |p: crate::run::Progress| {
            if let Ok(mut g) = progress.lock() {
                let (done, total) = g.unwrap_or((0, 0));
                *g = Some(match p {
                    crate::run::Progress::Prepared { reports } => (0, reports),
                    crate::run::Progress::Rendered => (done + 1, total),
                });
            }
        };
        // A panic anywhere in the run is caught here: the release is marked
        // failed with its message, and the next run may start.
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            if let Some(fault) = fault {
                fault();
            }
            let inputs = release::inputs(&data, year, &files, date)?;
            let mut c = dbh.conn().map_err(|e| anyhow::anyhow!("{e}"))?;
            db::save_release_inputs(&mut c, r.id, inputs.files())
                .map_err(|e| anyhow::anyhow!("recording the release's inputs: {e}"))?;
            drop(c);
            release::run(&target, &inputs, year, previous, &tell)
        }));
        let outcome = outcome.unwrap_or_else(|p| {
            let why = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no message".into());
            Err(anyhow::anyhow!(
                "the run failed inside scwres ({why}); this is a fault of the program, not of the returns: report it, and run the release again"
            ))
        });
        let (ok, message) = match outcome {
            Ok(sum) => (
                sum.failures.is_empty(),
                format!(
                    "{} returns accepted, {} rejected; the national report and {} local reports{}",
                    sum.accepted,
                    sum.rejected,
                    sum.local_reports,
                    if sum.failures.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "; {} problems: {}",
                            sum.failures.len(),
                            sum.failures.join("; ")
                        )
                    }
                ),
            ),
            Err(e) => (false, format!("{e:#}")),
        };
        if let Ok(c) = dbh.conn() {
            let _ = db::finish_release(&c, r.id, ok, &message);
        }
        if let Ok(mut g) = progress.lock() {
            *g = None;
        }
    });
    Ok(Response::redirect(&format!("/admin/releases/{}", r.number)))
}

pub(super) fn show(app: &App, s: &Session, r: db::Release) -> Result<Response> {
    show_with(app, s, r, None)
}

fn show_with(app: &App, s: &Session, r: db::Release, error: Option<&str>) -> Result<Response> {
    // Every file of the release, for the private check: the national
    // report and tables first, then every local report, then the charts.
    let all: Vec<String> = contents(app, app.year, r.number)
        .map(|c| c.files.clone())
        .unwrap_or_default();
    let (charts, rest): (Vec<String>, Vec<String>) =
        all.into_iter().partition(|f| f.contains("/charts/"));
    let (local, files): (Vec<String>, Vec<String>) = rest
        .into_iter()
        .partition(|f| f.starts_with("public/local/"));
    let newest_published = db::published_release(&*app.db.conn()?, app.year)?.map(|p| p.number);
    Ok(page(
        app,
        Some(s),
        if error.is_some() { 400 } else { 200 },
        "release.html",
        &format!("Release {} of {}", r.number, app.year),
        json!({
            "release": r,
            "files": files,
            "local": local,
            "charts": charts,
            "release_date": release_date(app, r.number),
            "progress": if r.status == "running" { app.release_progress.lock().ok().and_then(|p| *p) } else { None },
            "error": error,
            "live": newest_published == Some(r.number),
        }),
    ))
}

/// The release as one zip: its public folder and its manifest.
pub(super) fn zip_release(app: &App, s: &Session, r: db::Release) -> Result<Response> {
    let Some(c) = contents(app, app.year, r.number) else {
        return Ok(not_found(app, Some(s)));
    };
    let mut files = vec![("manifest.json".to_string(), "manifest.json".to_string())];
    files.extend(
        c.files
            .iter()
            .filter(|f| f.starts_with("public/"))
            .map(|f| (f.clone(), f.clone())),
    );
    let mut out = Vec::new();
    for (name, path) in files {
        let bytes = if path == "manifest.json" {
            std::fs::read(
                folder(app, app.year, r.number)
                    .year_dir(app.year)
                    .join("manifest.json"),
            )
            .ok()
        } else {
            release_file(app, app.year, r.number, &path)
        };
        match bytes {
            Some(b) => out.push((format!("sc-wres-{}/{name}", app.year), b)),
            None => {
                return Ok(failure(
                    app,
                    &format!("release {}: {path} does not match its manifest", r.number),
                ));
            }
        }
    }
    zip_download(
        app,
        s,
        &r,
        "the zip",
        &format!("sc-wres-{}-release-{}.zip", app.year, r.number),
        &out,
    )
}

/// `/releases/<year>/…`: the newest published release of a year, to
/// anyone, without signing in.
pub fn public(app: &App, s: Option<&Session>, year: &str, path: &[&str]) -> Response {
    let Some(year) = year
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2200).contains(y))
    else {
        return not_found(app, s);
    };
    if path.is_empty() || path == [""] {
        return Response::redirect(&format!("/releases/{year}/index.html"));
    }
    // `/releases/<year>/release-<n>/…`: an earlier published release, kept
    // at its own address.
    let (number, path) = match path[0]
        .strip_prefix("release-")
        .and_then(|n| n.parse::<i64>().ok())
    {
        Some(n) => (Some(n), &path[1..]),
        None => (None, path),
    };
    let found = app
        .db
        .conn()
        .map_err(Into::into)
        .and_then(|c| match number {
            None => db::published_release(&c, year),
            Some(n) => db::release(&c, year, n).map(|r| r.filter(|r| r.published_at.is_some())),
        });
    let r = match found {
        Ok(Some(r)) => r,
        Ok(None) => return not_found(app, s),
        Err(e) => return failure(app, &e),
    };
    let path = format!("public/{}", path.join("/"));
    match release_file(app, year, r.number, &path) {
        Some(bytes) => serve_file(&path, bytes),
        None => not_found(app, s),
    }
}

/// The newest published release of the collection year, if any.
pub(super) fn newest_published(app: &App) -> Option<db::Release> {
    let c = app.db.conn().ok()?;
    db::published_release(&c, app.year).ok().flatten()
}
