//! The typesetting threads.

/// Runs `f` over `items` on one thread per core, each taking the next item
/// when it is done with one, and stops at the first error.
///
/// Documents are deliberately not rayon tasks: typst parallelises inside a
/// document with rayon, and a rayon worker waiting on such inner work steals
/// other queued tasks, so with documents as tasks one thread could start
/// document after document, nested on its stack, all in memory at once
/// (measured: peak memory grew with the number of councils, to 5.9 GB for
/// 2,000). Here a thread holds one document at a time.
pub fn for_each_document<T: Sync>(
    items: &[T],
    f: impl Fn(&T) -> anyhow::Result<()> + Sync,
) -> anyhow::Result<()> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    init_threads();
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let first_error = std::sync::Mutex::new(None);
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len().max(1));
    std::thread::scope(|s| -> anyhow::Result<()> {
        for _ in 0..workers {
            std::thread::Builder::new()
                .name("scwres-typeset".into())
                .stack_size(STACK)
                .spawn_scoped(s, || {
                    // typst's inner parallel work runs on this worker's own
                    // one-thread pool: one document per core, no stealing.
                    let pool = rayon::ThreadPoolBuilder::new()
                        .num_threads(1)
                        .stack_size(STACK)
                        .build();
                    while !failed.load(Ordering::Relaxed) {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        let result = match &pool {
                            Ok(pool) => pool.install(|| f(item)),
                            Err(e) => Err(anyhow::anyhow!("starting a typesetting thread: {e}")),
                        };
                        if let Err(e) = result {
                            failed.store(true, Ordering::Relaxed);
                            first_error
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .get_or_insert(e);
                        }
                    }
                })
                .map_err(|e| anyhow::anyhow!("starting a typesetting thread: {e}"))?;
        }
        Ok(())
    })?;
    match first_error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Stack size of the threads that typeset: typst recurses deeply, the more
/// so in debug builds.
const STACK: usize = 16 << 20;

/// Gives rayon's global pool (where typst runs its inner parallel work) the
/// same deep stacks. Harmless if the pool already exists.
pub(crate) fn init_threads() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rayon::ThreadPoolBuilder::new()
            .stack_size(STACK)
            .build_global();
    });
}
