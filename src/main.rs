//! The `scwres` command line: a thin layer over the library.

use clap::{Parser, Subcommand};
use scwres::load::{self, Status, validate};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "scwres",
    version,
    about = "Social Care Workforce Race Equality Standard: national and local reports"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum AudienceArg {
    Public,
    Internal,
}

#[derive(Subcommand)]
enum Command {
    /// Load every return of a year, compute every figure, and write the
    /// national report, one local report per accepted return, results.csv,
    /// benchmarks.csv and the validation outcome.
    Report {
        /// Folder holding `returns/<year>/` and optionally `report.yaml`.
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// Where to write; outputs go to `<out>/<year>/`.
        #[arg(long, default_value = "out")]
        out: PathBuf,
        /// Collection year to report (default: the newest found).
        #[arg(long)]
        year: Option<i32>,
    },
    /// Check return files with the same rules the report run uses.
    Validate {
        /// Return files or folders of returns.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// The collection year the returns should be for.
        #[arg(long)]
        year: Option<i32>,
        /// Folder with `report.yaml` (pay bands, thresholds), if any.
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// `human` (default) or `json` for machines.
        #[arg(long, default_value = "human")]
        format: Format,
    },
    /// Write the blank return workbook (.xlsx) councils fill in.
    Template {
        /// Collection year.
        #[arg(long, default_value_t = 2024)]
        year: i32,
        /// Pre-fill the workbook from a return (CSV, YAML or .xlsx).
        #[arg(long)]
        from: Option<PathBuf>,
        /// Folder with `report.yaml` (pay bands), if any.
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// The workbook to write.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Build one council's local report from its own return and the
    /// published benchmarks.csv of the national run: no other council's data.
    Local {
        /// The council's return (CSV, YAML or .xlsx).
        #[arg(long = "return", value_name = "RETURN")]
        ret: PathBuf,
        /// The benchmarks.csv published with the national report.
        #[arg(long)]
        benchmarks: PathBuf,
        /// The council's own return of an earlier year, for the change since.
        #[arg(long)]
        previous: Option<PathBuf>,
        /// The council's action plan (YAML).
        #[arg(long)]
        actions: Option<PathBuf>,
        /// `public` (disclosure control) or `internal` (exact figures, not
        /// for publication); default: report.yaml's.
        #[arg(long)]
        audience: Option<AudienceArg>,
        /// Folder with `report.yaml` (publication details, thresholds).
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// Where to write the report.
        #[arg(short, long, default_value = "out/local")]
        out: PathBuf,
    },
    /// Write the synthetic demo returns (deterministic for a given seed).
    DemoData {
        /// Folder to write `returns/<year>/` into.
        #[arg(long, default_value = "data")]
        data: PathBuf,
        #[arg(long, default_value_t = 2024)]
        seed: u64,
        /// 2024 return files to write (one is rejected on purpose); up to
        /// 153 for a benchmark of every council. The shipped demo data uses
        /// the default.
        #[arg(long, default_value_t = scwres::demo::DEMO_FILES_2024)]
        councils: usize,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Report { data, out, year } => report(data, out, year),
        Command::Validate {
            paths,
            year,
            data,
            format,
        } => validate_paths(paths, year, data, format),
        Command::Template {
            year,
            from,
            data,
            output,
        } => template(year, from, data, output),
        Command::DemoData {
            data,
            seed,
            councils,
        } => demo(data, seed, councils),
        Command::Local {
            ret,
            benchmarks,
            previous,
            actions,
            audience,
            data,
            out,
        } => local(scwres::LocalOptions {
            ret,
            benchmarks,
            previous,
            actions,
            audience: audience.map(|a| match a {
                AudienceArg::Public => scwres::config::Audience::Public,
                AudienceArg::Internal => scwres::config::Audience::Internal,
            }),
            data,
            out,
        }),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("scwres: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn report(data: PathBuf, out: PathBuf, year: Option<i32>) -> anyhow::Result<ExitCode> {
    let s = scwres::run_report(&scwres::ReportOptions { data, out, year })?;
    for o in &s.outcomes {
        for d in &o.diagnostics {
            if o.status == Status::Rejected || d.is_error() {
                eprintln!("{d}");
            }
        }
    }
    for f in &s.failures {
        eprintln!("scwres: {f}");
    }
    let warnings: usize = s
        .outcomes
        .iter()
        .map(|o| o.diagnostics.iter().filter(|d| !d.is_error()).count())
        .sum();
    eprintln!(
        "scwres: {}: {} returns accepted, {} rejected, {} skipped, {} warnings (see validation.md); national report and {} local reports written to {}",
        s.year,
        s.accepted,
        s.rejected,
        s.skipped,
        warnings,
        s.local_reports,
        s.out_dir.display()
    );
    Ok(if s.rejected > 0 || !s.failures.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn validate_paths(
    paths: Vec<PathBuf>,
    year: Option<i32>,
    data: PathBuf,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let config = load::load_config(&data)?;
    let register = scwres::register_for(&data)?;
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(&p)?
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect();
            entries.sort();
            files.extend(entries);
        } else if p.is_file() {
            files.push(p);
        } else {
            anyhow::bail!("{}: no such file or folder", p.display());
        }
    }
    let bands = config.bands(year.unwrap_or(0));
    let ctx = validate::Context::new(&register, &bands, year, &config);
    let files: Vec<(PathBuf, String)> = files
        .into_iter()
        .map(|f| {
            let s = f.display().to_string();
            (f, s)
        })
        .collect();
    let (_, outcomes) = load::load_files(&files, &ctx);
    let rejected = outcomes
        .iter()
        .filter(|o| o.status == Status::Rejected)
        .count();
    match format {
        Format::Json => {
            let v = serde_json::json!({ "valid": rejected == 0, "files": outcomes });
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
        Format::Human => {
            for o in &outcomes {
                for d in &o.diagnostics {
                    println!("{d}");
                }
                let verdict = match o.status {
                    Status::Accepted => "valid",
                    Status::Rejected => "REJECTED",
                    Status::Skipped => "skipped",
                };
                println!("{}: {verdict}", o.file);
            }
        }
    }
    Ok(if rejected > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn template(
    year: i32,
    from: Option<PathBuf>,
    data: PathBuf,
    output: PathBuf,
) -> anyhow::Result<ExitCode> {
    let config = load::load_config(&data)?;
    let register = scwres::register_for(&data)?;
    let bands = config.bands(year);
    let filled = match &from {
        None => None,
        Some(path) => {
            let ctx = validate::Context::new(&register, &bands, Some(year), &config);
            let (o, r) = load::load_file(path, &path.display().to_string(), &ctx);
            for d in &o.diagnostics {
                eprintln!("{d}");
            }
            match r {
                Some(r) => Some(r),
                None => anyhow::bail!("{}: the return has errors; fix them first", path.display()),
            }
        }
    };
    let bytes = scwres::template::workbook(year, &bands, &register, filled.as_ref())?;
    scwres::publish::write_atomic(&output, &bytes)?;
    eprintln!("scwres: wrote {}", output.display());
    Ok(ExitCode::SUCCESS)
}

fn local(o: scwres::LocalOptions) -> anyhow::Result<ExitCode> {
    let run = scwres::run_local(&o)?;
    for o in &run.outcomes {
        for d in &o.diagnostics {
            eprintln!("{d}");
        }
    }
    match run.written {
        Some(path) => {
            eprintln!("scwres: wrote {}", path.display());
            Ok(ExitCode::SUCCESS)
        }
        None => {
            let bad: Vec<&str> = run
                .outcomes
                .iter()
                .filter(|o| o.status != Status::Accepted)
                .map(|o| o.file.as_str())
                .collect();
            eprintln!(
                "scwres: {} has errors; no report was made",
                bad.join(" and ")
            );
            Ok(ExitCode::from(1))
        }
    }
}

fn demo(data: PathBuf, seed: u64, councils: usize) -> anyhow::Result<ExitCode> {
    let register = scwres::register::Register::built_in();
    let files = scwres::demo::generate_sized(&register, seed, councils);
    for (path, text) in &files {
        scwres::publish::write_atomic(&data.join(path), text.as_bytes())?;
    }
    // Whatever folder the synthetic returns go to, every output made from
    // them must say so.
    let config = data.join("report.yaml");
    if !config.exists() {
        let text =
            "# Written by `scwres demo-data`: the returns here are synthetic.\nsynthetic: true\n";
        scwres::publish::write_atomic(&config, text.as_bytes())?;
    }
    eprintln!(
        "scwres: wrote {} synthetic returns under {}",
        files.len(),
        data.join("returns").display()
    );
    Ok(ExitCode::SUCCESS)
}
