//! Writing a return (`scwres extract`) in the canonical CSV and the YAML
//! layout that `load::csv_return` and `load::yaml_return` read (the xlsx is
//! `template::workbook` filled in). A blank (`None`) stays blank.

use crate::indicators::Measure;
use crate::model::{Return, Triple};

fn cells(t: Option<Triple>) -> [String; 3] {
    match t {
        Some(t) => [
            t.white.to_string(),
            t.minoritised.to_string(),
            t.unknown.to_string(),
        ],
        None => Default::default(),
    }
}

/// The canonical CSV: every service, headcount by band, then every other
/// measure in the order of the indicator table.
pub fn csv(r: &Return) -> Vec<u8> {
    let mut out =
        String::from("authority_code,year,service,measure,band,white,minoritised,unknown\n");
    for (s, sr) in &r.services {
        let mut row = |m: Measure, band: &str, t: Option<Triple>| {
            let [w, mi, u] = cells(t);
            out.push_str(&format!(
                "{},{},{},{},{band},{w},{mi},{u}\n",
                r.authority_code,
                r.year,
                s.id(),
                m.id()
            ));
        };
        for (band, t) in &sr.bands {
            row(Measure::Headcount, band, *t);
        }
        for m in Measure::ALL
            .into_iter()
            .filter(|m| *m != Measure::Headcount)
        {
            row(m, "", sr.measures.get(&m).copied().flatten());
        }
    }
    out.into_bytes()
}

/// The YAML layout (`load::yaml_return`); a blank measure is `~`.
pub fn yaml(r: &Return) -> Vec<u8> {
    let triple = |t: Option<Triple>| match t {
        Some(t) => format!(
            "{{ white: {}, minoritised: {}, unknown: {} }}",
            t.white, t.minoritised, t.unknown
        ),
        None => "~".into(),
    };
    let mut out = format!(
        "authority_code: {}\nyear: {}\nservices:\n",
        r.authority_code, r.year
    );
    for (s, sr) in &r.services {
        out.push_str(&format!("  {}:\n    headcount:\n", s.id()));
        for (band, t) in &sr.bands {
            out.push_str(&format!("      {band}: {}\n", triple(*t)));
        }
        for m in Measure::ALL
            .into_iter()
            .filter(|m| *m != Measure::Headcount)
        {
            out.push_str(&format!(
                "    {}: {}\n",
                m.id(),
                triple(sr.measures.get(&m).copied().flatten())
            ));
        }
    }
    out.into_bytes()
}
