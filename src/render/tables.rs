//! The national report's data tables, as tidy CSV and as an accessible
//! spreadsheet following the Analysis Function guidance "Releasing
//! statistics in spreadsheets": cover, contents and notes sheets, one table
//! per sheet with one header row, no merged cells, notes as `[note N]`,
//! shorthand `[c]` (confidential), `[x]` (not available), `[z]` (not
//! applicable). Every figure in the national report is here; nothing
//! identifies a council. Pure: returns bytes.

use super::view::{Benchmarks, Disclosure, Shown};
use crate::compute::{Figure, Results};
use crate::config::Config;
use crate::indicators::{self, INDICATORS};
use crate::register::Register;
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, Table as XTable, TableColumn, Workbook, XlsxError,
};

/// A table cell: a number with its display kind, or a shorthand/text.
#[derive(Clone, Debug, PartialEq)]
pub enum TCell {
    Text(String),
    Count(f64),
    Ratio(f64),
    Share(f64),
}

pub struct Table {
    pub sheet: String,
    pub file: String,
    pub title: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<TCell>>,
}

const C: &str = "[c]";
const X: &str = "[x]";
const Z: &str = "[z]";

fn text(s: impl Into<String>) -> TCell {
    TCell::Text(s.into())
}

fn shown(v: &Option<Shown>, kind: fn(f64) -> TCell) -> TCell {
    match v {
        Some(Shown::N(n)) => kind(*n),
        Some(Shown::T(t)) => text(*t),
        None => text(X),
    }
}

fn opt(v: Option<f64>, kind: fn(f64) -> TCell) -> TCell {
    v.map(kind).unwrap_or_else(|| text(X))
}

fn assessment(f: &Figure, suppressed: bool) -> TCell {
    if !f.indicator().assessed() {
        return text(Z);
    }
    if suppressed {
        return text(C);
    }
    match f.assessment.id() {
        "within_range" => text("Within range"),
        "adverse" => text("Adverse"),
        "favourable" => text("Favourable"),
        "not_calculable" => text("Not calculable"),
        _ => text("Not provided"),
    }
}

fn band_label(r: &Benchmarks, band: &Option<String>) -> TCell {
    match band {
        Some(b) => text(
            r.bands
                .iter()
                .find(|x| &x.id == b)
                .map(|x| x.label.clone())
                .unwrap_or_else(|| b.clone()),
        ),
        None => text(Z),
    }
}

fn service_label(s: crate::indicators::Service) -> &'static str {
    match s {
        crate::indicators::Service::Adults => "Adults",
        crate::indicators::Service::Children => "Children",
        crate::indicators::Service::All => "All services",
    }
}

fn figure_cells(f: &Figure, v: &super::view::FigView) -> Vec<TCell> {
    let share = if f.indicator().has_share() {
        shown(&v.share, TCell::Share)
    } else {
        text(Z)
    };
    vec![
        shown(&v.white_events, TCell::Count),
        shown(&v.white_population, TCell::Count),
        shown(&v.minoritised_events, TCell::Count),
        shown(&v.minoritised_population, TCell::Count),
        shown(&v.unknown_events, TCell::Count),
        shown(&v.unknown_population, TCell::Count),
        shown(&v.white_rate, TCell::Share),
        shown(&v.minoritised_rate, TCell::Share),
        shown(&v.rl, TCell::Ratio),
        shown(&v.lower, TCell::Ratio),
        shown(&v.upper, TCell::Ratio),
        share,
        assessment(f, v.suppressed),
    ]
}

const FIGURE_HEADER: [&str; 13] = [
    "White events",
    "White population",
    "Minoritised events",
    "Minoritised population",
    "Unknown ethnicity events",
    "Unknown ethnicity population",
    "White rate",
    "Minoritised rate",
    "Relative likelihood [note 1]",
    "95% CI lower [note 2]",
    "95% CI upper [note 2]",
    "Minoritised share [note 3]",
    "Assessment [note 4]",
];

/// The notes, numbered as the headers cite them.
pub fn notes(config: &Config) -> Vec<String> {
    let mut n = vec![
        "Relative likelihood: the rate for minoritised staff divided by the rate for white staff. 1 means equally likely.".to_string(),
        "95% confidence interval by the Katz log method, without continuity correction.".into(),
        "Minoritised share of staff of known ethnicity, on indicators 1 and 9 only.".into(),
        format!(
            "Within range: relative likelihood from {:.2} to {:.2} inclusive; otherwise adverse or favourable for minoritised staff according to the indicator's direction.",
            config.band_lower, config.band_upper
        ),
        format!(
            "Regional figures: published for regions with at least {} contributing councils; counts from 1 to {} are shown as [c] and others rounded to the nearest {}; rates and relative likelihoods resting on 1 to {} events in either group are shown as [c].",
            config.min_region_councils,
            config.disclosure.min_count - 1,
            config.disclosure.rounding_base,
            config.disclosure.min_count - 1
        ),
        "Pooled: the counts of every used council return added together. A council service that left either measure blank is left out of that indicator.".into(),
        "Like for like: the councils whose returns were used in both years.".into(),
        "Funnel plot (all services only): councils with a relative likelihood that would not be suppressed, compared with 95% and 99.8% control limits around the national figure at their staff population.".into(),
        "Staff: all staff in council services that provided their headcount, whatever their ethnicity. Survey response: respondents over the staff of the services that provided both.".into(),
    ];
    if config.synthetic {
        n.push("These tables are made from SYNTHETIC demo data. They describe no real council and no real member of staff.".into());
    }
    n
}

/// Every table of the national report. `files` is (files received,
/// returns rejected) from the validation outcome.
pub fn tables(
    r: &Results,
    b: &Benchmarks,
    register: &Register,
    config: &Config,
    files: (usize, usize),
) -> Vec<Table> {
    let y = &r.current;
    let mut out = Vec::new();
    let ind_cells = |f: &Figure| {
        let ind = indicators::by_id(f.indicator).expect("known indicator");
        vec![text(ind.id), text(ind.title)]
    };
    let mut header: Vec<String> = ["Indicator", "Indicator title", "Service", "Pay band"]
        .iter()
        .map(|s| s.to_string())
        .collect();

    // Table 1: national figures.
    let mut t1 = header.clone();
    t1.extend(FIGURE_HEADER.iter().map(|s| s.to_string()));
    t1.push("Council services left out [note 6]".into());
    let rows = b
        .national
        .iter()
        .map(|f| {
            let mut row = ind_cells(f);
            row.push(text(service_label(f.service)));
            row.push(band_label(b, &f.band));
            row.extend(figure_cells(f, &super::view::exact(f)));
            row.push(TCell::Count(f.units_left_out as f64));
            row
        })
        .collect();
    out.push(Table {
        sheet: "Table_1".into(),
        file: "table-1-national".into(),
        title: format!(
            "National figures by indicator and service, England, {} [note 6]",
            y.year
        ),
        header: t1,
        rows,
    });

    // Table 2: regions with enough councils, disclosure applied.
    let mut d = Disclosure {
        config,
        report: "national tables".into(),
        year: 0,
        area: String::new(),
        log: Vec::new(),
    };
    let regions = register.regions();
    header.insert(0, "Region".into());
    header.insert(0, "Region code".into());
    let mut t2 = header.clone();
    t2.insert(6, "Councils".into());
    t2.extend(FIGURE_HEADER.iter().map(|s| s.to_string()));
    let rows = b
        .regions
        .iter()
        .map(|f| {
            let name = regions
                .iter()
                .find(|(c, _)| *c == f.area_code)
                .map(|(_, n)| n.clone())
                .unwrap_or_default();
            let mut row = vec![text(f.area_code.clone()), text(name)];
            row.extend(ind_cells(f));
            row.push(text(service_label(f.service)));
            row.push(band_label(b, &f.band));
            row.push(TCell::Count(f.councils as f64));
            row.extend(figure_cells(f, &d.figure(f)));
            row
        })
        .collect();
    out.push(Table {
        sheet: "Table_2".into(),
        file: "table-2-regions".into(),
        title: format!(
            "Regional figures by indicator and service, {} [note 5]",
            y.year
        ),
        header: t2,
        rows,
    });

    // Table 3: the spread across councils.
    let t3: Vec<String> = [
        "Indicator",
        "Indicator title",
        "Service",
        "Pay band",
        "Councils with a figure",
        "Median relative likelihood",
        "Lower quartile",
        "Upper quartile",
        "Councils adverse [note 4]",
        "Councils within range [note 4]",
        "Councils favourable [note 4]",
        "Councils not calculable",
        "Councils not provided",
        "Councils in the funnel plot [note 8]",
        "Above the 95% limit",
        "Below the 95% limit",
        "Above the 99.8% limit",
        "Below the 99.8% limit",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let rows = y
        .spread
        .iter()
        .filter(|s| indicators::by_id(s.indicator).is_some_and(|i| i.assessed()))
        .map(|s| {
            let ind = indicators::by_id(s.indicator).expect("known");
            let funnel = y.funnels.iter().find(|f| {
                f.indicator == s.indicator && s.service == crate::indicators::Service::All
            });
            let fc = |pick: fn(&crate::compute::Funnel) -> usize| match funnel {
                Some(f) => TCell::Count(pick(f) as f64),
                None => text(Z),
            };
            vec![
                text(ind.id),
                text(ind.title),
                text(service_label(s.service)),
                text(Z),
                TCell::Count(s.councils as f64),
                opt(s.median, TCell::Ratio),
                opt(s.lower_quartile, TCell::Ratio),
                opt(s.upper_quartile, TCell::Ratio),
                TCell::Count(s.adverse as f64),
                TCell::Count(s.within_range as f64),
                TCell::Count(s.favourable as f64),
                TCell::Count(s.not_calculable as f64),
                TCell::Count(s.not_provided as f64),
                fc(|f| f.points.len()),
                fc(|f| f.above95),
                fc(|f| f.below95),
                fc(|f| f.above998),
                fc(|f| f.below998),
            ]
        })
        .collect();
    out.push(Table {
        sheet: "Table_3".into(),
        file: "table-3-spread".into(),
        title: format!(
            "Spread of council relative likelihoods by indicator and service, {}",
            y.year
        ),
        header: t3,
        rows,
    });

    // Table 4: coverage and data quality, as in "About the data".
    let c = &y.coverage;
    let mut rows = vec![
        vec![
            text("Councils whose returns were used"),
            TCell::Count(c.councils as f64),
        ],
        vec![
            text("Councils with social care responsibilities in England"),
            TCell::Count(c.register_size as f64),
        ],
        vec![
            text("Returns covering adults' services"),
            TCell::Count(c.adults_returns as f64),
        ],
        vec![
            text("Returns covering children's services"),
            TCell::Count(c.children_returns as f64),
        ],
        vec![
            text("Staff covered, all services [note 9]"),
            TCell::Count(c.staff_all as f64),
        ],
        vec![
            text("Staff covered, adults' services [note 9]"),
            TCell::Count(c.staff_adults as f64),
        ],
        vec![
            text("Staff covered, children's services [note 9]"),
            TCell::Count(c.staff_children as f64),
        ],
        vec![
            text("Share of staff with ethnicity not known"),
            opt(c.unknown_share, TCell::Share),
        ],
        vec![
            text("Council services with staff-survey figures"),
            TCell::Count(c.survey_services as f64),
        ],
        vec![
            text("Staff-survey respondents"),
            TCell::Count(c.survey_respondents as f64),
        ],
        vec![
            text("Staff-survey response [note 9]"),
            opt(c.survey_response_rate, TCell::Share),
        ],
    ];
    rows.insert(
        1,
        vec![text("Return files received"), TCell::Count(files.0 as f64)],
    );
    rows.insert(
        2,
        vec![text("Returns rejected"), TCell::Count(files.1 as f64)],
    );
    out.push(Table {
        sheet: "Table_4".into(),
        file: "table-4-coverage".into(),
        title: format!("Coverage and data quality, {}", y.year),
        header: vec!["Measure".into(), "Value".into()],
        rows,
    });

    // Table 5: year on year, all participants and like for like.
    if let Some(prev) = &r.previous {
        let t4: Vec<String> = [
            "Indicator",
            "Indicator title",
            "Pay band",
            "Councils compared [note 7]",
            &format!("Relative likelihood {}", prev.year),
            &format!("95% CI lower {}", prev.year),
            &format!("95% CI upper {}", prev.year),
            &format!("Relative likelihood {}", y.year),
            &format!("95% CI lower {}", y.year),
            &format!("95% CI upper {}", y.year),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let mut rows = Vec::new();
        let mut bases = vec![("All participants".to_string(), prev, y)];
        if let Some(l) = &r.like_for_like {
            bases.push((
                format!("Like for like ({} councils)", l.councils),
                &l.previous,
                &l.current,
            ));
        }
        for (basis, p, c) in bases {
            for ind in &INDICATORS {
                let bands: Vec<Option<String>> = if ind.per_band() {
                    b.bands.iter().map(|x| Some(x.id.clone())).collect()
                } else {
                    vec![None]
                };
                for band in bands {
                    let get = |yr: &crate::compute::YearResults| {
                        yr.national(crate::indicators::Service::All, ind.id, band.as_deref())
                            .and_then(|f| f.rl)
                    };
                    let (a, z) = (get(p), get(c));
                    rows.push(vec![
                        text(ind.id),
                        text(ind.title),
                        band_label(b, &band),
                        text(basis.clone()),
                        opt(a.map(|r| r.rl), TCell::Ratio),
                        opt(a.map(|r| r.lower), TCell::Ratio),
                        opt(a.map(|r| r.upper), TCell::Ratio),
                        opt(z.map(|r| r.rl), TCell::Ratio),
                        opt(z.map(|r| r.lower), TCell::Ratio),
                        opt(z.map(|r| r.upper), TCell::Ratio),
                    ]);
                }
            }
        }
        out.push(Table {
            sheet: "Table_5".into(),
            file: "table-5-year-on-year".into(),
            title: format!(
                "National relative likelihoods, {} and {}, all services",
                prev.year, y.year
            ),
            header: t4,
            rows,
        });
    }
    out
}

/// A table as tidy CSV: one header row, shorthand as text, full precision.
pub fn csv(t: &Table) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(&t.header).expect("writing to memory");
    for r in &t.rows {
        let rec: Vec<String> = r
            .iter()
            .map(|c| match c {
                TCell::Text(s) => s.clone(),
                TCell::Count(n) => format!("{}", *n as i64),
                TCell::Ratio(x) | TCell::Share(x) => crate::publish::decimal(*x),
            })
            .collect();
        w.write_record(&rec).expect("writing to memory");
    }
    w.into_inner().expect("writing to memory")
}

/// The accessible workbook of all tables.
pub fn xlsx(tables: &[Table], config: &Config, year: i32) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let (y, m, d) = config.release_ymd().unwrap_or((year, 1, 1));
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("SC-WRES national tables {year}"))
            .set_author(&config.publication.producer)
            .set_creation_datetime(&ExcelDateTime::from_ymd(y.clamp(1900, 9999) as u16, m, d)?),
    );
    let title = Format::new().set_bold().set_font_size(15);
    let wrap = Format::new().set_text_wrap();
    let count = Format::new().set_num_format("#,##0");
    let ratio = Format::new().set_num_format("0.00");
    let share = Format::new().set_num_format("0.0%");
    let p = &config.publication;

    let cover = wb.add_worksheet().set_name("Cover")?;
    cover.set_column_width(0, 110)?;
    cover.write_string_with_format(
        0,
        0,
        format!("Social Care Workforce Race Equality Standard: national tables, {year}"),
        &title,
    )?;
    let mut lines = vec![
        "These tables hold every figure of the national SC-WRES report. They name no council.".to_string(),
        format!("Published {} by {}.", p.release_date, p.producer),
        format!("Contact: {}, {}.", p.contact_name, p.contact_email),
        "Source: SC-WRES data returns from participating councils.".into(),
        "Shorthand: [c] confidential (withheld to protect staff), [x] not available (not provided or not calculable), [z] not applicable.".into(),
        "The notes cited in table titles and headers as [note N] are on the Notes sheet.".into(),
    ];
    if config.synthetic {
        lines.insert(0, "SYNTHETIC DEMO DATA: these tables describe no real council and no real member of staff.".into());
    }
    for (i, l) in lines.iter().enumerate() {
        cover.write_string_with_format(1 + i as u32, 0, l, &wrap)?;
    }

    let contents = wb.add_worksheet().set_name("Contents")?;
    contents.set_column_width(0, 14)?;
    contents.set_column_width(1, 100)?;
    contents.write_string_with_format(0, 0, "Contents", &title)?;
    contents.write_string(1, 0, "This worksheet contains one table.")?;
    contents.write_string(2, 0, "Sheet name")?;
    contents.write_string(2, 1, "Table title")?;
    for (i, t) in tables.iter().enumerate() {
        contents.write_string(3 + i as u32, 0, &t.sheet)?;
        contents.write_string(3 + i as u32, 1, &t.title)?;
    }
    contents.add_table(
        2,
        0,
        2 + tables.len() as u32,
        1,
        &XTable::new().set_name("contents").set_columns(&[
            TableColumn::new().set_header("Sheet name"),
            TableColumn::new().set_header("Table title"),
        ]),
    )?;

    let notes_ws = wb.add_worksheet().set_name("Notes")?;
    notes_ws.set_column_width(0, 12)?;
    notes_ws.set_column_width(1, 110)?;
    notes_ws.write_string_with_format(0, 0, "Notes", &title)?;
    notes_ws.write_string(1, 0, "This worksheet contains one table.")?;
    let notes = notes(config);
    for (i, n) in notes.iter().enumerate() {
        notes_ws.write_string(3 + i as u32, 0, format!("note {}", i + 1))?;
        notes_ws.write_string_with_format(3 + i as u32, 1, n, &wrap)?;
    }
    notes_ws.add_table(
        2,
        0,
        2 + notes.len() as u32,
        1,
        &XTable::new().set_name("notes").set_columns(&[
            TableColumn::new().set_header("Note number"),
            TableColumn::new().set_header("Note text"),
        ]),
    )?;

    for t in tables {
        let ws = wb.add_worksheet().set_name(&t.sheet)?;
        ws.write_string_with_format(0, 0, &t.title, &title)?;
        ws.write_string(
            1,
            0,
            "This worksheet contains one table. Notes are on the Notes sheet.",
        )?;
        let top = 2u32;
        for (c, h) in t.header.iter().enumerate() {
            ws.set_column_width(
                c as u16,
                if c == 1 || (c == 3 && t.sheet == "Table_2") {
                    40
                } else {
                    16
                },
            )?;
            ws.write_string(top, c as u16, h)?;
        }
        for (i, row) in t.rows.iter().enumerate() {
            let r = top + 1 + i as u32;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    TCell::Text(s) => ws.write_string(r, c, s)?,
                    TCell::Count(n) => ws.write_number_with_format(r, c, *n, &count)?,
                    TCell::Ratio(x) => ws.write_number_with_format(r, c, *x, &ratio)?,
                    TCell::Share(x) => ws.write_number_with_format(r, c, *x, &share)?,
                };
            }
        }
        let columns: Vec<TableColumn> = t
            .header
            .iter()
            .map(|h| TableColumn::new().set_header(h))
            .collect();
        let last = top + t.rows.len().max(1) as u32;
        ws.add_table(
            top,
            0,
            last,
            t.header.len() as u16 - 1,
            &XTable::new()
                .set_name(t.sheet.to_lowercase())
                .set_columns(&columns),
        )?;
    }
    wb.save_to_buffer()
}
