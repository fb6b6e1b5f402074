//! Reader for YAML returns: the same content as the CSV, nested.
//!
//! ```yaml
//! authority_code: E10000015
//! year: 2024
//! services:
//!   adults:
//!     headcount:
//!       under_30k: { white: 812, minoritised: 236, unknown: 14 }
//!     appointed: { white: 88, minoritised: 61, unknown: 2 }
//! ```
//!
//! A missing group or a `~` (null) is not provided. Places are YAML paths
//! such as `services.adults.appointed.minoritised`.

use super::diag::Diagnostic;
use super::validate::{Cell, RawRow, Read};
use serde_norway::Value;

/// YAML files larger than this are refused before they are parsed.
const MAX_BYTES: usize = 1 << 20;

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::Null => Some(String::new()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// A non-scalar value as the user might recognise it: `[1, 2]`.
fn compact(v: &Value) -> String {
    serde_json::to_string(v)
        .unwrap_or_else(|_| "?".into())
        .replace(',', ", ")
}

fn key(k: &Value) -> String {
    scalar(k).unwrap_or_else(|| "?".into())
}

/// The first value YAML would read as a number in a form the CSV refuses
/// (`+55`, `0x37`, `0o67`, `0b1`, `5_5`, `-0`, `.inf`, `.nan`), with its
/// line: YAML turns them into numbers silently, losing what was written.
fn number_form(text: &str) -> Option<(usize, String)> {
    for (i, line) in text.lines().enumerate() {
        let mut plain = String::new();
        let mut quote = None;
        let mut prev = ' ';
        for c in line.chars() {
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None if (c == '"' || c == '\'') && !prev.is_alphanumeric() => quote = Some(c),
                None if c == '#' && prev.is_whitespace() => break,
                None => plain.push(c),
            }
            prev = c;
        }
        for token in plain.split(|c: char| c.is_whitespace() || ",:{}[]".contains(c)) {
            let t = token.to_ascii_lowercase();
            let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
            let odd = (t.starts_with('+') && t.len() > 1)
                || ["0x", "0o", "0b"]
                    .iter()
                    .any(|p| t.starts_with(p) && t.len() > 2)
                || (t.starts_with("-0") && !t.as_bytes().get(2).is_some_and(u8::is_ascii_digit))
                || (t.contains('_') && digits(&t.replace('_', "")))
                || [".inf", "-.inf", "+.inf", ".nan"].contains(&t.as_str());
            if odd {
                return Some((i + 1, token.to_string()));
            }
        }
    }
    None
}

pub fn read(file: &str, bytes: &[u8]) -> Result<Read, Vec<Diagnostic>> {
    let err = |place: &str, rule: String| Diagnostic::error(file, place, rule);
    if bytes.len() > MAX_BYTES {
        return Err(vec![
            err("", "the file is too large to be a return".into())
                .hint("a YAML return is a few kilobytes"),
        ]);
    }
    let text = super::text::decode(bytes)
        .map_err(|e| vec![err(&e.place, e.rule().into()).value(e.value).hint(e.hint)])?;
    let bytes = text.as_bytes();
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(vec![err("", "the file is empty".into())]);
    }
    if let Err(r) = super::guard::yaml(bytes) {
        return Err(vec![err(&r.place, r.rule).hint(r.hint)]);
    }
    if let Some((line, token)) = number_form(&String::from_utf8_lossy(bytes)) {
        return Err(vec![
            err(
                &format!("line {line}"),
                "a number must be written as a plain whole number, as in the CSV".into(),
            )
            .value(token)
            .hint("write 55, not +55, 0x37, 0o67, 5_5 or -0"),
        ]);
    }
    let doc: Value = match serde_norway::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => {
            let place = e
                .location()
                .map(|l| format!("line {}, column {}", l.line(), l.column()))
                .unwrap_or_default();
            let hint = if e.to_string().contains("repetition limit") {
                "the file uses YAML aliases (& and *) that expand too far; write the figures out in full"
            } else {
                "check the indentation and the colons"
            };
            return Err(vec![
                err(&place, format!("not readable as YAML: {e}")).hint(hint),
            ]);
        }
    };
    let Value::Mapping(top) = doc else {
        return Err(vec![err(
            "",
            "the file must be a mapping with authority_code, year and services".into(),
        )]);
    };
    let mut errors = Vec::new();
    let mut code = Cell {
        text: String::new(),
        place: "authority_code".into(),
    };
    let mut year = Cell {
        text: String::new(),
        place: "year".into(),
    };
    let mut services = None;
    for (k, v) in &top {
        match key(k).as_str() {
            "authority_code" | "year" => {
                let name = key(k);
                match scalar(v) {
                    Some(t) => {
                        let c = Cell {
                            text: t,
                            place: name.clone(),
                        };
                        if name == "year" { year = c } else { code = c }
                    }
                    None => errors.push(err(&name, "expected a single value".into())),
                }
            }
            "services" => services = Some(v),
            other => errors.push(
                err(other, format!("unknown key `{other}`"))
                    .hint("the keys are authority_code, year and services"),
            ),
        }
    }
    let mut rows = Vec::new();
    match services {
        None => errors.push(err("services", "the return has no `services`".into())),
        Some(Value::Mapping(svcs)) => {
            for (s, measures) in svcs {
                let s = key(s);
                let sp = format!("services.{s}");
                let Value::Mapping(measures) = measures else {
                    errors.push(err(&sp, "expected the measures of this service".into()));
                    continue;
                };
                for (m, v) in measures {
                    let m = key(m);
                    let mp = format!("{sp}.{m}");
                    let mut push =
                        |band: String,
                         groups: &Value,
                         place: String,
                         errors: &mut Vec<Diagnostic>| {
                            let mut cells = [0, 1, 2].map(|i| Cell {
                                text: String::new(),
                                place: format!(
                                    "{place}.{}",
                                    ["white", "minoritised", "unknown"][i]
                                ),
                            });
                            match groups {
                                Value::Null => {}
                                Value::Mapping(g) => {
                                    for (gk, gv) in g {
                                        let gk = key(gk);
                                        match ["white", "minoritised", "unknown"]
                                            .iter()
                                            .position(|x| *x == gk)
                                        {
                                            // A list or mapping is shown as found;
                                            // `validate` says it is not a count.
                                            Some(i) => {
                                                cells[i].text =
                                                    scalar(gv).unwrap_or_else(|| compact(gv))
                                            }
                                            None => errors.push(
                                                err(
                                                    &format!("{place}.{gk}"),
                                                    format!("unknown group `{gk}`"),
                                                )
                                                .hint(
                                                    "the groups are white, minoritised and unknown",
                                                ),
                                            ),
                                        }
                                    }
                                }
                                _ => errors.push(
                                    err(&place, "expected white, minoritised and unknown".into())
                                        .hint("write { white: 1, minoritised: 2, unknown: 0 }"),
                                ),
                            }
                            let [w, mi, u] = cells;
                            rows.push(RawRow {
                                place: place.clone(),
                                cells: [
                                    code.clone(),
                                    year.clone(),
                                    Cell {
                                        text: s.clone(),
                                        place: sp.clone(),
                                    },
                                    Cell {
                                        text: m.clone(),
                                        place: mp.clone(),
                                    },
                                    Cell {
                                        text: band,
                                        place: place.clone(),
                                    },
                                    w,
                                    mi,
                                    u,
                                ],
                            });
                        };
                    if m == "headcount" {
                        match v {
                            Value::Mapping(bands) => {
                                for (b, g) in bands {
                                    let b = key(b);
                                    push(b.clone(), g, format!("{mp}.{b}"), &mut errors);
                                }
                            }
                            _ => errors.push(err(&mp, "expected one entry per pay band".into())),
                        }
                    } else {
                        push(String::new(), v, mp.clone(), &mut errors);
                    }
                }
            }
        }
        Some(_) => errors.push(err(
            "services",
            "expected `adults` and/or `children`".into(),
        )),
    }
    if rows.is_empty() {
        errors.push(err("services", "the return has no figures".into()));
        return Err(errors);
    }
    // Structural problems are reported; the figures are still checked.
    Ok(Read {
        rows,
        diags: errors,
    })
}
