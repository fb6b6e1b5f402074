//! The local report's own charts: the comparison with England, one chart
//! per direction, and the pay bands beside England and the workforce.

use super::{LocalBand, SummaryChart};
use crate::chart::{self, Bar, RlPoint};
use crate::config::Config;
use crate::disclose::Shown;
use crate::indicators::Band;
use crate::view::{Chart, ChartData, ChartTables, note, rl_svg};

/// The comparison with England: `groups` are the categories and points of
/// the indicators where a higher figure is worse, then better.
pub(super) fn summary(
    groups: &[(Vec<String>, Vec<RlPoint>); 2],
    names: &[String],
    config: &Config,
    charts: &mut Vec<Chart>,
    chart_data: &mut ChartTables,
) -> Result<Vec<SummaryChart>, String> {
    let mut out = Vec::new();
    for (k, (cats, points)) in groups.iter().enumerate() {
        if points.is_empty() {
            continue;
        }
        let higher_is_worse = k == 0;
        let file = format!(
            "charts/summary-higher-is-{}.svg",
            if higher_is_worse { "worse" } else { "better" }
        );
        charts.push((file.clone(), rl_svg(cats, points, names, config)?));
        chart_data.insert(file.clone(), ChartData::rl("indicator", points, names));
        out.push(SummaryChart {
            file,
            higher_is_worse,
        });
    }
    Ok(out)
}

/// The pay-band chart (council beside England, with intervals, and the
/// council's whole workforce), if the council has a share to draw; and the
/// workforce share.
pub(super) fn pay_bands(
    bands: &[Band],
    by_band: &[LocalBand],
    names: &[String],
    config: &Config,
    charts: &mut Vec<Chart>,
    chart_data: &mut ChartTables,
) -> Result<(Option<String>, Option<Shown>), String> {
    let mut bars = Vec::new();
    let band_cats: Vec<String> = bands.iter().map(|b| b.label.clone()).collect();
    for (b, lb) in bands.iter().zip(by_band) {
        for (series, f) in [&lb.own, &lb.national].into_iter().enumerate() {
            if let Some(f) = f.as_ref()
                && let Some(Shown::N(s)) = f.share.clone()
            {
                let ci = match (&f.share_lower, &f.share_upper) {
                    (Some(Shown::N(lo)), Some(Shown::N(hi))) => Some((*lo, *hi)),
                    _ => None,
                };
                bars.push(Bar {
                    category: b.label.clone(),
                    series,
                    share: s,
                    ci,
                });
            }
        }
    }
    let workforce_share = by_band
        .iter()
        .find_map(|b| b.own.as_ref().and_then(|f| f.workforce_share.clone()));
    let band_chart = if bars.iter().any(|b| b.series == 0) {
        let reference = match workforce_share {
            Some(Shown::N(w)) => Some(("Workforce".to_string(), w)),
            _ => None,
        };
        chart_data.insert(
            "charts/pay-bands.svg".to_string(),
            ChartData::share("band", &bars, names, reference.as_ref()),
        );
        let svg = chart::share_chart(&band_cats, &bars, names, reference, note(config.synthetic))?;
        charts.push(("charts/pay-bands.svg".to_string(), svg.into_bytes()));
        Some("charts/pay-bands.svg".to_string())
    } else {
        None
    };
    Ok((band_chart, workforce_share))
}
