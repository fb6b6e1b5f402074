//! Every route of the service in one table: its method and path, who may
//! use it, and what body it takes. `routes::dispatch` reads it: who may use
//! a route, and for a change (every POST) the `Origin` and the session's
//! CSRF token, are checked there, once, before any handler runs; the body
//! limit is read from it before the body is (`routes::admit`). The
//! isolation test tries every route of this table (`serve::route_table`).

use super::db::DbError;
use super::http::{Request, Response};
use super::ids::{CouncilCode, PersonId, Version};
use super::routes::{Session, not_found};
use super::{
    App, admin, council, dashboard, extract, internal, invite_many, own_report, plans, queries,
    releases, routes,
};

/// Who may use a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// Anyone, signed in or not (a change still needs this service's own
    /// `Origin`).
    Anyone,
    /// Anyone signed in.
    Signed,
    /// A council's people (submitters and senior officers), on their own
    /// council only: the council is always the session's.
    Council,
    /// The national team.
    Team,
}

/// The body a route takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Body {
    /// A form (`application/x-www-form-urlencoded`), at most a few KB; none
    /// for a GET.
    Form,
    /// A file upload (`multipart/form-data`), up to the largest workbook:
    /// a council's return or plan to check, heavy work of its own.
    Upload,
    /// A form whose answer typesets the council's report again (a plan's
    /// action added, changed or removed): heavy work of the council's.
    Typeset,
    /// A small file from the national team (its list of people to invite).
    List,
}

impl Body {
    /// Whether the body is a form (else a file upload).
    pub fn is_form(self) -> bool {
        matches!(self, Body::Form | Body::Typeset)
    }
}

/// What a handler is given: the session (always there for a route that
/// needs one), the path's values in order, and a form's fields.
pub struct Call<'a> {
    pub session: Option<&'a Session>,
    pub args: Vec<String>,
    pub form: Vec<(String, String)>,
}

impl Call<'_> {
    /// The session of a route that needs one.
    pub fn s(&self) -> &Session {
        self.session
            .expect("a route for signed-in people has a session")
    }

    /// The session's council (a council's route).
    pub fn code(&self) -> CouncilCode {
        self.s()
            .person
            .council
            .clone()
            .expect("a council's route has a council's session")
    }

    pub fn arg(&self, i: usize) -> &str {
        self.args.get(i).map_or("", String::as_str)
    }

    /// A form field as sent (empty when missing).
    pub fn form_raw(&self, k: &str) -> String {
        self.form
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// A form field, trimmed (empty when missing).
    pub fn field(&self, k: &str) -> String {
        self.form
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    }
}

pub type Run = fn(&App, &Request, &Call) -> Result<Response, DbError>;

/// One route: `path` has `{name}` for one segment and `{*name}` (last) for
/// the rest of the path, empty included.
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub who: Who,
    pub body: Body,
    pub run: Run,
}

const fn route(method: &'static str, path: &'static str, who: Who, body: Body, run: Run) -> Route {
    Route {
        method,
        path,
        who,
        body,
        run,
    }
}

use Body::{Form, List, Typeset, Upload};
use Who::{Anyone, Council, Signed, Team};

/// A council's code from the path, if it is in the register.
fn council_of(app: &App, c: &Call, i: usize) -> Option<CouncilCode> {
    app.council(c.arg(i))
}

pub static ROUTES: &[Route] = &[
    route("GET", "/", Anyone, Form, |app, _, c| {
        Ok(routes::start(app, c.session))
    }),
    route("GET", "/assets/service.css", Anyone, Form, |_, _, _| {
        Ok(routes::css())
    }),
    route("GET", "/assets/extract.js", Anyone, Form, |_, _, _| {
        Ok(extract::script())
    }),
    route(
        "GET",
        "/assets/extract-worker.js",
        Anyone,
        Form,
        |_, _, _| Ok(extract::worker()),
    ),
    route("GET", "/assets/extract.wasm", Anyone, Form, |app, _, c| {
        Ok(extract::module(app, c.session))
    }),
    route("GET", "/sign-in", Anyone, Form, |app, _, c| {
        Ok(routes::sign_in_page(app, c.session))
    }),
    route("GET", "/help", Anyone, Form, |app, _, c| {
        Ok(routes::info(app, c.session, "help", "Help and contact"))
    }),
    route("GET", "/accessibility", Anyone, Form, |app, _, c| {
        Ok(routes::info(
            app,
            c.session,
            "accessibility",
            "Accessibility statement",
        ))
    }),
    route("GET", "/privacy", Anyone, Form, |app, _, c| {
        Ok(routes::info(app, c.session, "privacy", "Privacy notice"))
    }),
    route("GET", "/cookies", Anyone, Form, |app, _, c| {
        Ok(routes::info(app, c.session, "cookies", "Cookies"))
    }),
    route("POST", "/sign-in", Anyone, Form, |app, req, c| {
        Ok(routes::request_link(app, req, c.session, &c.field("email")))
    }),
    route("GET", "/sign-in/{token}", Anyone, Form, |app, req, c| {
        Ok(routes::confirm_sign_in(app, req, c.session, c.arg(0)))
    }),
    route("POST", "/sign-in/{token}", Anyone, Form, |app, req, c| {
        Ok(routes::sign_in(app, req, c.arg(0)))
    }),
    route("POST", "/sign-out", Signed, Form, |app, _, c| {
        routes::sign_out(app, c.s())
    }),
    route("GET", "/releases/{year}", Anyone, Form, |app, _, c| {
        Ok(releases::public(app, c.session, c.arg(0), &[]))
    }),
    route(
        "GET",
        "/releases/{year}/{*path}",
        Anyone,
        Form,
        |app, _, c| {
            let path: Vec<&str> = c.arg(1).split('/').collect();
            Ok(releases::public(app, c.session, c.arg(0), &path))
        },
    ),
    // A council's pages.
    route("GET", "/council", Council, Form, |app, _, c| {
        council::tasks(app, c.s(), &c.code())
    }),
    route(
        "GET",
        "/council/workbook.xlsx",
        Council,
        Form,
        |app, _, c| council::workbook(app, &c.code()),
    ),
    route("GET", "/council/extract", Council, Form, |app, _, c| {
        Ok(extract::page_for(app, c.s(), &c.code()))
    }),
    route(
        "POST",
        "/council/extract/workbook",
        Council,
        Form,
        |app, _, c| {
            Ok(extract::workbook(
                app,
                c.s(),
                &c.code(),
                &c.form_raw("return"),
            ))
        },
    ),
    route("GET", "/council/upload", Council, Form, |app, _, c| {
        Ok(council::upload_form(app, c.s(), 200, None))
    }),
    route("POST", "/council/upload", Council, Upload, |app, req, c| {
        council::upload(app, req, c.s(), &c.code())
    }),
    route(
        "GET",
        "/council/versions/{v}",
        Council,
        Form,
        |app, _, c| {
            let code = c.code();
            council::with_version(app, c.s(), &code, c.arg(0), |u| {
                council::version(app, c.s(), &code, u)
            })
        },
    ),
    route(
        "POST",
        "/council/versions/{v}/answers",
        Council,
        Form,
        |app, _, c| {
            let code = c.code();
            council::with_version(app, c.s(), &code, c.arg(0), |u| {
                queries::answer(app, c.s(), &code, u, &c.form)
            })
        },
    ),
    route(
        "GET",
        "/council/versions/{v}/problems.csv",
        Council,
        Form,
        |app, _, c| {
            let code = c.code();
            council::with_version(app, c.s(), &code, c.arg(0), |u| {
                council::problems_csv(&code, u)
            })
        },
    ),
    route(
        "GET",
        "/council/versions/{v}/file",
        Council,
        Form,
        |app, _, c| {
            let code = c.code();
            council::with_version(app, c.s(), &code, c.arg(0), |u| {
                council::version_file(app, &code, u)
            })
        },
    ),
    route("GET", "/council/sign-off", Council, Form, |app, _, c| {
        council::sign_off_form(
            app,
            c.s(),
            &c.code(),
            200,
            &[],
            &[("name", ""), ("confirm", "")],
        )
    }),
    route("POST", "/council/sign-off", Council, Form, |app, _, c| {
        council::sign_off(app, c.s(), &c.code(), &c.form)
    }),
    route(
        "GET",
        "/council/report/internal/{file}",
        Council,
        Form,
        |app, _, c| {
            Ok(internal::council_internal_file(
                app,
                c.s(),
                &c.code(),
                c.arg(0),
            ))
        },
    ),
    route(
        "GET",
        "/council/report/{file}",
        Council,
        Form,
        |app, _, c| Ok(own_report::council_file(app, c.s(), &c.code(), c.arg(0))),
    ),
    route("GET", "/council/files.zip", Council, Form, |app, _, c| {
        own_report::council_zip(app, c.s(), &c.code())
    }),
    route("GET", "/council/plan", Council, Form, |app, _, c| {
        plans::show(app, c.s(), &c.code(), 200, &[], &[], None)
    }),
    route("POST", "/council/plan", Council, Upload, |app, req, c| {
        plans::upload(app, req, c.s(), &c.code())
    }),
    route(
        "POST",
        "/council/plan/action",
        Council,
        Typeset,
        |app, _, c| plans::add_action(app, c.s(), &c.code(), &c.form),
    ),
    route(
        "GET",
        "/council/plan/action/{n}",
        Council,
        Form,
        |app, _, c| plans::change_form(app, c.s(), &c.code(), c.arg(0)),
    ),
    route(
        "POST",
        "/council/plan/action/{n}",
        Council,
        Typeset,
        |app, _, c| plans::change_action(app, c.s(), &c.code(), c.arg(0), &c.form),
    ),
    route(
        "GET",
        "/council/plan/action/{n}/remove",
        Council,
        Form,
        |app, _, c| plans::remove_action(app, c.s(), &c.code(), c.arg(0), false),
    ),
    route(
        "POST",
        "/council/plan/action/{n}/remove",
        Council,
        Typeset,
        |app, _, c| {
            plans::remove_action(app, c.s(), &c.code(), c.arg(0), c.field("confirm") == "yes")
        },
    ),
    route(
        "GET",
        "/council/plan/{v}/{edition}/{file}",
        Council,
        Form,
        |app, _, c| plans::file(app, c.s(), &c.code(), c.arg(0), c.arg(1), c.arg(2)),
    ),
    // The national team's pages.
    route("GET", "/admin", Team, Form, |app, req, c| {
        dashboard::councils(app, c.s(), &req.query)
    }),
    route("GET", "/admin/councils.csv", Team, Form, |app, req, _| {
        dashboard::councils_csv(app, &req.query)
    }),
    route(
        "GET",
        "/admin/councils/{code}",
        Team,
        Form,
        |app, _, c| match council_of(app, c, 0) {
            Some(code) => admin::council(app, c.s(), &code, None),
            None => Ok(not_found(app, c.session)),
        },
    ),
    route(
        "GET",
        "/admin/councils/{code}/versions/{v}",
        Team,
        Form,
        |app, _, c| match council_of(app, c, 0) {
            Some(code) => council::with_version(app, c.s(), &code, c.arg(1), |u| {
                council::version_for(app, c.s(), &code, u, true)
            }),
            None => Ok(not_found(app, c.session)),
        },
    ),
    route(
        "GET",
        "/admin/councils/{code}/versions/{v}/problems.csv",
        Team,
        Form,
        |app, _, c| match council_of(app, c, 0) {
            Some(code) => council::with_version(app, c.s(), &code, c.arg(1), |u| {
                council::problems_csv(&code, u)
            }),
            None => Ok(not_found(app, c.session)),
        },
    ),
    route(
        "GET",
        "/admin/councils/{code}/versions/{v}/file",
        Team,
        Form,
        |app, _, c| match (council_of(app, c, 0), c.arg(1).parse::<i64>()) {
            (Some(code), Ok(v)) => admin::version_file(app, c.s(), &code, Version(v)),
            _ => Ok(not_found(app, c.session)),
        },
    ),
    route(
        "POST",
        "/admin/councils/{code}/reopen",
        Team,
        Form,
        |app, _, c| match council_of(app, c, 0) {
            Some(code) => admin::reopen(app, c.s(), &code, &c.field("reason")),
            None => Ok(not_found(app, c.session)),
        },
    ),
    route("GET", "/admin/people/new", Team, Form, |app, _, c| {
        Ok(admin::invite_form(
            app,
            c.s(),
            200,
            &[],
            &[("email", ""), ("role", ""), ("council", "")],
        ))
    }),
    route("POST", "/admin/people", Team, Form, |app, _, c| {
        admin::invite(
            app,
            c.s(),
            &c.field("email"),
            &c.field("role"),
            &c.field("council"),
        )
    }),
    route(
        "POST",
        "/admin/people/{id}/link",
        Team,
        Form,
        |app, _, c| match c.arg(0).parse() {
            Ok(id) => admin::person_action(app, c.s(), PersonId(id), "link", false),
            Err(_) => Ok(not_found(app, c.session)),
        },
    ),
    route(
        "GET",
        "/admin/people/{id}/revoke",
        Team,
        Form,
        |app, _, c| match c.arg(0).parse() {
            Ok(id) => admin::person_action(app, c.s(), PersonId(id), "revoke", false),
            Err(_) => Ok(not_found(app, c.session)),
        },
    ),
    route("GET", "/admin/people/list", Team, Form, |app, _, c| {
        Ok(invite_many::form(app, c.s(), 200, &[], ""))
    }),
    route("POST", "/admin/people/list", Team, List, |app, req, c| {
        invite_many::invite(app, req, c.s())
    }),
    route("POST", "/admin/reminders", Team, Form, |app, _, c| {
        admin::reminders(app, c.s())
    }),
    route(
        "POST",
        "/admin/people/{id}/revoke",
        Team,
        Form,
        |app, _, c| match c.arg(0).parse() {
            Ok(id) => admin::person_action(
                app,
                c.s(),
                PersonId(id),
                "revoke",
                c.field("confirm") == "yes",
            ),
            Err(_) => Ok(not_found(app, c.session)),
        },
    ),
    route("GET", "/admin/audit", Team, Form, |app, _, c| {
        admin::audit(app, c.s())
    }),
    route("GET", "/admin/export.zip", Team, Form, |app, _, c| {
        admin::export(app, c.s())
    }),
    route("GET", "/admin/releases", Team, Form, |app, _, c| {
        releases::list(app, c.s())
    }),
    route("POST", "/admin/releases", Team, Form, |app, _, c| {
        releases::start(app, c.s(), &c.form)
    }),
    route("GET", "/admin/releases/{v}", Team, Form, |app, _, c| {
        releases::with_release(app, c.s(), c.arg(0), |r| releases::show(app, c.s(), r))
    }),
    route(
        "GET",
        "/admin/releases/{v}/release.zip",
        Team,
        Form,
        |app, _, c| {
            releases::with_release(app, c.s(), c.arg(0), |r| {
                releases::zip_release(app, c.s(), r)
            })
        },
    ),
    route(
        "GET",
        "/admin/releases/{v}/inputs.zip",
        Team,
        Form,
        |app, _, c| {
            releases::with_release(app, c.s(), c.arg(0), |r| {
                releases::zip_inputs(app, c.s(), r)
            })
        },
    ),
    route(
        "GET",
        "/admin/releases/{v}/files/{*file}",
        Team,
        Form,
        |app, _, c| {
            releases::with_release(app, c.s(), c.arg(0), |r| {
                releases::private_file(app, c.s(), r, c.arg(1))
            })
        },
    ),
    route(
        "POST",
        "/admin/releases/{v}/publish",
        Team,
        Form,
        |app, _, c| {
            releases::with_release(app, c.s(), c.arg(0), |r| {
                releases::publish(app, c.s(), r, &c.form)
            })
        },
    ),
];

/// The route for `method` and `path`, with the path's values.
pub fn find(method: &str, path: &str) -> Option<(&'static Route, Vec<String>)> {
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    ROUTES.iter().filter(|r| r.method == method).find_map(|r| {
        let pat: Vec<&str> = r.path.trim_start_matches('/').split('/').collect();
        let mut args = Vec::new();
        for (i, p) in pat.iter().enumerate() {
            if p.starts_with("{*") {
                args.push(segs.get(i..).map(|s| s.join("/")).unwrap_or_default());
                return (segs.len() >= i).then_some((r, args));
            }
            let s = segs.get(i)?;
            if p.starts_with('{') {
                if s.is_empty() {
                    return None;
                }
                args.push((*s).to_string());
            } else if p != s {
                return None;
            }
        }
        (segs.len() == pat.len()).then_some((r, args))
    })
}

#[cfg(test)]
mod tests;
