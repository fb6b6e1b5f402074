//! The collection service in-process, on loopback, as its users and an
//! attacker use it: signing in, uploads good, bad and hostile, versions
//! and what changed, sign-off, the national team's pages, CSRF, limits,
//! concurrent uploads, mail, the audit log. Fixtures are made here.

use crate::support::*;
use scwres::serve::client::{Agent, request};
use scwres::serve::db;

#[test]
fn a_link_is_spent_only_by_the_button_and_only_once() {
    let s = Service::start();
    let link = s.link(&s.submitter_a);
    let path = &link[link.find("/sign-in/").unwrap()..];
    let mut scanner = Agent::new(s.addr());
    // A mail scanner following the link twice spends nothing.
    assert_eq!(scanner.get(path).unwrap().status, 200);
    assert_eq!(scanner.get(path).unwrap().status, 200);
    assert!(scanner.cookie.is_none());
    let mut a = Agent::new(s.addr());
    let r = a.post(path, &[]).unwrap();
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(r.header("location"), Some("/council"));
    let cookie = r.header("set-cookie").unwrap();
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age="] {
        assert!(cookie.contains(attr), "{cookie}");
    }
    assert!(
        !cookie.contains("Secure"),
        "plain http on loopback: {cookie}"
    );
    assert_eq!(a.get("/council").unwrap().status, 200);
    // Used: the same link again signs nobody in.
    let mut b = Agent::new(s.addr());
    let again = b.post(path, &[]).unwrap();
    assert_eq!(again.status, 404);
    assert!(again.text().contains("This sign-in link does not work"));
    assert!(b.cookie.is_none());
    // Only the hash is stored.
    let token = path.rsplit('/').next().unwrap();
    let c = rusqlite::Connection::open(s.db_path()).unwrap();
    let stored: Vec<String> = c
        .prepare("SELECT hash FROM sign_in_link")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(stored.iter().all(|h| h != token));
    assert!(stored.contains(&scwres::serve::auth::hash(token)));
}

#[test]
fn expired_and_revoked_links_and_sessions_stop_working() {
    let s = Service::start();
    let link = s.link(&s.submitter_a);
    let c = rusqlite::Connection::open(s.db_path()).unwrap();
    c.execute("UPDATE sign_in_link SET expires_at = 0", [])
        .unwrap();
    let mut a = Agent::new(s.addr());
    assert_eq!(a.sign_in(&link).unwrap().status, 404);
    // A session ends when its person is revoked.
    let mut a = s.signed_in(&s.submitter_a);
    assert_eq!(a.get("/council").unwrap().status, 200);
    let mut admin = s.signed_in(&s.admin);
    let csrf = admin.csrf("/admin").unwrap();
    let id = s.person_id(&s.submitter_a);
    // The revoke button asks first: without the confirmation's own
    // button nothing is revoked.
    let r = admin
        .post(&format!("/admin/people/{id}/revoke"), &[("csrf", &csrf)])
        .unwrap();
    assert_eq!(r.status, 200);
    assert!(r.text().contains("Yes, revoke access"), "{}", r.text());
    assert_eq!(a.get("/council").unwrap().status, 200, "not revoked yet");
    let r = admin
        .post(
            &format!("/admin/people/{id}/revoke"),
            &[("csrf", &csrf), ("confirm", "yes")],
        )
        .unwrap();
    assert_eq!(r.status, 303);
    assert_eq!(
        a.get("/council").unwrap().header("location"),
        Some("/sign-in")
    );
}

#[test]
fn signing_out_ends_the_session() {
    let s = Service::start();
    let mut a = s.signed_in(&s.submitter_a);
    let cookie = a.cookie.clone();
    let csrf = a.csrf("/council").unwrap();
    let r = a.post("/sign-out", &[("csrf", &csrf)]).unwrap();
    assert_eq!(r.status, 200);
    assert!(r.header("set-cookie").unwrap().contains("Max-Age=0"));
    // The old cookie, replayed, is dead.
    let mut replay = Agent::new(s.addr());
    replay.cookie = cookie;
    assert_eq!(replay.get("/council").unwrap().status, 303);
}

#[test]
fn a_bad_return_shows_every_problem_and_a_good_one_its_figures() {
    let s = Service::start();
    let mut a = s.signed_in(&s.submitter_a);
    let good = s.return_csv(A);
    // Two errors: a count that is not a number, and a negative one.
    let bad = good
        .replacen(",adults,shortlisted,,", ",adults,shortlisted,,x", 1)
        .replacen(",adults,leavers,,", ",adults,leavers,,-", 1);
    let r = s.upload(&mut a, "return.csv", bad.as_bytes());
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(r.header("location"), Some("/council/versions/1"));
    let page = a.get("/council/versions/1").unwrap().text();
    assert!(page.contains("errors to fix"), "{page}");
    assert!(page.contains("There are 2 errors to fix"), "{page}");
    assert!(page.contains("line 5"), "the line is named: {page}");
    let csv = a.get("/council/versions/1/problems.csv").unwrap();
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    let csv = csv.text();
    assert!(
        csv.starts_with("severity,file,place,value,rule,hint\n"),
        "{csv}"
    );
    assert_eq!(
        csv.lines().filter(|l| l.starts_with("error,")).count(),
        2,
        "{csv}"
    );
    // The figures are not shown for a return with errors.
    assert!(!page.contains("Your figures"));
    // A clean one: its figures, and what changed since the last clean one.
    let r = s.upload(&mut a, "return.csv", good.as_bytes());
    assert_eq!(r.header("location"), Some("/council/versions/2"));
    let page = a.get("/council/versions/2").unwrap().text();
    assert!(page.contains("Version 2: no errors"), "{page}");
    assert!(page.contains("Your figures"));
    assert!(page.contains("2. Appointed from shortlisting"));
    let changed = good.replacen(",adults,leavers,,", ",adults,leavers,,1", 1);
    s.upload(&mut a, "return.csv", changed.as_bytes());
    let page = a.get("/council/versions/3").unwrap().text();
    assert!(page.contains("What changed since version 2"), "{page}");
    assert_eq!(page.matches("<td>leavers</td>").count(), 1, "{page}");
    // What was uploaded comes back byte for byte.
    assert_eq!(
        a.get("/council/versions/3/file").unwrap().body,
        changed.as_bytes()
    );
}

#[test]
fn the_workbook_comes_filled_from_last_year_and_is_a_clean_return() {
    let s = Service::start();
    let mut a = s.signed_in(&s.submitter_a);
    let wb = a.get("/council/workbook.xlsx").unwrap();
    assert_eq!(wb.status, 200);
    assert!(wb.body.starts_with(b"PK"));
    let r = s.upload(&mut a, "filled.xlsx", &wb.body);
    let page = a.get(r.header("location").unwrap()).unwrap().text();
    assert!(page.contains("no errors"), "{page}");
}

#[test]
fn only_the_senior_officer_signs_off_and_then_uploads_stop_until_reopened() {
    let s = Service::start();
    let mut sub = s.signed_in(&s.submitter_a);
    s.upload(&mut sub, "r.csv", s.return_csv(A).as_bytes());
    let csrf = sub.csrf("/council").unwrap();
    let r = sub
        .post(
            "/council/sign-off",
            &[
                ("csrf", &csrf),
                ("version", "1"),
                ("name", "A Person"),
                ("confirm", "yes"),
            ],
        )
        .unwrap();
    assert_eq!(r.status, 403);
    let mut boss = s.signed_in(&s.signer_a);
    let csrf = boss.csrf("/council").unwrap();
    // The declaration must be ticked and a name given.
    let r = boss
        .post(
            "/council/sign-off",
            &[("csrf", &csrf), ("version", "1"), ("name", "Dr Jo Bloggs")],
        )
        .unwrap();
    assert_eq!(r.status, 400);
    assert!(r.text().contains("There is a problem"));
    let r = boss
        .post(
            "/council/sign-off",
            &[
                ("csrf", &csrf),
                ("version", "1"),
                ("name", "Dr Jo Bloggs"),
                ("confirm", "yes"),
            ],
        )
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("Return signed off"));
    let r = s.upload(&mut sub, "r.csv", s.return_csv(A).as_bytes());
    assert_eq!(r.status, 409);
    // The team sees it, exports it byte for byte, and reopens it.
    let mut admin = s.signed_in(&s.admin);
    let list = admin.get("/admin").unwrap().text();
    assert!(list.contains("Signed off</dt><dd>1 of"), "{list}");
    let zip = admin.get("/admin/export.zip").unwrap();
    assert_eq!(zip.status, 200);
    let files = unzip(&zip.body);
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].0, format!("returns/2025/{A}.csv"));
    assert_eq!(files[0].1, s.return_csv(A).as_bytes());
    let csrf = admin.csrf("/admin").unwrap();
    let r = admin
        .post(
            &format!("/admin/councils/{A}/reopen"),
            &[("csrf", &csrf), ("reason", "Leavers look too low")],
        )
        .unwrap();
    assert_eq!(r.status, 303);
    assert_eq!(
        s.upload(&mut sub, "r.csv", s.return_csv(A).as_bytes())
            .status,
        303
    );
    let audit = admin.get("/admin/audit").unwrap().text();
    for what in [
        "sign off",
        "export",
        "reopen",
        "Leavers look too low",
        "upload",
    ] {
        assert!(audit.contains(what), "{what} not in the audit log");
    }
}

#[test]
fn every_change_needs_the_session_csrf_token_and_this_origin() {
    let s = Service::start();
    let mut a = s.signed_in(&s.signer_a);
    s.upload(&mut a, "r.csv", s.return_csv(A).as_bytes());
    let mut admin = s.signed_in(&s.admin);
    let good = admin.csrf("/admin").unwrap();
    let id = s.person_id(&s.submitter_a);
    for (who, path, fields) in [
        (
            0,
            "/council/sign-off",
            vec![("version", "1"), ("name", "X"), ("confirm", "yes")],
        ),
        (0, "/sign-out", vec![]),
        (
            1,
            "/admin/people",
            vec![("email", "x@example.org"), ("role", "admin")],
        ),
        (1, &format!("/admin/people/{id}/revoke") as &str, vec![]),
    ] {
        let agent = if who == 0 { &mut a } else { &mut admin };
        let r = agent.post(path, &fields).unwrap();
        assert_eq!(r.status, 403, "{path} without a token");
        let mut with = fields.clone();
        with.push(("csrf", "0".repeat(64).leak()));
        assert_eq!(
            agent.post(path, &with).unwrap().status,
            403,
            "{path} with a wrong token"
        );
    }
    // Someone else's valid token is still not this session's.
    let other = a.csrf("/council").unwrap();
    let r = admin
        .post(
            "/admin/people",
            &[
                ("csrf", &other),
                ("email", "x@example.org"),
                ("role", "admin"),
            ],
        )
        .unwrap();
    assert_eq!(r.status, 403);
    // The right token from another site's page (a cross-site form).
    let cookie = format!("scwres_session={}", admin.cookie.clone().unwrap());
    let body = format!("csrf={good}&email=x%40example.org&role=admin");
    let r = request(
        s.addr(),
        "POST",
        "/admin/people",
        &[
            ("Cookie", &cookie),
            ("Origin", "https://evil.example"),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        body.as_bytes(),
    )
    .unwrap();
    assert_eq!(r.status, 403);
    // An upload without the token is not stored.
    let (ctype, body) =
        scwres::serve::client::multipart(&[], Some(("file", "r.csv", s.return_csv(A).as_bytes())));
    let cookie = format!("scwres_session={}", a.cookie.clone().unwrap());
    let r = request(
        s.addr(),
        "POST",
        "/council/upload",
        &[("Cookie", &cookie), ("Content-Type", &ctype)],
        &body,
    )
    .unwrap();
    assert_eq!(r.status, 403);
    assert_eq!(s.versions(A), 1);
}

#[test]
fn every_answer_carries_the_security_headers() {
    let s = Service::start();
    let mut a = s.signed_in(&s.submitter_a);
    for path in [
        "/",
        "/sign-in",
        "/assets/service.css",
        "/council",
        "/council/upload",
        "/nowhere",
        "/council/workbook.xlsx",
    ] {
        let r = a.get(path).unwrap();
        let csp = r.header("content-security-policy").unwrap_or("");
        assert!(
            csp.contains("default-src 'none'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert_eq!(
            r.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(r.header("x-frame-options"), Some("DENY"), "{path}");
        assert_eq!(r.header("referrer-policy"), Some("same-origin"), "{path}");
        assert_eq!(r.header("cache-control"), Some("no-store"), "{path}");
        if r.header("content-type")
            .is_some_and(|t| t.starts_with("text/html"))
        {
            assert!(!r.text().contains("<script"), "{path} has a script");
        }
    }
}

#[test]
fn hostile_and_oversized_uploads_are_refused_without_harm() {
    let s = Service::start();
    let mut a = s.signed_in(&s.submitter_a);
    // Over the body limit: refused on its declared length, before a byte of
    // it is read.
    {
        use std::io::{Read as _, Write as _};
        let mut t = std::net::TcpStream::connect(s.addr()).unwrap();
        let cookie = a.cookie.clone().unwrap();
        write!(
            t,
            "POST /council/upload HTTP/1.1\r\nHost: x\r\nCookie: scwres_session={cookie}\r\nContent-Type: multipart/form-data; boundary=X\r\nContent-Length: {}\r\n\r\n",
            scwres::serve::http::MAX_BODY + 1
        )
        .unwrap();
        let mut answer = [0u8; 12];
        t.read_exact(&mut answer).unwrap();
        assert_eq!(&answer, b"HTTP/1.1 413");
    }
    // Over the CSV cap but under the body limit: a version with the reason.
    let big = vec![b'1'; (scwres::load::MAX_CSV + 1) as usize];
    let r = s.upload(&mut a, "big.csv", &big);
    assert_eq!(r.status, 303);
    assert!(
        a.get("/council/versions/1")
            .unwrap()
            .text()
            .contains("too large")
    );
    // A YAML bomb, a zip bomb, a zip that is not a workbook, a script as a
    // file name: each a version with errors; the service goes on.
    let bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b]\n";
    for (name, bytes) in [
        ("bomb.yaml", bomb.as_bytes().to_vec()),
        ("bomb.xlsx", zip_bomb()),
        ("notes.xlsx", b"PK\x03\x04 not really a zip".to_vec()),
        (
            "<script>alert(1)</script>.csv",
            b"=cmd|' /C calc'!A0\n".to_vec(),
        ),
        ("return.xls", b"\xD0\xCF\x11\xE0".to_vec()),
        ("return", b"authority_code".to_vec()),
    ] {
        let r = s.upload(&mut a, name, &bytes);
        assert_eq!(r.status, 303, "{name}");
        let page = a.get(r.header("location").unwrap()).unwrap();
        assert_eq!(page.status, 200, "{name}");
        let text = page.text();
        assert!(text.contains("to fix"), "{name}: {text}");
        assert!(!text.contains("<script>alert"), "{name}: not escaped");
    }
    let csv = a.get("/council/versions/5/problems.csv").unwrap().text();
    assert!(
        !csv.contains(",=cmd") && !csv.contains("\n=cmd"),
        "a formula in the CSV: {csv}"
    );
    // Malformed multipart bodies.
    let cookie = format!("scwres_session={}", a.cookie.clone().unwrap());
    for (ctype, body) in [
        ("multipart/form-data; boundary=X", &b"--X\r\nno end"[..]),
        ("multipart/form-data", &b"--X--"[..]),
        ("text/plain", &b"hello"[..]),
    ] {
        let r = request(
            s.addr(),
            "POST",
            "/council/upload",
            &[("Cookie", &cookie), ("Content-Type", ctype)],
            body,
        )
        .unwrap();
        assert_eq!(r.status, 400, "{ctype}");
    }
    assert_eq!(a.get("/council").unwrap().status, 200);
}

#[test]
fn uploads_at_once_from_one_council_end_as_whole_versions() {
    let s = Service::start();
    let good = s.return_csv(A);
    let files: Vec<String> = (1..=8)
        .map(|i| good.replacen(",adults,leavers,,", &format!(",adults,leavers,,{i}"), 1))
        .collect();
    let agents: Vec<Agent> = (0..8).map(|_| s.signed_in(&s.submitter_a)).collect();
    std::thread::scope(|t| {
        for (mut agent, f) in agents.into_iter().zip(&files) {
            let s = &s;
            t.spawn(move || assert_eq!(s.upload(&mut agent, "r.csv", f.as_bytes()).status, 303));
        }
    });
    let c = rusqlite::Connection::open(s.db_path()).unwrap();
    let mut st = c
        .prepare("SELECT version, sha256, bytes FROM upload ORDER BY version")
        .unwrap();
    let rows: Vec<(i64, String, Vec<u8>)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        (1..=8).collect::<Vec<_>>()
    );
    let mut seen: Vec<&[u8]> = Vec::new();
    for (_, sha, bytes) in &rows {
        assert_eq!(*sha, scwres::digest::sha256_hex(bytes));
        assert!(
            files.iter().any(|f| f.as_bytes() == bytes.as_slice()),
            "a mixed version"
        );
        seen.push(bytes);
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 8, "every upload is its own version");
}

#[test]
fn sign_in_links_go_by_smtp_and_asking_says_nothing_of_who_is_invited() {
    let mail = SmtpSink::start();
    let s = Service::start_with(Some(mail.relay()));
    let mut anon = Agent::new(s.addr());
    let known = anon.post("/sign-in", &[("email", &s.submitter_a)]).unwrap();
    let unknown = anon
        .post("/sign-in", &[("email", "nobody@example.org")])
        .unwrap();
    assert_eq!(known.status, unknown.status);
    let strip = |t: String, e: &str| t.replace(e, "EMAIL");
    assert_eq!(
        strip(known.text(), &s.submitter_a),
        strip(unknown.text(), "nobody@example.org")
    );
    let got = mail.wait_for(1);
    assert_eq!(got.len(), 1, "one message, to the invited address only");
    assert!(
        got[0].rcpt.iter().any(|r| r.contains(&s.submitter_a)),
        "{:?}",
        got[0].rcpt
    );
    let link = got[0]
        .data
        .lines()
        .find(|l| l.contains("/sign-in/"))
        .expect("a link in the message")
        .trim()
        .to_string();
    let mut a = Agent::new(s.addr());
    assert_eq!(a.sign_in(&link).unwrap().status, 303);
    assert_eq!(a.get("/council").unwrap().status, 200);
    // At most three links an hour to one address.
    for _ in 0..5 {
        anon.post("/sign-in", &[("email", &s.submitter_a)]).unwrap();
    }
    // Sent in the background by the mail worker: three, and no fourth
    // within the ten seconds `wait_for` gives it.
    assert_eq!(mail.wait_for(4).len(), 3);
}

#[test]
fn the_audit_log_cannot_be_changed_and_the_schema_is_versioned() {
    let s = Service::start();
    let mut a = s.signed_in(&s.submitter_a);
    s.upload(&mut a, "r.csv", s.return_csv(A).as_bytes());
    let c = rusqlite::Connection::open(s.db_path()).unwrap();
    assert!(
        c.execute("UPDATE audit SET detail = 'nothing'", [])
            .is_err()
    );
    assert!(c.execute("DELETE FROM audit", []).is_err());
    let n: i64 = c
        .query_row("SELECT COUNT(*) FROM audit", [], |r| r.get(0))
        .unwrap();
    assert!(n >= 2);
    // Opening again migrates nothing and loses nothing; a newer schema is
    // refused with what to do.
    drop(db::Db::open(&s.db_path()).unwrap());
    c.pragma_update(None, "user_version", 99).unwrap();
    let e = db::Db::open(&s.db_path()).err().unwrap().to_string();
    assert!(e.contains("newer than this scwres knows"), "{e}");
}

#[test]
fn the_problems_are_exactly_those_of_scwres_validate() {
    let s = Service::start();
    let mut a = s.signed_in(&s.submitter_a);
    let bad = s
        .return_csv(A)
        .replacen(",adults,shortlisted,,", ",adults,shortlisted,,x", 1)
        .replacen(",children,leavers,,", ",children,leavers,,999999", 1)
        .replacen("E06000003,2025,adults,cpd", "E06000003,2025,adults,cpdd", 1);
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("2025");
    std::fs::create_dir_all(&folder).unwrap();
    let file = folder.join("return.csv");
    std::fs::write(&file, &bad).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_scwres"))
        .args(["validate", "--format", "json", "--data"])
        .arg(s.dir.path())
        .arg(&file)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let cli: Vec<(String, String, String, String)> = json["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let f = |k: &str| d[k].as_str().unwrap_or("").to_string();
            (f("severity"), f("place"), f("value"), f("rule"))
        })
        .collect();
    assert!(cli.len() >= 3, "{cli:?}");
    s.upload(&mut a, "return.csv", bad.as_bytes());
    let csv = a.get("/council/versions/1/problems.csv").unwrap().body;
    let mut r = csv::Reader::from_reader(csv.as_slice());
    let web: Vec<(String, String, String, String)> = r
        .records()
        .map(|x| {
            let x = x.unwrap();
            (
                x[0].to_string(),
                x[2].to_string(),
                x[3].to_string(),
                x[4].to_string(),
            )
        })
        .collect();
    assert_eq!(web, cli);
}

#[test]
fn a_backup_taken_while_serving_is_whole_and_never_overwrites() {
    let s = Service::start();
    let mut a = s.signed_in(&s.submitter_a);
    for i in 0..3 {
        // Three different files (the same one again is the same version).
        let csv = s.return_csv(A) + &"\n".repeat(i);
        s.upload(&mut a, "r.csv", csv.as_bytes());
    }
    let out = tempfile::tempdir().unwrap();
    let to = out.path().join("backup.sqlite");
    let n = db::backup(&s.db_path(), &to).unwrap();
    assert!(n > 0);
    let c = rusqlite::Connection::open(&to).unwrap();
    let v: i64 = c
        .query_row("SELECT COUNT(*) FROM upload", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, 3);
    let e = db::backup(&s.db_path(), &to).unwrap_err().to_string();
    assert!(e.contains("never overwrites"), "{e}");
    // The service goes on after the backup.
    assert_eq!(
        s.upload(&mut a, "r.csv", s.return_csv(A).as_bytes()).status,
        303
    );
}
