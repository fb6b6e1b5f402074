//! Each council's internal edition of a published release (exact figures,
//! for the council alone): made once the release is published, listed and
//! served on the council's own pages.

use super::App;
use super::http::Response;
use super::ids::CouncilCode;
use super::releases::{folder, newest_published, serve_file};
use super::routes::{Session, not_found};
use crate::run::release;
use std::path::PathBuf;

/// Where a council's internal edition of a release is kept.
pub(super) fn internal_dir(app: &App, number: i64, code: &str) -> PathBuf {
    folder(app, app.year, number)
        .root
        .join("internal-local")
        .join(code)
}

/// Once a release is published, each council's internal edition (exact
/// figures, for the council alone) is made on a thread of its own, from the
/// release's own inputs; a council's page lists it when it is there. The
/// job is recorded (`release.editions`): pending from publication, then
/// done or failed; a pending one, cut short by a stop, is made again when
/// the service starts ([`resume`]).
pub(super) fn make_internal_editions(app: &App, number: i64) {
    let (year, target) = (app.year, folder(app, app.year, number));
    let found = super::db::release(
        &*match app.db.conn() {
            Ok(c) => c,
            Err(e) => return eprintln!("scwres serve: internal editions of release {number}: {e}"),
        },
        year,
        number,
    );
    let inputs = match found {
        Ok(Some(r)) => super::releases::inputs_of(app, &r),
        Ok(None) => Err(anyhow::anyhow!("no such release")),
        Err(e) => Err(anyhow::anyhow!("{e}")),
    };
    let dirs: Vec<(String, PathBuf)> = inputs
        .as_ref()
        .map(|m| release::councils(m, year))
        .unwrap_or_default()
        .into_iter()
        .map(|c| {
            let d = internal_dir(app, number, &c);
            (c, d)
        })
        .collect();
    let dbh = app.db.clone();
    std::thread::spawn(move || {
        let made = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            inputs.and_then(|m| release::internal_editions(&target, &m, year, &dirs))
        }));
        let state = match made {
            Ok(Ok(failed)) if failed.is_empty() => "done".to_string(),
            Ok(Ok(failed)) => {
                for (code, e) in &failed {
                    eprintln!("scwres serve: internal edition of {code}: {e:#}");
                }
                let codes: Vec<&str> = failed.iter().map(|(c, _)| c.as_str()).collect();
                format!("failed: {}", codes.join(", "))
            }
            Ok(Err(e)) => {
                eprintln!("scwres serve: internal editions: {e:#}");
                format!("failed: {e:#}")
            }
            Err(_) => "failed: the program stopped on a fault".to_string(),
        };
        if let Err(e) = dbh.conn().map_err(|e| e.to_string()).and_then(|c| {
            super::db::set_editions(&c, year, number, &state).map_err(|e| e.to_string())
        }) {
            eprintln!("scwres serve: internal editions of release {number}: {e}");
        }
    });
}

/// Makes again the internal editions a stop cut short.
pub(super) fn resume(app: &App) -> Result<(), super::db::DbError> {
    for number in super::db::pending_editions(&*app.db.conn()?, app.year)? {
        eprintln!("scwres serve: making release {number}'s internal editions again");
        make_internal_editions(app, number);
    }
    Ok(())
}

/// A council's internal edition files of the newest published release.
pub fn internal_files(app: &App, code: &CouncilCode) -> Vec<String> {
    let Some(r) = newest_published(app) else {
        return Vec::new();
    };
    let mut names: Vec<String> = std::fs::read_dir(internal_dir(app, r.number, &code.0))
        .map(|rd| {
            rd.filter_map(|e| e.ok()?.file_name().into_string().ok())
                .filter(|n| {
                    n.starts_with(&format!("{}-", code.0))
                        && (n.ends_with(".pdf") || n.ends_with(".html"))
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// `/council/report/internal/<file>`: the council's own internal edition.
pub fn council_internal_file(app: &App, s: &Session, code: &CouncilCode, name: &str) -> Response {
    let Some(r) =
        newest_published(app).filter(|_| internal_files(app, code).iter().any(|n| n == name))
    else {
        return not_found(app, Some(s));
    };
    match std::fs::read(internal_dir(app, r.number, &code.0).join(name)) {
        Ok(b) => serve_file(name, b),
        Err(_) => not_found(app, Some(s)),
    }
}
