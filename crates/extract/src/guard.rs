//! Guards against hostile files, applied before any parser sees the bytes:
//! a small file must not cost gigabytes or minutes, and nothing but regular
//! files inside the data is read.
//!
//! - files: never more bytes than a limit (the file system's part, only
//!   regular files read with a cap, is the program's `load::guard`);
//! - YAML: no anchors or aliases (a return never needs them, and aliases
//!   repeated over a large anchor are a memory bomb), no nesting deeper than
//!   [`MAX_DEPTH`] (the parser is quadratic in it);
//! - xlsx: at most [`MAX_ENTRIES`] parts, each unpacked with a cap and all
//!   together under [`MAX_UNPACKED`] (zip bombs), and no cell reference
//!   outside [`MAX_ROW`] × [`MAX_COL`] (a sheet's size is allocated from its
//!   largest reference).

use std::io::Read as _;

/// Deepest `[`/`{` nesting or indentation level a YAML file may have.
pub const MAX_DEPTH: usize = 32;
/// Parts of an xlsx package.
pub const MAX_ENTRIES: usize = 200;
/// Bytes of all the parts of an xlsx package, unpacked.
pub const MAX_UNPACKED: u64 = 32 << 20;
/// Largest row and column (1-based) of any cell of a workbook. A return
/// uses a few hundred rows and a dozen columns; the largest workbook these
/// allow (a million cells) is checked in about a second (docs/performance.md).
pub const MAX_ROW: u64 = 10_000;
pub const MAX_COL: u64 = 100;

/// Why a file is not read, for the caller's diagnostic.
#[derive(Debug, PartialEq)]
pub struct Refusal {
    pub place: String,
    pub rule: String,
    pub hint: &'static str,
}

pub fn refuse(place: impl Into<String>, rule: impl Into<String>, hint: &'static str) -> Refusal {
    Refusal {
        place: place.into(),
        rule: rule.into(),
        hint,
    }
}

/// The refusal of a file that is not there.
pub fn missing() -> Refusal {
    refuse("", "the file is not there", "give the return file itself")
}

/// The refusal of a file larger than `max` bytes.
pub fn too_large(max: u64) -> Refusal {
    refuse(
        "",
        format!(
            "the file is larger than {} KB, too large for what it should hold",
            max >> 10
        ),
        "a return is a few kilobytes; check that this is the right file",
    )
}

/// Refuses YAML with anchors or aliases, or nested deeper than
/// [`MAX_DEPTH`]. A lexical check: text inside quotes and comments is
/// passed over.
pub fn yaml(bytes: &[u8]) -> Result<(), Refusal> {
    let text = String::from_utf8_lossy(bytes);
    let mut depth = 0usize;
    for (i, line) in text.lines().enumerate() {
        let at = || format!("line {}", i + 1);
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        if indent > 2 * MAX_DEPTH {
            return Err(refuse(
                at(),
                format!("nested deeper than {MAX_DEPTH} levels"),
                NESTING,
            ));
        }
        let mut quote: Option<char> = None;
        let mut prev = ' ';
        // Whether the next character would begin a node: at the line's
        // start, after `- `, `? `, `: `, a tag, or a flow `[`, `{`, `,`.
        // An anchor or alias can only begin a node; after text, `&` and `*`
        // are text (`Head of Pay & Grading`).
        let mut node = true;
        let mut tag = false;
        let chars: Vec<char> = line.chars().collect();
        for (k, &c) in chars.iter().enumerate() {
            let spaced = chars.get(k + 1).is_none_or(|n| n.is_whitespace());
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None if c.is_whitespace() => tag = false,
                None if tag => {}
                None => match c {
                    '\'' | '"' if !prev.is_alphanumeric() => {
                        quote = Some(c);
                        node = false;
                    }
                    '#' if prev.is_whitespace() => break,
                    '[' | '{' => {
                        depth += 1;
                        node = true;
                        if depth > MAX_DEPTH {
                            return Err(refuse(
                                at(),
                                format!("nested deeper than {MAX_DEPTH} levels"),
                                NESTING,
                            ));
                        }
                    }
                    ']' | '}' => {
                        depth = depth.saturating_sub(1);
                        node = false;
                    }
                    ',' => node = depth > 0,
                    '-' | '?' if node && spaced => {}
                    ':' if spaced => node = true,
                    '!' if node => tag = true,
                    '&' | '*' if node => {
                        return Err(refuse(
                            at(),
                            "YAML anchors and aliases (& and *) are not accepted",
                            "write every figure out in full; a text that starts with & or * goes in quotes",
                        ));
                    }
                    _ => node = false,
                },
            }
            prev = c;
        }
    }
    Ok(())
}

const NESTING: &str = "a return, plan or configuration is a few levels deep; check the file";

/// How large a workbook may be, unpacked and in cells.
pub struct XlsxLimits {
    pub unpacked: u64,
    pub rows: u64,
    pub cols: u64,
    /// What such a workbook is, for messages: "a return".
    pub what: &'static str,
}

/// A return workbook.
pub const RETURN_XLSX: XlsxLimits = XlsxLimits {
    unpacked: MAX_UNPACKED,
    rows: MAX_ROW,
    cols: MAX_COL,
    what: "a return",
};

/// A record-level workbook (`scwres extract`): Excel's own row limit.
pub const RECORDS_XLSX: XlsxLimits = XlsxLimits {
    unpacked: 1 << 30,
    rows: 1_048_576,
    cols: 200,
    what: "a staff-records export",
};

/// Checks an xlsx package before it is opened: entries, unpacked sizes and
/// the cell references of every part.
pub fn xlsx(bytes: &[u8]) -> Result<(), Refusal> {
    xlsx_within(bytes, &RETURN_XLSX)
}

/// [`xlsx`] with other limits.
pub fn xlsx_within(bytes: &[u8], lim: &XlsxLimits) -> Result<(), Refusal> {
    let hint = "open it in Excel and save it again as an Excel Workbook (.xlsx)";
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| {
        refuse(
            "",
            format!("the file is not a readable .xlsx workbook ({e})"),
            hint,
        )
    })?;
    if zip.len() > MAX_ENTRIES {
        return Err(refuse(
            "",
            format!(
                "the workbook has {} parts, more than a return has",
                zip.len()
            ),
            hint,
        ));
    }
    let mut left = lim.unpacked;
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).map_err(|e| {
            refuse(
                "",
                format!("the file is not a readable .xlsx workbook ({e})"),
                hint,
            )
        })?;
        let name = part.name().map(|n| n.to_string()).unwrap_or_default();
        if part.size() > left {
            return Err(unpacks_too_large(lim));
        }
        let mut data = Vec::new();
        (&mut part)
            .take(left + 1)
            .read_to_end(&mut data)
            .map_err(|e| {
                refuse(
                    name.clone(),
                    format!("a part of the workbook cannot be unpacked ({e})"),
                    hint,
                )
            })?;
        if data.len() as u64 > left {
            return Err(unpacks_too_large(lim));
        }
        left -= data.len() as u64;
        if name.starts_with("xl/worksheets/") && name.ends_with(".xml") {
            cell_refs(&name, &data, lim)?;
        }
        counts(&name, &data, lim)?;
    }
    Ok(())
}

fn unpacks_too_large(lim: &XlsxLimits) -> Refusal {
    refuse(
        "",
        format!(
            "the workbook unpacks to more than {} MB, far more than {}",
            lim.unpacked >> 20,
            lim.what
        ),
        "send the template filled in, without other sheets or pictures",
    )
}

/// Every `r="B7"` (cells; rows are `r="7"`) and `ref="A1:H40"` (the
/// sheet's dimension, merged cells) of a worksheet part within bounds.
fn cell_refs(part: &str, xml: &[u8], lim: &XlsxLimits) -> Result<(), Refusal> {
    for pat in [&b" r=\""[..], &b" ref=\""[..]] {
        for value in attributes(xml, pat) {
            for r in value.split([':', ' ']) {
                if !r.is_empty() && !within(r, lim) {
                    let shown: String = r.chars().take(24).collect();
                    return Err(refuse(
                        format!("{part}, cell {shown}"),
                        format!(
                            "a cell outside the {} rows and {} columns {} workbook can use",
                            lim.rows, lim.cols, lim.what
                        ),
                        "copy the figures into a new template; do not type below or beside its table",
                    ));
                }
            }
        }
    }
    Ok(())
}

/// The values of every attribute `pat` (` name="`) of an XML part.
fn attributes<'a>(xml: &'a [u8], pat: &'a [u8]) -> impl Iterator<Item = String> + 'a {
    let mut from = 0;
    std::iter::from_fn(move || {
        let k = find(&xml[from..], pat)?;
        let start = from + k + pat.len();
        let end = start + xml[start..].iter().position(|b| *b == b'"').unwrap_or(0);
        from = end.max(start);
        Some(String::from_utf8_lossy(&xml[start..end]).into_owned())
    })
}

/// The item counts a part declares (`count="…"`, `uniqueCount="…"`), which
/// a reader may allocate for before reading the items: no more than a
/// return's cells.
fn counts(part: &str, xml: &[u8], lim: &XlsxLimits) -> Result<(), Refusal> {
    for pat in [&b" count=\""[..], &b" uniqueCount=\""[..]] {
        for value in attributes(xml, pat) {
            if !value.parse::<u64>().is_ok_and(|n| n <= lim.rows * lim.cols) {
                let shown: String = value.chars().take(24).collect();
                return Err(refuse(
                    part.to_string(),
                    format!(
                        "declares {shown} items, more than {} workbook can hold",
                        lim.what
                    ),
                    "open it in Excel and save it again as an Excel Workbook (.xlsx)",
                ));
            }
        }
    }
    Ok(())
}

/// `A1`-style reference (with optional `$`) inside the bounds.
fn within(r: &str, lim: &XlsxLimits) -> bool {
    let r = r.replace('$', "");
    let letters = r.bytes().take_while(u8::is_ascii_alphabetic).count();
    let (col, row) = r.split_at(letters);
    if row.is_empty() || row.len() > 7 || letters > 3 || !row.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let col = col.bytes().fold(0u64, |n, b| {
        n * 26 + u64::from(b.to_ascii_uppercase() - b'A' + 1)
    });
    match row.parse::<u64>() {
        Ok(row) => (1..=lim.rows).contains(&row) && col <= lim.cols,
        Err(_) => false,
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_anchors_aliases_and_deep_nesting_are_refused() {
        let bomb = b"a: &x [1, 2]\nb: [*x, *x]\n";
        assert!(yaml(bomb).unwrap_err().rule.contains("anchors and aliases"));
        for bad in [
            "a: *x\n",
            "- &a x\n- *a\n",
            "a: !!str &x text\n",
            "a: [x, *y]\n",
            "&top\na: 1\n",
            "? *k\n",
        ] {
            assert!(yaml(bad.as_bytes()).is_err(), "{bad}");
        }
        let deep = "a: ".to_string() + &"[".repeat(100_000);
        let e = yaml(deep.as_bytes()).unwrap_err();
        assert!(e.rule.contains("nested deeper"), "{e:?}");
        // Ordinary text with & and * is fine.
        for ok in [
            "action: Panels with #hash, [brackets] & *stars*\n",
            "owner: \"R&D *lead*\"\n",
            "measure: 'a & b'\nx: { white: 1, minoritised: 2 } # a *comment\n",
            "owner: Head of Pay & Grading *interim*\n",
            "- action: Pay, & grading - *review*\n",
        ] {
            assert_eq!(yaml(ok.as_bytes()), Ok(()), "{ok}");
        }
    }

    #[test]
    fn cell_references_are_bounded() {
        assert!(
            within("A1", &RETURN_XLSX)
                && within("$B$7", &RETURN_XLSX)
                && within("CV10000", &RETURN_XLSX)
                && within("7", &RETURN_XLSX)
        );
        for bad in [
            "XFD1048576",
            "A10001",
            "CW1",
            "ZZZZZZZZZZZZ99999999999999999999",
            "A0",
            "A",
            "10001",
            "B7x",
        ] {
            assert!(!within(bad, &RETURN_XLSX), "{bad}");
        }
        let xml = br#"<sheetData><row r="1"><c r="XFD1048576"><v>1</v></c></row></sheetData>"#;
        assert!(cell_refs("xl/worksheets/sheet1.xml", xml, &RETURN_XLSX).is_err());
        let ok = br#"<dimension ref="A1:H40"/><row r="7"><c r="C7" t="n"><v>1</v></c></row>"#;
        assert_eq!(cell_refs("s", ok, &RETURN_XLSX), Ok(()));
        // A records export may use Excel's every row.
        assert!(within("F1048576", &RECORDS_XLSX) && !within("F1048577", &RECORDS_XLSX));
        assert!(
            counts(
                "xl/sharedStrings.xml",
                br#"<sst count="53425342534" uniqueCount="3">"#,
                &RETURN_XLSX
            )
            .is_err()
        );
        assert!(counts("xl/sharedStrings.xml", br#"<sst count="x">"#, &RETURN_XLSX).is_err());
        assert_eq!(
            counts(
                "xl/sharedStrings.xml",
                br#"<sst count="70" uniqueCount="68">"#,
                &RETURN_XLSX
            ),
            Ok(())
        );
    }
}
