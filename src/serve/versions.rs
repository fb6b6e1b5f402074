//! Storage of a council's uploads (every one kept as a version) and of its
//! sign-offs. Part of the database layer (`db`).

use super::db::{DbError, Result, audit, now};
use super::ids::{CouncilCode, PersonId, Version};
use rusqlite::{Connection, OptionalExtension as _, TransactionBehavior, params};

/// An upload as stored (without its bytes).
#[derive(Clone, Debug, serde::Serialize)]
pub struct Upload {
    pub id: i64,
    pub version: Version,
    pub council: CouncilCode,
    pub year: i32,
    pub by: String,
    pub at: i64,
    pub file_name: String,
    pub kind: String,
    pub sha256: String,
    pub size: i64,
    pub clean: bool,
    pub errors: i64,
    pub warnings: i64,
    /// The diagnostics, as JSON.
    #[serde(skip)]
    pub problems: String,
    /// The council's own figures (clean versions), as JSON.
    #[serde(skip)]
    pub figures: Option<String>,
    /// What changed since the previous clean version, as JSON.
    #[serde(skip)]
    pub changes: Option<String>,
    /// The queries the council answers before sign-off, as JSON.
    #[serde(skip)]
    pub queries: Option<String>,
}

/// A new upload, checked.
pub struct NewUpload<'a> {
    pub council: &'a CouncilCode,
    pub year: i32,
    pub person: PersonId,
    pub file_name: &'a str,
    pub kind: &'a str,
    pub sha256: &'a str,
    pub bytes: &'a [u8],
    pub clean: bool,
    pub errors: i64,
    pub warnings: i64,
    pub problems: &'a str,
    pub figures: Option<&'a str>,
    pub changes: Option<&'a str>,
    /// The queries of a clean version, as JSON.
    pub queries: Option<&'a str>,
}

const UPLOAD: &str =
    "SELECT u.id, u.version, u.council, u.year, p.email, u.at, u.file_name, u.kind,
    u.sha256, u.size, u.clean, u.errors, u.warnings, u.problems, u.figures, u.changes,
    u.queries
    FROM upload u JOIN person p ON p.id = u.person";

fn upload_row(r: &rusqlite::Row) -> rusqlite::Result<Upload> {
    Ok(Upload {
        id: r.get(0)?,
        version: Version(r.get(1)?),
        council: CouncilCode(r.get(2)?),
        year: r.get(3)?,
        by: r.get(4)?,
        at: r.get(5)?,
        file_name: r.get(6)?,
        kind: r.get(7)?,
        sha256: r.get(8)?,
        size: r.get(9)?,
        clean: r.get(10)?,
        errors: r.get(11)?,
        warnings: r.get(12)?,
        problems: r.get(13)?,
        figures: r.get(14)?,
        changes: r.get(15)?,
        queries: r.get(16)?,
    })
}

/// Stores an upload as the council's next version, in one transaction
/// taken before the version number is read: two uploads at once get two
/// whole versions, one after the other. Refused while the return is
/// signed off.
pub fn add_upload(
    c: &mut Connection,
    u: &NewUpload,
    quota: Quota,
    notices: &[super::outbox_db::Outgoing],
) -> Result<Version> {
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if current_sign_off(&tx, u.council, u.year)?.is_some() {
        return Err(DbError::Refused(
            "the return is signed off; the national team must reopen it before another upload",
        ));
    }
    // The same bytes as the newest version: that version, not a new one.
    if let Some(v) = same_as_newest(&tx, u.council, u.year, u.sha256)? {
        return Ok(v);
    }
    // The council's uploads of the last 24 hours against its quota: when
    // over, the time the oldest of them leaves the window.
    let (n, bytes, oldest): (i64, i64, Option<i64>) = tx.prepare_cached("SELECT COUNT(*), COALESCE(SUM(size), 0), MIN(at) FROM upload WHERE council = ?1 AND at > ?2")?.query_row(params![u.council.0, now() - 86_400],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    let cap = i64::try_from(quota.bytes).unwrap_or(i64::MAX);
    if n >= i64::from(quota.versions) || bytes.saturating_add(u.bytes.len() as i64) > cap {
        return Err(DbError::Quota {
            until: oldest.unwrap_or_else(now) + 86_400,
        });
    }
    let version: i64 = tx
        .prepare_cached(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM upload WHERE council = ?1 AND year = ?2",
        )?
        .query_row(params![u.council.0, u.year], |r| r.get(0))?;
    tx.prepare_cached("INSERT INTO upload (council, year, version, person, at, file_name, kind, sha256, size, bytes, clean, errors, warnings, problems, figures, changes, queries)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)")?.execute(params![
            u.council.0,
            u.year,
            version,
            u.person.0,
            now(),
            u.file_name,
            u.kind,
            u.sha256,
            u.bytes.len() as i64,
            u.bytes,
            u.clean,
            u.errors,
            u.warnings,
            u.problems,
            u.figures,
            u.changes,
            u.queries
        ])?;
    audit(
        &tx,
        Some(u.person),
        Some(u.council),
        "upload",
        &format!(
            "version {version}: {} ({} bytes, sha256 {}), {} errors, {} warnings",
            u.file_name,
            u.bytes.len(),
            u.sha256,
            u.errors,
            u.warnings
        ),
    )?;
    super::outbox_db::queue_all(&tx, notices)?;
    tx.commit()?;
    Ok(Version(version))
}

/// What a council may store a day.
#[derive(Clone, Copy, Debug)]
pub struct Quota {
    pub versions: u32,
    pub bytes: u64,
}

/// The newest version of a council's year, if its bytes hash to `sha256`.
pub fn same_as_newest(
    c: &Connection,
    council: &CouncilCode,
    year: i32,
    sha256: &str,
) -> Result<Option<Version>> {
    Ok(c.prepare_cached("SELECT version, sha256 FROM upload WHERE council = ?1 AND year = ?2 ORDER BY version DESC LIMIT 1")?.query_row(params![council.0, year],
        |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
    .optional()?
    .filter(|(_, s)| s == sha256)
    .map(|(v, _)| Version(v)))
}

/// A council's uploads of a year, newest first.
pub fn uploads(c: &Connection, council: &CouncilCode, year: i32) -> Result<Vec<Upload>> {
    let mut st = c.prepare_cached(&format!(
        "{UPLOAD} WHERE u.council = ?1 AND u.year = ?2 ORDER BY u.version DESC"
    ))?;
    let rows = st
        .query_map(params![council.0, year], upload_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// One of a council's uploads, by its version: only ever the council's own.
pub fn upload(
    c: &Connection,
    council: &CouncilCode,
    year: i32,
    v: Version,
) -> Result<Option<Upload>> {
    Ok(c.prepare_cached(&format!(
        "{UPLOAD} WHERE u.council = ?1 AND u.year = ?2 AND u.version = ?3"
    ))?
    .query_row(params![council.0, year, v.0], upload_row)
    .optional()?)
}

/// The bytes of an upload, as the council sent them.
pub fn upload_bytes(c: &Connection, id: i64) -> Result<Vec<u8>> {
    Ok(c.prepare_cached("SELECT bytes FROM upload WHERE id = ?1")?
        .query_row([id], |r| r.get(0))?)
}

/// A sign-off of a return.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SignOff {
    pub id: i64,
    pub upload: i64,
    pub version: Version,
    pub by: String,
    pub signer_name: String,
    pub signed_at: i64,
    pub reopened_at: Option<i64>,
    pub reopen_reason: Option<String>,
}

const SIGN_OFF: &str = "SELECT s.id, s.upload, u.version, p.email, s.signer_name, s.signed_at,
    s.reopened_at, s.reopen_reason
    FROM sign_off s JOIN upload u ON u.id = s.upload JOIN person p ON p.id = s.person";

fn sign_off_row(r: &rusqlite::Row) -> rusqlite::Result<SignOff> {
    Ok(SignOff {
        id: r.get(0)?,
        upload: r.get(1)?,
        version: Version(r.get(2)?),
        by: r.get(3)?,
        signer_name: r.get(4)?,
        signed_at: r.get(5)?,
        reopened_at: r.get(6)?,
        reopen_reason: r.get(7)?,
    })
}

/// The sign-off in force, if the return is signed off.
pub fn current_sign_off(
    c: &Connection,
    council: &CouncilCode,
    year: i32,
) -> Result<Option<SignOff>> {
    Ok(c.prepare_cached(&format!(
        "{SIGN_OFF} WHERE s.council = ?1 AND s.year = ?2 AND s.reopened_at IS NULL"
    ))?
    .query_row(params![council.0, year], sign_off_row)
    .optional()?)
}

/// One answer to a query of a version.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Answer {
    pub key: String,
    pub text: String,
    pub by: String,
    pub at: i64,
}

/// How many of a version's queries have no answer.
pub fn unanswered(c: &Connection, u: &Upload) -> Result<usize> {
    let keys: Vec<String> = u
        .queries
        .as_deref()
        .and_then(|j| serde_json::from_str::<Vec<serde_json::Value>>(j).ok())
        .unwrap_or_default()
        .iter()
        .filter_map(|q| q.get("key")?.as_str().map(str::to_string))
        .collect();
    let answered: Vec<String> = answers(c, u.id)?.into_iter().map(|a| a.key).collect();
    Ok(keys.iter().filter(|k| !answered.contains(k)).count())
}

/// The answers given to a version's queries.
pub fn answers(c: &Connection, upload: i64) -> Result<Vec<Answer>> {
    let mut st = c.prepare_cached(
        "SELECT a.key, a.text, p.email, a.at FROM answer a JOIN person p ON p.id = a.person
         WHERE a.upload = ?1 ORDER BY a.id",
    )?;
    let rows = st
        .query_map([upload], |r| {
            Ok(Answer {
                key: r.get(0)?,
                text: r.get(1)?,
                by: r.get(2)?,
                at: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Keeps the council's answers to a version's queries (`(key, text)`),
/// an answer given again replacing the earlier one, with an audit line;
/// refused once the return is signed off.
pub fn answer(
    c: &mut Connection,
    u: &Upload,
    person: PersonId,
    given: &[(String, String)],
) -> Result<()> {
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if current_sign_off(&tx, &u.council, u.year)?.is_some() {
        return Err(DbError::Refused(
            "the return is signed off; its answers can no longer change",
        ));
    }
    for (key, text) in given {
        tx.prepare_cached("INSERT INTO answer (upload, key, text, person, at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (upload, key) DO UPDATE SET text = excluded.text, person = excluded.person, at = excluded.at")?.execute(params![u.id, key, text, person.0, now()])?;
    }
    audit(
        &tx,
        Some(person),
        Some(&u.council),
        "answer queries",
        &format!(
            "{} answers to the queries of version {}",
            given.len(),
            u.version.0
        ),
    )?;
    tx.commit()?;
    Ok(())
}

/// The council's newest sign-off, if it was reopened and not signed off
/// again since: its reason is shown until the return is signed off again.
pub fn reopened(c: &Connection, council: &CouncilCode, year: i32) -> Result<Option<SignOff>> {
    Ok(sign_offs(c, council, year)?
        .into_iter()
        .next()
        .filter(|s| s.reopened_at.is_some()))
}

/// Every sign-off of a council's return, newest first (reopened ones too).
pub fn sign_offs(c: &Connection, council: &CouncilCode, year: i32) -> Result<Vec<SignOff>> {
    let mut st = c.prepare_cached(&format!(
        "{SIGN_OFF} WHERE s.council = ?1 AND s.year = ?2 ORDER BY s.id DESC"
    ))?;
    let rows = st
        .query_map(params![council.0, year], sign_off_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Signs off a version: it must be the newest and clean, and the return
/// not signed off already.
pub fn sign_off(
    c: &mut Connection,
    council: &CouncilCode,
    year: i32,
    v: Version,
    person: PersonId,
    signer_name: &str,
    notices: &[super::outbox_db::Outgoing],
) -> Result<()> {
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if current_sign_off(&tx, council, year)?.is_some() {
        return Err(DbError::Refused("the return is already signed off"));
    }
    let newest = uploads(&tx, council, year)?.into_iter().next();
    let Some(u) = newest.filter(|u| u.version == v) else {
        return Err(DbError::Refused(
            "a newer version has been uploaded since; check it before signing off",
        ));
    };
    if !u.clean {
        return Err(DbError::Refused(
            "this version has errors; upload a corrected return first",
        ));
    }
    if unanswered(&tx, &u)? > 0 {
        return Err(DbError::Refused(
            "this version has queries without an answer; answer each on the version's page first",
        ));
    }
    tx.prepare_cached("INSERT INTO sign_off (council, year, upload, person, signer_name, signed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?.execute(params![council.0, year, u.id, person.0, signer_name, now()])?;
    audit(
        &tx,
        Some(person),
        Some(council),
        "sign off",
        &format!("version {} signed off by {signer_name}", v.0),
    )?;
    super::outbox_db::queue_all(&tx, notices)?;
    tx.commit()?;
    Ok(())
}

/// Reopens a signed-off return, with the reason the national team gives.
pub fn reopen(
    c: &mut Connection,
    council: &CouncilCode,
    year: i32,
    by: PersonId,
    reason: &str,
    notices: &[super::outbox_db::Outgoing],
) -> Result<()> {
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let Some(s) = current_sign_off(&tx, council, year)? else {
        return Err(DbError::Refused("the return is not signed off"));
    };
    tx.prepare_cached(
        "UPDATE sign_off SET reopened_at = ?2, reopened_by = ?3, reopen_reason = ?4 WHERE id = ?1",
    )?
    .execute(params![s.id, now(), by.0, reason])?;
    audit(
        &tx,
        Some(by),
        Some(council),
        "reopen",
        &format!("version {} reopened: {reason}", s.version.0),
    )?;
    super::outbox_db::queue_all(&tx, notices)?;
    tx.commit()?;
    Ok(())
}

/// One council's state for the national team's list.
#[derive(Clone, Debug, Default)]
pub struct CouncilState {
    pub people: i64,
    pub signed_in: i64,
    pub last_activity: Option<i64>,
    pub newest: Option<(Version, bool, i64, i64)>,
    pub signed_off: bool,
    /// When the current sign-off was made.
    pub signed_at: Option<i64>,
}

/// Every council's state in one pass (the councils with any row).
pub fn council_states(
    c: &Connection,
    year: i32,
) -> Result<std::collections::HashMap<String, CouncilState>> {
    let mut out: std::collections::HashMap<String, CouncilState> = Default::default();
    let mut st = c.prepare_cached(
        "SELECT council, COUNT(*), COUNT(signed_in_at), MAX(signed_in_at) FROM person
         WHERE council IS NOT NULL AND revoked_at IS NULL GROUP BY council",
    )?;
    for r in st.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, Option<i64>>(3)?,
        ))
    })? {
        let (code, n, s, last) = r?;
        let e = out.entry(code).or_default();
        e.people = n;
        e.signed_in = s;
        e.last_activity = last;
    }
    let mut st = c.prepare_cached(
        "SELECT council, version, clean, errors, warnings, at FROM upload u
         WHERE year = ?1 AND version = (SELECT MAX(version) FROM upload v WHERE v.council = u.council AND v.year = u.year)",
    )?;
    for r in st.query_map([year], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, bool>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, i64>(5)?,
        ))
    })? {
        let (code, v, clean, errors, warnings, at) = r?;
        let e = out.entry(code).or_default();
        e.newest = Some((Version(v), clean, errors, warnings));
        e.last_activity = e.last_activity.max(Some(at));
    }
    let mut st = c.prepare_cached(
        "SELECT council, signed_at FROM sign_off WHERE year = ?1 AND reopened_at IS NULL",
    )?;
    for r in st.query_map([year], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
    })? {
        let (code, at) = r?;
        let e = out.entry(code).or_default();
        e.signed_off = true;
        e.signed_at = Some(at);
        e.last_activity = e.last_activity.max(Some(at));
    }
    Ok(out)
}

/// The signed-off uploads of a year: (council, kind, bytes), by council.
pub fn signed_off_returns(
    c: &Connection,
    year: i32,
) -> Result<Vec<(CouncilCode, String, Vec<u8>)>> {
    let mut st = c.prepare_cached(
        "SELECT u.council, u.kind, u.bytes FROM sign_off s JOIN upload u ON u.id = s.upload
         WHERE s.year = ?1 AND s.reopened_at IS NULL ORDER BY u.council",
    )?;
    let rows = st
        .query_map([year], |r| {
            Ok((CouncilCode(r.get(0)?), r.get(1)?, r.get(2)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
