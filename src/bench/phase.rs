//! The hidden `scwres bench-phase`: one stage of a run, timed inside its
//! own process.

use std::path::Path;
use std::time::{Duration, Instant};

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
