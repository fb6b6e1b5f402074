//! The national report's data tables, as tidy CSV and as an accessible
//! spreadsheet following the Analysis Function guidance "Releasing
//! statistics in spreadsheets": cover, contents and notes sheets, one table
//! per sheet with one header row, no merged cells, notes as `[note N]`,
//! shorthand `[c]` (confidential), `[x]` (not available), `[z]` (not
//! applicable). Every figure in the national report is here; nothing
//! identifies a council. This is the tables' model; `render::tables` writes
//! them as CSV and as a workbook.

use crate::compute::{Figure, Results};
use crate::config::Config;
use crate::disclose::benchmarks::Benchmarks;
use crate::disclose::{Disclosure, Policy, Shown, ShownFigure, Verdict, exact, round_to};
use crate::indicators::{INDICATORS, Service};
use crate::register::Register;

/// A table cell: a number with its display kind, or a shorthand/text.
/// Ratios and shares are held at the published precision (made by
/// [`ratio_cell`] and [`share_cell`]), so that every writer stores what it shows.
#[derive(Clone, Debug, PartialEq)]
pub enum TCell {
    Text(String),
    Count(f64),
    Ratio(f64),
    Share(f64),
}

/// A relative likelihood or limit: 2 decimal places.
fn ratio_cell(x: f64) -> TCell {
    TCell::Ratio(round_to(x, 2))
}

/// A rate or share: a proportion to 3 decimal places (a percentage to 1).
fn share_cell(x: f64) -> TCell {
    TCell::Share(round_to(x, 3))
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

fn assessment(f: &Figure, v: &ShownFigure) -> TCell {
    if !f.indicator().assessed() {
        return text(Z);
    }
    text(match v.assessment {
        Verdict::Suppressed => C,
        Verdict::WithinRange => "Within range",
        Verdict::Adverse => "Adverse",
        Verdict::Favourable => "Favourable",
        Verdict::Inconclusive => "Inconclusive",
        Verdict::NotCalculable => "Not calculable",
        Verdict::NotProvided | Verdict::None => "Not provided",
    })
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

fn figure_cells(f: &Figure, v: &ShownFigure) -> Vec<TCell> {
    let share = if f.indicator().has_share {
        shown(&v.share, share_cell)
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
        shown(&v.white_rate, share_cell),
        shown(&v.minoritised_rate, share_cell),
        shown(&v.rl, ratio_cell),
        shown(&v.lower, ratio_cell),
        shown(&v.upper, ratio_cell),
        share,
        assessment(f, v),
    ]
}

/// England's or a region's within-council figure (note 14): `[x]` where
/// there is none (pay bands, descriptive indicators, not calculable) or
/// the figure beside it is withheld.
fn within_cells(f: &Figure, v: &ShownFigure) -> Vec<TCell> {
    if !f.indicator().assessed() || f.band.is_some() {
        return vec![text(Z), text(Z), text(Z), text(Z)];
    }
    match (&v.within, v.suppressed) {
        (Some(w), false) => {
            let a = ShownFigure {
                assessment: w.assessment.into(),
                ..v.clone()
            };
            vec![
                ratio_cell(w.rl.rl),
                ratio_cell(w.rl.lower),
                ratio_cell(w.rl.upper),
                assessment(f, &a),
            ]
        }
        (_, true) => vec![text(C), text(C), text(C), text(C)],
        _ => vec![text(X), text(X), text(X), text(X)],
    }
}

const WITHIN_HEADER: [&str; 4] = [
    "Within councils: relative likelihood [note 14]",
    "Within councils: 95% CI lower [note 14]",
    "Within councils: 95% CI upper [note 14]",
    "Within councils: assessment [note 14]",
];

const FIGURE_HEADER: [&str; 13] = [
    "White events",
    "White population",
    "Minoritised events",
    "Minoritised population",
    "Unknown ethnicity events",
    "Unknown ethnicity population",
    "White rate [note 11]",
    "Minoritised rate [note 11]",
    "Relative likelihood [note 1]",
    "95% CI lower [note 2]",
    "95% CI upper [note 2]",
    "Minoritised share [note 3]",
    "Assessment [note 4]",
];

/// "1 to 7": the counts withheld under the configured threshold (at
/// least 2, checked when report.yaml is read).
pub fn small_counts(config: &Config) -> String {
    format!("1 to {}", config.disclosure.min_count.saturating_sub(1))
}

/// The notes, numbered as the headers cite them.
pub fn notes(config: &Config) -> Vec<String> {
    let mut n = vec![
        "Relative likelihood: the rate for minoritised staff divided by the rate for white staff. 1 means equally likely.".to_string(),
        "95% confidence interval by the Katz log method, without continuity correction.".into(),
        "Minoritised share of staff of known ethnicity, on indicators 1 and 9 only.".into(),
        format!(
            "Within range: the whole 95% confidence interval lies from {:.2} to {:.2}. Adverse or favourable for minoritised staff, according to the indicator's direction: the relative likelihood lies outside that range (decided exactly on the counts) and the 95% confidence interval excludes 1. Inconclusive: every other figure. Published figures rest on rounded counts: the interval shown covers the interval of every count the rounding could hide (rounded outwards) and the verdict is one every such count gives, otherwise inconclusive.",
            config.band_lower, config.band_upper
        ),
        format!(
            "Every count, England's included: counts from {1} are shown as [c] and others rounded to the nearest {2}; rates, shares and relative likelihoods are computed from the rounded counts, and shown as [c] where a count they rest on is withheld. Regional figures are published for regions with at least {0} contributing councils. Councils withheld: councils whose figure their public local report withholds.",
            config.min_region_councils,
            small_counts(config),
            config.disclosure.rounding_base,
        ),
        "Pooled: the counts of every used council return added together. A council service that left either measure blank is left out of that indicator.".into(),
        "Like for like: the councils whose returns were used in both years.".into(),
        format!("Funnel plot (all services only): every council with a figure, compared with 95% and 99.8% control limits around the national figure at its effective staff population; only with at least {} councils. The plot draws the councils whose public report shows their figure; the counts outside the limits are of every council.", config.min_spread_councils),
        "Staff: all staff in council services that provided their headcount, whatever their ethnicity. Survey response: respondents over the staff of the services that provided both.".into(),
    ];
    n.push(format!("Spread across councils: of every council with a figure, shown only where at least {} councils have one ([x] otherwise): the median and quartiles (linear interpolation, as R's type 7) of their relative likelihoods, and the tally of verdicts, each council counted by the verdict its published figures support (where its own figure is withheld, the verdict every count the [c] could hide gives, otherwise inconclusive).", config.min_spread_councils));
    n.push("Precision: rates and shares are proportions to three decimal places (a percentage to one decimal place), relative likelihoods and their limits to two decimal places; the spreadsheet stores the value it shows.".into());
    n.push("Revised: [r] marks a figure that differs from the one in the earlier release of the same year (a return added, withdrawn or corrected since); the column is there only when the run was compared with an earlier release, and revisions.csv lists every change.".into());
    n.push("Change between the years: the ratio of the two relative likelihoods (this year's over last year's) with its 95% confidence interval on the log scale, each year's standard error read back from its published interval and the years taken as independent (a cautious test); up or down only where the interval excludes 1, otherwise no clear change.".into());
    n.push("Within councils: the Mantel-Haenszel relative likelihood, which compares minoritised and white staff within each council service (each a stratum) and then combines the strata, with the Greenland-Robins 95% confidence interval; a sensitivity beside the pooled figure, which adds every council's counts together and so mixes differences between councils with differences within them. Computed from the exact counts, to two decimal places with the interval rounded outwards; assessed by the same rule as every figure (note 4).".into());
    if config.synthetic {
        n.push("These tables are made from SYNTHETIC demo data. They describe no real council and no real member of staff.".into());
    }
    n
}

/// Every table of the national report. `files` is what became of the
/// files received.
pub fn tables(
    r: &Results,
    b: &Benchmarks,
    register: &Register,
    config: &Config,
    files: super::national::Files,
    revisions: Option<&crate::revise::Revisions>,
) -> Vec<Table> {
    // With an earlier release to compare with, a last column marks every
    // revised figure [r].
    let revised = |f: &Figure| match revisions {
        Some(r) if r.revised(f) => Some(text("[r]")),
        Some(_) => Some(text("Not revised")),
        None => None,
    };
    let revised_header = revisions.map(|_| "Revised [note 12]".to_string());
    let y = &r.current;
    let mut out = Vec::new();
    let ind_cells = |f: &Figure| {
        let ind = f.indicator();
        vec![text(ind.id.as_str()), text(ind.title)]
    };
    let mut header: Vec<String> = ["Indicator", "Indicator title", "Service", "Pay band"]
        .iter()
        .map(|s| s.to_string())
        .collect();

    // Table 1: national figures.
    let mut t1 = header.clone();
    t1.extend(FIGURE_HEADER.iter().map(|s| s.to_string()));
    t1.extend(WITHIN_HEADER.iter().map(|s| s.to_string()));
    t1.push("Council services left out [note 6]".into());
    t1.extend(revised_header.clone());
    let rows = b
        .national
        .iter()
        .map(|f| {
            let mut row = ind_cells(f);
            row.push(text(f.service.label()));
            row.push(band_label(b, &f.band));
            // As published: a national figure may be withheld as the
            // partner of a council's count (docs/disclosure.md).
            let shown = if Policy::of(config).public {
                b.national_shown(f)
            } else {
                exact(f)
            };
            row.extend(figure_cells(f, &shown));
            row.extend(within_cells(f, &shown));
            row.push(TCell::Count(f.units_left_out as f64));
            row.extend(revised(f));
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
    let mut d = Disclosure::new(Policy::of(config), "national tables");
    d.withhold(&b.withheld);
    let regions = register.regions();
    header.insert(0, "Region".into());
    header.insert(0, "Region code".into());
    let mut t2 = header.clone();
    t2.insert(6, "Councils".into());
    t2.extend(FIGURE_HEADER.iter().map(|s| s.to_string()));
    t2.extend(WITHIN_HEADER.iter().map(|s| s.to_string()));
    t2.extend(revised_header);
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
            row.push(text(f.service.label()));
            row.push(band_label(b, &f.band));
            row.push(TCell::Count(f.councils as f64));
            let shown = d.figure(f);
            row.extend(figure_cells(f, &shown));
            row.extend(within_cells(f, &shown));
            row.extend(revised(f));
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
        "Median relative likelihood [note 10]",
        "Lower quartile",
        "Upper quartile",
        "Councils adverse [note 4]",
        "Councils within range [note 4]",
        "Councils favourable [note 4]",
        "Councils inconclusive [note 4]",
        "Councils not calculable",
        "Councils not provided",
        "Councils withheld [note 5]",
        "Councils in the funnel statistics [note 8]",
        "Councils drawn in the funnel plot",
        "Above the 95% limit",
        "Below the 95% limit",
        "Above the 99.8% limit",
        "Below the 99.8% limit",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let rows = b
        .spread
        .iter()
        .filter(|s| s.indicator.def().assessed())
        .map(|s| {
            let ind = s.indicator.def();
            let funnel = b.funnel(s.indicator).filter(|_| s.service == Service::All);
            // Too few councils: nothing but how many.
            let tally = |n: u32| {
                if s.shown {
                    TCell::Count(n as f64)
                } else {
                    text(X)
                }
            };
            let fc = |pick: fn(&crate::compute::Funnel) -> usize| match funnel {
                Some(f) => TCell::Count(pick(f) as f64),
                None => text(Z),
            };
            vec![
                text(ind.id.as_str()),
                text(ind.title),
                text(s.service.label()),
                text(Z),
                TCell::Count(s.councils as f64),
                opt(s.median, ratio_cell),
                opt(s.lower_quartile, ratio_cell),
                opt(s.upper_quartile, ratio_cell),
                tally(s.adverse),
                tally(s.within_range),
                tally(s.favourable),
                tally(s.inconclusive),
                tally(s.not_calculable),
                TCell::Count(s.not_provided as f64),
                tally(s.suppressed),
                fc(|f| f.councils),
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
    let count = |n: usize| TCell::Count(n as f64);
    let staff = |n: u64| TCell::Count(n as f64);
    let rows = [
        ("Councils whose returns were used", count(c.councils)),
        ("Return files received", count(files.files)),
        ("Returns rejected", count(files.rejected)),
        (
            "Councils with social care responsibilities in England",
            count(c.register_size),
        ),
        ("Returns covering adults' services", count(c.adults_returns)),
        (
            "Returns covering children's services",
            count(c.children_returns),
        ),
        ("Staff covered, all services [note 9]", staff(c.staff_all)),
        (
            "Staff covered, adults' services [note 9]",
            staff(c.staff_adults),
        ),
        (
            "Staff covered, children's services [note 9]",
            staff(c.staff_children),
        ),
        (
            "Share of staff with ethnicity not known",
            opt(c.unknown_share, share_cell),
        ),
        (
            "Council services with staff-survey figures",
            count(c.survey_services),
        ),
        ("Staff-survey respondents", staff(c.survey_respondents)),
        (
            "Staff-survey response [note 9]",
            opt(c.survey_response_rate, share_cell),
        ),
    ]
    .into_iter()
    .map(|(label, value)| vec![text(label), value])
    .collect();
    out.push(Table {
        sheet: "Table_4".into(),
        file: "table-4-coverage".into(),
        title: format!("Coverage and data quality, {}", y.year),
        header: vec!["Measure".into(), "Value".into()],
        rows,
    });

    // Table 5: year on year, all participants and like for like.
    if let Some(prev) = r.previous() {
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
            &format!("Ratio {} to {} [note 13]", y.year, prev.year),
            "Ratio 95% CI lower",
            "Ratio 95% CI upper",
            "Change [note 13]",
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
                let bands: Vec<Option<String>> = if ind.per_band {
                    b.bands.iter().map(|x| Some(x.id.clone())).collect()
                } else {
                    vec![None]
                };
                for band in bands {
                    // As published: from the rounded counts, the covering
                    // interval, withheld where a count it rests on is
                    // (docs/disclosure.md).
                    let get = |yr: &crate::compute::YearResults| {
                        yr.national(Service::All, ind.id, band.as_deref())
                            .map(|f| Disclosure::new(Policy::of(config), "table 5").figure(f))
                    };
                    let (a, z) = (get(p), get(c));
                    // The change tested on the figures as published, as the
                    // report's words state it.
                    let published_rl =
                        |v: &Option<ShownFigure>, yr: &crate::compute::YearResults| {
                            v.as_ref()
                                .filter(|v| matches!(v.rl, Some(Shown::N(_))))
                                .and_then(|_| yr.national(Service::All, ind.id, band.as_deref()))
                                .and_then(|f| Policy::of(config).published(f).rl)
                        };
                    let ch = published_rl(&z, c)
                        .zip(published_rl(&a, p))
                        .and_then(|(now, before)| crate::stats::change(&now, &before));
                    let words = |x: crate::stats::Change| match x {
                        crate::stats::Change::Up => "Up",
                        crate::stats::Change::Down => "Down",
                        crate::stats::Change::NoClearChange => "No clear change",
                    };
                    let rl =
                        |v: &Option<ShownFigure>, pick: fn(&ShownFigure) -> &Option<Shown>| match v
                        {
                            Some(v) if v.rl.is_some() => shown(pick(v), ratio_cell),
                            _ => text(X),
                        };
                    rows.push(vec![
                        text(ind.id.as_str()),
                        text(ind.title),
                        band_label(b, &band),
                        text(basis.clone()),
                        rl(&a, |v| &v.rl),
                        rl(&a, |v| &v.lower),
                        rl(&a, |v| &v.upper),
                        rl(&z, |v| &v.rl),
                        rl(&z, |v| &v.lower),
                        rl(&z, |v| &v.upper),
                        opt(ch.map(|x| x.ratio), ratio_cell),
                        opt(ch.map(|x| x.lower), ratio_cell),
                        opt(ch.map(|x| x.upper), ratio_cell),
                        ch.map_or_else(|| text(X), |x| text(words(x.change))),
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
