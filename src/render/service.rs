//! The collection service's pages: the HTML templates of
//! `report-templates/service/`, every value HTML-escaped by minijinja
//! (autoescape for `.html`), undefined values an error. Pure: a page's
//! data in, its HTML out.

use minijinja::{AutoEscape, Environment, Value};
use std::sync::LazyLock;

/// The service's pages and the one stylesheet they share.
const TEMPLATES: &[(&str, &str)] = &[
    (
        "_layout.html",
        include_str!("../../report-templates/service/_layout.html"),
    ),
    (
        "_macros.html",
        include_str!("../../report-templates/service/_macros.html"),
    ),
    (
        "start.html",
        include_str!("../../report-templates/service/start.html"),
    ),
    (
        "info.html",
        include_str!("../../report-templates/service/info.html"),
    ),
    (
        "sign_in.html",
        include_str!("../../report-templates/service/sign_in.html"),
    ),
    (
        "message.html",
        include_str!("../../report-templates/service/message.html"),
    ),
    (
        "confirm_sign_in.html",
        include_str!("../../report-templates/service/confirm_sign_in.html"),
    ),
    (
        "tasks.html",
        include_str!("../../report-templates/service/tasks.html"),
    ),
    (
        "upload.html",
        include_str!("../../report-templates/service/upload.html"),
    ),
    (
        "extract.html",
        include_str!("../../report-templates/service/extract.html"),
    ),
    (
        "version.html",
        include_str!("../../report-templates/service/version.html"),
    ),
    (
        "sign_off.html",
        include_str!("../../report-templates/service/sign_off.html"),
    ),
    (
        "admin.html",
        include_str!("../../report-templates/service/admin.html"),
    ),
    (
        "council.html",
        include_str!("../../report-templates/service/council.html"),
    ),
    (
        "invite.html",
        include_str!("../../report-templates/service/invite.html"),
    ),
    (
        "audit.html",
        include_str!("../../report-templates/service/audit.html"),
    ),
    (
        "releases.html",
        include_str!("../../report-templates/service/releases.html"),
    ),
    (
        "release.html",
        include_str!("../../report-templates/service/release.html"),
    ),
    (
        "plan.html",
        include_str!("../../report-templates/service/plan.html"),
    ),
    (
        "invite_many.html",
        include_str!("../../report-templates/service/invite_many.html"),
    ),
    (
        "notices.txt",
        include_str!("../../report-templates/service/notices.txt"),
    ),
];

/// The stylesheet every page links to.
pub const CSS: &str = include_str!("../../report-templates/service/service.css");

static ENV: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    env.add_filter("when", |t: i64| when(t));
    env.add_filter("rl", |v: Value| match f64::try_from(v) {
        Ok(x) => format!("{x:.2}"),
        Err(_) => String::new(),
    });
    env.add_filter("count", |v: Value| match u64::try_from(v) {
        Ok(n) => crate::format::thousands(n as i64),
        Err(_) => String::new(),
    });
    for (name, src) in TEMPLATES {
        env.add_template(name, src)
            .expect("service templates parse");
    }
    env
});

/// Renders a page.
pub fn page(template: &str, ctx: &impl serde::Serialize) -> Result<String, String> {
    let t = ENV.get_template(template).map_err(|e| e.to_string())?;
    t.render(minijinja::value::Serde(ctx))
        .map_err(|e| format!("template {template}: {}", super::error_chain(&e)))
}

/// An email notice of `notices.txt` (its context names the `kind`): the
/// subject (the first line) and the message.
pub fn notice(ctx: &impl serde::Serialize) -> Result<(String, String), String> {
    let text = page("notices.txt", ctx)?;
    let (subject, body) = text.split_once('\n').unwrap_or((&text, ""));
    let subject = subject.trim();
    if subject.is_empty() || subject.chars().any(char::is_control) {
        return Err(format!("notices.txt: no subject line made ({subject:?})"));
    }
    Ok((
        subject.to_string(),
        body.trim_start_matches('\n').to_string(),
    ))
}

/// Seconds since 1970 as `6 December 2026, 14:05 UTC`.
pub fn when(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let (y, m, d) = crate::format::civil_date(days);
    let date = crate::config::Date {
        year: y as i32,
        month: m as u8,
        day: d as u8,
    };
    format!(
        "{}, {:02}:{:02} UTC",
        date.long(),
        secs / 3600,
        secs % 3600 / 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_are_civil() {
        assert_eq!(super::when(0), "1 January 1970, 00:00 UTC");
        assert_eq!(super::when(1_796_524_200), "6 December 2026, 02:30 UTC");
        assert_eq!(super::when(951_782_400), "29 February 2000, 00:00 UTC");
    }
}
