//! `scwres bench-serve`: the collection service under the load of a
//! collection's busiest hour. Every council of the register (153) signs
//! in and uploads its return at the same moment, on loopback, against a
//! service in this process with a fresh database; the time from sending
//! the upload to having its problems page is measured for each, and the
//! percentiles reported with every error. It stops by itself.
//!
//! One in five uploads has an error, so pages with problems and pages with
//! figures are both served. Build with `--profile dist` for figures worth
//! quoting (docs/performance.md).

use crate::serve::client::Agent;
use crate::serve::{self, App, Options, db, ids};
use anyhow::Context as _;
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

/// What one round measured.
pub struct Round {
    pub councils: usize,
    /// From sending the upload to the problems page received, each council.
    pub upload: Vec<Duration>,
    /// Signing in (the link's page and its button), each council.
    pub sign_in: Vec<Duration>,
    pub errors: Vec<String>,
    pub wall: Duration,
}

pub(super) fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

impl Round {
    pub fn line(&self, n: usize) -> String {
        let mut u = self.upload.clone();
        u.sort();
        let mut s = self.sign_in.clone();
        s.sort();
        let ms = |d: Duration| format!("{:.1}", d.as_secs_f64() * 1000.0);
        format!(
            "| {n} | {} | {} | {} | {} | {} | {} | {} | {} | {:.2} |",
            self.councils,
            ms(pct(&u, 0.5)),
            ms(pct(&u, 0.9)),
            ms(pct(&u, 0.99)),
            ms(u.last().copied().unwrap_or_default()),
            ms(pct(&s, 0.5)),
            ms(pct(&s, 0.99)),
            self.errors.len(),
            self.wall.as_secs_f64()
        )
    }
}

/// Runs `rounds` rounds of `councils` councils against a service over the
/// scratch folder `dir` (emptied first).
pub fn run(
    dir: &Path,
    councils: usize,
    rounds: usize,
    with_release: bool,
    hostile: bool,
    log: &dyn Fn(&str),
) -> anyhow::Result<String> {
    crate::publish::scratch_dir(dir, "scwres bench-serve")?;
    let register = crate::register::Register::built_in();
    let councils = councils.clamp(1, register.len());
    for (path, text) in crate::demo::generate_sized(&register, 2024, register.len()) {
        crate::publish::write_atomic(&dir.join(path), text.as_bytes())?;
    }
    crate::publish::write_atomic(&dir.join("report.yaml"), b"synthetic: true\n")?;
    let listener = TcpListener::bind("127.0.0.1:0").context("a loopback port")?;
    let addr = listener.local_addr()?;
    let opts = Options {
        data: dir.to_path_buf(),
        year: Some(2025),
        published: None,
        smtp: None,
        base_url: Some(format!("http://{addr}")),
        admin: None,
        behind_proxy: false,
        extract_module: None,
    };
    let app = App::open(&opts)?;
    // Each council's return: last year's, made this year's; every fifth
    // with an error in it.
    // Each council's return: last year's, made this year's (a council
    // without one, the demo's rejected return, takes another's figures);
    // every fifth with an error in it.
    let any = app
        .previous
        .values()
        .next()
        .context("no earlier returns")?
        .clone();
    let mut bodies: Vec<(String, Vec<u8>)> = register
        .iter()
        .take(councils)
        .enumerate()
        .map(|(i, a)| {
            let r = crate::model::Return {
                year: 2025,
                authority_code: a.code.clone(),
                ..app.previous.get(&a.code).unwrap_or(&any).clone()
            };
            let mut text =
                String::from_utf8_lossy(&crate::formats::return_file::csv(&r)).into_owned();
            if i % 5 == 0 {
                text = text.replacen(",leavers,,", ",leavers,,x", 1);
            }
            (a.code.clone(), text.into_bytes())
        })
        .collect();
    bodies.sort();
    log(&format!(
        "{} councils with a return to upload",
        bodies.len()
    ));
    let mut out = String::from(
        "| round | councils | upload p50 ms | p90 | p99 | max | sign-in p50 ms | p99 | errors | wall s |\n|---|---|---|---|---|---|---|---|---|---|\n",
    );
    // A submitter of council `code` invited, and a sign-in link of theirs.
    let submitter = |email: &str, code: &str| -> anyhow::Result<ids::PersonId> {
        let mut c = app.db.conn()?;
        Ok(db::invite(
            &mut c,
            None,
            email,
            ids::Role::Submitter,
            Some(&ids::CouncilCode(code.to_string())),
        )?)
    };
    let with_link = |email: &str, code: &str| -> anyhow::Result<String> {
        Ok(app.new_link(submitter(email, code)?)?)
    };
    let people: Vec<ids::PersonId> = bodies
        .iter()
        .map(|(code, _)| {
            submitter(
                &format!("analyst@{}.example.org", code.to_lowercase()),
                code,
            )
        })
        .collect::<anyhow::Result<_>>()?;
    let links: Vec<Vec<String>> = people
        .iter()
        .map(|p| (0..rounds).map(|_| app.new_link(*p)).collect())
        .collect::<Result<_, _>>()?;
    // The attackers' own people (a council's submitters), when attacked,
    // and the councils that upload the largest workbook after the rounds.
    let (attackers, heavy_links): (Vec<String>, Vec<String>) = if hostile {
        (
            (0..50)
                .map(|i| with_link(&format!("attacker{i}@example.org"), &bodies[0].0))
                .collect::<anyhow::Result<_>>()?,
            bodies
                .iter()
                .skip(1)
                .take(super::hostile::HEAVY)
                .map(|(code, _)| {
                    with_link(&format!("heavy@{}.example.org", code.to_lowercase()), code)
                })
                .collect::<anyhow::Result<_>>()?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let dbh = app.db.clone();
    let running = serve::start(app, listener)?;
    let attack = if hostile {
        let cookies = super::hostile::sign_in_from(running.addr, 1, &attackers)?;
        let attack = super::hostile::start(running.addr, cookies);
        log("attack started; 12 s for it to take hold before the councils upload");
        std::thread::sleep(Duration::from_secs(12));
        Some(attack)
    } else {
        None
    };
    let mut all_errors = Vec::new();
    for round in 0..rounds {
        let r = one_round(running.addr, &bodies, &links, round);
        log(&format!(
            "round {}: {} uploads, {} errors",
            round + 1,
            r.upload.len(),
            r.errors.len()
        ));
        out.push_str(&r.line(round + 1));
        out.push('\n');
        all_errors.extend(r.errors.iter().take(5).cloned());
    }
    if let Some(attack) = attack {
        out.push_str("\nUnder attack (`--hostile`), during the rounds above:\n\n");
        out.push_str(&attack.finish());
        out.push('\n');
        let cookies = super::hostile::sign_in_from(running.addr, 3, &heavy_links)?;
        log("the largest workbooks: one alone, then four at once");
        out.push_str("\nHeavy work kept apart (`--hostile`), after the rounds:\n\n");
        out.push_str(&super::hostile::heavy(running.addr, &cookies)?);
        out.push('\n');
    }
    if with_release {
        out.push('\n');
        out.push_str(&release_phase(dir, &dbh, running.addr, &bodies, log)?);
    }
    drop(running);
    for e in all_errors {
        out.push_str(&format!("\nerror: {e}"));
    }
    Ok(out)
}

/// A sign-in link minted straight into the database.
fn link_for(
    dbh: &db::Db,
    addr: std::net::SocketAddr,
    who: ids::PersonId,
) -> anyhow::Result<String> {
    let t = crate::serve::auth::token();
    db::add_link(&*dbh.conn()?, who, &crate::serve::auth::hash(&t), 3600)?;
    Ok(format!("http://{addr}/sign-in/{t}"))
}

/// The release from the service against `scwres report` on the same
/// inputs, then 20 councils adding an action to their plan at once.
fn release_phase(
    dir: &Path,
    dbh: &db::Db,
    addr: std::net::SocketAddr,
    bodies: &[(String, Vec<u8>)],
    log: &dyn Fn(&str),
) -> anyhow::Result<String> {
    let year = 2025;
    // Every council's return clean and signed off (the benchmark's own
    // uploads had errors in one in five).
    let register = crate::register::Register::built_in();
    let config = crate::load::load_config(&crate::load::Folder::new(dir))?;
    let rules = crate::run::collect::Rules {
        register: &register,
        config: &config,
        year,
    };
    let mut c = dbh.conn()?;
    let mut signers = Vec::new();
    for (code, body) in bodies {
        let council = ids::CouncilCode(code.clone());
        // Its lines ended as Excel on Windows ends them: bytes no round
        // uploaded (a byte-identical upload is the same version, with the
        // queries that version raised).
        let text = String::from_utf8_lossy(body)
            .replace(",leavers,,x", ",leavers,,")
            .replace('\n', "\r\n");
        let checked =
            crate::run::collect::check_upload(&format!("{code}.csv"), text.as_bytes(), &rules);
        anyhow::ensure!(
            checked.ret.is_some(),
            "{code}: the benchmark's return is not clean"
        );
        let signer = db::invite(
            &mut c,
            None,
            &format!("director@{}.example.org", code.to_lowercase()),
            ids::Role::Signer,
            Some(&council),
        )?;
        let v = db::add_upload(
            &mut c,
            &db::NewUpload {
                council: &council,
                year,
                person: signer,
                file_name: &format!("{code}.csv"),
                kind: "csv",
                sha256: &crate::digest::sha256_hex(text.as_bytes()),
                bytes: text.as_bytes(),
                clean: true,
                errors: 0,
                warnings: 0,
                problems: "[]",
                figures: None,
                changes: None,
                queries: None,
            },
            db::Quota {
                versions: u32::MAX,
                bytes: u64::MAX,
            },
            &[],
        )?;
        db::sign_off(&mut c, &council, year, v, signer, "Benchmark Officer", &[])?;
        signers.push(signer);
    }
    let team = db::invite(
        &mut c,
        None,
        "team@bench.example.org",
        ids::Role::Admin,
        None,
    )?;
    drop(c);
    let mut admin = Agent::new(addr);
    admin.sign_in(&link_for(dbh, addr, team)?)?;
    let csrf = admin.csrf("/admin/releases")?;
    let t = Instant::now();
    // With fewer councils than the register's half, the form asks to
    // confirm the coverage: confirmed.
    let r = admin.post(
        "/admin/releases",
        &[("csrf", &csrf), ("coverage", "confirmed")],
    )?;
    anyhow::ensure!(
        r.status == 303,
        "the release did not start ({}): {}",
        r.status,
        r.text().chars().take(400).collect::<String>()
    );
    let at = r.header("location").unwrap_or("").to_string();
    loop {
        let page = admin.get(&at)?.text();
        if page.contains("Ready to check") {
            break;
        }
        anyhow::ensure!(!page.contains("Failed"), "the release failed");
        anyhow::ensure!(
            t.elapsed() < Duration::from_secs(600),
            "the release did not finish in 10 minutes"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let service = t.elapsed();
    log(&format!(
        "release from the service: {:.2} s",
        service.as_secs_f64()
    ));
    // `scwres report` on the release's own inputs (as the team downloads
    // them), in a process of its own.
    let data = dir.join("release-inputs");
    let zip = admin.get(&format!("{at}/inputs.zip"))?;
    anyhow::ensure!(zip.status == 200, "the release's inputs: {}", zip.status);
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(zip.body))?;
    for i in 0..z.len() {
        let mut f = z.by_index(i)?;
        let name = f.name().unwrap_or_default().to_string();
        let rel = name.split_once('/').map_or("", |(_, r)| r);
        anyhow::ensure!(
            !rel.is_empty() && !rel.split('/').any(|p| p == ".." || p.is_empty()),
            "the release's inputs: {name}"
        );
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut bytes)?;
        crate::publish::write_atomic(&data.join(rel), &bytes)?;
    }
    let t = Instant::now();
    let o = std::process::Command::new(std::env::current_exe()?)
        .args(["report", "--quiet", "--year", "2025", "--data"])
        .arg(&data)
        .arg("--out")
        .arg(dir.join("cli-out"))
        .output()?;
    let cli = t.elapsed();
    anyhow::ensure!(
        o.status.code().unwrap_or(2) <= 1,
        "scwres report failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    log(&format!(
        "scwres report on the same inputs: {:.2} s",
        cli.as_secs_f64()
    ));
    let csrf = admin.csrf("/admin/releases/1")?;
    admin.post(
        "/admin/releases/1/publish",
        &[("csrf", &csrf), ("confirm", "yes")],
    )?;
    // One council adds an action alone, then 20 councils at once.
    let alone = plans_at_once(dbh, addr, &signers[..1])?;
    let n = 20.min(signers.len());
    // Other councils than the one alone: each adds its first plan.
    let n = n.min(signers.len().saturating_sub(1));
    let (plan, errors) = plans_at_once(dbh, addr, &signers[1..1 + n])?;
    for e in alone.1.iter().chain(&errors).take(3) {
        log(e);
    }
    let ms = |d: Duration| format!("{:.0}", d.as_secs_f64() * 1000.0);
    Ok(format!(
        "| release of {} councils | from the service {:.2} s | `scwres report` {:.2} s | ratio {:.2} |\n| one council adds an action alone | report with the plan {} ms | | errors {} |\n| {} councils add an action at once | report with the plan p50 {} ms | p99 {} ms | errors {} |\n",
        bodies.len(),
        service.as_secs_f64(),
        cli.as_secs_f64(),
        service.as_secs_f64() / cli.as_secs_f64().max(1e-9),
        ms(alone.0.first().copied().unwrap_or_default()),
        alone.1.len(),
        n,
        ms(pct(&plan, 0.5)),
        ms(pct(&plan, 0.99)),
        errors.len()
    ))
}

/// Council `i`'s loopback address: 127.0.2.1 onwards.
pub fn council_address(i: usize) -> std::net::IpAddr {
    std::net::IpAddr::V4(std::net::Ipv4Addr::new(
        127,
        0,
        2 + (i / 250) as u8,
        1 + (i % 250) as u8,
    ))
}

fn one_round(
    addr: std::net::SocketAddr,
    bodies: &[(String, Vec<u8>)],
    links: &[Vec<String>],
    round: usize,
) -> Round {
    let n = bodies.len();
    let start = Arc::new(Barrier::new(n));
    let results: Arc<Mutex<Round>> = Arc::new(Mutex::new(Round {
        councils: n,
        upload: Vec::new(),
        sign_in: Vec::new(),
        errors: Vec::new(),
        wall: Duration::ZERO,
    }));
    let t0 = Instant::now();
    std::thread::scope(|s| {
        for (i, (code, body)) in bodies.iter().enumerate() {
            let (start, results, link) = (start.clone(), results.clone(), links[i][round].clone());
            s.spawn(move || {
                // Each council from its own address, as in life (the
                // service limits what one address may hold at once).
                let mut a = Agent::new(addr);
                a.source = Some(council_address(i));
                start.wait();
                let err = |what: String| {
                    results
                        .lock()
                        .map(|mut r| r.errors.push(format!("{code}: {what}")))
                };
                let t = Instant::now();
                match a.sign_in(&link) {
                    Ok(r) if r.status == 303 => {}
                    Ok(r) => return drop(err(format!("sign-in answered {}", r.status))),
                    Err(e) => return drop(err(format!("sign-in: {e}"))),
                }
                let signed = t.elapsed();
                let csrf = match a.csrf("/council/upload") {
                    Ok(c) => c,
                    Err(e) => return drop(err(format!("upload form: {e}"))),
                };
                let t = Instant::now();
                // A new file each round (blank lines added): the same bytes
                // again would be the same version, not checked again.
                let mut body = body.clone();
                body.extend(std::iter::repeat_n(b'\n', round));
                let r = a.upload(
                    "/council/upload",
                    &[("csrf", &csrf)],
                    &format!("{code}.csv"),
                    &body,
                );
                let location = match r {
                    Ok(r) if r.status == 303 => r.header("location").unwrap_or("").to_string(),
                    Ok(r) => return drop(err(format!("upload answered {}", r.status))),
                    Err(e) => return drop(err(format!("upload: {e}"))),
                };
                match a.get(&location) {
                    Ok(p) if p.status == 200 => {
                        let took = t.elapsed();
                        if let Ok(mut r) = results.lock() {
                            r.upload.push(took);
                            r.sign_in.push(signed);
                        }
                    }
                    Ok(p) => drop(err(format!("problems page answered {}", p.status))),
                    Err(e) => drop(err(format!("problems page: {e}"))),
                }
            });
        }
    });
    let mut r = std::mem::replace(
        &mut *results.lock().expect("no thread panicked"),
        Round {
            councils: n,
            upload: Vec::new(),
            sign_in: Vec::new(),
            errors: Vec::new(),
            wall: Duration::ZERO,
        },
    );
    r.wall = t0.elapsed();
    r
}

/// The given councils (their signers) each add an action at the same
/// moment: the time from the form to the plan page with the report made,
/// sorted, and the errors.
fn plans_at_once(
    dbh: &db::Db,
    addr: std::net::SocketAddr,
    signers: &[ids::PersonId],
) -> anyhow::Result<(Vec<Duration>, Vec<String>)> {
    let n = signers.len();
    let links: Vec<String> = signers
        .iter()
        .map(|p| link_for(dbh, addr, *p))
        .collect::<anyhow::Result<_>>()?;
    let start = Arc::new(Barrier::new(n));
    let times: Arc<Mutex<(Vec<Duration>, Vec<String>)>> = Default::default();
    std::thread::scope(|s| {
        for (i, link) in links.iter().enumerate() {
            let (start, times) = (start.clone(), times.clone());
            s.spawn(move || {
                let mut a = Agent::new(addr);
                a.source = Some(council_address(i));
                let ok = a.sign_in(link).is_ok();
                let csrf = a.csrf("/council/plan").unwrap_or_default();
                start.wait();
                let t = Instant::now();
                let r = a.post(
                    "/council/plan/action",
                    &[
                        ("csrf", &csrf),
                        ("action", "Two people on every interview panel"),
                        ("indicator", "2"),
                        ("owner", "Head of Workforce"),
                        ("due-day", "31"),
                        ("due-month", "3"),
                        ("due-year", "2026"),
                        ("status", "in progress"),
                        ("measure", "RL within the band"),
                    ],
                );
                let page = a.get("/council/plan").map(|p| p.text()).unwrap_or_default();
                let took = t.elapsed();
                if let Ok(mut g) = times.lock() {
                    if ok
                        && matches!(r, Ok(ref r) if r.status == 303)
                        && page.contains("Your report has been made with it.")
                    {
                        g.0.push(took);
                    } else {
                        g.1.push(format!(
                            "a plan: {:?}{}",
                            r.map(|r| r.status),
                            if page.contains("Your report has been made with it.") {
                                ""
                            } else {
                                " (no report made)"
                            }
                        ));
                    }
                }
            });
        }
    });
    let (mut plan, errors) = std::mem::take(&mut *times.lock().expect("no thread panicked"));
    plan.sort();
    Ok((plan, errors))
}
