//! `scwres bench-serve --hostile`: the collection service attacked while
//! the councils upload, all on loopback, each attacker from addresses of
//! its own (127.0.0.0/8 is all loopback): 512 connections dripping a form's
//! body a byte every 5 s (from 127.0.0.3), 512 idle connections (from
//! 127.0.0.4), and 50 signed-in clients each streaming a 21 MB upload
//! slowly (from 127.0.1.1 onwards). Meanwhile a probe from 127.0.0.5 asks
//! for `GET /` ten times a second, and the process's resident memory is
//! sampled. It stops by itself when the councils' rounds are done. Then
//! [`heavy`]: four councils upload the largest workbook the guards allow,
//! one alone and then all at once, while a probe asks for `GET /`.

use crate::serve::client::Agent;
use std::io::{Read as _, Write as _};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const DRIPPERS: usize = 512;
const IDLERS: usize = 512;
const UPLOADERS: usize = 50;

/// The attack going on; [`Attack::finish`] stops it and reports.
pub struct Attack {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
    probe: Arc<Mutex<(Vec<Duration>, usize)>>,
    rss: Arc<Mutex<(u64, u64)>>,
    held: Arc<[AtomicUsize; 2]>,
    refused: Arc<Mutex<std::collections::BTreeMap<String, usize>>>,
    started: Instant,
}

fn ip(a: u8, b: u8, c: u8, d: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(a, b, c, d))
}

/// The process's resident memory now, in bytes (Linux: /proc/self/status).
fn rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))?
                .split_whitespace()
                .nth(1)?
                .parse::<u64>()
                .ok()
        })
        .map_or(0, |kb| kb * 1024)
}

/// A runtime on this thread, for binding a connection's source address.
fn runtime() -> Option<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .ok()
}

fn connect(rt: &tokio::runtime::Runtime, src: IpAddr, dst: SocketAddr) -> Option<TcpStream> {
    let s = rt
        .block_on(async {
            let sock = tokio::net::TcpSocket::new_v4()?;
            sock.bind(SocketAddr::new(src, 0))?;
            tokio::time::timeout(Duration::from_secs(2), sock.connect(dst))
                .await
                .map_err(|_| std::io::Error::other("timeout"))?
        })
        .ok()?;
    let s = s.into_std().ok()?;
    s.set_nonblocking(true).ok()?;
    Some(s)
}

/// Whether the server has closed `s` (or answered on it).
fn closed(s: &mut TcpStream) -> bool {
    let mut b = [0u8; 256];
    match s.read(&mut b) {
        Ok(_) => true,
        Err(e) => e.kind() != std::io::ErrorKind::WouldBlock,
    }
}

/// A probe from `src`: `GET /` ten times a second until `stop`, each
/// answer's time kept (and the failures counted) in `probe`.
fn probe_from(
    src: IpAddr,
    addr: SocketAddr,
    stop: &Arc<AtomicBool>,
    probe: &Arc<Mutex<(Vec<Duration>, usize)>>,
) -> JoinHandle<()> {
    let (stop, probe) = (stop.clone(), probe.clone());
    std::thread::spawn(move || {
        let mut a = Agent::new(addr);
        a.source = Some(src);
        while !stop.load(SeqCst) {
            let t = Instant::now();
            let ok = matches!(a.get("/"), Ok(r) if r.status == 200);
            if let Ok(mut p) = probe.lock() {
                if ok {
                    p.0.push(t.elapsed());
                } else {
                    p.1 += 1;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    })
}

/// Signs each of `links` in from its own address, `127.0.<net>.1`
/// onwards: their sessions' cookies.
pub fn sign_in_from(addr: SocketAddr, net: u8, links: &[String]) -> anyhow::Result<Vec<String>> {
    use anyhow::Context as _;
    let mut cookies = Vec::new();
    for (i, link) in links.iter().enumerate() {
        let mut a = Agent::new(addr);
        a.source = Some(ip(127, 0, net, 1 + i as u8));
        a.sign_in(link)?;
        cookies.push(
            a.cookie
                .clone()
                .context("a session for an attacker's link")?,
        );
    }
    Ok(cookies)
}

/// Starts the attack on the service at `addr`; `cookies` are the upload
/// attackers' sessions.
pub fn start(addr: SocketAddr, cookies: Vec<String>) -> Attack {
    let stop = Arc::new(AtomicBool::new(false));
    let held: Arc<[AtomicUsize; 2]> = Arc::new([AtomicUsize::new(0), AtomicUsize::new(0)]);
    let refused: Arc<Mutex<std::collections::BTreeMap<String, usize>>> = Default::default();
    let probe: Arc<Mutex<(Vec<Duration>, usize)>> = Default::default();
    let at_rest = rss();
    let rssm = Arc::new(Mutex::new((at_rest, at_rest)));
    let mut threads = Vec::new();
    // Drippers (k = 0) and idlers (k = 1), one thread each.
    for k in 0..2usize {
        let (stop, held) = (stop.clone(), held.clone());
        threads.push(std::thread::spawn(move || {
            let Some(rt) = runtime() else {
                return;
            };
            let src = ip(127, 0, 0, 3 + k as u8);
            let n = if k == 0 { DRIPPERS } else { IDLERS };
            let mut conns: Vec<Option<(TcpStream, Instant)>> = (0..n).map(|_| None).collect();
            let head = format!(
                "POST /sign-in HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 60000\r\n\r\n"
            );
            while !stop.load(SeqCst) {
                let mut made = 0;
                for c in conns.iter_mut() {
                    let drop_it = match c {
                        None => {
                            if made < 64
                                && let Some(mut s) = connect(&rt, src, addr)
                            {
                                made += 1;
                                let ok = k == 1 || s.write_all(head.as_bytes()).is_ok();
                                *c = ok.then(|| (s, Instant::now()));
                            }
                            false
                        }
                        Some((s, last)) => {
                            if closed(s) {
                                true
                            } else if k == 0 && last.elapsed() >= Duration::from_secs(5) {
                                *last = Instant::now();
                                s.write_all(b"a").is_err()
                            } else {
                                false
                            }
                        }
                    };
                    if drop_it {
                        *c = None;
                    }
                }
                held[k].store(conns.iter().filter(|c| c.is_some()).count(), SeqCst);
                std::thread::sleep(Duration::from_millis(100));
            }
        }));
    }
    // Slow 21 MB uploads, each from its own address, with a session.
    for (i, cookie) in cookies.into_iter().enumerate().take(UPLOADERS) {
        let (stop, refused) = (stop.clone(), refused.clone());
        threads.push(std::thread::spawn(move || {
            let Some(rt) = runtime() else {
                return;
            };
            let src = ip(127, 0, 1, 1 + i as u8);
            let total = crate::serve::http::MAX_BODY - 1;
            let chunk = vec![b'x'; 32 << 10];
            while !stop.load(SeqCst) {
                let Some(mut s) = connect(&rt, src, addr) else {
                    std::thread::sleep(Duration::from_millis(200));
                    continue;
                };
                let _ = s.set_nonblocking(false);
                let _ = s.set_write_timeout(Some(Duration::from_secs(5)));
                let head = format!(
                    "POST /council/upload HTTP/1.1\r\nHost: {addr}\r\nCookie: scwres_session={cookie}\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: {total}\r\n\r\n"
                );
                let mut sent = 0;
                let mut ok = s.write_all(head.as_bytes()).is_ok();
                // About 320 KB a second: above the floor, far below the link.
                while ok && sent < total && !stop.load(SeqCst) {
                    ok = s.write_all(&chunk).is_ok();
                    sent += chunk.len();
                    std::thread::sleep(Duration::from_millis(100));
                }
                let _ = s.set_read_timeout(Some(Duration::from_secs(1)));
                let mut b = [0u8; 12];
                let status = match s.read(&mut b) {
                    Ok(n) if n >= 12 => String::from_utf8_lossy(&b[9..12]).into_owned(),
                    _ => "closed".to_string(),
                };
                if let Ok(mut m) = refused.lock() {
                    *m.entry(status).or_default() += 1;
                }
            }
        }));
    }
    // The probe: GET / from another address, ten times a second.
    threads.push(probe_from(ip(127, 0, 0, 5), addr, &stop, &probe));
    // Memory, ten times a second.
    {
        let (stop, m) = (stop.clone(), rssm.clone());
        threads.push(std::thread::spawn(move || {
            while !stop.load(SeqCst) {
                let now = rss();
                if let Ok(mut m) = m.lock() {
                    m.1 = m.1.max(now);
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }));
    }
    Attack {
        stop,
        threads,
        probe,
        rss: rssm,
        held,
        refused,
        started: Instant::now(),
    }
}

impl Attack {
    /// Stops every attacker and says what the probe and the memory saw, as
    /// a Markdown table.
    pub fn finish(self) -> String {
        let held = [self.held[0].load(SeqCst), self.held[1].load(SeqCst)];
        self.stop.store(true, SeqCst);
        for t in self.threads {
            let _ = t.join();
        }
        let (mut lat, failed) = self.probe.lock().map(|p| p.clone()).unwrap_or_default();
        lat.sort();
        let ms = |d: Duration| format!("{:.1}", d.as_secs_f64() * 1000.0);
        let (rest, peak) = self.rss.lock().map(|m| *m).unwrap_or_default();
        let refused = self.refused.lock().map(|m| m.clone()).unwrap_or_default();
        let mb = |b: u64| format!("{:.0}", b as f64 / (1u64 << 20) as f64);
        format!(
            "| measure | value |\n|---|---|\n\
             | attack length | {:.0} s |\n\
             | `GET /` from another address: answers, p50 ms, p99 ms, max ms | {}, {}, {}, {} |\n\
             | `GET /` failed or refused | {failed} |\n\
             | dripping connections (127.0.0.3) held open at the end | {} of {DRIPPERS} |\n\
             | idle connections (127.0.0.4) held open at the end | {} of {IDLERS} |\n\
             | slow 21 MB uploads ({UPLOADERS} clients): how each ended | {} |\n\
             | process memory at rest, peak, peak above rest (MB) | {}, {}, {} |",
            self.started.elapsed().as_secs_f64(),
            lat.len(),
            ms(super::serve::pct(&lat, 0.5)),
            ms(super::serve::pct(&lat, 0.99)),
            ms(lat.last().copied().unwrap_or_default()),
            held[0],
            held[1],
            refused
                .iter()
                .map(|(k, v)| format!("{k} × {v}"))
                .collect::<Vec<_>>()
                .join(", "),
            mb(rest),
            mb(peak),
            mb(peak.saturating_sub(rest)),
        )
    }
}

/// How many councils upload the largest workbook at once, and how often.
pub const HEAVY: usize = 4;
const HEAVY_ROUNDS: usize = 3;

/// The largest return workbook the guards let through: a `Return` sheet
/// with a number in every cell up to the guards' last row and column
/// (`seed` in the first, so that each is a new version to check).
pub fn largest_workbook(seed: u32) -> anyhow::Result<Vec<u8>> {
    use crate::load::guard::{MAX_COL, MAX_ROW};
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(crate::load::workbook::RETURN_SHEET)?;
    for r in 0..MAX_ROW as u32 {
        for c in 0..MAX_COL as u16 {
            let v = if r == 0 && c == 0 {
                f64::from(seed)
            } else {
                1.0
            };
            ws.write_number(r, c, v)?;
        }
    }
    Ok(wb.save_to_buffer()?)
}

/// One council's upload of `bytes` as `name`: how long until the answer
/// (the check is made before it), and its status.
fn upload(
    addr: SocketAddr,
    src: IpAddr,
    cookie: &str,
    name: &str,
    bytes: &[u8],
) -> (Duration, String) {
    let mut a = Agent::new(addr);
    a.source = Some(src);
    a.cookie = Some(cookie.to_string());
    let csrf = match a.csrf("/council/upload") {
        Ok(c) => c,
        Err(e) => return (Duration::ZERO, format!("no form: {e}")),
    };
    let t = Instant::now();
    let status = match a.upload("/council/upload", &[("csrf", &csrf)], name, bytes) {
        Ok(r) => r.status.to_string(),
        Err(e) => format!("failed: {e}"),
    };
    (t.elapsed(), status)
}

/// Heavy work kept apart: [`HEAVY`] councils (`cookies`, each from an
/// address of its own) upload the largest workbook the guards allow, first
/// one alone and then all at once, [`HEAVY_ROUNDS`] times, while a probe
/// asks for `GET /` ten times a second. A Markdown table.
pub fn heavy(addr: SocketAddr, cookies: &[String]) -> anyhow::Result<String> {
    let books: Vec<Vec<u8>> = (0..=HEAVY_ROUNDS as u32)
        .map(largest_workbook)
        .collect::<anyhow::Result<_>>()?;
    // It is what it says: within every guard (size, parts, unpacked bytes,
    // cell references).
    let passes = crate::load::guard::xlsx(&books[0]).is_ok()
        && (books[0].len() as u64) <= crate::load::MAX_XLSX;
    let src = |i: usize| ip(127, 0, 3, 1 + i as u8);
    let alone = upload(addr, src(0), &cookies[0], "return.xlsx", &books[0]);
    let stop = Arc::new(AtomicBool::new(false));
    let probe: Arc<Mutex<(Vec<Duration>, usize)>> = Default::default();
    let prober = probe_from(ip(127, 0, 0, 6), addr, &stop, &probe);
    let mut times = Vec::new();
    let mut statuses: std::collections::BTreeMap<String, usize> = Default::default();
    let started = Instant::now();
    for round in 1..=HEAVY_ROUNDS {
        let ups: Vec<_> = cookies
            .iter()
            .take(HEAVY)
            .enumerate()
            .map(|(i, cookie)| {
                let (cookie, book) = (cookie.clone(), books[round].clone());
                std::thread::spawn(move || upload(addr, src(i), &cookie, "return.xlsx", &book))
            })
            .collect();
        for u in ups {
            if let Ok((t, s)) = u.join() {
                times.push(t);
                *statuses.entry(s).or_default() += 1;
            }
        }
    }
    let wall = started.elapsed();
    stop.store(true, SeqCst);
    let _ = prober.join();
    times.sort();
    let (mut lat, failed) = probe.lock().map(|p| p.clone()).unwrap_or_default();
    lat.sort();
    let ms = |d: Duration| format!("{:.0}", d.as_secs_f64() * 1000.0);
    Ok(format!(
        "| measure | value |\n|---|---|\n\
         | the largest workbook the guards allow: cells, packed MB, within the guards | {}, {:.1}, {} |\n\
         | one alone: answer ms (status) | {} ({}) |\n\
         | {HEAVY} councils at once, {HEAVY_ROUNDS} times: answers p50, max ms | {}, {} |\n\
         | how they ended | {} |\n\
         | `GET /` meanwhile ({:.0} s): answers, p50, p99, max ms; failed | {}, {}, {}, {}; {failed} |",
        crate::load::guard::MAX_ROW * crate::load::guard::MAX_COL,
        books[0].len() as f64 / f64::from(1u32 << 20),
        if passes { "yes" } else { "**no**" },
        ms(alone.0),
        alone.1,
        ms(super::serve::pct(&times, 0.5)),
        ms(times.last().copied().unwrap_or_default()),
        statuses
            .iter()
            .map(|(k, v)| format!("{k} × {v}"))
            .collect::<Vec<_>>()
            .join(", "),
        wall.as_secs_f64(),
        lat.len(),
        ms(super::serve::pct(&lat, 0.5)),
        ms(super::serve::pct(&lat, 0.99)),
        ms(lat.last().copied().unwrap_or_default()),
    ))
}
