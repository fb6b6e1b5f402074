//! Counting each record file (see `count`): staff, leavers, events,
//! recruitment and survey.

use super::Records;
use super::count::{Ctx, EXAMPLES, add, distinct, ids, nums, pe, strs};
use super::vocab::{self, Stage};
use crate::indicators::Measure;
use crate::load::diag::Diagnostic;
use polars::prelude::*;

pub(super) fn staff(cx: &mut Ctx, r: &Records) -> Result<(), Diagnostic> {
    ids(r, "member of staff", &mut cx.problems)?;
    let d = distinct(
        r,
        &[
            "service",
            "ethnicity",
            "salary",
            "regulated",
            "senior_manager",
        ],
    )?;
    let (sv, eth, sal, reg, sen) = (
        strs(&d, "service"),
        strs(&d, "ethnicity"),
        strs(&d, "salary"),
        strs(&d, "regulated"),
        strs(&d, "senior_manager"),
    );
    let (n, first) = (nums(&d, "n"), nums(&d, "first"));
    for i in 0..d.height() {
        let (n, first) = (n[i], first[i] as u32);
        let who = cx.who(r, sv[i], eth[i], n, first);
        let band = match vocab::salary(sal[i]) {
            Err(e) => {
                cx.problems
                    .value(r, "salary", sal[i], n, first, e.rule, e.hint.into());
                None
            }
            Ok(x) => match vocab::band(cx.bands, x) {
                Some(b) => Some(b.id.clone()),
                None => {
                    cx.problems.value(
                        r,
                        "salary",
                        sal[i],
                        n,
                        first,
                        "below every pay band's min_salary",
                        "check the salary, or the pay bands' min_salary in report.yaml".into(),
                    );
                    None
                }
            },
        };
        let regulated = cx.yes(r, "regulated", reg[i], n, first);
        let senior = cx.yes(r, "senior_manager", sen[i], n, first);
        if let (Some((s, g)), Some(band), Some(regulated), Some(senior)) =
            (who, band, regulated, senior)
        {
            add(
                cx.acc.entry(s).or_default().bands.entry(band).or_default(),
                g,
                n,
            );
            // Provided (0 if nobody) for every service with staff.
            add(
                cx.measure(s, Measure::RegulatedProfessionals),
                g,
                if regulated { n } else { 0 },
            );
            add(
                cx.measure(s, Measure::SeniorManagers),
                g,
                if senior { n } else { 0 },
            );
        }
    }
    Ok(())
}

pub(super) fn leavers(cx: &mut Ctx, r: &Records, staff: &Records) -> Result<(), Diagnostic> {
    ids(r, "leaver", &mut cx.problems)?;
    // A person both in post and gone.
    let both = r
        .frame
        .clone()
        .lazy()
        .select([col("person_id"), col("row")])
        .inner_join(
            staff.frame.clone().lazy().select([col("person_id")]),
            col("person_id"),
            col("person_id"),
        )
        .group_by([col("person_id")])
        .agg([col("row").min().alias("first")])
        .sort(["first"], Default::default())
        .collect()
        .map_err(|e| pe(r, e))?;
    if both.height() > 0 {
        let (id, first) = (strs(&both, "person_id"), nums(&both, "first"));
        let shown: Vec<&str> = id.iter().take(EXAMPLES).map(|v| v.unwrap_or("")).collect();
        let row = first[0] as u32;
        cx.problems.other.push((
            row,
            Diagnostic::error(
                &r.shown,
                r.line(row),
                format!(
                    "{} {} both in the staff file and among the leavers (the first shown)",
                    both.height(),
                    if both.height() == 1 {
                        "person is"
                    } else {
                        "people are"
                    }
                ),
            )
            .value(shown.join(", "))
            .hint(
                "staff are those in post on the snapshot date; a leaver has left: fix the export",
            ),
        ));
    }
    let d = distinct(r, &["service", "ethnicity"])?;
    let (sv, eth, n, first) = (
        strs(&d, "service"),
        strs(&d, "ethnicity"),
        nums(&d, "n"),
        nums(&d, "first"),
    );
    for i in 0..d.height() {
        if let Some((s, g)) = cx.who(r, sv[i], eth[i], n[i], first[i] as u32) {
            add(cx.measure(s, Measure::Leavers), g, n[i]);
        }
    }
    ensure_measure(cx, Measure::Leavers);
    Ok(())
}

/// A measure whose file was given is provided (0) for every service.
fn ensure_measure(cx: &mut Ctx, m: Measure) {
    for a in cx.acc.values_mut() {
        a.measures.entry(m).or_default();
    }
}

pub(super) fn events(
    cx: &mut Ctx,
    r: &Records,
    staff: &Records,
    leavers: Option<&Records>,
) -> Result<(), Diagnostic> {
    // Event kinds: the distinct values, read in Rust, joined back.
    let kinds = distinct(r, &["event"])?;
    let (ev, n, first) = (
        strs(&kinds, "event"),
        nums(&kinds, "n"),
        nums(&kinds, "first"),
    );
    let mut raw = Vec::new();
    let mut kind = Vec::new();
    for i in 0..kinds.height() {
        match vocab::event(ev[i]) {
            Some(k) => {
                raw.push(ev[i].unwrap_or("").to_string());
                kind.push(k.to_string());
            }
            None => cx.problems.value(
                r,
                "event",
                ev[i],
                n[i],
                first[i] as u32,
                "event must be disciplinary, fitness_to_practise or cpd",
                "give one of the three event kinds for every row".into(),
            ),
        }
    }
    let table = DataFrame::new_infer_height(vec![
        Column::new("event".into(), raw),
        Column::new("kind".into(), kind),
    ])
    .map_err(|e| pe(r, e))?;
    let mut people = vec![staff.frame.clone().lazy().select([
        col("person_id"),
        col("service"),
        col("ethnicity"),
    ])];
    if let Some(l) = leavers {
        people.push(l.frame.clone().lazy().select([
            col("person_id"),
            col("service"),
            col("ethnicity"),
        ]));
    }
    let people = concat(people, UnionArgs::default())
        .map_err(|e| pe(r, e))?
        .group_by([col("person_id")])
        .agg([
            col("service").first(),
            col("ethnicity").first(),
            lit(true).first().alias("found"),
        ]);
    // Each person counted once per kind.
    let once = r
        .frame
        .clone()
        .lazy()
        .filter(col("person_id").is_not_null())
        .inner_join(table.lazy(), col("event"), col("event"))
        .group_by([col("person_id"), col("kind")])
        .agg([col("row").min().alias("first")])
        .left_join(people, col("person_id"), col("person_id"))
        .collect()
        .map_err(|e| pe(r, e))?;
    let blank_ids = r
        .frame
        .column("person_id")
        .map(|c| c.null_count())
        .unwrap_or(0);
    if blank_ids > 0 {
        let first = r
            .frame
            .clone()
            .lazy()
            .filter(col("person_id").is_null())
            .select([col("row").min()])
            .collect()
            .ok()
            .map(|d| nums(&d, "row").first().copied().unwrap_or(0) as u32)
            .unwrap_or(0);
        cx.problems.other.push((
            first,
            Diagnostic::error(
                &r.shown,
                r.place(first, "person_id"),
                format!("a blank person_id, on {blank_ids} rows (the first shown)"),
            )
            .hint("every event needs the identifier of the person it happened to"),
        ));
    }
    let lost = once
        .clone()
        .lazy()
        .filter(col("found").is_null())
        .sort(["first"], Default::default())
        .collect()
        .map_err(|e| pe(r, e))?;
    if lost.height() > 0 {
        let (id, first) = (strs(&lost, "person_id"), nums(&lost, "first"));
        let mut shown: Vec<&str> = Vec::new();
        for v in id.iter().flatten() {
            if !shown.contains(v) && shown.len() < EXAMPLES {
                shown.push(v);
            }
        }
        let row = first[0] as u32;
        cx.problems.other.push((
            row,
            Diagnostic::error(&r.shown, r.place(row, "person_id"), format!("{} {} for a person in neither the staff file nor the leavers (the first shown)", lost.height(), if lost.height() == 1 { "event" } else { "events" }))
                .value(shown.join(", "))
                .hint("an event is counted under the service and ethnicity of its person: give the staff and leavers files that hold them"),
        ));
    }
    let counted = once
        .lazy()
        .filter(col("found").is_not_null())
        .group_by([col("kind"), col("service"), col("ethnicity")])
        .agg([len().alias("n"), col("first").min().alias("first")])
        .sort(["first"], Default::default())
        .collect()
        .map_err(|e| pe(r, e))?;
    let (k, sv, eth, n) = (
        strs(&counted, "kind"),
        strs(&counted, "service"),
        strs(&counted, "ethnicity"),
        nums(&counted, "n"),
    );
    for i in 0..counted.height() {
        // Service and ethnicity were checked where the person is listed.
        if let (Some(s), Some(g)) = (vocab::service(sv[i]), cx.map.group(eth[i])) {
            let m = match k[i] {
                Some("disciplinary") => Measure::Disciplinary,
                Some("fitness_to_practise") => Measure::FitnessToPractise,
                _ => Measure::Cpd,
            };
            add(cx.measure(s, m), g, n[i]);
        }
    }
    for m in [
        Measure::Disciplinary,
        Measure::FitnessToPractise,
        Measure::Cpd,
    ] {
        ensure_measure(cx, m);
    }
    Ok(())
}

pub(super) fn recruitment(cx: &mut Ctx, r: &Records) -> Result<(), Diagnostic> {
    let d = distinct(r, &["service", "ethnicity", "stage"])?;
    let (sv, eth, st, n, first) = (
        strs(&d, "service"),
        strs(&d, "ethnicity"),
        strs(&d, "stage"),
        nums(&d, "n"),
        nums(&d, "first"),
    );
    for i in 0..d.height() {
        let (n, first) = (n[i], first[i] as u32);
        let who = cx.who(r, sv[i], eth[i], n, first);
        let stage = vocab::stage(st[i]);
        if stage.is_none() {
            cx.problems.value(
                r,
                "stage",
                st[i],
                n,
                first,
                "stage must be applied, shortlisted or appointed",
                "give the furthest stage each candidate reached".into(),
            );
        }
        if let (Some((s, g)), Some(stage)) = (who, stage) {
            let short = matches!(stage, Stage::Shortlisted | Stage::Appointed);
            add(
                cx.measure(s, Measure::Shortlisted),
                g,
                if short { n } else { 0 },
            );
            add(
                cx.measure(s, Measure::Appointed),
                g,
                if stage == Stage::Appointed { n } else { 0 },
            );
        }
    }
    ensure_measure(cx, Measure::Shortlisted);
    ensure_measure(cx, Measure::Appointed);
    Ok(())
}

pub(super) fn survey(cx: &mut Ctx, r: &Records) -> Result<(), Diagnostic> {
    let cols = [
        "harassment_public",
        "harassment_colleagues",
        "harassment_managers",
    ];
    let d = distinct(r, &["service", "ethnicity", cols[0], cols[1], cols[2]])?;
    let (sv, eth, n, first) = (
        strs(&d, "service"),
        strs(&d, "ethnicity"),
        nums(&d, "n"),
        nums(&d, "first"),
    );
    let answers: Vec<Vec<Option<&str>>> = cols.iter().map(|c| strs(&d, c)).collect();
    let measures = [
        Measure::HarassmentPublic,
        Measure::HarassmentColleagues,
        Measure::HarassmentManagers,
    ];
    for i in 0..d.height() {
        let (n, first) = (n[i], first[i] as u32);
        let who = cx.who(r, sv[i], eth[i], n, first);
        let yes: Vec<Option<bool>> = (0..3)
            .map(|k| cx.yes(r, cols[k], answers[k][i], n, first))
            .collect();
        if let Some((s, g)) = who {
            add(cx.measure(s, Measure::SurveyRespondents), g, n);
            for k in 0..3 {
                if let Some(y) = yes[k] {
                    add(cx.measure(s, measures[k]), g, if y { n } else { 0 });
                }
            }
        }
    }
    for m in [Measure::SurveyRespondents].into_iter().chain(measures) {
        ensure_measure(cx, m);
    }
    Ok(())
}
