//! A bounded, seeded fuzz of every reader of outside files (CSV, YAML and
//! xlsx returns, action plans, staff records, benchmarks.csv, report.yaml):
//! thousands of byte mutations of the example files, each read and
//! validated, and structure-aware cases (a field given non-ASCII, quotes,
//! separators, a BOM, formulas, dates, other locales' numbers; the file
//! written in every encoding and line end). A reader may refuse anything;
//! it may never panic, and the encoding never changes what it reads. Stable Rust, no extra crates, the
//! same inputs on every run (change `SEED` to explore others).

use scwres::config::Config;
use scwres::indicators::default_bands;
use scwres::load::{self, actions, benchmarks, csv_return, validate, workbook, yaml_return};
use std::io::{Read as _, Write as _};
use std::path::Path;

const SEED: u64 = 0x5c_2024;

/// Rounds of each reader: the default keeps the suite quick;
/// `SCWRES_FUZZ_SCALE=50` runs fifty times as many (and `SCWRES_FUZZ_SEED`
/// other inputs) for a longer search.
fn rounds(n: usize) -> usize {
    n * std::env::var("SCWRES_FUZZ_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
}

fn seed(k: u64) -> Rng {
    let base = std::env::var("SCWRES_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(SEED);
    Rng(base.wrapping_add(k) | 1)
}

/// xorshift64*: small, seeded, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Characters that mean something to one of the formats.
const STRUCTURE: &[u8] = b",;\n\r\t \"'[]{}:&*-+#!|>0123456789.eExX~<>/=\\\xc3\xa9\xe4\xb8\x80\x00";

/// One to four random edits: flip, insert, delete, duplicate or truncate.
fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(v.len() + 1);
        match rng.below(6) {
            0 if !v.is_empty() => {
                let i = at.min(v.len() - 1);
                v[i] ^= 1 << rng.below(8);
            }
            1 => {
                let c = STRUCTURE[rng.below(STRUCTURE.len())];
                for _ in 0..1 + rng.below(3) {
                    v.insert(at, c);
                }
            }
            2 => {
                let end = (at + 1 + rng.below(40)).min(v.len());
                v.drain(at..end);
            }
            3 => {
                let end = (at + 1 + rng.below(80)).min(v.len());
                let piece = v[at..end].to_vec();
                let to = rng.below(v.len() + 1);
                v.splice(to..to, piece);
            }
            4 => v.truncate(at),
            _ => {
                let digits = (rng.next() % 10u64.pow(1 + rng.below(19) as u32)).to_string();
                v.splice(at..at, digits.into_bytes());
            }
        }
    }
    v
}

fn example(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("data/examples")
            .join(name),
    )
    .unwrap()
}

/// Reads and validates a return as a run does.
fn check_return(read: Result<validate::Read, Vec<load::diag::Diagnostic>>) {
    let register = scwres::register::Register::built_in();
    let bands = default_bands();
    let config = Config::default();
    let ctx = validate::Context::new(&register, &bands, Some(2024), &config);
    if let Ok(r) = read {
        let _ = validate::build("f", &r.rows, &ctx);
    }
}

#[test]
fn csv_returns() {
    let mut rng = seed(0);
    let good = example("return-example.csv");
    for _ in 0..rounds(3000) {
        check_return(csv_return::read("f.csv", &mutate(&mut rng, &good)));
    }
}

#[test]
fn yaml_returns_plans_and_configuration() {
    let mut rng = seed(1);
    let ret = example("return-example.yaml");
    let plan = example("actions.yaml");
    let config =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/report.yaml")).unwrap();
    for _ in 0..rounds(1500) {
        check_return(yaml_return::read("f.yaml", &mutate(&mut rng, &ret)));
        let _ = actions::read("a.yaml", &mutate(&mut rng, &plan));
        let bytes = mutate(&mut rng, &config);
        if load::guard::yaml(&bytes).is_ok() {
            let _ = Config::parse(&String::from_utf8_lossy(&bytes));
        }
    }
}

/// The example workbook with its Return sheet's XML mutated, packed again;
/// and the package's own bytes mutated.
#[test]
fn xlsx_returns() {
    let mut rng = seed(2);
    let good = example("return-example.xlsx");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(good.clone())).unwrap();
    let mut parts = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        parts.push((f.name().unwrap().to_string(), data));
    }
    let bands = default_bands();
    for round in 0..rounds(300) {
        let target = if round % 2 == 0 {
            "xl/worksheets/sheet3.xml"
        } else {
            "xl/sharedStrings.xml"
        };
        let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, data) in &parts {
            out.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
                .unwrap();
            let data = if name == target {
                mutate(&mut rng, data)
            } else {
                data.clone()
            };
            out.write_all(&data).unwrap();
        }
        let bytes = out.finish().unwrap().into_inner();
        check_return(workbook::read("f.xlsx", &bytes, &bands));
        check_return(workbook::read("f.xlsx", &mutate(&mut rng, &good), &bands));
    }
}

#[test]
fn benchmarks_files() {
    let out = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic");
    let s = scwres::run::run_report(&scwres::run::ReportOptions {
        data: fixture,
        out: out.path().to_path_buf(),
        year: Some(2024),
        previous_release: None,
    })
    .unwrap();
    let good = std::fs::read(s.out_dir.join("public/benchmarks.csv")).unwrap();
    let config = Config::default();
    let mut rng = seed(3);
    for _ in 0..rounds(1500) {
        if let Ok(p) = benchmarks::read("b.csv", &mutate(&mut rng, &good)) {
            let _ = scwres::run::local_bench(&p, &config);
        }
    }
}

/// Values a field may hold in a file made by Excel or an HR system, or by
/// someone hostile: non-ASCII, quotes, separators, a byte-order mark in the
/// middle, formulas, dates, other locales' numbers, huge numbers.
const FIELD_VALUES: &[&str] = &[
    "é",
    "Zoë",
    "社会",
    "👩🏽‍⚕️",
    "\u{202E}evil",
    "\u{feff}12",
    "12\u{a0}",
    "\"",
    "12\" ruler",
    "said \"ok",
    "\"x\"\"y\"",
    ",",
    ";",
    "\t",
    "1,234",
    "1.234",
    "32.000,00",
    "75.000",
    "3/4",
    "2024-04-03",
    "=SUM(A1:A9)",
    "+55",
    "-0",
    "0x37",
    "1e5",
    "99999999999999999999999",
    "NaN",
    " 12 ",
    "",
    "null",
    "~",
    "&a",
    "*a",
    "#3",
    "a: b",
    "- x",
    "[1, 2]",
    "{a: 1}",
];

/// The same text in every encoding and line end councils' tools write.
fn encodings(text: &str) -> Vec<(&'static str, Vec<u8>)> {
    let utf16 = |le: bool| {
        let mut b = if le {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for u in text.encode_utf16() {
            b.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        b
    };
    vec![
        ("CRLF", text.replace('\n', "\r\n").into_bytes()),
        ("lone CR", text.replace('\n', "\r").into_bytes()),
        (
            "UTF-8 BOM",
            [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
        ),
        ("UTF-16LE", utf16(true)),
        ("UTF-16BE", utf16(false)),
    ]
}

/// What a return reads to, for comparing encodings: the return and every
/// diagnostic (rule, place, value).
fn outcome(read: Result<validate::Read, Vec<load::diag::Diagnostic>>) -> String {
    let register = scwres::register::Register::built_in();
    let bands = default_bands();
    let config = Config::default();
    let ctx = validate::Context::new(&register, &bands, Some(2024), &config);
    match read {
        Err(d) => format!("refused {d:?}"),
        Ok(r) => {
            let (ret, d) = validate::build("f", &r.rows, &ctx);
            format!("{ret:?} {:?} {d:?}", r.diags)
        }
    }
}

/// Structure-aware cases: one field of a clean file given a value above
/// (quoted as Excel quotes it, or not), then the file written in every
/// encoding and line end. No reader panics, and **the encoding never
/// changes what is read**: the same return, the same messages at the same
/// places, or the same refusal.
#[test]
fn field_values_in_every_encoding_read_the_same() {
    let mut rng = seed(4);
    let ret = String::from_utf8(example("return-example.csv")).unwrap();
    let plan = String::from_utf8(example("actions.yaml")).unwrap();
    let lines: Vec<&str> = ret.lines().collect();
    for _ in 0..rounds(300) {
        let value = FIELD_VALUES[rng.below(FIELD_VALUES.len())];
        // A CSV return: one cell of one line replaced.
        let at = 1 + rng.below(lines.len() - 1);
        let mut cells: Vec<String> = lines[at].split(',').map(String::from).collect();
        let k = rng.below(cells.len());
        cells[k] = if rng.below(2) == 0 {
            format!("\"{}\"", value.replace('"', "\"\""))
        } else {
            value.to_string()
        };
        let mut edited: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        edited[at] = cells.join(",");
        let text = edited.join("\n") + "\n";
        let base = outcome(csv_return::read("f.csv", text.as_bytes()));
        for (name, bytes) in encodings(&text) {
            assert_eq!(
                outcome(csv_return::read("f.csv", &bytes)),
                base,
                "{name}, value {value:?} on line {}",
                at + 1
            );
        }
        // An action plan: one value replaced, as typed (YAML reads it as
        // it will), then every encoding.
        let plines: Vec<&str> = plan.lines().collect();
        let fields: Vec<usize> = (0..plines.len())
            .filter(|i| {
                plines[*i].trim_start().starts_with(['a', 'o', 'm', '-'])
                    && plines[*i].contains(": ")
            })
            .collect();
        let i = fields[rng.below(fields.len())];
        let (key, _) = plines[i].split_once(": ").unwrap();
        let mut p: Vec<String> = plines.iter().map(|l| l.to_string()).collect();
        p[i] = format!("{key}: {value}");
        let text = p.join("\n") + "\n";
        let show = |r: Result<actions::ActionPlan, Vec<load::diag::Diagnostic>>| format!("{r:?}");
        let base = show(actions::read("a.yaml", text.as_bytes()));
        for (name, bytes) in encodings(&text) {
            assert_eq!(
                show(actions::read("a.yaml", &bytes)),
                base,
                "{name}, plan value {value:?} on line {}",
                i + 1
            );
        }
    }
}

/// Staff records as HR systems export them: a hostile value in any column
/// of any line, then every encoding and line end. The records read are the
/// same in every encoding (or refused the same way), and never panic.
#[test]
fn staff_records_read_the_same_in_every_encoding() {
    use scwres::load::records;
    let mut rng = seed(5);
    let staff = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/examples/staff/staff.csv"),
    )
    .unwrap();
    // A hundred lines keep each round quick.
    let lines: Vec<&str> = staff.lines().take(100).collect();
    let columns = [
        "person_id",
        "service",
        "ethnicity",
        "salary",
        "regulated",
        "senior_manager",
    ];
    let dir = tempfile::tempdir().unwrap();
    let read = |bytes: &[u8]| {
        let p = dir.path().join("staff.csv");
        std::fs::write(&p, bytes).unwrap();
        match records::read(&p, "staff.csv", &columns) {
            Ok(r) => {
                // Every value of every column, and every record's line.
                let mut out = String::new();
                for c in columns {
                    let col = r.column(c);
                    let values: Vec<Option<&str>> = (0..r.len()).map(|k| col.get(k)).collect();
                    out += &format!("{c}: {values:?}\n");
                }
                let lines: Vec<String> = (0..r.len() as u32).map(|k| r.line(k)).collect();
                out + &format!("{lines:?}")
            }
            Err(d) => format!("refused {d:?}"),
        }
    };
    for _ in 0..rounds(60) {
        let value = FIELD_VALUES[rng.below(FIELD_VALUES.len())];
        let at = 1 + rng.below(lines.len() - 1);
        let quoted = format!("\"{}\"", value.replace('"', "\"\""));
        let value = if rng.below(2) == 0 {
            quoted.as_str()
        } else {
            value
        };
        // A `note` column for every line; the value goes into one of the
        // line's cells, or its note where the line has quotes of its own.
        let mut edited: Vec<String> = lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                if i == 0 {
                    format!("{l},note")
                } else {
                    format!("{l},")
                }
            })
            .collect();
        if lines[at].contains('"') {
            edited[at] = format!("{}{value}", edited[at]);
        } else {
            let mut cells: Vec<String> = lines[at].split(',').map(String::from).collect();
            let k = rng.below(cells.len());
            cells[k] = value.to_string();
            edited[at] = cells.join(",") + ",";
        }
        let text = edited.join("\n") + "\n";
        let base = read(text.as_bytes());
        for (name, bytes) in encodings(&text) {
            assert_eq!(
                read(&bytes),
                base,
                "{name}, value {value:?} on line {}",
                at + 1
            );
        }
    }
}
