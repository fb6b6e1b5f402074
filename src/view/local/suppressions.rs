//! The report's table of what was withheld: one line per figure.

use super::SuppressionView;
use crate::disclose::Suppression;
use crate::indicators::Band;

/// One line per withheld figure, whatever was withheld of it.
pub(super) fn suppression_lines(log: &[Suppression], bands: &[Band]) -> Vec<SuppressionView> {
    let mut lines: Vec<SuppressionView> = Vec::new();
    for s in log {
        // The band's label where the report year has the band, else its id.
        let band = s.band.as_deref().map_or(String::new(), |id| {
            bands
                .iter()
                .find(|b| b.id == id)
                .map_or(id.to_string(), |b| b.label.clone())
        });
        match lines.last_mut() {
            Some(l)
                if (l.year, l.indicator, l.service, &l.band)
                    == (s.year, s.indicator, s.service.id(), &band) =>
            {
                l.what.push(s.what);
            }
            _ => lines.push(SuppressionView {
                year: s.year,
                indicator: s.indicator,
                short: s.indicator.map_or("", |i| i.def().short),
                service: s.service.id(),
                band,
                what: vec![s.what],
            }),
        }
    }
    lines
}
