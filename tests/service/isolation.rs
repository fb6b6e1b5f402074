//! Nobody sees what is not theirs: signed in as council A, every route of
//! the service is tried with council B's identifiers (its code, version
//! numbers, people, file names). Every answer is a refusal, the same as for
//! something that does not exist (status, body and size), carries nothing
//! of B's, and changes nothing. The table of routes is checked against the
//! routes in the source, so a new route cannot be left out.

use crate::support::*;
use scwres::serve::client::Answer;

/// Every route of the service for signed-in people (a council's and the
/// national team's), from the service's own table
/// (`scwres::serve::route_table`): a route added there is tried here. Its
/// patterns have `{code}`, `{v}` and `{id}` for the identifiers an address
/// carries (`{file}`, `{edition}` are sent as they are).
fn routes() -> Vec<(&'static str, String)> {
    scwres::serve::route_table()
        .into_iter()
        .filter(|(_, _, who)| *who == "council" || *who == "team")
        .map(|(m, p, _)| (m, p.replace("{*file}", "{file}")))
        .collect()
}

#[test]
fn the_table_has_every_kind_of_route() {
    let r = routes();
    assert!(r.len() >= 30, "{r:?}");
    for (m, p) in [
        ("POST", "/council/upload"),
        ("POST", "/council/sign-off"),
        ("GET", "/council/versions/{v}/file"),
        ("POST", "/admin/councils/{code}/reopen"),
        ("POST", "/admin/people/{id}/revoke"),
        ("GET", "/admin/releases/{v}/files/{file}"),
    ] {
        assert!(r.iter().any(|(rm, rp)| *rm == m && rp == p), "{m} {p}");
    }
}

struct World {
    s: Service,
    b_person: i64,
    b_file: String,
    b_sha: String,
}

fn world() -> World {
    let s = Service::start();
    // B: a bad upload, two good ones, signed off.
    let mut b = s.signed_in(&s.signer_b);
    let good = s.return_csv(B);
    s.upload(
        &mut b,
        "stockton-secret-v1.csv",
        b"authority_code,year\nE06000004,2025\n",
    );
    s.upload(&mut b, "stockton-secret-v2.csv", good.as_bytes());
    s.upload(
        &mut b,
        "stockton-secret-v3.csv",
        bumped(&good, "leavers", 3).as_bytes(),
    );
    let csrf = b.csrf("/council").unwrap();
    let r = b
        .post(
            "/council/sign-off",
            &[
                ("csrf", &csrf),
                ("version", "3"),
                ("name", "Bea Secret"),
                ("confirm", "yes"),
            ],
        )
        .unwrap();
    assert_eq!(r.status, 200);
    // A: one upload.
    let mut a = s.signed_in(&s.submitter_a);
    s.upload(&mut a, "a.csv", s.return_csv(A).as_bytes());
    let b_person = s.person_id(&s.submitter_b);
    let c = rusqlite::Connection::open(s.db_path()).unwrap();
    let b_sha: String = c
        .query_row(
            "SELECT sha256 FROM upload WHERE council = ?1 AND version = 3",
            [B],
            |r| r.get(0),
        )
        .unwrap();
    World {
        s,
        b_person,
        b_file: "stockton-secret".into(),
        b_sha,
    }
}

/// What of B's an answer must not carry.
fn leaks(w: &World, a: &Answer) -> Vec<String> {
    let text = a.text();
    let b_name = "Stockton-on-Tees";
    [
        B,
        b_name,
        &w.b_file,
        &w.b_sha,
        "Bea Secret",
        &w.s.submitter_b,
        &w.s.signer_b,
    ]
    .iter()
    .filter(|x| text.contains(**x))
    .map(|x| x.to_string())
    .collect()
}

#[test]
fn council_a_reaches_nothing_of_council_b() {
    let w = world();
    let s = &w.s;
    let mut a = s.signed_in(&s.submitter_a);
    let csrf = a.csrf("/council").unwrap();
    let state = |s: &Service| {
        let c = rusqlite::Connection::open(s.db_path()).unwrap();
        let q = |sql: &str| -> i64 { c.query_row(sql, [], |r| r.get(0)).unwrap() };
        (
            q("SELECT COUNT(*) FROM upload"),
            q("SELECT COUNT(*) FROM person WHERE revoked_at IS NULL"),
            q("SELECT COUNT(*) FROM sign_off WHERE reopened_at IS NULL"),
            q("SELECT COUNT(*) FROM sign_in_link"),
            q("SELECT COUNT(*) FROM release"),
        )
    };
    let before = state(s);
    let mut tried = 0;
    // Every GET first and the upload last: A's own versions stay fewer
    // than B's, so B's version numbers name nothing of A's.
    let all = routes();
    let mut order: Vec<&(&str, String)> = all.iter().collect();
    order.sort_by_key(|(m, p)| (*m != "GET", p.ends_with("/upload") || p.contains("/plan")));
    for (method, pattern) in order {
        // B's identifiers, and ones that exist for nobody: the answers must
        // be the same.
        let fill = |code: &str, v: &str, id: &str| {
            pattern
                .replace("{code}", code)
                .replace("{v}", v)
                .replace("{id}", id)
        };
        let b_id = w.b_person.to_string();
        let cases = [
            fill(B, "3", &b_id),
            fill(B, "2", &b_id),
            fill("E99999999", "999", "999999"),
        ];
        let mut answers = Vec::new();
        for path in &cases {
            let r = match *method {
                "GET" => a.get(path).unwrap(),
                _ if path.ends_with("/upload") => a
                    .upload(
                        path,
                        &[("csrf", &csrf), ("council", B)],
                        "x.csv",
                        s.return_csv(A).as_bytes(),
                    )
                    .unwrap(),
                _ => a
                    .post(
                        path,
                        &[
                            ("csrf", &csrf),
                            ("council", B),
                            ("version", "3"),
                            ("reason", "x"),
                            ("email", "evil@example.org"),
                            ("role", "admin"),
                            ("name", "Evil"),
                            ("confirm", "yes"),
                        ],
                    )
                    .unwrap(),
            };
            let leaked = leaks(&w, &r);
            assert!(leaked.is_empty(), "{method} {path} carries B's {leaked:?}");
            answers.push((path.clone(), r));
            tried += 1;
        }
        // The routes of A's own pages answer about A; B's identifiers in an
        // address are not found exactly as missing ones are.
        if pattern.contains('{') || pattern.starts_with("/admin") {
            let (p0, r0) = &answers[0];
            for (p, r) in &answers[1..] {
                assert!(
                    r0.status == 403 || r0.status == 404,
                    "{method} {p0}: {}",
                    r0.status
                );
                assert_eq!(r0.status, r.status, "{method} {p0} against {p}");
                assert_eq!(
                    r0.body.len(),
                    r.body.len(),
                    "{method} {p0} against {p}: sizes"
                );
                assert_eq!(r0.text(), r.text(), "{method} {p0} against {p}");
            }
        }
    }
    assert!(tried >= 3 * all.len());
    // Nothing of B's changed, nobody was invited or revoked.
    let after = state(s);
    assert_eq!(before.1, after.1, "people");
    assert_eq!(before.2, after.2, "sign-offs");
    assert_eq!(before.3, after.3, "links");
    assert_eq!(before.4, after.4, "releases");
    let c = rusqlite::Connection::open(s.db_path()).unwrap();
    let b_versions: i64 = c
        .query_row("SELECT COUNT(*) FROM upload WHERE council = ?1", [B], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(b_versions, 3);
    // B's return uploaded by A is A's version, refused as another council's.
    let r = s.upload(&mut a, "b.csv", s.return_csv(B).as_bytes());
    let page = a.get(r.header("location").unwrap()).unwrap().text();
    assert!(
        page.contains("this return is for another council"),
        "{page}"
    );
}

#[test]
fn the_query_string_and_form_fields_cannot_choose_a_council() {
    let w = world();
    let s = &w.s;
    let mut a = s.signed_in(&s.submitter_a);
    for path in [
        "/council?council=E06000004",
        "/council/versions/1?code=E06000004",
        "/council/sign-off?council=E06000004",
    ] {
        let r = a.get(path).unwrap();
        assert_eq!(r.status, 200, "{path}");
        assert!(leaks(&w, &r).is_empty(), "{path}");
        assert!(
            r.text().contains("Redcar and Cleveland"),
            "{path} is A's page"
        );
    }
    // Addresses built to escape: refused as not found.
    for path in [
        "/council/versions/-1",
        "/council/versions/1%20OR%201=1",
        "/council/versions/99999999999999999999",
        "/council/../admin",
        "/council/versions/%2e%2e/file",
        "/admin%2fcouncils",
    ] {
        let r = a.get(path).unwrap();
        assert!(matches!(r.status, 403 | 404), "{path}: {}", r.status);
        assert!(leaks(&w, &r).is_empty(), "{path}");
    }
}

#[test]
fn signed_out_every_route_sends_to_sign_in_and_says_nothing() {
    let w = world();
    let s = &w.s;
    let mut anon = scwres::serve::client::Agent::new(s.addr());
    for (method, pattern) in &routes() {
        let path = pattern
            .replace("{code}", B)
            .replace("{v}", "3")
            .replace("{id}", &w.b_person.to_string());
        let r = if *method == "GET" {
            anon.get(&path).unwrap()
        } else {
            anon.post(&path, &[]).unwrap()
        };
        assert_eq!(r.status, 303, "{method} {path}");
        assert_eq!(r.header("location"), Some("/sign-in"), "{method} {path}");
        assert!(r.body.is_empty(), "{method} {path}");
    }
}
