//! Where the text of a table's cells breaks into lines, measured with the
//! house font exactly as typst will set it, so that the templates can give
//! every row a fixed height.
//!
//! typst lays out every cell of a row of automatic height twice: once to
//! measure the row, once to place it. A row of fixed height is laid out
//! once. So each cell's text is shaped here by the shaper typst uses
//! (rustybuzz, over the same Open Sans files: kerning and ligatures
//! included), broken into lines first fit at spaces, as typst breaks
//! unjustified text, and the breaks written into the markup as forced line
//! breaks; the row gets the height of its tallest cell's lines
//! (docs/performance.md). Where typst might break a cell otherwise (a word
//! it could break inside, markup that does not print as itself, a character
//! the house font lacks, a line within a hair of the edge), the row is left
//! to typst, at automatic height, unchanged: no text can overflow its cell.

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

/// How far from the cell's edge a line must end to count as fitting, or
/// beyond it to count as not: typst adds the same glyph advances, but in
/// another order, so a line within this of the edge is left to typst.
const MARGIN_PT: f64 = 0.01;

/// A table row made ready for typst: its cells as markup, broken into lines
/// with forced line breaks, and its height.
#[derive(Debug, PartialEq)]
pub struct Row {
    pub cells: Vec<String>,
    /// A fixed height, or `auto` when the row is left to typst.
    pub height: String,
}

impl Row {
    /// Whether the row has a fixed height (else typst breaks its cells).
    pub fn fixed(&self) -> bool {
        self.height != AUTO
    }
}

const AUTO: &str = "auto";

/// The most lines a row of fixed height holds (a third of a page of 10pt).
const MAX_FIXED_LINES: usize = 16;

/// A row of cells (typst markup) set at `size_pt`, in bold or not, in
/// columns `widths_cm` wide: each cell broken into the lines typst would
/// make, and the row the height of its tallest cell. Left to typst (the
/// cells unchanged, height `auto`) when any cell might be broken otherwise.
pub fn row(cells: &[String], widths_cm: &[f64], size_pt: f64, bold: bool) -> Row {
    let broken: Option<Vec<Vec<String>>> = (cells.len() <= widths_cm.len())
        .then(|| {
            cells
                .iter()
                .zip(widths_cm)
                .map(|(markup, cm)| lines(markup, room_pt(*cm), size_pt, bold))
                .collect()
        })
        .flatten();
    // A row taller than a third of a page is left to typst, which splits
    // a row of automatic height across pages: a fixed-height row cannot
    // be split, and one taller than the page would lose its foot.
    let broken = broken.filter(|cells| cells.iter().all(|c| c.len() <= MAX_FIXED_LINES));
    match broken {
        Some(cells) => {
            let most = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
            Row {
                cells: cells.iter().map(|lines| lines.join(" \\ ")).collect(),
                height: lines_height(most, size_pt, bold),
            }
        }
        None => Row {
            cells: cells.to_vec(),
            height: AUTO.to_string(),
        },
    }
}

/// A header row: its titles (plain text) escaped and set in bold.
pub fn header(titles: &[String], widths_cm: &[f64], size_pt: f64) -> Row {
    let cells: Vec<String> = titles.iter().map(|t| escape::markup(t)).collect();
    row(&cells, widths_cm, size_pt, true)
}

/// Characters that never start a line after a space (closing brackets,
/// punctuation, the solidus: Unicode line breaking rule LB13), so the word
/// they start stays on the line of the word before.
const NO_BREAK_BEFORE: [char; 9] = [')', ']', '}', ',', '.', ':', ';', '/', '!'];

/// Whether typst could break a line inside a word at or after `c` (a
/// hyphen, a dash, a solidus...). Conservative: only letters, digits and
/// the punctuation that glues to them are known not to allow a break.
fn unbreakable(c: char) -> bool {
    c.is_alphanumeric() || ".,:;()[]%£&'’".contains(c)
}

/// The lines of a cell's `markup` in a column with `room_pt` for text, each
/// line markup: first fit at spaces, every line measured. None when typst
/// might break it otherwise (see [`plain`], [`unbreakable`]) or a line
/// comes within [`MARGIN_PT`] of the edge. A word that typst cannot break
/// and that is wider than the room has a line of its own and runs into the
/// cell's inset, as it would in typst.
fn lines(markup: &str, room_pt: f64, size_pt: f64, bold: bool) -> Option<Vec<String>> {
    // Words as (markup, printed text, whether typst could break inside);
    // one that may not start a line is joined to the word before.
    let mut words: Vec<(String, String, bool)> = Vec::new();
    for (i, word) in markup.split(' ').filter(|w| !w.is_empty()).enumerate() {
        let text = plain(word, i == 0)?;
        // A lone "/" or ")" allows no break; "and/or" does, after the "/".
        let breakable = text.chars().count() > 1 && !text.chars().all(unbreakable);
        match words.last_mut() {
            Some((m, t, b)) if text.starts_with(NO_BREAK_BEFORE) => {
                m.push(' ');
                m.push_str(word);
                t.push(' ');
                t.push_str(&text);
                *b |= breakable;
            }
            _ => words.push((word.to_string(), text, breakable)),
        }
    }
    let font = house_face(bold);
    let space = shaped(" ", bold)?;
    let fits = |units: i64| -> Option<bool> {
        let w = font.to_em(units as f64).get() * size_pt;
        if (w - room_pt).abs() <= MARGIN_PT {
            None
        } else {
            Some(w < room_pt)
        }
    };
    // The lines: markup, width in font units, last glyph.
    let mut lines: Vec<(String, i64, u16)> = Vec::new();
    for (m, t, breakable) in words {
        let word = shaped(&t, bold)?;
        if let Some((line, units, last)) = lines.last_mut() {
            let longer = *units
                + kerning(*last, space.first, bold)
                + space.units
                + kerning(space.last, word.first, bold)
                + word.units;
            if fits(longer)? {
                line.push(' ');
                line.push_str(&m);
                *units = longer;
                *last = word.last;
                continue;
            }
            // typst breaks here, before the word, unless it can break
            // inside it: then a part of it might have fitted.
            if breakable {
                return None;
            }
        }
        if !fits(word.units)? && breakable {
            return None;
        }
        lines.push((m, word.units, word.last));
    }
    Some(lines.into_iter().map(|(m, _, _)| m).collect())
}

/// The text a word of typst markup prints, or None when the markup is more
/// than text (formatting, a list marker, a dash or ellipsis shorthand,
/// quotes typst makes smart other than an apostrophe, a forced break): such
/// a cell is left to typst. `first`: the cell's first word, where `1.`
/// would start a numbered list.
fn plain(word: &str, first: bool) -> Option<String> {
    if first && word.ends_with('.') && word[..word.len() - 1].bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut out = String::with_capacity(word.len());
    let mut chars = word.chars().peekable();
    // Brackets print as themselves when they pair up within the word.
    let mut depth = 0usize;
    while let Some(c) = chars.next() {
        match c {
            '[' => {
                depth += 1;
                out.push(c);
            }
            ']' if depth > 0 => {
                depth -= 1;
                out.push(c);
            }
            '\\' => match chars.next()? {
                // `\u{..}` is a character by its code: leave it to typst.
                'u' if chars.peek() == Some(&'{') => return None,
                e => out.push(e),
            },
            // An apostrophe typst makes a right single quote.
            '\'' if out.chars().last().is_some_and(char::is_alphanumeric) => out.push('’'),
            '.' if chars.peek() == Some(&'.') => return None,
            '#' | '$' | '*' | '_' | '`' | '<' | '>' | '@' | ']' | '~' | '"' | '\'' | '/' | '-'
            | '+' | '=' => return None,
            _ => out.push(c),
        }
    }
    (depth == 0).then_some(out)
}

/// The width text may take in a column `cm` wide.
fn room_pt(cm: f64) -> f64 {
    cm * PT_PER_CM - 2.0 * INSET_X
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

/// Text as typst shapes it: its advance in font units (kerning and
/// ligatures applied) and its first and last glyphs.
#[derive(Clone, Copy, Debug)]
struct Shaped {
    units: i64,
    first: u16,
    last: u16,
}

thread_local! {
    /// Words shaped so far on this thread: a run's tables repeat most of
    /// their words, and shaping is the costly part of measuring.
    /// (Regular, bold.)
    static WORDS: std::cell::RefCell<[std::collections::HashMap<String, Option<Shaped>>; 2]> =
        Default::default();
    /// Shaping plans by face and script (the rest is fixed).
    static PLANS: std::cell::RefCell<std::collections::HashMap<(bool, u32), rustybuzz::ShapePlan>> =
        Default::default();
}

/// `text` shaped as typst shapes it in the house font (language en-GB,
/// left to right, default features), or none if the font lacks a character
/// (typst would take another font). Remembered per thread.
fn shaped(text: &str, bold: bool) -> Option<Shaped> {
    let face = usize::from(bold);
    if let Some(s) = WORDS.with(|w| w.borrow()[face].get(text).copied()) {
        return s;
    }
    let s = shape(text, bold);
    WORDS.with(|w| {
        let words = &mut w.borrow_mut()[face];
        // A bound on memory, should a run hold endless distinct words.
        if words.len() > 100_000 {
            words.clear();
        }
        words.insert(text.to_string(), s)
    });
    s
}

fn shape(text: &str, bold: bool) -> Option<Shaped> {
    let font = house_face(bold);
    if text.is_empty()
        || text
            .chars()
            .any(|c| c.is_control() || font.ttf().glyph_index(c).is_none())
    {
        return None;
    }
    let mut buffer = rustybuzz::UnicodeBuffer::new();
    buffer.push_str(text);
    buffer.set_language(LANGUAGE.clone());
    buffer.set_direction(rustybuzz::Direction::LeftToRight);
    buffer.guess_segment_properties();
    buffer.set_flags(rustybuzz::BufferFlags::REMOVE_DEFAULT_IGNORABLES);
    let script = buffer.script();
    let out = PLANS.with(|p| {
        let mut plans = p.borrow_mut();
        let plan = plans.entry((bold, script.tag().0)).or_insert_with(|| {
            rustybuzz::ShapePlan::new(
                font.rusty(),
                rustybuzz::Direction::LeftToRight,
                Some(script),
                Some(&LANGUAGE),
                &[],
            )
        });
        rustybuzz::shape_with_plan(font.rusty(), plan, buffer)
    });
    let glyphs = out.glyph_infos();
    Some(Shaped {
        units: out
            .glyph_positions()
            .iter()
            .map(|p| i64::from(p.x_advance))
            .sum(),
        first: u16::try_from(glyphs.first()?.glyph_id).ok()?,
        last: u16::try_from(glyphs.last()?.glyph_id).ok()?,
    })
}

/// The kerning between two glyphs in font units, from the house font's
/// `kern` table, as the shaper applies it between words joined by a space.
fn kerning(left: u16, right: u16, bold: bool) -> i64 {
    let Some(kern) = house_face(bold).ttf().tables().kern else {
        return 0;
    };
    kern.subtables
        .into_iter()
        .filter(|s| s.horizontal && !s.variable && !s.has_cross_stream && !s.has_state_machine)
        .filter_map(|s| {
            s.glyphs_kerning(
                rustybuzz::ttf_parser::GlyphId(left),
                rustybuzz::ttf_parser::GlyphId(right),
            )
        })
        .map(i64::from)
        .sum()
}

/// The width of `text` set on one line in the house font at `size_pt`.
#[cfg(test)]
fn width_pt(text: &str, size_pt: f64, bold: bool) -> Option<f64> {
    Some(
        house_face(bold)
            .to_em(shape(text, bold)?.units as f64)
            .get()
            * size_pt,
    )
}

/// The language typst shapes the reports' text in (`lang: "en", region:
/// "gb"` in `_base.typ`).
static LANGUAGE: std::sync::LazyLock<rustybuzz::Language> =
    std::sync::LazyLock::new(|| "en-GB".parse().expect("a valid BCP 47 tag"));

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    /// Column width in cm that leaves `pt` for text.
    fn cm_for(pt: f64) -> f64 {
        (pt + 2.0 * INSET_X) / PT_PER_CM
    }

    /// A cell of many lines (a long action of a plan) is left to typst, at
    /// automatic height, so that the row splits across pages.
    #[test]
    fn a_row_taller_than_a_third_of_a_page_is_left_to_typst() {
        let long = "word ".repeat(400);
        let r = row(
            &strings(&[long.trim(), "Owner"]),
            &[5.31, 2.66],
            10.0,
            false,
        );
        assert!(!r.fixed(), "{}", r.height);
        assert_eq!(r.cells[0], long.trim(), "unbroken, for typst to break");
        let short = "word ".repeat(20);
        assert!(
            row(
                &strings(&[short.trim(), "Owner"]),
                &[5.31, 2.66],
                10.0,
                false
            )
            .fixed()
        );
    }

    #[test]
    fn short_rows_get_one_line_of_9pt_text_plus_insets() {
        // Open Sans: cap height 1462 of 2048 units.
        let r = row(&strings(&["Adults", "60 \\/ 200"]), &[2.3, 2.0], 9.0, false);
        assert_eq!(r.height, "14.425pt");
        assert_eq!(r.cells, ["Adults", "60 \\/ 200"]);
        assert!(r.fixed());
    }

    #[test]
    fn a_cell_too_wide_is_broken_at_spaces_and_the_row_is_as_tall_as_its_lines() {
        let r = row(
            &strings(&["All services", "12,345 \\/ 123,456"]),
            &[2.3, 2.0],
            9.0,
            false,
        );
        // "/" never starts a line (it stays with the number before it).
        assert_eq!(r.cells, ["All services", "12,345 \\/ \\ 123,456"]);
        let two = 2.0 * 1462.0 / 2048.0 * 9.0 + 0.62 * 9.0 + 8.0;
        assert_eq!(r.height, format!("{two:.3}pt"));
    }

    #[test]
    fn width_is_that_of_the_shaped_text_with_kerning() {
        // Open Sans digits are 1171 units wide: 0.5718 em, and not kerned.
        let w = width_pt("1234", 10.0, false).unwrap();
        assert!((w - 4.0 * 1171.0 / 2048.0 * 10.0).abs() < 1e-9, "{w}");
        // "AV" is kerned: narrower than its two advances.
        let font = house_face(false);
        let advance = |c| {
            let g = font.ttf().glyph_index(c).unwrap();
            font.x_advance(g.0).unwrap().get() * 10.0
        };
        assert!(width_pt("AV", 10.0, false).unwrap() < advance('A') + advance('V') - 0.1);
        // Not in the house font: another font would set it.
        assert_eq!(width_pt("名", 9.0, false), None);
        assert_eq!(width_pt("a\nb", 9.0, false), None);
        // Bold is wider.
        assert!(width_pt("Year", 9.0, true) > width_pt("Year", 9.0, false));
    }

    #[test]
    fn markup_is_measured_as_the_text_it_prints() {
        assert_eq!(plain("\\[c\\]", false).as_deref(), Some("[c]"));
        assert_eq!(plain("council's", false).as_deref(), Some("council’s"));
        assert_eq!(plain("2\\.", true).as_deref(), Some("2."));
        // More than text: left to typst.
        for word in [
            "*bold*", "_x_", "a--b", "wait...", "'quoted'", "#f", "x\\", "\\u{41}", "1.", "-",
        ] {
            assert_eq!(plain(word, true), None, "{word}");
        }
        let r = row(&strings(&["*Adverse*"]), &[5.0], 9.0, false);
        assert_eq!(
            (r.height.as_str(), r.cells[0].as_str()),
            ("auto", "*Adverse*")
        );
    }

    #[test]
    fn a_header_is_broken_into_lines_that_fit_in_bold() {
        let titles = strings(&["White: events / staff", "England"]);
        // Wide enough for "White: events" in regular but not in bold.
        let regular = width_pt("White: events", 9.0, false).unwrap();
        let bold = width_pt("White: events", 9.0, true).unwrap();
        let h = header(&titles, &[cm_for((regular + bold) / 2.0), 3.0], 9.0);
        assert_eq!(h.cells, ["White\\: \\ events \\/ \\ staff", "England"]);
        // Three lines of 9pt bold: cap height (1462 of 2048 units) each, two
        // leadings, two insets.
        let three = 3.0 * 1462.0 / 2048.0 * 9.0 + 2.0 * 0.62 * 9.0 + 8.0;
        assert_eq!(h.height, format!("{three:.3}pt"));
        // One line when it all fits.
        let wide = header(&titles, &[8.0, 3.0], 9.0);
        assert_eq!(wide.cells, ["White\\: events \\/ staff", "England"]);
        assert_eq!(wide.height, "14.425pt");
    }

    #[test]
    fn a_word_too_wide_for_its_column_has_a_line_of_its_own() {
        let h = header(&strings(&["Minoritised: events / staff"]), &[1.0], 10.0);
        assert_eq!(h.cells, ["Minoritised\\: \\ events \\/ \\ staff"]);
        let three = 3.0 * 1462.0 / 2048.0 * 10.0 + 2.0 * 0.62 * 10.0 + 8.0;
        assert_eq!(h.height, format!("{three:.3}pt"));
    }

    #[test]
    fn a_row_typst_would_set_otherwise_is_left_to_typst() {
        // A word too wide with a hyphen typst might break at.
        let hyphen = strings(&["non-mandatory"]);
        assert_eq!(header(&hyphen, &[1.0], 10.0).height, "auto");
        assert_ne!(header(&hyphen, &[5.0], 10.0).height, "auto");
        // A word pushed to the next line that typst could break inside.
        let w = width_pt("CPD non-", 10.0, true).unwrap();
        let split = header(&strings(&["CPD non-mandatory"]), &[cm_for(w + 1.0)], 10.0);
        assert_eq!(split.height, "auto");
        // A character the house font lacks: typst would take another font.
        let titles = strings(&["Year", "名 <b>"]);
        let h = header(&titles, &[3.0, 3.0], 10.0);
        assert_eq!(h.height, "auto");
        assert_eq!(h.cells, ["Year", "名 \\<b\\>"]);
        // More cells than columns.
        assert_eq!(header(&titles[..1], &[], 10.0).height, "auto");
    }

    #[test]
    fn a_line_at_the_edge_is_left_to_typst() {
        let w = width_pt("Children", 9.0, false).unwrap();
        let cells = strings(&["Children"]);
        assert_eq!(
            row(&cells, &[cm_for(w + 0.02)], 9.0, false).height,
            "14.425pt"
        );
        assert_eq!(row(&cells, &[cm_for(w)], 9.0, false).height, "auto");
        assert_eq!(row(&cells, &[cm_for(w + 0.005)], 9.0, false).height, "auto");
        // Just too narrow: a word of letters runs into the inset, as in typst.
        assert_eq!(
            row(&cells, &[cm_for(w - 0.02)], 9.0, false).height,
            "14.425pt"
        );
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
    fn the_faces_measured_are_the_house_font_regular_and_bold() {
        for (bold, weight) in [(false, 400), (true, 700)] {
            let info = house_face(bold).font().info();
            assert_eq!(info.family, "Open Sans");
            assert_eq!(info.variant.weight.to_number(), weight);
            assert_eq!(info.variant.style, typst::text::FontStyle::Normal);
        }
    }

    #[test]
    fn the_language_is_that_of_the_templates() {
        let base = include_str!("../../report-templates/_base.typ");
        assert!(base.contains("lang: \"en\", region: \"gb\""));
        assert_eq!(LANGUAGE.as_str(), "en-gb");
    }
}
