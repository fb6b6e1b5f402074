//! A server killed at any moment loses no acknowledged upload and leaves
//! no half-written version: `scwres serve` (the binary) is killed with
//! SIGKILL while uploads stream in, started again on the same database,
//! and the database is checked, three times over.

use scwres::serve::client::Agent;
use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Starts the binary on a free port; its address and the printed sign-in
/// link of the demo council's submitter (on a first start).
fn start(data: &std::path::Path) -> (Child, std::net::SocketAddr, Option<(String, String)>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scwres"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let (mut addr, mut link, mut want_link, mut council) = (None, None, false, None);
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.split("(listening on ").nth(1) {
            addr = Some(rest.split(')').next().unwrap().parse().unwrap());
        }
        if let Some(code) = want_link.then_some(()).and(council.take()) {
            link = Some((line.trim().to_string(), code));
        }
        want_link = line.contains(", submitter");
        if want_link {
            council = Some(link_council(&line));
        }
        if line.contains("scwres serve: ready") {
            break;
        }
    }
    // Keep draining what it prints, so it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (
        child,
        addr.expect("the service says where it listens"),
        link,
    )
}

#[test]
fn a_killed_server_loses_no_acknowledged_upload() {
    let dir = crate::support::demo_data();
    // Hundreds of uploads in a few seconds: over the daily quota a real
    // collection never meets, so raised for this test.
    std::fs::write(
        dir.path().join("report.yaml"),
        "synthetic: true\nservice:\n  versions_per_day: 1000000\n  megabytes_per_day: 1000000\n",
    )
    .unwrap();
    let (mut child, mut addr, link) = start(dir.path());
    let (link, code) = link.expect("a first start prints the demo links");
    let good = std::fs::read_dir(dir.path().join("returns/2024"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_str().unwrap().starts_with(&code))
        .map(|p| {
            std::fs::read_to_string(p)
                .unwrap()
                .replace(",2024,", ",2025,")
        })
        .unwrap();
    let mut agent = Agent::new(addr);
    assert_eq!(agent.sign_in(&link).unwrap().status, 303);
    let cookie = agent.cookie.clone();
    // Every upload the server acknowledged: (version, bytes).
    let acked: Arc<Mutex<Vec<(i64, Vec<u8>)>>> = Default::default();
    let mut n = 0u64;
    for round in 0..3 {
        let before = acked.lock().unwrap().len();
        let stop = Arc::new(AtomicBool::new(false));
        let mut workers = Vec::new();
        for w in 0..3 {
            let (stop, acked, good, cookie) =
                (stop.clone(), acked.clone(), good.clone(), cookie.clone());
            let start_n = n + w * 1_000_000;
            workers.push(std::thread::spawn(move || {
                let mut a = Agent::new(addr);
                a.cookie = cookie;
                let mut i = start_n;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let body =
                        good.replacen(",adults,leavers,,", &format!(",adults,leavers,,{i}"), 1);
                    let Ok(csrf) = a.csrf("/council/upload") else {
                        break;
                    };
                    let Ok(r) = a.upload(
                        "/council/upload",
                        &[("csrf", &csrf)],
                        "r.csv",
                        body.as_bytes(),
                    ) else {
                        break;
                    };
                    if r.status == 303 {
                        let v: i64 = r
                            .header("location")
                            .unwrap()
                            .rsplit('/')
                            .next()
                            .unwrap()
                            .parse()
                            .unwrap();
                        acked.lock().unwrap().push((v, body.into_bytes()));
                    }
                }
            }));
        }
        // Kill once uploads are flowing (however loaded the machine is), a
        // little later each round.
        let flowing = std::time::Instant::now();
        while acked.lock().unwrap().len() == before
            && flowing.elapsed() < std::time::Duration::from_secs(120)
        {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        std::thread::sleep(std::time::Duration::from_millis(100 + 150 * round));
        child.kill().unwrap();
        child.wait().unwrap();
        stop.store(true, Ordering::Relaxed);
        for w in workers {
            w.join().unwrap();
        }
        n += 10_000_000;
        let now = acked.lock().unwrap().len();
        assert!(
            now > before,
            "round {round}: uploads were acknowledged before the kill"
        );
        eprintln!(
            "round {round}: {} uploads acknowledged before the kill",
            now - before
        );
        check(dir.path(), &acked.lock().unwrap());
        let (c, a, _) = start(dir.path());
        child = c;
        addr = a;
        // Started again on the same database, it serves the same session.
        let mut again = Agent::new(addr);
        again.cookie = cookie.clone();
        assert_eq!(again.get("/council").unwrap().status, 200);
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        acked.lock().unwrap().len() >= 3,
        "uploads went through before each kill"
    );
}

/// The demo council, as the first start names it: `… (E06000003), submitter`.
fn link_council(line: &str) -> String {
    line.split('(').nth(1).unwrap()[..9].to_string()
}

/// The database is whole, every stored version is whole (its hash is its
/// bytes'), versions run 1..n with no gap, and every acknowledged upload is
/// there with its bytes.
fn check(data: &std::path::Path, acked: &[(i64, Vec<u8>)]) {
    let c = rusqlite::Connection::open(data.join(scwres::serve::db::FILE)).unwrap();
    let ok: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    let mut st = c
        .prepare("SELECT version, sha256, size, bytes FROM upload ORDER BY version")
        .unwrap();
    let rows: Vec<(i64, String, i64, Vec<u8>)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (i, (v, sha, size, bytes)) in rows.iter().enumerate() {
        assert_eq!(*v, i as i64 + 1, "versions without a gap");
        assert_eq!(*sha, scwres::digest::sha256_hex(bytes), "version {v} whole");
        assert_eq!(*size as usize, bytes.len());
    }
    for (v, bytes) in acked {
        let stored = rows
            .iter()
            .find(|r| r.0 == *v)
            .unwrap_or_else(|| panic!("acknowledged version {v} lost"));
        assert_eq!(&stored.3, bytes, "version {v} is what was sent");
    }
    let audited: i64 = c
        .query_row(
            "SELECT COUNT(*) FROM audit WHERE action = 'upload'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        audited as usize,
        rows.len(),
        "one audit line a version, in the same transaction"
    );
}
