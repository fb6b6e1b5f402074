//! Shares by category as bars with their 95% intervals, a reference line
//! (the whole workforce) dashed and labelled directly.

use super::colour::{TEXT, text_colour};
use super::{DASHED, H, PALETTE, W, axes, draw_note, finish, style};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One bar of a share chart: a category, a series and a share in 0..1.
#[derive(Clone, Debug)]
pub struct Bar {
    pub category: String,
    pub series: usize,
    pub share: f64,
    /// The share's 95% interval (Wilson), drawn as a whisker.
    pub ci: Option<(f64, f64)>,
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
    Ok(finish(svg))
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
        .map(|b| b.ci.map_or(b.share, |c| c.1.max(b.share)))
        .chain(reference.iter().map(|r| r.1))
        .fold(0.05, f64::max);
    let step = if top > 0.5 {
        0.2
    } else if top > 0.2 {
        0.1
    } else {
        0.05
    };
    // Room above the tallest bar for its value and the series' names.
    let ymax = ((top * 1.35) / step).ceil() * step;
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
        let mid = left + width / 2.0;
        if let Some((lo, hi)) = b.ci {
            // The 95% interval: a whisker with caps, in the text colour.
            let cap = width * 0.15;
            for seg in [
                vec![(mid, lo), (mid, hi)],
                vec![(mid - cap, lo), (mid + cap, lo)],
                vec![(mid - cap, hi), (mid + cap, hi)],
            ] {
                chart.draw_series(std::iter::once(PathElement::new(seg, TEXT.stroke_width(1))))?;
            }
        }
        let label = format!("{:.0}%", b.share * 100.0);
        let above = b.ci.map_or(b.share, |c| c.1.max(b.share));
        chart.draw_series(std::iter::once(
            EmptyElement::at((mid, above))
                + Text::new(
                    label,
                    (0, -5),
                    style(12, Pos::new(HPos::Center, VPos::Bottom)),
                ),
        ))?;
    }
    // Each series named once, above the first category's bars and clear
    // of every value label: one line a series, left-aligned at its bar.
    if nseries > 1 {
        let top_px = -5 - 12 - 4;
        for s in 0..nseries {
            let Some(name) = series_names.get(s) else {
                continue;
            };
            let left = -0.35 + s as f64 * width + 0.02;
            let line = (nseries - 1 - s) as i32 * 14;
            chart.draw_series(std::iter::once(
                EmptyElement::at((left, top))
                    + Text::new(
                        name.clone(),
                        (0, top_px - line),
                        style(12, Pos::new(HPos::Left, VPos::Bottom))
                            .color(&text_colour(PALETTE[s % PALETTE.len()])),
                    ),
            ))?;
        }
    }
    if let Some((name, r)) = reference {
        // Dashed, so it survives greyscale printing.
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x0, r), (x1, r)],
            PALETTE[3].stroke_width(DASHED),
        )))?;
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
