//! The `scwres` command line: a thin layer over the library.

mod cli;

use clap::Parser as _;
use cli::{AudienceArg, BenchPhase, Cli, Command, Format};
use scwres::load::Status;
use scwres::run;
use std::path::PathBuf;
use std::process::ExitCode;

/// typst allocates and frees small objects at a great rate from every
/// thread; mimalloc is faster at that than the system allocator and keeps a
/// long run's memory from fragmenting (measured: see docs/performance.md).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

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

/// The collection service computes one council's figures on a request, a
/// few dozen rows that polars would hand to its own pool of threads, whose
/// idle workers then spin beside every other request: with one polars
/// thread, `scwres bench-serve`'s upload p99 went from 350 to 510 ms to 260
/// to 340 ms (docs/performance.md). Set once, before any thread starts
/// and before polars reads it; a value already in the environment is kept.
fn one_polars_thread() {
    if std::env::var_os("POLARS_MAX_THREADS").is_none() {
        // SAFETY: called first in `main`, while the process has one thread.
        unsafe { std::env::set_var("POLARS_MAX_THREADS", "1") };
    }
}

fn main() -> ExitCode {
    no_huge_pages();
    let cli = Cli::parse();
    if matches!(
        cli.command,
        Command::Serve { .. } | Command::BenchServe { .. }
    ) {
        one_polars_thread();
    }
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
            release,
            hostile,
        } => scwres::bench::serve::run(&dir, councils, rounds.max(1), release, hostile, &|m| {
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
            behind_proxy,
            extract_module,
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
                behind_proxy,
                extract_module,
            };
            scwres::serve::run(&opts, &listen, &|m| eprintln!("{m}")).map(|()| ExitCode::SUCCESS)
        }
        Command::Backup { data, output } => {
            let from = data.join(scwres::serve::db::FILE);
            if !from.is_file() {
                eprintln!("scwres: {}: no service database here", from.display());
                return ExitCode::from(2);
            }
            scwres::serve::db::backup(&from, &output)
                .map(|n| {
                    eprintln!(
                        "scwres: backed up {} to {} ({n} bytes, integrity checked)",
                        from.display(),
                        output.display()
                    );
                    ExitCode::SUCCESS
                })
                .map_err(anyhow::Error::from)
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
