//! The release inside the service: run on the signed-off returns, private
//! until published (every look recorded), then public at stable addresses
//! and each council's own report on its page; byte for byte what
//! `scwres report` makes of the exported returns.

use crate::support::*;
use scwres::serve::client::Agent;
use std::path::Path;

/// Signs off A's and B's returns and runs a release; its number.
fn released(s: &Service, admin: &mut Agent) -> i64 {
    for (who, code) in [(&s.signer_a, A), (&s.signer_b, B)] {
        s.uploaded_and_signed_off(who, code);
    }
    let page = admin.get("/admin/releases").unwrap();
    assert_eq!(page.status, 200, "{}", page.text());
    let csrf = admin.csrf("/admin/releases").unwrap();
    let r = admin
        .post(
            "/admin/releases",
            &[("csrf", &csrf), ("coverage", "confirmed")],
        )
        .unwrap();
    assert_eq!(r.status, 303, "{}", r.text());
    let at = r.header("location").unwrap().to_string();
    let n: i64 = at.rsplit('/').next().unwrap().parse().unwrap();
    ready_page(admin, &at);
    n
}

/// A release's inputs as the team downloads them (`inputs.zip`), unpacked
/// as a data folder.
fn inputs(admin: &mut Agent, n: i64) -> tempfile::TempDir {
    let zip = admin
        .get(&format!("/admin/releases/{n}/inputs.zip"))
        .unwrap();
    assert_eq!(zip.status, 200, "{}", zip.text());
    let dir = tempfile::tempdir().unwrap();
    let prefix = format!("sc-wres-2025-release-{n}-inputs/");
    for (name, bytes) in unzip(&zip.body) {
        let rel = name.strip_prefix(&prefix).expect("one folder in the zip");
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    dir
}

/// `scwres local` on a release's inputs (`data`, as downloaded: its
/// register and council A's earlier returns there) and its published
/// benchmarks (in the release's folder `root`), with `ret` and `plan`,
/// into `out`.
fn local_cli(
    root: &Path,
    data: &Path,
    audience: &str,
    ret: &Path,
    plan: Option<&Path>,
    out: &Path,
) {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_scwres"));
    cmd.args(["local", "--audience", audience, "--return"])
        .arg(ret)
        .arg("--benchmarks")
        .arg(root.join("out/2025/public/benchmarks.csv"))
        .arg("--data")
        .arg(data)
        .arg("-o")
        .arg(out);
    if let Some(p) = plan {
        cmd.arg("--actions").arg(p);
    }
    for y in ["2022", "2023", "2024"] {
        if let Ok(rd) = std::fs::read_dir(data.join("returns").join(y)) {
            for e in rd {
                let p = e.unwrap().path();
                if p.file_name().unwrap().to_str().unwrap().starts_with(A) {
                    cmd.arg("--previous").arg(p);
                }
            }
        }
    }
    let o = cmd.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[path = "../shared/files.rs"]
mod files;
use files::files_under;

#[test]
fn a_release_is_private_until_published_then_public_and_each_councils_own() {
    let sink = SmtpSink::start();
    let s = Service::start_with(Some(sink.relay()));
    let mut admin = s.signed_in(&s.admin);
    let n = released(&s, &mut admin);
    let mut anon = Agent::new(s.addr());
    let mut a = s.signed_in(&s.submitter_a);
    // Before publication, no England beside the council's figures (the
    // service was started with no release loaded).
    let v = a.get("/council/versions/1").unwrap().text();
    assert!(
        v.contains("Your figures") && !v.contains(">England 2025</th>"),
        "{v}"
    );
    // Private: nobody but the team sees it.
    assert_eq!(anon.get("/releases/2025/index.html").unwrap().status, 404);
    assert_eq!(
        anon.get(&format!("/admin/releases/{n}/files/public/index.html"))
            .unwrap()
            .status,
        303
    );
    assert_eq!(
        a.get(&format!("/admin/releases/{n}/files/public/index.html"))
            .unwrap()
            .status,
        403
    );
    assert!(
        !a.get("/council")
            .unwrap()
            .text()
            .contains("Your published report")
    );
    // The team looks, and the look is recorded.
    let page = admin
        .get(&format!("/admin/releases/{n}/files/public/index.html"))
        .unwrap();
    assert_eq!(page.status, 200);
    assert!(
        page.header("content-security-policy")
            .unwrap()
            .starts_with("default-src 'none'; style-src 'unsafe-inline'")
    );
    assert!(
        admin
            .get("/admin/audit")
            .unwrap()
            .text()
            .contains("pre-release access")
    );
    // A file the manifest does not list, or a way out of the folder: no.
    for bad in [
        "files/manifest.json",
        "files/../data/report.yaml",
        "files/public/../../data/report.yaml",
        "files/internal/nothing.csv",
    ] {
        assert_eq!(
            admin
                .get(&format!("/admin/releases/{n}/{bad}"))
                .unwrap()
                .status,
            404,
            "{bad}"
        );
    }
    // Publishing needs the confirmation.
    let csrf = admin.csrf(&format!("/admin/releases/{n}")).unwrap();
    assert_eq!(
        admin
            .post(&format!("/admin/releases/{n}/publish"), &[("csrf", &csrf)])
            .unwrap()
            .status,
        400
    );
    let r = admin
        .post(
            &format!("/admin/releases/{n}/publish"),
            &[("csrf", &csrf), ("confirm", "yes")],
        )
        .unwrap();
    assert_eq!(r.status, 303);
    // The council's figures now stand beside England's of this release.
    let v = a.get("/council/versions/1").unwrap().text();
    assert!(v.contains(">England 2025</th>"), "{v}");
    assert!(v.contains(">In your public report</th>"), "{v}");
    // Everyone invited is told, with the release's address.
    // (The team and the two councils' two people each.)
    let mails = sink.wait_for_text("report is published", 5);
    for who in [&s.submitter_a, &s.signer_b, &s.admin] {
        assert!(
            mails
                .iter()
                .any(|m| m.rcpt.iter().any(|r| r.contains(who.as_str()))
                    && m.data.contains("report is published")
                    && m.data.contains("/releases/2025")),
            "{who}: {mails:?}"
        );
    }
    // Public: the index and the national report, without signing in.
    assert_eq!(
        anon.get("/releases/2025/").unwrap().header("location"),
        Some("/releases/2025/index.html")
    );
    let index = anon.get("/releases/2025/index.html").unwrap();
    assert_eq!(index.status, 200);
    assert!(index.text().contains("Synthetic"), "the synthetic notice");
    assert!(!index.text().contains("<script"));
    let national = anon
        .get("/releases/2025/national/sc-wres-national-2025.pdf")
        .unwrap();
    assert_eq!(national.status, 200);
    assert!(national.body.starts_with(b"%PDF"));
    // Nothing internal is public.
    assert_eq!(
        anon.get("/releases/2025/../internal/results.csv")
            .unwrap()
            .status,
        404
    );
    assert_eq!(
        anon.get("/releases/2025/internal/results.csv")
            .unwrap()
            .status,
        404
    );
    // A council sees its own report, and never another's.
    let tasks = a.get("/council").unwrap().text();
    assert!(tasks.contains("Your published report"), "{tasks}");
    let own = format!("{A}-redcar-and-cleveland.pdf");
    assert!(tasks.contains(&own));
    let pdf = a.get(&format!("/council/report/{own}")).unwrap();
    assert_eq!(pdf.status, 200);
    assert!(pdf.body.starts_with(b"%PDF"));
    let other = a
        .get(&format!("/council/report/{B}-stockton-on-tees.pdf"))
        .unwrap();
    let nothing = a.get(&format!("/council/report/{A}-nothing.pdf")).unwrap();
    assert_eq!(
        (other.status, other.body.len()),
        (nothing.status, nothing.body.len())
    );
    assert_eq!(other.status, 404);
    // The internal edition, made after publication: `scwres local
    // --audience internal` on the release's inputs, byte for byte.
    let internal = format!("{A}-redcar-and-cleveland.pdf");
    let mut listed = false;
    for _ in 0..600 {
        if a.get("/council")
            .unwrap()
            .text()
            .contains(&format!("/council/report/internal/{internal}"))
        {
            listed = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert!(listed, "the internal edition is listed");
    let served = a
        .get(&format!("/council/report/internal/{internal}"))
        .unwrap();
    assert_eq!(served.status, 200);
    let root = s.dir.path().join(format!("service-releases/2025/{n}"));
    let work = tempfile::tempdir().unwrap();
    let data = inputs(&mut admin, n);
    local_cli(
        &root,
        data.path(),
        "internal",
        &data.path().join(format!("returns/2025/{A}.csv")),
        None,
        work.path(),
    );
    assert!(
        std::fs::read(work.path().join(&internal)).unwrap() == served.body,
        "the internal edition is not scwres local's"
    );
    let mut b = s.signed_in(&s.submitter_b);
    let theirs = b
        .get(&format!("/council/report/internal/{internal}"))
        .unwrap();
    let nothing = b.get("/council/report/internal/nothing.pdf").unwrap();
    assert_eq!(
        (theirs.status, theirs.body.len()),
        (nothing.status, nothing.body.len())
    );
    assert_eq!(theirs.status, 404);
    // The release as one zip.
    let zip = admin
        .get(&format!("/admin/releases/{n}/release.zip"))
        .unwrap();
    let files = unzip(&zip.body);
    assert!(files.iter().any(|(f, _)| f == "sc-wres-2025/manifest.json"));
    assert!(
        files
            .iter()
            .any(|(f, _)| f == "sc-wres-2025/public/index.html")
    );
    assert!(files.iter().all(|(f, _)| !f.contains("internal/")));
}

#[test]
fn the_services_release_is_scwres_reports_release_byte_for_byte() {
    let s = Service::start();
    let mut admin = s.signed_in(&s.admin);
    let n = released(&s, &mut admin);
    // The command line, on the data folder with the exported returns and
    // the release's report.yaml (the data folder's, with the release date
    // the team gave when it ran the release), as its recorded inputs have
    // it.
    let recorded = inputs(&mut admin, n);
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::copy(
        recorded.path().join("report.yaml"),
        data.join("report.yaml"),
    )
    .unwrap();
    for y in ["2022", "2023", "2024"] {
        let from = s.dir.path().join("returns").join(y);
        if from.is_dir() {
            let to = data.join("returns").join(y);
            std::fs::create_dir_all(&to).unwrap();
            for e in std::fs::read_dir(from).unwrap() {
                let p = e.unwrap().path();
                std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
            }
        }
    }
    for (name, bytes) in unzip(&admin.get("/admin/export.zip").unwrap().body) {
        let p = data.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    // No data folder was composed for the run: the inputs are recorded in
    // the database, and the release's folder holds its publication.
    let folder = s.dir.path().join(format!("service-releases/2025/{n}"));
    let entries: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| !n.starts_with('.'))
        .collect();
    assert_eq!(entries, ["out"], "the release's folder");
    // Downloading them before publication is pre-release access.
    assert!(
        admin
            .get("/admin/audit")
            .unwrap()
            .text()
            .contains(&format!("release {n} of 2025: its inputs")),
        "the inputs' download is in the audit log"
    );
    // The recorded inputs are those files, byte for byte: what went in.
    let (ours, theirs) = (files_under(&data), files_under(recorded.path()));
    assert_eq!(ours, theirs, "the recorded inputs");
    for f in &ours {
        assert!(
            std::fs::read(data.join(f)).unwrap() == std::fs::read(recorded.path().join(f)).unwrap(),
            "{f} differs from the recorded input"
        );
    }
    let out = work.path().join("out");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_scwres"))
        .args(["report", "--quiet", "--year", "2025", "--data"])
        .arg(&data)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        o.status.code().unwrap() <= 1,
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let cli = out.join("2025");
    let service = s
        .dir
        .path()
        .join(format!("service-releases/2025/{n}/out/2025"));
    let (a, b) = (files_under(&cli), files_under(&service));
    assert_eq!(a, b, "the same files");
    assert!(a.len() > 10);
    for f in &a {
        assert!(
            std::fs::read(cli.join(f)).unwrap() == std::fs::read(service.join(f)).unwrap(),
            "{f} differs"
        );
    }
    // Published, a file is served only as the manifest lists it, with its
    // hash: a file changed on disk since, or one the release did not
    // write, is not found.
    publish(&mut admin, n);
    let mut anon = Agent::new(s.addr());
    assert_eq!(anon.get("/releases/2025/index.html").unwrap().status, 200);
    let index = service.join("public/index.html");
    let mut changed = std::fs::read(&index).unwrap();
    changed.extend_from_slice(b"<!-- changed -->");
    std::fs::write(&index, changed).unwrap();
    std::fs::write(
        service.join("public/extra.html"),
        "<p>not the release's</p>",
    )
    .unwrap();
    for path in ["index.html", "extra.html"] {
        let r = anon.get(&format!("/releases/2025/{path}")).unwrap();
        assert_eq!(r.status, 404, "{path}: {}", r.text());
    }
}

fn publish(admin: &mut Agent, n: i64) {
    let csrf = admin.csrf(&format!("/admin/releases/{n}")).unwrap();
    let r = admin
        .post(
            &format!("/admin/releases/{n}/publish"),
            &[("csrf", &csrf), ("confirm", "yes")],
        )
        .unwrap();
    assert_eq!(r.status, 303);
}

#[test]
fn a_plan_gives_the_report_scwres_local_gives_and_the_form_writes_a_plan() {
    let s = Service::start();
    let mut admin = s.signed_in(&s.admin);
    let n = released(&s, &mut admin);
    let mut a = s.signed_in(&s.submitter_a);
    // Not before publication.
    let csrf = a.csrf("/council").unwrap();
    let plan = format!(
        "authority: {A}\nyear: 2025\nactions:\n  - action: Two people on every panel\n    indicator: 2\n    owner: Head of Workforce\n    due: 2026-03-31\n    status: in progress\n    measure: RL within the band\n"
    );
    let r = a
        .upload(
            "/council/plan",
            &[("csrf", &csrf)],
            "actions.yaml",
            plan.as_bytes(),
        )
        .unwrap();
    assert_eq!(r.status, 409);
    publish(&mut admin, n);
    // A bad plan: its problems, no report.
    let bad = plan.replace("due: 2026-03-31", "due: 31/03/2026");
    let r = a
        .upload(
            "/council/plan",
            &[("csrf", &csrf)],
            "actions.yaml",
            bad.as_bytes(),
        )
        .unwrap();
    assert_eq!(r.status, 303);
    let page = a.get("/council/plan").unwrap().text();
    assert!(
        page.contains("the due date must be a date YYYY-MM-DD"),
        "{page}"
    );
    assert!(!page.contains("/council/plan/1/public/"));
    // A good one: both editions at once.
    let t = std::time::Instant::now();
    a.upload(
        "/council/plan",
        &[("csrf", &csrf)],
        "actions.yaml",
        plan.as_bytes(),
    )
    .unwrap();
    let took = t.elapsed();
    let page = a.get("/council/plan").unwrap().text();
    let public = format!("/council/plan/2/public/{A}-redcar-and-cleveland.pdf");
    assert!(page.contains(&public), "{page}");
    assert!(page.contains(&format!(
        "/council/plan/2/internal/{A}-redcar-and-cleveland.pdf"
    )));
    let served = a.get(&public).unwrap();
    assert_eq!(served.status, 200);
    eprintln!("report with plan made in {took:?} (debug build)");
    // The same bytes as `scwres local` on those inputs.
    let root = s.dir.path().join(format!("service-releases/2025/{n}"));
    let work = tempfile::tempdir().unwrap();
    let plan_file = work.path().join("actions.yaml");
    std::fs::write(&plan_file, &plan).unwrap();
    let ret_file = work.path().join(format!("{A}.csv"));
    std::fs::write(&ret_file, s.return_csv(A)).unwrap();
    let data = inputs(&mut admin, n);
    local_cli(
        &root,
        data.path(),
        "public",
        &ret_file,
        Some(&plan_file),
        &work.path().join("out"),
    );
    let cli = std::fs::read(
        work.path()
            .join(format!("out/{A}-redcar-and-cleveland.pdf")),
    )
    .unwrap();
    assert!(
        cli == served.body,
        "the service's report with the plan is not scwres local's"
    );
    // Another council's plan report: not found, as nothing is.
    let mut b = s.signed_in(&s.submitter_b);
    let theirs = b.get(&public).unwrap();
    let nothing = b.get("/council/plan/99/public/x.pdf").unwrap();
    assert_eq!(
        (theirs.status, theirs.body.len()),
        (nothing.status, nothing.body.len())
    );
    // The form: an action with a colon and a hash, as the same YAML.
    let csrf = a.csrf("/council/plan").unwrap();
    let r = a
        .post("/council/plan/action", &panel_action(&csrf, "not started"))
        .unwrap();
    assert_eq!(r.status, 303, "{}", r.text());
    let page = a.get("/council/plan").unwrap().text();
    assert!(page.contains("Plan version 3"), "{page}");
    assert!(page.contains("/council/plan/3/public/"), "{page}");
    let c = rusqlite::Connection::open(s.db_path()).unwrap();
    let yaml: Vec<u8> = c
        .query_row("SELECT bytes FROM plan WHERE version = 3", [], |r| r.get(0))
        .unwrap();
    let read = scwres::load::actions::read("actions.yaml", &yaml).unwrap();
    assert_eq!(read.actions.len(), 2, "the earlier action is kept");
    assert_eq!(read.actions[1].action, "Panels: two people # always");
    // The council's own files as one zip: nothing of B's.
    let zip = unzip(&a.get("/council/files.zip").unwrap().body);
    let names: Vec<&str> = zip.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        names.contains(&format!("sc-wres-2025-{A}/return/{A}.csv").as_str()),
        "{names:?}"
    );
    assert!(
        names
            .iter()
            .any(|n| n.ends_with(&format!("report/{A}-redcar-and-cleveland.pdf"))),
        "{names:?}"
    );
    assert!(
        names
            .iter()
            .any(|n| n.contains("report-with-plan/internal/")),
        "{names:?}"
    );
    assert!(names.iter().all(|n| !n.contains(B)), "{names:?}");
    // A missing field: the error summary, nothing stored.
    let r = a
        .post("/council/plan/action", &[("csrf", &csrf), ("action", "x")])
        .unwrap();
    assert_eq!(r.status, 400);
    let page = r.text();
    assert!(page.contains("There is a problem"));
    // Every missing field at once, the action typed kept.
    for e in [
        "#indicator\">Select the indicator",
        "#owner\">Enter the owner",
        "#due-day\">Enter the due date",
        "#status\">Select the status",
        "#measure\">Enter how success",
    ] {
        assert!(page.contains(e), "{e} in {page}");
    }
    assert!(page.contains(">x</textarea>"), "{page}");
    // 31 June is no date: said, nothing stored.
    let r = a
        .post(
            "/council/plan/action",
            &[
                ("csrf", &csrf),
                ("action", "Mentors"),
                ("indicator", "5"),
                ("owner", "PSW"),
                ("due-day", "31"),
                ("due-month", "6"),
                ("due-year", "2026"),
                ("status", "done"),
                ("measure", "RL in band"),
            ],
        )
        .unwrap();
    assert_eq!(r.status, 400);
    assert!(r.text().contains("must be a real date"), "{}", r.text());
    // The plan's actions are listed; the second's status changes.
    let page = a.get("/council/plan").unwrap().text();
    assert!(page.contains("/council/plan/action/2"), "{page}");
    let change = a.get("/council/plan/action/2").unwrap().text();
    assert!(
        change.contains("value=\"30\"") && change.contains("Change action 2"),
        "{change}"
    );
    let r = a
        .post("/council/plan/action/2", &panel_action(&csrf, "done"))
        .unwrap();
    assert_eq!(r.status, 303, "{}", r.text());
    let newest = |c: &rusqlite::Connection| -> Vec<u8> {
        c.query_row(
            "SELECT bytes FROM plan ORDER BY version DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap()
    };
    let read = scwres::load::actions::read("actions.yaml", &newest(&c)).unwrap();
    assert_eq!((read.actions.len(), read.actions[1].status), (2, "done"));
    // Removing asks first; confirmed, the first action goes.
    let r = a
        .post("/council/plan/action/1/remove", &[("csrf", &csrf)])
        .unwrap();
    assert_eq!(r.status, 200);
    assert!(r.text().contains("Yes, remove the action"));
    let r = a
        .post(
            "/council/plan/action/1/remove",
            &[("csrf", &csrf), ("confirm", "yes")],
        )
        .unwrap();
    assert_eq!(r.status, 303, "{}", r.text());
    let read = scwres::load::actions::read("actions.yaml", &newest(&c)).unwrap();
    assert_eq!(read.actions.len(), 1);
    assert_eq!(read.actions[0].action, "Panels: two people # always");
}

/// The plan form's fields for one action (a colon and a hash in its
/// text), with `status`.
fn panel_action<'a>(csrf: &'a str, status: &'a str) -> [(&'static str, &'a str); 9] {
    [
        ("csrf", csrf),
        ("action", "Panels: two people # always"),
        ("indicator", "7a"),
        ("owner", "Head of HR & OD"),
        ("due-day", "30"),
        ("due-month", "6"),
        ("due-year", "2026"),
        ("status", status),
        ("measure", "Fewer reports"),
    ]
}

/// Runs a release and waits for it: its number.
fn run_release(admin: &mut Agent) -> i64 {
    let csrf = admin.csrf("/admin/releases").unwrap();
    let r = admin
        .post(
            "/admin/releases",
            &[("csrf", &csrf), ("coverage", "confirmed")],
        )
        .unwrap();
    let at = r.header("location").unwrap().to_string();
    for _ in 0..600 {
        if admin.get(&at).unwrap().text().contains("Ready to check") {
            return at.rsplit('/').next().unwrap().parse().unwrap();
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    panic!("the release did not finish");
}

#[test]
fn a_correction_after_publication_is_a_new_release_that_revises_the_first() {
    let s = Service::start();
    let mut admin = s.signed_in(&s.admin);
    let first = released(&s, &mut admin);
    publish(&mut admin, first);
    // The team reopens A's return; A corrects it and signs it off again.
    let csrf = admin.csrf(&format!("/admin/councils/{A}")).unwrap();
    let r = admin
        .post(
            &format!("/admin/councils/{A}/reopen"),
            &[("csrf", &csrf), ("reason", "Leavers were wrong")],
        )
        .unwrap();
    assert_eq!(r.status, 303);
    let mut boss = s.signed_in(&s.signer_a);
    let corrected = bumped(&s.return_csv(A), "leavers", 4);
    assert_ne!(corrected, s.return_csv(A));
    let r = s.upload(&mut boss, "corrected.csv", corrected.as_bytes());
    let v: String = r
        .header("location")
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let csrf = boss.csrf("/council").unwrap();
    let r = boss
        .post(
            "/council/sign-off",
            &[
                ("csrf", &csrf),
                ("version", &v),
                ("name", "Officer"),
                ("confirm", "yes"),
            ],
        )
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    let second = run_release(&mut admin);
    assert_eq!(second, first + 1);
    publish(&mut admin, second);
    // The second release revises the first.
    let root = s.dir.path().join("service-releases/2025");
    let revisions =
        std::fs::read_to_string(root.join(format!("{second}/out/2025/internal/revisions.csv")))
            .unwrap();
    assert!(revisions.lines().count() > 1, "{revisions}");
    // Both stay available; the year's address is the newest.
    let mut anon = Agent::new(s.addr());
    assert_eq!(
        anon.get(&format!("/releases/2025/release-{first}/index.html"))
            .unwrap()
            .status,
        200
    );
    assert_eq!(anon.get("/releases/2025/index.html").unwrap().status, 200);
    assert_eq!(
        anon.get("/releases/2025/release-99/index.html")
            .unwrap()
            .status,
        404
    );
    // A is shown what changed in its own figures; B's own did not.
    let page = s.signed_in(&s.submitter_a).get("/council").unwrap().text();
    assert!(
        page.contains(&format!("What changed since release {first}")),
        "{page}"
    );
    assert!(page.contains("Your local report changed."));
    assert!(page.contains("Your own figures that changed"));
    let page_b = s.signed_in(&s.submitter_b).get("/council").unwrap().text();
    assert!(page_b.contains(&format!("What changed since release {first}")));
    assert!(
        !page_b.contains("Your own figures that changed"),
        "{page_b}"
    );
}

/// The councils' internal editions are a recorded job: done once made; one
/// a stop cut short (pending, its files half made) is made again when the
/// service starts.
#[test]
fn internal_editions_cut_short_are_made_at_the_next_start() {
    let s = Service::start();
    let mut admin = s.signed_in(&s.admin);
    let n = released(&s, &mut admin);
    publish(&mut admin, n);
    let state = |db: &Path| -> Option<String> {
        rusqlite::Connection::open(db)
            .unwrap()
            .query_row("SELECT editions FROM release WHERE number = ?1", [n], |r| {
                r.get(0)
            })
            .unwrap()
    };
    let wait_done = |db: &Path| {
        for _ in 0..600 {
            if state(db).as_deref() == Some("done") {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        panic!("the internal editions are {:?}", state(db));
    };
    wait_done(&s.db_path());
    let dir = s.stop();
    let editions = dir
        .path()
        .join(format!("service-releases/2025/{n}/internal-local"));
    std::fs::remove_dir_all(&editions).unwrap();
    rusqlite::Connection::open(dir.path().join(scwres::serve::db::FILE))
        .unwrap()
        .execute("UPDATE release SET editions = 'pending'", [])
        .unwrap();
    let again = Service::start_in(dir, None, |_| {});
    wait_done(&again.db_path());
    let pdf = editions
        .join(A)
        .join(format!("{A}-redcar-and-cleveland.pdf"));
    assert!(pdf.exists(), "{} was not made again", pdf.display());
}
