//! The values of staff-record files: ethnicity (the built-in map and a
//! council's own), services, yes/no, salaries, stages and event kinds.
//! Pure: strings in, meanings out.

use crate::diag::Diagnostic;
use crate::indicators::{Band, Service};

/// The largest ethnicity map read (a few hundred lines at most).
pub const MAX_MAP: u64 = 1 << 20;

/// The ethnicity group a value maps to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Group {
    White,
    Minoritised,
    Unknown,
}

impl Group {
    pub fn parse(s: &str) -> Option<Group> {
        match s.trim().to_ascii_lowercase().as_str() {
            "white" => Some(Group::White),
            "minoritised" => Some(Group::Minoritised),
            "unknown" => Some(Group::Unknown),
            _ => None,
        }
    }
}

const ASIAN: &str = "Asian, Asian British or Asian Welsh";
const BLACK: &str = "Black, Black British, Black Welsh, Caribbean or African";
const MIXED: &str = "Mixed or Multiple ethnic groups";

/// The built-in map: ONS Census 2021 labels for England and NHS Data
/// Dictionary codes (docs/extract.md).
fn builtin() -> Vec<(String, Group)> {
    let mut m: Vec<(String, Group)> = Vec::new();
    let mut add = |v: String, g| m.push((v, g));
    for v in [
        "White: English, Welsh, Scottish, Northern Irish or British",
        "White: Irish",
        "White: Gypsy or Irish Traveller",
        "White: Roma",
        "White: Other White",
        "A",
        "B",
        "C",
    ] {
        add(v.into(), Group::White);
    }
    for (group, kinds) in [
        (
            ASIAN,
            &[
                "Bangladeshi",
                "Chinese",
                "Indian",
                "Pakistani",
                "Other Asian",
            ][..],
        ),
        (BLACK, &["African", "Caribbean", "Other Black"][..]),
        (
            MIXED,
            &[
                "White and Asian",
                "White and Black African",
                "White and Black Caribbean",
                "Other Mixed or Multiple ethnic groups",
            ][..],
        ),
        (
            "Other ethnic group",
            &["Arab", "Any other ethnic group"][..],
        ),
    ] {
        for k in kinds {
            add(format!("{group}: {k}"), Group::Minoritised);
        }
    }
    for code in [
        "D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S",
    ] {
        add(code.into(), Group::Minoritised);
    }
    for v in [
        "",
        "Not stated",
        "Not known",
        "Prefer not to say",
        "Z",
        "99",
    ] {
        add(v.into(), Group::Unknown);
    }
    m
}

/// Every ONS label of the built-in map, for the demo's record files.
pub fn ons_labels(g: Group) -> Vec<String> {
    builtin()
        .into_iter()
        .filter(|(v, gr)| *gr == g && v.len() > 2)
        .map(|(v, _)| v)
        .collect()
}

/// How a value is matched: trimmed, inner whitespace collapsed, lower case.
pub fn key(value: &str) -> String {
    value
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Ethnicity values to groups: the built-in map, then a council's own.
pub struct EthnicityMap(std::collections::HashMap<String, Group>);

impl EthnicityMap {
    pub fn builtin() -> Self {
        EthnicityMap(builtin().into_iter().map(|(v, g)| (key(&v), g)).collect())
    }

    /// Adds (or replaces) entries.
    pub fn extend(&mut self, entries: impl IntoIterator<Item = (String, Group)>) {
        for (v, g) in entries {
            self.0.insert(key(&v), g);
        }
    }

    /// A blank (absent) value is `""`.
    pub fn group(&self, value: Option<&str>) -> Option<Group> {
        self.0.get(&key(value.unwrap_or(""))).copied()
    }
}

/// `adults` or `children`, any case, trimmed.
pub fn service(v: Option<&str>) -> Option<Service> {
    match v?.trim().to_ascii_lowercase().as_str() {
        "adults" => Some(Service::Adults),
        "children" => Some(Service::Children),
        _ => None,
    }
}

/// Yes/no: `yes no y n true false 1 0`, any case; blank is not yes.
pub fn yes(v: Option<&str>) -> Result<bool, ()> {
    match v.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
        None | Some("") => Ok(false),
        Some("yes" | "y" | "true" | "1") => Ok(true),
        Some("no" | "n" | "false" | "0") => Ok(false),
        _ => Err(()),
    }
}

/// Why a salary cell is not read: the rule broken and what to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotSalary {
    pub rule: &'static str,
    pub hint: &'static str,
}

const SALARY_HINT: &str =
    "give the annual full-time-equivalent basic pay in pounds, such as 31500 or £31,500";

/// An annual salary in pounds: `31500`, `31500.00`, `31,500`, `£31,500`.
/// Numbers a spreadsheet in another locale writes (`32.000,00`, `75.000`)
/// and amounts below £1,000 (an hourly or monthly rate, or `32.5` meaning
/// thousands) are refused, never read as a few pounds.
pub fn salary(v: Option<&str>) -> Result<f64, NotSalary> {
    let bad = |rule, hint| Err(NotSalary { rule, hint });
    let s = v.unwrap_or("").trim();
    let s = s.strip_prefix('£').unwrap_or(s).trim_start();
    if s.is_empty()
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b',' || b == b'.')
    {
        return bad("not a salary", SALARY_HINT);
    }
    let (whole, pence) = s.split_once('.').unwrap_or((s, ""));
    if pence.contains(['.', ',']) {
        return bad(
            "a number written in another locale's style",
            "write pounds with a full stop only before the pence, such as 32000.00 (not 32.000,00)",
        );
    }
    if pence.len() == 3 && !whole.contains(',') {
        return bad(
            "a full stop before three digits: a thousands separator in another locale's style?",
            "write 75000 or 75,000 for seventy-five thousand pounds",
        );
    }
    if pence.len() > 2 || (s.contains('.') && pence.is_empty()) {
        return bad(
            "pence are one or two digits after the full stop",
            SALARY_HINT,
        );
    }
    // Commas only as thousands separators: groups of three digits.
    let groups: Vec<&str> = whole.split(',').collect();
    if whole.is_empty()
        || (groups.len() > 1
            && (groups[0].is_empty()
                || groups[0].len() > 3
                || groups[1..].iter().any(|g| g.len() != 3)))
    {
        return bad("not a salary", SALARY_HINT);
    }
    let Ok(x) = s.replace(',', "").parse::<f64>() else {
        return bad("not a salary", SALARY_HINT);
    };
    if !x.is_finite() {
        return bad("not a salary", SALARY_HINT);
    }
    // Nobody in post is paid nothing: a zero is a gap in the export (an
    // unpaid volunteer is not staff), never a member of the lowest band.
    if x == 0.0 {
        return bad(
            "a salary of £0",
            "give the annual full-time-equivalent salary; leave out anyone unpaid (a volunteer is not staff)",
        );
    }
    if x > 0.0 && x < 1000.0 {
        return bad(
            "below £1,000: not an annual full-time-equivalent salary",
            "give annual pay in pounds (an hourly or monthly rate, or 32.5 meaning £32,500, would be misread)",
        );
    }
    Ok(x)
}

/// The band of a salary: the one whose `min_salary` is the largest not above
/// it. `None` when it is below every band's (or no band has one).
pub fn band(bands: &[Band], salary: f64) -> Option<&Band> {
    bands
        .iter()
        .filter(|b| b.min_salary.is_some_and(|m| m as f64 <= salary))
        .max_by_key(|b| b.min_salary)
}

/// The furthest recruitment stage reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Applied,
    Shortlisted,
    Appointed,
}

pub fn stage(v: Option<&str>) -> Option<Stage> {
    match v?.trim().to_ascii_lowercase().as_str() {
        "applied" => Some(Stage::Applied),
        "shortlisted" => Some(Stage::Shortlisted),
        "appointed" => Some(Stage::Appointed),
        _ => None,
    }
}

/// An event kind's measure id: `disciplinary`, `fitness_to_practise`, `cpd`.
pub fn event(v: Option<&str>) -> Option<&'static str> {
    match v?.trim().to_ascii_lowercase().as_str() {
        "disciplinary" => Some("disciplinary"),
        "fitness_to_practise" => Some("fitness_to_practise"),
        "cpd" => Some("cpd"),
        _ => None,
    }
}

/// A council's own ethnicity map, from its bytes: a YAML mapping of value
/// to `white`, `minoritised` or `unknown`.
pub fn map_file(bytes: &[u8], shown: &str) -> Result<Vec<(String, Group)>, Vec<Diagnostic>> {
    let bad = |place: &str, rule: String| vec![Diagnostic::error(shown, place, rule)];
    if bytes.len() as u64 > MAX_MAP {
        let r = crate::guard::too_large(MAX_MAP);
        return Err(bad(&r.place, r.rule));
    }
    let text = crate::text::decode(bytes).map_err(|e| vec![e.diagnostic(shown)])?;
    // The guard reads the text, as the parser will (a UTF-16 file's bytes
    // would hide an alias from it).
    crate::guard::yaml(text.as_bytes()).map_err(|r| bad(&r.place, r.rule))?;
    let map: serde_norway::Mapping = serde_norway::from_str(&text).map_err(|e| {
        bad(
            "",
            format!("not a YAML mapping of ethnicity value to group ({e})"),
        )
    })?;
    let mut out = Vec::new();
    let mut diags = Vec::new();
    // Values are matched loosely (case, spaces): two spellings of one
    // value given two groups would leave the group to the order of lines.
    let mut seen: std::collections::HashMap<String, (String, Group)> = Default::default();
    for (k, v) in &map {
        let key = match k {
            serde_norway::Value::String(s) => s.clone(),
            serde_norway::Value::Number(n) => n.to_string(),
            serde_norway::Value::Null => String::new(),
            _ => {
                diags.push(Diagnostic::error(shown, "", "a key that is not a value"));
                continue;
            }
        };
        match v.as_str().and_then(Group::parse) {
            Some(g) => {
                match seen.get(&self::key(&key)) {
                    Some((other, h)) if *h != g => diags.push(
                        Diagnostic::error(shown, key.clone(), "the same value is mapped to two groups")
                            .value(format!(
                                "{other} → {}; {key} → {}",
                                format!("{h:?}").to_lowercase(),
                                format!("{g:?}").to_lowercase()
                            ))
                            .hint("values are matched ignoring case and spaces: keep one line for this value"),
                    ),
                    _ => {
                        seen.insert(self::key(&key), (key.clone(), g));
                    }
                }
                out.push((key, g))
            }
            None => diags.push(
                Diagnostic::error(
                    shown,
                    key.clone(),
                    "the group must be white, minoritised or unknown",
                )
                .value(format!("{v:?}").chars().take(40).collect::<String>()),
            ),
        }
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(diags)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_map_matches_loosely_and_knows_the_codes() {
        let m = EthnicityMap::builtin();
        assert_eq!(m.group(Some("  white:  IRISH ")), Some(Group::White));
        assert_eq!(
            m.group(Some(
                "Black, Black British, Black Welsh, Caribbean or African: African"
            )),
            Some(Group::Minoritised)
        );
        assert_eq!(m.group(Some("M")), Some(Group::Minoritised));
        assert_eq!(m.group(Some("I")), None, "no NHS code I");
        assert_eq!(m.group(None), Some(Group::Unknown));
        assert_eq!(m.group(Some("99")), Some(Group::Unknown));
        assert_eq!(m.group(Some("British")), None);
        assert_eq!(ons_labels(Group::Minoritised).len(), 14);
        assert_eq!(ons_labels(Group::White).len(), 5);
    }

    #[test]
    fn salaries_and_bands() {
        for (s, x) in [
            ("31500", 31500.0),
            ("31500.00", 31500.0),
            ("31,500", 31500.0),
            ("£31,500", 31500.0),
            ("1,234,567.5", 1234567.5),
            ("1000", 1000.0),
        ] {
            assert_eq!(salary(Some(s)), Ok(x), "{s}");
        }
        for s in [
            "",
            "0",
            "0.00",
            "-5",
            "31 500",
            "3,15,00",
            "£",
            "abc",
            "1e5",
            ",500",
            "32.000,00",
            "75.000",
            "32.5",
            "999.99",
            "31500.",
            "31500.123",
            ".5",
        ] {
            assert!(salary(Some(s)).is_err(), "{s}");
        }
        assert!(
            salary(Some("75.000"))
                .unwrap_err()
                .rule
                .contains("another locale")
        );
        assert!(
            salary(Some("32.5"))
                .unwrap_err()
                .rule
                .contains("below £1,000")
        );
        let bands = crate::indicators::default_bands();
        assert_eq!(band(&bands, 29_999.99).unwrap().id, "under_30k");
        assert_eq!(band(&bands, 30_000.0).unwrap().id, "30k_to_69k");
        assert_eq!(band(&bands, 70_000.0).unwrap().id, "70k_plus");
    }

    #[test]
    fn yes_no_stage_event_service() {
        assert_eq!(yes(Some(" Y ")), Ok(true));
        assert_eq!(yes(Some("0")), Ok(false));
        assert_eq!(yes(None), Ok(false));
        assert_eq!(yes(Some("maybe")), Err(()));
        assert_eq!(stage(Some("APPOINTED")), Some(Stage::Appointed));
        assert_eq!(event(Some(" CPD")), Some("cpd"));
        assert_eq!(service(Some("Children ")), Some(Service::Children));
        assert_eq!(service(Some("all")), None);
    }
}
