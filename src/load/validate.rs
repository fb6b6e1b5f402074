//! The rules of a return (docs/specification.md, docs/returns.md), independent of its encoding:
//! raw cells with places in, a `Return` and every diagnostic out.

use super::diag::Diagnostic;
use crate::indicators::{Band, Measure, Service};
use crate::model::{Return, ServiceReturn, Triple};
use crate::register::Register;
use std::collections::{BTreeMap, HashMap};

pub const COLUMNS: [&str; 8] = [
    "authority_code",
    "year",
    "service",
    "measure",
    "band",
    "white",
    "minoritised",
    "unknown",
];
const GROUPS: [&str; 3] = ["white", "minoritised", "unknown"];
/// More staff, applicants or events than any council has (the largest
/// employs some tens of thousands): a larger count is a mistake, and
/// refusing it keeps every pooled sum far from overflowing.
pub const MAX_COUNT: u64 = 10_000_000;

/// One cell as read, with its place in the file.
#[derive(Clone, Debug)]
pub struct Cell {
    pub text: String,
    pub place: String,
}

/// One row as read: the eight fields in `COLUMNS` order.
#[derive(Clone, Debug)]
pub struct RawRow {
    pub place: String,
    pub cells: [Cell; 8],
}

/// What a reader got out of a file: raw rows, and problems it found on the
/// way that do not stop the rules being checked (such as an unknown key).
pub struct Read {
    pub rows: Vec<RawRow>,
    pub diags: Vec<Diagnostic>,
}

/// What validation needs to know besides the file.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub register: &'a Register,
    pub bands: &'a [Band],
    /// The year of the folder the return was found in.
    pub year: Option<i32>,
    pub unknown_warning_share: f64,
}

impl<'a> Context<'a> {
    /// The context of a run's configuration: `bands` are the year's pay bands.
    pub fn new(
        register: &'a Register,
        bands: &'a [Band],
        year: Option<i32>,
        config: &crate::config::Config,
    ) -> Self {
        Context {
            register,
            bands,
            year,
            unknown_warning_share: config.unknown_warning_share,
        }
    }
}

/// Checks every rule; the return is `Some` only when there is no error.
pub fn build(file: &str, rows: &[RawRow], ctx: &Context) -> (Option<Return>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut code: Option<String> = None;
    let mut year: Option<i32> = None;
    let mut seen: HashMap<(Service, Measure, String), String> = HashMap::new();
    // (service, measure, band) -> (counts per group, place of the row)
    let mut cells: BTreeMap<(Service, Measure, String), Counted> = BTreeMap::new();
    let mut unreadable: std::collections::HashSet<(Service, Measure, String)> = Default::default();
    // A row whose service, measure or band is not recognised is probably the
    // row that looks missing: say so once, not again as "no row for".
    let mut unrecognised = false;
    let mut other_codes: Vec<String> = Vec::new();
    let mut other_years: Vec<String> = Vec::new();
    let mut bad_years: Vec<String> = Vec::new();

    for row in rows {
        let [c_code, c_year, c_service, c_measure, c_band, cw, cm, cu] = &row.cells;

        // Council and year: one of each per return.
        let code_text = c_code.text.trim();
        match &code {
            None => {
                if check_code(file, c_code, ctx.register, &mut diags) {
                    code = Some(code_text.to_string());
                } else {
                    code = Some(String::new());
                }
            }
            Some(first)
                if first != code_text
                    && !first.is_empty()
                    && !other_codes.iter().any(|c| c == code_text) =>
            {
                other_codes.push(code_text.to_string());
                diags.push(
                    Diagnostic::error(
                        file,
                        &c_code.place,
                        "a return holds one council only, but this row is for another",
                    )
                    .value(code_text)
                    .hint(format!(
                        "the first row is for {first}; send each council's return as its own file"
                    )),
                );
            }
            _ => {}
        }
        match c_year.text.trim().parse::<i32>() {
            Ok(y) => match year {
                None => {
                    if let Some(expected) = ctx.year.filter(|e| *e != y) {
                        diags.push(
                            Diagnostic::error(
                                file,
                                &c_year.place,
                                format!("the return says {y}, but this is the {expected} collection"),
                            )
                            .value(c_year.text.clone())
                            .hint(format!(
                                "check the year (cell B4 of the workbook); a {y} return belongs with the {y} returns"
                            )),
                        );
                    }
                    year = Some(y);
                }
                Some(first) if first != y && !other_years.contains(&c_year.text) => {
                    other_years.push(c_year.text.clone());
                    diags.push(
                        Diagnostic::error(
                            file,
                            &c_year.place,
                            "a return holds one year only, but this row is for another",
                        )
                        .value(c_year.text.clone())
                        .hint(format!("the first row is for {first}")),
                    );
                }
                _ => {}
            },
            // Said once for each value, not on every row that repeats it.
            Err(_) if !bad_years.contains(&c_year.text) => {
                bad_years.push(c_year.text.clone());
                let t = c_year.text.trim();
                let first = t.split(['/', '-']).next().unwrap_or("");
                let hint = if t.contains(['/', '-'])
                    && first.len() == 4
                    && first.parse::<i32>().is_ok()
                {
                    format!(
                        "a return's year is the year collection began: write {first} for {t}, on every row"
                    )
                } else {
                    "write the collection year as four digits, such as 2024, on every row"
                        .to_string()
                };
                diags.push(
                    Diagnostic::error(
                        file,
                        &c_year.place,
                        "the year must be a whole number such as 2024",
                    )
                    .value(c_year.text.clone())
                    .hint(hint),
                )
            }
            Err(_) => {}
        }

        let service = Service::from_id(c_service.text.trim());
        if service.is_none() {
            diags.push(
                Diagnostic::error(file, &c_service.place, "unknown service")
                    .value(c_service.text.clone())
                    .hint("the service is `adults` or `children`"),
            );
        }
        let measure = Measure::from_id(c_measure.text.trim());
        if measure.is_none() {
            let all: Vec<_> = Measure::ALL.iter().map(|m| m.id()).collect();
            diags.push(
                Diagnostic::error(file, &c_measure.place, "unknown measure")
                    .value(c_measure.text.clone())
                    .hint(format!("the measures are: {}", all.join(", "))),
            );
        }
        let band = c_band.text.trim().to_string();
        let mut band_ok = true;
        if measure == Some(Measure::Headcount) {
            if !ctx.bands.iter().any(|b| b.id == band) {
                band_ok = false;
                let ids: Vec<_> = ctx.bands.iter().map(|b| b.id.as_str()).collect();
                diags.push(
                    Diagnostic::error(
                        file,
                        &c_band.place,
                        if band.is_empty() {
                            "a headcount row needs a pay band"
                        } else {
                            "unknown pay band"
                        },
                    )
                    .value(c_band.text.clone())
                    .hint(format!("the pay bands are: {}", ids.join(", "))),
                );
            }
        } else if measure.is_some() && !band.is_empty() {
            band_ok = false;
            diags.push(
                Diagnostic::error(file, &c_band.place, "only headcount rows have a pay band")
                    .value(c_band.text.clone())
                    .hint("leave the band empty on this row"),
            );
        }

        let counts = [cw, cm, cu].map(|c| parse_count(file, c, &mut diags));

        unrecognised |= service.is_none() || measure.is_none() || !band_ok;
        if let (Some(s), Some(m), true) = (service, measure, band_ok) {
            let key = (s, m, band.clone());
            if let Some(first) = seen.get(&key) {
                diags.push(
                    Diagnostic::error(
                        file,
                        &row.place,
                        "the same service, measure and band appears twice",
                    )
                    .value(format!("{} {} {}", s.id(), m.id(), band).trim().to_string())
                    .hint(format!("it first appears at {first}; keep one row")),
                );
            } else {
                seen.insert(key.clone(), row.place.clone());
                if counts.iter().any(|c| c.is_err()) {
                    // Already an error: no further warnings about this row.
                    unreadable.insert(key);
                } else {
                    cells.insert(
                        key,
                        Counted {
                            counts: counts.map(|c| c.ok().flatten()),
                            place: row.place.clone(),
                            cells: std::array::from_fn(|g| row.cells[5 + g].place.clone()),
                        },
                    );
                }
            }
        }
    }

    let mut services: BTreeMap<Service, ServiceReturn> = BTreeMap::new();
    for s in Service::REPORTED {
        if !cells
            .keys()
            .chain(unreadable.iter())
            .any(|(cs, _, _)| *cs == s)
        {
            continue; // the service is not part of this return
        }
        let mut sr = ServiceReturn::default();
        let triple = |m: Measure, band: &str, diags: &mut Vec<Diagnostic>| -> Option<Triple> {
            let what = if band.is_empty() {
                m.id().to_string()
            } else {
                format!("{} ({band})", m.id())
            };
            let key = (s, m, band.to_string());
            if unreadable.contains(&key) {
                return None;
            }
            match cells.get(&key) {
                None if unrecognised => None,
                None => {
                    diags.push(
                        Diagnostic::warning(
                            file,
                            "",
                            format!(
                                "no row for {} in {}: reported as not provided",
                                what,
                                s.id()
                            ),
                        )
                        .hint(format!(
                            "add a row for {} ({})",
                            what,
                            m.description()
                        )),
                    );
                    None
                }
                Some(Counted {
                    counts: c,
                    place,
                    cells: group_places,
                }) => match c {
                    [Some(w), Some(mi), Some(u)] => Some(Triple {
                        white: *w,
                        minoritised: *mi,
                        unknown: *u,
                    }),
                    [None, None, None] => {
                        diags.push(Diagnostic::warning(
                            file,
                            place,
                            format!("{} in {} is left blank: its indicators are reported as not provided", what, s.id()),
                        ));
                        None
                    }
                    _ => {
                        // A blank beside filled counts is not a declared gap:
                        // read as "not provided" it would drop the whole
                        // row's staff without a word (docs/decisions.md).
                        let blank: Vec<&str> = ["white", "minoritised", "unknown"]
                            .into_iter()
                            .zip(c.iter())
                            .filter(|(_, v)| v.is_none())
                            .map(|(g, _)| g)
                            .collect();
                        let first_blank = c
                            .iter()
                            .position(Option::is_none)
                            .map_or(place, |g| &group_places[g]);
                        diags.push(
                            Diagnostic::error(
                                file,
                                first_blank,
                                format!(
                                    "{} in {} has a blank count ({}) beside filled ones",
                                    what,
                                    s.id(),
                                    blank.join(", ")
                                ),
                            )
                            .hint("give all three groups' counts, 0 where there were none; leave the whole row blank only if the council does not have this figure"),
                        );
                        None
                    }
                },
            }
        };
        for b in ctx.bands {
            let t = triple(Measure::Headcount, &b.id, &mut diags);
            sr.bands.push((b.id.clone(), t));
        }
        // Staff in post are given by band: some bands given and another
        // blank or missing would drop the service's whole headcount (and
        // the five indicators divided by it) without a word.
        let given = sr.bands.iter().filter(|(_, t)| t.is_some()).count();
        if given > 0 && given < sr.bands.len() && !unrecognised {
            let missing: Vec<&str> = sr
                .bands
                .iter()
                .filter(|(_, t)| t.is_none())
                .map(|(b, _)| b.as_str())
                .collect();
            // The place of the first blank band's row, if it has one.
            let place = missing
                .iter()
                .find_map(|b| cells.get(&(s, Measure::Headcount, (*b).to_string())))
                .map(|c| c.place.clone())
                .unwrap_or_default();
            diags.push(
                Diagnostic::error(
                    file,
                    &place,
                    format!(
                        "headcount in {} is given for some pay bands but not for {}",
                        s.id(),
                        missing.join(", ")
                    ),
                )
                .hint("give the staff in post of every pay band, 0 where there are none; leave every band blank only if the council does not have its headcount"),
            );
        }
        for m in Measure::ALL
            .into_iter()
            .filter(|m| *m != Measure::Headcount)
        {
            let t = triple(m, "", &mut diags);
            sr.measures.insert(m, t);
        }
        check_containment(file, s, &sr, &cells, ctx, &mut diags);
        services.insert(s, sr);
    }
    if services.is_empty() && !diags.iter().any(|d| d.is_error()) {
        diags.push(Diagnostic::error(
            file,
            "",
            "the return has no rows for adults or children",
        ));
    }

    let ok = !diags.iter().any(|d| d.is_error());
    let ret = match (ok, code, year) {
        (true, Some(code), Some(year)) => Some(Return {
            source: file.to_string(),
            authority_code: code,
            year,
            services,
        }),
        _ => None,
    };
    (ret, diags)
}

fn check_code(file: &str, cell: &Cell, register: &Register, diags: &mut Vec<Diagnostic>) -> bool {
    let code = cell.text.trim();
    // By bytes, never by slicing text: a code may hold any character.
    let b = code.as_bytes();
    let well_formed = b.len() == 9
        && [&b"E06"[..], b"E08", b"E09", b"E10"].contains(&&b[..3])
        && b[3..].iter().all(u8::is_ascii_digit);
    if !well_formed {
        diags.push(
            Diagnostic::error(file, &cell.place, "not a council GSS code")
                .value(cell.text.clone())
                .hint("use the council's nine-character ONS code, E06, E08, E09 or E10 followed by six digits, e.g. E10000015"),
        );
        false
    } else if register.get(code).is_none() {
        diags.push(
            Diagnostic::error(file, &cell.place, "this code is not a council with social services responsibilities in the authority register")
                .value(cell.text.clone())
                .hint("check the code against data/authorities.csv"),
        );
        false
    } else {
        true
    }
}

/// A count: empty is `Ok(None)` (not provided); anything but a whole number
/// from 0 to [`MAX_COUNT`] is an error.
pub(crate) fn parse_count(
    file: &str,
    cell: &Cell,
    diags: &mut Vec<Diagnostic>,
) -> Result<Option<u64>, ()> {
    let t = cell.text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if t.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(n) = t.parse::<u64>() {
            if n <= MAX_COUNT {
                return Ok(Some(n));
            }
        }
        diags.push(
            Diagnostic::error(
                file,
                &cell.place,
                "more than 10,000,000: larger than any council's count",
            )
            .value(cell.text.chars().take(40).collect::<String>())
            .hint("check the cell: a count is a whole number of people or events"),
        );
        return Err(());
    }
    let hint = if t.starts_with(crate::load::workbook::FORMULA_CELL) {
        "the cell holds a formula with no saved value (the file was not saved by Excel): open it in Excel and save it, or type the count as a number"
    } else if t.starts_with(crate::load::workbook::DATE_CELL) {
        "Excel stored this cell as a date (typing 3/4 or 1-2 makes one): format the cell as Number, then type the count again"
    } else if t.starts_with('-') {
        "counts cannot be negative"
    } else if t.contains(',') && t.replace(',', "").bytes().all(|b| b.is_ascii_digit()) {
        "write the number without a thousands separator, e.g. 1234"
    } else if t.contains('.') {
        "counts are whole numbers of people"
    } else {
        "leave the cell empty if the figure is not known; write 0 if there were none"
    };
    diags.push(
        Diagnostic::error(file, &cell.place, "not a whole number of 0 or more")
            .value(cell.text.clone())
            .hint(hint),
    );
    Err(())
}

/// A row's three counts as read, with the row's place and each count's.
struct Counted {
    counts: [Option<u64>; 3],
    place: String,
    cells: [String; 3],
}

fn check_containment(
    file: &str,
    s: Service,
    sr: &ServiceReturn,
    cells: &BTreeMap<(Service, Measure, String), Counted>,
    ctx: &Context,
    diags: &mut Vec<Diagnostic>,
) {
    // The place of a measure's count for group `g` (a cell, `Return!G11`
    // or `line 10, column 7`), else its row's.
    let place = |m: Measure, g: usize| {
        cells
            .get(&(s, m, String::new()))
            .map(|c| c.cells[g].clone())
            .unwrap_or_default()
    };
    let headcount = sr.headcount();
    for m in Measure::ALL {
        let Some(parent) = m
            .contained_in()
            .or(m.warn_above_headcount().then_some(Measure::Headcount))
        else {
            continue;
        };
        let (Some(child), Some(outer)) = (sr.get(m), sr.get(parent)) else {
            continue;
        };
        let parent_name = if parent == Measure::Headcount {
            "headcount (all pay bands)".to_string()
        } else {
            parent.id().to_string()
        };
        for (gi, (g, (a, b))) in GROUPS
            .iter()
            .zip([
                (child.white, outer.white),
                (child.minoritised, outer.minoritised),
                (child.unknown, outer.unknown),
            ])
            .enumerate()
        {
            if a <= b {
                continue;
            }
            let rule = format!(
                "{} ({g}, {}) is {a}, more than {parent_name} ({g}) {b}",
                m.id(),
                s.id()
            );
            let d = if m.warn_above_headcount() {
                Diagnostic::warning(file, place(m, gi), rule)
                    .hint("this can happen with high turnover, but check it")
            } else {
                Diagnostic::error(file, place(m, gi), rule)
                    .value(a.to_string())
                    .hint(format!(
                        "{} is a subset of {parent_name}: check both figures",
                        m.id()
                    ))
            };
            diags.push(d);
        }
    }
    if let Some(h) = headcount {
        let total = h.total();
        if total > 0 {
            let share = h.unknown as f64 / total as f64;
            if share > ctx.unknown_warning_share {
                diags.push(
                    Diagnostic::warning(
                        file,
                        "",
                        format!(
                            "{:.0}% of {} staff have unknown ethnicity (above the {:.0}% threshold)",
                            share * 100.0,
                            s.id(),
                            ctx.unknown_warning_share * 100.0
                        ),
                    )
                    .hint("figures are less reliable when many staff have no recorded ethnicity"),
                );
            }
        }
    }
}
