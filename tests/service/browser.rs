//! The collection service in Debian's chromium (Playwright): invitation
//! link → sign in → a bad return → its problems → a good one → own figures
//! → sign-off → the national team sees it signed off → the export holds the
//! uploaded bytes; axe-core, reflow at 320 px, no script and no foreign
//! request on every page on the way (tests/browser/service.mjs).

use crate::support::*;
use std::path::Path;
use std::process::Command;

/// Chromium, axe-core and playwright-core are there (.ci/run installs them).
fn browser_tools(dir: &Path) {
    for (path, what) in [
        (
            Path::new("/usr/bin/chromium").to_path_buf(),
            "Debian's chromium",
        ),
        (dir.join("node_modules/axe-core"), "npm axe-core"),
        (
            dir.join("node_modules/playwright-core"),
            "npm playwright-core",
        ),
    ] {
        assert!(
            path.exists()
                || std::env::var_os("SCWRES_CHROMIUM").is_some() && what.contains("chromium"),
            "{what} is not installed ({}): run .ci/run, which installs it",
            path.display()
        );
    }
}

/// Runs a browser script of tests/browser (its arguments, then the
/// screenshots folder if `SCWRES_SCREENSHOTS` names one); its report, and
/// how many pages it checked and found sound.
fn run_script(script: &str, args: &[std::ffi::OsString]) -> (String, usize) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    browser_tools(&dir);
    let mut cmd = Command::new("node");
    cmd.current_dir(&dir).arg(script).args(args);
    if let Some(shots) = std::env::var_os("SCWRES_SCREENSHOTS") {
        cmd.arg(shots);
    }
    let o = cmd.output().expect("node runs: run .ci/run");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.status.success(), "{script} failed:\n{report}");
    let pages = report
        .lines()
        .filter(|l| l.contains("\"page\":") && l.contains("\"ok\":true"))
        .count();
    (report, pages)
}

#[test]
fn the_journey_passes_in_chromium_with_every_page_checked() {
    // With mail, as a collection runs (the sign-in page offers a link by
    // email; the team can send reminders).
    let sink = SmtpSink::start();
    let s = Service::start_with(Some(sink.relay()));
    let files = tempfile::tempdir().unwrap();
    // Last year's figures unchanged: a query to answer before sign-off.
    let good = s.same_as_last_year(A);
    let bad = good.replacen(",adults,shortlisted,,", ",adults,shortlisted,,x", 1);
    let (bad_path, good_path) = (
        files.path().join("bad-return.csv"),
        files.path().join("return.csv"),
    );
    std::fs::write(&bad_path, &bad).unwrap();
    std::fs::write(&good_path, &good).unwrap();
    let base = format!("http://{}", s.addr());
    let (report, pages) = run_script(
        "service.mjs",
        &[
            base.into(),
            s.link(&s.admin).into(),
            s.link(&s.submitter_a).into(),
            s.link(&s.signer_a).into(),
            bad_path.into(),
            good_path.into(),
            A.into(),
            s.link(&s.submitter_a).into(),
        ],
    );
    assert!(pages >= 27, "{pages} pages checked:\n{report}");
    // What the browser did is in the database: signed off, version 2.
    let c = rusqlite::Connection::open(s.db_path()).unwrap();
    let (v, bytes): (i64, Vec<u8>) = c
        .query_row(
            "SELECT u.version, u.bytes FROM sign_off s JOIN upload u ON u.id = s.upload WHERE s.reopened_at IS NULL",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(v, 2);
    assert_eq!(bytes, good.as_bytes());
}

/// A council with only a browser: its HR exports (the demo records)
/// counted in the page by the WebAssembly module, under the page's real
/// policy; no request while counting and none carrying a record's value;
/// the return byte-identical to `scwres extract` on the same files,
/// uploaded in one step and signed off (tests/browser/extract.mjs).
#[test]
fn a_council_makes_its_return_from_hr_records_in_chromium() {
    assert!(
        std::env::var_os("SCWRES_EXTRACT_MODULE").is_some(),
        "SCWRES_EXTRACT_MODULE is not set: run .ci/run, which builds the module (.ci/wasm)"
    );
    let s = Service::start();
    let records = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/examples/staff");
    let files = tempfile::tempdir().unwrap();
    let bad = files.path().join("staff.csv");
    std::fs::write(
        &bad,
        "person_id,service,ethnicity,salary,regulated,senior_manager\n\
         P1,adults,White: Irish,31000,no,no\n\
         P2,adults,White: Irish,32.000,no,no\n",
    )
    .unwrap();
    let base = format!("http://{}", s.addr());
    let (report, pages) = run_script(
        "extract.mjs",
        &[
            base.into(),
            s.link(&s.submitter_a).into(),
            s.link(&s.submitter_a).into(),
            s.link(&s.signer_a).into(),
            records.clone().into(),
            bad.into(),
            files.path().into(),
        ],
    );
    assert_eq!(pages, 4, "pages checked:\n{report}");
    // The same answer as the command line, byte for byte: the return,
    // and the workbook the page offers.
    let cli = |out: &Path| {
        let mut x = Command::new(env!("CARGO_BIN_EXE_scwres"));
        x.args(["extract", "--authority", A, "--year", "2025", "--data"])
            .arg(s.data())
            .arg("-o")
            .arg(out);
        for slot in ["staff", "leavers", "events", "recruitment", "survey"] {
            x.arg(format!("--{slot}"))
                .arg(records.join(format!("{slot}.csv")));
        }
        let run = x.output().unwrap();
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        std::fs::read(out).unwrap()
    };
    let browser = std::fs::read(files.path().join("return.csv")).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&browser),
        String::from_utf8_lossy(&cli(&files.path().join("cli.csv"))),
        "the browser's return and scwres extract's"
    );
    assert!(
        std::fs::read(files.path().join("return.xlsx")).unwrap()
            == cli(&files.path().join("cli.xlsx")),
        "the page's workbook and scwres extract's"
    );
    // Uploaded as it was downloaded, and signed off.
    let c = rusqlite::Connection::open(s.db_path()).unwrap();
    let bytes: Vec<u8> = c
        .query_row(
            "SELECT u.bytes FROM sign_off s JOIN upload u ON u.id = s.upload WHERE s.reopened_at IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(bytes, browser);
}
