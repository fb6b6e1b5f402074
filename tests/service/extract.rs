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
