//! The in-memory form of a council return, shared by every stage.

use crate::indicators::{Measure, Service};
use serde::Serialize;
use std::collections::BTreeMap;

/// Counts for the three ethnicity groups of one measure, all provided.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Triple {
    pub white: u64,
    pub minoritised: u64,
    pub unknown: u64,
}

impl Triple {
    pub fn total(&self) -> u64 {
        self.white + self.minoritised + self.unknown
    }

    pub fn add(self, o: Triple) -> Triple {
        Triple {
            white: self.white + o.white,
            minoritised: self.minoritised + o.minoritised,
            unknown: self.unknown + o.unknown,
        }
    }
}

/// One service's part of a return. A measure that is absent, or whose row
/// has a blank cell, is `None`: not provided, which is not zero.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ServiceReturn {
    /// Every measure except headcount.
    pub measures: BTreeMap<Measure, Option<Triple>>,
    /// Headcount per pay-band id, in the configured band order.
    pub bands: Vec<(String, Option<Triple>)>,
}

impl ServiceReturn {
    /// Headcount over all bands; provided only when every band is.
    pub fn headcount(&self) -> Option<Triple> {
        if self.bands.is_empty() {
            return None;
        }
        self.bands
            .iter()
            .try_fold(Triple::default(), |acc, (_, t)| t.map(|t| acc.add(t)))
    }

    pub fn band(&self, id: &str) -> Option<Triple> {
        self.bands
            .iter()
            .find(|(b, _)| b == id)
            .and_then(|(_, t)| *t)
    }

    /// The counts of a measure; `Headcount` means the sum of the bands.
    pub fn get(&self, m: Measure) -> Option<Triple> {
        match m {
            Measure::Headcount => self.headcount(),
            _ => self.measures.get(&m).copied().flatten(),
        }
    }
}

/// An accepted return: one council, one year.
#[derive(Clone, Debug, Serialize)]
pub struct Return {
    /// The file it came from, as given (relative to the data directory).
    pub source: String,
    pub authority_code: String,
    pub year: i32,
    pub services: BTreeMap<Service, ServiceReturn>,
}
