//! Run: the orchestration of every command, in one place. It calls the
//! stages in order (load → compute → disclose → view → render → publish)
//! and decides nothing they decide: what is shown is `disclose`'s, the
//! words are the templates', the files are `publish`'s.

pub mod collect;
mod commands;
mod extract;
mod local;
pub mod release;
mod report;
mod threads;

pub use commands::{demo_data, demo_records, demo_return, template, validate};
pub use extract::{ExtractOptions, ExtractRun, run_extract};
pub use local::{LocalOptions, LocalRun, run_local};
pub use report::{
    INTERNAL, PUBLIC, Progress, Publication, ReportOptions, RunSummary, publication, run_report,
    run_report_with,
};
pub use threads::for_each_document;

use crate::chart;
use crate::compute::{self, Scope};
use crate::config::Config;
use crate::disclose::Suppression;
use crate::disclose::benchmarks::Benchmarks;
use crate::load::actions::ActionPlan;
use crate::load::benchmarks::Published;
use crate::load::{self, YearData};
use crate::model::Return;
use crate::register::Register;
use crate::render::{self, Rendered};
use crate::view::local::{LocalBench, LocalInputs, SharedFunnel};
use crate::view::national::Files;
use crate::view::{self, SYNTHETIC_NOTE};
use anyhow::{Context as _, bail};
use std::path::Path;

/// A year's returns loaded and every figure computed and disclosed:
/// everything a run renders and publishes.
pub struct Prepared {
    pub config: Config,
    pub register: Register,
    pub current: YearData,
    /// Every earlier year read (the back series), oldest first.
    pub history: Vec<YearData>,
    pub results: compute::Results,
    pub bench: Benchmarks,
    /// The bytes of `benchmarks.csv` and the suppressions made in it.
    pub benchmarks_csv: Vec<u8>,
    pub benchmarks_log: Vec<Suppression>,
    /// What local reports read: `benchmarks_csv` read back, exactly as a
    /// council running `scwres local` reads it.
    pub local_bench: LocalBench,
    /// The action plans of the year.
    pub plans: load::Plans,
    /// What changed since an earlier release of the year, when one is given.
    pub revisions: Option<crate::revise::Revisions>,
}

/// Loads, validates, computes and discloses: the stages before any output.
pub fn prepare(data: &Path, year: Option<i32>) -> anyhow::Result<Prepared> {
    prepare_from(&load::Folder::new(data), year, None)
}

/// [`prepare`] on the inputs of `src`, as a revision of the earlier release
/// in `earlier_release` (its `<out>/<year>` files) when given: England's
/// and the regions' published counts are carried from it
/// (`disclose::carry`).
pub fn prepare_from(
    src: &dyn load::Source,
    year: Option<i32>,
    earlier_release: Option<&dyn load::Source>,
) -> anyhow::Result<Prepared> {
    threads::init_threads();
    let config = load::load_config(src)?;
    let register = load::load_register(src)?;
    printable_inputs(src, &config, &register)?;
    let years = load::years(src)?;
    let year = match year {
        Some(y) if years.contains(&y) => y,
        Some(y) => bail!(
            "no returns for {y}: {} has no folder {y}",
            src.shown("returns")
        ),
        None => *years
            .last()
            .with_context(|| format!("no year folders in {}", src.shown("returns")))?,
    };
    let current = load::load_year(src, year, &register, &config)?;
    if current.returns.is_empty() {
        let dir = src.shown(&format!("returns/{year}"));
        bail!(
            "none of the {} files in {dir} was accepted, so there is nothing to report; `scwres validate {dir}` says why",
            current.outcomes.len(),
        );
    }
    // Every earlier year: the back series; the newest of them is "previous".
    let mut history: Vec<YearData> = Vec::new();
    for y in years.iter().copied().filter(|y| *y < year) {
        history.push(load::load_year(src, y, &register, &config)?);
    }
    let mut plans = load::load_actions(src, year, &register)?;
    let unprintable: Vec<(String, Vec<load::diag::Diagnostic>)> = plans
        .by_council
        .iter()
        .map(|(code, plan)| (code.clone(), printable(plan)))
        .filter(|(_, d)| !d.is_empty())
        .collect();
    for (code, d) in unprintable {
        plans.by_council.remove(&code);
        plans.refused.entry(code).or_default().extend(d);
    }
    let earlier: Vec<(&[Return], i32)> = history
        .iter()
        .map(|y| (y.returns.as_slice(), y.year))
        .collect();
    let mut results = compute::compute(&current.returns, year, &earlier, &register, &config)?;
    if let Some(earlier) = earlier_release {
        let (bench_rows, exact_rows) = read_earlier(earlier, year)?;
        crate::disclose::carry::apply(
            &mut results.current,
            &bench_rows,
            &exact_rows,
            &register,
            crate::disclose::Policy::public(&config),
        );
    }
    let bench = Benchmarks::from_results(&results, &register, &config);
    let (rows, benchmarks_log) = bench.rows(&config);
    let benchmarks_csv = crate::formats::benchmarks::write(&rows);
    let published = load::benchmarks::read("benchmarks.csv", &benchmarks_csv).map_err(|e| {
        anyhow::anyhow!("internal error: the benchmarks written cannot be read back: {e}")
    })?;
    let local_bench = local_bench(&published, &config).map_err(anyhow::Error::msg)?;
    Ok(Prepared {
        config,
        register,
        current,
        history,
        results,
        bench,
        benchmarks_csv,
        benchmarks_log,
        local_bench,
        plans,
        revisions: None,
    })
}

/// Text of report.yaml and of the register that every report prints: a
/// character no embedded font has (CJK, emoji) or a control character is
/// refused here, naming the file and field, before any typesetting.
fn printable_inputs(
    src: &dyn load::Source,
    config: &Config,
    register: &Register,
) -> anyhow::Result<()> {
    let bad = |text: &str| {
        text.chars()
            .find(|c| c.is_control())
            .or_else(|| render::unprintable(text))
    };
    let refuse = |file: String, field: &str, text: &str, c: char| {
        anyhow::anyhow!(
            "{file}, {field}: the character {c:?} (U+{:04X}) cannot be printed in the reports (found {text:?})\n  hint: the reports' fonts cover Latin, Greek, Cyrillic and Arabic script; write it without that character",
            c as u32
        )
    };
    let p = &config.publication;
    for (field, text) in [
        ("publication.producer", &p.producer),
        ("publication.contact_name", &p.contact_name),
        ("publication.contact_email", &p.contact_email),
    ] {
        if let Some(c) = bad(text) {
            return Err(refuse(src.shown("report.yaml"), field, text, c));
        }
    }
    for a in register.iter() {
        for (field, text) in [("name", &a.name), ("region_name", &a.region_name)] {
            if let Some(c) = bad(text) {
                return Err(refuse(
                    src.shown("authorities.csv"),
                    &format!("{} {field}", a.code),
                    text,
                    c,
                ));
            }
        }
    }
    Ok(())
}

/// Every field of a plan that the reports could not print: a control
/// character, or a character none of the embedded fonts has (CJK, emoji),
/// named by file, field and character, before any typesetting.
pub fn printable(plan: &ActionPlan) -> Vec<load::diag::Diagnostic> {
    let mut d = Vec::new();
    for (i, a) in plan.actions.iter().enumerate() {
        for (field, text) in [
            ("action", &a.action),
            ("owner", &a.owner),
            ("measure", &a.measure),
        ] {
            let bad = text
                .chars()
                .find(|c| c.is_control())
                .or_else(|| render::unprintable(text));
            if let Some(c) = bad {
                d.push(
                    load::diag::Diagnostic::error(
                        &plan.file,
                        format!("actions[{i}].{field}"),
                        format!(
                            "the character {:?} (U+{:04X}) cannot be printed in the report",
                            c, c as u32
                        ),
                    )
                    .hint("the report's fonts cover Latin, Greek, Cyrillic and Arabic script; write it without that character"),
                );
            }
        }
    }
    d
}

/// An earlier release of the year: its public benchmarks.csv and its
/// internal results.csv, read through the guard.
fn read_earlier(
    earlier: &dyn load::Source,
    year: i32,
) -> anyhow::Result<(
    Vec<crate::formats::benchmarks::BenchRow>,
    Vec<crate::formats::results::ResultRow>,
)> {
    let read = |name: &str| {
        let shown = earlier.shown(name);
        earlier
            .read(name, load::MAX_BENCHMARKS)
            .map_err(|r| anyhow::anyhow!("{shown}: {}", r.rule))
            .map(|b| (shown, b))
    };
    let (shown, bytes) = read("manifest.json")?;
    let earlier =
        crate::formats::manifest::Manifest::read(&shown, &bytes).map_err(anyhow::Error::msg)?;
    if earlier.year != year {
        bail!(
            "{shown}: the earlier release is of {}, not {year}; give the folder of the same year",
            earlier.year
        );
    }
    let (shown, bytes) = read(&report::public("benchmarks.csv"))?;
    let bench = crate::formats::benchmarks::read(&shown, &bytes)
        .map_err(|e| anyhow::anyhow!("{e}: a revision carries England's published counts from the earlier release's benchmarks.csv"))?
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    let (shown, bytes) = read(&report::internal("results.csv"))?;
    let exact = crate::formats::results::read(&shown, &bytes).map_err(anyhow::Error::msg)?;
    Ok((bench, exact))
}

/// What local reports read of a published benchmarks file: the national
/// figures computed again, the funnels, and each funnel's chart with every
/// point grey, drawn once and shared by every local report.
pub fn local_bench(p: &Published, config: &Config) -> Result<LocalBench, String> {
    let (national, funnels) = compute::published_benchmarks(p, config);
    let synthetic = config.synthetic || p.synthetic;
    let funnel_charts = funnels
        .iter()
        .map(|f| {
            let (svg, frame) = chart::funnel_chart(
                &f.points,
                f.target,
                &f.curve(),
                true,
                &chart::axis_title(f.indicator.def().population.description()),
                synthetic.then_some(SYNTHETIC_NOTE),
            )?;
            Ok(SharedFunnel {
                indicator: f.indicator,
                svg: std::sync::Arc::new(svg.into_bytes()),
                frame,
            })
        })
        .collect::<Result<_, String>>()?;
    // England's figures as the national report shows them: from the
    // published counts, with the covering interval and its verdict.
    let policy = crate::disclose::Policy::public(config);
    let national = national.iter().map(|f| policy.republished(f)).collect();
    Ok(LocalBench {
        year: p.year,
        bands: config.bands(p.year),
        synthetic: p.synthetic,
        national,
        regions: p.regions.clone(),
        funnels,
        funnel_charts,
        withheld_national: p
            .national
            .iter()
            .filter(|n| n.withheld)
            .map(|n| (n.service, n.indicator, n.band.clone()))
            .collect(),
    })
}

impl Prepared {
    /// The inputs of one council's local report: its own figures only.
    pub fn local_inputs<'a>(&'a self, r: &'a Return) -> LocalInputs<'a> {
        let earlier: Vec<(i32, &[compute::Figure])> = self
            .results
            .history
            .iter()
            .map(|y| (y.year, y.figures.as_slice()))
            .collect();
        local_inputs(
            &self.results.current.figures,
            &earlier,
            &self.register,
            r,
            self.plans.by_council.get(&r.authority_code),
        )
    }

    pub fn render_national(&self) -> Result<Rendered, String> {
        render::typeset(self.national_source()?, self.config.release_ymd())
    }

    /// The national report, ready for the typesetter.
    pub fn national_source(&self) -> Result<render::Source, String> {
        let (v, charts) = self.national_view()?;
        render::source("national".into(), "national", &v, charts)
    }

    /// The national report's view and charts.
    pub fn national_view(
        &self,
    ) -> Result<(view::national::NationalView<'_>, Vec<view::Chart>), String> {
        let files = Files {
            files: self.current.outcomes.len(),
            rejected: self.current.rejected(),
            skipped: self.current.skipped(),
        };
        view::national::national(
            &self.results,
            &self.bench,
            files,
            self.revisions.as_ref(),
            &self.register,
            &self.config,
        )
    }

    /// A council's local report. A council whose action plan was refused
    /// gets no report: its plan must not be silently left out.
    pub fn render_local(&self, r: &Return) -> Result<(Rendered, Vec<Suppression>), String> {
        let (s, log) = self.local_source(r)?;
        Ok((render::typeset(s, self.config.release_ymd())?, log))
    }

    /// A council's local report, ready for the typesetter.
    pub fn local_source(&self, r: &Return) -> Result<(render::Source, Vec<Suppression>), String> {
        if let Some(refused) = self.plans.refused.get(&r.authority_code) {
            let why: Vec<String> = refused.iter().map(|d| d.to_string()).collect();
            return Err(format!(
                "{}: no local report, because its action plan was refused:\n{}",
                r.authority_code,
                why.join("\n")
            ));
        }
        local_source(&self.local_inputs(r), &self.local_bench, &self.config)
    }
}

/// A council's own figures from the figures of the report year and of
/// earlier years (oldest first): nothing of any other council's is passed
/// on. "Last year" is the newest earlier year the council took part in.
fn local_inputs<'a>(
    figures: &'a [compute::Figure],
    earlier: &[(i32, &'a [compute::Figure])],
    register: &'a Register,
    r: &'a Return,
    actions: Option<&'a ActionPlan>,
) -> LocalInputs<'a> {
    // Figures are sorted by scope, then area: a council's are one run,
    // found by binary search (a linear scan per report made a run of many
    // thousands of organisations quadratic).
    let own = |figs: &'a [compute::Figure]| -> Vec<&'a compute::Figure> {
        fn key(f: &compute::Figure) -> (Scope, &str) {
            (f.scope, f.area_code.as_str())
        }
        let want = (Scope::Authority, r.authority_code.as_str());
        let start = figs.partition_point(|f| key(f) < want);
        let end = start + figs[start..].partition_point(|f| key(f) == want);
        figs[start..end].iter().collect()
    };
    let series: Vec<(i32, Vec<&compute::Figure>)> = earlier
        .iter()
        .map(|(y, f)| (*y, own(f)))
        .filter(|(_, f)| !f.is_empty())
        .collect();
    LocalInputs {
        authority: register
            .get(&r.authority_code)
            .expect("accepted returns are in the register"),
        own: own(figures),
        previous: series.last().cloned(),
        series,
        services: r.services.keys().copied().collect(),
        staff: r
            .services
            .values()
            .filter_map(|s| s.headcount())
            .map(|t| t.total())
            .sum(),
        quality: compute::quality::Quality::of(r),
        actions,
    }
}

fn local_source(
    input: &LocalInputs,
    bench: &LocalBench,
    config: &Config,
) -> Result<(render::Source, Vec<Suppression>), String> {
    let (v, charts, log) = view::local::local(input, bench, config)?;
    let name = crate::publish::local_name(&input.authority.code, &input.authority.name);
    render::source(name, "local", &v, charts).map(|s| (s, log))
}
