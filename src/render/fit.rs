//! Which table rows fit on one line, from the house font's own glyph
//! widths, so that the templates can give those rows a fixed height.
//!
//! typst lays out every cell of a row of automatic height twice: once to
//! measure the row, once to place it. A row of fixed height is laid out
//! once. A row whose every cell fits on one line has a known height (one
//! line of text plus the cell insets), so fixing it changes nothing on the
//! page and saves a layout of each of its cells (docs/performance.md). A
//! row that might wrap keeps its automatic height: no text ever overflows
//! its cell.

use super::world::house_face;

/// The cell insets every table uses (`_base.typ` sets them; a test checks
/// the two agree), in points.
pub const INSET_X: f64 = 5.0;
pub const INSET_Y: f64 = 4.0;

/// Points in a centimetre.
const PT_PER_CM: f64 = 72.0 / 2.54;

/// Room left in a cell for the text's width estimate: kerning can move
/// glyphs by a fraction of a point either way.
const SLACK_PT: f64 = 1.0;

/// The `rows:` sizes of a table's body rows, as typst: for each row, its
/// fixed height when every cell fits on one line of the regular house font
/// at `size_pt`, `auto` when one might not. `widths_cm` are the columns'
/// widths; cells are typst markup (escapes are measured as the character
/// they print).
pub fn row_heights(rows: &[Vec<String>], widths_cm: &[f64], size_pt: f64) -> Vec<String> {
    rows.iter()
        .map(|cells| height(cells, widths_cm, size_pt, false))
        .collect()
}

/// The `rows:` size of a header row, whose cells are set in bold.
pub fn header_height(cells: &[String], widths_cm: &[f64], size_pt: f64) -> String {
    height(cells, widths_cm, size_pt, true)
}

fn height(cells: &[String], widths_cm: &[f64], size_pt: f64, bold: bool) -> String {
    let fits = cells.len() <= widths_cm.len()
        && cells.iter().zip(widths_cm).all(|(text, cm)| {
            width_pt(text, size_pt, bold)
                .is_some_and(|w| w + SLACK_PT <= cm * PT_PER_CM - 2.0 * INSET_X)
        });
    if fits {
        let cap = house_face(bold).metrics().cap_height.get();
        format!("{:.3}pt", cap * size_pt + 2.0 * INSET_Y)
    } else {
        "auto".to_string()
    }
}

/// The width of `markup` set on one line in the house font, or none if the
/// font lacks a character (typst would take another font, of other widths
/// and heights) or the text holds a line break.
fn width_pt(markup: &str, size_pt: f64, bold: bool) -> Option<f64> {
    let font = house_face(bold);
    let mut em = 0.0;
    let mut chars = markup.chars();
    while let Some(c) = chars.next() {
        let c = if c == '\\' { chars.next()? } else { c };
        if c == '\n' {
            return None;
        }
        let glyph = font.ttf().glyph_index(c)?;
        em += font.x_advance(glyph.0)?.get();
    }
    Some(em * size_pt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_rows_get_one_line_of_9pt_text_plus_insets() {
        // Open Sans: cap height 1462 of 2048 units.
        let rows = vec![vec!["Adults".to_string(), "60 / 200".to_string()]];
        assert_eq!(row_heights(&rows, &[2.3, 2.0], 9.0), ["14.425pt"]);
    }

    #[test]
    fn a_row_with_one_cell_too_wide_keeps_automatic_height() {
        let rows = vec![
            vec!["All services".to_string(), "95 / 320".to_string()],
            vec!["All services".to_string(), "12,345 / 123,456".to_string()],
        ];
        assert_eq!(row_heights(&rows, &[2.3, 2.0], 9.0), ["14.425pt", "auto"]);
    }

    #[test]
    fn width_is_the_sum_of_advances_and_escapes_print_one_character() {
        // Open Sans digits are 1171 units wide: 0.5718 em.
        let w = width_pt("1234", 10.0, false).unwrap();
        assert!((w - 4.0 * 1171.0 / 2048.0 * 10.0).abs() < 1e-9, "{w}");
        assert_eq!(width_pt("\\[c\\]", 9.0, false), width_pt("[c]", 9.0, false));
        // Not in the house font: another font would set it.
        assert_eq!(width_pt("名", 9.0, false), None);
        assert_eq!(width_pt("a\nb", 9.0, false), None);
        // Bold is wider.
        assert!(width_pt("Year", 9.0, true) > width_pt("Year", 9.0, false));
    }

    #[test]
    fn a_header_is_measured_in_bold() {
        let cells = ["Minoritised share".to_string()];
        let regular = width_pt(&cells[0], 10.0, false).unwrap();
        let bold = width_pt(&cells[0], 10.0, true).unwrap();
        // A column between the two widths: regular would fit, bold does not.
        let cm = ((regular + bold) / 2.0 + SLACK_PT + 2.0 * INSET_X) / PT_PER_CM;
        assert_eq!(row_heights(&[cells.to_vec()], &[cm], 10.0), ["15.139pt"]);
        assert_eq!(header_height(&cells, &[cm], 10.0), "auto");
        assert_eq!(header_height(&cells, &[cm + 1.0], 10.0), "15.139pt");
    }

    #[test]
    fn the_insets_are_those_of_the_templates() {
        let base = include_str!("../../report-templates/_base.typ");
        let inset = format!("inset: (x: {INSET_X}pt, y: {INSET_Y}pt)");
        assert!(base.contains(&inset), "_base.typ should set table({inset})");
    }

    #[test]
    fn a_cell_exactly_at_the_limit_keeps_automatic_height() {
        let w = width_pt("Children", 9.0, false).unwrap();
        let cm = (w + SLACK_PT + 2.0 * INSET_X) / PT_PER_CM;
        let rows = vec![vec!["Children".to_string()]];
        assert_eq!(row_heights(&rows, &[cm], 9.0), ["14.425pt"]);
        assert_eq!(row_heights(&rows, &[cm - 0.01], 9.0), ["auto"]);
    }
}
