//! The benchmark behind every speed and memory claim: `scwres bench`.
//!
//! It generates synthetic returns with the project's own seeded generator,
//! then times, with whatever build runs it (use `--profile dist`, the
//! published build, or `--release`):
//!
//! - the demo run and the run of all 153 councils, end to end;
//! - load + validate + compute alone for the 153 returns;
//! - typesetting alone: the same typst documents as the 153-council run,
//!   made beforehand, compiled by the embedded typst (the floor);
//! - scale runs over thousands of synthetic organisations.
//!
//! Every phase runs in a fresh child process (`scwres report`, or the hidden
//! `scwres bench-phase`), so each starts cold as a user's run does, and its
//! peak memory is that process's own (from `wait4`).
//!
//! The data is generated in child processes too (the hidden `scwres
//! bench-data`), so that the benchmark process itself stays small: Linux
//! counts into a child's peak memory the memory it replaced when it started
//! its program, which, as Rust starts programs (`posix_spawn`, sharing the
//! parent's memory until then), is the parent's own peak so far. A parent
//! that had held a million staff records in memory would show its own peak
//! as every later phase's. The table says what the benchmark process's own
//! peak was: no row can read lower.

mod child;
mod data;
pub mod hostile;
mod phase;
pub mod serve;

use child::sample;
pub use data::write_data;
pub use phase::{phase_prepare, phase_typeset, phase_web};

use anyhow::Context as _;
use child::{generate, own_peak};
use data::{RECORD_FILES, RECORDS_COUNCIL};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What `scwres bench` is asked to do.
pub struct BenchOptions {
    /// Scratch folder for generated data and outputs: new, empty, or made
    /// by an earlier benchmark (emptied first).
    pub dir: PathBuf,
    /// Runs of each small phase; the median is reported.
    pub runs: usize,
    /// Runs of each scale phase.
    pub scale_runs: usize,
    /// Organisation counts of the scale runs.
    pub scale: Vec<usize>,
    /// The `scwres` executable to run.
    pub exe: PathBuf,
}

/// One timed run of a child process.
#[derive(Clone, Copy, Debug)]
pub struct Sample {
    pub wall: Duration,
    /// Peak resident memory of the child, in bytes, where the OS tells.
    pub peak: Option<u64>,
    /// The time the child reported for its own phase, if it did.
    pub inner: Option<Duration>,
}

/// The measured phases, for the table.
pub struct Row {
    pub phase: String,
    pub documents: usize,
    pub samples: Vec<Sample>,
}

impl Row {
    pub fn median(&self, f: impl Fn(&Sample) -> Option<Duration>) -> Option<Duration> {
        let mut v: Vec<Duration> = self.samples.iter().filter_map(f).collect();
        v.sort();
        match v.len() {
            0 => None,
            n if n % 2 == 1 => Some(v[n / 2]),
            n => Some((v[n / 2 - 1] + v[n / 2]) / 2),
        }
    }

    /// The phase's own time: what the child measured, else the wall time.
    pub fn time(&self) -> Duration {
        self.median(|s| s.inner.or(Some(s.wall)))
            .unwrap_or_default()
    }

    pub fn peak(&self) -> Option<u64> {
        self.samples.iter().filter_map(|s| s.peak).max()
    }
}

/// The pandas script the extraction is compared with.
const PANDAS: &str = include_str!("pandas_count.py");

/// Runs the whole benchmark and returns its report (Markdown).
pub fn run(o: &BenchOptions, log: &dyn Fn(&str)) -> anyhow::Result<String> {
    crate::publish::scratch_dir(&o.dir, "scwres bench")?;
    let os = |s: &str| std::ffi::OsString::from(s);
    let mut rows = Vec::new();
    let report = |data: &Path, out: &Path| -> Vec<std::ffi::OsString> {
        vec![
            os("report"),
            os("--quiet"),
            os("--data"),
            data.into(),
            os("--out"),
            out.into(),
        ]
    };
    let mut timed = |phase: String,
                     documents: usize,
                     args: Vec<std::ffi::OsString>,
                     runs: usize,
                     out: Option<&Path>|
     -> anyhow::Result<()> {
        let mut samples = Vec::new();
        for i in 0..runs {
            log(&format!("{phase}: run {} of {runs}", i + 1));
            if let Some(out) = out {
                let _ = crate::publish::remove_tree(out);
            }
            let a: Vec<&std::ffi::OsStr> = args.iter().map(|s| s.as_os_str()).collect();
            samples.push(sample(&o.exe, &a)?);
        }
        rows.push(Row {
            phase,
            documents,
            samples,
        });
        Ok(())
    };

    log("generating the demo data and the 153-council data");
    let demo = o.dir.join("demo");
    let demo_files = crate::demo::DEMO_FILES_2024.to_string();
    generate(&o.exe, &demo, &["--files", &demo_files, "--reject-one"])?;
    let all = o.dir.join("all-153");
    generate(&o.exe, &all, &[])?;
    let out = o.dir.join("out");

    timed(
        "Demo run, end to end (73 local reports)".into(),
        74,
        report(&demo, &out),
        o.runs,
        Some(&out),
    )?;
    timed(
        "153 councils, end to end".into(),
        154,
        report(&all, &out),
        o.runs,
        Some(&out),
    )?;
    for (phase, name, documents) in [
        ("load + validate + compute", "prepare", 0),
        ("typesetting only", "typeset", 154),
        ("web pages only", "web", 154),
    ] {
        let args = vec![
            os("bench-phase"),
            os(name),
            os("--data"),
            all.clone().into(),
        ];
        timed(
            format!("153 councils: {phase}"),
            documents,
            args,
            o.runs,
            None,
        )?;
    }
    // Extraction: a million people in post, with leavers, events,
    // candidates and survey answers in proportion (the demo council's
    // return scaled up), then the same counts by a pandas script.
    let mut later = Vec::new();
    log("generating the staff records of 1,000,000 people");
    let records = o.dir.join("records");
    let people: u64 = generate(&o.exe, &records, &["--people", "1000000"])?
        .trim()
        .strip_prefix("people ")
        .and_then(|n| n.parse().ok())
        .context("scwres bench-data did not say how many people it wrote")?;
    let ret = o.dir.join("extracted.csv");
    let mut args = vec![
        os("extract"),
        os("--authority"),
        os(RECORDS_COUNCIL),
        os("--year"),
        os("2024"),
        os("--data"),
        records.clone().into(),
    ];
    for (flag, file) in RECORD_FILES {
        args.push(os(flag));
        args.push(records.join(file).into());
    }
    args.extend([os("-o"), ret.into()]);
    timed(
        format!("Extract: {people} people in post and their records"),
        0,
        args,
        o.runs,
        None,
    )?;
    let pandas = std::process::Command::new("python3")
        .args(["-c", "import pandas"])
        .output()
        .is_ok_and(|o| o.status.success());
    if pandas {
        let script = records.join("pandas_count.py");
        crate::publish::write_atomic(&script, PANDAS.as_bytes())?;
        let mut samples = Vec::new();
        for i in 0..o.runs {
            log(&format!("pandas: run {} of {}", i + 1, o.runs));
            samples.push(sample(
                Path::new("python3"),
                &[script.as_os_str(), records.as_os_str()],
            )?);
        }
        later.push(Row {
            phase: "Extract: the same counts by a pandas script".into(),
            documents: 0,
            samples,
        });
    } else {
        later.push(Row {
            phase: "Extract: the same counts by a pandas script (pandas not installed: not run)"
                .into(),
            documents: 0,
            samples: Vec::new(),
        });
    }
    let _ = crate::publish::remove_tree(&records);
    for &n in o.scale.iter().filter(|n| **n > 0) {
        log(&format!("generating {n} synthetic organisations"));
        let d = o.dir.join(format!("scale-{n}"));
        let n_text = n.to_string();
        generate(&o.exe, &d, &["--orgs", &n_text, "--files", &n_text])?;
        timed(
            format!("{n} organisations, end to end"),
            n + 1,
            report(&d, &out),
            o.scale_runs,
            Some(&out),
        )?;
        let _ = crate::publish::remove_tree(&out);
        let _ = crate::publish::remove_tree(&d);
    }
    let _ = crate::publish::remove_tree(&out);
    rows.extend(later);
    let mut report = table(&rows);
    if let Some(own) = own_peak() {
        report.push_str(&format!(
            "\nThe benchmark process itself peaked at {:.0} MB: Linux counts it into the peak of every process it starts, so no row can read lower.\n",
            own as f64 / 1e6
        ));
    }
    Ok(report)
}

fn secs(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64())
}

/// The cargo profile of the running binary, from its folder
/// (`target/<profile>/scwres`), else from whether debug assertions are on.
fn build_profile() -> String {
    std::env::current_exe()
        .ok()
        .and_then(|e| Some(e.parent()?.file_name()?.to_str()?.to_string()))
        .filter(|p| ["debug", "release", "dist"].contains(&p.as_str()))
        .unwrap_or_else(|| {
            if cfg!(debug_assertions) {
                "debug"
            } else {
                "release"
            }
            .to_string()
        })
}

/// The report: machine, one row per phase, then the ratios the targets use.
pub fn table(rows: &[Row]) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "Machine: {} cores ({}), {} memory; scwres {} ({} build).\n\n",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        processor().unwrap_or_else(|| "processor unknown".into()),
        memory().map_or("unknown".into(), |m| format!("{:.1} GB", m as f64 / 1e9)),
        env!("CARGO_PKG_VERSION"),
        build_profile(),
    ));
    s.push_str(
        "| phase | runs | median (s) | min–max (s) | peak memory | documents per minute |\n",
    );
    s.push_str("|---|---|---|---|---|---|\n");
    for r in rows {
        let t = r.time();
        let times = r.samples.iter().map(|x| x.inner.unwrap_or(x.wall));
        let min = times.clone().min().unwrap_or_default();
        let max = times.max().unwrap_or_default();
        let per_min = if r.documents > 0 && t > Duration::ZERO {
            format!("{:.0}", r.documents as f64 / t.as_secs_f64() * 60.0)
        } else {
            "–".into()
        };
        s.push_str(&format!(
            "| {} | {} | {} | {}–{} | {} | {} |\n",
            r.phase,
            r.samples.len(),
            secs(t),
            secs(min),
            secs(max),
            r.peak()
                .map_or("–".into(), |p| format!("{:.0} MB", p as f64 / 1e6)),
            per_min,
        ));
    }
    let find = |p: &str| rows.iter().find(|r| r.phase.starts_with(p)).map(Row::time);
    if let (Some(e2e), Some(ts), Some(prep)) = (
        find("153 councils, end"),
        find("153 councils: typesetting"),
        find("153 councils: load"),
    ) {
        s.push_str(&format!(
            "\n153 councils: end to end / typesetting only = {:.2} (target at most 1.30); load + validate + compute = {:.1}% of end to end (target under 2%).\n",
            e2e.as_secs_f64() / ts.as_secs_f64(),
            prep.as_secs_f64() / e2e.as_secs_f64() * 100.0,
        ));
    }
    if let (Some(e2e), Some(web)) = (find("153 councils, end"), find("153 councils: web")) {
        s.push_str(&format!(
            "\n153 councils: web pages only = {:.1}% of end to end (what the HTML edition adds, before writing the pages; target under 10%).\n",
            web.as_secs_f64() / e2e.as_secs_f64() * 100.0
        ));
    }
    if let (Some(ex), Some(pd)) = (
        find("Extract: 1"),
        rows.iter()
            .find(|r| {
                r.phase
                    .starts_with("Extract: the same counts by a pandas script")
                    && !r.samples.is_empty()
            })
            .map(Row::time),
    ) {
        s.push_str(&format!(
            "\nExtract: pandas script / scwres extract = {:.1} (whole processes, reading the same files).\n",
            pd.as_secs_f64() / ex.as_secs_f64()
        ));
    }
    s.push_str("\nEnd-to-end times are whole `scwres report` processes (start, load, compute, charts, typesetting, writing every file and syncing them to disk). The load and typesetting phases time their own work inside a fresh process. Peak memory is each process's maximum resident set size.\n");
    s
}

/// The processor's name, from /proc/cpuinfo where there is one: hosts of
/// the same shape can differ in speed, so a figure is quoted with it.
fn processor() -> Option<String> {
    let name = proc_field("/proc/cpuinfo", "model name")?
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    (!name.is_empty()).then_some(name)
}

/// Physical memory, from /proc/meminfo where there is one.
fn memory() -> Option<u64> {
    let kb: u64 = proc_field("/proc/meminfo", "MemTotal")?
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

/// The value of the first `key: value` line of a /proc file.
fn proc_field(path: &str, key: &str) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()?
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim() == key)
        .map(|(_, v)| v.trim().to_string())
}
