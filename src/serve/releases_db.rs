//! Storage of the releases run from the service and of the councils'
//! action plans. Part of the database layer (`db`).

use super::db::{DbError, Result, audit, now};
use super::ids::{CouncilCode, PersonId, Version};
use rusqlite::{Connection, OptionalExtension as _, TransactionBehavior, params};

/// A release run from the service.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Release {
    pub id: i64,
    pub year: i32,
    pub number: i64,
    pub by: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    /// `running`, `ready` or `failed`.
    pub status: String,
    pub message: String,
    pub returns: i64,
    pub published_at: Option<i64>,
}

const RELEASE: &str =
    "SELECT r.id, r.year, r.number, p.email, r.started_at, r.finished_at, r.status,
    r.message, r.returns, r.published_at FROM release r JOIN person p ON p.id = r.person";

fn release_row(r: &rusqlite::Row) -> rusqlite::Result<Release> {
    Ok(Release {
        id: r.get(0)?,
        year: r.get(1)?,
        number: r.get(2)?,
        by: r.get(3)?,
        started_at: r.get(4)?,
        finished_at: r.get(5)?,
        status: r.get(6)?,
        message: r.get(7)?,
        returns: r.get(8)?,
        published_at: r.get(9)?,
    })
}

/// Starts a release of `year`: its number, or refused while another runs.
pub fn start_release(c: &mut Connection, year: i32, by: PersonId, returns: i64) -> Result<Release> {
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let running: i64 = tx
        .prepare_cached("SELECT COUNT(*) FROM release WHERE status = 'running'")?
        .query_row([], |r| r.get(0))?;
    if running > 0 {
        return Err(DbError::Refused(
            "a release is running already; wait for it to finish",
        ));
    }
    let number: i64 = tx
        .prepare_cached("SELECT COALESCE(MAX(number), 0) + 1 FROM release WHERE year = ?1")?
        .query_row([year], |r| r.get(0))?;
    tx.prepare_cached("INSERT INTO release (year, number, person, started_at, status, returns) VALUES (?1, ?2, ?3, ?4, 'running', ?5)")?.execute(params![year, number, by.0, now(), returns])?;
    let id = tx.last_insert_rowid();
    audit(
        &tx,
        Some(by),
        None,
        "release run",
        &format!("release {number} of {year} started on {returns} signed-off returns"),
    )?;
    let r = tx
        .prepare_cached(&format!("{RELEASE} WHERE r.id = ?1"))?
        .query_row([id], release_row)?;
    tx.commit()?;
    Ok(r)
}

/// Records how a release run ended.
pub fn finish_release(c: &Connection, id: i64, ok: bool, message: &str) -> Result<()> {
    c.prepare_cached("UPDATE release SET status = ?2, finished_at = ?3, message = ?4 WHERE id = ?1 AND status = 'running'")?.execute(params![id, if ok { "ready" } else { "failed" }, now(), message])?;
    Ok(())
}

/// Records a release's inputs, every file by its name in a data folder
/// (`report.yaml`, `returns/2025/x.csv`): what went in, from which the
/// release can be made again, and later jobs (reports with a plan, the
/// internal editions) read. Written once, before the run.
pub fn save_release_inputs<'a>(
    c: &mut Connection,
    id: i64,
    files: impl Iterator<Item = (&'a str, &'a [u8])>,
) -> Result<()> {
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    {
        let mut st = tx.prepare_cached(
            "INSERT INTO release_input (release, path, bytes) VALUES (?1, ?2, ?3)",
        )?;
        for (path, bytes) in files {
            st.execute(params![id, path, bytes])?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// A release's recorded inputs, by name (none for a release recorded
/// before inputs were kept in the database).
pub fn release_inputs(c: &Connection, id: i64) -> Result<Vec<(String, Vec<u8>)>> {
    let mut st =
        c.prepare_cached("SELECT path, bytes FROM release_input WHERE release = ?1 ORDER BY path")?;
    let rows = st
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Runs that were going when the service stopped did not finish.
pub fn fail_interrupted_releases(c: &Connection) -> Result<()> {
    c.prepare_cached("UPDATE release SET status = 'failed', finished_at = ?1, message = 'the service stopped during the run; run it again' WHERE status = 'running'")?.execute([now()])?;
    Ok(())
}

/// The releases of a year, newest first.
pub fn releases(c: &Connection, year: i32) -> Result<Vec<Release>> {
    let mut st = c.prepare_cached(&format!(
        "{RELEASE} WHERE r.year = ?1 ORDER BY r.number DESC"
    ))?;
    let rows = st
        .query_map([year], release_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn release(c: &Connection, year: i32, number: i64) -> Result<Option<Release>> {
    Ok(
        c.prepare_cached(&format!("{RELEASE} WHERE r.year = ?1 AND r.number = ?2"))?
            .query_row(params![year, number], release_row)
            .optional()?,
    )
}

/// The newest published release of a year: what its public addresses serve.
pub fn published_release(c: &Connection, year: i32) -> Result<Option<Release>> {
    Ok(c.prepare_cached(&format!(
        "{RELEASE} WHERE r.year = ?1 AND r.published_at IS NOT NULL ORDER BY r.number DESC LIMIT 1"
    ))?
    .query_row([year], release_row)
    .optional()?)
}

/// Publishes a ready release: from now on its public part is public.
pub fn publish_release(
    c: &mut Connection,
    year: i32,
    number: i64,
    by: PersonId,
    release_date: &str,
    notices: &[super::outbox_db::Outgoing],
) -> Result<()> {
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let Some(r) = release(&tx, year, number)? else {
        return Err(DbError::Refused("no such release"));
    };
    if r.status != "ready" || r.published_at.is_some() {
        return Err(DbError::Refused(
            "only a finished release that is not yet published can be published",
        ));
    }
    if let Some(newer) = releases(&tx, year)?
        .into_iter()
        .find(|x| x.number > number && x.status == "ready")
    {
        let _ = newer;
        return Err(DbError::Refused(
            "a newer release of the year is ready; publish that one",
        ));
    }
    tx.prepare_cached("UPDATE release SET published_at = ?2, published_by = ?3, editions = 'pending' WHERE id = ?1")?.execute(params![r.id, now(), by.0])?;
    audit(
        &tx,
        Some(by),
        None,
        "publish",
        &format!("release {number} of {year} published, release date {release_date}"),
    )?;
    super::outbox_db::queue_all(&tx, notices)?;
    tx.commit()?;
    Ok(())
}

/// What became of a release's internal editions: `done`, or `failed: …`.
pub fn set_editions(c: &Connection, year: i32, number: i64, state: &str) -> Result<()> {
    c.prepare_cached("UPDATE release SET editions = ?3 WHERE year = ?1 AND number = ?2")?
        .execute(params![year, number, state])?;
    Ok(())
}

/// The published releases of a year whose internal editions are not made.
pub fn pending_editions(c: &Connection, year: i32) -> Result<Vec<i64>> {
    let mut st = c.prepare_cached(
        "SELECT number FROM release WHERE year = ?1 AND editions = 'pending' ORDER BY number",
    )?;
    let rows = st
        .query_map([year], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    Ok(rows)
}

/// A version of a council's action plan, and the release its report was
/// made against.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Plan {
    pub id: i64,
    pub version: Version,
    pub by: String,
    pub at: i64,
    pub release: i64,
    pub file_name: String,
    pub sha256: String,
    /// `None` while its report is being made (or if the service stopped).
    pub ok: Option<bool>,
    #[serde(skip)]
    pub problems: String,
}

const PLAN: &str =
    "SELECT l.id, l.version, p.email, l.at, r.number, l.file_name, l.sha256, l.ok, l.problems
    FROM plan l JOIN person p ON p.id = l.person JOIN release r ON r.id = l.release";

fn plan_row(r: &rusqlite::Row) -> rusqlite::Result<Plan> {
    Ok(Plan {
        id: r.get(0)?,
        version: Version(r.get(1)?),
        by: r.get(2)?,
        at: r.get(3)?,
        release: r.get(4)?,
        file_name: r.get(5)?,
        sha256: r.get(6)?,
        ok: r.get(7)?,
        problems: r.get(8)?,
    })
}

/// Stores a plan as the council's next version, against a release (its
/// number); its report is made next.
pub fn add_plan(
    c: &mut Connection,
    council: &CouncilCode,
    year: i32,
    release_number: i64,
    person: PersonId,
    file_name: &str,
    bytes: &[u8],
) -> Result<Version> {
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let release: i64 = tx
        .prepare_cached("SELECT id FROM release WHERE year = ?1 AND number = ?2")?
        .query_row(params![year, release_number], |r| r.get(0))?;
    let version: i64 = tx
        .prepare_cached(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM plan WHERE council = ?1 AND year = ?2",
        )?
        .query_row(params![council.0, year], |r| r.get(0))?;
    let sha = crate::digest::sha256_hex(bytes);
    tx.prepare_cached("INSERT INTO plan (council, year, version, person, at, release, file_name, sha256, bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")?.execute(params![council.0, year, version, person.0, now(), release, file_name, sha, bytes])?;
    audit(
        &tx,
        Some(person),
        Some(council),
        "action plan",
        &format!("plan version {version}: {file_name} (sha256 {sha})"),
    )?;
    tx.commit()?;
    Ok(Version(version))
}

/// Records whether a plan's report was made, with the plan's problems.
pub fn plan_done(
    c: &Connection,
    council: &CouncilCode,
    year: i32,
    v: Version,
    ok: bool,
    problems: &str,
) -> Result<()> {
    c.prepare_cached(
        "UPDATE plan SET ok = ?4, problems = ?5 WHERE council = ?1 AND year = ?2 AND version = ?3",
    )?
    .execute(params![council.0, year, v.0, ok, problems])?;
    Ok(())
}

/// A council's plans of a year, newest first.
pub fn plans(c: &Connection, council: &CouncilCode, year: i32) -> Result<Vec<Plan>> {
    let mut st = c.prepare_cached(&format!(
        "{PLAN} WHERE l.council = ?1 AND l.year = ?2 ORDER BY l.version DESC"
    ))?;
    let rows = st
        .query_map(params![council.0, year], plan_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// A plan's bytes.
pub fn plan_bytes(c: &Connection, id: i64) -> Result<Vec<u8>> {
    Ok(c.prepare_cached("SELECT bytes FROM plan WHERE id = ?1")?
        .query_row([id], |r| r.get(0))?)
}
