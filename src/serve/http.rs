//! HTTP/1.1 by hyper on tokio: the only async code. A request is read
//! whole within the limits (header time, body size and time), then handed
//! to the routes on a blocking thread; every answer leaves through
//! [`Response::into_hyper`], which adds the security headers. TLS is the
//! reverse proxy's (docs/service.md).

use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::net::{IpAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

/// The largest request body: the largest return workbook, and room for the
/// form around it.
pub const MAX_BODY: usize = (crate::load::MAX_XLSX as usize) + (64 << 10);
/// Time to send the request's headers.
pub const HEADER_TIME: Duration = Duration::from_secs(10);
/// Time to send the whole body.
pub const BODY_TIME: Duration = Duration::from_secs(60);
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
pub type Handler = dyn Fn(&Request) -> Response + Send + Sync;

/// Serves `listener` until the process ends (or `stop` resolves): every
/// connection on a tokio task, every request's handling on a blocking
/// thread.
pub fn serve(
    listener: TcpListener,
    handler: Arc<Handler>,
    stop: Option<tokio::sync::oneshot::Receiver<()>>,
) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("scwres-serve")
        .build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let work = Arc::new(tokio::sync::Semaphore::new(2 * cores));
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
            let (handler, work) = (handler.clone(), work.clone());
            tokio::spawn(async move {
                let svc =
                    service_fn(move |req| answer(handler.clone(), work.clone(), peer.ip(), req));
                let conn = http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(HEADER_TIME)
                    .max_buf_size(64 << 10)
                    .serve_connection(TokioIo::new(stream), svc);
                let _ = tokio::time::timeout(BODY_TIME * 2, conn).await;
                drop(slot);
            });
        }
    })
}

async fn answer(
    handler: Arc<Handler>,
    work: Arc<tokio::sync::Semaphore>,
    peer: IpAddr,
    req: hyper::Request<Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let declared = parts
        .headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return Ok(too_large().into_hyper());
    }
    let body = match tokio::time::timeout(BODY_TIME, Limited::new(body, MAX_BODY).collect()).await {
        Ok(Ok(b)) => b.to_bytes().to_vec(),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
            return Ok(too_large().into_hyper());
        }
        Ok(Err(_)) => return Ok(plain(400, "the request could not be read").into_hyper()),
        Err(_) => return Ok(plain(408, "the request took too long to send").into_hyper()),
    };
    let req = Request {
        method: parts.method,
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        headers: parts.headers,
        body,
        peer,
    };
    // A few requests are worked on at once (two a core), the rest wait
    // their turn in order: hundreds of threads contending for two cores
    // only add switching.
    let Ok(turn) = work.acquire_owned().await else {
        return Ok(plain(503, "the service is stopping").into_hyper());
    };
    let res = tokio::task::spawn_blocking(move || {
        let r = handler(&req);
        drop(turn);
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

pub fn plain(status: u16, text: &str) -> Response {
    Response {
        status,
        headers: vec![("content-type", "text/plain; charset=utf-8".into())],
        body: text.as_bytes().to_vec(),
    }
}

fn too_large() -> Response {
    plain(
        413,
        &format!(
            "the upload is larger than {} MB; a return workbook is well under 1 MB",
            MAX_BODY >> 20
        ),
    )
    .with_header("connection", "close".into())
}
