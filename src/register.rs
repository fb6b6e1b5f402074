//! The authority register: English councils with adult social care
//! responsibilities. `data/authorities.csv` is built into the binary.

use serde::Serialize;
use std::collections::BTreeMap;

const BUILT_IN: &str = include_str!("../data/authorities.csv");

#[derive(Clone, Debug, Serialize)]
pub struct Authority {
    pub code: String,
    pub name: String,
    pub region_code: String,
    pub region_name: String,
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Clone, Debug)]
pub struct Register {
    by_code: BTreeMap<String, Authority>,
    /// SHA-256 of the register's text, for the run manifest.
    pub sha256: String,
}

impl Register {
    /// The register shipped with the program.
    pub fn built_in() -> Register {
        Register::parse(BUILT_IN).expect("the built-in authority register is valid")
    }

    /// Parses a register CSV (`code,name,region_code,region_name,type`).
    pub fn parse(text: &str) -> Result<Register, String> {
        let mut rdr = csv::Reader::from_reader(text.as_bytes());
        let mut by_code = BTreeMap::new();
        for (i, row) in rdr.records().enumerate() {
            let row = row.map_err(|e| format!("authority register line {}: {e}", i + 2))?;
            if row.len() != 5 {
                return Err(format!(
                    "authority register line {}: expected 5 fields",
                    i + 2
                ));
            }
            let a = Authority {
                code: row[0].trim().to_string(),
                name: row[1].trim().to_string(),
                region_code: row[2].trim().to_string(),
                region_name: row[3].trim().to_string(),
                kind: row[4].trim().to_string(),
            };
            if by_code.insert(a.code.clone(), a).is_some() {
                return Err(format!("authority register line {}: duplicate code", i + 2));
            }
        }
        Ok(Register {
            by_code,
            sha256: crate::digest::sha256_hex(text.as_bytes()),
        })
    }

    pub fn get(&self, code: &str) -> Option<&Authority> {
        self.by_code.get(code)
    }

    pub fn len(&self) -> usize {
        self.by_code.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_code.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Authority> {
        self.by_code.values()
    }

    /// The regions, as (E12 code, name), in code order.
    pub fn regions(&self) -> Vec<(String, String)> {
        let mut r: BTreeMap<String, String> = BTreeMap::new();
        for a in self.by_code.values() {
            r.insert(a.region_code.clone(), a.region_name.clone());
        }
        r.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_register_has_153_councils_in_nine_regions() {
        let r = Register::built_in();
        assert_eq!(r.len(), 153);
        assert_eq!(r.regions().len(), 9);
        assert_eq!(r.get("E10000015").unwrap().name, "Hertfordshire");
        assert_eq!(
            r.get("E06000010").unwrap().name,
            "Kingston upon Hull, City of"
        );
        for a in r.iter() {
            let prefix = &a.code[..3];
            assert!(["E06", "E08", "E09", "E10"].contains(&prefix), "{}", a.code);
            assert_eq!(a.code.len(), 9);
        }
    }
}
