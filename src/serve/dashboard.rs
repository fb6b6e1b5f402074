//! The national team's dashboard: every council of the register with its
//! status, filtered, searched and sorted by the page's own GET form (no
//! script), and the same rows as a CSV download.

use super::App;
use super::db;
use super::http::Response;
use super::routes::{Session, page};
use serde::Serialize;
use serde_json::json;

type Result<T> = std::result::Result<T, db::DbError>;

/// The statuses, in the order of the collection: (id, label).
const STATUSES: [(&str, &str); 6] = [
    ("signed_off", "Signed off"),
    ("clean", "Clean, not signed off"),
    ("errors", "Uploaded with errors"),
    ("signed_in", "Signed in"),
    ("invited", "Invited"),
    ("not_invited", "Not invited"),
];

/// A council's status.
fn status(st: Option<&db::CouncilState>) -> &'static str {
    match st {
        None => "not_invited",
        Some(s) if s.signed_off => "signed_off",
        Some(s) => match s.newest {
            Some((_, true, _, _)) => "clean",
            Some((_, false, _, _)) => "errors",
            None if s.signed_in > 0 => "signed_in",
            None if s.people > 0 => "invited",
            None => "not_invited",
        },
    }
}

fn label(status: &str) -> &'static str {
    STATUSES
        .iter()
        .find(|(id, _)| *id == status)
        .map_or("", |(_, l)| l)
}

/// One council's row.
#[derive(Clone, Debug, Serialize)]
struct Row {
    code: String,
    name: String,
    region: String,
    status: &'static str,
    status_label: &'static str,
    /// `Late` (signed off after the due date) or `Overdue` (past it, not
    /// signed off).
    timing: Option<&'static str>,
    last_activity: Option<i64>,
    signed_at: Option<i64>,
    errors: Option<i64>,
    warnings: Option<i64>,
    version: Option<i64>,
}

/// What the team asked for: the GET form's fields, each optional.
#[derive(Default)]
struct Query {
    status: String,
    region: String,
    search: String,
    sort: String,
}

impl Query {
    fn parse(q: &str) -> Query {
        let mut out = Query::default();
        for (k, v) in form_urlencoded::parse(q.as_bytes()) {
            // Bounded: a query is a few words.
            let v: String = v.chars().take(100).collect();
            match &*k {
                "status" => out.status = v,
                "region" => out.region = v,
                "q" => out.search = v.trim().to_string(),
                "sort" => out.sort = v,
                _ => {}
            }
        }
        out
    }

    fn keeps(&self, r: &Row) -> bool {
        let search = self.search.to_lowercase();
        (self.status.is_empty()
            || r.status == self.status
            || (self.status == "late" && r.timing.is_some()))
            && (self.region.is_empty() || r.region == self.region)
            && (search.is_empty()
                || r.name.to_lowercase().contains(&search)
                || r.code.to_lowercase().contains(&search))
    }

    /// The query string again, for links that keep it (sorting).
    fn with_sort(&self, sort: &str) -> String {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("status", &self.status)
            .append_pair("region", &self.region)
            .append_pair("q", &self.search)
            .append_pair("sort", sort)
            .finish()
    }
}

/// Every council's row, and how many are late or overdue.
fn rows(app: &App) -> Result<Vec<Row>> {
    let states = db::council_states(&*app.db.conn()?, app.year)?;
    let (window, now) = (&app.config.collection, db::now());
    Ok(app
        .register
        .iter()
        .map(|a| {
            let st = states.get(&a.code);
            let status = status(st);
            let timing = match st.and_then(|s| s.signed_at) {
                Some(at) if super::window::late(window, at) => Some("Late"),
                Some(_) => None,
                None if super::window::overdue(window, now) => Some("Overdue"),
                None => None,
            };
            Row {
                code: a.code.clone(),
                name: a.name.clone(),
                region: a.region_name.clone(),
                status,
                status_label: label(status),
                timing,
                last_activity: st.and_then(|s| s.last_activity),
                signed_at: st.and_then(|s| s.signed_at),
                errors: st.and_then(|s| s.newest).map(|n| n.2),
                warnings: st.and_then(|s| s.newest).map(|n| n.3),
                version: st.and_then(|s| s.newest).map(|n| n.0.0),
            }
        })
        .collect())
}

/// The rows the query keeps, in its order (by name unless asked).
fn chosen(all: &[Row], q: &Query) -> Vec<Row> {
    let mut rows: Vec<Row> = all.iter().filter(|r| q.keeps(r)).cloned().collect();
    let rank = |s: &str| STATUSES.iter().position(|(id, _)| *id == s);
    match q.sort.as_str() {
        "status" => rows.sort_by(|a, b| {
            rank(a.status)
                .cmp(&rank(b.status))
                .then(a.name.cmp(&b.name))
        }),
        "region" => rows.sort_by(|a, b| a.region.cmp(&b.region).then(a.name.cmp(&b.name))),
        // Most recent first; never active last.
        "activity" => rows.sort_by(|a, b| {
            b.last_activity
                .cmp(&a.last_activity)
                .then(a.name.cmp(&b.name))
        }),
        _ => rows.sort_by(|a, b| a.name.cmp(&b.name)),
    }
    rows
}

pub(super) fn councils(app: &App, s: &Session, query: &str) -> Result<Response> {
    let q = Query::parse(query);
    let all = rows(app)?;
    let mut tally: std::collections::BTreeMap<&str, usize> =
        STATUSES.iter().map(|(id, _)| (*id, 0)).collect();
    for r in &all {
        *tally.entry(r.status).or_default() += 1;
    }
    let late = all.iter().filter(|r| r.timing.is_some()).count();
    let shown = chosen(&all, &q);
    let mut regions: Vec<&str> = all.iter().map(|r| r.region.as_str()).collect();
    regions.sort();
    regions.dedup();
    // What became of the mail, when mail is set up.
    let mail = match &app.mailer {
        Some(_) => {
            let (waiting, sent, given_up) = super::outbox_db::counts(&*app.db.conn()?)?;
            json!({"waiting": waiting, "sent": sent, "given_up": given_up})
        }
        None => json!(null),
    };
    let sorts: serde_json::Map<String, serde_json::Value> =
        ["name", "region", "status", "activity"]
            .iter()
            .map(|k| (k.to_string(), json!(format!("/admin?{}", q.with_sort(k)))))
            .collect();
    let csv = format!("/admin/councils.csv?{}", q.with_sort(&q.sort));
    Ok(page(
        app,
        Some(s),
        200,
        "admin.html",
        "Councils' returns",
        json!({
            "rows": shown, "tally": tally, "late": late,
            "councils": app.register.len(), "mail": mail,
            "filter": {"status": q.status, "region": q.region, "q": q.search, "sort": if q.sort.is_empty() { "name" } else { q.sort.as_str() }},
            "statuses": STATUSES.iter().map(|(id, l)| json!({"id": id, "label": l})).collect::<Vec<_>>(),
            "regions": regions,
            "sorts": sorts,
            "csv": csv,
            "filtered": shown.len() != all.len(),
        }),
    ))
}

/// The dashboard's rows, as the page's filters and order choose, as CSV.
pub(super) fn councils_csv(app: &App, query: &str) -> Result<Response> {
    let q = Query::parse(query);
    let shown = chosen(&rows(app)?, &q);
    let iso = |t: Option<i64>| {
        t.map(|t| {
            let d = super::window::day_of(t);
            let secs = t.rem_euclid(86_400);
            format!(
                "{d}T{:02}:{:02}:{:02}Z",
                secs / 3600,
                secs % 3600 / 60,
                secs % 60
            )
        })
        .unwrap_or_default()
    };
    let num = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut put = |rec: &[String]| {
        // A council name starting with =, +, - or @ would be a formula to
        // a spreadsheet: the register's names never do, but none is
        // trusted.
        let rec: Vec<String> = rec
            .iter()
            .map(|v| {
                if v.starts_with(['=', '+', '-', '@']) {
                    format!("'{v}")
                } else {
                    v.clone()
                }
            })
            .collect();
        let _ = w.write_record(&rec);
    };
    put(&[
        "code",
        "name",
        "region",
        "status",
        "timing",
        "version",
        "errors",
        "warnings",
        "signed_off_at",
        "last_activity",
    ]
    .map(String::from));
    for r in &shown {
        put(&[
            r.code.clone(),
            r.name.clone(),
            r.region.clone(),
            r.status.to_string(),
            r.timing.unwrap_or("").to_lowercase(),
            num(r.version),
            num(r.errors),
            num(r.warnings),
            iso(r.signed_at),
            iso(r.last_activity),
        ]);
    }
    let bytes = w.into_inner().unwrap_or_default();
    Ok(Response::file(
        "text/csv; charset=utf-8",
        &format!("sc-wres-councils-{}.csv", app.year),
        bytes,
    ))
}
