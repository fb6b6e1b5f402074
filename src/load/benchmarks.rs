//! Reader for a published `benchmarks.csv`: everything a council needs to
//! build its own local report without anyone else's data. National figures
//! are read as counts and computed again by `compute`, with the same code as
//! the national run, so nothing can drift; regional figures and the
//! anonymous funnel points are read as published (disclosure-controlled).
//!
//! The national run builds its own local reports from these same bytes, so
//! the two routes cannot differ. The row type is `formats::benchmarks`'s.

use crate::formats::benchmarks as format;
use crate::indicators::{IndicatorId, Service};
use crate::model::Triple;

/// The national counts of one (service, indicator, band).
#[derive(Clone, Debug, PartialEq)]
pub struct NationalCounts {
    pub service: Service,
    pub indicator: IndicatorId,
    pub band: Option<String>,
    /// `None` when the indicator was not provided by any council, or is
    /// withheld.
    pub counts: Option<(Triple, Triple)>,
    /// A count is withheld (`[c]`): the figure is not published.
    pub withheld: bool,
    pub units_left_out: u32,
    /// The funnel's overdispersion (phi, tau2), on the row of service
    /// "all" of an indicator with a funnel.
    pub funnel: Option<(f64, f64)>,
    /// How far beyond their rounding the exact counts may lie (counts
    /// carried from an earlier release; 0 otherwise).
    pub margin: u64,
}

/// The largest national count read: a return's largest count
/// ([`crate::load::validate::MAX_COUNT`]) for each of a million councils.
pub const MAX_NATIONAL: u64 = crate::load::validate::MAX_COUNT * 1_000_000;

/// A published cell: blank, a number, or `[c]` (suppressed).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cell {
    Empty,
    N(f64),
    Suppressed,
}

/// A regional figure exactly as published.
#[derive(Clone, Debug, PartialEq)]
pub struct RegionFigure {
    pub area_code: String,
    pub service: Service,
    pub indicator: IndicatorId,
    pub band: Option<String>,
    /// White, minoritised and unknown events and population, in the order of
    /// the columns.
    pub counts: [Cell; 6],
    pub rl: Cell,
    pub lower: Cell,
    pub upper: Cell,
    pub share: Cell,
    /// An assessment id, `suppressed`, or empty.
    pub assessment: String,
    pub councils: u32,
}

/// One anonymous council point of a funnel plot: staff (rounded) and RL.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FunnelPoint {
    pub indicator: IndicatorId,
    pub staff: f64,
    pub rl: f64,
}

/// Everything a published benchmarks file holds.
#[derive(Clone, Debug, PartialEq)]
pub struct Published {
    pub year: i32,
    /// Made from synthetic demo data: every report made with it says so.
    pub synthetic: bool,
    pub national: Vec<NationalCounts>,
    pub regions: Vec<RegionFigure>,
    pub funnel_points: Vec<FunnelPoint>,
}

/// Reads a benchmarks file. `file` names it in messages.
pub fn read(file: &str, bytes: &[u8]) -> Result<Published, String> {
    let mut p = Published {
        year: 0,
        synthetic: false,
        national: Vec::new(),
        regions: Vec::new(),
        funnel_points: Vec::new(),
    };
    let mut the_year = None;
    let mut seen = std::collections::HashSet::new();
    for (line, row) in format::read(file, bytes)? {
        let at = |what: &str| format!("{file}, line {line}: {what}");
        let y: i32 = row
            .result
            .year
            .parse()
            .map_err(|_| at(&format!("year `{}` is not a year", row.result.year)))?;
        if *the_year.get_or_insert(y) != y {
            return Err(at("rows for more than one year"));
        }
        match row.extra.synthetic.as_str() {
            "true" => p.synthetic = true,
            "false" => {}
            s => return Err(at(&format!("synthetic `{s}` must be true or false"))),
        }
        let service = Service::parse(&row.result.service).ok_or(at(&format!(
            "service `{}` is not known",
            row.result.service
        )))?;
        let indicator = IndicatorId::parse(&row.result.indicator).ok_or(at(&format!(
            "indicator `{}` is not known",
            row.result.indicator
        )))?;
        let band = Some(row.result.band.clone()).filter(|b| !b.is_empty());
        let cell = |name: &str, s: &str| -> Result<Cell, String> {
            match s {
                "" => Ok(Cell::Empty),
                "[c]" => Ok(Cell::Suppressed),
                s => match s.parse::<f64>() {
                    Ok(x) if x.is_finite() && x >= 0.0 && x <= MAX_NATIONAL as f64 => {
                        Ok(Cell::N(x))
                    }
                    _ => Err(at(&format!(
                        "column `{name}`: `{s}` is not a number of 0 or more"
                    ))),
                },
            }
        };
        let counts = row.result.counts();
        let r = &row.result;
        if r.scope != "funnel_point"
            && !seen.insert((
                r.scope.clone(),
                r.area_code.clone(),
                service,
                indicator,
                band.clone(),
            ))
        {
            return Err(at("a second row for the same figure"));
        }
        match row.result.scope.as_str() {
            "national" => {
                // Bounded as a return's counts are, times the most councils
                // a register can hold: no sum or product of them overflows.
                // Counts of unknown ethnicity enter no statistic: a `[c]`
                // there (1 to min_count - 1 staff) leaves the figure whole,
                // and is read as 0.
                let n: Vec<Option<u64>> = counts
                    .iter()
                    .enumerate()
                    .map(|(i, (_, s))| match *s {
                        "[c]" if i >= 4 => Some(0),
                        s => s.parse().ok().filter(|n| *n <= MAX_NATIONAL),
                    })
                    .collect();
                let counts = match n.as_slice() {
                    [Some(we), Some(wp), Some(me), Some(mp), Some(ue), Some(up)] => Some((
                        Triple {
                            white: *we,
                            minoritised: *me,
                            unknown: *ue,
                        },
                        Triple {
                            white: *wp,
                            minoritised: *mp,
                            unknown: *up,
                        },
                    )),
                    _ if counts.iter().all(|(_, s)| s.is_empty()) => None,
                    _ if counts.iter().any(|(_, s)| *s == "[c]")
                        && counts
                            .iter()
                            .all(|(_, s)| *s == "[c]" || s.parse::<u64>().is_ok()) =>
                    {
                        None
                    }
                    _ => {
                        return Err(at(&format!(
                            "national counts must be whole numbers from 0 to {MAX_NATIONAL} (found {})",
                            counts
                                .iter()
                                .map(|(_, s)| *s)
                                .find(|s| s
                                    .parse::<u64>()
                                    .map_or(*s != "[c]", |n| n > MAX_NATIONAL))
                                .unwrap_or("")
                        )));
                    }
                };
                let withheld =
                    counts.is_none() && row.result.counts()[..4].iter().any(|(_, s)| *s == "[c]");
                let funnel = match (
                    cell("funnel_phi", &row.extra.funnel_phi)?,
                    cell("funnel_tau2", &row.extra.funnel_tau2)?,
                ) {
                    (Cell::N(phi), Cell::N(tau2)) => Some((phi, tau2)),
                    (Cell::Empty, Cell::Empty) => None,
                    _ => return Err(at("funnel_phi and funnel_tau2 go together")),
                };
                p.national.push(NationalCounts {
                    service,
                    indicator,
                    band,
                    counts,
                    withheld,
                    units_left_out: row.extra.units_left_out.parse().unwrap_or(0),
                    funnel,
                    margin: match row.extra.count_margin.as_str() {
                        "" => 0,
                        s => s
                            .parse()
                            .ok()
                            .filter(|m| *m <= MAX_NATIONAL)
                            .ok_or_else(|| at(&format!("column `count_margin`: `{s}` is not a whole number of 0 or more")))?,
                    },
                });
            }
            "region" => {
                let mut cells = [Cell::Empty; 6];
                for (slot, (name, s)) in cells.iter_mut().zip(counts) {
                    *slot = cell(name, s)?;
                }
                let (rl, lower, upper) = (
                    cell("relative_likelihood", &row.result.relative_likelihood)?,
                    cell("ci_lower", &row.result.ci_lower)?,
                    cell("ci_upper", &row.result.ci_upper)?,
                );
                if let (Cell::N(rl), Cell::N(lo), Cell::N(hi)) = (rl, lower, upper)
                    && !(lo <= rl && rl <= hi)
                {
                    return Err(at("the relative likelihood lies outside its interval"));
                }
                p.regions.push(RegionFigure {
                    area_code: row.result.area_code.clone(),
                    service,
                    indicator,
                    band,
                    counts: cells,
                    rl,
                    lower,
                    upper,
                    share: cell("minoritised_share", &row.result.minoritised_share)?,
                    assessment: row.result.assessment.clone(),
                    councils: row.extra.councils.parse().unwrap_or(0),
                });
            }
            "funnel_point" => {
                let (Cell::N(staff), Cell::N(rl)) = (
                    cell("funnel_staff", &row.extra.funnel_staff)?,
                    cell("relative_likelihood", &row.result.relative_likelihood)?,
                ) else {
                    return Err(at(
                        "a funnel point needs funnel_staff and relative_likelihood",
                    ));
                };
                p.funnel_points.push(FunnelPoint {
                    indicator,
                    staff,
                    rl,
                });
            }
            s => return Err(at(&format!("scope `{s}` is not known"))),
        }
    }
    p.year = the_year.ok_or(format!("{file}: no rows"))?;
    if p.national.is_empty() {
        return Err(format!("{file}: no national rows"));
    }
    Ok(p)
}
