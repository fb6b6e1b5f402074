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

/// A figure's four compared counts (white and minoritised; events and
/// population), each with its cell.
fn cells_of(f: &Figure) -> impl Iterator<Item = (Cell, u64)> + '_ {
    [(false, f.white), (true, f.minoritised)]
        .into_iter()
        .filter_map(|(minoritised, g)| Some((minoritised, g?)))
        .flat_map(move |(minoritised, g)| {
            [(false, g.events), (true, g.population)].map(|(population, n)| {
                let cell = Cell {
                    service: f.service,
                    indicator: f.indicator,
                    band: f.band.clone(),
                    minoritised,
                    population,
                };
                (cell, n)
            })
        })
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

mod totals;
pub use totals::{Total, totals};

#[cfg(test)]
mod tests;
