//! Diagnostics: what is wrong, where, and what to do about it.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// The longest value a diagnostic quotes.
pub const MAX_VALUE: usize = 80;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The file, as given.
    pub file: String,
    /// Where in the file: `line 7, column 6 (white)`; empty for the whole file.
    pub place: String,
    /// The value found, if one is at fault.
    pub value: Option<String>,
    /// The rule broken, in plain words.
    pub rule: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(file: &str, place: impl Into<String>, rule: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: file.to_string(),
            place: place.into(),
            value: None,
            rule: rule.into(),
            hint: None,
        }
    }

    pub fn warning(file: &str, place: impl Into<String>, rule: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, place, rule)
        }
    }

    /// The value found, shortened to [`MAX_VALUE`] characters: a message
    /// never echoes a whole file.
    pub fn value(mut self, v: impl Into<String>) -> Self {
        let v: String = v.into();
        self.value = Some(if v.chars().count() > MAX_VALUE {
            let head: String = v.chars().take(MAX_VALUE).collect();
            format!("{head}… ({} characters)", v.chars().count())
        } else {
            v
        });
        self
    }

    pub fn hint(mut self, h: impl Into<String>) -> Self {
        self.hint = Some(h.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{sev}: {}", self.file)?;
        if !self.place.is_empty() {
            write!(f, ", {}", self.place)?;
        }
        write!(f, ": {}", self.rule)?;
        if let Some(v) = &self.value {
            write!(f, " (found {v:?})")?;
        }
        if let Some(h) = &self.hint {
            write!(f, "\n  hint: {h}")?;
        }
        Ok(())
    }
}
