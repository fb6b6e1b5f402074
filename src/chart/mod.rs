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

mod colour;
mod funnel;
mod share;

use colour::{BAND, GRID, TEXT};
pub use colour::{NON_FOCUS, PALETTE, contrast, text_colour};

pub use crate::compute::Limits;
pub use funnel::{Frame, axis_title, funnel_chart};
pub use share::{Bar, share_chart};

/// Cell size, in pixels, within which funnel points are drawn once.
const CELL: f64 = 5.0;

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

/// The stroke width that marks a line to be dashed: plotters draws a dashed
/// line as one path per dash, which typst then converts one by one into
/// every PDF (an 8-dash line is 8 paths). A marked line is one path, given
/// an SVG dash pattern by [`dashes`] instead. No other line is 3 wide.
const DASHED: u32 = 3;

/// What every chart's SVG goes through before it is used: dashed lines and
/// dots each made one path (see [`dashes`] and [`merge_circles`]).
fn finish(svg: String) -> String {
    merge_circles(dashes(svg))
}

/// Turns every line drawn [`DASHED`] wide into a 2-pixel dashed line.
fn dashes(svg: String) -> String {
    svg.replace(
        &format!("stroke-width=\"{DASHED}\""),
        "stroke-width=\"2\" stroke-dasharray=\"8 5\"",
    )
}

/// Draws every run of same-styled dots as one SVG path of circles instead
/// of one `<circle>` each: typst converts an SVG element by element into
/// every PDF it appears in, so a funnel of 150 dots was 150 filled paths
/// (each with its own graphics state) on every council's page; now it is one.
/// The picture is the same.
fn merge_circles(svg: String) -> String {
    let mut out = String::with_capacity(svg.len());
    let mut run: Option<(String, String)> = None; // (style attributes, path data)
    let flush = |out: &mut String, run: &mut Option<(String, String)>| {
        if let Some((style, d)) = run.take() {
            out.push_str(&format!("<path d=\"{d}\" {style}/>\n"));
        }
    };
    for line in svg.split_inclusive('\n') {
        let circle = line
            .trim()
            .strip_prefix("<circle ")
            .and_then(|l| l.strip_suffix("/>"))
            .and_then(parse_circle);
        match circle {
            Some((cx, cy, r, style)) => {
                let arc = format!(
                    "M{} {}a{r} {r} 0 1 0 {} 0a{r} {r} 0 1 0 -{} 0Z",
                    cx - r,
                    cy,
                    2.0 * r,
                    2.0 * r
                );
                match &mut run {
                    Some((s, d)) if *s == style => d.push_str(&arc),
                    _ => {
                        flush(&mut out, &mut run);
                        run = Some((style, arc));
                    }
                }
            }
            None => {
                flush(&mut out, &mut run);
                out.push_str(line);
            }
        }
    }
    flush(&mut out, &mut run);
    out
}

/// `cx="1" cy="2" r="3" rest…` as (cx, cy, r, rest).
fn parse_circle(attrs: &str) -> Option<(f64, f64, f64, String)> {
    let mut rest = attrs.trim();
    let mut num = |name: &str| -> Option<f64> {
        let v = rest.strip_prefix(name)?.strip_prefix("=\"")?;
        let end = v.find('"')?;
        let n = v[..end].parse().ok()?;
        rest = v[end + 1..].trim_start();
        Some(n)
    };
    let cx = num("cx")?;
    let cy = num("cy")?;
    let r = num("r")?;
    Some((cx, cy, r, rest.trim_end().to_string()))
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
    Ok(finish(svg))
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
        .margin_top(24)
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
            (s as f64 - (nseries - 1) as f64 / 2.0) * 0.2
        }
    };
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
        // Values outside their pair: the first series' to the left of its
        // point, the others' to the right, so that neighbours' labels do
        // not meet.
        let (dx, side) = if nseries > 1 && p.series == 0 {
            (-9, HPos::Right)
        } else {
            (9, HPos::Left)
        };
        chart.draw_series(std::iter::once(
            EmptyElement::at((x, p.rl))
                + Text::new(
                    format!("{:.2}", p.rl),
                    (dx, 0),
                    style(12, Pos::new(side, VPos::Center)),
                ),
        ))?;
    }
    // The series named once, in a line above the plot (marker and name, as
    // drawn), where no point or value label can be.
    let mut x = 60;
    for (k, name) in series_names.iter().enumerate().take(nseries) {
        let colour = PALETTE[k % PALETTE.len()];
        if k == 0 {
            root.draw(&Circle::new((x + 5, 8), 5, colour.filled()))?;
        } else {
            root.draw(&TriangleMarker::new((x + 5, 8), 6, colour.filled()))?;
        }
        root.draw(&Text::new(
            name.clone(),
            (x + 14, 8),
            style(12, Pos::new(HPos::Left, VPos::Center)).color(&text_colour(colour)),
        ))?;
        // 0.6 of the font size a character: never narrower than the text.
        x += 14 + (7.2 * name.chars().count() as f64).ceil() as i32 + 18;
    }
    Ok(())
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

/// A note in the top right corner, such as "Synthetic demo data", so the
/// chart says so even when it is used on its own (above the plot, clear of
/// the axis titles along the foot).
fn draw_note<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    note: Option<&str>,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    if let Some(note) = note {
        root.draw(&Text::new(
            note.to_string(),
            (W as i32 - 6, 2),
            style(11, Pos::new(HPos::Right, VPos::Top)),
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
        let (svg, frame) =
            funnel_chart(&points, 1.0, &limits, true, "Number of staff in post", None).unwrap();
        // The dots are one path of circles (two: close points drawn once).
        assert_eq!(svg.matches("<circle").count(), 0);
        let dots: Vec<&str> = svg
            .lines()
            .filter(|l| l.contains("fill=\"#8C8C8C\""))
            .collect();
        assert_eq!(dots.len(), 1, "{dots:?}");
        assert_eq!(dots[0].matches("a3 3 0 1 0 6 0").count(), 2, "{}", dots[0]);
        // Each 99.8% limit is one dashed path, however many points it has;
        // the marker width does not survive into the SVG.
        assert_eq!(svg.matches("stroke-dasharray=\"8 5\"").count(), 2);
        assert!(!svg.contains(&format!("stroke-width=\"{DASHED}\"")));
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
    fn merge_circles_makes_each_run_of_same_styled_dots_one_path() {
        let svg = "<svg>\n\
            <circle cx=\"10\" cy=\"20\" r=\"3\" fill=\"#8C8C8C\" stroke=\"none\"/>\n\
            <circle cx=\"30\" cy=\"40\" r=\"3\" fill=\"#8C8C8C\" stroke=\"none\"/>\n\
            <circle cx=\"5.5\" cy=\"6\" r=\"5\" fill=\"#12436D\" stroke=\"none\"/>\n\
            <text x=\"1\">a</text>\n\
            <circle cx=\"1\" cy=\"2\" r=\"3\" fill=\"#8C8C8C\" stroke=\"none\"/>\n\
            </svg>\n";
        assert_eq!(
            merge_circles(svg.to_string()),
            "<svg>\n\
            <path d=\"M7 20a3 3 0 1 0 6 0a3 3 0 1 0 -6 0ZM27 40a3 3 0 1 0 6 0a3 3 0 1 0 -6 0Z\" fill=\"#8C8C8C\" stroke=\"none\"/>\n\
            <path d=\"M0.5 6a5 5 0 1 0 10 0a5 5 0 1 0 -10 0Z\" fill=\"#12436D\" stroke=\"none\"/>\n\
            <text x=\"1\">a</text>\n\
            <path d=\"M-2 2a3 3 0 1 0 6 0a3 3 0 1 0 -6 0Z\" fill=\"#8C8C8C\" stroke=\"none\"/>\n\
            </svg>\n"
        );
    }

    #[test]
    fn share_chart_reference_line_is_one_dashed_path() {
        let cats = vec!["Band A".to_string(), "Band B".to_string()];
        let bars: Vec<Bar> = (0..2)
            .map(|i| Bar {
                category: cats[i].clone(),
                series: 0,
                share: 0.2,
                ci: Some((0.15, 0.26)),
            })
            .collect();
        let svg = share_chart(&cats, &bars, &[], Some(("Workforce".into(), 0.25)), None).unwrap();
        assert_eq!(svg.matches("stroke-dasharray").count(), 1);
        assert!(svg.contains("Workforce: 25%"));
        // Each bar's interval: a whisker and two caps (a reference line at
        // 40% gives both charts the same axis).
        let plain = share_chart(
            &cats,
            &bars
                .iter()
                .map(|b| Bar {
                    ci: None,
                    ..b.clone()
                })
                .collect::<Vec<_>>(),
            &[],
            Some(("W".into(), 0.4)),
            None,
        )
        .unwrap();
        let with = share_chart(&cats, &bars, &[], Some(("W".into(), 0.4)), None).unwrap();
        assert_eq!(
            with.matches("<polyline").count(),
            plain.matches("<polyline").count() + 6
        );
    }

    #[test]
    fn log_ticks_include_parity_and_band() {
        assert_eq!(log_ticks(0.6, 1.6), vec![0.8, 1.0, 1.25]);
        assert_eq!(tick_label(1.0), "1");
        assert_eq!(tick_label(0.25), "0.25");
    }
}
