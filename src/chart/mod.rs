//! Chart: figures in, SVG out (plotters), in the Government Analysis
//! Function style: its categorical palette in order, horizontal grid lines
//! only, an x-axis line only, direct labels instead of legends, relative
//! likelihoods on a log scale. Titles, subtitles and text alternatives are
//! written by the report templates from the same figures, as real text.
//! Pure: returns SVG text; writes nothing.

use plotters::coord::Shift;
use plotters::coord::ranged1d::Ranged;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub use crate::compute::Limits;

/// The Analysis Function categorical palette, in the order it must be used.
pub const PALETTE: [RGBColor; 4] = [
    RGBColor(0x12, 0x43, 0x6D),
    RGBColor(0x28, 0xA1, 0x97),
    RGBColor(0x80, 0x16, 0x50),
    RGBColor(0xF4, 0x6A, 0x25),
];
/// Cell size, in pixels, within which funnel points are drawn once.
const CELL: f64 = 5.0;

/// Grey for everything but the focus in a focus chart. Darker than the
/// Analysis Function's #BFC1C3 so the points keep a 3:1 contrast with white
/// (WCAG 1.4.11).
pub const NON_FOCUS: RGBColor = RGBColor(0x8C, 0x8C, 0x8C);
const GRID: RGBColor = RGBColor(0xD9, 0xD9, 0xD9);
const TEXT: RGBColor = RGBColor(0x0B, 0x0C, 0x0C);
const BAND: RGBColor = RGBColor(0xEA, 0xEF, 0xF4);
/// The house font, embedded in the binary and given to typst.
pub const FONT: &str = "Open Sans";

const W: u32 = 720;
const H: u32 = 340;

/// One point with its 95% interval, in series `series` (0 = first colour).
#[derive(Clone, Debug)]
pub struct RlPoint {
    pub category: String,
    pub series: usize,
    pub rl: f64,
    pub lower: f64,
    pub upper: f64,
}

/// One bar of a share chart: a category, a series and a share in 0..1.
#[derive(Clone, Debug)]
pub struct Bar {
    pub category: String,
    pub series: usize,
    pub share: f64,
}

fn style(size: u32, pos: Pos) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font())
        .color(&TEXT)
        .pos(pos)
}

/// Relative likelihoods by category on a log scale, with intervals, the
/// assessment band shaded and labelled, parity marked, values labelled.
/// `series_names` label each series directly beside its first point.
pub fn rl_chart(
    categories: &[String],
    points: &[RlPoint],
    series_names: &[String],
    band: (f64, f64),
    note: Option<&str>,
) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (W, H)).into_drawing_area();
        draw_rl(&root, categories, points, series_names, band).map_err(|e| e.to_string())?;
        draw_note(&root, note).map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

fn draw_rl<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    categories: &[String],
    points: &[RlPoint],
    series_names: &[String],
    band: (f64, f64),
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let lo = points
        .iter()
        .map(|p| p.lower)
        .fold(band.0, f64::min)
        .max(0.05);
    let hi = points
        .iter()
        .map(|p| p.upper)
        .fold(band.1, f64::max)
        .min(20.0);
    let (ymin, ymax) = (lo / 1.25, hi * 1.25);
    let n = categories.len().max(1) as f64;
    let (x0, x1) = (-0.5, n - 0.5);
    let mut chart = ChartBuilder::on(root)
        .margin_left(58)
        .margin_right(90)
        .margin_top(14)
        .margin_bottom(46)
        .build_cartesian_2d(x0..x1, (ymin..ymax).log_scale())?;

    // The assessment band, shaded and labelled directly.
    chart.draw_series(std::iter::once(Rectangle::new(
        [(x0, band.0), (x1, band.1)],
        BAND.filled(),
    )))?;
    chart.draw_series(std::iter::once(
        EmptyElement::at((x1, (band.0 * band.1).sqrt()))
            + Text::new(
                format!("{:.2} to {:.2}", band.0, band.1),
                (6, 0),
                style(12, Pos::new(HPos::Left, VPos::Center)),
            ),
    ))?;
    // Horizontal grid lines with labels, parity drawn darker; the x-axis line.
    let ticks: Vec<(f64, String)> = log_ticks(ymin, ymax)
        .into_iter()
        .map(|t| (t, tick_label(t)))
        .collect();
    axes(&mut chart, (x0, x1), &ticks, Some(1.0), Some(ymin))?;
    // Category labels.
    for (i, c) in categories.iter().enumerate() {
        chart.draw_series(std::iter::once(
            EmptyElement::at((i as f64, ymin))
                + Text::new(
                    c.clone(),
                    (0, 10),
                    style(13, Pos::new(HPos::Center, VPos::Top)),
                ),
        ))?;
    }
    let nseries = points.iter().map(|p| p.series + 1).max().unwrap_or(1);
    let offset = |s: usize| {
        if nseries == 1 {
            0.0
        } else {
            (s as f64 - (nseries - 1) as f64 / 2.0) * 0.28
        }
    };
    let mut labelled = vec![false; nseries];
    for p in points {
        let Some(ci) = categories.iter().position(|c| *c == p.category) else {
            continue;
        };
        let x = ci as f64 + offset(p.series);
        let colour = PALETTE[p.series % PALETTE.len()];
        let line = colour.stroke_width(2);
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x, p.lower.max(ymin)), (x, p.upper.min(ymax))],
            line,
        )))?;
        for end in [p.lower, p.upper] {
            if (ymin..=ymax).contains(&end) {
                chart.draw_series(std::iter::once(
                    EmptyElement::at((x, end)) + PathElement::new(vec![(-5, 0), (5, 0)], line),
                ))?;
            }
        }
        // Series are told apart by shape as well as colour.
        if p.series == 0 {
            chart.draw_series(std::iter::once(Circle::new((x, p.rl), 5, colour.filled())))?;
        } else {
            chart.draw_series(std::iter::once(
                EmptyElement::at((x, p.rl)) + TriangleMarker::new((0, 0), 6, colour.filled()),
            ))?;
        }
        chart.draw_series(std::iter::once(
            EmptyElement::at((x, p.rl))
                + Text::new(
                    format!("{:.2}", p.rl),
                    (9, 0),
                    style(12, Pos::new(HPos::Left, VPos::Center)),
                ),
        ))?;
        if !labelled[p.series] {
            if let Some(name) = series_names.get(p.series) {
                labelled[p.series] = true;
                chart.draw_series(std::iter::once(
                    EmptyElement::at((x, p.upper.min(ymax)))
                        + Text::new(
                            name.clone(),
                            (0, -8),
                            style(12, Pos::new(HPos::Center, VPos::Bottom)).color(&colour),
                        ),
                ))?;
            }
        }
    }
    Ok(())
}

/// Grouped bars of shares (0..1) with a dashed reference line, labelled.
pub fn share_chart(
    categories: &[String],
    bars: &[Bar],
    series_names: &[String],
    reference: Option<(String, f64)>,
    note: Option<&str>,
) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (W, H)).into_drawing_area();
        draw_shares(&root, categories, bars, series_names, reference).map_err(|e| e.to_string())?;
        draw_note(&root, note).map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

fn draw_shares<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    categories: &[String],
    bars: &[Bar],
    series_names: &[String],
    reference: Option<(String, f64)>,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let top = bars
        .iter()
        .map(|b| b.share)
        .chain(reference.iter().map(|r| r.1))
        .fold(0.05, f64::max);
    let step = if top > 0.5 {
        0.2
    } else if top > 0.2 {
        0.1
    } else {
        0.05
    };
    let ymax = ((top * 1.2) / step).ceil() * step;
    let n = categories.len().max(1) as f64;
    let (x0, x1) = (-0.5, n - 0.5);
    let mut chart = ChartBuilder::on(root)
        .margin_left(58)
        .margin_right(110)
        .margin_top(14)
        .margin_bottom(46)
        .build_cartesian_2d(x0..x1, 0.0..ymax)?;
    let ticks: Vec<(f64, String)> = (0..)
        .map(|i| i as f64 * step)
        .take_while(|t| *t <= ymax + 1e-9)
        .map(|t| (t, format!("{:.0}%", t * 100.0)))
        .collect();
    // The x-axis line is drawn after the bars, over their feet.
    axes(&mut chart, (x0, x1), &ticks, None, None)?;
    let nseries = bars.iter().map(|b| b.series + 1).max().unwrap_or(1);
    let width = 0.7 / nseries as f64;
    for b in bars {
        let Some(ci) = categories.iter().position(|c| *c == b.category) else {
            continue;
        };
        let left = ci as f64 - 0.35 + b.series as f64 * width;
        let colour = PALETTE[b.series % PALETTE.len()];
        chart.draw_series(std::iter::once(Rectangle::new(
            [(left + 0.02, 0.0), (left + width - 0.02, b.share)],
            colour.filled(),
        )))?;
        let mut label = format!("{:.0}%", b.share * 100.0);
        if nseries > 1 {
            if let Some(name) = series_names.get(b.series) {
                label = format!("{name}: {label}");
            }
        }
        chart.draw_series(std::iter::once(
            EmptyElement::at((left + width / 2.0, b.share))
                + Text::new(
                    label,
                    (0, -5),
                    style(12, Pos::new(HPos::Center, VPos::Bottom)),
                ),
        ))?;
    }
    if let Some((name, r)) = reference {
        // Dashed, so it survives greyscale printing.
        let dashes = 24;
        for i in 0..dashes {
            let a = x0 + (x1 - x0) * i as f64 / dashes as f64;
            let b = a + (x1 - x0) / dashes as f64 * 0.6;
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(a, r), (b, r)],
                PALETTE[3].stroke_width(2),
            )))?;
        }
        chart.draw_series(std::iter::once(
            EmptyElement::at((x1, r))
                + Text::new(
                    format!("{name}: {:.0}%", r * 100.0),
                    (6, 0),
                    style(12, Pos::new(HPos::Left, VPos::Center)),
                ),
        ))?;
    }
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(x0, 0.0), (x1, 0.0)],
        TEXT.stroke_width(1),
    )))?;
    for (i, c) in categories.iter().enumerate() {
        chart.draw_series(std::iter::once(
            EmptyElement::at((i as f64, 0.0))
                + Text::new(
                    c.clone(),
                    (0, 10),
                    style(13, Pos::new(HPos::Center, VPos::Top)),
                ),
        ))?;
    }
    Ok(())
}

/// Where a funnel chart's plotting area lies in the SVG, so that a point can
/// be placed over the chart afterwards (a council's own point in its local
/// report, drawn by typst over the shared chart).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frame {
    pub x_max: f64,
    pub y_min: f64,
    pub y_max: f64,
    /// Plotting area in SVG pixels: left, right, top, bottom.
    pub px: (f64, f64, f64, f64),
}

impl Frame {
    /// The point (population, RL) as fractions of the chart's width, from
    /// its top left corner (so also the height is a fraction of the width),
    /// clamped to the plotting area.
    pub fn place(&self, n: f64, rl: f64) -> (f64, f64) {
        let (l, r, t, b) = self.px;
        let fx = (n / self.x_max).clamp(0.0, 1.0);
        let fy = ((rl.clamp(self.y_min, self.y_max).ln() - self.y_min.ln())
            / (self.y_max.ln() - self.y_min.ln()))
        .clamp(0.0, 1.0);
        ((l + fx * (r - l)) / W as f64, (b - fy * (b - t)) / W as f64)
    }
}

/// The x-axis title of a funnel plot: the indicator's population, in a
/// sentence's capitals ("Number of staff in post").
pub fn axis_title(population: &str) -> String {
    format!("Number of {population}")
}

/// A funnel plot: anonymous council points (population, RL) around the
/// national value, with 95% (solid) and 99.8% (dashed) control limits, RL on
/// a log scale. Lines are labelled directly. With `grey`, the points are grey
/// so that a council's own point can be put in focus over them.
///
/// Points that fall in the same 5-pixel cell are drawn once: the dots are 6
/// pixels wide, so such points overlap anyway, and a chart of thousands of
/// organisations stays as small as one of the 153 councils.
pub fn funnel_chart(
    points: &[(f64, f64)],
    target: f64,
    limits: &[Limits],
    grey: bool,
    x_title: &str,
    note: Option<&str>,
) -> Result<(String, Frame), String> {
    let mut svg = String::new();
    let frame;
    {
        let root = SVGBackend::with_string(&mut svg, (W, H)).into_drawing_area();
        frame = draw_funnel(&root, points, target, limits, grey).map_err(|e| e.to_string())?;
        root.draw(&Text::new(
            x_title.to_string(),
            (((frame.px.0 + frame.px.1) / 2.0) as i32, H as i32 - 3),
            style(12, Pos::new(HPos::Center, VPos::Bottom)),
        ))
        .map_err(|e| e.to_string())?;
        draw_note(&root, note).map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok((svg, frame))
}

fn draw_funnel<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    points: &[(f64, f64)],
    target: f64,
    limits: &[Limits],
    grey: bool,
) -> Result<Frame, DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let xmax = points
        .iter()
        .map(|p| p.0)
        .chain(limits.iter().map(|l| l.n))
        .fold(1.0, f64::max)
        * 1.02;
    let lo = points.iter().map(|p| p.1).fold(target, f64::min).max(0.05);
    let hi = points.iter().map(|p| p.1).fold(target, f64::max).min(20.0);
    let (ymin, ymax) = (lo.min(target / 2.0) / 1.2, hi.max(target * 2.0) * 1.2);
    let mut chart = ChartBuilder::on(root)
        .margin_left(58)
        .margin_right(110)
        .margin_top(14)
        .margin_bottom(46)
        .build_cartesian_2d(0.0..xmax, (ymin..ymax).log_scale())?;
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    let frame = Frame {
        x_max: xmax,
        y_min: ymin,
        y_max: ymax,
        px: (
            xr.start as f64,
            xr.end as f64,
            yr.start as f64,
            yr.end as f64,
        ),
    };
    let ticks: Vec<(f64, String)> = log_ticks(ymin, ymax)
        .into_iter()
        .map(|t| (t, tick_label(t)))
        .collect();
    axes(&mut chart, (0.0, xmax), &ticks, None, Some(ymin))?;
    let step = nice_step(xmax);
    let mut x = 0.0;
    while x <= xmax {
        chart.draw_series(std::iter::once(
            EmptyElement::at((x, ymin))
                + Text::new(
                    crate::format::thousands(x.round() as i64),
                    (0, 10),
                    style(12, Pos::new(HPos::Center, VPos::Top)),
                ),
        ))?;
        x += step;
    }
    let clamp = |y: f64| y.clamp(ymin, ymax);
    let line = |pick: fn(&Limits) -> f64| {
        limits
            .iter()
            .map(move |l| (l.n, clamp(pick(l))))
            .collect::<Vec<_>>()
    };
    for (pick, dashed) in [
        ((|l: &Limits| l.lo95) as fn(&Limits) -> f64, false),
        (|l: &Limits| l.hi95, false),
        (|l: &Limits| l.lo998, true),
        (|l: &Limits| l.hi998, true),
    ] {
        let pts = line(pick);
        if dashed {
            for pair in pts.chunks(2) {
                chart.draw_series(std::iter::once(PathElement::new(
                    pair.to_vec(),
                    PALETTE[1].stroke_width(2),
                )))?;
            }
        } else {
            chart.draw_series(std::iter::once(PathElement::new(
                pts,
                PALETTE[1].stroke_width(2),
            )))?;
        }
    }
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, target), (xmax, target)],
        PALETTE[2].stroke_width(2),
    )))?;
    let dot = if grey { NON_FOCUS } else { PALETTE[0] };
    let mut cells = std::collections::BTreeSet::new();
    for p in points {
        let at = (p.0, clamp(p.1));
        let (cx, cy) = frame.place(at.0, at.1);
        if cells.insert(((cx * W as f64 / CELL) as i64, (cy * W as f64 / CELL) as i64)) {
            chart.draw_series(std::iter::once(Circle::new(at, 3, dot.filled())))?;
        }
    }
    if let Some(l) = limits.last() {
        let label = |y: f64, text: &str| {
            EmptyElement::at((xmax, clamp(y)))
                + Text::new(
                    text.to_string(),
                    (6, 0),
                    style(11, Pos::new(HPos::Left, VPos::Center)),
                )
        };
        chart.draw_series(std::iter::once(label(target, "England")))?;
        chart.draw_series(std::iter::once(label(l.hi95, "95% limits")))?;
        chart.draw_series(std::iter::once(label(l.hi998, "99.8% (dashed)")))?;
    }
    Ok(frame)
}

fn nice_step(max: f64) -> f64 {
    let raw = max / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(raw)
}

/// A note in the bottom right corner, such as "Synthetic demo data", so the
/// chart says so even when it is used on its own.
fn draw_note<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    note: Option<&str>,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    if let Some(note) = note {
        root.draw(&Text::new(
            note.to_string(),
            (W as i32 - 6, H as i32 - 6),
            style(11, Pos::new(HPos::Right, VPos::Bottom)).color(&PALETTE[3]),
        ))?;
    }
    Ok(())
}

/// The Analysis Function axes: horizontal grid lines only, labelled at the
/// left, one of them (`strong`, such as parity) drawn darker, and an x-axis
/// line at `x_axis`; no vertical lines and no y-axis line.
fn axes<DB: DrawingBackend, Y: Ranged<ValueType = f64>>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, Y>>,
    (x0, x1): (f64, f64),
    ticks: &[(f64, String)],
    strong: Option<f64>,
    x_axis: Option<f64>,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    for (t, label) in ticks {
        let colour = if strong.is_some_and(|s| (s - t).abs() < 1e-9) {
            RGBColor(0x50, 0x5A, 0x5F)
        } else {
            GRID
        };
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x0, *t), (x1, *t)],
            colour.stroke_width(1),
        )))?;
        chart.draw_series(std::iter::once(
            EmptyElement::at((x0, *t))
                + Text::new(
                    label.clone(),
                    (-8, 0),
                    style(13, Pos::new(HPos::Right, VPos::Center)),
                ),
        ))?;
    }
    if let Some(y) = x_axis {
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x0, y), (x1, y)],
            TEXT.stroke_width(1),
        )))?;
    }
    Ok(())
}

/// Readable ticks for a log axis: 1 and the usual fractions and multiples.
fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    [0.1, 0.25, 0.5, 0.8, 1.0, 1.25, 2.0, 4.0, 8.0, 16.0]
        .into_iter()
        .filter(|t| *t >= lo && *t <= hi)
        .collect()
}

fn tick_label(t: f64) -> String {
    let s = format!("{t:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rl_chart_uses_palette_and_labels_values() {
        let cats = vec!["Adults".to_string(), "All".to_string()];
        let pts = vec![
            RlPoint {
                category: "Adults".into(),
                series: 0,
                rl: 1.37,
                lower: 1.2,
                upper: 1.5,
            },
            RlPoint {
                category: "All".into(),
                series: 0,
                rl: 0.52,
                lower: 0.4,
                upper: 0.6,
            },
        ];
        let svg: String = rl_chart(&cats, &pts, &[], (0.8, 1.25), Some("Synthetic demo data"))
            .unwrap()
            .split_whitespace()
            .collect();
        assert!(svg.contains("Syntheticdemodata"), "the note is drawn");
        assert!(svg.contains("#12436D"), "first palette colour used");
        assert!(
            svg.contains(">1.37<") && svg.contains(">0.52<"),
            "direct value labels"
        );
        assert!(svg.contains("OpenSans"));
        assert!(svg.contains(">Adults<"));
    }

    #[test]
    fn funnel_frame_places_points_and_grey_dots_merge() {
        let limits: Vec<Limits> = (1..=10)
            .map(|i| Limits {
                n: i as f64 * 100.0,
                lo95: 0.7,
                hi95: 1.4,
                lo998: 0.6,
                hi998: 1.6,
            })
            .collect();
        // Two points a pixel apart and one far away.
        let points = [(500.0, 1.0), (500.5, 1.0), (900.0, 2.0)];
        let (svg, frame) = funnel_chart(&points, 1.0, &limits, true, "Number of staff in post", None).unwrap();
        assert_eq!(svg.matches("<circle").count(), 2, "close points drawn once");
        assert!(svg.contains("#8C8C8C") && !svg.contains("fill=\"#12436D\""));
        // Fractions of the width: the target line sits between top and bottom,
        // a larger RL higher up, a larger staff number further right.
        let (x1, y1) = frame.place(500.0, 1.0);
        let (x2, y2) = frame.place(900.0, 2.0);
        assert!(x2 > x1 && y2 < y1);
        let (l, r, t, b) = frame.px;
        assert!(x1 * (W as f64) > l && x2 * (W as f64) < r);
        assert!(y1 * (W as f64) > t && y1 * (W as f64) < b);
        // Clamped to the plotting area.
        let (_, y) = frame.place(500.0, 1e6);
        assert!((y * W as f64 - t).abs() < 1e-9);
    }

    #[test]
    fn log_ticks_include_parity_and_band() {
        assert_eq!(log_ticks(0.6, 1.6), vec![0.8, 1.0, 1.25]);
        assert_eq!(tick_label(1.0), "1");
        assert_eq!(tick_label(0.25), "0.25");
    }
}
