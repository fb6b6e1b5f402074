//! What one client, one council and the whole process may hold at once:
//! connections, requests in progress, and bytes of bodies read and not yet
//! answered (`http` asks; this module keeps the ledger).

use super::http::MAX_BODY;
use std::net::IpAddr;
use std::sync::Arc;

/// What one client may hold at once, and what all may: connections,
/// requests in progress, and bytes of bodies read and not yet answered.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Per client address; `false` behind a proxy, where every connection
    /// comes from the proxy (which should limit per client itself).
    pub per_client: bool,
    pub client_connections: usize,
    pub client_requests: usize,
    pub client_bytes: usize,
    pub total_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            per_client: true,
            client_connections: 32,
            client_requests: 8,
            client_bytes: 2 * MAX_BODY,
            total_bytes: 128 << 20,
        }
    }
}

#[derive(Default)]
pub(super) struct Use {
    connections: usize,
    requests: usize,
    bytes: usize,
}

/// Who holds what now.
pub(super) struct Ledger {
    pub(super) limits: Limits,
    pub(super) clients: std::sync::Mutex<std::collections::HashMap<IpAddr, Use>>,
    /// Body bytes held per owner (`Admitted::owner`).
    pub(super) owners: std::sync::Mutex<std::collections::HashMap<String, usize>>,
    pub(super) total: std::sync::atomic::AtomicUsize,
}

pub(super) enum Held {
    Connection,
    Request,
}

/// A connection or request counted against its client until dropped.
pub(super) struct Hold {
    ledger: Arc<Ledger>,
    peer: IpAddr,
    what: Held,
}

impl Drop for Hold {
    fn drop(&mut self) {
        if let Ok(mut m) = self.ledger.clients.lock() {
            if let Some(u) = m.get_mut(&self.peer) {
                match self.what {
                    Held::Connection => u.connections -= 1,
                    Held::Request => u.requests -= 1,
                }
                if u.connections == 0 && u.requests == 0 && u.bytes == 0 {
                    m.remove(&self.peer);
                }
            }
        }
    }
}

/// Body bytes held for a request until its answer is made.
pub(super) struct BodyBytes {
    pub(super) ledger: Arc<Ledger>,
    pub(super) peer: IpAddr,
    pub(super) owner: Option<String>,
    pub(super) n: usize,
}

impl Drop for BodyBytes {
    fn drop(&mut self) {
        self.ledger
            .total
            .fetch_sub(self.n, std::sync::atomic::Ordering::SeqCst);
        if let (Some(o), Ok(mut m)) = (&self.owner, self.ledger.owners.lock())
            && let Some(b) = m.get_mut(o)
        {
            *b -= self.n;
            if *b == 0 {
                m.remove(o);
            }
        }
        if let Ok(mut m) = self.ledger.clients.lock()
            && let Some(u) = m.get_mut(&self.peer)
        {
            u.bytes -= self.n;
            if u.connections == 0 && u.requests == 0 && u.bytes == 0 {
                m.remove(&self.peer);
            }
        }
    }
}

impl Ledger {
    pub(super) fn hold(self: &Arc<Self>, peer: IpAddr, what: Held) -> Option<Hold> {
        let mut m = self.clients.lock().ok()?;
        let u = m.entry(peer).or_default();
        let l = &self.limits;
        match what {
            Held::Connection if l.per_client && u.connections >= l.client_connections => {
                return None;
            }
            Held::Request if l.per_client && u.requests >= l.client_requests => return None,
            Held::Connection => u.connections += 1,
            Held::Request => u.requests += 1,
        }
        Some(Hold {
            ledger: self.clone(),
            peer,
            what,
        })
    }

    /// Takes `n` more bytes for `b`, if the client's and the process's
    /// budgets have room.
    pub(super) fn take(&self, b: &mut BodyBytes, n: usize) -> bool {
        use std::sync::atomic::Ordering::SeqCst;
        let Ok(mut m) = self.clients.lock() else {
            return false;
        };
        let u = m.entry(b.peer).or_default();
        if self.limits.per_client && u.bytes + n > self.limits.client_bytes {
            return false;
        }
        let Ok(mut owners) = self.owners.lock() else {
            return false;
        };
        let owned = b
            .owner
            .as_ref()
            .map(|o| owners.entry(o.clone()).or_default());
        if owned
            .as_ref()
            .is_some_and(|o| **o + n > self.limits.client_bytes)
        {
            return false;
        }
        if self.total.fetch_add(n, SeqCst) + n > self.limits.total_bytes {
            self.total.fetch_sub(n, SeqCst);
            return false;
        }
        if let Some(o) = owned {
            *o += n;
        }
        u.bytes += n;
        b.n += n;
        true
    }
}
