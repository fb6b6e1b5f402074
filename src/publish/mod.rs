//! Publish: the only stage that writes files. Every file is written to a
//! temporary name beside its target and renamed into place, so a failed run
//! leaves no half-written file behind.

use crate::compute::{Figure, Scope, Spread, YearResults};
use crate::config::Config;
use crate::load::{FileOutcome, Status};
use crate::render::view::{Benchmarks, Disclosure, Shown, Suppression};
use crate::stats::Assessment;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

/// Writes `bytes` to `path` atomically, creating folders as needed, and
/// syncs it to disk.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_file(path, bytes, true)
}

/// Writes to a temporary name beside `path` and renames it into place, so
/// no reader ever sees a half-written file; with `sync`, also syncs it.
fn write_file(path: &Path, bytes: &[u8], sync: bool) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        if sync {
            f.sync_all()?;
        }
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))
}

/// Writes a run's files under one folder and remembers each file's hash for
/// the manifest.
/// It can be shared between threads: each document is written as soon as it
/// is made.
pub struct Publisher {
    root: std::path::PathBuf,
    written: std::sync::Mutex<Vec<(String, String)>>,
}

impl Publisher {
    pub fn new(root: &Path) -> Publisher {
        Publisher {
            root: root.to_path_buf(),
            written: Default::default(),
        }
    }

    /// Writes `bytes` to `<root>/<rel>` atomically and records it. The
    /// file is synced to disk by [`Publisher::sync`], once for the run: a
    /// sync per file cost a run of 153 councils about a second.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> std::io::Result<()> {
        write_file(&self.root.join(rel), bytes, false)?;
        let hash = crate::load::sha256_hex(bytes);
        self.written
            .lock()
            .expect("no panics while held")
            .push((rel.to_string(), hash));
        Ok(())
    }

    /// Syncs everything written to disk (the whole file system of the
    /// output folder, in one call where the OS has one).
    pub fn sync(&self) -> std::io::Result<()> {
        #[cfg(target_os = "linux")]
        {
            use std::os::fd::AsRawFd as _;
            let dir = std::fs::File::open(&self.root)?;
            // SAFETY: `dir` is an open file descriptor for the call's length.
            if unsafe { libc::syncfs(dir.as_raw_fd()) } != 0 {
                return Err(std::io::Error::last_os_error());
            }
        }
        #[cfg(not(target_os = "linux"))]
        {
            let written = self.written.lock().expect("no panics while held").clone();
            for (rel, _) in written {
                std::fs::File::open(self.root.join(rel))?.sync_all()?;
            }
        }
        Ok(())
    }

    /// Files written so far.
    pub fn count(&self) -> usize {
        self.written.lock().expect("no panics while held").len()
    }

    /// `manifest.json`: tool version, configuration, the hash of every
    /// input and every output. No timestamps, so it is reproducible too.
    pub fn manifest(
        &self,
        year: i32,
        config: &Config,
        register_sha256: &str,
        inputs: &[&FileOutcome],
    ) -> Vec<u8> {
        let mut outputs = self.written.lock().expect("no panics while held").clone();
        outputs.sort();
        let v = serde_json::json!({
            "tool": "scwres",
            "version": env!("CARGO_PKG_VERSION"),
            "year": year,
            "configuration": config,
            "register_sha256": register_sha256,
            "inputs": inputs.iter().map(|o| serde_json::json!({
                "file": o.file, "status": o.status, "sha256": o.sha256,
            })).collect::<Vec<_>>(),
            "outputs": outputs.iter().map(|(f, h)| serde_json::json!({ "file": f, "sha256": h })).collect::<Vec<_>>(),
        });
        let mut s = serde_json::to_string_pretty(&v).expect("manifest serialises");
        s.push('\n');
        s.into_bytes()
    }
}

pub const RESULTS_COLUMNS: [&str; 20] = [
    "year",
    "scope",
    "area_code",
    "service",
    "indicator",
    "band",
    "white_events",
    "white_population",
    "minoritised_events",
    "minoritised_population",
    "unknown_events",
    "unknown_population",
    "white_rate",
    "minoritised_rate",
    "relative_likelihood",
    "ci_lower",
    "ci_upper",
    "minoritised_share",
    "assessment",
    "significant",
];

/// A decimal with ten significant digits (outputs.md asks for at least six).
pub fn decimal(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return if x == 0.0 { "0".into() } else { String::new() };
    }
    let magnitude = x.abs().log10().floor() as i32;
    let dp = (9 - magnitude).max(0) as usize;
    format!("{x:.dp$}")
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn result_row(f: &Figure) -> Vec<String> {
    let g = |x: Option<crate::compute::GroupCount>, ev: bool| {
        opt(x.map(|g| if ev { g.events } else { g.population }))
    };
    let assessment = match f.assessment {
        Assessment::None => String::new(),
        a => a.id().to_string(),
    };
    vec![
        f.year.to_string(),
        f.scope.id().to_string(),
        f.area_code.clone(),
        f.service.id().to_string(),
        f.indicator.to_string(),
        f.band.clone().unwrap_or_default(),
        g(f.white, true),
        g(f.white, false),
        g(f.minoritised, true),
        g(f.minoritised, false),
        g(f.unknown, true),
        g(f.unknown, false),
        opt(f.white_rate.map(decimal)),
        opt(f.minoritised_rate.map(decimal)),
        opt(f.rl.map(|r| decimal(r.rl))),
        opt(f.rl.map(|r| decimal(r.lower))),
        opt(f.rl.map(|r| decimal(r.upper))),
        opt(f.share.map(decimal)),
        assessment,
        opt(f.significant),
    ]
}

fn csv_text(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(header).expect("writing to memory");
    for r in rows {
        w.write_record(&r).expect("writing to memory");
    }
    w.into_inner().expect("writing to memory")
}

/// results.csv: every figure of the report year, then the previous year's
/// national figures, unsuppressed (internal).
pub fn results_csv(current: &YearResults, previous: Option<&YearResults>) -> Vec<u8> {
    let rows = current
        .figures
        .iter()
        .chain(
            previous
                .into_iter()
                .flat_map(|p| p.figures.iter().filter(|f| f.scope == Scope::National)),
        )
        .map(result_row);
    csv_text(&RESULTS_COLUMNS, rows)
}

const SPREAD_COLUMNS: [&str; 10] = [
    "councils",
    "median",
    "lower_quartile",
    "upper_quartile",
    "councils_adverse",
    "councils_within_range",
    "councils_favourable",
    "councils_not_calculable",
    "councils_not_provided",
    "units_left_out",
];

/// benchmarks.csv: national figures (exact) with the spread across councils;
/// regional figures for regions with enough councils, with disclosure
/// control as for any sub-national figure; and each indicator's anonymous
/// funnel points (staff rounded to the rounding base, RL to 3 decimals,
/// sorted so that their order says nothing about which council is which).
/// The last column says whether the run was made from synthetic data.
pub fn benchmarks_csv(b: &Benchmarks, config: &Config) -> (Vec<u8>, Vec<Suppression>) {
    let mut header: Vec<&str> = RESULTS_COLUMNS.to_vec();
    header.extend(SPREAD_COLUMNS);
    header.extend(["funnel_staff", "synthetic"]);
    let tail = [String::new(), config.synthetic.to_string()];
    let spread_of = |f: &Figure| -> Option<&Spread> {
        b.spread
            .iter()
            .find(|s| s.indicator == f.indicator && s.service == f.service && s.band == f.band)
    };
    let mut rows = Vec::new();
    for f in &b.national {
        let mut r = result_row(f);
        match spread_of(f) {
            Some(s) => r.extend([
                s.councils.to_string(),
                opt(s.median.map(decimal)),
                opt(s.lower_quartile.map(decimal)),
                opt(s.upper_quartile.map(decimal)),
                s.adverse.to_string(),
                s.within_range.to_string(),
                s.favourable.to_string(),
                s.not_calculable.to_string(),
                s.not_provided.to_string(),
            ]),
            None => r.extend(std::iter::repeat_n(String::new(), 9)),
        }
        r.push(f.units_left_out.to_string());
        r.extend(tail.clone());
        rows.push(r);
    }
    // Published for every council, so always under public disclosure
    // control, whatever the audience of the run.
    let public = Config {
        audience: crate::config::Audience::Public,
        ..config.clone()
    };
    let mut d = Disclosure {
        config: &public,
        report: "benchmarks.csv".into(),
        year: 0,
        area: String::new(),
        log: Vec::new(),
    };
    for f in &b.regions {
        let v = d.figure(f);
        let s = |x: &Option<Shown>| match x {
            Some(Shown::N(n)) => decimal(*n),
            Some(Shown::T(t)) => t.to_string(),
            None => String::new(),
        };
        let count = |x: &Option<Shown>| match x {
            Some(Shown::N(n)) => format!("{}", *n as u64),
            other => s(other),
        };
        let mut r = result_row(f);
        r[6] = count(&v.white_events);
        r[7] = count(&v.white_population);
        r[8] = count(&v.minoritised_events);
        r[9] = count(&v.minoritised_population);
        r[10] = count(&v.unknown_events);
        r[11] = count(&v.unknown_population);
        r[12] = s(&v.white_rate);
        r[13] = s(&v.minoritised_rate);
        r[14] = s(&v.rl);
        r[15] = s(&v.lower);
        r[16] = s(&v.upper);
        r[17] = s(&v.share);
        if v.suppressed {
            r[18] = if f.indicator().assessed() {
                "suppressed".into()
            } else {
                String::new()
            };
            r[19] = String::new();
        }
        r.push(f.councils.to_string());
        r.extend(std::iter::repeat_n(String::new(), 8));
        r.push(f.units_left_out.to_string());
        r.extend(tail.clone());
        rows.push(r);
    }
    let base = config.disclosure.rounding_base.max(1) as f64;
    for f in &b.funnels {
        let mut points: Vec<(i64, i64)> = f
            .points
            .iter()
            .map(|(n, rl)| {
                (
                    ((n / base).round() * base) as i64,
                    (rl * 1000.0).round() as i64,
                )
            })
            .collect();
        points.sort_unstable();
        for (staff, rl) in points {
            let mut r = vec![String::new(); header.len()];
            r[0] = b.year.to_string();
            r[1] = "funnel_point".into();
            r[3] = "all".into();
            r[4] = f.indicator.to_string();
            r[14] = format!("{:.3}", rl as f64 / 1000.0);
            r[header.len() - 2] = staff.to_string();
            r[header.len() - 1] = config.synthetic.to_string();
            rows.push(r);
        }
    }
    (csv_text(&header, rows), d.log)
}

pub fn suppressions_csv(log: &[Suppression]) -> Vec<u8> {
    let rows = log.iter().map(|s| {
        vec![
            s.report.clone(),
            s.year.to_string(),
            s.area_code.clone(),
            s.service.into(),
            s.indicator.into(),
            s.band.clone(),
            s.what.into(),
        ]
    });
    csv_text(
        &[
            "report",
            "year",
            "area_code",
            "service",
            "indicator",
            "band",
            "what",
        ],
        rows,
    )
}

pub fn validation_json(year: i32, outcomes: &[FileOutcome]) -> Vec<u8> {
    let v = serde_json::json!({ "year": year, "files": outcomes });
    let mut s = serde_json::to_string_pretty(&v).expect("outcomes serialise");
    s.push('\n');
    s.into_bytes()
}

/// The notice written beside every table made from synthetic data.
pub const SYNTHETIC_NOTICE: &str = "SYNTHETIC-DEMO-DATA.txt";

pub fn synthetic_notice(year: i32) -> Vec<u8> {
    format!(
        "SYNTHETIC DEMO DATA\n\nEvery file in this folder was made from synthetic returns generated by\n`scwres demo-data` for the {year} run (report.yaml: synthetic: true).\nThey describe no real council and no real member of staff. Do not quote\nany figure as a finding.\n"
    )
    .into_bytes()
}

pub fn validation_md(year: i32, outcomes: &[FileOutcome], synthetic: bool) -> Vec<u8> {
    let n = |st| outcomes.iter().filter(|o| o.status == st).count();
    let mut s = format!(
        "# Validation of the {year} returns\n\n{}{} files: {} accepted, {} rejected, {} skipped.\n",
        if synthetic {
            "**Synthetic demo data**: these returns describe no real council.\n\n"
        } else {
            ""
        },
        outcomes.len(),
        n(Status::Accepted),
        n(Status::Rejected),
        n(Status::Skipped)
    );
    for o in outcomes {
        let status = match o.status {
            Status::Accepted => "accepted",
            Status::Rejected => "REJECTED",
            Status::Skipped => "skipped",
        };
        let _ = write!(s, "\n## {} ({status})\n\n", o.file);
        if o.diagnostics.is_empty() {
            s.push_str("No problems found.\n");
        }
        for d in &o.diagnostics {
            let _ = writeln!(s, "- {}", d.to_string().replace("\n  hint:", " Hint:"));
        }
    }
    s.into_bytes()
}
