//! Writes an action plan as the YAML a council would write
//! (data/examples/actions.yaml's layout), for the service's "add an action"
//! form: what it writes is read back by `load::actions`, by the same rules
//! as a plan a council uploads, into the same actions.

use crate::load::actions::Action;
use serde::Serialize;

#[derive(Serialize)]
struct Plan<'a> {
    authority: &'a str,
    year: i32,
    actions: &'a [Action],
}

/// The plan's YAML (every text quoted as YAML needs it).
pub fn yaml(authority: &str, year: i32, actions: &[Action]) -> Vec<u8> {
    let text = serde_norway::to_string(&Plan {
        authority,
        year,
        actions,
    })
    .unwrap_or_default();
    format!("# Written by the SC-WRES collection service's action plan form.\n{text}").into_bytes()
}

#[cfg(test)]
mod tests {
    #[test]
    fn what_is_written_reads_back_the_same() {
        for indicator in crate::indicators::INDICATORS.iter().map(|i| i.id) {
            let a = super::Action {
                action: "Panels: two people, & more # not a comment".into(),
                indicator,
                owner: "*Head* of Workforce".into(),
                due: "2026-03-31".into(),
                status: "in progress",
                measure: "\"quoted\" text: yes".into(),
            };
            let bytes = super::yaml("E06000003", 2025, std::slice::from_ref(&a));
            let plan = crate::load::actions::read("plan.yaml", &bytes).unwrap();
            assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
            assert_eq!(plan.actions, [a]);
        }
    }
}
