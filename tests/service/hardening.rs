//! The service under attack (issue 39): mail off the request path and its
//! outbox, sign-in that locks out guessing but never a valid link, `Host`
//! and `Origin` held to the service's own, one e-mail rule, and releases
//! that fail cleanly.

use crate::support::*;
use scwres::serve::client::{Agent, request};
use std::time::{Duration, Instant};

/// A request written byte for byte; the answer as text.
fn raw(addr: std::net::SocketAddr, bytes: &[u8]) -> String {
    use std::io::{Read as _, Write as _};
    let mut t = std::net::TcpStream::connect(addr).unwrap();
    t.write_all(bytes).unwrap();
    let mut out = Vec::new();
    let _ = t.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// "Email me a link" answers in the same time for an invited, an unknown
/// and a revoked address, however slow the relay: the request only hands
/// the address on. Over 200 requests the medians are within 2 ms; the
/// invited address's link still arrives.
#[test]
fn asking_for_a_link_takes_the_same_time_for_anyone() {
    // A relay that waits 200 ms before every reply (a message takes over
    // a second): were the mail sent inside the request, the invited
    // address's answers would be that much slower.
    let mail = SmtpSink::start_slow(Duration::from_millis(200));
    let s = Service::start_with(Some(mail.relay()));
    {
        let mut c = rusqlite::Connection::open(s.db_path()).unwrap();
        let tx = c.transaction().unwrap();
        tx.execute(
            "INSERT INTO person (email, role, council, invited_at) VALUES ('gone@a.example.org', 'submitter', ?1, 0)",
            [A],
        )
        .unwrap();
        tx.execute(
            "UPDATE person SET revoked_at = 1 WHERE email = 'gone@a.example.org'",
            [],
        )
        .unwrap();
        tx.commit().unwrap();
    }
    let who = [
        s.submitter_a.clone(),
        "nobody@example.org".to_string(),
        "gone@a.example.org".to_string(),
    ];
    let mut times: [Vec<f64>; 3] = Default::default();
    let mut anon = Agent::new(s.addr());
    for i in 0..201 {
        let k = i % 3;
        let t = Instant::now();
        let r = anon.post("/sign-in", &[("email", &who[k])]).unwrap();
        times[k].push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(r.status, 200);
    }
    let m: Vec<f64> = times.into_iter().map(median).collect();
    let spread =
        m.iter().cloned().fold(f64::MIN, f64::max) - m.iter().cloned().fold(f64::MAX, f64::min);
    eprintln!("medians (ms) invited, unknown, revoked: {m:?}");
    assert!(
        spread < 2.0,
        "medians (ms) invited, unknown, revoked: {m:?}"
    );
    // Sent in the background: one message, to the invited address (at
    // most three an hour to one address; the revoked one gets none).
    let got = mail.wait_for(1);
    assert!(!got.is_empty(), "the invited address's link was not sent");
    assert!(
        got.iter()
            .all(|g| g.rcpt.iter().any(|r| r.contains(&s.submitter_a)))
    );
}

/// A message the relay could not take stays in the outbox with why, and a
/// message left by a stopped service is sent when one starts again.
#[test]
fn the_outbox_keeps_what_the_relay_did_not_take() {
    // A relay address where nothing listens yet.
    let spot = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let relay = spot.local_addr().unwrap();
    drop(spot);
    let s = Service::start_with(Some(relay.to_string()));
    let mut anon = Agent::new(s.addr());
    assert_eq!(
        anon.post("/sign-in", &[("email", &s.submitter_a)])
            .unwrap()
            .status,
        200
    );
    let row = |db: &std::path::Path| -> Option<(i64, Option<String>, Option<i64>)> {
        let c = rusqlite::Connection::open(db).unwrap();
        c.query_row(
            "SELECT attempts, error, sent_at FROM outbox WHERE recipient = ?1",
            [&s.submitter_a],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .ok()
    };
    let mut seen = None;
    for _ in 0..100 {
        seen = row(&s.db_path());
        if seen.as_ref().is_some_and(|r| r.0 >= 1) {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let (attempts, error, sent) = seen.expect("the message is in the outbox");
    assert_eq!((attempts, sent), (1, None));
    assert!(error.is_some_and(|e| e.contains("could not be reached")));
    // The service stops; one starts over the same folder with a relay that
    // answers: the waiting message goes (its retry is due at once, as the
    // database says when).
    let dir = s.stop();
    {
        let c = rusqlite::Connection::open(dir.path().join(scwres::serve::db::FILE)).unwrap();
        c.execute("UPDATE outbox SET next_at = 0", []).unwrap();
    }
    let sink = SmtpSink::start();
    let again = Service::start_in(dir, Some(sink.relay()), |_| {});
    let got = sink.wait_for(1);
    assert_eq!(got.len(), 1, "the waiting message is sent after a restart");
    assert!(got[0].data.contains("/sign-in/"));
    // Once sent (recorded after the relay's last reply: waited for), the
    // link is no longer kept in the outbox.
    let c = rusqlite::Connection::open(again.db_path()).unwrap();
    let mut body = None;
    for _ in 0..200 {
        body = c
            .query_row(
                "SELECT body FROM outbox WHERE sent_at IS NOT NULL",
                [],
                |r| r.get::<_, String>(0),
            )
            .ok();
        if body.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(body.as_deref(), Some(""), "the sent message's text is kept");
}

/// Guessing links is stopped, but a valid link works from the same
/// address: a council office behind one address cannot be locked out by
/// one of its machines (or by someone on its network).
#[test]
fn guessing_is_locked_out_but_a_valid_link_is_not() {
    let s = Service::start();
    let mut a = Agent::new(s.addr());
    let mut last = 0;
    for i in 0..25 {
        last = a.post(&format!("/sign-in/{:064x}", i), &[]).unwrap().status;
    }
    assert_eq!(last, 429, "guessing goes on unchecked");
    assert_eq!(a.get(&format!("/sign-in/{:064x}", 99)).unwrap().status, 429);
    let link = s.link(&s.submitter_a);
    assert_eq!(a.sign_in(&link).unwrap().status, 303);
    assert_eq!(a.get("/council").unwrap().status, 200);
}

/// Only the service's own name and origin: another `Host` is refused
/// before anything else; an `Origin` of another scheme, `null`, or with
/// bytes that are not ASCII is another origin.
#[test]
fn host_and_origin_are_the_services_own() {
    let s = Service::start();
    let addr = s.addr();
    let r = raw(
        addr,
        b"GET / HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
    );
    assert!(r.starts_with("HTTP/1.1 421"), "{r}");
    let mut a = s.signed_in(&s.submitter_a);
    let csrf = a.csrf("/council").unwrap();
    let cookie = format!("scwres_session={}", a.cookie.clone().unwrap());
    let body = format!("csrf={csrf}");
    for origin in [
        "ftp://".to_string() + &addr.to_string(),
        "null".to_string(),
        format!("http://{addr}.evil.example"),
    ] {
        let r = request(
            addr,
            "POST",
            "/sign-out",
            &[
                ("Cookie", &cookie),
                ("Origin", &origin),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            body.as_bytes(),
        )
        .unwrap();
        assert_eq!(r.status, 403, "Origin {origin}: {}", r.text());
    }
    // Bytes that are not ASCII, written raw.
    let answer = {
        let mut head = format!(
            "POST /sign-out HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nCookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nOrigin: http://",
            body.len()
        )
        .into_bytes();
        head.extend_from_slice(&[0xE2, 0x80, 0x8B]);
        head.extend_from_slice(format!("{addr}\r\n\r\n{body}").as_bytes());
        raw(addr, &head)
    };
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
    // The session's own origin still signs out.
    let r = request(
        addr,
        "POST",
        "/sign-out",
        &[
            ("Cookie", &cookie),
            ("Origin", &format!("http://{addr}")),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        body.as_bytes(),
    )
    .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
}

/// One e-mail rule: an address list is not an address, for signing in
/// or for inviting.
#[test]
fn an_address_list_is_refused_everywhere() {
    let s = Service::start();
    let mut anon = Agent::new(s.addr());
    let two = "a@b.example,c@evil.example";
    let r = anon.post("/sign-in", &[("email", two)]).unwrap();
    assert_eq!(r.status, 400, "{}", r.text());
    let mut admin = s.signed_in(&s.admin);
    let csrf = admin.csrf("/admin/people/new").unwrap();
    let r = admin
        .post(
            "/admin/people",
            &[
                ("csrf", &csrf),
                ("email", two),
                ("role", "admin"),
                ("council", ""),
            ],
        )
        .unwrap();
    assert_eq!(r.status, 400, "{}", r.text());
    let c = rusqlite::Connection::open(s.db_path()).unwrap();
    let n: i64 = c
        .query_row(
            "SELECT COUNT(*) FROM person WHERE email LIKE '%evil%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 0);
}

/// What a killed release left (its staging folder and lock) is cleared
/// when the service starts.
#[test]
fn a_killed_runs_leftovers_are_cleared_at_start() {
    let dir = demo_data();
    let run = dir.path().join("service-releases/2025/1");
    std::fs::create_dir_all(run.join(".out.staging-4242/public")).unwrap();
    std::fs::write(run.join(".out.staging-4242/public/x.html"), "half").unwrap();
    std::fs::write(run.join(".out.lock"), "").unwrap();
    std::fs::write(run.join("kept.txt"), "kept").unwrap();
    let s = Service::start_in(dir, None, |_| {});
    let run = s.dir.path().join("service-releases/2025/1");
    assert!(!run.join(".out.staging-4242").exists());
    assert!(!run.join(".out.lock").exists());
    assert!(
        run.join("kept.txt").exists(),
        "only what a run leaves is removed"
    );
}

/// A release that panics is marked failed, with words on the team's page,
/// and the next release can start.
#[test]
fn a_release_that_panics_fails_and_frees_the_next() {
    let s = Service::start_in(demo_data(), None, |app| {
        app.release_fault = Some(|| panic!("injected for the test"));
    });
    s.uploaded_and_signed_off(&s.signer_a, A);
    let mut admin = s.signed_in(&s.admin);
    for n in 1..=2 {
        let csrf = admin.csrf("/admin/releases").unwrap();
        let r = admin
            .post(
                "/admin/releases",
                &[("csrf", &csrf), ("coverage", "confirmed")],
            )
            .unwrap();
        assert_eq!(r.status, 303, "release {n} starts: {}", r.text());
        let at = r.header("location").unwrap().to_string();
        assert!(at.ends_with(&format!("/{n}")), "{at}");
        let mut page = String::new();
        for _ in 0..100 {
            page = admin.get(&at).unwrap().text();
            if page.contains("Failed") {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        assert!(page.contains("Failed"), "{page}");
        assert!(page.contains("injected for the test"), "{page}");
        assert!(page.contains("fault of the program"), "{page}");
    }
}

/// A request's body is limited by its route before a byte is read: a form
/// takes a few KB, chunked or not; an upload takes a workbook's size only
/// with a live session, and without one is sent to sign in at once.
#[test]
fn bodies_are_limited_by_route_before_they_are_read() {
    let s = Service::start();
    let addr = s.addr();
    // A 100 KB form, declared.
    let big = vec![b'a'; 100 << 10];
    let r = request(
        addr,
        "POST",
        "/sign-in",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        &big,
    )
    .unwrap();
    assert_eq!(r.status, 413, "{}", r.text());
    // The same, chunked (no length declared).
    let mut chunked = format!(
        "POST /sign-in HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    .into_bytes();
    for _ in 0..10 {
        chunked.extend_from_slice(format!("{:x}\r\n", 10 << 10).as_bytes());
        chunked.extend_from_slice(&vec![b'a'; 10 << 10]);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    assert!(raw(addr, &chunked).starts_with("HTTP/1.1 413"));
    // An upload without a session: 20 MB declared, nothing sent; the answer
    // comes at once (the body is never waited for).
    let t = Instant::now();
    let head = format!(
        "POST /council/upload HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: {}\r\n\r\n",
        20 << 20
    );
    let answer = raw(addr, head.as_bytes());
    assert!(answer.starts_with("HTTP/1.1 303"), "{answer}");
    assert!(answer.contains("location: /sign-in"), "{answer}");
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
}

/// One address's connections cannot starve another's: 520 idle
/// connections from 127.0.0.1 (more than the 512 served at once) leave a
/// page from 127.0.0.2 answering at once; the extra ones are closed.
#[test]
fn one_clients_connections_do_not_starve_another() {
    let s = Service::start();
    let addr = s.addr();
    let idle: Vec<std::net::TcpStream> = (0..520)
        .filter_map(|_| std::net::TcpStream::connect(addr).ok())
        .collect();
    assert!(idle.len() >= 500, "{} connections made", idle.len());
    // A connection from another loopback address (tokio binds the source
    // address before connecting; the rest is plain std).
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let t = Instant::now();
    let c = rt.block_on(async {
        let sock = tokio::net::TcpSocket::new_v4().unwrap();
        sock.bind("127.0.0.2:0".parse().unwrap()).unwrap();
        sock.connect(addr).await.unwrap()
    });
    let mut c = c.into_std().unwrap();
    c.set_nonblocking(false).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let (status, took) = {
        use std::io::{Read as _, Write as _};
        c.write_all(
            format!("GET / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .unwrap();
        let mut out = Vec::new();
        c.read_to_end(&mut out).expect("an answer within 20 s");
        (
            String::from_utf8_lossy(&out[..12.min(out.len())]).into_owned(),
            t.elapsed(),
        )
    };
    assert_eq!(status, "HTTP/1.1 200");
    // Within 5 s, not the 10 s an idle connection holds a slot for: a
    // margin for a loaded machine, not a measure of speed (the benchmark
    // measures that).
    assert!(took < Duration::from_secs(5), "{took:?}");
    drop(idle);
}

/// A body that drips is dropped once it falls below the floor rate after
/// the grace period: it holds no connection and no memory for long.
#[test]
fn a_dripping_body_is_dropped() {
    use std::io::{Read as _, Write as _};
    let s = Service::start();
    let addr = s.addr();
    let mut t = std::net::TcpStream::connect(addr).unwrap();
    t.write_all(
        format!(
            "POST /sign-in HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 60000\r\n\r\n"
        )
        .as_bytes(),
    )
    .unwrap();
    let start = Instant::now();
    let mut dropped = false;
    // A byte a second, for at most 30 s.
    for _ in 0..30 {
        if t.write_all(b"a").is_err() {
            dropped = true;
            break;
        }
        std::thread::sleep(Duration::from_secs(1));
        t.set_nonblocking(true).unwrap();
        let mut buf = [0u8; 64];
        let n = t.read(&mut buf);
        t.set_nonblocking(false).unwrap();
        if let Ok(n) = n
            && n > 0
        {
            assert!(
                buf.starts_with(b"HTTP/1.1 408"),
                "{:?}",
                String::from_utf8_lossy(&buf)
            );
            dropped = true;
            break;
        }
    }
    assert!(dropped, "a body dripping a byte a second was read for 30 s");
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
}

/// The same file again is the same version; a council's uploads of a day
/// are capped (report.yaml), and the refusal says when it can upload
/// again.
#[test]
fn uploads_are_capped_a_day_and_a_repeat_is_the_same_version() {
    let dir = demo_data();
    std::fs::write(
        dir.path().join("report.yaml"),
        "synthetic: true\nservice:\n  versions_per_day: 3\n",
    )
    .unwrap();
    let s = Service::start_in(dir, None, |_| {});
    let mut a = s.signed_in(&s.submitter_a);
    let csv = s.return_csv(A);
    let first = s.upload(&mut a, "r.csv", csv.as_bytes());
    assert_eq!(first.status, 303);
    let again = s.upload(&mut a, "r-copy.csv", csv.as_bytes());
    assert_eq!(again.status, 303);
    assert_eq!(again.header("location"), first.header("location"));
    assert_eq!(s.versions(A), 1, "a repeat is the same version");
    for n in 1..3 {
        let other = format!("{csv}{}", "\n".repeat(n));
        assert_eq!(s.upload(&mut a, "r.csv", other.as_bytes()).status, 303);
    }
    assert_eq!(s.versions(A), 3);
    let over = s.upload(&mut a, "r.csv", format!("{csv}\n\n\n").as_bytes());
    assert_eq!(over.status, 429, "{}", over.text());
    assert!(
        over.text().contains("You can upload again after"),
        "{}",
        over.text()
    );
    assert!(over.header("retry-after").is_some());
    assert_eq!(s.versions(A), 3);
}

/// The workbook a council downloads after an upload is filled from its
/// newest clean version (what it may be signing off), not last year's.
#[test]
fn the_workbook_is_the_councils_newest_clean_version() {
    use scwres::indicators::{Measure, Service as Svc};
    let s = Service::start();
    let mut a = s.signed_in(&s.submitter_a);
    let csv: String = s
        .return_csv(A)
        .lines()
        .map(|l| {
            if l.contains(",adults,leavers,") {
                let mut p: Vec<&str> = l.split(',').collect();
                p[5] = "777";
                p.join(",")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    assert_eq!(s.upload(&mut a, "r.csv", csv.as_bytes()).status, 303);
    let wb = a.get("/council/workbook.xlsx").unwrap();
    assert_eq!(wb.status, 200);
    let register = scwres::register::Register::built_in();
    let config = scwres::config::Config::default();
    let rules = scwres::run::collect::Rules {
        register: &register,
        config: &config,
        year: 2025,
    };
    let back = scwres::run::collect::check_upload("w.xlsx", &wb.body, &rules)
        .ret
        .expect("the workbook is a clean return");
    let leavers = back.services[&Svc::Adults].get(Measure::Leavers).unwrap();
    assert_eq!(leavers.white, 777);
    assert!(
        a.get("/council")
            .unwrap()
            .text()
            .contains("Filled in from your version 1")
    );
}

/// The GOV.UK furniture: a phase banner with a feedback link and footer
/// links to help and contact, the accessibility statement, the privacy
/// notice and the cookies page, each there for anyone and naming the
/// contact of report.yaml; a sign-in link the team makes is in the audit
/// log (never the link).
#[test]
fn the_service_has_its_information_pages() {
    let s = Service::start();
    let mut anon = Agent::new(s.addr());
    let start = anon.get("/").unwrap().text();
    assert!(
        start.contains("Beta") && start.contains("Your feedback"),
        "{start}"
    );
    for (path, says) in [
        ("/help", "Help and contact"),
        ("/accessibility", "Accessibility statement"),
        ("/privacy", "Privacy notice"),
        ("/cookies", "scwres_session"),
    ] {
        assert!(
            start.contains(&format!("href=\"{path}\"")),
            "{path} is not in the footer"
        );
        let r = anon.get(path).unwrap();
        assert_eq!(r.status, 200, "{path}");
        let text = r.text();
        assert!(text.contains(says), "{path}");
        if path != "/cookies" {
            assert!(text.contains("analysis@example.org"), "{path}: no contact");
        }
    }
    let mut admin = s.signed_in(&s.admin);
    let id = s.person_id(&s.submitter_a);
    let csrf = admin.csrf("/admin").unwrap();
    let r = admin
        .post(&format!("/admin/people/{id}/link"), &[("csrf", &csrf)])
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    let c = rusqlite::Connection::open(s.db_path()).unwrap();
    let detail: String = c
        .query_row(
            "SELECT detail FROM audit WHERE action = 'sign-in link' ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(detail.contains(&s.submitter_a), "{detail}");
    assert!(
        !detail.contains("/sign-in/"),
        "the link itself is not logged"
    );
}

/// A release's guard-rails: the run form states its coverage and, with
/// few councils signed off, runs only when that is confirmed; the release
/// date printed in the reports is the one the team gives (today by
/// default), checked as a real date; the private check lists every file,
/// local reports and charts included.
#[test]
fn a_release_states_its_coverage_and_date_and_lists_every_file() {
    let s = Service::start();
    s.uploaded_and_signed_off(&s.signer_a, A);
    let mut admin = s.signed_in(&s.admin);
    let page = admin.get("/admin/releases").unwrap().text();
    assert!(
        page.contains("1 council, of 2 with people invited and 153 in the register"),
        "{page}"
    );
    let csrf = admin.csrf("/admin/releases").unwrap();
    let refused = admin
        .post(
            "/admin/releases",
            &[
                ("csrf", &csrf),
                ("day", "31"),
                ("month", "3"),
                ("year", "2026"),
            ],
        )
        .unwrap();
    assert_eq!(refused.status, 400, "few councils need a confirmation");
    assert!(refused.text().contains("There is a problem"));
    assert!(
        refused.text().contains("value=\"31\""),
        "the form keeps what was typed"
    );
    let bad_date = admin
        .post(
            "/admin/releases",
            &[
                ("csrf", &csrf),
                ("day", "31"),
                ("month", "2"),
                ("year", "2026"),
                ("coverage", "confirmed"),
            ],
        )
        .unwrap();
    assert_eq!(bad_date.status, 400);
    assert!(bad_date.text().contains("Enter a real release date"));
    let r = admin
        .post(
            "/admin/releases",
            &[
                ("csrf", &csrf),
                ("day", "30"),
                ("month", "4"),
                ("year", "2026"),
                ("coverage", "confirmed"),
            ],
        )
        .unwrap();
    assert_eq!(r.status, 303, "{}", r.text());
    let at = r.header("location").unwrap().to_string();
    let page = ready_page(&mut admin, &at);
    let page = page.replace("&#x2f;", "/").replace("&#x2F;", "/");
    assert!(
        page.contains("2026-04-30 (set when the release was run)"),
        "{page}"
    );
    assert!(page.contains("local report"), "{page}");
    assert!(page.contains("/charts/"), "the charts are listed: {page}");
    assert!(page.contains(&format!("public/local/{A}")), "{page}");
    // The date is the one printed in the national report.
    let national = admin
        .get(&format!(
            "{at}/files/public/national/sc-wres-national-2025.html"
        ))
        .unwrap()
        .text();
    assert!(
        national.contains("2026-04-30"),
        "the release date is not printed"
    );
}
