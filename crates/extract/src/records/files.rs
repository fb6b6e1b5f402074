//! Counting each record file (see `count`): staff, leavers, events,
//! recruitment and survey.

use super::count::{Ctx, EXAMPLES, add, blank_ids, distinct, first_rows, ids};
use super::vocab::{self, Stage};
use super::{BLANK, ID, QuickMap, Records};
use crate::diag::Diagnostic;
use crate::indicators::Measure;
use std::collections::hash_map::Entry;

pub(super) fn staff(cx: &mut Ctx, r: &Records) {
    ids(r, "member of staff", &mut cx.problems);
    let d = distinct(
        r,
        &[
            "service",
            "ethnicity",
            "salary",
            "regulated",
            "senior_manager",
        ],
    );
    for d in &d {
        let (n, first) = (d.n, d.first);
        let [sv, eth, sal, reg, sen] = [0, 1, 2, 3, 4].map(|k| d.values[k]);
        let who = cx.who(r, sv, eth, n, first);
        let band = match vocab::salary(sal) {
            Err(e) => {
                cx.problems
                    .value(r, "salary", sal, n, first, e.rule, e.hint.into());
                None
            }
            Ok(x) => match vocab::band(cx.bands, x) {
                Some(b) => Some(b.id.clone()),
                None => {
                    cx.problems.value(
                        r,
                        "salary",
                        sal,
                        n,
                        first,
                        "below every pay band's min_salary",
                        "check the salary, or the pay bands' min_salary in report.yaml".into(),
                    );
                    None
                }
            },
        };
        let regulated = cx.yes(r, "regulated", reg, n, first);
        let senior = cx.yes(r, "senior_manager", sen, n, first);
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
}

pub(super) fn leavers(cx: &mut Ctx, r: &Records, staff: &Records) {
    ids(r, "leaver", &mut cx.problems);
    // A person both in post and gone (ids are indexed in the order first
    // seen, so these are in the order of their first record).
    let c = r.column(ID);
    let first = first_rows(c.ids(), c.distinct().len());
    let both: Vec<(usize, &str)> = c
        .distinct()
        .iter()
        .enumerate()
        .filter(|(_, v)| staff.column(ID).find(v).is_some())
        .map(|(id, v)| (id, &**v))
        .collect();
    if let Some((id0, _)) = both.first() {
        let shown: Vec<&str> = both.iter().take(EXAMPLES).map(|(_, v)| *v).collect();
        let row = first[*id0];
        cx.problems.other.push((
            row,
            Diagnostic::error(
                &r.shown,
                r.line(row),
                format!(
                    "{} {} both in the staff file and among the leavers (the first shown)",
                    both.len(),
                    if both.len() == 1 {
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
    for d in distinct(r, &["service", "ethnicity"]) {
        if let Some((s, g)) = cx.who(r, d.values[0], d.values[1], d.n, d.first) {
            add(cx.measure(s, Measure::Leavers), g, d.n);
        }
    }
    ensure_measure(cx, Measure::Leavers);
}

/// A measure whose file was given is provided (0) for every service.
fn ensure_measure(cx: &mut Ctx, m: Measure) {
    for a in cx.acc.values_mut() {
        a.measures.entry(m).or_default();
    }
}

/// The kinds of event, as `vocab::event` names them.
const KINDS: [(&str, Measure); 3] = [
    ("disciplinary", Measure::Disciplinary),
    ("fitness_to_practise", Measure::FitnessToPractise),
    ("cpd", Measure::Cpd),
];

pub(super) fn events(cx: &mut Ctx, r: &Records, staff: &Records, leavers: Option<&Records>) {
    // Event kinds: the distinct values, read once each.
    let ev = r.column("event");
    let mut kind: Vec<Option<usize>> = vec![None; ev.distinct().len()];
    for d in distinct(r, &["event"]) {
        match vocab::event(d.values[0]) {
            Some(k) => {
                if let Some(id) = d.values[0].and_then(|v| ev.find(v)) {
                    kind[id as usize] = KINDS.iter().position(|(n, _)| *n == k);
                }
            }
            None => cx.problems.value(
                r,
                "event",
                d.values[0],
                d.n,
                d.first,
                "event must be disciplinary, fitness_to_practise or cpd",
                "give one of the three event kinds for every row".into(),
            ),
        }
    }
    // Each person counted once per kind: (person, kind) → first record.
    let person = r.column(ID);
    let mut once: QuickMap<(u32, usize), u32> = QuickMap::default();
    let mut order: Vec<(u32, usize)> = Vec::new();
    let (mut blanks, mut blank_first) = (0u64, u32::MAX);
    for (row, (&p, &e)) in person.ids().iter().zip(ev.ids()).enumerate() {
        if p == BLANK {
            blanks += 1;
            blank_first = blank_first.min(row as u32);
            continue;
        }
        let Some(k) = (e != BLANK).then(|| kind[e as usize]).flatten() else {
            continue;
        };
        if let Entry::Vacant(v) = once.entry((p, k)) {
            v.insert(row as u32);
            order.push((p, k));
        }
    }
    if blanks > 0 {
        cx.problems.other.push(blank_ids(
            r,
            blanks,
            blank_first,
            "every event needs the identifier of the person it happened to".into(),
        ));
    }
    // Each person's service and ethnicity: their first record in the staff
    // file, else among the leavers.
    let holders: Vec<(&Records, Vec<u32>)> = std::iter::once(staff)
        .chain(leavers)
        .map(|f| {
            let c = f.column(ID);
            (f, first_rows(c.ids(), c.distinct().len()))
        })
        .collect();
    let whose = |id: &str| -> Option<(Option<&str>, Option<&str>)> {
        holders.iter().find_map(|(f, first)| {
            let v = f.column(ID).find(id)?;
            let row = first[v as usize] as usize;
            Some((f.column("service").get(row), f.column("ethnicity").get(row)))
        })
    };
    // Events of people in neither file, by first record.
    let mut lost: Vec<(u32, &str)> = Vec::new();
    for (p, k) in order {
        let id = person.value(p).unwrap_or("");
        match whose(id) {
            // Service and ethnicity were checked where the person is listed.
            Some((sv, eth)) => {
                if let (Some(s), Some(g)) = (vocab::service(sv), cx.map.group(eth)) {
                    add(cx.measure(s, KINDS[k].1), g, 1);
                }
            }
            None => lost.push((once[&(p, k)], id)),
        }
    }
    lost.sort_by_key(|(first, _)| *first);
    if let Some((row, _)) = lost.first() {
        let row = *row;
        let mut shown: Vec<&str> = Vec::new();
        for (_, v) in &lost {
            if !shown.contains(v) && shown.len() < EXAMPLES {
                shown.push(v);
            }
        }
        // `7123` where the staff file has `007123`: zeros lost, not a
        // stranger.
        let padded = |v: &str| {
            v.bytes().all(|b| b.is_ascii_digit())
                && (1..=12).any(|k| whose(&format!("{}{v}", "0".repeat(k))).is_some())
        };
        let hint = if lost.iter().any(|(_, v)| padded(v)) {
            "these identifiers lost their leading zeros (the staff file has them with zeros in front): a spreadsheet read the column as numbers; format person_id as Text and export again"
        } else {
            "an event is counted under the service and ethnicity of its person: give the staff and leavers files that hold them"
        };
        cx.problems.other.push((
            row,
            Diagnostic::error(&r.shown, r.place(row, ID), format!("{} {} for a person in neither the staff file nor the leavers (the first shown)", lost.len(), if lost.len() == 1 { "event" } else { "events" }))
                .value(shown.join(", "))
                .hint(hint),
        ));
    }
    for (_, m) in KINDS {
        ensure_measure(cx, m);
    }
}

pub(super) fn recruitment(cx: &mut Ctx, r: &Records) {
    for d in distinct(r, &["service", "ethnicity", "stage"]) {
        let (n, first) = (d.n, d.first);
        let [sv, eth, st] = [0, 1, 2].map(|k| d.values[k]);
        let who = cx.who(r, sv, eth, n, first);
        let stage = vocab::stage(st);
        if stage.is_none() {
            cx.problems.value(
                r,
                "stage",
                st,
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
}

pub(super) fn survey(cx: &mut Ctx, r: &Records) {
    let cols = [
        "harassment_public",
        "harassment_colleagues",
        "harassment_managers",
    ];
    let measures = [
        Measure::HarassmentPublic,
        Measure::HarassmentColleagues,
        Measure::HarassmentManagers,
    ];
    for d in distinct(r, &["service", "ethnicity", cols[0], cols[1], cols[2]]) {
        let (n, first) = (d.n, d.first);
        let who = cx.who(r, d.values[0], d.values[1], n, first);
        let yes: Vec<Option<bool>> = (0..3)
            .map(|k| cx.yes(r, cols[k], d.values[2 + k], n, first))
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
}
