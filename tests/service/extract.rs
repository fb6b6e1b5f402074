//! The council's extraction page without a browser: its policy lets its
//! own script and the module run, and no other page's does; the module is
//! served as given, and without one the page points to the workbook.

use crate::support::*;
use std::sync::Arc;

/// A module's first bytes (the page's behaviour is tested in chromium,
/// `browser`; here only what the service serves).
const MODULE: &[u8] = b"\0asm\x01\0\0\0";

#[test]
fn the_extraction_page_alone_may_run_a_script() {
    let s = Service::start_in(demo_data(), None, |app| {
        app.extract_module = Some(Arc::new(MODULE.to_vec()));
    });
    let mut a = s.signed_in(&s.submitter_a);
    let page = a.get("/council/extract").unwrap();
    assert_eq!(page.status, 200);
    let csp = page.header("content-security-policy").unwrap();
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    let html = page.text();
    // One script, the service's own file: nothing inline.
    assert_eq!(html.matches("<script").count(), 1, "{html}");
    assert!(html.contains("<script src=\"/assets/extract.js\" defer></script>"));
    assert!(html.contains("data-authority=\"E06000003\""));
    let js = a.get("/assets/extract.js").unwrap();
    assert!(
        js.header("content-type")
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(!js.text().contains("innerHTML"), "values are set as text");
    // The worker runs the module under the page's policy (a worker keeps
    // its own script's).
    let worker = a.get("/assets/extract-worker.js").unwrap();
    assert_eq!(worker.header("content-security-policy"), Some(csp));
    let wasm = a.get("/assets/extract.wasm").unwrap();
    assert_eq!(wasm.header("content-type"), Some("application/wasm"));
    assert_eq!(wasm.body, MODULE);
    // Every other page keeps no script at all.
    for path in ["/", "/council", "/council/upload", "/help", "/nowhere"] {
        let r = a.get(path).unwrap();
        let csp = r.header("content-security-policy").unwrap_or("");
        assert!(
            csp.contains("default-src 'none'") && !csp.contains("script-src"),
            "{path}: {csp}"
        );
        assert!(!r.text().contains("<script"), "{path}");
    }
    // The task list links to it.
    assert!(
        a.get("/council")
            .unwrap()
            .text()
            .contains("href=\"/council/extract\"")
    );
}

/// The page's return as the workbook: the council's own, without errors,
/// filled in; another council's, or a return with errors, is refused and
/// nothing is kept.
#[test]
fn the_page_return_is_made_into_the_workbook_and_nothing_is_kept() {
    let s = Service::start();
    let mut a = s.signed_in(&s.submitter_a);
    let csrf = a.csrf("/council/upload").unwrap();
    let own = s.return_csv(A);
    let r = a
        .post(
            "/council/extract/workbook",
            &[("csrf", &csrf), ("return", &own)],
        )
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.header("content-disposition").unwrap().contains(".xlsx"));
    assert!(r.body.starts_with(b"PK"));
    for bad in [
        s.return_csv(B),
        own.replacen(",adults,shortlisted,,", ",adults,shortlisted,,x", 1),
        "nonsense".to_string(),
    ] {
        let r = a
            .post(
                "/council/extract/workbook",
                &[("csrf", &csrf), ("return", &bad)],
            )
            .unwrap();
        assert_eq!(r.status, 400, "{bad}");
        assert!(r.text().contains("could not be made into a workbook"));
    }
    // Without the form's token, refused before the handler.
    let r = a
        .post("/council/extract/workbook", &[("return", &own)])
        .unwrap();
    assert_eq!(r.status, 403);
    assert_eq!(s.versions(A), 0, "nothing kept");
}

#[test]
fn without_a_module_the_page_points_to_the_workbook() {
    let s = Service::start_in(demo_data(), None, |app| app.extract_module = None);
    let mut a = s.signed_in(&s.submitter_a);
    let page = a.get("/council/extract").unwrap();
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("not set up on this service"), "{html}");
    assert!(html.contains("href=\"/council/workbook.xlsx\""));
    assert!(!html.contains("<script"));
    assert!(
        !page
            .header("content-security-policy")
            .unwrap()
            .contains("script-src")
    );
    assert_eq!(a.get("/assets/extract.wasm").unwrap().status, 404);
    // Signed out, the page is the sign-in's.
    let mut anyone = scwres::serve::client::Agent::new(s.addr());
    let r = anyone.get("/council/extract").unwrap();
    assert_ne!(r.status, 200, "{}", r.text());
}

/// A case: its name and its files (slot, file name, bytes).
type Case = (&'static str, Vec<(&'static str, String, Vec<u8>)>);

/// Every class of input problem the suite knows, each made here from the
/// example records: encodings, line ends, stray quotes, other locales'
/// numbers, a title row, ids, a zero salary, and workbooks with dates and
/// fractional pence.
fn cases() -> Vec<Case> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/examples/staff");
    let read = |slot: &str| std::fs::read_to_string(dir.join(format!("{slot}.csv"))).unwrap();
    let staff = read("staff");
    let all: Vec<(&'static str, String, Vec<u8>)> =
        ["staff", "leavers", "events", "recruitment", "survey"]
            .into_iter()
            .map(|s| (s, format!("{s}.csv"), read(s).into_bytes()))
            .collect();
    let only = |name: &str, bytes: Vec<u8>| vec![("staff", name.to_string(), bytes)];
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(staff.encode_utf16().flat_map(|u| u.to_le_bytes()))
        .collect();
    let mut lines: Vec<String> = staff.lines().map(String::from).collect();
    lines[2] = lines[2].replacen(",Social worker", ",12\" ruler \"maker", 1);
    let stray = lines.join("\n");
    let first_salary = staff
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .nth(3)
        .unwrap()
        .to_string();
    let workbook = {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        let head = [
            "person_id",
            "service",
            "ethnicity",
            "salary",
            "regulated",
            "senior_manager",
        ];
        for (c, h) in head.iter().enumerate() {
            ws.write_string(1, c as u16 + 1, *h).unwrap();
        }
        let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
        for (r, (id, salary)) in [("A1", 54985.8333), ("A2", 31000.0), ("A3", 72000.004)]
            .into_iter()
            .enumerate()
        {
            let r = r as u32 + 2;
            ws.write_string(r, 1, id).unwrap();
            ws.write_string(r, 2, "adults").unwrap();
            ws.write_string(r, 3, "White: Irish").unwrap();
            ws.write_number(r, 4, salary).unwrap();
            ws.write_string(r, 5, "no").unwrap();
            ws.write_string(r, 6, "no").unwrap();
        }
        ws.write_number_with_format(5, 1, 45351.0, &date).unwrap();
        wb.save_to_buffer().unwrap()
    };
    vec![
        ("demo records", all),
        ("UTF-16", only("staff.csv", utf16)),
        (
            "CRLF",
            only("staff.csv", staff.replace('\n', "\r\n").into_bytes()),
        ),
        (
            "CR",
            only("staff.csv", staff.replace('\n', "\r").into_bytes()),
        ),
        (
            "Windows-1252",
            only("staff.csv", {
                let mut b = staff.clone().into_bytes();
                let at = b.iter().position(|c| *c == b'\n').unwrap() + 1;
                b.splice(at..at, [0xA3]);
                b
            }),
        ),
        ("stray quote", only("staff.csv", stray.into_bytes())),
        (
            "other locale",
            only(
                "staff.csv",
                staff
                    .replacen(&format!(",{first_salary},"), ",\"32.000,00\",", 1)
                    .into_bytes(),
            ),
        ),
        (
            "zero salary",
            only(
                "staff.csv",
                staff
                    .replacen(&format!(",{first_salary},"), ",0,", 1)
                    .into_bytes(),
            ),
        ),
        (
            "semicolons",
            only("staff.csv", staff.replace(',', ";").into_bytes()),
        ),
        (
            "title row",
            only(
                "staff.csv",
                format!("Staff in post,,,\n{staff}").into_bytes(),
            ),
        ),
        (
            "ids with spaces",
            only(
                "staff.csv",
                staff
                    .replacen("P0005379,", "P0005379 ,", 1)
                    .replacen("\nP0003194,", "\nP0005379,", 1)
                    .into_bytes(),
            ),
        ),
        ("workbook", only("staff.xlsx", workbook)),
        ("not records", only("staff.txt", b"hello".to_vec())),
    ]
}

/// The module (WebAssembly, in Node as in the page) and `scwres extract`
/// give the same answer on every case: the same return, byte for byte, or
/// the same errors at the same places.
#[test]
fn the_module_and_the_command_line_agree_on_every_case() {
    let module = std::env::var_os("SCWRES_EXTRACT_MODULE").expect(
        "SCWRES_EXTRACT_MODULE is not set: run .ci/run, which builds the module (.ci/wasm)",
    );
    let work = tempfile::tempdir().unwrap();
    let data = demo_data();
    let bands = scwres::load::load_config(&scwres::load::Folder::new(data.path()))
        .unwrap()
        .bands(2025);
    let cases = cases();
    let mut spec = Vec::new();
    for (k, (name, files)) in cases.iter().enumerate() {
        let dir = work.path().join(k.to_string());
        std::fs::create_dir_all(&dir).unwrap();
        let mut listed = Vec::new();
        for (slot, file, bytes) in files {
            std::fs::write(dir.join(file), bytes).unwrap();
            listed.push(serde_json::json!({"slot": slot, "name": file, "path": dir.join(file)}));
        }
        spec.push(serde_json::json!({"name": name, "files": listed}));
    }
    let spec_path = work.path().join("cases.json");
    std::fs::write(
        &spec_path,
        serde_json::to_vec(
            &serde_json::json!({"authority": A, "year": 2025, "bands": bands, "cases": spec}),
        )
        .unwrap(),
    )
    .unwrap();
    let browser = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let o = std::process::Command::new("node")
        .current_dir(&browser)
        .arg("module.mjs")
        .arg(&module)
        .arg(&spec_path)
        .output()
        .expect("node runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let answers: Vec<serde_json::Value> = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(answers.len(), cases.len());
    let mut refused = 0;
    for (k, ((name, files), got)) in cases.iter().zip(&answers).enumerate() {
        let dir = work.path().join(k.to_string());
        let out = dir.join("return-out.csv");
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_scwres"));
        cmd.args(["extract", "--authority", A, "--year", "2025", "--data"])
            .arg(data.path())
            .arg("-o")
            .arg(&out);
        for (slot, file, _) in files {
            cmd.arg(format!("--{slot}")).arg(dir.join(file));
        }
        let cli = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&cli.stderr).to_string();
        let answer = &got["answer"];
        match answer["csv"].as_str() {
            Some(csv) => {
                assert!(
                    cli.status.success(),
                    "{name}: the module made a return, the CLI did not:\n{stderr}"
                );
                assert_eq!(csv, std::fs::read_to_string(&out).unwrap(), "{name}");
            }
            None => {
                refused += 1;
                assert_eq!(
                    cli.status.code(),
                    Some(1),
                    "{name}: the CLI wrote a return:\n{stderr}"
                );
            }
        }
        // The same errors: each of the module's, named for the CLI's path,
        // is one the CLI printed, and they are as many.
        let errors: Vec<scwres::load::diag::Diagnostic> = serde_json::from_value::<
            Vec<scwres::load::diag::Diagnostic>,
        >(answer["diagnostics"].clone())
        .unwrap()
        .into_iter()
        .filter(|d| d.is_error())
        .collect();
        for mut d in errors.clone() {
            d.file = dir.join(&d.file).display().to_string();
            assert!(
                stderr.contains(&d.to_string()),
                "{name}: not from the CLI: {d}\n{stderr}"
            );
        }
        assert_eq!(
            stderr.lines().filter(|l| l.starts_with("error:")).count(),
            errors.len(),
            "{name}:\n{stderr}"
        );
    }
    assert!(refused >= 6, "{refused} cases refused");
}
