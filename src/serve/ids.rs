//! The service's identifiers, as types: a council code is never confused
//! with a person's number or an upload's.

use serde::Serialize;

/// A council's ONS GSS code, such as `E10000015`: checked against the
/// register before one is made from a request.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct CouncilCode(pub String);

/// A person's row number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct PersonId(pub i64);

/// An upload's version number within its council and year (1, 2, …): what
/// a council's addresses name, never the row number across councils.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Version(pub i64);

/// What a person may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A council's analyst: downloads the workbook, uploads returns.
    Submitter,
    /// A council's senior officer: all a submitter does, and signs off.
    Signer,
    /// The national programme team: sees every council, invites, reopens,
    /// exports.
    Admin,
}

impl Role {
    pub fn id(self) -> &'static str {
        match self {
            Role::Submitter => "submitter",
            Role::Signer => "signer",
            Role::Admin => "admin",
        }
    }

    pub fn from_id(s: &str) -> Option<Role> {
        [Role::Submitter, Role::Signer, Role::Admin]
            .into_iter()
            .find(|r| r.id() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Submitter => "submitter",
            Role::Signer => "senior officer (signs off)",
            Role::Admin => "national team administrator",
        }
    }
}
