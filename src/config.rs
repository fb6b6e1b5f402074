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
    pub publication: Publication,
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
    pub release_date: String,
}

impl Default for Publication {
    fn default() -> Self {
        Publication {
            producer: "Skills for Care".into(),
            contact_name: "SC-WRES analysis team".into(),
            contact_email: "analysis@example.org".into(),
            release_date: "2025-03-31".into(),
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
            publication: Publication::default(),
        }
    }
}

impl Config {
    pub fn parse(text: &str) -> Result<Config, String> {
        let c: Config = serde_norway::from_str(text).map_err(|e| e.to_string())?;
        c.check()?;
        Ok(c)
    }

    fn check(&self) -> Result<(), String> {
        if !(self.band_lower > 0.0 && self.band_lower <= 1.0 && self.band_upper >= 1.0) {
            return Err("band_lower must be in (0, 1] and band_upper at least 1".into());
        }
        if self.disclosure.rounding_base == 0 {
            return Err("disclosure.rounding_base must be at least 1".into());
        }
        if self.release_ymd().is_none() {
            return Err(format!(
                "publication.release_date `{}` is not a YYYY-MM-DD date",
                self.publication.release_date
            ));
        }
        for (year, bands) in &self.pay_bands {
            if bands.is_empty() {
                return Err(format!("pay_bands for {year} is empty"));
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

    pub fn release_ymd(&self) -> Option<(i32, u8, u8)> {
        let mut it = self.publication.release_date.split('-');
        let y = it.next()?.parse().ok()?;
        let m: u8 = it.next()?.parse().ok()?;
        let d: u8 = it.next()?.parse().ok()?;
        (it.next().is_none() && (1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d))
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
}
