//! The mail outbox's storage: messages written in the same transaction as
//! what they announce, and what became of each sending.

use super::db::{Result, add_link, now};
use super::ids::PersonId;
use rusqlite::{Connection, params};

/// A message waiting to be sent.
#[derive(Clone, Debug)]
pub struct Message {
    pub id: i64,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub attempts: i64,
}

/// A message to queue with what it announces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outgoing {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// Queues messages inside the caller's transaction.
pub fn queue_all(c: &Connection, messages: &[Outgoing]) -> Result<()> {
    for m in messages {
        queue(c, &m.to, &m.subject, &m.body)?;
    }
    Ok(())
}

/// Queues messages and writes the audit line that says they were sent,
/// in one transaction.
pub fn queue_audited(
    c: &mut Connection,
    messages: &[Outgoing],
    by: PersonId,
    action: &str,
    detail: &str,
) -> Result<()> {
    let tx = c.transaction()?;
    queue_all(&tx, messages)?;
    super::db::audit(&tx, Some(by), None, action, detail)?;
    tx.commit()?;
    Ok(())
}

/// When the newest audit line of `action` was written, if any.
pub fn last_action(c: &Connection, action: &str) -> Result<Option<i64>> {
    Ok(
        c.prepare_cached("SELECT MAX(at) FROM audit WHERE action = ?1")?
            .query_row([action], |r| r.get(0))?,
    )
}

/// Queues a message, due now.
pub fn queue(c: &Connection, to: &str, subject: &str, body: &str) -> Result<i64> {
    let t = now();
    c.prepare_cached("INSERT INTO outbox (recipient, subject, body, created_at, next_at) VALUES (?1, ?2, ?3, ?4, ?4)")?.execute(params![to, subject, body, t])?;
    Ok(c.last_insert_rowid())
}

/// A new sign-in link's hash and the message that carries the link, in one
/// transaction: both or neither.
pub fn queue_link(
    c: &mut Connection,
    who: PersonId,
    hash: &str,
    ttl: i64,
    message: (&str, &str, &str),
) -> Result<()> {
    let tx = c.transaction()?;
    add_link(&tx, who, hash, ttl)?;
    queue(&tx, message.0, message.1, message.2)?;
    tx.commit()?;
    Ok(())
}

/// The messages due at `at`, oldest first.
pub fn due(c: &Connection, at: i64, limit: usize) -> Result<Vec<Message>> {
    let mut st = c.prepare_cached(
        "SELECT id, recipient, subject, body, attempts FROM outbox
         WHERE sent_at IS NULL AND given_up_at IS NULL AND next_at <= ?1
         ORDER BY id LIMIT ?2",
    )?;
    let rows = st.query_map(params![at, limit as i64], |r| {
        Ok(Message {
            id: r.get(0)?,
            to: r.get(1)?,
            subject: r.get(2)?,
            body: r.get(3)?,
            attempts: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A message was sent: its text is cleared.
pub fn sent(c: &Connection, id: i64) -> Result<()> {
    c.prepare_cached("UPDATE outbox SET sent_at = ?2, body = '', attempts = attempts + 1, error = NULL WHERE id = ?1")?.execute(params![id, now()])?;
    Ok(())
}

/// A sending failed: tried again at `next_at`, or given up (its text
/// cleared) when `next_at` is `None`.
pub fn failed(c: &Connection, id: i64, error: &str, next_at: Option<i64>) -> Result<()> {
    match next_at {
        Some(at) => c.prepare_cached("UPDATE outbox SET attempts = attempts + 1, next_at = ?2, error = ?3 WHERE id = ?1")?.execute(params![id, at, error])?,
        None => c.prepare_cached("UPDATE outbox SET attempts = attempts + 1, given_up_at = ?2, body = '', error = ?3 WHERE id = ?1")?.execute(params![id, now(), error])?,
    };
    Ok(())
}

/// Messages waiting, sent and given up: for the team's page.
pub fn counts(c: &Connection) -> Result<(i64, i64, i64)> {
    Ok(c.prepare_cached(
        "SELECT
           COALESCE(SUM(sent_at IS NULL AND given_up_at IS NULL), 0),
           COALESCE(SUM(sent_at IS NOT NULL), 0),
           COALESCE(SUM(given_up_at IS NOT NULL), 0)
         FROM outbox",
    )?
    .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?)
}
