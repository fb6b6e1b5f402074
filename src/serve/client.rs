//! A small HTTP/1.1 client for the service's own benchmark and tests: one
//! connection a request (`Connection: close`), a cookie kept like a
//! browser's, forms and file uploads encoded as a browser encodes them.
//! Loopback use only; not a general client.

use std::io::{Read as _, Write as _};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::time::Duration;

/// An answer as received.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A connection to `addr` from the local address `source` (on loopback,
/// any of 127.0.0.0/8: many clients from one machine), blocking.
pub fn connect_from(source: IpAddr, addr: SocketAddr) -> std::io::Result<TcpStream> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let s = rt.block_on(async {
        let sock = match source {
            IpAddr::V4(_) => tokio::net::TcpSocket::new_v4()?,
            IpAddr::V6(_) => tokio::net::TcpSocket::new_v6()?,
        };
        sock.bind(SocketAddr::new(source, 0))?;
        tokio::time::timeout(Duration::from_secs(10), sock.connect(addr))
            .await
            .map_err(|_| std::io::Error::other("connecting took over 10 s"))?
    })?;
    let s = s.into_std()?;
    s.set_nonblocking(false)?;
    Ok(s)
}

/// Sends one request and reads the whole answer.
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<Answer> {
    request_from(None, addr, method, path, headers, body)
}

/// [`request`] from a given local address.
pub fn request_from(
    source: Option<IpAddr>,
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<Answer> {
    let mut s = match source {
        Some(src) => connect_from(src, addr)?,
        None => TcpStream::connect_timeout(&addr, Duration::from_secs(10))?,
    };
    s.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    // A server may answer (413) and close before the body is all sent: the
    // answer is still read.
    let sent = s
        .write_all(head.as_bytes())
        .and_then(|()| s.write_all(body));
    let mut raw = Vec::new();
    let read = s.read_to_end(&mut raw);
    if raw.is_empty() {
        sent?;
        read?;
    }
    parse(&raw).ok_or_else(|| std::io::Error::other("not an HTTP answer"))
}

fn parse(raw: &[u8]) -> Option<Answer> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    if let Some(n) = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
    {
        body.truncate(n);
    }
    Some(Answer {
        status,
        headers,
        body,
    })
}

/// A form's fields and one file, as `multipart/form-data`: the content
/// type (with its boundary) and the body.
pub fn multipart(fields: &[(&str, &str)], file: Option<(&str, &str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "----scwres-client-7d3f09a1c2b4";
    let mut b = Vec::new();
    for (k, v) in fields {
        b.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, file_name, data)) = file {
        b.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
        b.extend_from_slice(data);
        b.extend_from_slice(b"\r\n");
    }
    b.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), b)
}

/// A user agent with one session cookie.
pub struct Agent {
    pub addr: SocketAddr,
    pub cookie: Option<String>,
    /// The local address it connects from (default: the system's choice).
    pub source: Option<IpAddr>,
}

impl Agent {
    pub fn new(addr: SocketAddr) -> Agent {
        Agent {
            addr,
            cookie: None,
            source: None,
        }
    }

    fn send(
        &mut self,
        method: &str,
        path: &str,
        ctype: Option<&str>,
        body: &[u8],
    ) -> std::io::Result<Answer> {
        let cookie = self.cookie.as_ref().map(|c| format!("scwres_session={c}"));
        let mut h: Vec<(&str, &str)> = Vec::new();
        if let Some(c) = &cookie {
            h.push(("Cookie", c));
        }
        if let Some(t) = ctype {
            h.push(("Content-Type", t));
        }
        let a = request_from(self.source, self.addr, method, path, &h, body)?;
        if let Some(v) = a.header("set-cookie")
            && let Some(rest) = v.strip_prefix("scwres_session=")
        {
            let value = rest.split(';').next().unwrap_or("");
            self.cookie = (!value.is_empty()).then(|| value.to_string());
        }
        Ok(a)
    }

    pub fn get(&mut self, path: &str) -> std::io::Result<Answer> {
        self.send("GET", path, None, b"")
    }

    pub fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> std::io::Result<Answer> {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.send(
            "POST",
            path,
            Some("application/x-www-form-urlencoded"),
            body.as_bytes(),
        )
    }

    pub fn upload(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file_name: &str,
        data: &[u8],
    ) -> std::io::Result<Answer> {
        let (ctype, body) = multipart(fields, Some(("file", file_name, data)));
        self.send("POST", path, Some(&ctype), &body)
    }

    /// Signs in with a link (`…/sign-in/<token>`): the page, then its button.
    pub fn sign_in(&mut self, link: &str) -> std::io::Result<Answer> {
        let path = &link[link.find("/sign-in/").unwrap_or(0)..];
        self.get(path)?;
        self.post(path, &[])
    }

    /// The CSRF token of a page's forms.
    pub fn csrf(&mut self, path: &str) -> std::io::Result<String> {
        let page = self.get(path)?.text();
        let at = page
            .find("name=\"csrf\" value=\"")
            .ok_or_else(|| std::io::Error::other(format!("{path} has no form")))?;
        Ok(page[at + 19..]
            .chars()
            .take_while(|c| c.is_ascii_hexdigit())
            .collect())
    }
}
