//! The `scwres` command line's arguments (clap): every command and its
//! options, as `--help` shows them. `main.rs` runs them.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "scwres",
    version,
    about = "Social Care Workforce Race Equality Standard: national and local reports"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum BenchPhase {
    Prepare,
    Typeset,
    Web,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum AudienceArg {
    Public,
    Internal,
}

#[derive(Subcommand)]
pub enum Command {
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
        /// Then the release from the service against `scwres report` on the
        /// same inputs, and 20 councils adding an action to their plan at
        /// once.
        #[arg(long)]
        release: bool,
        /// Attack the service while the councils upload: 512 dripping and
        /// 512 idle connections and 50 slow 21 MB uploads, each attacker
        /// from its own loopback addresses; `GET /` from another address
        /// and the process's memory measured throughout.
        #[arg(long)]
        hostile: bool,
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
        /// Behind a reverse proxy that sets X-Forwarded-For: limits count
        /// the client's address it gives, not the proxy's.
        #[arg(long)]
        behind_proxy: bool,
        /// The browser's extraction module (built by .ci/wasm): councils
        /// then count their HR records into a return in their own browser.
        #[arg(long, value_name = "FILE")]
        extract_module: Option<PathBuf>,
    },
    /// Back up the collection service's database while it runs: a
    /// consistent copy to a new file, checked whole.
    Backup {
        /// The service's data folder.
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// The backup to write (a new file).
        #[arg(short, long)]
        output: PathBuf,
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
