//! The funnel plot, and where its plotting area lies for a point drawn
//! over it afterwards.

use super::{
    CELL, H, NON_FOCUS, PALETTE, W, axes, draw_note, log_ticks, nice_step, style, tick_label,
};
use crate::compute::Limits;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

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
    format!("Effective number of {population} (weighted for each council's ethnic mix)")
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
    Ok((super::finish(svg), frame))
}

/// The parts of a curve that lie inside `ymin..=ymax` (log scale): a part
/// leaving the frame ends where it crosses the edge (interpolated on ln y),
/// so that a limit beyond the plot is not drawn as a flat line along it.
fn in_frame(curve: &[(f64, f64)], ymin: f64, ymax: f64) -> Vec<Vec<(f64, f64)>> {
    let inside = |y: f64| y >= ymin && y <= ymax;
    let cross = |a: (f64, f64), b: (f64, f64)| {
        let edge = if a.1.max(b.1) > ymax { ymax } else { ymin };
        let (la, lb, le) = (a.1.max(1e-300).ln(), b.1.max(1e-300).ln(), edge.ln());
        let t = if lb == la { 0.0 } else { (le - la) / (lb - la) };
        (a.0 + t.clamp(0.0, 1.0) * (b.0 - a.0), edge)
    };
    let mut parts = Vec::new();
    let mut part: Vec<(f64, f64)> = Vec::new();
    for (i, &p) in curve.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| curve[j]);
        match (prev, inside(p.1)) {
            (Some(q), true) if !inside(q.1) => part.push(cross(q, p)),
            (Some(q), false) if inside(q.1) => {
                part.push(cross(q, p));
                parts.push(std::mem::take(&mut part));
                continue;
            }
            _ => {}
        }
        if inside(p.1) && part.last() != Some(&p) {
            part.push(p);
        }
    }
    if part.len() > 1 {
        parts.push(part);
    }
    parts.retain(|p| p.len() > 1);
    parts
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
        in_frame(
            &limits.iter().map(|l| (l.n, pick(l))).collect::<Vec<_>>(),
            ymin,
            ymax,
        )
    };
    for (pick, dashed) in [
        ((|l: &Limits| l.lo95) as fn(&Limits) -> f64, false),
        (|l: &Limits| l.hi95, false),
        (|l: &Limits| l.lo998, true),
        (|l: &Limits| l.hi998, true),
    ] {
        let width = if dashed { super::DASHED } else { 2 };
        for part in line(pick) {
            chart.draw_series(std::iter::once(PathElement::new(
                part,
                PALETTE[1].stroke_width(width),
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

#[cfg(test)]
mod tests {
    use super::in_frame;

    /// A limit beyond the frame at small sizes ends at the edge: no two
    /// consecutive points of a drawn part lie on the edge.
    #[test]
    fn clipped_limits_end_at_the_edge() {
        let curve: Vec<(f64, f64)> = (1..=50).map(|n| (n as f64, 1.0 + 8.0 / n as f64)).collect();
        let parts = in_frame(&curve, 0.5, 3.0);
        assert_eq!(parts.len(), 1);
        let p = &parts[0];
        assert!(
            (p[0].1 - 3.0).abs() < 1e-12 && p[0].0 > 3.0 && p[0].0 < 5.0,
            "{:?}",
            p[0]
        );
        for w in p.windows(2) {
            assert!(
                !(w[0].1 == 3.0 && w[1].1 == 3.0),
                "flat along the edge: {w:?}"
            );
            assert!(w[1].1 < 3.0 + 1e-12 && w[1].1 >= 0.5);
        }
        // A curve wholly outside draws nothing; one wholly inside is kept.
        assert!(in_frame(&[(1.0, 9.0), (2.0, 8.0)], 0.5, 3.0).is_empty());
        assert_eq!(in_frame(&curve[10..], 0.5, 3.0), vec![curve[10..].to_vec()]);
        // Leaving and coming back: two parts.
        let wave = [(1.0, 1.0), (2.0, 5.0), (3.0, 1.0)];
        assert_eq!(in_frame(&wave, 0.5, 3.0).len(), 2);
    }
}
