//! The council's extraction page (`/council/extract`): its HR records
//! counted into a return in its own browser, by the extraction core built
//! as WebAssembly (`crates/extract-web`), so that no staff record is ever
//! sent. The service only serves the page, its script and the module; the
//! return comes back through the ordinary upload, when the council asks.
//! This page alone may run a script (its own, and the module): every other
//! page keeps the policy of no script at all.

use super::App;
use super::http::Response;
use super::ids::CouncilCode;
use super::routes::{Session, page};
use crate::indicators::{Measure, Service};
use crate::run::collect::{self, Rules};
use serde_json::json;

/// The page's script, and its worker's (which runs the module).
const SCRIPT: &str = include_str!("extract.js");
const WORKER: &str = include_str!("extract-worker.js");

/// The page's policy: the service's own, plus its own script and the
/// compiling of the module it fetches from this origin.
const POLICY: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The optional files, as the page asks for them: slot, label, hint and
/// the file types taken.
const OPTIONAL: [(&str, &str, &str, &str); 5] = [
    (
        "leavers",
        "Leavers",
        "Columns: person_id, service, ethnicity",
        ".csv,.xlsx",
    ),
    (
        "events",
        "Disciplinary, fitness to practise and training events",
        "Columns: person_id, event (disciplinary, fitness_to_practise or cpd)",
        ".csv,.xlsx",
    ),
    (
        "recruitment",
        "Recruitment",
        "Columns: service, ethnicity, stage (applied, shortlisted or appointed)",
        ".csv,.xlsx",
    ),
    (
        "survey",
        "Staff survey answers",
        "Columns: service, ethnicity, harassment_public, harassment_colleagues, harassment_managers",
        ".csv,.xlsx",
    ),
    (
        "ethnicity_map",
        "Your ethnicity map",
        "Only if your HR system's ethnicity values are not the Census or NHS ones: a YAML file of value to white, minoritised or unknown",
        ".yaml,.yml",
    ),
];

pub(super) fn page_for(app: &App, s: &Session, code: &CouncilCode) -> Response {
    let bands = app.config.bands(app.year);
    let optional: Vec<_> = OPTIONAL
        .iter()
        .map(|(slot, label, hint, accept)| {
            json!({"slot": slot, "label": label, "hint": hint, "accept": accept})
        })
        .collect();
    // The figures table's words: what each measure counts, each service's
    // name (the return's CSV has their ids).
    let words: serde_json::Map<String, serde_json::Value> = Measure::ALL
        .iter()
        .map(|m| (m.id().to_string(), json!(m.description())))
        .chain(
            [Service::Adults, Service::Children]
                .iter()
                .map(|s| (s.id().to_string(), json!(s.label()))),
        )
        .collect();
    let r = page(
        app,
        Some(s),
        200,
        "extract.html",
        "Make your return from your HR records",
        json!({
            "module": app.extract_module.is_some(),
            "authority": code.0,
            "bands": serde_json::to_string(&bands).unwrap_or_default(),
            "words": serde_json::Value::Object(words).to_string(),
            "return_name": format!("sc-wres-return-{}-{}.csv", app.year, code.0),
            "optional": optional,
        }),
    );
    if app.extract_module.is_some() {
        r.with_header("content-security-policy", POLICY.into())
    } else {
        r
    }
}

/// The return the page made, as the return workbook: checked as an upload
/// is (it must be the council's own and without errors), then filled in.
/// Nothing is kept.
pub(super) fn workbook(app: &App, s: &Session, code: &CouncilCode, csv: &str) -> Response {
    let rules = Rules {
        register: &app.register,
        config: &app.config,
        year: app.year,
    };
    let checked = collect::check_upload("return.csv", csv.as_bytes(), &rules);
    let own = checked
        .ret
        .filter(|r| r.authority_code == code.0 && r.year == app.year);
    let Some(ret) = own else {
        return page(
            app,
            Some(s),
            400,
            "message.html",
            "The return could not be made into a workbook",
            json!({"lines": ["The return sent from the page was not your council's return for this year without errors. Count your records again on the page, or upload the CSV return itself."], "link": {"href": "/council/extract", "text": "Back to making your return"}}),
        );
    };
    match collect::workbook(&rules, Some(&ret)) {
        Ok(bytes) => Response::file(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &format!("sc-wres-return-{}-{}.xlsx", app.year, code.0),
            bytes,
        ),
        Err(e) => super::routes::failure(app, &e),
    }
}

/// The page's script.
pub(super) fn script() -> Response {
    Response {
        status: 200,
        headers: vec![("content-type", "text/javascript; charset=utf-8".into())],
        body: SCRIPT.as_bytes().to_vec(),
    }
}

/// The worker's script, with the page's policy: a worker keeps the policy
/// its own script came with, and it fetches and compiles the module.
pub(super) fn worker() -> Response {
    Response {
        status: 200,
        headers: vec![
            ("content-type", "text/javascript; charset=utf-8".into()),
            ("content-security-policy", POLICY.into()),
        ],
        body: WORKER.as_bytes().to_vec(),
    }
}

/// The extraction module, if the service was given one.
pub(super) fn module(app: &App, s: Option<&Session>) -> Response {
    match &app.extract_module {
        Some(bytes) => Response {
            status: 200,
            headers: vec![("content-type", "application/wasm".into())],
            body: bytes.to_vec(),
        },
        None => super::routes::not_found(app, s),
    }
}
