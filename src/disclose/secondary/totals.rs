//! Secondary withholding of the national and regional totals: the counts
//! of England and of the published regions that, with the councils' own
//! published counts, would pin a council's withheld or rounded count
//! (docs/disclosure.md). Pure.

use super::{ANY, Bounds, Cell, bounds, cells_of, counts, relations, shuttle};
use crate::compute::Figure;
use crate::disclose::Policy;
use crate::indicators::Service;
use std::collections::{BTreeMap, BTreeSet};

/// A national (area code empty) or regional count withheld so that the
/// published council counts it is the sum of cannot be solved for a
/// withheld or rounded one: (area code, count).
pub type Total = (String, Cell);

/// The national and regional counts to withhold (docs/disclosure.md). A
/// national count is exact, and every council's public report prints its
/// own counts: England minus the councils would give back a council's `[c]`
/// where few councils have any events (two councils with `[c]` and a
/// national count of 2 are 1 each). Each column of counts (service,
/// indicator, band, group, events or population) is solved for bounds
/// from the national and published regional sums of its councils; where a
/// council's count is pinned, the total that pins it is withheld (the
/// councils' own counts are their reports', which a council makes without
/// anyone else's data, so only the totals can give way). A total withheld
/// takes a partner among the same area's services (all services = adults +
/// children), so that the other two do not give it back. `region_of` gives
/// a council's region; a regional figure is published when at least
/// `min_region_councils` councils contributed to it; `withheld` is the
/// councils' own secondary withholding.
pub fn totals(
    figures: &[Figure],
    region_of: &dyn Fn(&str) -> Option<String>,
    min_region_councils: usize,
    withheld: &BTreeSet<(String, Cell)>,
    policy: Policy,
) -> BTreeSet<Total> {
    use crate::compute::Scope;
    let mut out = BTreeSet::new();
    if !policy.public {
        return out;
    }
    // Columns: the cells of each council, and the national and regional
    // totals, by (service, indicator, band, group, events or population).
    type Column = BTreeMap<String, (u64, Bounds)>;
    let mut columns: BTreeMap<Cell, (Column, Column)> = BTreeMap::new();
    for f in figures {
        if f.band.is_some() && f.service != Service::All && f.scope == Scope::Authority {
            continue; // not printed in any local report
        }
        for (cell, n) in cells_of(f) {
            let (councils, totals) = columns.entry(cell.clone()).or_default();
            match f.scope {
                Scope::Authority => {
                    let b = if withheld.contains(&(f.area_code.clone(), cell)) {
                        (policy.min_count, ANY)
                    } else {
                        bounds(n, policy)
                    };
                    councils.insert(f.area_code.clone(), (n, b));
                }
                Scope::National => {
                    totals.insert(String::new(), (n, (n, n)));
                }
                Scope::Region if f.councils as usize >= min_region_councils => {
                    totals.insert(f.area_code.clone(), (n, bounds(n, policy)));
                }
                Scope::Region => {}
            }
        }
    }
    for (cell, (councils, totals)) in &columns {
        let mut gone: BTreeSet<String> = BTreeSet::new();
        loop {
            let pinned = column_pins(councils, totals, &gone, region_of);
            if pinned.is_empty() {
                break;
            }
            // The total whose withholding leaves fewest pins; national last.
            let best = totals
                .keys()
                .filter(|t| !gone.contains(*t))
                .map(|t| {
                    let mut g = gone.clone();
                    g.insert(t.clone());
                    (
                        column_pins(councils, totals, &g, region_of).len(),
                        t.is_empty(),
                        t.clone(),
                    )
                })
                .min();
            let Some((_, _, t)) = best else { break };
            gone.insert(t);
        }
        out.extend(gone.into_iter().map(|t| (t, cell.clone())));
    }
    // Jointly: every council's own sums and every published total's sums
    // at once, as a reader holding every report solves them (the columns
    // above are solved one at a time, and the sums across services and
    // indicators can still pin a council's count where few councils make
    // a region). A council count still pinned withholds its region's total
    // of that count, else England's.
    joint(
        figures,
        region_of,
        min_region_councils,
        withheld,
        policy,
        &mut out,
    );
    // All services = adults + children in every area: one of the three
    // withheld alone would be the difference of the other two.
    let exact: BTreeMap<Total, u64> = columns
        .iter()
        .flat_map(|(cell, (_, totals))| {
            totals
                .iter()
                .map(move |(area, (n, _))| ((area.clone(), cell.clone()), *n))
        })
        .collect();
    let with = |t: &Total, s: Service| {
        (
            t.0.clone(),
            Cell {
                service: s,
                ..t.1.clone()
            },
        )
    };
    for t in out.clone() {
        let three = [Service::Adults, Service::Children, Service::All].map(|s| with(&t, s));
        let present: Vec<&Total> = three.iter().filter(|x| exact.contains_key(*x)).collect();
        let gone = present.iter().filter(|x| out.contains(**x)).count();
        if present.len() == 3 && gone == 1 {
            // The other service where a service is withheld (all services,
            // the headline, stays); the smaller service where it is all.
            let partner = if t.1.service == Service::All {
                present
                    .iter()
                    .filter(|x| x.1.service != Service::All)
                    .min_by_key(|x| exact[**x])
                    .map(|x| (*x).clone())
            } else {
                present
                    .iter()
                    .find(|x| x.1.service != Service::All && x.1.service != t.1.service)
                    .map(|x| (*x).clone())
            };
            out.extend(partner);
        }
    }
    out
}

/// A count of the whole release: a council's (`false`, its code) or a
/// published total's (`true`, its area: empty for England).
type Joint = (bool, String, Cell);

/// The joint check of [`totals`]: adds to `out` the totals to withhold
/// until no council count is pinned by all the sums together.
fn joint(
    figures: &[Figure],
    region_of: &dyn Fn(&str) -> Option<String>,
    min_region_councils: usize,
    withheld: &BTreeSet<(String, Cell)>,
    policy: Policy,
    out: &mut BTreeSet<Total>,
) {
    use crate::compute::Scope;
    let mut by_council: BTreeMap<&str, Vec<&Figure>> = BTreeMap::new();
    let mut totals: BTreeMap<(String, Cell), u64> = BTreeMap::new();
    for f in figures {
        match f.scope {
            Scope::Authority => by_council.entry(&f.area_code).or_default().push(f),
            Scope::Region if (f.councils as usize) < min_region_councils => {}
            Scope::Region | Scope::National => {
                for (cell, n) in cells_of(f) {
                    totals.insert((f.area_code.clone(), cell), n);
                }
            }
        }
    }
    let mut start: BTreeMap<Joint, Bounds> = BTreeMap::new();
    let mut sums: Vec<(Joint, Vec<Joint>)> = Vec::new();
    let mut members: BTreeMap<(String, Cell), Vec<Joint>> = BTreeMap::new();
    for (code, council) in &by_council {
        for (cell, n) in counts(council) {
            let b = if withheld.contains(&(code.to_string(), cell.clone())) {
                (policy.min_count, ANY)
            } else {
                bounds(n, policy)
            };
            let key = (false, code.to_string(), cell.clone());
            start.insert(key.clone(), b);
            members
                .entry((String::new(), cell.clone()))
                .or_default()
                .push(key.clone());
            if let Some(r) = region_of(code) {
                members.entry((r, cell)).or_default().push(key);
            }
        }
        for (t, parts) in relations(council) {
            let k = |c: Cell| (false, code.to_string(), c);
            sums.push((k(t), parts.into_iter().map(k).collect()));
        }
    }
    for ((area, cell), n) in &totals {
        let key = (true, area.clone(), cell.clone());
        start.insert(key.clone(), bounds(*n, policy));
        if let Some(parts) = members.get(&(area.clone(), cell.clone())) {
            sums.push((key.clone(), parts.clone()));
        }
        // All services = adults + children, in every area.
        if cell.service == Service::All {
            let part = |s: Service| {
                (
                    true,
                    area.clone(),
                    Cell {
                        service: s,
                        ..cell.clone()
                    },
                )
            };
            let parts = [part(Service::Adults), part(Service::Children)];
            if parts
                .iter()
                .all(|p| totals.contains_key(&(p.1.clone(), p.2.clone())))
            {
                sums.push((key, parts.to_vec()));
            }
        }
    }
    // The same sums over numbered counts: the whole release is thousands
    // of counts, solved again after each withholding.
    let keys: Vec<Joint> = start.keys().cloned().collect();
    let index: BTreeMap<&Joint, usize> = keys.iter().enumerate().map(|(i, k)| (k, i)).collect();
    let first: Vec<Bounds> = keys.iter().map(|k| start[k]).collect();
    let numbered: Vec<(usize, Vec<usize>)> = sums
        .iter()
        .filter_map(|(t, parts)| {
            let parts: Option<Vec<usize>> = parts.iter().map(|p| index.get(p).copied()).collect();
            Some((*index.get(t)?, parts?))
        })
        .collect();
    let pins = |out: &BTreeSet<Total>| -> Vec<Joint> {
        let mut b = first.clone();
        for (area, cell) in out {
            if let Some(i) = index.get(&(true, area.clone(), cell.clone())) {
                b[*i] = (0, ANY);
            }
        }
        let start = b.clone();
        shuttle_numbered(&mut b, &numbered);
        keys.iter()
            .enumerate()
            .filter(|(i, k)| !k.0 && start[*i].0 != start[*i].1 && b[*i].0 == b[*i].1)
            .map(|(_, k)| k.clone())
            .collect()
    };
    let mut pinned = pins(out);
    while let Some((_, code, cell)) = pinned.first().cloned() {
        let candidates = [region_of(&code).unwrap_or_default(), String::new()];
        let Some(area) = candidates.into_iter().find(|a| {
            totals.contains_key(&(a.clone(), cell.clone()))
                && !out.contains(&(a.clone(), cell.clone()))
        }) else {
            // Nothing left to withhold for this count: the councils' own
            // sums pin it, which their own withholding has ruled out.
            pinned.remove(0);
            continue;
        };
        // A population is one count whichever indicator shows it (the
        // same measure): withheld for one, it is withheld for all.
        let same: Vec<Total> = totals
            .keys()
            .filter(|(a, c)| {
                *a == area
                    && (*c == cell
                        || cell.population
                            && c.population
                            && c.service == cell.service
                            && c.minoritised == cell.minoritised
                            && c.band.is_none()
                            && cell.band.is_none()
                            && c.indicator.def().population == cell.indicator.def().population)
            })
            .cloned()
            .collect();
        out.extend(same);
        pinned = pins(out);
    }
}

/// Council counts of one column that its published totals (all but
/// `gone`) pin, and totals pinned by the councils.
fn column_pins(
    councils: &BTreeMap<String, (u64, Bounds)>,
    totals: &BTreeMap<String, (u64, Bounds)>,
    gone: &BTreeSet<String>,
    region_of: &dyn Fn(&str) -> Option<String>,
) -> Vec<String> {
    // Keys: a council's code, or "total " and the total's area.
    let mut start: BTreeMap<String, Bounds> = BTreeMap::new();
    for (c, (_, b)) in councils {
        start.insert(c.clone(), *b);
    }
    let mut relations = Vec::new();
    for (t, (_, b)) in totals {
        if gone.contains(t) {
            continue;
        }
        let members: Vec<String> = councils
            .keys()
            .filter(|c| t.is_empty() || region_of(c).as_deref() == Some(t.as_str()))
            .cloned()
            .collect();
        if members.is_empty() {
            continue;
        }
        let total = format!("total {t}");
        start.insert(total.clone(), *b);
        relations.push((total, members));
    }
    if relations.is_empty() {
        return Vec::new();
    }
    let end = shuttle(&start, &relations);
    start
        .iter()
        .filter(|(c, s)| s.0 != s.1 && end[*c].0 == end[*c].1)
        .map(|(c, _)| c.clone())
        .collect()
}

/// [`shuttle`] over counts numbered `0..b.len()`, in place.
fn shuttle_numbered(b: &mut [Bounds], relations: &[(usize, Vec<usize>)]) {
    for _ in 0..100 {
        let mut changed = false;
        for (total, parts) in relations {
            let lo: u64 = parts.iter().map(|p| b[*p].0).fold(0, u64::saturating_add);
            let hi: u64 = parts.iter().map(|p| b[*p].1).fold(0, u64::saturating_add);
            let t = b[*total];
            let nt = (t.0.max(lo), t.1.min(hi));
            if nt != t && nt.0 <= nt.1 {
                b[*total] = nt;
                changed = true;
            }
            let t = b[*total];
            for p in parts {
                let q = b[*p];
                let (others_lo, others_hi) = (lo - q.0, hi.saturating_sub(q.1));
                let nq = (
                    q.0.max(t.0.saturating_sub(others_hi)),
                    q.1.min(t.1.saturating_sub(others_lo)),
                );
                if nq != q && nq.0 <= nq.1 {
                    b[*p] = nq;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
}
