//! The benchmark's data sets: synthetic returns and staff records, written
//! by `scwres bench-data` in a process of its own (why: `bench`'s module
//! comment).

use crate::publish::write_atomic;
use crate::register::Register;
use anyhow::Context as _;
use rayon::prelude::*;
use std::path::Path;

/// Writes a data folder with `files` synthetic 2024 returns (all sound) for
/// a register of `orgs` organisations; the built-in one when `orgs` is 153.
fn make_data(dir: &Path, orgs: usize, files: usize, reject_one: bool) -> anyhow::Result<()> {
    let (register, csv) = if orgs == Register::built_in().len() {
        (Register::built_in(), None)
    } else {
        let csv = crate::demo::synthetic_register(orgs);
        (
            Register::parse(&csv).map_err(anyhow::Error::msg)?,
            Some(csv),
        )
    };
    if let Some(csv) = csv {
        write_atomic(&dir.join("authorities.csv"), csv.as_bytes())?;
    }
    write_atomic(
        &dir.join("report.yaml"),
        b"# Benchmark data: synthetic.\nsynthetic: true\n",
    )?;
    let files = crate::demo::generate_with(&register, 2024, files, reject_one);
    files
        .par_iter()
        .try_for_each(|(path, text)| write_atomic(&dir.join(path), text.as_bytes()))?;
    Ok(())
}

/// The council whose demo return the extraction benchmark scales up.
pub(super) const RECORDS_COUNCIL: &str = "E06000042";
pub(super) const RECORD_FILES: [(&str, &str); 5] = [
    ("--staff", "staff.csv"),
    ("--leavers", "leavers.csv"),
    ("--events", "events.csv"),
    ("--recruitment", "recruitment.csv"),
    ("--survey", "survey.csv"),
];

/// Writes the staff records of the demo council's 2024 return scaled to
/// about `people` people in post; returns how many there are.
fn make_records(dir: &Path, people: u64) -> anyhow::Result<u64> {
    let register = crate::register::Register::built_in();
    let files = crate::demo::generate(&register, 2024);
    let bands = crate::indicators::default_bands();
    let mut ret = crate::run::demo_return(&files, &register, RECORDS_COUNCIL)
        .context("the demo council's return")?;
    let staff: u64 = ret
        .services
        .values()
        .filter_map(|s| s.headcount())
        .map(|t| t.total())
        .sum();
    let k = people.div_ceil(staff.max(1));
    let scale = |t: &mut crate::model::Triple| {
        t.white *= k;
        t.minoritised *= k;
        t.unknown *= k;
    };
    for s in ret.services.values_mut() {
        for (_, t) in s.bands.iter_mut() {
            t.iter_mut().for_each(scale);
        }
        for t in s.measures.values_mut() {
            t.iter_mut().for_each(scale);
        }
    }
    for (name, text) in crate::demo_records::records(&ret, &bands, 2024) {
        crate::publish::write_atomic(&dir.join(name), text.as_bytes())?;
    }
    Ok(staff * k)
}

/// The hidden `scwres bench-data`: the staff records of about `people`
/// people in post if given (printing `people <n>`, how many there are, for
/// the benchmark process), else `files` returns of `orgs` organisations.
pub fn write_data(
    dir: &Path,
    orgs: usize,
    files: usize,
    reject_one: bool,
    people: Option<u64>,
) -> anyhow::Result<()> {
    match people {
        Some(n) => println!("people {}", make_records(dir, n)?),
        None => make_data(dir, orgs, files, reject_one)?,
    }
    Ok(())
}
