//! Web pages: the same views as the PDFs, through the HTML templates of
//! `report-templates/` (every value HTML-escaped by minijinja). A page is
//! one self-contained file: styles inline, charts inline as SVG with a
//! title and a description for assistive technology, no script, no request
//! to any server.

use super::{ENV, error_chain};
use crate::view::Chart;
use minijinja::value::Serde;
use minijinja::{Error, ErrorKind, Value};
use std::collections::BTreeMap;

/// Renders an HTML template with a view and the charts it shows inline.
pub fn page(
    template: &str,
    view: &impl serde::Serialize,
    charts: &[Chart],
) -> Result<String, String> {
    let tmpl = ENV.get_template(template).map_err(|e| e.to_string())?;
    let svgs: BTreeMap<&str, &str> = charts
        .iter()
        .filter_map(|(name, svg)| Some((name.as_str(), std::str::from_utf8(svg).ok()?)))
        .collect();
    let ctx = minijinja::context! {
        charts => Value::from(Serde(&svgs)),
        ..Value::from(Serde(view))
    };
    tmpl.render(ctx)
        .map_err(|e| format!("template {template}: {}", error_chain(&e)))
}

/// `chart(charts[file], id, title, desc[, mark])` in a template: the
/// chart's SVG, inline, as an image with `title` and `desc` as its
/// accessible name and description. `mark` (`{fx, fy, label, left}`) adds a
/// council's own point to a shared funnel chart, at fractions of the
/// chart's width, as the PDF places it.
pub(super) fn chart(
    svg: Value,
    id: &str,
    title: Value,
    desc: Value,
    mark: Option<Value>,
) -> Result<Value, Error> {
    let bad = |msg: String| Error::new(ErrorKind::InvalidOperation, msg);
    let svg = svg
        .as_str()
        .ok_or_else(|| bad(format!("chart {id}: no such chart")))?;
    let mark = mark
        .filter(|m| !m.is_none() && !m.is_undefined())
        .map(|m| -> Result<Mark, Error> {
            let num = |k: &str| -> Result<f64, Error> {
                f64::try_from(m.get_attr(k)?).map_err(|_| bad(format!("mark.{k} is not a number")))
            };
            Ok(Mark {
                fx: num("fx")?,
                fy: num("fy")?,
                label: m.get_attr("label")?.to_string(),
                left: m.get_attr("left")?.is_true(),
            })
        })
        .transpose()?;
    inline(svg, id, &text(&title), &text(&desc), mark.as_ref())
        .map(Value::from_safe_string)
        .map_err(bad)
}

/// A council's own point on a shared chart.
struct Mark {
    fx: f64,
    fy: f64,
    label: String,
    left: bool,
}

/// A value as HTML text: captured template output is escaped already.
fn text(v: &Value) -> String {
    if v.is_safe() {
        v.as_str().unwrap_or_default().to_string()
    } else {
        escape(&v.to_string())
    }
}

/// Escapes text for HTML and XML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

/// The chart's root element made an accessible image: `role="img"`, named
/// and described by its own `<title>` and `<desc>`; then the mark, if any.
fn inline(
    svg: &str,
    id: &str,
    title: &str,
    desc: &str,
    mark: Option<&Mark>,
) -> Result<String, String> {
    let start = svg.find("<svg").ok_or("a chart without an <svg> element")?;
    let open_end = start
        + svg[start..]
            .find('>')
            .ok_or("a chart's <svg> tag is not closed")?;
    let close = svg.rfind("</svg>").ok_or("a chart without </svg>")?;
    if close < open_end {
        return Err("a chart's <svg> element is empty".into());
    }
    let attrs = &svg[start + 4..open_end];
    let id = escape(id);
    let mut out = String::with_capacity(svg.len() + desc.len() + 400);
    out.push_str(&format!(
        "<svg{attrs} class=\"chart\" role=\"img\" focusable=\"false\" aria-labelledby=\"{id}-title\" aria-describedby=\"{id}-desc\">\n<title id=\"{id}-title\">{title}</title>\n<desc id=\"{id}-desc\">{desc}</desc>"
    ));
    out.push_str(&svg[open_end + 1..close]);
    if let Some(m) = mark {
        let width = view_box_width(attrs).ok_or("a shared chart without a viewBox")?;
        // The PDF places the mark at fractions of the chart's width on both
        // axes; 1 pt of the PDF is about 1.5 units of the 720-unit chart.
        let (x, y) = (m.fx * width, m.fy * width);
        let (tx, anchor) = if m.left {
            (x - 12.0, "end")
        } else {
            (x + 12.0, "start")
        };
        out.push_str(&format!(
            "<g aria-hidden=\"true\"><polygon points=\"{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}\" fill=\"#12436D\" stroke=\"#FFFFFF\" stroke-width=\"1.2\"/>\
             <text x=\"{tx:.1}\" y=\"{y:.1}\" dy=\"0.35em\" text-anchor=\"{anchor}\" font-family=\"Open Sans\" font-size=\"12\" font-weight=\"700\" fill=\"#12436D\">{}</text></g>\n",
            x,
            y - 7.5,
            x + 7.5,
            y + 6.0,
            x - 7.5,
            y + 6.0,
            escape(&m.label),
        ));
    }
    out.push_str("</svg>");
    Ok(out)
}

/// The width of an SVG's `viewBox="0 0 W H"`.
fn view_box_width(attrs: &str) -> Option<f64> {
    let at = attrs.find("viewBox=\"")? + 9;
    let end = at + attrs[at..].find('"')?;
    attrs[at..end].split_whitespace().nth(2)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SVG: &str = "<svg width=\"720\" height=\"340\" viewBox=\"0 0 720 340\" xmlns=\"http://www.w3.org/2000/svg\">\n<rect/>\n</svg>\n";

    #[test]
    fn a_chart_becomes_a_named_and_described_image() {
        let out = inline(SVG, "c1", "T &amp; t", "D", None).unwrap();
        assert!(out.starts_with("<svg width=\"720\" height=\"340\" viewBox=\"0 0 720 340\" xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\""));
        assert!(out.contains("aria-labelledby=\"c1-title\" aria-describedby=\"c1-desc\""));
        assert!(out.contains("<title id=\"c1-title\">T &amp; t</title>"));
        assert!(out.contains("<desc id=\"c1-desc\">D</desc>"));
        assert!(out.ends_with("<rect/>\n</svg>"));
    }

    #[test]
    fn a_mark_is_placed_at_fractions_of_the_width_and_its_label_escaped() {
        let m = Mark {
            fx: 0.5,
            fy: 0.25,
            label: "<b>Kent</b> & co".into(),
            left: false,
        };
        let out = inline(SVG, "c", "t", "d", Some(&m)).unwrap();
        assert!(
            out.contains("points=\"360.0,172.5 367.5,186.0 352.5,186.0\""),
            "{out}"
        );
        assert!(out.contains(">&lt;b&gt;Kent&lt;/b&gt; &amp; co</text>"));
        assert!(!out.contains("<b>"));
    }

    #[test]
    fn values_are_escaped_in_html_templates() {
        let mut env = ENV.clone();
        env.add_template("t.html", "<h1>{{ name }}</h1>{{ x|num(1) }}")
            .unwrap();
        let out = env
            .get_template("t.html")
            .unwrap()
            .render(minijinja::context! { name => "<script>alert(1)</script> & <b>Kent</b>", x => 1.25 })
            .unwrap();
        assert_eq!(
            out,
            "<h1>&lt;script&gt;alert(1)&lt;&#x2f;script&gt; &amp; &lt;b&gt;Kent&lt;&#x2f;b&gt;</h1>1.2"
        );
    }
}
