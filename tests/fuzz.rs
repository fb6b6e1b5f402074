//! A bounded, seeded fuzz of every reader of outside files (CSV, YAML and
//! xlsx returns, action plans, benchmarks.csv, report.yaml): thousands of
//! mutations of the example files, each read and validated. A reader may
//! refuse anything; it may never panic. Stable Rust, no extra crates, the
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
