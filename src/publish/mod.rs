//! Publish: the only stage that writes files, and all it does is place
//! bytes made by the other stages. Every file is written to a temporary
//! name beside its target and renamed into place, so a failed run leaves no
//! half-written file behind.

use std::io::Write as _;
use std::path::{Path, PathBuf};

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

/// Places a run's files, under one folder or in memory (the pipeline as a
/// library: [`Publisher::in_memory`]), and remembers each file's hash for
/// the manifest.
/// It can be shared between threads: each document is placed as soon as it
/// is made.
pub struct Publisher {
    dest: Dest,
    written: std::sync::Mutex<Vec<(String, String)>>,
}

enum Dest {
    Folder(PathBuf),
    Memory(std::sync::Mutex<std::collections::BTreeMap<String, Vec<u8>>>),
}

impl Publisher {
    pub fn new(root: &Path) -> Publisher {
        Publisher {
            dest: Dest::Folder(root.to_path_buf()),
            written: Default::default(),
        }
    }

    /// A publisher that writes nothing: it keeps the files, by their path
    /// in the release, for [`Publisher::into_files`].
    pub fn in_memory() -> Publisher {
        Publisher {
            dest: Dest::Memory(Default::default()),
            written: Default::default(),
        }
    }

    /// Places `bytes` at `<root>/<rel>` (atomically, on disk) and records
    /// it. A file on disk is synced by [`Publisher::sync`], once for the
    /// run: a sync per file cost a run of 153 councils about a second.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> std::io::Result<()> {
        match &self.dest {
            Dest::Folder(root) => write_file(&root.join(rel), bytes, false)?,
            Dest::Memory(files) => {
                files
                    .lock()
                    .expect("no panics while held")
                    .insert(rel.to_string(), bytes.to_vec());
            }
        }
        let hash = crate::digest::sha256_hex(bytes);
        self.written
            .lock()
            .expect("no panics while held")
            .push((rel.to_string(), hash));
        Ok(())
    }

    /// Syncs everything written to disk (the whole file system of the
    /// output folder, in one call where the OS has one).
    pub fn sync(&self) -> std::io::Result<()> {
        match &self.dest {
            Dest::Folder(root) => sync_path(root),
            Dest::Memory(_) => Ok(()),
        }
    }

    /// The files placed in memory, by path (none for a folder's).
    pub fn into_files(self) -> std::collections::BTreeMap<String, Vec<u8>> {
        match self.dest {
            Dest::Folder(_) => Default::default(),
            Dest::Memory(files) => files.into_inner().unwrap_or_else(|e| e.into_inner()),
        }
    }

    /// Files written so far.
    pub fn count(&self) -> usize {
        self.written.lock().expect("no panics while held").len()
    }

    /// Every file written so far, with its SHA-256, for the manifest.
    pub fn written(&self) -> Vec<crate::formats::manifest::Output> {
        self.written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|(file, sha256)| crate::formats::manifest::Output {
                file: file.clone(),
                sha256: sha256.clone(),
            })
            .collect()
    }
}

/// A run's output folder as one publication: the run holds a lock on it,
/// writes everything into a private staging folder beside it, and swaps
/// the staging folder into place at the end. So `<dir>` always holds
/// exactly one run's files, matching its manifest: never two runs' files
/// mixed, never a stale file of an earlier run, never a half-made run (a
/// killed run leaves only its hidden staging folder, removed by the next).
pub struct Staged {
    target: PathBuf,
    staging: PathBuf,
    /// Where the earlier run's files go while they are replaced.
    old: PathBuf,
    /// Held for the run: released by the OS when the process ends, however.
    _lock: std::fs::File,
    /// Swapped into place: nothing to clear when dropped.
    finished: bool,
}

/// A run that stops with an error (not killed) leaves nothing behind: its
/// staging folder is removed, and the earlier publication stays as it was.
impl Drop for Staged {
    fn drop(&mut self) {
        if !self.finished {
            let _ = remove_tree(&self.staging);
        }
    }
}

/// Removes, under `root` (to four levels down), what killed runs left: the
/// hidden staging and old folders of [`Staged`] and their locks. For a
/// folder of releases where each run writes a new target, so that no later
/// run of the same target clears them. Call it only when no run is going.
/// The number of entries removed; a missing `root` is nothing to do.
pub fn clear_leftovers(root: &Path) -> std::io::Result<usize> {
    fn walk(dir: &Path, depth: usize, n: &mut usize) -> std::io::Result<()> {
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        for e in entries {
            let e = e?;
            let name = e.file_name().to_string_lossy().into_owned();
            let ty = e.file_type()?;
            let left = name.starts_with('.')
                && (name.contains(".staging-")
                    || name.contains(".old-")
                    || name.ends_with(".lock"));
            if left {
                if ty.is_dir() {
                    remove_tree(&e.path())?;
                } else {
                    std::fs::remove_file(e.path())?;
                }
                *n += 1;
            } else if ty.is_dir() && depth > 0 {
                walk(&e.path(), depth - 1, n)?;
            }
        }
        Ok(())
    }
    let mut n = 0;
    walk(root, 4, &mut n)?;
    Ok(n)
}

impl Staged {
    /// Takes the lock on `target` (refusing if another run holds it),
    /// clears the staging folders killed runs left, and starts a new one.
    pub fn begin(target: &Path) -> anyhow::Result<Staged> {
        use anyhow::Context as _;
        let parent = target.parent().unwrap_or(Path::new("."));
        let name = target
            .file_name()
            .and_then(|n| n.to_str())
            .context("the output folder has no name")?
            .to_string();
        std::fs::create_dir_all(parent).with_context(|| parent.display().to_string())?;
        let lock_path = parent.join(format!(".{name}.lock"));
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .with_context(|| lock_path.display().to_string())?;
        lock_exclusive(&lock).map_err(|_| {
            anyhow::anyhow!(
                "{}: another run is writing this folder now; wait for it to finish",
                target.display()
            )
        })?;
        let (staging, old) = (format!(".{name}.staging-"), format!(".{name}.old-"));
        for e in std::fs::read_dir(parent).with_context(|| parent.display().to_string())? {
            let e = e?;
            let n = e.file_name().to_string_lossy().into_owned();
            if n.starts_with(&staging) || n.starts_with(&old) {
                remove_tree(&e.path()).with_context(|| e.path().display().to_string())?;
            }
        }
        let pid = std::process::id();
        let staging = parent.join(format!("{staging}{pid}"));
        std::fs::create_dir_all(&staging).with_context(|| staging.display().to_string())?;
        Ok(Staged {
            target: target.to_path_buf(),
            staging,
            old: parent.join(format!("{old}{pid}")),
            _lock: lock,
            finished: false,
        })
    }

    /// Where the run writes.
    pub fn dir(&self) -> &Path {
        &self.staging
    }

    /// Puts the staged files in place of the target, atomically where the
    /// OS can exchange two folders, and removes the earlier run's files.
    pub fn finish(mut self) -> anyhow::Result<PathBuf> {
        use anyhow::Context as _;
        // From here the staging folder is the publication (or, after an
        // exchange, the earlier one, removed below): never removed on drop.
        self.finished = true;
        let shown = self.target.display().to_string();
        let exists = std::fs::symlink_metadata(&self.target).is_ok();
        if exists && exchange(&self.staging, &self.target).is_ok() {
            // The staging path now holds the earlier run.
            remove_tree(&self.staging).with_context(|| shown.clone())?;
        } else {
            if exists {
                std::fs::rename(&self.target, &self.old).with_context(|| shown.clone())?;
                std::fs::rename(&self.staging, &self.target).with_context(|| shown.clone())?;
                remove_tree(&self.old).with_context(|| shown.clone())?;
            } else {
                std::fs::rename(&self.staging, &self.target).with_context(|| shown.clone())?;
            }
        }
        sync_path(&self.target).with_context(|| shown.clone())?;
        Ok(self.target.clone())
    }
}

/// Writes a publication made in memory (files by path below `target`) as
/// one [`Staged`] run: the folder, once there, holds exactly these files.
pub fn write_tree(
    target: &Path,
    files: &std::collections::BTreeMap<String, Vec<u8>>,
) -> anyhow::Result<PathBuf> {
    let staged = Staged::begin(target)?;
    let out = Publisher::new(staged.dir());
    for (rel, bytes) in files {
        out.write(rel, bytes)?;
    }
    out.sync()?;
    staged.finish()
}

/// Syncs the file system holding `path` to disk (in one call on Linux).
pub fn sync_path(path: &Path) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd as _;
        let dir = std::fs::File::open(path)?;
        // SAFETY: `dir` is an open file descriptor for the call's length.
        if unsafe { libc::syncfs(dir.as_raw_fd()) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    #[cfg(not(target_os = "linux"))]
    std::fs::File::open(path)?.sync_all()?;
    Ok(())
}

#[cfg(target_os = "linux")]
fn lock_exclusive(f: &std::fs::File) -> std::io::Result<()> {
    use std::os::fd::AsRawFd as _;
    // SAFETY: a valid open descriptor for the call's length.
    if unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn lock_exclusive(f: &std::fs::File) -> std::io::Result<()> {
    f.try_lock()
        .map_err(|e| std::io::Error::other(e.to_string()))
}

/// Swaps two paths in one step (Linux `renameat2` with `RENAME_EXCHANGE`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt as _;
    let c = |p: &Path| {
        std::ffi::CString::new(p.as_os_str().as_bytes())
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))
    };
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: two valid C strings; the call only renames.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// The file that marks a scratch folder as a tool's own.
const SCRATCH_MARKER: &str = ".scwres-scratch";

/// Makes a scratch folder ready for `tool`: a new or empty folder, or one
/// this tool made before (then emptied). Any other folder is refused, so
/// that a scratch folder option can never empty a folder of the user's.
pub fn scratch_dir(dir: &Path, tool: &str) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let shown = dir.display();
    let marker = dir.join(SCRATCH_MARKER);
    let mine = format!("Scratch folder of `{tool}`: emptied on every run.\n");
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => anyhow::bail!("{shown}: {e}"),
        Ok(m) if !m.is_dir() => {
            anyhow::bail!("{shown}: not a folder; give a new or empty folder")
        }
        Ok(_) => {
            let mut entries = std::fs::read_dir(dir).with_context(|| shown.to_string())?;
            if entries.next().is_some() {
                if std::fs::read_to_string(&marker).ok().as_deref() != Some(mine.as_str()) {
                    anyhow::bail!(
                        "{shown}: the folder is not empty and was not made by `{tool}`; give a new or empty folder (it is emptied on every run)"
                    );
                }
                std::fs::remove_dir_all(dir).with_context(|| shown.to_string())?;
            }
        }
    }
    write_atomic(&marker, mine.as_bytes()).with_context(|| shown.to_string())?;
    Ok(())
}

/// A path made absolute with every part that exists resolved (links,
/// `..`), so that two spellings of one folder compare equal.
fn resolved(p: &Path) -> std::io::Result<PathBuf> {
    let abs = std::path::absolute(p)?;
    let mut base = abs.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(c) = base.canonicalize() {
            return Ok(rest
                .iter()
                .rev()
                .fold(c, |acc: PathBuf, part| acc.join(part)));
        }
        match (base.parent(), base.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                base = parent;
            }
            _ => return Ok(abs),
        }
    }
}

/// Whether two paths name the same file (links and `..` resolved).
pub fn same_path(a: &Path, b: &Path) -> bool {
    matches!((resolved(a), resolved(b)), (Ok(x), Ok(y)) if x == y)
}

/// Outputs never replace inputs (docs/outputs.md): a run may write its year
/// folder `target` only when it is outside the data folder `data` (and the
/// data is not inside it), and, where `target` exists already, only when
/// it is an earlier release of this program holding nothing its manifest
/// does not list. Otherwise the run is refused, saying why, before anything
/// is written.
pub fn check_target(data: &Path, target: &Path) -> anyhow::Result<()> {
    let (d, t) = (resolved(data)?, resolved(target)?);
    if d.starts_with(&t) {
        anyhow::bail!(
            "{}: the data folder is inside the output folder {}, which a run replaces; give --out a folder outside the data folder",
            data.display(),
            target.display()
        );
    }
    if t.starts_with(&d) {
        anyhow::bail!(
            "{}: the output would be inside the data folder {}, and a run replaces its output folder; give --out a folder outside the data folder",
            target.display(),
            data.display()
        );
    }
    let meta = match std::fs::symlink_metadata(target) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        m => m?,
    };
    let not_ours = |why: &str| {
        anyhow::anyhow!(
            "{}: {why}; a run replaces this folder, so it refuses to. Move what is in it, or give another --out",
            target.display()
        )
    };
    if !meta.is_dir() {
        return Err(not_ours("exists and is not a folder"));
    }
    let manifest = target.join("manifest.json");
    let listed: std::collections::BTreeSet<String> = match std::fs::read(&manifest) {
        Ok(bytes) => match crate::formats::manifest::Manifest::read("manifest.json", &bytes) {
            Ok(m) if m.tool == "scwres" => m.outputs.into_iter().map(|o| o.file).collect(),
            _ => {
                return Err(not_ours(
                    "is not a release made by scwres (its manifest.json is not scwres's)",
                ));
            }
        },
        Err(_) => {
            return Err(not_ours(
                "exists and is not a release made by scwres (it has no manifest.json)",
            ));
        }
    };
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        for e in std::fs::read_dir(target.join(&rel))? {
            let e = e?;
            let r = rel.join(e.file_name());
            if e.file_type()?.is_dir() {
                stack.push(r);
                continue;
            }
            let name = r.to_string_lossy().replace('\\', "/");
            if name != "manifest.json" && !listed.contains(&name) {
                return Err(not_ours(&format!(
                    "holds {name}, which is not part of the earlier release (its manifest does not list it)"
                )));
            }
        }
    }
    Ok(())
}

/// Removes a folder and everything in it (a run's output inside a scratch
/// folder made by [`scratch_dir`]). A missing folder is not an error.
pub fn remove_tree(dir: &Path) -> std::io::Result<()> {
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// The file stem of a council's local report: its code and a slug of its
/// name.
pub fn local_name(code: &str, name: &str) -> String {
    format!("{code}-{}", slug(name))
}

/// A file-name slug: lower case, ASCII letters and digits joined by `-`,
/// at most [`MAX_SLUG`] characters (file systems allow 255 bytes a name).
pub fn slug(name: &str) -> String {
    let s: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let mut s = s
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    s.truncate(MAX_SLUG);
    s.trim_end_matches('-').to_string()
}

/// The longest slug of a name in a file name.
pub const MAX_SLUG: usize = 60;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scratch_folder_is_never_one_of_the_users() {
        let base = tempfile::tempdir().unwrap();
        let user = base.path().join("user");
        std::fs::create_dir_all(&user).unwrap();
        std::fs::write(user.join("precious.txt"), "keep me").unwrap();
        let e = scratch_dir(&user, "scwres bench").unwrap_err().to_string();
        assert!(e.contains("not made by `scwres bench`"), "{e}");
        assert!(user.join("precious.txt").exists());

        let fresh = base.path().join("fresh");
        scratch_dir(&fresh, "scwres bench").unwrap();
        std::fs::write(fresh.join("old-output.csv"), "x").unwrap();
        // Made by the tool: emptied and reused.
        scratch_dir(&fresh, "scwres bench").unwrap();
        assert!(!fresh.join("old-output.csv").exists());
        // An empty folder of the user's is taken.
        let empty = base.path().join("empty");
        std::fs::create_dir_all(&empty).unwrap();
        scratch_dir(&empty, "scwres bench").unwrap();
    }

    /// A run that stops with an error leaves the earlier publication as it
    /// was and no staging folder; a finished one replaces it.
    #[test]
    fn a_run_that_fails_leaves_no_staging_folder() {
        let base = tempfile::tempdir().unwrap();
        let target = base.path().join("2024");
        let st = Staged::begin(&target).unwrap();
        std::fs::write(st.dir().join("a.txt"), "first").unwrap();
        st.finish().unwrap();
        let st = Staged::begin(&target).unwrap();
        std::fs::write(st.dir().join("a.txt"), "second, failed").unwrap();
        drop(st);
        let left: Vec<String> = std::fs::read_dir(base.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("staging"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
        assert_eq!(
            std::fs::read_to_string(target.join("a.txt")).unwrap(),
            "first"
        );
    }

    #[test]
    fn slugs_are_file_names() {
        assert_eq!(slug("St #1 [Met] & *Co*"), "st-1-met-co");
        assert_eq!(
            local_name("E1", "Kingston upon Hull, City of"),
            "E1-kingston-upon-hull-city-of"
        );
        let long = slug(&"Borough ".repeat(200));
        assert!(long.len() <= MAX_SLUG && !long.ends_with('-'), "{long}");
    }
}
