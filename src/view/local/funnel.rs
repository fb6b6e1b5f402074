//! Where a council sits on an indicator's shared funnel chart.

use super::{LocalFunnel, SharedFunnel};
use crate::compute::{Figure, Funnel};
use crate::view::Chart;

/// Where the council sits on the shared funnel chart of an indicator.
pub(super) fn local_funnel(
    f: &Funnel,
    chart: &SharedFunnel,
    own: &Figure,
) -> Option<(LocalFunnel, Chart)> {
    let (w, m, rl) = (own.white?, own.minoritised?, own.rl?);
    if rl.rl <= 0.0 {
        return None; // not on a log scale; compared by its interval
    }
    let staff = (w.population + m.population) as f64;
    // Placed at its effective size, as every point of the funnel is.
    let size = f.size(w.population as f64, m.population as f64)?.round();
    let l = f.limits_at(size)?;
    let (fx, fy) = chart.frame.place(size, rl.rl);
    let view = LocalFunnel {
        chart: format!("charts/indicator-{}-funnel.svg", f.indicator),
        adjusted: f.adjusted(),
        councils: f.points.len(),
        staff,
        size,
        rl: rl.rl,
        lo95: l.lo95,
        hi95: l.hi95,
        lo998: l.lo998,
        hi998: l.hi998,
        position: l.position(rl.rl),
        fx,
        fy,
        label_left: fx > 0.6,
    };
    let file = (view.chart.clone(), chart.svg.as_ref().clone());
    Some((view, file))
}
