//! `publication.json`, published beside `benchmarks.csv`: what the national
//! publication decided (release date, producer, contact, assessment band,
//! disclosure thresholds, pay bands, synthetic or not) and a check of the
//! benchmarks file (its rows and SHA-256). A council's own run takes all of
//! it from here, never from a local `report.yaml`, so its report is the
//! national run's wherever it is made; only the audience is its choice.

use crate::config::Config;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Publication {
    pub tool: String,
    pub version: String,
    pub year: i32,
    /// Data rows of benchmarks.csv (not counting its header).
    pub benchmarks_rows: usize,
    pub benchmarks_sha256: String,
    /// The national run's configuration, audience public.
    pub configuration: Config,
}

/// The file name, beside benchmarks.csv.
pub const FILE: &str = "publication.json";

impl Publication {
    pub fn new(year: i32, config: &Config, benchmarks: &[u8]) -> Publication {
        Publication {
            tool: "scwres".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            year,
            benchmarks_rows: rows(benchmarks),
            benchmarks_sha256: crate::digest::sha256_hex(benchmarks),
            configuration: Config {
                audience: crate::config::Audience::Public,
                ..config.clone()
            },
        }
    }

    pub fn write(&self) -> Vec<u8> {
        let mut s = serde_json::to_string_pretty(self).expect("publication serialises");
        s.push('\n');
        s.into_bytes()
    }

    /// Reads a publication and checks the benchmarks it describes.
    pub fn read(
        file: &str,
        bytes: &[u8],
        benchmarks_file: &str,
        benchmarks: &[u8],
    ) -> Result<Publication, String> {
        let p: Publication = serde_json::from_slice(bytes).map_err(|e| format!("{file}: {e}"))?;
        p.configuration
            .check()
            .map_err(|e| format!("{file}: configuration: {e}"))?;
        let rows = rows(benchmarks);
        if rows != p.benchmarks_rows || crate::digest::sha256_hex(benchmarks) != p.benchmarks_sha256
        {
            return Err(format!(
                "{benchmarks_file}: not the file described by {file} ({rows} rows, {} published); it was changed or cut after publication",
                p.benchmarks_rows
            ));
        }
        Ok(p)
    }
}

/// Data rows of a CSV file: its lines after the header.
fn rows(csv: &[u8]) -> usize {
    csv.split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .count()
        .saturating_sub(1)
}
