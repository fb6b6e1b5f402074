//! HTTP/1.1 by hyper on tokio: the only async code. A request's head is
//! admitted by the routes (its body limit: a form's few KB, or an upload's
//! only with a live session), its body read within that limit, the
//! client's and the process's budgets and a floor rate, then handed to the
//! routes on a blocking thread; every answer leaves through
//! [`Response::into_hyper`], which adds the security headers. TLS is the
//! reverse proxy's (docs/service.md).

use http_body_util::{BodyExt as _, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::net::{IpAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

pub use super::limits::Limits;
use super::limits::{BodyBytes, Held, Ledger};

/// The largest request body: the largest return workbook, and room for the
/// form around it.
pub const MAX_BODY: usize = (crate::load::MAX_XLSX as usize) + (64 << 10);
/// Time to send the request's headers.
pub const HEADER_TIME: Duration = Duration::from_secs(10);
/// The longest a connection lives: the largest body at the floor rate
/// takes about five and a half minutes.
pub const CONNECTION_TIME: Duration = Duration::from_secs(6 * 60);
/// Connections served at once; more wait in the kernel's queue.
pub const MAX_CONNECTIONS: usize = 512;

/// A request, read whole.
pub struct Request {
    pub method: hyper::Method,
    pub path: String,
    pub query: String,
    pub headers: hyper::HeaderMap,
    pub body: Vec<u8>,
    pub peer: IpAddr,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// A cookie's value.
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.headers
            .get_all(hyper::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|kv| kv.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    }

    /// The fields of a URL-encoded form body (the first of each name).
    pub fn form(&self) -> Vec<(String, String)> {
        form_urlencoded::parse(&self.body).into_owned().collect()
    }
}

/// An answer.
pub struct Response {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn html(status: u16, body: String) -> Response {
        Response {
            status,
            headers: vec![("content-type", "text/html; charset=utf-8".into())],
            body: body.into_bytes(),
        }
    }

    pub fn file(content_type: &str, name: &str, body: Vec<u8>) -> Response {
        Response {
            status: 200,
            headers: vec![
                ("content-type", content_type.to_string()),
                (
                    "content-disposition",
                    format!("attachment; filename=\"{}\"", attachment_name(name)),
                ),
            ],
            body,
        }
    }

    /// 303 See Other: the answer to a form that changed something.
    pub fn redirect(to: &str) -> Response {
        Response {
            status: 303,
            headers: vec![("location", to.to_string())],
            body: Vec::new(),
        }
    }

    pub fn with_header(mut self, name: &'static str, value: String) -> Response {
        self.headers.push((name, value));
        self
    }

    fn into_hyper(self) -> hyper::Response<Full<Bytes>> {
        let mut b = hyper::Response::builder().status(self.status);
        for (k, v) in SECURITY_HEADERS {
            // A published report page brings its own (stricter about
            // everything but its inline styles).
            if !self.headers.iter().any(|(h, _)| h == k) {
                b = b.header(*k, *v);
            }
        }
        for (k, v) in &self.headers {
            b = b.header(*k, v.as_str());
        }
        b.body(Full::new(Bytes::from(self.body)))
            .unwrap_or_else(|_| {
                let mut r = hyper::Response::new(Full::new(Bytes::from_static(b"")));
                *r.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
                r
            })
    }
}

/// A file name safe inside a `Content-Disposition` header: ASCII letters,
/// digits, `.`, `-`, `_`; anything else becomes `_`.
fn attachment_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect()
}

/// On every answer: no script at all, styles from this origin only, no
/// framing, no referrer to another site (a sign-in link in the address bar
/// never leaves; the service's own forms still carry their Origin),
/// nothing cached (pages hold a council's data).
const SECURITY_HEADERS: &[(&str, &str)] = &[
    (
        "content-security-policy",
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "same-origin"),
    ("cache-control", "no-store"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    ),
];

/// What answers requests: the routes.
pub trait Handler: Send + Sync + 'static {
    /// The largest body this request may send, decided from its head alone
    /// (the body is still empty): a few KB for a form, the upload limit only
    /// for an upload route with a live session. `Err` answers at once,
    /// without reading the body.
    fn admit(&self, head: &Request) -> Result<Admitted, Response>;
    /// The answer to a request read whole.
    fn answer(&self, req: &Request) -> Response;
}

/// What a request's head is allowed.
pub struct Admitted {
    /// The largest body it may send.
    pub limit: usize,
    /// Whose budget its body counts against besides its address's (an
    /// upload: its council), so that one council's people cannot take the
    /// room every other council's uploads need, behind a proxy too. Its
    /// requests are also worked on one at a time, on the pool of heavy
    /// work (checking a workbook, typesetting a report), apart from pages.
    pub owner: Option<String>,
}

/// The largest body of a form that is not an upload.
pub const FORM_BODY: usize = 64 << 10;
/// The longest wait for the next piece of a body.
pub const BODY_GAP: Duration = Duration::from_secs(10);
/// After [`BODY_GRACE`], a body must have arrived at this rate on average
/// (bytes a second), or it is dropped: a client that drips a body holds no
/// memory and no connection for long.
pub const BODY_FLOOR: f64 = 64.0 * 1024.0;
pub const BODY_GRACE: Duration = Duration::from_secs(10);

/// Serves `listener` until the process ends (or `stop` resolves): every
/// connection on a tokio task, one request a connection (no keep-alive:
/// an idle connection holds nothing past its header time), every request's
/// handling on a blocking thread, within `limits`.
pub fn serve(
    listener: TcpListener,
    handler: Arc<dyn Handler>,
    stop: Option<tokio::sync::oneshot::Receiver<()>>,
    limits: Limits,
) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    // A longer queue of connections waiting to be accepted than the 128
    // the standard library asks for: a burst of connections (an attacker's
    // reconnecting, or every council at nine o'clock) must not fill it, or
    // an honest client's connection waits a second for its SYN to be sent
    // again. Linux takes a second listen() as a new length.
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd as _;
        // SAFETY: a listening socket this function owns; listen() only
        // changes its queue's length.
        unsafe { libc::listen(listener.as_raw_fd(), 4096) };
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("scwres-serve")
        .build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let work = Arc::new(Pools {
            pages: Arc::new(tokio::sync::Semaphore::new(2 * cores)),
            heavy: Arc::new(tokio::sync::Semaphore::new(cores)),
            owners: Default::default(),
        });
        let ledger = Arc::new(Ledger {
            limits,
            clients: Default::default(),
            owners: Default::default(),
            total: Default::default(),
        });
        let stop = async move {
            match stop {
                Some(rx) => {
                    let _ = rx.await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        tokio::pin!(stop);
        loop {
            let slot = tokio::select! {
                _ = &mut stop => return Ok(()),
                s = slots.clone().acquire_owned() => s,
            };
            let Ok(slot) = slot else { return Ok(()) };
            let (stream, peer) = tokio::select! {
                _ = &mut stop => return Ok(()),
                a = listener.accept() => match a {
                    Ok(a) => a,
                    // Out of file descriptors and the like: wait, go on.
                    Err(_) => {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
            };
            // A client at its limit of connections is closed at once: its
            // connections cannot starve anyone else's.
            let Some(held) = ledger.hold(peer.ip(), Held::Connection) else {
                drop(stream);
                continue;
            };
            let (handler, work, ledger) = (handler.clone(), work.clone(), ledger.clone());
            tokio::spawn(async move {
                let svc = service_fn(move |req| {
                    answer(
                        handler.clone(),
                        work.clone(),
                        ledger.clone(),
                        peer.ip(),
                        req,
                    )
                });
                let conn = http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(HEADER_TIME)
                    .keep_alive(false)
                    .max_buf_size(64 << 10)
                    .serve_connection(TokioIo::new(stream), svc);
                let _ = tokio::time::timeout(CONNECTION_TIME, conn).await;
                drop(held);
                drop(slot);
            });
        }
    })
}

async fn answer(
    handler: Arc<dyn Handler>,
    work: Arc<Pools>,
    ledger: Arc<Ledger>,
    peer: IpAddr,
    req: hyper::Request<Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let Some(held) = ledger.hold(peer, Held::Request) else {
        return Ok(closing(plain(
            429,
            "too many requests at once from your address; try again shortly",
        )));
    };
    let (parts, mut body) = req.into_parts();
    let mut req = Request {
        method: parts.method,
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        headers: parts.headers,
        body: Vec::new(),
        peer,
    };
    // What this route and session may send, before a byte of it is read.
    let Admitted { limit, owner } = {
        let (h, head) = (
            handler.clone(),
            Request {
                method: req.method.clone(),
                path: req.path.clone(),
                query: req.query.clone(),
                headers: req.headers.clone(),
                body: Vec::new(),
                peer,
            },
        );
        match tokio::task::spawn_blocking(move || h.admit(&head)).await {
            Ok(Ok(a)) => Admitted {
                limit: a.limit.min(MAX_BODY),
                owner: a.owner,
            },
            Ok(Err(r)) => return Ok(closing(r)),
            Err(_) => {
                return Ok(closing(plain(
                    500,
                    "the service failed on this request; it has been logged",
                )));
            }
        }
    };
    let declared = req
        .headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Ok(closing(too_large(limit)));
    }
    // The body, counted as it streams (chunked or not) against the route's
    // limit and the client's and process's budgets, dropped if it stalls or
    // drips.
    let mut bytes = BodyBytes {
        ledger: ledger.clone(),
        peer,
        owner: owner.clone(),
        n: 0,
    };
    let started = tokio::time::Instant::now();
    loop {
        let frame = match tokio::time::timeout(BODY_GAP, body.frame()).await {
            Err(_) => return Ok(closing(plain(408, "the request took too long to send"))),
            Ok(None) => break,
            Ok(Some(Err(_))) => return Ok(closing(plain(400, "the request could not be read"))),
            Ok(Some(Ok(f))) => f,
        };
        if let Ok(data) = frame.into_data() {
            if req.body.len() + data.len() > limit {
                return Ok(closing(too_large(limit)));
            }
            // Counted as allocated: the body's growth, not only its length.
            let need = req.body.len() + data.len();
            let grow = if need > req.body.capacity() {
                let cap = need.max(req.body.capacity() * 2).min(limit);
                cap - req.body.capacity()
            } else {
                0
            };
            if grow > 0 && !ledger.take(&mut bytes, grow) {
                return Ok(closing(
                    plain(503, "the service is busy; try again in a minute")
                        .with_header("retry-after", "60".into()),
                ));
            }
            if grow > 0 {
                req.body
                    .reserve_exact(req.body.capacity() + grow - req.body.len());
            }
            req.body.extend_from_slice(&data);
        }
        let el = started.elapsed();
        if el > BODY_GRACE && (req.body.len() as f64) < BODY_FLOOR * el.as_secs_f64() {
            return Ok(closing(plain(408, "the request is arriving too slowly")));
        }
    }
    // A few requests are worked on at once (two a core), the rest wait
    // their turn in order: hundreds of threads contending for two cores
    // only add switching. Heavy work (an owner's: an upload to check, a
    // report to typeset) has a pool of its own, one a core, and one
    // request of each owner at a time: pages never wait behind it (their
    // own pool), and 153 uploads at once use every core (with half the
    // cores, one here, their p99 was a queue of 153 on one core:
    // docs/performance.md).
    let turn = match &owner {
        None => work.pages.clone().acquire_owned().await.map(|p| (p, None)),
        Some(o) => {
            let lock = work
                .owners
                .lock()
                .map(|mut m| m.entry(o.clone()).or_default().clone())
                .unwrap_or_default();
            let mine = lock.lock_owned().await;
            work.heavy
                .clone()
                .acquire_owned()
                .await
                .map(|p| (p, Some(mine)))
        }
    };
    let Ok(turn) = turn else {
        return Ok(plain(503, "the service is stopping").into_hyper());
    };
    let res = tokio::task::spawn_blocking(move || {
        let r = handler.answer(&req);
        drop(turn);
        drop(bytes);
        drop(held);
        r
    })
    .await
    .unwrap_or_else(|_| {
        plain(
            500,
            "the service failed on this request; it has been logged",
        )
    });
    Ok(res.into_hyper())
}

/// The pools requests are worked on from: pages, and heavy work with one
/// request of each owner at a time.
struct Pools {
    pages: Arc<tokio::sync::Semaphore>,
    heavy: Arc<tokio::sync::Semaphore>,
    owners: std::sync::Mutex<std::collections::HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// An answer after which the connection is closed (the rest of a body is
/// not read).
fn closing(r: Response) -> hyper::Response<Full<Bytes>> {
    r.with_header("connection", "close".into()).into_hyper()
}

pub fn plain(status: u16, text: &str) -> Response {
    Response {
        status,
        headers: vec![("content-type", "text/plain; charset=utf-8".into())],
        body: text.as_bytes().to_vec(),
    }
}

fn too_large(limit: usize) -> Response {
    if limit >= MAX_BODY {
        plain(
            413,
            &format!(
                "the upload is larger than {} MB; a return workbook is well under 1 MB",
                MAX_BODY >> 20
            ),
        )
    } else {
        plain(413, "the form is larger than this page sends")
    }
}
