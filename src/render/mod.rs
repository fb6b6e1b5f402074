//! Render: views in, document bytes out. Report words and layout live in
//! `report-templates/` (minijinja producing typst); this module fills the
//! templates with a view, escaping every value, and typesets the result with
//! the embedded typst compiler. `tables` writes the national tables. It
//! decides nothing about what is shown and writes no file.

mod escape;
mod fit;
pub mod html;
pub mod service;
pub mod tables;
mod world;

pub use world::{Typeset, unprintable};

use minijinja::{AutoEscape, Environment, Error, ErrorKind, State, Value};
use std::sync::LazyLock;

/// The report templates, built into the binary: `.typ` ones make typst
/// (values escaped for typst), `.html` ones web pages (values escaped for
/// HTML); `_phrases.j2` holds the sentences both share, and its macros
/// escape for whichever template calls them.
const TEMPLATES: [(&str, &str); 9] = [
    (
        "_phrases.j2",
        include_str!("../../report-templates/_phrases.j2"),
    ),
    (
        "_base.typ",
        include_str!("../../report-templates/_base.typ"),
    ),
    (
        "national.typ",
        include_str!("../../report-templates/national.typ"),
    ),
    (
        "local.typ",
        include_str!("../../report-templates/local.typ"),
    ),
    (
        "_figures.html",
        include_str!("../../report-templates/_figures.html"),
    ),
    (
        "_base.html",
        include_str!("../../report-templates/_base.html"),
    ),
    (
        "national.html",
        include_str!("../../report-templates/national.html"),
    ),
    (
        "local.html",
        include_str!("../../report-templates/local.html"),
    ),
    (
        "index.html",
        include_str!("../../report-templates/index.html"),
    ),
];

/// A rendered report: its typst source, chart SVGs, typeset PDF and web
/// page.
pub struct Rendered {
    /// File stem, e.g. `national` or `E10000015-hertfordshire`.
    pub name: String,
    pub typst: String,
    pub charts: Vec<(String, Vec<u8>)>,
    pub pdf: Vec<u8>,
    /// The self-contained HTML page.
    pub html: String,
}

static ENV: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".typ") {
            AutoEscape::Custom("typst".into())
        } else if name.ends_with(".html") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    env.set_formatter(|out, state, value| {
        if matches!(state.auto_escape(), AutoEscape::Custom(n) if n == "typst") {
            out.write_str(&typst_markup(value))?;
            Ok(())
        } else {
            minijinja::escape_formatter(out, state, value)
        }
    });
    env.add_filter("str", |v: Value| {
        Value::from_safe_string(escape::string_literal(&display(&v)))
    });
    env.add_filter("num", num);
    env.add_filter("pct", pct);
    env.add_filter("thousands", int);
    env.add_function("chart", html::chart);
    env.add_function(
        "table_rows",
        |rows: Vec<Vec<Value>>, widths_cm: Vec<f64>, size_pt: f64| {
            rows.iter()
                .map(|cells| {
                    // Each cell as the markup the formatter would print.
                    let markup: Vec<String> =
                        cells.iter().map(|v| typst_markup(v).into_owned()).collect();
                    fit_context(fit::row(&markup, &widths_cm, size_pt, false))
                })
                .collect::<Vec<_>>()
        },
    );
    env.add_function(
        "header_lines",
        |titles: Vec<String>, widths_cm: Vec<f64>, size_pt: f64| {
            fit_context(fit::header(&titles, &widths_cm, size_pt))
        },
    );
    for (name, src) in TEMPLATES {
        env.add_template(name, src).expect("report templates parse");
    }
    env
});

/// A value as typst markup: as it is if it is markup already (safe),
/// escaped if not, nothing for none.
fn typst_markup(value: &Value) -> std::borrow::Cow<'_, str> {
    if value.is_safe() {
        value.as_str().unwrap_or_default().into()
    } else if value.is_none() {
        "".into()
    } else {
        escape::markup(&value.to_string()).into()
    }
}

/// A table row from `render::fit` for the templates: its cells (markup,
/// printed as they are), its height, and whether typst breaks its lines.
fn fit_context(row: fit::Row) -> Value {
    let wrap = !row.fixed();
    let cells: Vec<Value> = row.cells.into_iter().map(Value::from_safe_string).collect();
    minijinja::context! { height => Value::from_safe_string(row.height), cells => cells, wrap => wrap }
}

fn display(v: &Value) -> String {
    if v.is_none() || v.is_undefined() {
        String::new()
    } else {
        v.to_string()
    }
}

/// `1.3712|num(2)` is `1.37`; strings (such as `[c]`) pass through; none is
/// an en dash.
fn num(_: &State, v: Value, dp: Option<usize>) -> Result<String, Error> {
    let dp = dp.unwrap_or(2);
    if v.is_none() || v.is_undefined() {
        return Ok("–".into());
    }
    if let Some(s) = v.as_str() {
        return Ok(s.to_string());
    }
    let x = f64::try_from(v)
        .map_err(|_| Error::new(ErrorKind::InvalidOperation, "num expects a number"))?;
    Ok(format!("{x:.dp$}"))
}

/// `0.184|pct` is `18%`.
fn pct(_: &State, v: Value, dp: Option<usize>) -> Result<String, Error> {
    let dp = dp.unwrap_or(0);
    if v.is_none() || v.is_undefined() {
        return Ok("–".into());
    }
    if let Some(s) = v.as_str() {
        return Ok(s.to_string());
    }
    let x = f64::try_from(v)
        .map_err(|_| Error::new(ErrorKind::InvalidOperation, "pct expects a number"))?;
    Ok(format!("{:.dp$}%", x * 100.0))
}

/// `97900|thousands` is `97,900`.
fn int(_: &State, v: Value) -> Result<String, Error> {
    if v.is_none() || v.is_undefined() {
        return Ok("–".into());
    }
    if let Some(s) = v.as_str() {
        return Ok(s.to_string());
    }
    let x = f64::try_from(v)
        .map_err(|_| Error::new(ErrorKind::InvalidOperation, "int expects a number"))?;
    Ok(crate::format::thousands(x.round() as i64))
}

/// Renders a template with a view to typst source.
pub fn typst_source(template: &str, view: &impl serde::Serialize) -> Result<String, String> {
    let tmpl = ENV.get_template(template).map_err(|e| e.to_string())?;
    tmpl.render(minijinja::value::Serde(view))
        .map_err(|e| format!("template {template}: {}", error_chain(&e)))
}

/// A template error with every error under it.
fn error_chain(e: &Error) -> String {
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        msg.push_str(&format!(": {s}"));
        src = s.source();
    }
    msg
}

/// A document ready for the typesetter: typst source and the files (charts)
/// it reads, and its web page. Everything data-dependent is done by then.
pub struct Source {
    pub name: String,
    pub typst: String,
    pub charts: Vec<(String, Vec<u8>)>,
    pub html: String,
}

/// Renders a document of a `kind` (`national`, `local`) from its view: the
/// typst of `<kind>.typ` and the web page of `<kind>.html`.
pub fn source(
    name: String,
    kind: &str,
    view: &impl serde::Serialize,
    charts: Vec<(String, Vec<u8>)>,
) -> Result<Source, String> {
    Ok(Source {
        typst: typst_source(&format!("{kind}.typ"), view)?,
        html: html::page(&format!("{kind}.html"), view, &charts)?,
        name,
        charts,
    })
}

/// Typesets a document with the embedded typst compiler.
pub fn typeset(s: Source, date: (i32, u8, u8)) -> Result<Rendered, String> {
    let opts = world::DocOptions {
        ident: &s.name,
        date,
        pdf_ua: true,
    };
    let set = world::typeset(s.typst.clone(), &s.charts, &opts)
        .map_err(|e| format!("typesetting {}: {e}", s.name))?;
    Ok(Rendered {
        name: s.name,
        typst: s.typst,
        charts: s.charts,
        pdf: set.pdf,
        html: s.html,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_in_typ_templates() {
        let mut env = ENV.clone();
        env.add_template(
            "t.typ",
            "= {{ name }} {{ name|str }} {{ x|num(1) }} {{ big|thousands }}",
        )
        .unwrap();
        let out = env
            .get_template("t.typ")
            .unwrap()
            .render(minijinja::context! { name => "St #1 [Met] & *Co*", x => 1.25, big => 97900 })
            .unwrap();
        assert_eq!(
            out,
            "= St \\#1 \\[Met\\] & \\*Co\\* \"St #1 [Met] & *Co*\" 1.2 97,900"
        );
    }
}
