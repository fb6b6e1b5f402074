//! The `scwres` command line: a thin layer over the library.

use clap::{Parser, Subcommand};
use scwres::load::Status;
use scwres::run;
use std::path::PathBuf;
use std::process::ExitCode;

/// typst allocates and frees small objects at a great rate from every
/// thread; mimalloc is faster at that than the system allocator and keeps a
/// long run's memory from fragmenting (measured: see docs/performance.md).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
enum BenchPhase {
    Prepare,
    Typeset,
    Web,
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
        /// No progress display or log lines; problems and the summary only.
        #[arg(short, long)]
        quiet: bool,
        /// An earlier release of the same year (its `<out>/<year>/` folder):
        /// figures that changed since are marked revised, with why.
        #[arg(long, value_name = "DIR")]
        previous_release: Option<PathBuf>,
    },
    /// Time the pipeline on generated synthetic data: the demo run, all 153
    /// councils, load and compute alone, typesetting alone, and scale runs.
    /// Build with `--profile dist` (the published build) for figures worth
    /// quoting.
    Bench {
        /// Scratch folder for the generated data and outputs (emptied).
        #[arg(long, default_value = "target/bench")]
        dir: PathBuf,
        /// Runs of each phase; medians are reported.
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Organisation counts of the scale runs (comma-separated; 0 for none).
        #[arg(long, value_delimiter = ',', default_value = "2000,18000")]
        scale: Vec<usize>,
        /// Runs of each scale phase.
        #[arg(long, default_value_t = 1)]
        scale_runs: usize,
    },
    /// Load benchmark of the collection service, on loopback: every
    /// council signs in and uploads its return at once; latency from upload
    /// to problems page (p50, p90, p99) and errors. Stops by itself.
    BenchServe {
        /// Scratch folder for the data and database (emptied).
        #[arg(long, default_value = "target/bench-serve")]
        dir: PathBuf,
        /// Councils uploading at once (up to the register's 153).
        #[arg(long, default_value_t = 153)]
        councils: usize,
        /// Rounds (each with new sign-ins and new uploads).
        #[arg(long, default_value_t = 5)]
        rounds: usize,
    },
    /// One phase of `scwres bench`, timed inside its own process.
    #[command(hide = true)]
    BenchPhase {
        #[arg(value_enum)]
        phase: BenchPhase,
        #[arg(long)]
        data: PathBuf,
        /// Typeset only the first N local reports (no national report): a
        /// run short enough to profile, e.g. under callgrind.
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Writes one of `scwres bench`'s data sets in a process of its own:
    /// synthetic returns, or with `--people` a council's staff records.
    #[command(hide = true)]
    BenchData {
        /// Folder to write into.
        #[arg(long)]
        data: PathBuf,
        /// Organisations in the register (153: the built-in one).
        #[arg(long, default_value_t = 153)]
        orgs: usize,
        /// Returns to write.
        #[arg(long, default_value_t = 153)]
        files: usize,
        /// Make one return one that validation rejects (as the demo does).
        #[arg(long)]
        reject_one: bool,
        /// Staff records of about this many people in post, instead.
        #[arg(long, conflicts_with_all = ["orgs", "files", "reject_one"])]
        people: Option<u64>,
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
        /// The council's own return of an earlier year (repeat for every
        /// earlier year it took part in): the newest gives the change since
        /// last year, all of them its series.
        #[arg(long)]
        previous: Vec<PathBuf>,
        /// The council's action plan (YAML).
        #[arg(long)]
        actions: Option<PathBuf>,
        /// `public` (disclosure control; the default) or `internal` (exact
        /// figures, not for publication).
        #[arg(long)]
        audience: Option<AudienceArg>,
        /// Folder with the register (`authorities.csv`) the national run
        /// used, if not the built-in one. Publication details and thresholds
        /// come from the `publication.json` beside the benchmarks.
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// Where to write the report.
        #[arg(short, long, default_value = "out/local")]
        out: PathBuf,
    },
    /// Count a council's staff records (CSV or xlsx lists of people in
    /// post, leavers, events, candidates, survey answers) into its return.
    /// Nothing is written unless the return would pass `scwres validate`.
    Extract {
        /// The council's ONS GSS code, such as E10000015.
        #[arg(long)]
        authority: String,
        /// Collection year.
        #[arg(long)]
        year: i32,
        /// Staff in post on the snapshot date (required).
        #[arg(long)]
        staff: PathBuf,
        /// Leavers in the period.
        #[arg(long)]
        leavers: Option<PathBuf>,
        /// Disciplinary, fitness-to-practise and CPD events in the period.
        #[arg(long)]
        events: Option<PathBuf>,
        /// Candidates for vacancies, with the furthest stage reached.
        #[arg(long)]
        recruitment: Option<PathBuf>,
        /// Staff-survey respondents.
        #[arg(long)]
        survey: Option<PathBuf>,
        /// YAML mapping of ethnicity values to white, minoritised or
        /// unknown, added to (and overriding) the built-in map.
        #[arg(long)]
        ethnicity_map: Option<PathBuf>,
        /// Folder with `report.yaml` (pay bands with min_salary).
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// The return to write: .csv, .yaml or .xlsx.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// The collection service: councils sign in, upload their return, see
    /// its problems and their own figures, and sign it off; the national
    /// team follows every council and exports the signed-off returns.
    Serve {
        /// The data folder (report.yaml, authorities.csv, earlier years'
        /// returns); the service's database is kept in it.
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// Address and port to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Collection year (default: the year after the newest year folder
        /// of returns/).
        #[arg(long)]
        year: Option<i32>,
        /// A published release's benchmarks.csv: England's figures beside a
        /// council's own.
        #[arg(long, value_name = "FILE")]
        published: Option<PathBuf>,
        /// The address people reach the service at, for links in email
        /// (https behind a TLS proxy makes cookies Secure).
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// Mail relay (host:port) for sign-in links.
        #[arg(long, value_name = "HOST:PORT", requires = "mail_from")]
        smtp: Option<String>,
        /// The From address of the sign-in emails.
        #[arg(long, value_name = "ADDRESS")]
        mail_from: Option<String>,
        /// Invite this email address as a national team administrator (if
        /// it is not already) and print a sign-in link for it.
        #[arg(long, value_name = "EMAIL")]
        admin: Option<String>,
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
        /// Also write the staff records of this council's 2024 return, in
        /// `<data>/examples/staff/` (for `scwres extract`).
        #[arg(long, value_name = "CODE")]
        records: Option<String>,
    },
}

/// Opts this process out of transparent huge pages. Its heap is many small,
/// short-lived allocations from every thread; where the kernel backs memory
/// with huge pages whenever it can (`always`, common on Linux hosts), it
/// zeroed whole 2 MB pages that were barely used: peak memory 195 MB against
/// 130 MB, and a quarter of a second of system time a run
/// (docs/performance.md). Done first, before any thread starts; a kernel that
/// refuses simply keeps its default.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and touches no memory
    // of ours.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

fn main() -> ExitCode {
    no_huge_pages();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Report {
            data,
            out,
            year,
            quiet,
            previous_release,
        } => report(
            run::ReportOptions {
                data,
                out,
                year,
                previous_release,
            },
            quiet,
        ),
        Command::Bench {
            dir,
            runs,
            scale,
            scale_runs,
        } => bench(dir, runs, scale, scale_runs),
        Command::BenchServe {
            dir,
            councils,
            rounds,
        } => scwres::bench::serve::run(&dir, councils, rounds.max(1), &|m| {
            eprintln!("scwres bench-serve: {m}")
        })
        .map(|t| {
            println!("{t}");
            ExitCode::SUCCESS
        }),
        Command::BenchPhase { phase, data, limit } => bench_phase(phase, data, limit),
        Command::BenchData {
            data,
            orgs,
            files,
            reject_one,
            people,
        } => scwres::bench::write_data(&data, orgs, files, reject_one, people)
            .map(|()| ExitCode::SUCCESS),
        Command::Extract {
            authority,
            year,
            staff,
            leavers,
            events,
            recruitment,
            survey,
            ethnicity_map,
            data,
            output,
        } => extract(run::ExtractOptions {
            authority,
            year,
            staff,
            leavers,
            events,
            recruitment,
            survey,
            ethnicity_map,
            data,
            output,
        }),
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
        Command::Serve {
            data,
            listen,
            year,
            published,
            base_url,
            smtp,
            mail_from,
            admin,
        } => {
            let opts = scwres::serve::Options {
                data,
                year,
                published,
                smtp: smtp.map(|relay| scwres::serve::mail::Smtp {
                    relay,
                    from: mail_from.unwrap_or_default(),
                }),
                base_url,
                admin,
            };
            scwres::serve::run(&opts, &listen, &|m| eprintln!("{m}")).map(|()| ExitCode::SUCCESS)
        }
        Command::DemoData {
            data,
            seed,
            councils,
            records,
        } => demo(data, seed, councils, records),
        Command::Local {
            ret,
            benchmarks,
            previous,
            actions,
            audience,
            data,
            out,
        } => local(run::LocalOptions {
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

fn report(opts: run::ReportOptions, quiet: bool) -> anyhow::Result<ExitCode> {
    use std::io::IsTerminal as _;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let start = std::time::Instant::now();
    let tty = std::io::stderr().is_terminal();
    let bar = std::sync::OnceLock::<indicatif::ProgressBar>::new();
    let (done, total) = (AtomicUsize::new(0), AtomicUsize::new(0));
    if !quiet && !tty {
        eprintln!(
            "scwres: loading and checking the returns in {}",
            opts.data.display()
        );
    }
    let progress = |p: run::Progress| {
        if quiet {
            return;
        }
        match p {
            run::Progress::Prepared { reports } => {
                total.store(reports, Ordering::Relaxed);
                if tty {
                    let b = indicatif::ProgressBar::new(reports as u64).with_style(
                        indicatif::ProgressStyle::with_template(
                            "{msg} [{bar:30}] {pos}/{len} reports, {elapsed} elapsed, about {eta} to go",
                        )
                        .expect("a valid template")
                        .progress_chars("=> "),
                    );
                    b.set_message("scwres: typesetting");
                    let _ = bar.set(b);
                } else {
                    eprintln!("scwres: figures computed; typesetting {reports} reports");
                }
            }
            run::Progress::Rendered => {
                let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                let t = total.load(Ordering::Relaxed);
                if let Some(b) = bar.get() {
                    b.inc(1);
                } else if n == t || n % (t / 10).max(1) == 0 {
                    eprintln!("scwres: {n} of {t} reports made");
                }
            }
        }
    };
    let s = run::run_report_with(&opts, &progress)?;
    if let Some(b) = bar.get() {
        b.finish_and_clear();
    }
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
        "scwres: {} run finished in {:.1} s\n  returns: {} accepted, {} rejected, {} skipped, {} warnings (see internal/validation.md)\n  reports: the national report and {} local reports{}\n  files:   {} written to {}\n           public/ is safe to publish as a whole; internal/ is for the national team only",
        s.year,
        start.elapsed().as_secs_f64(),
        s.accepted,
        s.rejected,
        s.skipped,
        warnings,
        s.local_reports,
        if s.failures.is_empty() {
            String::new()
        } else {
            format!("; {} problems listed above", s.failures.len())
        },
        s.files_written,
        s.out_dir.display()
    );
    if s.synthetic && s.rejected > 0 {
        eprintln!(
            "  note:    these are synthetic demo data; the shipped demo includes one return rejected\n           on purpose, to show how validation reports a bad return. Why each return\n           was rejected: {}",
            s.out_dir.join("internal/validation.md").display()
        );
    }
    Ok(if s.rejected > 0 || !s.failures.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn bench(
    dir: PathBuf,
    runs: usize,
    scale: Vec<usize>,
    scale_runs: usize,
) -> anyhow::Result<ExitCode> {
    let opts = scwres::bench::BenchOptions {
        dir,
        runs: runs.max(1),
        scale_runs: scale_runs.max(1),
        scale,
        exe: std::env::current_exe()?,
    };
    let table = scwres::bench::run(&opts, &|m| eprintln!("scwres bench: {m}"))?;
    println!("{table}");
    Ok(ExitCode::SUCCESS)
}

fn bench_phase(phase: BenchPhase, data: PathBuf, limit: Option<usize>) -> anyhow::Result<ExitCode> {
    let t = match phase {
        BenchPhase::Prepare => scwres::bench::phase_prepare(&data)?,
        BenchPhase::Typeset => scwres::bench::phase_typeset(&data, limit)?.0,
        BenchPhase::Web => scwres::bench::phase_web(&data)?.0,
    };
    println!("elapsed {}", t.as_secs_f64());
    Ok(ExitCode::SUCCESS)
}

fn validate_paths(
    paths: Vec<PathBuf>,
    year: Option<i32>,
    data: PathBuf,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let outcomes = run::validate(&paths, year, &data)?;
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
    for d in run::template(year, from.as_deref(), &data, &output)? {
        eprintln!("{d}");
    }
    eprintln!("scwres: wrote {}", output.display());
    Ok(ExitCode::SUCCESS)
}

fn extract(o: run::ExtractOptions) -> anyhow::Result<ExitCode> {
    let run = run::run_extract(&o)?;
    for d in &run.diagnostics {
        eprintln!("{d}");
    }
    match run.written {
        Some(path) => {
            eprintln!("scwres: wrote {}", path.display());
            Ok(ExitCode::SUCCESS)
        }
        None => {
            let errors = run.diagnostics.iter().filter(|d| d.is_error()).count();
            eprintln!(
                "scwres: {errors} {} found; no return was written",
                if errors == 1 { "problem" } else { "problems" }
            );
            Ok(ExitCode::from(1))
        }
    }
}

fn local(o: run::LocalOptions) -> anyhow::Result<ExitCode> {
    let run = run::run_local(&o)?;
    for o in &run.outcomes {
        for d in &o.diagnostics {
            eprintln!("{d}");
        }
    }
    match run.written {
        Some(path) => {
            eprintln!(
                "scwres: wrote {} and its web page {}",
                path.display(),
                path.with_extension("html").display()
            );
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

fn demo(
    data: PathBuf,
    seed: u64,
    councils: usize,
    records: Option<String>,
) -> anyhow::Result<ExitCode> {
    let n = run::demo_data(&data, seed, councils, records.as_deref())?;
    eprintln!(
        "scwres: wrote {n} synthetic returns under {}",
        data.join("returns").display()
    );
    Ok(ExitCode::SUCCESS)
}
