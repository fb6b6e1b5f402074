//! What the service tests share: a service on loopback over a data folder
//! made in the test (the demo generator's returns of 2024, so the
//! collection year is 2025), people of two councils and the national team,
//! sign-in links minted straight into the database, a local SMTP server,
//! and a zip reader.
#![allow(dead_code)]

use scwres::serve::client::{Agent, Answer};
use scwres::serve::{self, App, Options, Running, auth, db, ids};
use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Council A and council B: both have a 2024 demo return.
pub const A: &str = "E06000003";
pub const B: &str = "E06000004";

pub struct Service {
    pub dir: tempfile::TempDir,
    running: Option<Running>,
    pub admin: String,
    pub submitter_a: String,
    pub signer_a: String,
    pub submitter_b: String,
    pub signer_b: String,
}

impl Service {
    pub fn start() -> Service {
        Service::start_with(None)
    }

    pub fn start_with(smtp: Option<String>) -> Service {
        Service::start_in(demo_data(), smtp, |_| {})
    }

    /// A service over `dir`, with `tweak` applied to it before it serves.
    pub fn start_in(
        dir: tempfile::TempDir,
        smtp: Option<String>,
        tweak: impl FnOnce(&mut App),
    ) -> Service {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let opts = Options {
            data: dir.path().to_path_buf(),
            year: None,
            published: None,
            smtp: smtp.map(|relay| serve::mail::Smtp {
                relay,
                from: "sc-wres@example.org".into(),
            }),
            base_url: Some(format!("http://{}", listener.local_addr().unwrap())),
            admin: None,
            behind_proxy: false,
            // Built by .ci/wasm, which .ci/run runs first.
            extract_module: std::env::var_os("SCWRES_EXTRACT_MODULE").map(PathBuf::from),
        };
        let mut app = App::open(&opts).unwrap();
        assert_eq!(app.year, 2025);
        tweak(&mut app);
        let mut c = app.db.conn().unwrap();
        let a = ids::CouncilCode(A.into());
        let b = ids::CouncilCode(B.into());
        for (email, role, council) in [
            ("team@example.org", ids::Role::Admin, None),
            ("analyst@a.example.org", ids::Role::Submitter, Some(&a)),
            ("director@a.example.org", ids::Role::Signer, Some(&a)),
            ("analyst@b.example.org", ids::Role::Submitter, Some(&b)),
            ("director@b.example.org", ids::Role::Signer, Some(&b)),
        ] {
            // Started again over the same folder: already invited.
            match db::invite(&mut c, None, email, role, council) {
                Ok(_) | Err(db::DbError::Refused(_)) => {}
                Err(e) => panic!("{e}"),
            }
        }
        drop(c);
        let running = serve::start(app, listener).unwrap();
        Service {
            dir,
            running: Some(running),
            admin: "team@example.org".into(),
            submitter_a: "analyst@a.example.org".into(),
            signer_a: "director@a.example.org".into(),
            submitter_b: "analyst@b.example.org".into(),
            signer_b: "director@b.example.org".into(),
        }
    }

    /// Stops the service and gives back its data folder.
    pub fn stop(self) -> tempfile::TempDir {
        let Service { dir, running, .. } = self;
        drop(running);
        dir
    }

    pub fn addr(&self) -> SocketAddr {
        self.running.as_ref().unwrap().addr
    }

    /// The service's data folder.
    pub fn data(&self) -> &Path {
        self.dir.path()
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join(db::FILE)
    }

    pub fn person_id(&self, email: &str) -> i64 {
        let c = rusqlite::Connection::open(self.db_path()).unwrap();
        c.query_row("SELECT id FROM person WHERE email = ?1", [email], |r| {
            r.get(0)
        })
        .unwrap()
    }

    /// A fresh sign-in link for a person, as the team's page would give.
    pub fn link(&self, email: &str) -> String {
        let t = auth::token();
        let c = rusqlite::Connection::open(self.db_path()).unwrap();
        db::add_link(
            &c,
            ids::PersonId(self.person_id(email)),
            &auth::hash(&t),
            3600,
        )
        .unwrap();
        format!("http://{}/sign-in/{t}", self.addr())
    }

    pub fn signed_in(&self, email: &str) -> Agent {
        let mut a = Agent::new(self.addr());
        let r = a.sign_in(&self.link(email)).unwrap();
        assert_eq!(r.status, 303, "{email} signs in: {}", r.text());
        a
    }

    /// A council's 2024 demo return as its 2025 one, every figure the
    /// same as last year's (which raises a query).
    pub fn same_as_last_year(&self, code: &str) -> String {
        let dir = self.dir.path().join("returns/2024");
        let file = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_name().unwrap().to_str().unwrap().starts_with(code))
            .unwrap();
        std::fs::read_to_string(file)
            .unwrap()
            .replace(",2024,", ",2025,")
    }

    /// A council's 2024 demo return, made a 2025 one: a clean return, one
    /// more white member of staff in the first pay band of adults' services
    /// than in 2024 (the same figures as last year would be a query).
    pub fn return_csv(&self, code: &str) -> String {
        let text = self.same_as_last_year(code);
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let mut cells: Vec<String> = lines[1].split(',').map(str::to_string).collect();
        assert_eq!(
            &cells[2..5],
            ["adults", "headcount", "under_30k"],
            "{}",
            lines[1]
        );
        cells[5] = (cells[5].parse::<u64>().unwrap() + 1).to_string();
        lines[1] = cells.join(",");
        lines.join("\n") + "\n"
    }

    pub fn upload(&self, a: &mut Agent, name: &str, bytes: &[u8]) -> Answer {
        let csrf = a.csrf("/council/upload").unwrap();
        a.upload("/council/upload", &[("csrf", &csrf)], name, bytes)
            .unwrap()
    }

    /// A council's senior officer uploads its clean return and signs off
    /// version 1.
    pub fn uploaded_and_signed_off(&self, signer: &str, code: &str) {
        let mut a = self.signed_in(signer);
        self.upload(
            &mut a,
            &format!("{code}.csv"),
            self.return_csv(code).as_bytes(),
        );
        let csrf = a.csrf("/council").unwrap();
        let r = a
            .post(
                "/council/sign-off",
                &[
                    ("csrf", &csrf),
                    ("version", "1"),
                    ("name", "Officer"),
                    ("confirm", "yes"),
                ],
            )
            .unwrap();
        assert_eq!(r.status, 200, "{}", r.text());
    }

    pub fn versions(&self, code: &str) -> i64 {
        let c = rusqlite::Connection::open(self.db_path()).unwrap();
        c.query_row(
            "SELECT COUNT(*) FROM upload WHERE council = ?1",
            [code],
            |r| r.get(0),
        )
        .unwrap()
    }
}

/// A return (CSV) with `by` more white staff in its first row of adults'
/// `measure`: a correction small enough to raise no query.
pub fn bumped(csv: &str, measure: &str, by: u64) -> String {
    let mut done = false;
    let lines: Vec<String> = csv
        .lines()
        .map(|l| {
            let mut cells: Vec<String> = l.split(',').map(str::to_string).collect();
            if !done && cells.len() > 5 && cells[2] == "adults" && cells[3] == measure {
                done = true;
                cells[5] = (cells[5].parse::<u64>().unwrap() + by).to_string();
            }
            cells.join(",")
        })
        .collect();
    assert!(done, "no adults' {measure} row");
    lines.join("\n") + "\n"
}

/// Polls a release's page until it is ready to check (two minutes at
/// most); its text. A failed run fails the test.
pub fn ready_page(admin: &mut Agent, at: &str) -> String {
    for _ in 0..600 {
        let page = admin.get(at).unwrap().text();
        if page.contains("Ready to check") {
            return page;
        }
        assert!(!page.contains("Failed"), "the release failed: {page}");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    panic!("the release did not finish in two minutes");
}

/// A data folder made here: the demo generator's returns up to 2024 and a
/// report.yaml saying they are synthetic (the collection year is 2025).
pub fn demo_data() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let register = scwres::register::Register::built_in();
    for (path, text) in scwres::demo::generate(&register, 2024) {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    std::fs::write(dir.path().join("report.yaml"), "synthetic: true\n").unwrap();
    dir
}

/// The files of a zip: (name, bytes).
pub fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut out = Vec::new();
            std::io::Read::read_to_end(&mut f, &mut out).unwrap();
            (f.name().unwrap().to_string(), out)
        })
        .collect()
}

/// A small .xlsx that expands to 80 MB.
pub fn zip_bomb() -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    z.start_file("[Content_Types].xml", opts).unwrap();
    z.write_all(b"<Types/>").unwrap();
    z.start_file("xl/media/bomb.bin", opts).unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..80 {
        z.write_all(&zeros).unwrap();
    }
    z.finish().unwrap().into_inner()
}

/// One message an SMTP client sent.
#[derive(Clone, Debug)]
pub struct Mail {
    pub rcpt: Vec<String>,
    pub data: String,
}

/// A local SMTP server that keeps what it is sent.
pub struct SmtpSink {
    addr: SocketAddr,
    got: Arc<Mutex<Vec<Mail>>>,
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        SmtpSink::start_slow(std::time::Duration::ZERO)
    }

    /// A relay that waits `delay` before each reply.
    pub fn start_slow(delay: std::time::Duration) -> SmtpSink {
        SmtpSink::start_on(TcpListener::bind("127.0.0.1:0").unwrap(), delay)
    }

    /// A relay on a listener bound already (an address given out before
    /// the relay was there).
    pub fn start_on(l: TcpListener, delay: std::time::Duration) -> SmtpSink {
        let addr = l.local_addr().unwrap();
        let got: Arc<Mutex<Vec<Mail>>> = Default::default();
        let keep = got.clone();
        std::thread::spawn(move || {
            for s in l.incoming() {
                let Ok(s) = s else { continue };
                let keep = keep.clone();
                std::thread::spawn(move || {
                    let mut w = s.try_clone().unwrap();
                    let mut r = BufReader::new(s);
                    std::thread::sleep(delay);
                    let _ = w.write_all(b"220 sink ready\r\n");
                    let mut mail = Mail {
                        rcpt: Vec::new(),
                        data: String::new(),
                    };
                    let mut line = String::new();
                    while r.read_line(&mut line).unwrap_or(0) > 0 {
                        let cmd = line.trim_end().to_string();
                        line.clear();
                        let up = cmd.to_ascii_uppercase();
                        let reply: &[u8] = if up.starts_with("EHLO") || up.starts_with("HELO") {
                            b"250-sink\r\n250 8BITMIME\r\n"
                        } else if up.starts_with("RCPT TO:") {
                            mail.rcpt.push(cmd[8..].to_string());
                            b"250 ok\r\n"
                        } else if up == "DATA" {
                            let _ = w.write_all(b"354 go on\r\n");
                            let mut data = String::new();
                            loop {
                                let mut l = String::new();
                                if r.read_line(&mut l).unwrap_or(0) == 0 || l == ".\r\n" {
                                    break;
                                }
                                data.push_str(&l);
                            }
                            mail.data = data;
                            keep.lock().unwrap().push(mail.clone());
                            b"250 queued\r\n"
                        } else if up == "QUIT" {
                            let _ = w.write_all(b"221 bye\r\n");
                            break;
                        } else {
                            b"250 ok\r\n"
                        };
                        std::thread::sleep(delay);
                        let _ = w.write_all(reply);
                    }
                });
            }
        });
        SmtpSink { addr, got }
    }

    pub fn relay(&self) -> String {
        self.addr.to_string()
    }

    pub fn count(&self) -> usize {
        self.got.lock().unwrap().len()
    }

    /// The messages, once `n` holding `needle` have arrived (or after 10 s).
    pub fn wait_for_text(&self, needle: &str, n: usize) -> Vec<Mail> {
        for _ in 0..200 {
            if self
                .got
                .lock()
                .unwrap()
                .iter()
                .filter(|m| m.data.contains(needle))
                .count()
                >= n
            {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        self.got.lock().unwrap().clone()
    }

    /// The messages, once `n` have arrived (or after 10 s).
    pub fn wait_for(&self, n: usize) -> Vec<Mail> {
        for _ in 0..200 {
            if self.count() >= n {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        self.got.lock().unwrap().clone()
    }
}
