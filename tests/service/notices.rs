//! What the service tells people, and when it takes a return: email
//! notices through the outbox to a local SMTP server (ready for sign-off,
//! receipt, reopened with the reason, reminders once a day, invitations),
//! the reopened banner, the collection window, every form error at once,
//! revoking that asks first, `aria-current`, and the sign-in page without
//! mail.

use crate::support::*;
use scwres::config::{Collection, Date};

/// The messages sent to `to` so far, each its whole text.
fn to(mails: &[Mail], who: &str) -> Vec<String> {
    mails
        .iter()
        .filter(|m| m.rcpt.iter().any(|r| r.contains(who)))
        .map(|m| m.data.clone())
        .collect()
}

fn outbox_rows(s: &Service) -> i64 {
    let c = rusqlite::Connection::open(s.db_path()).unwrap();
    c.query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn notices_reach_the_right_people_in_the_background() {
    let sink = SmtpSink::start();
    let s = Service::start_in(demo_data(), Some(sink.relay()), |app| {
        app.config.collection.due = Date::parse("2099-06-30");
    });
    // A clean upload by the submitter: the senior officer is asked to sign.
    let mut sub = s.signed_in(&s.submitter_a);
    let r = s.upload(&mut sub, "a.csv", s.return_csv(A).as_bytes());
    assert_eq!(r.status, 303, "{}", r.text());
    let mails = sink.wait_for(1);
    let ready = to(&mails, &s.signer_a);
    assert_eq!(ready.len(), 1, "{mails:?}");
    assert!(ready[0].contains("ready for sign-off"), "{}", ready[0]);
    assert!(ready[0].contains("due by 30 June 2099"), "{}", ready[0]);
    assert!(to(&mails, &s.submitter_a).is_empty(), "not the uploader");
    // The workbook's cover says when the return is due.
    let xlsx = sub.get("/council/workbook.xlsx").unwrap().body;
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    use calamine::Reader as _;
    let cover = wb.worksheet_range("Cover").unwrap();
    assert_eq!(
        cover.get_value((1, 0)).map(|c| c.to_string()),
        Some("Due by 30 June 2099.".to_string())
    );
    // Sign-off: a receipt to everyone of the council, with what comes next.
    let mut signer = s.signed_in(&s.signer_a);
    let csrf = signer.csrf("/council").unwrap();
    let r = signer
        .post(
            "/council/sign-off",
            &[
                ("csrf", &csrf),
                ("version", "1"),
                ("name", "Dana Officer"),
                ("confirm", "yes"),
            ],
        )
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    let mails = sink.wait_for(3);
    for who in [&s.submitter_a, &s.signer_a] {
        let receipt: Vec<_> = to(&mails, who)
            .into_iter()
            .filter(|m| m.contains("Receipt"))
            .collect();
        assert_eq!(receipt.len(), 1, "{who}: {mails:?}");
        assert!(receipt[0].contains("Dana Officer") && receipt[0].contains("What happens next"));
    }
    // Reopened, with the reason: by email and on the task list.
    let reason = "The adults' headcount looks doubled: please check row 14";
    let mut admin = s.signed_in(&s.admin);
    let csrf = admin.csrf("/admin").unwrap();
    let r = admin
        .post(
            &format!("/admin/councils/{A}/reopen"),
            &[("csrf", &csrf), ("reason", reason)],
        )
        .unwrap();
    assert_eq!(r.status, 303, "{}", r.text());
    let mails = sink.wait_for(5);
    for who in [&s.submitter_a, &s.signer_a] {
        assert!(
            to(&mails, who)
                .iter()
                .any(|m| m.contains("has been reopened") && m.contains(reason)),
            "{who}: {mails:?}"
        );
    }
    let tasks = sub.get("/council").unwrap().text();
    assert!(tasks.contains("reopened your return"), "{tasks}");
    assert!(
        tasks.contains("Their reason: The adults&#x27; headcount looks doubled"),
        "{tasks}"
    );
    // Reminders: to everyone of each council not signed off (A reopened,
    // and every other council with people: B), at most once a day.
    let r = admin.post("/admin/reminders", &[("csrf", &csrf)]).unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    let mails = sink.wait_for(9);
    for who in [&s.submitter_a, &s.signer_a, &s.submitter_b, &s.signer_b] {
        assert!(
            to(&mails, who)
                .iter()
                .any(|m| m.contains("Reminder") && m.contains("due by 30 June 2099")),
            "{who}: {mails:?}"
        );
    }
    assert!(to(&mails, &s.admin).is_empty(), "the team gets no reminder");
    let before = outbox_rows(&s);
    let r = admin.post("/admin/reminders", &[("csrf", &csrf)]).unwrap();
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(r.text().contains("less than a day ago"), "{}", r.text());
    assert_eq!(outbox_rows(&s), before, "no second round the same day");
    // An invitation says what for, with the link.
    let r = admin
        .post(
            "/admin/people",
            &[
                ("csrf", &csrf),
                ("email", "new.signer@a.example.org"),
                ("role", "signer"),
                ("council", A),
            ],
        )
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    let mails = sink.wait_for(10);
    let invited = to(&mails, "new.signer@a.example.org");
    assert_eq!(invited.len(), 1, "{mails:?}");
    assert!(
        invited[0].contains("invited you")
            && invited[0].contains("sign off the return for Redcar and Cleveland")
            && invited[0].contains("/sign-in/"),
        "{}",
        invited[0]
    );
}

#[test]
fn the_collection_window_decides_what_is_taken() {
    // Closed in the past: no upload, the dates on every page that names
    // them, every council without a sign-off overdue.
    let s = Service::start_in(demo_data(), None, |app| {
        app.config.collection = Collection {
            opens: Date::parse("2020-01-01"),
            due: Date::parse("2020-01-15"),
            closes: Date::parse("2020-01-31"),
        };
    });
    let mut sub = s.signed_in(&s.submitter_a);
    let r = s.upload(&mut sub, "a.csv", s.return_csv(A).as_bytes());
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(
        r.text()
            .contains("The collection closed on 31 January 2020"),
        "{}",
        r.text()
    );
    assert_eq!(s.versions(A), 0);
    let tasks = sub.get("/council").unwrap().text();
    assert!(
        tasks.contains("due by <strong>15 January 2020</strong>"),
        "{tasks}"
    );
    assert!(tasks.contains("overdue"), "{tasks}");
    let start = scwres::serve::client::Agent::new(s.addr())
        .get("/")
        .unwrap()
        .text();
    assert!(
        start.contains("Returns are due by <strong>15 January 2020</strong>"),
        "{start}"
    );
    let mut admin = s.signed_in(&s.admin);
    let dash = admin.get("/admin").unwrap().text();
    assert!(dash.contains(">Overdue</span>"), "{dash}");
    assert!(
        dash.contains("Returns are due by 15 January 2020"),
        "{dash}"
    );
    drop(s);
    // Not yet open.
    let s = Service::start_in(demo_data(), None, |app| {
        app.config.collection.opens = Date::parse("2099-04-01");
    });
    let mut sub = s.signed_in(&s.submitter_a);
    let r = s.upload(&mut sub, "a.csv", s.return_csv(A).as_bytes());
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(
        r.text().contains("The collection opens on 1 April 2099"),
        "{}",
        r.text()
    );
}

#[test]
fn forms_show_every_error_and_revoking_asks_first() {
    let s = Service::start();
    // Sign-off: both problems at once, the name kept.
    let mut signer = s.signed_in(&s.signer_a);
    s.upload(&mut signer, "a.csv", s.return_csv(A).as_bytes());
    let csrf = signer.csrf("/council").unwrap();
    let r = signer
        .post(
            "/council/sign-off",
            &[("csrf", &csrf), ("version", "1"), ("name", "")],
        )
        .unwrap();
    assert_eq!(r.status, 400);
    let page = r.text();
    assert!(
        page.contains("href=\"#name\">Enter your full name")
            && page.contains("href=\"#confirm\">Confirm that the return"),
        "{page}"
    );
    // Invite: all three.
    let mut admin = s.signed_in(&s.admin);
    let csrf = admin.csrf("/admin").unwrap();
    let r = admin
        .post(
            "/admin/people",
            &[
                ("csrf", &csrf),
                ("email", "not an address"),
                ("role", ""),
                ("council", ""),
            ],
        )
        .unwrap();
    assert_eq!(r.status, 400);
    let page = r.text();
    for e in [
        "#email\">Enter an email",
        "#role\">Select what",
        "#council\">Select the person",
    ] {
        assert!(page.contains(e), "{e} in {page}");
    }
    assert!(
        page.contains("value=\"not an address\""),
        "the value is kept: {page}"
    );
    // The navigation says where you are.
    let tasks = signer.get("/council").unwrap().text();
    assert!(
        tasks.contains("href=\"/council\" aria-current=\"page\""),
        "{tasks}"
    );
    let upload = signer.get("/council/upload").unwrap().text();
    assert!(
        upload.contains("href=\"/council\" aria-current=\"true\""),
        "{upload}"
    );
    // Without mail the sign-in page offers no email, and says whom to ask.
    let sign_in = scwres::serve::client::Agent::new(s.addr())
        .get("/sign-in")
        .unwrap()
        .text();
    assert!(!sign_in.contains("Email me a sign-in link"), "{sign_in}");
    assert!(sign_in.contains("mailto:"), "{sign_in}");
}
