//! Carried totals: England's and each region's published counts in a
//! revision (docs/disclosure.md, "Releases side by side").
//!
//! A reader holds every release. Were a revision to publish England's
//! counts rounded afresh, new England minus old England would be the
//! changed councils' counts to within the two roundings, and with a late
//! council's own sums that can pin its counts. So a revision publishes the
//! earlier release's count of England (and of each region) plus, for each
//! council added, withdrawn or corrected since, the difference of its
//! *published* counts: its rounded counts, a `[c]` entering as a fixed
//! stand-in. The difference between the two releases is then a function of
//! what both releases publish of the changed councils, and gives nothing
//! back. The exact total lies within the carried count's rounding widened
//! by a margin, the sum of the largest error each changed council's
//! published counts can carry: also a function of what is published, and
//! published with the row (`count_margin`), so that every local report
//! computes England as the national report does. Pure.

use super::Policy;
use crate::compute::{Carried, Figure, GroupCount, Scope, YearResults};
use crate::formats::benchmarks::BenchRow;
use crate::formats::results::ResultRow;
use crate::indicators::{IndicatorId, Service};
use crate::model::Triple;
use crate::register::Register;
use std::collections::{BTreeMap, BTreeSet};

/// Which figure: service, indicator, band.
type Key = (Service, IndicatorId, Option<String>);

/// One council's published contribution to a total: six counts (white,
/// minoritised and unknown; events then population), the largest error
/// each can carry, and the exact counts (which say whether it changed).
#[derive(Clone, Copy, Default, PartialEq, Eq)]
struct Contribution {
    counts: [u64; 6],
    error: [u64; 6],
    exact: [u64; 6],
}

/// Sets the carried counts of every national and published regional
/// figure of `y`, the report year of a revision, from the earlier release
/// of the same year: `earlier` is its public benchmarks.csv, `exact` its
/// internal results.csv (the councils' exact counts, from which what it
/// published of each council is made again by the same rules). Figures the
/// earlier release did not publish with counts are rounded afresh.
pub fn apply(
    y: &mut YearResults,
    earlier: &[BenchRow],
    exact: &[ResultRow],
    register: &Register,
    policy: Policy,
) {
    if !policy.public {
        return;
    }
    let year = y.year.to_string();
    let old: Vec<Figure> = exact
        .iter()
        .filter(|r| r.year == year && r.scope == "authority")
        .filter_map(figure_of)
        .collect();
    let new: Vec<Figure> = y
        .figures
        .iter()
        .filter(|f| f.scope == Scope::Authority)
        .cloned()
        .collect();
    let before = contributions(&old, policy);
    let after = contributions(&new, policy);
    let codes: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let changed: Vec<&String> = codes
        .into_iter()
        .filter(|c| before.get(*c) != after.get(*c))
        .collect();
    // Each published count of the earlier release (`None`: a `[c]` or no
    // count), with its row's margin.
    type Row = ([Option<u64>; 6], u64);
    let published: BTreeMap<(String, String, Key), Row> = earlier
        .iter()
        .filter(|r| r.result.year == year)
        .filter(|r| r.result.scope == "national" || r.result.scope == "region")
        .filter_map(|r| {
            let counts = r.result.counts().map(|(_, s)| s.parse::<u64>().ok());
            let margin = r.extra.count_margin.parse().unwrap_or(0);
            let key = (
                r.result.scope.clone(),
                r.result.area_code.clone(),
                key_of_row(&r.result)?,
            );
            Some((key, (counts, margin)))
        })
        .collect();
    for f in y.figures.iter_mut() {
        let scope = match f.scope {
            Scope::National => "national",
            Scope::Region => "region",
            Scope::Authority => continue,
        };
        if !f.provided() {
            continue;
        }
        let key = (f.service, f.indicator, f.band.clone());
        let Some((counts, margin)) =
            published.get(&(scope.to_string(), f.area_code.clone(), key.clone()))
        else {
            continue;
        };
        let Some(exact) = six(f) else {
            continue;
        };
        // A count the earlier release withheld is rounded afresh.
        let fresh = exact.map(|n| policy.rounded(n) as i64);
        let mut total: [i64; 6] = std::array::from_fn(|i| counts[i].map_or(fresh[i], |c| c as i64));
        let mut margin = *margin;
        for code in &changed {
            let inside = f.scope == Scope::National
                || register
                    .get(code)
                    .is_some_and(|a| a.region_code == f.area_code);
            if !inside {
                continue;
            }
            let mut worst = 0;
            for (sign, side) in [(-1i64, &before), (1, &after)] {
                if let Some(c) = side.get(*code).and_then(|m| m.get(&key)) {
                    for i in (0..6).filter(|i| counts[*i].is_some()) {
                        total[i] += sign * c.counts[i] as i64;
                    }
                    worst += c.error.iter().copied().max().unwrap_or(0);
                }
            }
            margin += worst;
        }
        let t = total.map(|x| x.max(0) as u64);
        f.carried = Some(Carried {
            events: Triple {
                white: t[0],
                minoritised: t[2],
                unknown: t[4],
            },
            population: Triple {
                white: t[1],
                minoritised: t[3],
                unknown: t[5],
            },
            margin,
        });
    }
}

/// What each council's public report shows of each of its figures, as a
/// contribution to a total: rounded counts; a withheld one (`[c]`, small)
/// as the stand-in, the rounded half of the threshold; one withheld as a
/// partner by its rounded count (as its exact value is not small).
fn contributions(
    figures: &[Figure],
    policy: Policy,
) -> BTreeMap<String, BTreeMap<Key, Contribution>> {
    let stand_in = policy.rounded(policy.min_count / 2);
    let b = policy.rounding_base.max(1);
    let rounding = (b / 2).max(b - 1 - b / 2);
    let small = stand_in
        .saturating_sub(1)
        .max(policy.min_count.saturating_sub(1).saturating_sub(stand_in));
    let mut out: BTreeMap<String, BTreeMap<Key, Contribution>> = BTreeMap::new();
    for f in figures {
        let Some(exact) = six(f) else {
            continue;
        };
        let mut c = Contribution {
            exact,
            ..Contribution::default()
        };
        for (i, n) in exact.into_iter().enumerate() {
            (c.counts[i], c.error[i]) = if n == 0 {
                (0, 0)
            } else if policy.small(n) {
                (stand_in, small)
            } else {
                (policy.rounded(n), rounding)
            };
        }
        out.entry(f.area_code.clone())
            .or_default()
            .insert((f.service, f.indicator, f.band.clone()), c);
    }
    out
}

/// A figure's six counts, in the order of benchmarks.csv: white,
/// minoritised and unknown, events then population each.
fn six(f: &Figure) -> Option<[u64; 6]> {
    let (w, m, u) = (f.white?, f.minoritised?, f.unknown?);
    Some([
        w.events,
        w.population,
        m.events,
        m.population,
        u.events,
        u.population,
    ])
}

fn key_of_row(r: &ResultRow) -> Option<Key> {
    let band = (!r.band.is_empty()).then(|| r.band.clone());
    Some((
        Service::parse(&r.service)?,
        IndicatorId::parse(&r.indicator)?,
        band,
    ))
}

/// A council's figure of an earlier release, read back from its exact row:
/// its counts, which is all a contribution needs.
fn figure_of(r: &ResultRow) -> Option<Figure> {
    let n = |s: &str| s.parse::<u64>().ok();
    let g = |e: &str, p: &str| {
        Some(GroupCount {
            events: n(e)?,
            population: n(p)?,
        })
    };
    let (service, indicator, band) = key_of_row(r)?;
    let mut f = Figure::empty(
        r.year.parse().ok()?,
        Scope::Authority,
        &r.area_code,
        service,
        indicator,
        band,
    );
    f.white = g(&r.white_events, &r.white_population);
    f.minoritised = g(&r.minoritised_events, &r.minoritised_population);
    f.unknown = g(&r.unknown_events, &r.unknown_population);
    Some(f)
}
