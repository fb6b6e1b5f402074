//! Run configuration: `<data>/report.yaml`, every key optional.

use crate::indicators::{Band, default_bands};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// The data are synthetic: every output says so on every page.
    pub synthetic: bool,
    /// `public` (disclosure control applied to council figures) or
    /// `internal` (exact figures, "not for publication" on every page).
    pub audience: Audience,
    /// Assessment band for relative likelihoods, inclusive.
    pub band_lower: f64,
    pub band_upper: f64,
    /// Share of unknown ethnicity above which a return is warned about.
    pub unknown_warning_share: f64,
    /// Pay bands per collection year; years not listed use the default.
    pub pay_bands: BTreeMap<i32, Vec<Band>>,
    pub disclosure: Disclosure,
    /// Regional figures are published only with at least this many councils.
    pub min_region_councils: usize,
    /// The spread across councils (median, quartiles, tallies of verdicts),
    /// funnel plots and their overdispersion and "outside the limits"
    /// counts are published only with at least this many councils with a
    /// figure.
    pub min_spread_councils: usize,
    pub publication: Publication,
    pub funnel: FunnelConfig,
    /// The collection service's quotas.
    pub service: ServiceConfig,
    /// The collection window: when councils may submit, and by when.
    pub collection: Collection,
    /// The thresholds of the collection service's queries.
    pub queries: QueryConfig,
}

/// When a return without errors raises a query the council answers
/// before sign-off (`queries:` in report.yaml).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct QueryConfig {
    /// A measure's total changed by more than this share since the year
    /// before (up or down)…
    pub change_share: f64,
    /// …where either year's total is at least this.
    pub change_min: u64,
    /// Adverse events (disciplinary, fitness to practise, leavers) above
    /// this share of the staff they happen to.
    pub events_share: f64,
    /// Unknown ethnicity above this share of staff in post.
    pub unknown_share: f64,
}

impl Default for QueryConfig {
    fn default() -> Self {
        QueryConfig {
            change_share: 0.5,
            change_min: 20,
            events_share: 0.25,
            unknown_share: 0.2,
        }
    }
}

/// The collection window (`collection:` in report.yaml), each date
/// optional: before `opens` and after `closes` the service takes no
/// upload or sign-off (a return the team reopened excepted); a return
/// signed off after `due` is late.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Collection {
    #[serde(deserialize_with = "opens")]
    pub opens: Option<Date>,
    #[serde(deserialize_with = "due")]
    pub due: Option<Date>,
    #[serde(deserialize_with = "closes")]
    pub closes: Option<Date>,
}

/// What one council may store in the collection service a day (the 24
/// hours before an upload): far more than a real collection needs, so
/// that only a fault or an attack meets it.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ServiceConfig {
    pub versions_per_day: u32,
    pub megabytes_per_day: u32,
    /// Below this share of the register signed off, a release is run only
    /// with the team's explicit confirmation.
    pub min_release_share: f64,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        ServiceConfig {
            versions_per_day: 50,
            megabytes_per_day: 100,
            min_release_share: 0.5,
        }
    }
}

/// How funnel plots are drawn.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct FunnelConfig {
    pub overdispersion: OverdispersionMethod,
}

/// `additive` (the default): limits widened by the between-council variance
/// (Spiegelhalter 2005, additive random effects); `none`: plain limits.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum OverdispersionMethod {
    #[default]
    Additive,
    None,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    #[default]
    Public,
    Internal,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Disclosure {
    /// Council counts from 1 to `min_count - 1` are shown as `[c]`.
    pub min_count: u64,
    /// Other council counts are rounded to the nearest multiple of this.
    pub rounding_base: u64,
}

impl Default for Disclosure {
    fn default() -> Self {
        Disclosure {
            min_count: 8,
            rounding_base: 5,
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Publication {
    pub producer: String,
    pub contact_name: String,
    pub contact_email: String,
    /// Release date, `YYYY-MM-DD`; also the fixed date inside every PDF.
    #[serde(deserialize_with = "release_date")]
    pub release_date: Date,
    /// Release time, `HH:MM` (UK time), announced in advance.
    pub release_time: String,
    /// The statistics' status, as the quality statement gives it (for
    /// example "official statistics in development").
    pub status: String,
    /// The statistician responsible for the release.
    pub statistician: String,
    /// Who had access to the release before publication, and why: one
    /// entry a role (empty: no one).
    pub pre_release_access: Vec<String>,
    /// How users are engaged and what they have said.
    pub engagement: String,
    /// What is planned next.
    pub development: String,
}

/// A calendar date, written `YYYY-MM-DD`, checked when it is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// A real calendar date from `YYYY-MM-DD` (years 1000 to 9999).
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let digits = |r: std::ops::Range<usize>| -> Option<u32> {
            let part = &s[r];
            part.bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| part.parse().ok())?
        };
        let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (year >= 1000 && (1..=days).contains(&day)).then_some(Date {
            year: year as i32,
            month: month as u8,
            day: day as u8,
        })
    }
}

impl Date {
    /// The date as people write it: `30 June 2026`.
    pub fn long(&self) -> String {
        const MONTHS: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        let m = MONTHS[usize::from(self.month.clamp(1, 12)) - 1];
        format!("{} {m} {}", self.day, self.year)
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A date read from report.yaml, refused naming its key (the YAML
/// reader's own place names only the section).
fn named_date<'de, D: serde::Deserializer<'de>>(d: D, key: &str) -> Result<Date, D::Error> {
    let s = String::deserialize(d)?;
    Date::parse(&s).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "{key} `{s}` is not a calendar date written YYYY-MM-DD"
        ))
    })
}

fn release_date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
    named_date(d, "publication.release_date")
}

/// An optional date: absent or `null` (as a configuration written back
/// says "none") is none.
fn named_optional<'de, D: serde::Deserializer<'de>>(
    d: D,
    key: &str,
) -> Result<Option<Date>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(s) => Date::parse(&s).map(Some).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "{key} `{s}` is not a calendar date written YYYY-MM-DD"
            ))
        }),
    }
}

fn opens<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
    named_optional(d, "collection.opens")
}

fn due<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
    named_optional(d, "collection.due")
}

fn closes<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
    named_optional(d, "collection.closes")
}

impl Default for Publication {
    fn default() -> Self {
        Publication {
            producer: "Skills for Care".into(),
            contact_name: "SC-WRES analysis team".into(),
            contact_email: "analysis@example.org".into(),
            release_date: Date {
                year: 2025,
                month: 3,
                day: 31,
            },
            release_time: "09:30".into(),
            status: "official statistics in development".into(),
            statistician: "the SC-WRES lead statistician".into(),
            pre_release_access: Vec::new(),
            engagement: "Users' views on the report, its tables and the local reports are welcome at the contact address; they are read and answered, and shape each year's changes.".into(),
            development: "".into(),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            synthetic: false,
            audience: Audience::Public,
            band_lower: 0.80,
            band_upper: 1.25,
            unknown_warning_share: 0.10,
            pay_bands: BTreeMap::new(),
            disclosure: Disclosure::default(),
            min_region_councils: 3,
            min_spread_councils: 10,
            publication: Publication::default(),
            funnel: FunnelConfig::default(),
            service: ServiceConfig::default(),
            collection: Collection::default(),
            queries: QueryConfig::default(),
        }
    }
}

impl Config {
    pub fn parse(text: &str) -> Result<Config, String> {
        let c: Config = serde_norway::from_str(text).map_err(|e| e.to_string())?;
        c.check()?;
        Ok(c)
    }

    /// The checks made when the configuration is read.
    pub fn check(&self) -> Result<(), String> {
        let q = &self.queries;
        for (key, v) in [
            ("queries.change_share", q.change_share),
            ("queries.events_share", q.events_share),
            ("queries.unknown_share", q.unknown_share),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(format!("{key} must be a share above 0, like 0.5, not {v}"));
            }
        }
        let c = &self.collection;
        for ((a, an), (b, bn)) in [
            ((c.opens, "opens"), (c.due, "due")),
            ((c.due, "due"), (c.closes, "closes")),
            ((c.opens, "opens"), (c.closes, "closes")),
        ] {
            if let (Some(a), Some(b)) = (a, b)
                && a > b
            {
                return Err(format!(
                    "collection.{an} ({a}) is after collection.{bn} ({b}); the window opens, is due, then closes"
                ));
            }
        }
        if !(self.band_lower > 0.0 && self.band_lower <= 1.0 && self.band_upper >= 1.0) {
            return Err("band_lower must be in (0, 1] and band_upper at least 1".into());
        }
        if self.disclosure.rounding_base == 0 {
            return Err("disclosure.rounding_base must be at least 1".into());
        }
        if self.disclosure.min_count < 2 {
            return Err(format!(
                "disclosure.min_count must be at least 2 (counts from 1 to min_count - 1 are withheld), not {}; for exact figures use `audience: internal`",
                self.disclosure.min_count
            ));
        }
        // A published count is at least min_count; rounded to the base it
        // must not become 0, which reads as "none" (0 stays for true zeros).
        let base = self.disclosure.rounding_base;
        if self.disclosure.min_count < base.div_ceil(2) {
            return Err(format!(
                "disclosure.rounding_base {base} would round a published count of {} to 0, which reads as none; give a rounding_base of at most {} or a min_count of at least {}",
                self.disclosure.min_count,
                2 * self.disclosure.min_count,
                base.div_ceil(2)
            ));
        }
        let t = self.publication.release_time.as_bytes();
        let ok = t.len() == 5
            && t[2] == b':'
            && t[..2].iter().chain(&t[3..]).all(u8::is_ascii_digit)
            && self.publication.release_time[..2]
                .parse::<u8>()
                .is_ok_and(|h| h < 24)
            && self.publication.release_time[3..]
                .parse::<u8>()
                .is_ok_and(|m| m < 60);
        if !ok {
            return Err(format!(
                "publication.release_time `{}` is not a time written HH:MM (24-hour clock, UK time), like 09:30",
                self.publication.release_time
            ));
        }
        for (year, bands) in &self.pay_bands {
            if bands.is_empty() {
                return Err(format!("pay_bands for {year} is empty"));
            }
            let mut ids = std::collections::BTreeSet::new();
            if let Some(b) = bands.iter().find(|b| !ids.insert(b.id.as_str())) {
                return Err(format!(
                    "pay_bands for {year}: the band id `{}` is given twice (its staff would be counted twice); give every band its own id",
                    b.id
                ));
            }
            let mins: Vec<Option<u64>> = bands.iter().map(|b| b.min_salary).collect();
            if mins.iter().any(Option::is_some) {
                if mins.iter().any(Option::is_none) {
                    return Err(format!(
                        "pay_bands for {year}: give min_salary for every band or for none"
                    ));
                }
                if mins.windows(2).any(|w| w[0] >= w[1]) {
                    return Err(format!(
                        "pay_bands for {year}: min_salary must rise from each band to the next"
                    ));
                }
            }
        }
        Ok(())
    }

    pub fn bands(&self, year: i32) -> Vec<Band> {
        self.pay_bands
            .get(&year)
            .cloned()
            .unwrap_or_else(default_bands)
    }

    /// The release date as (year, month, day): the date inside every PDF.
    pub fn release_ymd(&self) -> (i32, u8, u8) {
        let d = self.publication.release_date;
        (d.year, d.month, d.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_yaml_gives_defaults() {
        let c = Config::parse("{}").unwrap();
        assert_eq!(c.band_lower, 0.80);
        assert_eq!(c.bands(2024).len(), 3);
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(Config::parse("synthetik: true").is_err());
    }

    #[test]
    fn release_dates_must_be_calendar_dates() {
        let with = |d: &str| Config::parse(&format!("publication:\n  release_date: \"{d}\"\n"));
        assert_eq!(with("2024-02-29").unwrap().release_ymd(), (2024, 2, 29));
        for bad in [
            "2025-02-30",
            "2023-02-29",
            "2025-13-01",
            "2025-04-31",
            "25-03-31",
            "2025-3-31",
            "+025-03-31",
        ] {
            let e = with(bad).unwrap_err();
            assert!(e.contains("not a calendar date"), "{bad}: {e}");
        }
        // A configuration written back (as a release's is) reads the same,
        // its absent dates (`null`) included.
        for text in ["", "collection:\n  due: 2026-06-30\n"] {
            let c = Config::parse(text).unwrap();
            let again = Config::parse(&serde_norway::to_string(&c).unwrap()).unwrap();
            assert_eq!(again.collection, c.collection);
            assert_eq!(again.publication.release_date, c.publication.release_date);
        }
        assert_eq!(Date::parse("1900-02-29"), None);
        assert!(Date::parse("2000-02-29").is_some());
    }

    #[test]
    fn release_times_must_be_clock_times() {
        let with = |t: &str| Config::parse(&format!("publication:\n  release_time: \"{t}\"\n"));
        assert_eq!(with("07:00").unwrap().publication.release_time, "07:00");
        assert!(with("23:59").is_ok());
        for bad in [
            "24:00", "9:30", "09:60", "09.30", "0930", "09:3a", "", "０9:30",
        ] {
            let e = with(bad).unwrap_err();
            assert!(e.contains("not a time written HH:MM"), "{bad}: {e}");
        }
    }

    #[test]
    fn thresholds_are_checked() {
        for bad in [
            "disclosure:\n  min_count: 0\n",
            "disclosure:\n  min_count: 1\n",
            "disclosure:\n  rounding_base: 0\n",
        ] {
            assert!(Config::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Config::parse("disclosure:\n  min_count: 5\n")
                .unwrap()
                .disclosure
                .min_count,
            5
        );
    }
}
