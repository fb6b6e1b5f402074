//! Staff records (`scwres extract`, docs/extract.md): a council's own
//! record-level files (CSV or xlsx) read, from their bytes, into the needed
//! columns only, each value stored once per column (`Column`), then counted
//! into a return (`count`). No message pairs a person's identifier with
//! their ethnicity.

pub mod count;
mod files;
mod read;
pub mod vocab;

use crate::diag::Diagnostic;
use crate::guard;
use std::collections::HashMap;

/// A CSV of records may be large (a county's HR export); this is a sanity
/// bound, not a budget.
pub const MAX_CSV: u64 = 4 << 30;
/// An xlsx of records (and a UTF-16 CSV) is unpacked into memory.
pub const MAX_XLSX: u64 = 256 << 20;

/// The column whose values are compared after trimming: an identifier with
/// a trailing space is the same person.
const ID: &str = "person_id";

/// No value (a blank cell) in a [`Column`].
const BLANK: u32 = u32::MAX;

/// A quick hash for the columns' values and the groups' keys (the
/// multiply-and-rotate of rustc's FxHasher, then MurmurHash3's finaliser):
/// the inputs are a council's own files, in its own process or browser,
/// hashed millions of times; a keyed collision-resistant hash would be
/// much of the counting's time and guards nothing here.
#[derive(Default, Clone, Copy)]
pub struct Quick(u64);

impl std::hash::Hasher for Quick {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().unwrap_or_default()));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(last));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        // Every bit of the words into the low bits too (the table's bucket
        // is chosen by them): MurmurHash3's finaliser.
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

impl Quick {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// A map hashed with [`Quick`].
pub type QuickMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<Quick>>;

/// One needed column of a record file: each distinct value once, and each
/// record's value as its index (a county's 100,000 rows of `adults` are one
/// string), so that grouping compares numbers, not text. The index of
/// values holds positions, not a second copy of the text.
#[derive(Default)]
pub struct Column {
    values: Vec<Box<str>>,
    index: hashbrown::HashTable<u32>,
    rows: Vec<u32>,
}

fn quick(v: &str) -> u64 {
    use std::hash::Hasher as _;
    let mut h = Quick::default();
    h.write(v.as_bytes());
    h.finish()
}

impl Column {
    fn push(&mut self, v: Option<&str>) {
        let id = match v {
            None => BLANK,
            Some(v) => {
                let h = quick(v);
                let values = &self.values;
                match self.index.find(h, |&i| &*values[i as usize] == v) {
                    Some(&id) => id,
                    None => {
                        let id = self.values.len() as u32;
                        self.values.push(v.into());
                        let values = &self.values;
                        self.index
                            .insert_unique(h, id, |&i| quick(&values[i as usize]));
                        id
                    }
                }
            }
        };
        self.rows.push(id);
    }

    /// Record `row`'s value (`None` for a blank).
    pub fn get(&self, row: usize) -> Option<&str> {
        self.value(self.rows[row])
    }

    /// The value of index `id` (`None` for a blank).
    pub fn value(&self, id: u32) -> Option<&str> {
        (id != BLANK).then(|| &*self.values[id as usize])
    }

    /// Each record's value index ([`Column::value`]).
    pub fn ids(&self) -> &[u32] {
        &self.rows
    }

    /// The distinct values (blank not among them).
    pub fn distinct(&self) -> &[Box<str>] {
        &self.values
    }

    /// The index of a value, if any record has it.
    pub fn find(&self, v: &str) -> Option<u32> {
        self.index
            .find(quick(v), |&i| &*self.values[i as usize] == v)
            .copied()
    }
}

/// A record file's needed columns, as strings; records are numbered from 0
/// (the first record after the header).
pub struct Records {
    pub shown: String,
    /// `Some(sheet)` for a workbook.
    sheet: Option<String>,
    /// Each needed column's position in the file (0-based), by name.
    positions: Vec<(String, usize)>,
    /// Each record's line in a CSV file (a quoted field may span lines) or
    /// row in a sheet.
    lines: Vec<u64>,
    columns: Vec<Column>,
}

impl Records {
    /// Where record `row`'s `column` is: `line 7, column salary` or
    /// `Staff!D7`.
    pub fn place(&self, row: u32, column: &str) -> String {
        let pos = self
            .positions
            .iter()
            .find(|(n, _)| n == column)
            .map_or(0, |(_, p)| *p);
        match &self.sheet {
            Some(sheet) => format!("{sheet}!{}{}", letters(pos), self.line_no(row)),
            None => format!("line {}, column {column}", self.line_no(row)),
        }
    }

    /// Where record `row` is: `line 7` or `Staff row 7`.
    pub fn line(&self, row: u32) -> String {
        match &self.sheet {
            Some(sheet) => format!("{sheet} row {}", self.line_no(row)),
            None => format!("line {}", self.line_no(row)),
        }
    }

    fn line_no(&self, row: u32) -> u64 {
        self.lines
            .get(row as usize)
            .copied()
            .unwrap_or(u64::from(row) + 2)
    }

    /// How many records.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// A needed column (one named when the file was read).
    pub fn column(&self, name: &str) -> &Column {
        let k = self
            .positions
            .iter()
            .position(|(n, _)| n == name)
            .expect("a column asked for when the file was read");
        &self.columns[k]
    }

    /// Builds records from rows of the needed columns' values, in the
    /// order of `positions`.
    fn build(
        shown: &str,
        sheet: Option<String>,
        positions: Vec<(String, usize)>,
        capacity: usize,
    ) -> Records {
        Records {
            shown: shown.into(),
            sheet,
            // Room for every record at once; an identifier column is as
            // many values, the others a few.
            columns: positions
                .iter()
                .map(|(name, _)| Column {
                    values: Vec::new(),
                    index: hashbrown::HashTable::with_capacity(if name == ID {
                        capacity
                    } else {
                        0
                    }),
                    rows: Vec::with_capacity(capacity),
                })
                .collect(),
            positions,
            lines: Vec::with_capacity(capacity),
        }
    }

    /// Adds a record at `line`; `value(k)` is the `k`-th needed column's.
    fn push<'a>(&mut self, line: u64, mut value: impl FnMut(usize) -> Option<&'a str>) {
        for k in 0..self.columns.len() {
            let v = value(k);
            let v = if self.positions[k].0 == ID {
                v.map(str::trim).filter(|v| !v.is_empty())
            } else {
                v
            };
            self.columns[k].push(v);
        }
        self.lines.push(line);
    }

    /// Drops what was only needed while reading.
    fn finish(mut self) -> Records {
        for c in &mut self.columns {
            c.values.shrink_to_fit();
        }
        self
    }
}

/// `A`, `B`, … `Z`, `AA` for a 0-based column.
pub fn letters(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// How a header is matched: trimmed, lower case (a byte-order mark dropped).
fn header_key(h: &str) -> String {
    h.trim_start_matches('\u{feff}').trim().to_lowercase()
}

/// A record file's format, from its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    /// `.csv` or `.xlsx` (any case); anything else is not a record file.
    pub fn of(name: &str) -> Option<Format> {
        let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
        match ext.as_deref() {
            Some("csv") => Some(Format::Csv),
            Some("xlsx") => Some(Format::Xlsx),
            _ => None,
        }
    }
}

/// The refusal of a file that is neither CSV nor xlsx.
pub fn not_records(shown: &str) -> Vec<Diagnostic> {
    vec![
        Diagnostic::error(shown, "", "not a CSV or xlsx file")
            .hint("export the list as CSV (UTF-8) or as an Excel workbook (.xlsx)"),
    ]
}

/// Reads a record file's bytes: `columns` are required; extra columns are
/// ignored.
pub fn parse(
    bytes: &[u8],
    format: Format,
    shown: &str,
    columns: &[&str],
) -> Result<Records, Vec<Diagnostic>> {
    parse_with(bytes, format, shown, columns, &mut |_| {})
}

/// [`parse`], telling `progress` how many of the bytes are read, now and
/// then (for a progress bar).
pub fn parse_with(
    bytes: &[u8],
    format: Format,
    shown: &str,
    columns: &[&str],
    progress: &mut dyn FnMut(u64),
) -> Result<Records, Vec<Diagnostic>> {
    let max = match format {
        Format::Csv => MAX_CSV,
        Format::Xlsx => MAX_XLSX,
    };
    if bytes.len() as u64 > max {
        let r = guard::too_large(max);
        return Err(vec![Diagnostic::error(shown, r.place, r.rule)]);
    }
    let read = match format {
        Format::Csv => read::csv(bytes, shown, columns, progress),
        Format::Xlsx => read::xlsx(bytes, shown, columns),
    };
    progress(bytes.len() as u64);
    read
}

/// The position of each needed column in `header`, or every problem.
fn positions(
    shown: &str,
    place: &str,
    header: &[String],
    columns: &[&str],
) -> Result<Vec<(String, usize)>, Vec<Diagnostic>> {
    let keys: Vec<String> = header.iter().map(|h| header_key(h)).collect();
    let mut out = Vec::new();
    let mut diags = Vec::new();
    for c in columns {
        let at: Vec<usize> = (0..keys.len()).filter(|i| keys[*i] == *c).collect();
        match at[..] {
            [i] => out.push((c.to_string(), i)),
            [] => diags.push(
                Diagnostic::error(shown, place, format!("missing required column {c}")).hint(
                    format!(
                        "the header row must name these columns: {}",
                        columns.join(", ")
                    ),
                ),
            ),
            _ => diags.push(Diagnostic::error(
                shown,
                place,
                format!("the column {c} is there {} times", at.len()),
            )),
        }
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(diags)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn column_letters() {
        assert_eq!(super::letters(0), "A");
        assert_eq!(super::letters(25), "Z");
        assert_eq!(super::letters(26), "AA");
        assert_eq!(super::letters(27), "AB");
    }
}
