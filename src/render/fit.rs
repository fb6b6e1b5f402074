//! Which table rows fit on one line, and where a header's words break,
//! from the house font's own glyph widths, so that the templates can give
//! those rows a fixed height.
//!
//! typst lays out every cell of a row of automatic height twice: once to
//! measure the row, once to place it. A row of fixed height is laid out
//! once. A row whose every cell fits on one line has a known height (one
//! line of text plus the cell insets), so fixing it changes nothing on the
//! page and saves a layout of each of its cells (docs/performance.md). A
//! header is broken into lines here, each line measured to fit, so its
//! height is known too. A row that might wrap keeps its automatic height:
//! no text ever overflows its cell.

use super::escape;
use super::world::house_face;

/// The cell insets every table uses (`_base.typ` sets them; a test checks
/// the two agree), in points.
pub const INSET_X: f64 = 5.0;
pub const INSET_Y: f64 = 4.0;

/// The space between lines, in ems (`_base.typ` sets `par(leading:)`; a
/// test checks the two agree).
pub const LEADING_EM: f64 = 0.62;

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
        .map(|cells| height(cells, widths_cm, size_pt))
        .collect()
}

/// A header row made ready for typst: its cells' text broken into lines
/// (typst markup, escaped, with forced line breaks) and the row's height.
#[derive(Debug, PartialEq)]
pub struct Header {
    pub cells: Vec<String>,
    /// A fixed height, or `auto` when typst might break a cell otherwise.
    pub height: String,
}

/// Breaks each header cell (plain text, set in bold at `size_pt`) into the
/// lines that fit its column, word by word, the way typst would; every
/// line is measured to fit, so the row's height is that of its tallest
/// cell. If typst might break a cell otherwise (see [`wrap`]), the cells
/// are left to typst and the height is `auto`.
pub fn header(cells: &[String], widths_cm: &[f64], size_pt: f64) -> Header {
    let wrapped: Option<Vec<Vec<String>>> = (cells.len() <= widths_cm.len())
        .then(|| {
            cells
                .iter()
                .zip(widths_cm)
                .map(|(text, cm)| wrap(text, room_pt(*cm), size_pt))
                .collect()
        })
        .flatten();
    match wrapped {
        Some(lines) => {
            let most = lines.iter().map(Vec::len).max().unwrap_or(1).max(1);
            Header {
                cells: lines
                    .iter()
                    .map(|l| {
                        l.iter()
                            .map(|line| escape::markup(line))
                            .collect::<Vec<_>>()
                            .join(" \\ ")
                    })
                    .collect(),
                height: lines_height(most, size_pt, true),
            }
        }
        None => Header {
            cells: cells.iter().map(|c| escape::markup(c)).collect(),
            height: "auto".to_string(),
        },
    }
}

/// `text`'s words in lines no wider than `room_pt`, first fit, as typst
/// breaks unjustified text (at spaces; no hyphenation). A word of letters
/// wider than the room has a line of its own and runs into the cell's
/// inset, as it would in typst; one with a hyphen, slash or the like, where
/// typst might break it, gives none. None too if a character is not in the
/// font.
fn wrap(text: &str, room_pt: f64, size_pt: f64) -> Option<Vec<String>> {
    let space = width_pt(" ", size_pt, true)?;
    // The lines, and the width of the last one.
    let mut lines: Vec<String> = Vec::new();
    let mut last = 0.0;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let w = width_pt(word, size_pt, true)?;
        if w > room_pt
            && !word
                .trim_end_matches([':', ',', '.', ')', ';'])
                .chars()
                .all(char::is_alphanumeric)
        {
            return None;
        }
        match lines.last_mut() {
            Some(line) if last + space + w <= room_pt => {
                line.push(' ');
                line.push_str(word);
                last += space + w;
            }
            _ => {
                lines.push(word.to_string());
                last = w;
            }
        }
    }
    Some(lines)
}

/// The width text may take in a column `cm` wide.
fn room_pt(cm: f64) -> f64 {
    cm * PT_PER_CM - 2.0 * INSET_X - SLACK_PT
}

fn height(cells: &[String], widths_cm: &[f64], size_pt: f64) -> String {
    let fits = cells.len() <= widths_cm.len()
        && cells
            .iter()
            .zip(widths_cm)
            .all(|(text, cm)| width_pt(text, size_pt, false).is_some_and(|w| w <= room_pt(*cm)));
    if fits {
        lines_height(1, size_pt, false)
    } else {
        "auto".to_string()
    }
}

/// The height of a cell of `lines` lines at `size_pt`, as typst: each line
/// as tall as the font's capitals, leading between them, insets around.
fn lines_height(lines: usize, size_pt: f64, bold: bool) -> String {
    let k = lines as f64;
    let cap = house_face(bold).metrics().cap_height.get() * size_pt;
    format!(
        "{:.3}pt",
        k * cap + (k - 1.0) * LEADING_EM * size_pt + 2.0 * INSET_Y
    )
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
    fn a_header_is_broken_into_lines_that_fit_in_bold() {
        let cells = ["White: events / staff".to_string(), "England".to_string()];
        // Wide enough for "White: events" in regular but not in bold.
        let regular = width_pt("White: events", 9.0, false).unwrap();
        let bold = width_pt("White: events", 9.0, true).unwrap();
        let cm = ((regular + bold) / 2.0 + SLACK_PT + 2.0 * INSET_X) / PT_PER_CM;
        let h = header(&cells, &[cm, 3.0], 9.0);
        assert_eq!(h.cells, ["White\\: \\ events \\/ \\ staff", "England"]);
        // Three lines of 9pt bold: cap height (1462 of 2048 units) each, two
        // leadings, two insets.
        let three = 3.0 * 1462.0 / 2048.0 * 9.0 + 2.0 * 0.62 * 9.0 + 8.0;
        assert_eq!(h.height, format!("{three:.3}pt"));
        // One line when it all fits.
        let wide = header(&cells, &[8.0, 3.0], 9.0);
        assert_eq!(wide.cells, ["White\\: events \\/ staff", "England"]);
        assert_eq!(wide.height, "14.425pt");
    }

    #[test]
    fn a_word_too_wide_for_its_column_has_a_line_of_its_own() {
        let cells = ["Minoritised: events / staff".to_string()];
        let h = header(&cells, &[1.0], 10.0);
        assert_eq!(h.cells, ["Minoritised\\: \\ events \\ \\/ \\ staff"]);
        let four = 4.0 * 1462.0 / 2048.0 * 10.0 + 3.0 * 0.62 * 10.0 + 8.0;
        assert_eq!(h.height, format!("{four:.3}pt"));
    }

    #[test]
    fn a_header_typst_would_set_otherwise_is_left_to_typst() {
        // A word too wide with a hyphen typst might break at.
        let hyphen = ["non-mandatory".to_string()];
        assert_eq!(header(&hyphen, &[1.0], 10.0).height, "auto");
        assert_ne!(header(&hyphen, &[5.0], 10.0).height, "auto");
        // A character the house font lacks: typst would take another font.
        let cells = ["Year".to_string(), "名 <b>".to_string()];
        let h = header(&cells, &[3.0, 3.0], 10.0);
        assert_eq!(h.height, "auto");
        assert_eq!(h.cells, ["Year", "名 \\<b\\>"]);
        // More cells than columns.
        assert_eq!(header(&cells[..1], &[], 10.0).height, "auto");
    }

    #[test]
    fn the_leading_is_that_of_the_templates() {
        let base = include_str!("../../report-templates/_base.typ");
        let leading = format!("leading: {LEADING_EM}em");
        assert!(
            base.contains(&leading),
            "_base.typ should set par({leading})"
        );
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
