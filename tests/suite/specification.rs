//! The one indicator table of the program against the specification's,
//! as the guide states it (docs/specification.md, "The nine indicators"):
//! each indicator's events, population and the direction that is worse
//! for minoritised staff. A changed measure or a flipped direction in
//! `src/indicators.rs` fails here by name, whatever the data.

use scwres::indicators::{INDICATORS, Polarity};

/// The guide's words for a measure, as the measure's id.
fn measure(words: &str) -> String {
    let w = words.trim();
    let w = w.strip_suffix(" in the band").unwrap_or(w);
    match w {
        "CPD" => "cpd".into(),
        "harassment (public)" => "harassment_public".into(),
        "harassment (colleagues)" => "harassment_colleagues".into(),
        "harassment (managers)" => "harassment_managers".into(),
        other => other.replace(' ', "_"),
    }
}

#[test]
fn every_indicator_is_the_specifications() {
    let spec = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/specification.md"),
    )
    .unwrap();
    let section = spec.split("## The nine indicators").nth(1).unwrap();
    let rows: Vec<Vec<&str>> = section
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| indicator"))
        .map(|l| l.trim_matches('|').split('|').map(str::trim).collect())
        .collect();
    assert_eq!(rows.len(), 10, "{rows:?}");
    assert_eq!(INDICATORS.len(), 10);
    for (row, ind) in rows.iter().zip(INDICATORS.iter()) {
        let id = row[0].split_whitespace().next().unwrap();
        assert_eq!(ind.id.as_str(), id);
        assert_eq!(ind.events.id(), measure(row[1]), "indicator {id}: events");
        assert_eq!(
            ind.population.id(),
            measure(row[2]),
            "indicator {id}: population"
        );
        let polarity = match row[3] {
            "lower" => Polarity::HigherIsBetter,
            "higher" => Polarity::HigherIsWorse,
            _ => Polarity::Descriptive,
        };
        assert_eq!(ind.polarity, polarity, "indicator {id}: direction");
    }
}
