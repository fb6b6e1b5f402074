//! The colours of the charts: the Analysis Function palette, the greys,
//! and the rule that keeps chart text readable.

use plotters::style::RGBColor;

/// The Analysis Function categorical palette, in the order it must be used.
pub const PALETTE: [RGBColor; 4] = [
    RGBColor(0x12, 0x43, 0x6D),
    RGBColor(0x28, 0xA1, 0x97),
    RGBColor(0x80, 0x16, 0x50),
    RGBColor(0xF4, 0x6A, 0x25),
];
/// Grey for everything but the focus in a focus chart. Darker than the
/// Analysis Function's #BFC1C3 so the points keep a 3:1 contrast with white
/// (WCAG 1.4.11).
pub const NON_FOCUS: RGBColor = RGBColor(0x8C, 0x8C, 0x8C);
pub(super) const GRID: RGBColor = RGBColor(0xD9, 0xD9, 0xD9);
pub(super) const TEXT: RGBColor = RGBColor(0x0B, 0x0C, 0x0C);
pub(super) const BAND: RGBColor = RGBColor(0xEA, 0xEF, 0xF4);
/// A series' label in the series' colour where that colour can be read as
/// text (WCAG 1.4.3: a contrast of at least 4.5 against the white
/// background and the shaded band), else in the text colour: turquoise and
/// orange are for marks, not for small text.
pub fn text_colour(c: RGBColor) -> RGBColor {
    let ok = [RGBColor(0xFF, 0xFF, 0xFF), BAND]
        .iter()
        .all(|bg| contrast(c, *bg) >= 4.5);
    if ok { c } else { TEXT }
}

/// The WCAG 2 contrast ratio of two colours.
pub fn contrast(a: RGBColor, b: RGBColor) -> f64 {
    let lum = |c: RGBColor| {
        let ch = |v: u8| {
            let s = f64::from(v) / 255.0;
            if s <= 0.039_28 {
                s / 12.92
            } else {
                ((s + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * ch(c.0) + 0.7152 * ch(c.1) + 0.0722 * ch(c.2)
    };
    let (x, y) = (lum(a), lum(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}
