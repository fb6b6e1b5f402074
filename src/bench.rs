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

use crate::publish::write_atomic;
use crate::register::Register;
use anyhow::{Context as _, bail};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

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

/// Writes a data folder with `files` synthetic 2024 returns (all sound) for
/// a register of `orgs` organisations; the built-in one when `orgs` is 153.
pub fn make_data(dir: &Path, orgs: usize, files: usize, reject_one: bool) -> anyhow::Result<()> {
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

/// Runs `exe args`, timing it and reading its peak memory. A line
/// `elapsed <seconds>` on its standard output is the phase's own time.
pub fn sample(exe: &Path, args: &[&std::ffi::OsStr]) -> anyhow::Result<Sample> {
    flush_disks();
    let start = Instant::now();
    let child = Command::new(exe)
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .with_context(|| format!("running {}", exe.display()))?;
    let (status, peak, stdout, stderr) = wait(child)?;
    let wall = start.elapsed();
    // Exit status 1 means "something was rejected": fine for the demo data.
    if !matches!(status, Some(0 | 1)) {
        bail!(
            "{} {:?} failed ({status:?}): {}",
            exe.display(),
            args,
            String::from_utf8_lossy(&stderr)
        );
    }
    let inner = String::from_utf8_lossy(&stdout)
        .lines()
        .find_map(|l| l.strip_prefix("elapsed "))
        .and_then(|s| s.trim().parse::<f64>().ok())
        .map(Duration::from_secs_f64);
    Ok(Sample { wall, peak, inner })
}

type Waited = (Option<i32>, Option<u64>, Vec<u8>, Vec<u8>);

#[cfg(unix)]
fn wait(mut child: std::process::Child) -> anyhow::Result<Waited> {
    use std::io::Read as _;
    let mut out = child.stdout.take().expect("piped");
    let mut err = child.stderr.take().expect("piped");
    let t = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = err.read_to_end(&mut b);
        b
    });
    let mut stdout = Vec::new();
    out.read_to_end(&mut stdout)?;
    let stderr = t.join().unwrap_or_default();
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero rusage is a valid value; wait4 fills it in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own child, not yet waited for; the pointers are
    // to live locals.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    if r != pid {
        bail!("wait4: {}", std::io::Error::last_os_error());
    }
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    // ru_maxrss is in kilobytes on Linux.
    let peak = (usage.ru_maxrss > 0).then(|| usage.ru_maxrss as u64 * 1024);
    Ok((code, peak, stdout, stderr))
}

#[cfg(not(unix))]
fn wait(child: std::process::Child) -> anyhow::Result<Waited> {
    let o = child.wait_with_output()?;
    Ok((o.status.code(), None, o.stdout, o.stderr))
}

/// Writes dirty pages out before a timed run, so one run's files do not
/// slow the next.
fn flush_disks() {
    #[cfg(unix)]
    // SAFETY: sync has no preconditions.
    unsafe {
        libc::sync()
    };
}

/// The hidden `bench-phase prepare`: load, validate and compute only.
pub fn phase_prepare(data: &Path) -> anyhow::Result<Duration> {
    let start = Instant::now();
    let p = crate::run::prepare(data, None)?;
    let t = start.elapsed();
    std::hint::black_box(&p);
    Ok(t)
}

/// The hidden `bench-phase typeset`: makes every document of the run's
/// typst sources first (not timed), then times the embedded typesetter
/// alone over them, on the same threads as a report run. With `limit`, only
/// the first `limit` local reports, for profiling.
pub fn phase_typeset(data: &Path, limit: Option<usize>) -> anyhow::Result<(Duration, usize)> {
    let p = crate::run::prepare(data, None)?;
    let mut sources = Vec::new();
    if limit.is_none() {
        sources.push(p.national_source().map_err(anyhow::Error::msg)?);
    }
    for r in p.current.returns.iter().take(limit.unwrap_or(usize::MAX)) {
        sources.push(p.local_source(r).map_err(anyhow::Error::msg)?.0);
    }
    let date = p.config.release_ymd();
    let n = sources.len();
    let sources: Vec<std::sync::Mutex<Option<crate::render::Source>>> = sources
        .into_iter()
        .map(|s| std::sync::Mutex::new(Some(s)))
        .collect();
    let start = Instant::now();
    crate::run::for_each_document(&sources, |s| {
        let s = s
            .lock()
            .expect("no panics while held")
            .take()
            .expect("once");
        let doc = crate::render::typeset(s, date).map_err(anyhow::Error::msg)?;
        std::hint::black_box(doc.pdf.len());
        Ok(())
    })?;
    Ok((start.elapsed(), n))
}

/// The hidden `bench-phase web`: builds every document's view and charts
/// first (not timed), then times making the web pages from them (templates,
/// escaping, inline charts), on the same threads as a report run. What the
/// HTML edition adds to a run is this, plus writing the pages.
pub fn phase_web(data: &Path) -> anyhow::Result<(Duration, usize)> {
    use crate::render::html::page;
    let p = crate::run::prepare(data, None)?;
    let national = p.national_view().map_err(anyhow::Error::msg)?;
    let inputs: Vec<_> = p
        .current
        .returns
        .iter()
        .map(|r| p.local_inputs(r))
        .collect();
    let locals = inputs
        .iter()
        .map(|i| crate::view::local::local(i, &p.local_bench, &p.config))
        .collect::<Result<Vec<_>, String>>()
        .map_err(anyhow::Error::msg)?;
    let jobs: Vec<Option<usize>> = std::iter::once(None)
        .chain((0..locals.len()).map(Some))
        .collect();
    let start = Instant::now();
    crate::run::for_each_document(&jobs, |job| {
        let html = match job {
            None => page("national.html", &national.0, &national.1),
            Some(i) => page("local.html", &locals[*i].0, &locals[*i].1),
        }
        .map_err(anyhow::Error::msg)?;
        std::hint::black_box(html.len());
        Ok(())
    })?;
    Ok((start.elapsed(), jobs.len()))
}

/// The council whose demo return the extraction benchmark scales up.
const RECORDS_COUNCIL: &str = "E06000042";
const RECORD_FILES: [(&str, &str); 5] = [
    ("--staff", "staff.csv"),
    ("--leavers", "leavers.csv"),
    ("--events", "events.csv"),
    ("--recruitment", "recruitment.csv"),
    ("--survey", "survey.csv"),
];
/// The pandas script the extraction is compared with.
const PANDAS: &str = include_str!("bench_extract/pandas_count.py");

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
    make_data(&demo, 153, crate::demo::DEMO_FILES_2024, true)?;
    let all = o.dir.join("all-153");
    make_data(&all, 153, 153, false)?;
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
    timed(
        "153 councils: load + validate + compute".into(),
        0,
        vec![
            os("bench-phase"),
            os("prepare"),
            os("--data"),
            all.clone().into(),
        ],
        o.runs,
        None,
    )?;
    timed(
        "153 councils: typesetting only".into(),
        154,
        vec![
            os("bench-phase"),
            os("typeset"),
            os("--data"),
            all.clone().into(),
        ],
        o.runs,
        None,
    )?;
    timed(
        "153 councils: web pages only".into(),
        154,
        vec![
            os("bench-phase"),
            os("web"),
            os("--data"),
            all.clone().into(),
        ],
        o.runs,
        None,
    )?;
    // Extraction: a million people in post, with leavers, events,
    // candidates and survey answers in proportion (the demo council's
    // return scaled up), then the same counts by a pandas script.
    let mut later = Vec::new();
    log("generating the staff records of 1,000,000 people");
    let records = o.dir.join("records");
    let people = make_records(&records, 1_000_000)?;
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
        make_data(&d, n, n, false)?;
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
    Ok(table(&rows))
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
        "Machine: {} cores, {} memory; scwres {} ({} build).\n\n",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
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
        let min = r
            .samples
            .iter()
            .map(|x| x.inner.unwrap_or(x.wall))
            .min()
            .unwrap_or_default();
        let max = r
            .samples
            .iter()
            .map(|x| x.inner.unwrap_or(x.wall))
            .max()
            .unwrap_or_default();
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

/// Physical memory, from /proc/meminfo where there is one.
fn memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kb: u64 = text
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}
