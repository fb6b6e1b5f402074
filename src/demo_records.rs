//! Synthetic staff records (`scwres demo-data --records CODE`): the five
//! record-level files of docs/extract.md made from a council's return, so
//! that `scwres extract` on them gives that return back exactly. Seeded and
//! deterministic; rows shuffled; values written the ways HR exports write
//! them (mixed case, `£31,500`, NHS codes), and a second CPD record for some
//! people, which must be counted once. Nothing here is real data.
//!
//! Pure: returns file names and contents; the caller writes them.

use crate::demo::Rng;
use crate::indicators::{Band, Measure, Service};
use crate::load::records::count;
use crate::load::records::vocab::{Group, ons_labels};
use crate::model::{Return, Triple};

/// The files, by name: `staff.csv`, `leavers.csv`, `events.csv`,
/// `recruitment.csv`, `survey.csv`.
pub fn records(ret: &Return, bands: &[Band], seed: u64) -> Vec<(String, String)> {
    let mut rng = Rng(seed ^ 0x5EED_0F_5AFF);
    let mut staff: Vec<Vec<String>> = Vec::new();
    let mut leavers: Vec<Vec<String>> = Vec::new();
    let mut events: Vec<Vec<String>> = Vec::new();
    let mut recruitment: Vec<Vec<String>> = Vec::new();
    let mut survey: Vec<Vec<String>> = Vec::new();
    let mut next_id = 0u64;
    let mut id = |prefix: &str| {
        next_id += 1;
        format!("{prefix}{next_id:07}")
    };
    let get = |t: Option<Triple>, g: Group| {
        t.map_or(0, |t| match g {
            Group::White => t.white,
            Group::Minoritised => t.minoritised,
            Group::Unknown => t.unknown,
        })
    };
    for (service, sr) in &ret.services {
        let svc = service_text(*service, &mut rng);
        for g in [Group::White, Group::Minoritised, Group::Unknown] {
            // People in post, by band, highest band first (senior managers
            // are picked from the top).
            let mut people: Vec<(String, usize)> = Vec::new();
            for (k, band) in bands.iter().enumerate().rev() {
                let n = get(sr.band(&band.id), g);
                for _ in 0..n {
                    people.push((id("P"), k));
                }
            }
            let m = |x: Measure| get(sr.measures.get(&x).copied().flatten(), g) as usize;
            let (regulated, senior) = (
                m(Measure::RegulatedProfessionals),
                m(Measure::SeniorManagers),
            );
            // Regulated professionals from the bottom of the list, so that
            // fitness-to-practise cases (among them) and seniors overlap
            // little.
            let total = people.len();
            for (i, (pid, k)) in people.iter().enumerate() {
                let is_reg = i >= total - regulated.min(total);
                let is_senior = i < senior;
                staff.push(vec![
                    pid.clone(),
                    svc.clone(),
                    ethnicity(g, &mut rng),
                    salary(bands, *k, &mut rng),
                    yes_no(is_reg, &mut rng),
                    yes_no(is_senior, &mut rng),
                ]);
            }
            let regulated_ids: Vec<&String> = people[total - regulated.min(total)..]
                .iter()
                .map(|p| &p.0)
                .collect();
            for (kind, n, from) in [
                ("disciplinary", m(Measure::Disciplinary), None),
                (
                    "fitness_to_practise",
                    m(Measure::FitnessToPractise),
                    Some(&regulated_ids),
                ),
                ("cpd", m(Measure::Cpd), None),
            ] {
                for i in 0..n {
                    let pid = match from {
                        Some(ids) => ids[i % ids.len().max(1)].clone(),
                        None => people[i % total.max(1)].0.clone(),
                    };
                    events.push(vec![pid.clone(), event_text(kind, &mut rng)]);
                    // Some people have two CPD records: counted once.
                    if kind == "cpd" && i % 7 == 0 {
                        events.push(vec![pid, event_text(kind, &mut rng)]);
                    }
                }
            }
            for _ in 0..m(Measure::Leavers) {
                leavers.push(vec![id("L"), svc.clone(), ethnicity(g, &mut rng)]);
            }
            let (short, appointed) = (m(Measure::Shortlisted), m(Measure::Appointed));
            for i in 0..(short + short / 2) {
                let stage = if i < appointed {
                    "appointed"
                } else if i < short {
                    "shortlisted"
                } else {
                    "applied"
                };
                recruitment.push(vec![svc.clone(), ethnicity(g, &mut rng), stage.to_string()]);
            }
            let respondents = m(Measure::SurveyRespondents);
            let h = [
                m(Measure::HarassmentPublic),
                m(Measure::HarassmentColleagues),
                m(Measure::HarassmentManagers),
            ];
            for i in 0..respondents {
                let mut row = vec![svc.clone(), ethnicity(g, &mut rng)];
                for n in h {
                    row.push(yes_no(i < n, &mut rng));
                }
                survey.push(row);
            }
        }
    }
    let mut files = Vec::new();
    let staff_head: Vec<&str> = count::STAFF.iter().copied().chain(["job_title"]).collect();
    for (name, header, mut rows) in [
        ("staff.csv", &staff_head[..], staff),
        ("leavers.csv", count::LEAVERS, leavers),
        ("events.csv", count::EVENTS, events),
        ("recruitment.csv", count::RECRUITMENT, recruitment),
        ("survey.csv", count::SURVEY, survey),
    ] {
        shuffle(&mut rows, &mut rng);
        let mut w = csv::Writer::from_writer(Vec::new());
        // Headers as an HR export might write them: spaces and capitals.
        let head: Vec<String> = header
            .iter()
            .enumerate()
            .map(|(i, h)| {
                if i == 0 {
                    format!(" {} ", h.to_uppercase())
                } else {
                    h.to_string()
                }
            })
            .collect();
        let _ = w.write_record(&head);
        for mut r in rows {
            if name == "staff.csv" {
                // An extra column, which extraction ignores.
                r.push("Social worker".into());
            }
            let _ = w.write_record(&r);
        }
        let bytes = w.into_inner().unwrap_or_default();
        files.push((
            name.to_string(),
            String::from_utf8(bytes).unwrap_or_default(),
        ));
    }
    files
}

fn shuffle<T>(v: &mut [T], rng: &mut Rng) {
    for i in (1..v.len()).rev() {
        let j = (rng.next() % (i as u64 + 1)) as usize;
        v.swap(i, j);
    }
}

fn pick<'a>(v: &'a [&'a str], rng: &mut Rng) -> &'a str {
    v[(rng.next() % v.len() as u64) as usize]
}

fn service_text(s: Service, rng: &mut Rng) -> String {
    let t = s.id();
    if rng.uniform() < 0.5 {
        t.to_string()
    } else {
        format!("{}{}", t[..1].to_uppercase(), &t[1..])
    }
}

fn ethnicity(g: Group, rng: &mut Rng) -> String {
    let u = rng.uniform();
    match g {
        Group::Unknown => pick(
            &["Not stated", "", "Prefer not to say", "Z", "not known"],
            rng,
        )
        .to_string(),
        _ if u < 0.1 => {
            let codes: &[&str] = if g == Group::White {
                &["A", "B", "C"]
            } else {
                &["D", "H", "J", "M", "N", "R", "S"]
            };
            pick(codes, rng).to_string()
        }
        _ => {
            let labels = ons_labels(g);
            let l = labels[(rng.next() % labels.len() as u64) as usize].clone();
            if u > 0.95 {
                format!(" {}", l.to_lowercase())
            } else {
                l
            }
        }
    }
}

fn salary(bands: &[Band], k: usize, rng: &mut Rng) -> String {
    let lo = bands[k].min_salary.unwrap_or(0);
    let hi = bands
        .get(k + 1)
        .and_then(|b| b.min_salary)
        .map_or(lo + 40_000, |m| m - 1);
    let lo = lo.max(18_000).min(hi);
    let x = lo + (rng.uniform() * (hi - lo) as f64) as u64;
    let u = rng.uniform();
    if u < 0.1 {
        format!("£{},{:03}", x / 1000, x % 1000).replace("£0,", "£")
    } else if u < 0.2 {
        format!("{x}.00")
    } else {
        x.to_string()
    }
}

fn yes_no(b: bool, rng: &mut Rng) -> String {
    let u = rng.uniform();
    match (b, u < 0.7) {
        (true, true) => "Yes",
        (true, false) => "Y",
        (false, true) => "No",
        (false, false) => "",
    }
    .to_string()
}

fn event_text(kind: &str, rng: &mut Rng) -> String {
    if rng.uniform() < 0.2 {
        kind.to_uppercase()
    } else {
        kind.to_string()
    }
}
