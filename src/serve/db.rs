//! The service's storage: one SQLite database in the data folder, created
//! and migrated on start (WAL; every change one transaction). With
//! `publish`, the only code that writes; it holds the service's state and
//! nothing of the statistics.
//!
//! Invariants: a version is written whole or not at all (one transaction,
//! `BEGIN IMMEDIATE`, so two uploads of one council are serialised); the
//! audit log cannot be changed or deleted (triggers refuse it); secrets
//! (sign-in links, session tokens) are stored only as SHA-256 hashes.

use super::ids::{CouncilCode, PersonId, Role};
use rusqlite::{Connection, OptionalExtension as _, TransactionBehavior, params};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The database file's name inside the data folder.
pub const FILE: &str = "scwres-service.sqlite";

/// The schema, one migration per step; `PRAGMA user_version` says how many
/// have run. A migration is never edited once released: a change is a new
/// step.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE person (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE COLLATE NOCASE,
  role TEXT NOT NULL CHECK (role IN ('submitter', 'signer', 'admin')),
  council TEXT,
  invited_at INTEGER NOT NULL,
  invited_by INTEGER REFERENCES person(id),
  signed_in_at INTEGER,
  revoked_at INTEGER,
  CHECK ((role = 'admin') = (council IS NULL))
);
CREATE TABLE sign_in_link (
  hash TEXT PRIMARY KEY,
  person INTEGER NOT NULL REFERENCES person(id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);
CREATE TABLE session (
  hash TEXT PRIMARY KEY,
  person INTEGER NOT NULL REFERENCES person(id),
  csrf TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  ended_at INTEGER
);
CREATE TABLE upload (
  id INTEGER PRIMARY KEY,
  council TEXT NOT NULL,
  year INTEGER NOT NULL,
  version INTEGER NOT NULL,
  person INTEGER NOT NULL REFERENCES person(id),
  at INTEGER NOT NULL,
  file_name TEXT NOT NULL,
  kind TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  size INTEGER NOT NULL,
  bytes BLOB NOT NULL,
  clean INTEGER NOT NULL,
  errors INTEGER NOT NULL,
  warnings INTEGER NOT NULL,
  problems TEXT NOT NULL,
  figures TEXT,
  changes TEXT,
  UNIQUE (council, year, version)
);
CREATE TABLE sign_off (
  id INTEGER PRIMARY KEY,
  council TEXT NOT NULL,
  year INTEGER NOT NULL,
  upload INTEGER NOT NULL REFERENCES upload(id),
  person INTEGER NOT NULL REFERENCES person(id),
  signer_name TEXT NOT NULL,
  signed_at INTEGER NOT NULL,
  reopened_at INTEGER,
  reopened_by INTEGER REFERENCES person(id),
  reopen_reason TEXT
);
CREATE UNIQUE INDEX one_open_sign_off ON sign_off (council, year) WHERE reopened_at IS NULL;
CREATE TABLE audit (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  person INTEGER REFERENCES person(id),
  council TEXT,
  action TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE TRIGGER audit_never_updated BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit log cannot be changed'); END;
CREATE TRIGGER audit_never_deleted BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit log cannot be changed'); END;
"#,
    r#"
CREATE TABLE release (
  id INTEGER PRIMARY KEY,
  year INTEGER NOT NULL,
  number INTEGER NOT NULL,
  person INTEGER NOT NULL REFERENCES person(id),
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  status TEXT NOT NULL CHECK (status IN ('running', 'ready', 'failed')),
  message TEXT NOT NULL DEFAULT '',
  returns INTEGER NOT NULL,
  published_at INTEGER,
  published_by INTEGER REFERENCES person(id),
  UNIQUE (year, number)
);
CREATE UNIQUE INDEX one_running_release ON release (status) WHERE status = 'running';
CREATE TABLE plan (
  id INTEGER PRIMARY KEY,
  council TEXT NOT NULL,
  year INTEGER NOT NULL,
  version INTEGER NOT NULL,
  person INTEGER NOT NULL REFERENCES person(id),
  at INTEGER NOT NULL,
  release INTEGER NOT NULL REFERENCES release(id),
  file_name TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  bytes BLOB NOT NULL,
  ok INTEGER,
  problems TEXT NOT NULL DEFAULT '[]',
  UNIQUE (council, year, version)
);
"#,
    // The mail outbox (serve::outbox): written with what it announces,
    // sent by one worker with retries; a message's text is cleared once
    // sent or given up (it may hold a sign-in link).
    r#"
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL,
  sent_at INTEGER,
  given_up_at INTEGER,
  error TEXT
);
CREATE INDEX outbox_due ON outbox (next_at) WHERE sent_at IS NULL AND given_up_at IS NULL;
"#,
    // The councils' internal editions of a published release, as a job:
    // 'pending' from publication until made ('done', or 'failed: ...'); a
    // pending job is made again when the service starts.
    r#"
ALTER TABLE release ADD COLUMN editions TEXT;
"#,
    // Queries: a clean version's plausibility checks (JSON), and the
    // council's answers, one per query of a version.
    r#"
ALTER TABLE upload ADD COLUMN queries TEXT;
CREATE TABLE answer (
  id INTEGER PRIMARY KEY,
  upload INTEGER NOT NULL REFERENCES upload(id),
  key TEXT NOT NULL,
  text TEXT NOT NULL,
  person INTEGER NOT NULL REFERENCES person(id),
  at INTEGER NOT NULL,
  UNIQUE (upload, key)
);
"#,
    // A release's inputs, each file by its name in a data folder.
    r#"
CREATE TABLE release_input (
  release INTEGER NOT NULL REFERENCES release(id),
  path TEXT NOT NULL,
  bytes BLOB NOT NULL,
  PRIMARY KEY (release, path)
);
"#,
];

/// Why a storage call failed.
#[derive(Debug)]
pub enum DbError {
    Sqlite(rusqlite::Error),
    /// The database was made by a newer scwres.
    TooNew {
        found: i64,
        known: i64,
    },
    /// A change the rules refuse (e.g. signing off while signed off).
    Refused(&'static str),
    /// A council's daily quota is used up until this time.
    Quota {
        until: i64,
    },
}

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DbError::Sqlite(e) => write!(f, "database: {e}"),
            DbError::TooNew { found, known } => write!(
                f,
                "the database is at schema version {found}, newer than this scwres knows ({known}); run the newer scwres, or restore a backup"
            ),
            DbError::Refused(why) => f.write_str(why),
            DbError::Quota { until } => {
                write!(f, "the daily upload quota is used up until {until}")
            }
        }
    }
}

impl std::error::Error for DbError {}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> Self {
        DbError::Sqlite(e)
    }
}

pub type Result<T> = std::result::Result<T, DbError>;

/// A small pool of connections to the one database file.
pub struct Db {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

/// A connection borrowed from the pool; returned when dropped.
pub struct Conn<'a> {
    db: &'a Db,
    conn: Option<Connection>,
}

impl std::ops::Deref for Conn<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn.as_ref().expect("a live connection")
    }
}

impl std::ops::DerefMut for Conn<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        self.conn.as_mut().expect("a live connection")
    }
}

impl Drop for Conn<'_> {
    fn drop(&mut self) {
        if let (Some(c), Ok(mut idle)) = (self.conn.take(), self.db.idle.lock())
            && idle.len() < 16
        {
            idle.push(c);
        }
    }
}

fn open_one(path: &Path) -> Result<Connection> {
    let c = Connection::open(path)?;
    c.busy_timeout(std::time::Duration::from_secs(10))?;
    // Every statement is prepared once per connection and kept (the pool
    // keeps its connections): compiling SQL was about a seventh of the service's
    // time under load (docs/performance.md).
    c.set_prepared_statement_cache_capacity(256);
    c.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
    )?;
    Ok(c)
}

impl Db {
    /// Opens (creating if need be) and migrates the database at `path`.
    pub fn open(path: &Path) -> Result<Db> {
        let mut c = open_one(path)?;
        let known = MIGRATIONS.len() as i64;
        let found: i64 = c
            .prepare_cached("PRAGMA user_version")?
            .query_row([], |r| r.get(0))?;
        if found > known {
            return Err(DbError::TooNew { found, known });
        }
        for (i, m) in MIGRATIONS.iter().enumerate().skip(found as usize) {
            let tx = c.transaction_with_behavior(TransactionBehavior::Exclusive)?;
            tx.execute_batch(m)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
            tx.commit()?;
        }
        Ok(Db {
            path: path.to_path_buf(),
            idle: Mutex::new(vec![c]),
        })
    }

    pub fn conn(&self) -> Result<Conn<'_>> {
        let idle = self.idle.lock().ok().and_then(|mut v| v.pop());
        let conn = match idle {
            Some(c) => c,
            None => open_one(&self.path)?,
        };
        Ok(Conn {
            db: self,
            conn: Some(conn),
        })
    }
}

/// Seconds since 1970, the clock every row keeps.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A person who may sign in.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Person {
    pub id: PersonId,
    pub email: String,
    pub role: Role,
    pub council: Option<CouncilCode>,
    pub invited_at: i64,
    pub signed_in_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

fn person_row(r: &rusqlite::Row) -> rusqlite::Result<Person> {
    let role: String = r.get(2)?;
    let council: Option<String> = r.get(3)?;
    Ok(Person {
        id: PersonId(r.get(0)?),
        email: r.get(1)?,
        role: Role::from_id(&role).unwrap_or(Role::Submitter),
        council: council.map(CouncilCode),
        invited_at: r.get(4)?,
        signed_in_at: r.get(5)?,
        revoked_at: r.get(6)?,
    })
}

const PERSON: &str =
    "SELECT id, email, role, council, invited_at, signed_in_at, revoked_at FROM person";

/// Writes one line of the audit log, inside the caller's transaction.
pub fn audit(
    c: &Connection,
    person: Option<PersonId>,
    council: Option<&CouncilCode>,
    action: &str,
    detail: &str,
) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO audit (at, person, council, action, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        now(),
        person.map(|p| p.0),
        council.map(|c| &c.0),
        action,
        detail
    ])?;
    Ok(())
}

pub fn person(c: &Connection, id: PersonId) -> Result<Option<Person>> {
    Ok(c.prepare_cached(&format!("{PERSON} WHERE id = ?1"))?
        .query_row([id.0], person_row)
        .optional()?)
}

pub fn person_by_email(c: &Connection, email: &str) -> Result<Option<Person>> {
    Ok(c.prepare_cached(&format!("{PERSON} WHERE email = ?1"))?
        .query_row([email], person_row)
        .optional()?)
}

pub fn people(c: &Connection, council: Option<&CouncilCode>) -> Result<Vec<Person>> {
    let mut st = match council {
        Some(_) => c.prepare_cached(&format!("{PERSON} WHERE council = ?1 ORDER BY email"))?,
        None => c.prepare_cached(&format!("{PERSON} ORDER BY council, email"))?,
    };
    let rows: rusqlite::Result<Vec<Person>> = match council {
        Some(code) => st.query_map([&code.0], person_row)?.collect(),
        None => st.query_map([], person_row)?.collect(),
    };
    Ok(rows?)
}

/// Adds a person (or, for an address already invited and revoked, invites
/// them again with the new role). Refused for an address in use.
pub fn invite(
    c: &mut Connection,
    by: Option<PersonId>,
    email: &str,
    role: Role,
    council: Option<&CouncilCode>,
) -> Result<PersonId> {
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let existing = tx
        .prepare_cached("SELECT id, revoked_at FROM person WHERE email = ?1")?
        .query_row([email], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?))
        })
        .optional()?;
    let id = match existing {
        Some((_, None)) => return Err(DbError::Refused("that email address is already invited")),
        Some((id, Some(_))) => {
            tx.prepare_cached("UPDATE person SET role = ?2, council = ?3, invited_at = ?4, invited_by = ?5, revoked_at = NULL WHERE id = ?1")?.execute(params![id, role.id(), council.map(|c| &c.0), now(), by.map(|p| p.0)])?;
            id
        }
        None => {
            tx.prepare_cached("INSERT INTO person (email, role, council, invited_at, invited_by) VALUES (?1, ?2, ?3, ?4, ?5)")?.execute(params![email, role.id(), council.map(|c| &c.0), now(), by.map(|p| p.0)])?;
            tx.last_insert_rowid()
        }
    };
    audit(
        &tx,
        by,
        council,
        "invite",
        &format!("{email} invited as {}", role.label()),
    )?;
    tx.commit()?;
    Ok(PersonId(id))
}

/// Revokes a person: their sessions end and their links stop working.
pub fn revoke(c: &mut Connection, by: PersonId, who: PersonId) -> Result<Person> {
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let p = person(&tx, who)?.ok_or(DbError::Refused("no such person"))?;
    let t = now();
    tx.prepare_cached("UPDATE person SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL")?
        .execute(params![who.0, t])?;
    tx.prepare_cached("UPDATE session SET ended_at = ?2 WHERE person = ?1 AND ended_at IS NULL")?
        .execute(params![who.0, t])?;
    tx.prepare_cached(
        "UPDATE sign_in_link SET used_at = ?2 WHERE person = ?1 AND used_at IS NULL",
    )?
    .execute(params![who.0, t])?;
    audit(
        &tx,
        Some(by),
        p.council.as_ref(),
        "revoke",
        &format!("{} revoked", p.email),
    )?;
    tx.commit()?;
    Ok(p)
}

/// Stores a new sign-in link's hash.
pub fn add_link(c: &Connection, who: PersonId, hash: &str, ttl: i64) -> Result<()> {
    let t = now();
    c.prepare_cached(
        "INSERT INTO sign_in_link (hash, person, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![hash, who.0, t, t + ttl])?;
    Ok(())
}

/// Whose unexpired, unused link this is (without spending it).
pub fn link_owner(c: &Connection, hash: &str) -> Result<Option<Person>> {
    let id: Option<i64> = c
        .prepare_cached("SELECT l.person FROM sign_in_link l JOIN person p ON p.id = l.person
             WHERE l.hash = ?1 AND l.used_at IS NULL AND l.expires_at > ?2 AND p.revoked_at IS NULL")?.query_row(params![hash, now()],
            |r| r.get(0))
        .optional()?;
    match id {
        Some(id) => person(c, PersonId(id)),
        None => Ok(None),
    }
}

/// Spends a link and opens a session, in one transaction: a link is used
/// once. Returns the person, or `None` if the link is unknown, used,
/// expired or its person revoked.
pub fn spend_link(
    c: &mut Connection,
    link_hash: &str,
    session_hash: &str,
    csrf: &str,
    ttl: i64,
) -> Result<Option<Person>> {
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let Some(p) = link_owner(&tx, link_hash)? else {
        return Ok(None);
    };
    let t = now();
    tx.prepare_cached("UPDATE sign_in_link SET used_at = ?2 WHERE hash = ?1")?
        .execute(params![link_hash, t])?;
    tx.prepare_cached("INSERT INTO session (hash, person, csrf, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)")?.execute(params![session_hash, p.id.0, csrf, t, t + ttl])?;
    tx.prepare_cached("UPDATE person SET signed_in_at = ?2 WHERE id = ?1")?
        .execute(params![p.id.0, t])?;
    audit(&tx, Some(p.id), p.council.as_ref(), "sign in", &p.email)?;
    tx.commit()?;
    Ok(Some(p))
}

/// The person and CSRF token of a live session.
pub fn session(c: &Connection, hash: &str) -> Result<Option<(Person, String)>> {
    let row: Option<(i64, String)> = c
        .prepare_cached("SELECT s.person, s.csrf FROM session s JOIN person p ON p.id = s.person
             WHERE s.hash = ?1 AND s.ended_at IS NULL AND s.expires_at > ?2 AND p.revoked_at IS NULL")?.query_row(params![hash, now()],
            |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match row {
        Some((id, csrf)) => Ok(person(c, PersonId(id))?.map(|p| (p, csrf))),
        None => Ok(None),
    }
}

pub fn end_session(c: &Connection, hash: &str, who: &Person) -> Result<()> {
    c.prepare_cached("UPDATE session SET ended_at = ?2 WHERE hash = ?1")?
        .execute(params![hash, now()])?;
    audit(
        c,
        Some(who.id),
        who.council.as_ref(),
        "sign out",
        &who.email,
    )
}

/// The audit log, newest first.
pub fn audit_log(c: &Connection, limit: i64) -> Result<Vec<AuditLine>> {
    let mut st = c.prepare_cached(
        "SELECT a.id, a.at, COALESCE(p.email, 'the service'), COALESCE(a.council, ''), a.action, a.detail
         FROM audit a LEFT JOIN person p ON p.id = a.person ORDER BY a.id DESC LIMIT ?1",
    )?;
    let rows = st
        .query_map([limit], |r| {
            Ok(AuditLine {
                id: r.get(0)?,
                at: r.get(1)?,
                who: r.get(2)?,
                council: r.get(3)?,
                action: r.get(4)?,
                detail: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct AuditLine {
    pub id: i64,
    pub at: i64,
    pub who: String,
    pub council: String,
    pub action: String,
    pub detail: String,
}

pub use super::releases_db::*;
pub use super::versions::*;

/// An online backup of the database to `to`, a new file (never one that
/// exists): a consistent copy taken while the service runs (`VACUUM INTO`,
/// which reads in one transaction), then checked whole. Returns its size.
pub fn backup(from: &Path, to: &Path) -> Result<u64> {
    if to.exists() {
        return Err(DbError::Refused(
            "the backup file exists already; give a new file name (a backup never overwrites a file)",
        ));
    }
    let c = Connection::open_with_flags(from, rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    c.busy_timeout(std::time::Duration::from_secs(30))?;
    c.prepare_cached("VACUUM INTO ?1")?
        .execute([to.to_string_lossy()])?;
    let copy = Connection::open_with_flags(to, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let ok: String = copy
        .prepare_cached("PRAGMA integrity_check")?
        .query_row([], |r| r.get(0))?;
    if ok != "ok" {
        return Err(DbError::Refused(
            "the backup did not pass SQLite's integrity check",
        ));
    }
    Ok(std::fs::metadata(to).map(|m| m.len()).unwrap_or(0))
}
