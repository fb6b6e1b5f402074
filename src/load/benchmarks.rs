//! Reader for a published `benchmarks.csv`: everything a council needs to
//! build its own local report without anyone else's data. National figures
//! are read as counts and computed again by `compute`, with the same code as
//! the national run, so nothing can drift; regional figures and the
//! anonymous funnel points are read as published (disclosure-controlled).
//!
//! The national run builds its own local reports from these same bytes, so
//! the two routes cannot differ.

use crate::indicators::Service;
use crate::model::Triple;

/// The national counts of one (service, indicator, band).
#[derive(Clone, Debug, PartialEq)]
pub struct NationalCounts {
    pub service: Service,
    pub indicator: &'static str,
    pub band: Option<String>,
    /// `None` when the indicator was not provided by any council.
    pub counts: Option<(Triple, Triple)>,
    pub units_left_out: u32,
}

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
    pub indicator: &'static str,
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
    pub indicator: &'static str,
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
    let mut rdr = csv::Reader::from_reader(bytes);
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| format!("{file}: {e}"))?
        .iter()
        .map(String::from)
        .collect();
    let col = |name: &str| {
        header.iter().position(|h| h == name).ok_or(format!(
            "{file}: no column `{name}`; is this a benchmarks.csv from scwres 0.2 or later?"
        ))
    };
    let c = Cols {
        year: col("year")?,
        scope: col("scope")?,
        area: col("area_code")?,
        service: col("service")?,
        ind: col("indicator")?,
        band: col("band")?,
        counts: [
            col("white_events")?,
            col("white_population")?,
            col("minoritised_events")?,
            col("minoritised_population")?,
            col("unknown_events")?,
            col("unknown_population")?,
        ],
        rl: col("relative_likelihood")?,
        lower: col("ci_lower")?,
        upper: col("ci_upper")?,
        share: col("minoritised_share")?,
        assessment: col("assessment")?,
        councils: col("councils")?,
        left: col("units_left_out")?,
        staff: col("funnel_staff")?,
        synthetic: col("synthetic")?,
    };
    let mut p = Published {
        year: 0,
        synthetic: false,
        national: Vec::new(),
        regions: Vec::new(),
        funnel_points: Vec::new(),
    };
    let mut the_year = None;
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let at = |what: &str| format!("{file}, line {line}: {what}");
        let rec = rec.map_err(|e| at(&e.to_string()))?;
        let y: i32 = rec[c.year]
            .parse()
            .map_err(|_| at(&format!("year `{}` is not a year", &rec[c.year])))?;
        if *the_year.get_or_insert(y) != y {
            return Err(at("rows for more than one year"));
        }
        match &rec[c.synthetic] {
            "true" => p.synthetic = true,
            "false" => {}
            s => return Err(at(&format!("synthetic `{s}` must be true or false"))),
        }
        let service = match &rec[c.service] {
            "all" => Service::All,
            s => Service::from_id(s).ok_or(at(&format!("service `{s}` is not known")))?,
        };
        let indicator = crate::indicators::by_id(&rec[c.ind])
            .ok_or(at(&format!("indicator `{}` is not known", &rec[c.ind])))?
            .id;
        let band = Some(rec[c.band].to_string()).filter(|b| !b.is_empty());
        let cell = |k: usize| -> Result<Cell, String> {
            match &rec[k] {
                "" => Ok(Cell::Empty),
                "[c]" => Ok(Cell::Suppressed),
                s => s
                    .parse()
                    .map(Cell::N)
                    .map_err(|_| at(&format!("column `{}`: `{s}` is not a number", header[k]))),
            }
        };
        match &rec[c.scope] {
            "national" => {
                let n: Vec<Option<u64>> = c.counts.iter().map(|k| rec[*k].parse().ok()).collect();
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
                    _ if c.counts.iter().all(|k| rec[*k].is_empty()) => None,
                    _ => return Err(at("national counts must be whole numbers")),
                };
                p.national.push(NationalCounts {
                    service,
                    indicator,
                    band,
                    counts,
                    units_left_out: rec[c.left].parse().unwrap_or(0),
                });
            }
            "region" => {
                let mut counts = [Cell::Empty; 6];
                for (slot, k) in counts.iter_mut().zip(c.counts) {
                    *slot = cell(k)?;
                }
                p.regions.push(RegionFigure {
                    area_code: rec[c.area].to_string(),
                    service,
                    indicator,
                    band,
                    counts,
                    rl: cell(c.rl)?,
                    lower: cell(c.lower)?,
                    upper: cell(c.upper)?,
                    share: cell(c.share)?,
                    assessment: rec[c.assessment].to_string(),
                    councils: rec[c.councils].parse().unwrap_or(0),
                });
            }
            "funnel_point" => {
                let (Cell::N(staff), Cell::N(rl)) = (cell(c.staff)?, cell(c.rl)?) else {
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

struct Cols {
    year: usize,
    scope: usize,
    area: usize,
    service: usize,
    ind: usize,
    band: usize,
    counts: [usize; 6],
    rl: usize,
    lower: usize,
    upper: usize,
    share: usize,
    assessment: usize,
    councils: usize,
    left: usize,
    staff: usize,
    synthetic: usize,
}
