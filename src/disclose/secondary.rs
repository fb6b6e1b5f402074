//! Secondary withholding within one council's public figures
//! (docs/disclosure.md). A council's published counts are tied by sums: all
//! services are adults plus children, the pay bands add up to the
//! headcount, and one headcount serves every indicator built on it. Counts
//! rounded on their own can, at the edges of their rounding, pin a withheld
//! `[c]` (pay bands 10, 35 and `[c]` against a headcount of 40 leave the
//! `[c]` exactly 1) or a rounded count. This module finds such pins by the
//! shuttle algorithm (bounds on every count from every sum, tightened until
//! nothing changes) and withholds a partner count, the smallest one that
//! is not already withheld, until no count is pinned. Pure.

use super::Policy;
use crate::compute::Figure;
use crate::indicators::{IndicatorId, Measure, Service};
use std::collections::{BTreeMap, BTreeSet};

/// One count of a council's figures, as its public report shows it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cell {
    pub service: Service,
    pub indicator: IndicatorId,
    pub band: Option<String>,
    /// White (`false`) or minoritised (`true`): the groups a local report
    /// prints counts of.
    pub minoritised: bool,
    /// Events (`false`) or population (`true`).
    pub population: bool,
}

/// What a reader knows of a count: at least `lo`, at most `hi`.
type Bounds = (u64, u64);
const ANY: u64 = u64::MAX / 4;

/// The counts of one council's figures (every figure of one council and
/// year) that must be withheld besides the small ones, so that no sum of
/// its published counts pins a withheld or rounded one.
pub fn secondary(figures: &[&Figure], policy: Policy) -> BTreeSet<Cell> {
    let mut withheld = BTreeSet::new();
    if !policy.public {
        return withheld;
    }
    let exact = counts(figures);
    let relations = relations(figures);
    // Cells a reader would pin with `withheld` withheld.
    let pins = |withheld: &BTreeSet<Cell>| -> Vec<Cell> {
        let start: BTreeMap<Cell, Bounds> = exact
            .iter()
            .map(|(c, n)| {
                let b = if withheld.contains(c) {
                    (policy.min_count, ANY)
                } else {
                    bounds(*n, policy)
                };
                (c.clone(), b)
            })
            .collect();
        let end = shuttle(&start, &relations);
        start
            .iter()
            .filter(|(c, s)| s.0 != s.1 && !withheld.contains(*c) && end[*c].0 == end[*c].1)
            .map(|(c, _)| c.clone())
            .collect()
    };
    let mut pinned = pins(&withheld);
    while !pinned.is_empty() {
        // Partners: the event counts, not 0 or withheld, in every sum that
        // holds a pinned count. Events only: a population is printed in
        // every row of its indicators, so withholding it in one place would
        // hide nothing. The one that leaves fewest counts pinned is
        // withheld; band counts (which serve one figure) and smaller counts
        // first among equals.
        let mut partners: Vec<(&Cell, u64)> = relations
            .iter()
            .filter(|(t, parts)| pinned.contains(t) || parts.iter().any(|p| pinned.contains(p)))
            .flat_map(|(t, parts)| parts.iter().chain([t]))
            .filter(|c| !c.population && !withheld.contains(*c))
            .filter_map(|c| Some((c, *exact.get(c)?)))
            .filter(|(_, n)| *n >= policy.min_count)
            .collect();
        partners.sort_by_key(|(c, n)| (c.band.is_none(), *n, (*c).clone()));
        partners.dedup();
        let best = partners
            .iter()
            .map(|(c, _)| {
                let mut w = withheld.clone();
                w.insert((*c).clone());
                let left = pins(&w);
                (left.len(), *c, left)
            })
            .min_by_key(|(n, _, _)| *n);
        // With no partner left (cannot happen with sums of two counts,
        // whose rounding leaves at least two values), stop rather than loop.
        let Some((_, c, left)) = best else { break };
        withheld.insert(c.clone());
        pinned = left;
    }
    withheld
}

/// What a reader of a public report knows of a count from its own cell.
fn bounds(n: u64, p: Policy) -> Bounds {
    if n == 0 {
        return (0, 0);
    }
    if p.small(n) {
        return (1, p.min_count - 1);
    }
    let r = p.rounded(n);
    let half = p.rounding_base / 2;
    (
        r.saturating_sub(half).max(p.min_count),
        r - half + p.rounding_base - 1,
    )
}

/// Every published count of the figures, exact. A local report prints
/// pay-band counts for all services only.
fn counts(figures: &[&Figure]) -> BTreeMap<Cell, u64> {
    let mut out = BTreeMap::new();
    for f in figures
        .iter()
        .filter(|f| f.band.is_none() || f.service == Service::All)
    {
        for (minoritised, g) in [(false, f.white), (true, f.minoritised)] {
            let Some(g) = g else { continue };
            let cell = |population| Cell {
                service: f.service,
                indicator: f.indicator,
                band: f.band.clone(),
                minoritised,
                population,
            };
            out.insert(cell(false), g.events);
            out.insert(cell(true), g.population);
        }
    }
    out
}

/// The sums that tie a council's counts: (total, parts).
fn relations(figures: &[&Figure]) -> Vec<(Cell, Vec<Cell>)> {
    let provided = |s: Service, i: IndicatorId, b: Option<&String>| {
        figures
            .iter()
            .any(|f| f.service == s && f.indicator == i && f.band.as_ref() == b && f.provided())
    };
    let cell = |s, i, b: Option<&String>, m, p| Cell {
        service: s,
        indicator: i,
        band: b.cloned(),
        minoritised: m,
        population: p,
    };
    let mut rel = Vec::new();
    let keys: BTreeSet<(IndicatorId, Option<String>)> = figures
        .iter()
        .map(|f| (f.indicator, f.band.clone()))
        .collect();
    for m in [false, true] {
        for (ind, band) in &keys {
            let b = band.as_ref();
            let services: Vec<Service> = [Service::Adults, Service::Children]
                .into_iter()
                .filter(|s| provided(*s, *ind, b))
                .collect();
            if provided(Service::All, *ind, b) && !services.is_empty() {
                for p in [false, true] {
                    rel.push((
                        cell(Service::All, *ind, b, m, p),
                        services.iter().map(|s| cell(*s, *ind, b, m, p)).collect(),
                    ));
                }
            }
        }
        // A service's population is one count, whichever indicator shows
        // it (the same measure); the pay bands add up to the headcount.
        for s in Service::ALL3 {
            let mut by_measure: BTreeMap<Measure, Vec<Cell>> = BTreeMap::new();
            for (ind, band) in &keys {
                if provided(s, *ind, band.as_ref()) && (band.is_none() || s != Service::All) {
                    by_measure
                        .entry(ind.def().population)
                        .or_default()
                        .push(cell(s, *ind, band.as_ref(), m, true));
                }
            }
            // On all services, pools differ by which services provided an
            // indicator: only indicators both services provided share it.
            for cells in by_measure.values() {
                for w in cells.windows(2) {
                    let both = |c: &Cell| {
                        s != Service::All
                            || [Service::Adults, Service::Children]
                                .iter()
                                .all(|x| provided(*x, c.indicator, c.band.as_ref()))
                    };
                    if both(&w[0]) && both(&w[1]) {
                        rel.push((w[0].clone(), vec![w[1].clone()]));
                    }
                }
            }
            let bands: Vec<Cell> = keys
                .iter()
                .filter(|(ind, band)| band.is_some() && provided(s, *ind, band.as_ref()))
                .map(|(ind, band)| cell(s, *ind, band.as_ref(), m, false))
                .collect();
            if let Some(first) = bands.first() {
                rel.push((
                    cell(s, first.indicator, first.band.as_ref(), m, true),
                    bands,
                ));
            }
        }
    }
    rel
}

/// The tightest bounds every sum allows (the shuttle algorithm).
fn shuttle<K: Ord + Clone>(
    start: &BTreeMap<K, Bounds>,
    relations: &[(K, Vec<K>)],
) -> BTreeMap<K, Bounds> {
    let mut b = start.clone();
    let get = |b: &BTreeMap<K, Bounds>, c: &K| b.get(c).copied().unwrap_or((0, ANY));
    for _ in 0..100 {
        let mut changed = false;
        for (total, parts) in relations {
            let lo: u64 = parts
                .iter()
                .map(|p| get(&b, p).0)
                .fold(0, u64::saturating_add);
            let hi: u64 = parts
                .iter()
                .map(|p| get(&b, p).1)
                .fold(0, u64::saturating_add);
            let t = get(&b, total);
            let nt = (t.0.max(lo), t.1.min(hi));
            if nt != t && nt.0 <= nt.1 {
                b.insert(total.clone(), nt);
                changed = true;
            }
            let t = get(&b, total);
            for p in parts {
                let q = get(&b, p);
                let (others_lo, others_hi) = (lo - q.0, hi.saturating_sub(q.1));
                let nq = (
                    q.0.max(t.0.saturating_sub(others_hi)),
                    q.1.min(t.1.saturating_sub(others_lo)),
                );
                if nq != q && nq.0 <= nq.1 {
                    b.insert(p.clone(), nq);
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    b
}

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
        for (minoritised, g) in [(false, f.white), (true, f.minoritised)] {
            let Some(g) = g else { continue };
            for (population, n) in [(false, g.events), (true, g.population)] {
                let cell = Cell {
                    service: f.service,
                    indicator: f.indicator,
                    band: f.band.clone(),
                    minoritised,
                    population,
                };
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
                for (minoritised, g) in [(false, f.white), (true, f.minoritised)] {
                    let Some(g) = g else { continue };
                    for (population, n) in [(false, g.events), (true, g.population)] {
                        let cell = Cell {
                            service: f.service,
                            indicator: f.indicator,
                            band: f.band.clone(),
                            minoritised,
                            population,
                        };
                        totals.insert((f.area_code.clone(), cell), n);
                    }
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
    let pins = |out: &BTreeSet<Total>| -> Vec<Joint> {
        let mut s = start.clone();
        for (area, cell) in out {
            s.insert((true, area.clone(), cell.clone()), (0, ANY));
        }
        let end = shuttle(&s, &sums);
        s.iter()
            .filter(|(k, b)| !k.0 && b.0 != b.1 && end[*k].0 == end[*k].1)
            .map(|(k, _)| k.clone())
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

#[cfg(test)]
mod tests;
