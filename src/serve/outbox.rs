//! Mail off the request path. A request that asks for a sign-in link only
//! hands the address to this worker (the same few microseconds whether or
//! not the address is invited: nobody learns who is by timing, and a slow
//! relay slows no page). The worker makes the link and its message in one
//! transaction (`outbox_db::queue_link`), and sends every message due from
//! the outbox table, retrying a failed one with growing waits; a message
//! left by a stopped service is sent when it starts again.

use super::db::{self, Db};
use super::ids::PersonId;
use super::{auth, mail, outbox_db};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError, sync_channel};
use std::time::Duration;

/// Requests waiting for the worker; more are dropped (and logged): the
/// per-address and per-client limits keep an honest queue far shorter.
const QUEUE: usize = 1024;
/// Tries before a message is given up.
const TRIES: i64 = 8;
/// How often the outbox is looked at for messages due again.
const POLL: Duration = Duration::from_secs(1);

enum Job {
    /// Someone asked for a sign-in link for this address.
    Link(String),
    /// A message was queued: send it now.
    Wake,
}

/// The handle the service keeps; the worker stops when it is dropped.
pub struct Mailer {
    tx: SyncSender<Job>,
}

impl Mailer {
    /// Starts the worker.
    pub fn start(db: Arc<Db>, smtp: mail::Smtp, base_url: String) -> std::io::Result<Mailer> {
        let (tx, rx) = sync_channel(QUEUE);
        std::thread::Builder::new()
            .name("scwres-mail".into())
            .spawn(move || work(&db, &smtp, &base_url, &rx))?;
        Ok(Mailer { tx })
    }

    /// Asks for a sign-in link to be mailed to `email` if it is invited:
    /// never waits, whatever the address.
    pub fn ask_link(&self, email: &str) {
        self.push(Job::Link(email.to_string()));
    }

    /// A message has been queued in the database: send it soon.
    pub fn wake(&self) {
        self.push(Job::Wake);
    }

    fn push(&self, job: Job) {
        match self.tx.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                eprintln!("scwres serve: the mail queue is full; a request was dropped");
            }
            Err(TrySendError::Disconnected(_)) => {
                eprintln!("scwres serve: the mail worker has stopped");
            }
        }
    }
}

/// The subject and text of a sign-in link's message.
pub fn link_message(link: &str) -> (&'static str, String) {
    (
        "Your sign-in link for the SC-WRES collection service",
        format!(
            "Use this link to sign in to the SC-WRES collection service:\n\n{link}\n\nIt works once, within 24 hours. If you did not expect this email, you can ignore it.\n"
        ),
    )
}

/// A new sign-in link for `who`, with its message queued in the same
/// transaction. The link is returned (the team's page shows it too).
///
/// `message` may make the message another way (an invitation); the plain
/// link's message when it gives none.
pub fn new_mailed_link(
    db: &Db,
    base_url: &str,
    who: PersonId,
    email: &str,
    message: &dyn Fn(&str) -> Option<(String, String)>,
) -> Result<String, db::DbError> {
    let t = auth::token();
    let link = format!("{base_url}/sign-in/{t}");
    let (subject, body) = message(&link).unwrap_or_else(|| {
        let (s, b) = link_message(&link);
        (s.to_string(), b)
    });
    outbox_db::queue_link(
        &mut *db.conn()?,
        who,
        &auth::hash(&t),
        auth::LINK_TTL,
        (email, &subject, &body),
    )?;
    Ok(link)
}

fn work(db: &Db, smtp: &mail::Smtp, base_url: &str, rx: &Receiver<Job>) {
    loop {
        match rx.recv_timeout(POLL) {
            Ok(Job::Link(email)) => {
                if let Err(e) = link_for(db, base_url, &email) {
                    eprintln!("scwres serve: a sign-in link could not be queued: {e}");
                }
            }
            Ok(Job::Wake) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        if let Err(e) = deliver(db, smtp) {
            eprintln!("scwres serve: the outbox could not be read: {e}");
        }
    }
}

/// A link for an invited, not revoked address; nothing for any other.
fn link_for(db: &Db, base_url: &str, email: &str) -> Result<(), db::DbError> {
    let person = db::person_by_email(&*db.conn()?, email)?;
    if let Some(p) = person.filter(|p| p.revoked_at.is_none()) {
        new_mailed_link(db, base_url, p.id, &p.email, &|_| None)?;
    }
    Ok(())
}

/// Sends every message due; a failure waits 30 s, then twice as long each
/// time (at most an hour), and is given up after [`TRIES`] tries.
fn deliver(db: &Db, smtp: &mail::Smtp) -> Result<(), db::DbError> {
    loop {
        let due = outbox_db::due(&*db.conn()?, db::now(), 16)?;
        if due.is_empty() {
            return Ok(());
        }
        for m in due {
            match smtp.send(&m.to, &m.subject, &m.body) {
                Ok(()) => outbox_db::sent(&*db.conn()?, m.id)?,
                Err(e) => {
                    let tries = m.attempts + 1;
                    let next =
                        (tries < TRIES).then(|| db::now() + (30i64 << (tries - 1)).min(3600));
                    eprintln!(
                        "scwres serve: mail {} to the relay failed (try {tries} of {TRIES}): {e}",
                        m.id
                    );
                    outbox_db::failed(&*db.conn()?, m.id, &e.to_string(), next)?;
                }
            }
        }
    }
}
