//! The national team's review: the dashboard filtered, searched, sorted
//! and downloaded as CSV; a council's versions read in the browser; many
//! people invited from a list, every bad row reported first.

use crate::support::*;
use scwres::serve::client::Agent;

/// A page's text with the escapes of values (`/` and `&`) undone.
fn plain(page: &str) -> String {
    page.replace("&#x2f;", "/").replace("&amp;", "&")
}

fn upload_list(admin: &mut Agent, rows: &str) -> scwres::serve::client::Answer {
    let csrf = admin.csrf("/admin/people/list").unwrap();
    admin
        .upload(
            "/admin/people/list",
            &[("csrf", &csrf)],
            "people.csv",
            rows.as_bytes(),
        )
        .unwrap()
}

#[test]
fn the_dashboard_filters_sorts_and_downloads() {
    let s = Service::start();
    s.uploaded_and_signed_off(&s.signer_a, A);
    let mut admin = s.signed_in(&s.admin);
    let all = admin.get("/admin").unwrap().text();
    assert!(all.contains("Every council in the register"), "{all}");
    // By status: only A is signed off.
    let signed = admin.get("/admin?status=signed_off").unwrap().text();
    assert!(signed.contains("Showing 1 of"), "{signed}");
    assert!(
        signed.contains(&format!("/admin/councils/{A}\"")),
        "{signed}"
    );
    assert!(
        !signed.contains(&format!("/admin/councils/{B}\"")),
        "{signed}"
    );
    // By search, on name or code, any case.
    let found = admin.get("/admin?q=stockton").unwrap().text();
    assert!(
        found.contains("Showing 1 of") && found.contains(B),
        "{found}"
    );
    let found = admin
        .get(&format!("/admin?q={}", A.to_lowercase()))
        .unwrap()
        .text();
    assert!(
        found.contains("Showing 1 of") && found.contains(A),
        "{found}"
    );
    // By region, and sorted by status (signed off first).
    let ne = plain(
        &admin
            .get("/admin?region=North+East&sort=status")
            .unwrap()
            .text(),
    );
    let first_row = ne
        .split("<tbody>")
        .nth(1)
        .unwrap()
        .split("</tr>")
        .next()
        .unwrap();
    assert!(
        first_row.contains(A),
        "A, signed off, comes first: {first_row}"
    );
    assert!(
        ne.contains(
            "aria-sort=\"ascending\"><a href=\"/admin?status=&region=North+East&q=&sort=status\""
        ),
        "{ne}"
    );
    // The CSV is the filtered rows.
    let r = admin.get("/admin/councils.csv?status=signed_off").unwrap();
    assert_eq!(r.status, 200);
    let text = r.text();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].starts_with("code,name,region,status"), "{text}");
    assert!(
        lines[1].starts_with(&format!("{A},Redcar and Cleveland,North East,signed_off")),
        "{text}"
    );
    let every = admin.get("/admin/councils.csv").unwrap().text();
    assert!(every.lines().count() > 150, "every council of the register");
}

#[test]
fn the_team_reads_a_councils_version_in_the_browser() {
    let s = Service::start();
    let mut sub = s.signed_in(&s.submitter_a);
    let bad = s
        .return_csv(A)
        .replacen(",adults,shortlisted,,", ",adults,shortlisted,,x", 1);
    s.upload(&mut sub, "bad.csv", bad.as_bytes());
    s.upload(&mut sub, "good.csv", s.return_csv(A).as_bytes());
    let mut admin = s.signed_in(&s.admin);
    let council = admin.get(&format!("/admin/councils/{A}")).unwrap().text();
    assert!(
        council.contains(&format!("href=\"/admin/councils/{A}/versions/1\"")),
        "{council}"
    );
    let v1 = admin
        .get(&format!("/admin/councils/{A}/versions/1"))
        .unwrap();
    assert_eq!(v1.status, 200);
    let v1 = plain(&v1.text());
    assert!(v1.contains("Version 1: 1 error to fix"), "{v1}");
    assert!(
        !v1.contains("Upload a corrected return"),
        "no council action for the team: {v1}"
    );
    assert!(
        v1.contains(&format!("/admin/councils/{A}/versions/1/problems.csv")),
        "{v1}"
    );
    let csv = admin
        .get(&format!("/admin/councils/{A}/versions/1/problems.csv"))
        .unwrap();
    assert!(csv.text().contains("error"), "{}", csv.text());
    let v2 = admin
        .get(&format!("/admin/councils/{A}/versions/2"))
        .unwrap()
        .text();
    // Beside this year's figures, the council's own of the year before.
    assert!(v2.contains(">Yours, 2024</th>"), "{v2}");
    assert!(
        v2.contains("Version 2: no errors") && v2.contains("Relative likelihood"),
        "{v2}"
    );
    // A council never reaches the team's addresses.
    assert_eq!(
        sub.get(&format!("/admin/councils/{A}/versions/1"))
            .unwrap()
            .status,
        403
    );
}

#[test]
fn many_people_are_invited_from_a_list_or_none_with_every_problem() {
    let sink = SmtpSink::start();
    let s = Service::start_with(Some(sink.relay()));
    let mut admin = s.signed_in(&s.admin);
    let people = |s: &Service| -> i64 {
        rusqlite::Connection::open(s.db_path())
            .unwrap()
            .query_row("SELECT COUNT(*) FROM person", [], |r| r.get(0))
            .unwrap()
    };
    let before = people(&s);
    // Every bad row reported; nobody invited.
    let r = upload_list(
        &mut admin,
        "email,role,council\n\
         ok@a.example.org,submitter,E06000003\n\
         not-an-address,submitter,E06000003\n\
         x@a.example.org,admin,E06000003\n\
         y@a.example.org,signer,E99999999\n\
         ok@a.example.org,signer,E06000004\n",
    );
    assert_eq!(r.status, 400);
    let page = r.text();
    for p in [
        "line 3: &quot;not-an-address&quot; is not an email address",
        "line 4: the role &quot;admin&quot; is not one of",
        "line 5: &quot;E99999999&quot; is not a council code",
        "line 6: ok@a.example.org is on line 2 too",
    ] {
        assert!(page.contains(p), "{p} in {page}");
    }
    assert_eq!(people(&s), before, "nobody invited");
    // Already invited: said, nobody invited.
    let r = upload_list(&mut admin, &format!("{},submitter,{A}\n", s.submitter_a));
    assert_eq!(r.status, 409);
    assert_eq!(people(&s), before);
    // A good list: everyone invited, each emailed their invitation.
    let r = upload_list(
        &mut admin,
        "one@a.example.org, submitter, E06000003\r\ntwo@b.example.org, Senior officer, E06000004\r\n",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("2 people invited"), "{}", r.text());
    assert_eq!(people(&s), before + 2);
    let mails = sink.wait_for(2);
    assert!(
        mails
            .iter()
            .any(|m| m.rcpt.iter().any(|r| r.contains("two@b.example.org"))
                && m.data.contains("sign off the return for Stockton-on-Tees")),
        "{mails:?}"
    );
}

/// A return the same as last year's raises a query: the council answers
/// it before sign-off, and the team reads the answer.
#[test]
fn a_query_is_answered_before_sign_off_and_the_team_reads_it() {
    let s = Service::start();
    let mut boss = s.signed_in(&s.signer_a);
    // Last year's figures unchanged (the demo's 2024 return as 2025's).
    let same = s.same_as_last_year(A);
    s.upload(&mut boss, "same.csv", same.as_bytes());
    let tasks = boss.get("/council").unwrap().text();
    assert!(
        tasks.contains("Queries to answer") && tasks.contains("1 query"),
        "{tasks}"
    );
    let page = boss.get("/council/versions/1").unwrap().text();
    assert!(
        page.contains("Queries (1)") && page.contains("the same as your 2024 return"),
        "{page}"
    );
    // Sign-off waits for the answer.
    let csrf = boss.csrf("/council").unwrap();
    let sign = |boss: &mut Agent| {
        boss.post(
            "/council/sign-off",
            &[
                ("csrf", &csrf),
                ("version", "1"),
                ("name", "Dana Officer"),
                ("confirm", "yes"),
            ],
        )
        .unwrap()
    };
    let r = sign(&mut boss);
    assert_eq!(r.status, 409);
    assert!(
        r.text().contains("queries without an answer"),
        "{}",
        r.text()
    );
    // An empty answer, then one too long (kept as typed), then a good one.
    let r = boss
        .post(
            "/council/versions/1/answers",
            &[("csrf", &csrf), ("q0", "  ")],
        )
        .unwrap();
    assert_eq!(r.status, 400);
    assert!(
        r.text().contains("Write an answer to at least one query"),
        "{}",
        r.text()
    );
    let long = "word ".repeat(300);
    let r = boss
        .post(
            "/council/versions/1/answers",
            &[("csrf", &csrf), ("q0", &long)],
        )
        .unwrap();
    assert_eq!(r.status, 400);
    assert!(
        r.text().contains("up to 1,000 characters") && r.text().contains("word word"),
        "{}",
        r.text()
    );
    let why = "Our workforce did not change: the same teams and the same people as last year.";
    let r = boss
        .post(
            "/council/versions/1/answers",
            &[("csrf", &csrf), ("q0", why)],
        )
        .unwrap();
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(sign(&mut boss).status, 200);
    // The team reads the query and its answer with the version.
    let mut admin = s.signed_in(&s.admin);
    let v = admin
        .get(&format!("/admin/councils/{A}/versions/1"))
        .unwrap()
        .text();
    assert!(
        v.contains("Our workforce did not change") && v.contains(&s.signer_a),
        "{v}"
    );
    // Answers no longer change once signed off.
    let r = boss
        .post(
            "/council/versions/1/answers",
            &[("csrf", &csrf), ("q0", "changed")],
        )
        .unwrap();
    assert_eq!(r.status, 400);
    assert!(r.text().contains("signed off"), "{}", r.text());
}
