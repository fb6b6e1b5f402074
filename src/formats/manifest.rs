//! `manifest.json`: the tool, its configuration, and the hash of every
//! input and output of a run. No timestamps, so a rerun gives the same
//! bytes. Keys are written in alphabetical order.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub configuration: serde_json::Value,
    pub inputs: Vec<Input>,
    pub outputs: Vec<Output>,
    pub register_sha256: String,
    pub tool: String,
    pub version: String,
    pub year: i32,
}

/// An input file: its name as shown, `accepted`, `rejected` or `skipped`,
/// and the hash of the bytes read (none when it could not be read).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Input {
    pub file: String,
    pub sha256: Option<String>,
    pub status: String,
}

/// An output file, relative to the run's folder.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Output {
    pub file: String,
    pub sha256: String,
}

impl Manifest {
    /// A manifest of this program; `configuration` is any serialisable
    /// configuration (written with its keys sorted).
    pub fn new(
        year: i32,
        configuration: &impl Serialize,
        register_sha256: &str,
        inputs: Vec<Input>,
        mut outputs: Vec<Output>,
    ) -> Manifest {
        outputs.sort();
        Manifest {
            configuration: serde_json::to_value(configuration).expect("configuration serialises"),
            inputs,
            outputs,
            register_sha256: register_sha256.to_string(),
            tool: "scwres".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            year,
        }
    }

    pub fn write(&self) -> Vec<u8> {
        let mut s = serde_json::to_string_pretty(self).expect("manifest serialises");
        s.push('\n');
        s.into_bytes()
    }

    pub fn read(file: &str, bytes: &[u8]) -> Result<Manifest, String> {
        serde_json::from_slice(bytes).map_err(|e| format!("{file}: {e}"))
    }
}
