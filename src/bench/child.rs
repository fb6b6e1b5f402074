//! Running a phase in a child process: its time, its peak memory, and the
//! benchmark process's own.

use super::Sample;
use anyhow::{Context as _, bail};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Runs `exe args`, timing it and reading its peak memory. A line
/// `elapsed <seconds>` on its standard output is the phase's own time.
pub(super) fn sample(exe: &Path, args: &[&std::ffi::OsStr]) -> anyhow::Result<Sample> {
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
    Ok((code, peak_bytes(&usage), stdout, stderr))
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

/// Runs `exe bench-data --data dir args` and returns what it printed.
pub(super) fn generate(exe: &Path, dir: &Path, args: &[&str]) -> anyhow::Result<String> {
    let o = Command::new(exe)
        .arg("bench-data")
        .arg("--data")
        .arg(dir)
        .args(args)
        .output()
        .with_context(|| format!("running {}", exe.display()))?;
    if !o.status.success() {
        bail!(
            "{} bench-data {args:?} failed ({}): {}",
            exe.display(),
            o.status,
            String::from_utf8_lossy(&o.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&o.stdout).into_owned())
}

/// This process's own peak resident memory, in bytes.
#[cfg(unix)]
pub(super) fn own_peak() -> Option<u64> {
    // SAFETY: an all-zero rusage is a valid value; getrusage fills it in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: the pointer is to a live local.
    let r = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    if r != 0 {
        return None;
    }
    peak_bytes(&usage)
}

/// The peak resident memory in a `rusage`, in bytes (Linux counts it in
/// kilobytes), where the OS fills it in.
#[cfg(unix)]
fn peak_bytes(usage: &libc::rusage) -> Option<u64> {
    (usage.ru_maxrss > 0).then(|| usage.ru_maxrss as u64 * 1024)
}

#[cfg(not(unix))]
pub(super) fn own_peak() -> Option<u64> {
    None
}
