//! Where a run's inputs come from: the one door through which the pipeline
//! reads bytes (typst's `World`). A run names its inputs by their path in
//! the data folder (`report.yaml`, `returns/2024/x.csv`, always with `/`)
//! and asks a [`Source`] for them: a folder on disk ([`Folder`], the
//! command line) or named bytes in memory ([`Memory`], the service and the
//! tests). Both give the same names, so the same inputs make the same
//! release, byte for byte, from either.

use super::guard::{self, Kind, Refusal};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A tree of named input files.
pub trait Source: Sync {
    /// How messages name `rel`: the path as its user knows it.
    fn shown(&self, rel: &str) -> String;
    /// What is at `rel`, or `None` when nothing is (not even a link).
    fn kind(&self, rel: &str) -> std::io::Result<Option<Kind>>;
    /// The bytes of the regular file at `rel`, refused past `max` bytes.
    fn read(&self, rel: &str, max: u64) -> Result<Vec<u8>, Refusal>;
    /// The entries of the folder at `rel`, by name, sorted.
    fn entries(&self, rel: &str) -> std::io::Result<Vec<(String, Kind)>>;
}

/// `rel` below `dir` (`""` is the root).
pub fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// A data folder on disk. Links, devices and pipes are never read
/// (`guard`); a name that is not Unicode text is an entry never read.
pub struct Folder {
    root: PathBuf,
}

impl Folder {
    pub fn new(root: &Path) -> Folder {
        Folder {
            root: root.to_path_buf(),
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        if rel.is_empty() {
            self.root.clone()
        } else {
            self.root.join(rel)
        }
    }
}

impl Source for Folder {
    fn shown(&self, rel: &str) -> String {
        self.path(rel).display().to_string()
    }

    fn kind(&self, rel: &str) -> std::io::Result<Option<Kind>> {
        match guard::kind(&self.path(rel)) {
            Ok(k) => Ok(Some(k)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn read(&self, rel: &str, max: u64) -> Result<Vec<u8>, Refusal> {
        guard::read_file(&self.path(rel), max)
    }

    fn entries(&self, rel: &str) -> std::io::Result<Vec<(String, Kind)>> {
        let dir = self.path(rel);
        let read = std::fs::read_dir(&dir)
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", dir.display())))?;
        let mut out = Vec::new();
        for e in read.filter_map(|e| e.ok()) {
            let name = e.file_name();
            let kind = match name.to_str() {
                None => Kind::Other("a file whose name is not Unicode text"),
                Some(_) => match guard::kind(&e.path()) {
                    Ok(k) => k,
                    Err(_) => Kind::Other("an entry that cannot be read"),
                },
            };
            out.push((name.to_string_lossy().into_owned(), kind));
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }
}

/// Named files in memory: every folder is implied by the files under it.
#[derive(Clone, Debug, Default)]
pub struct Memory {
    files: BTreeMap<String, Vec<u8>>,
}

impl Memory {
    pub fn new() -> Memory {
        Memory::default()
    }

    /// Adds (or replaces) the file `rel` (`returns/2024/x.csv`).
    pub fn insert(&mut self, rel: &str, bytes: Vec<u8>) {
        self.files.insert(rel.trim_matches('/').to_string(), bytes);
    }

    /// Every file, by name, in order.
    pub fn files(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// Every file of the folder `root` on disk, read through the guard
    /// (links and devices left out), named from `root`.
    pub fn of_folder(root: &Path) -> anyhow::Result<Memory> {
        let mut m = Memory::new();
        let folder = Folder::new(root);
        let mut todo = vec![String::new()];
        while let Some(dir) = todo.pop() {
            for (name, kind) in folder.entries(&dir)? {
                let rel = join(&dir, &name);
                match kind {
                    Kind::Dir => todo.push(rel),
                    Kind::File => {
                        let bytes = folder
                            .read(&rel, u64::MAX >> 1)
                            .map_err(|r| anyhow::anyhow!("{}: {}", folder.shown(&rel), r.rule))?;
                        m.insert(&rel, bytes);
                    }
                    Kind::Other(_) => {}
                }
            }
        }
        Ok(m)
    }

    fn under<'a>(&'a self, dir: &'a str) -> impl Iterator<Item = (&'a str, &'a [u8])> + 'a {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let n = prefix.len();
        self.files
            .range(prefix.clone()..)
            .take_while(move |(k, _)| k.starts_with(&prefix))
            .map(move |(k, v)| (&k[n..], v.as_slice()))
    }
}

impl Source for Memory {
    fn shown(&self, rel: &str) -> String {
        rel.to_string()
    }

    fn kind(&self, rel: &str) -> std::io::Result<Option<Kind>> {
        Ok(if self.files.contains_key(rel) {
            Some(Kind::File)
        } else if self.under(rel).next().is_some() {
            Some(Kind::Dir)
        } else {
            None
        })
    }

    fn read(&self, rel: &str, max: u64) -> Result<Vec<u8>, Refusal> {
        match self.files.get(rel) {
            Some(b) if b.len() as u64 > max => Err(guard::too_large(max)),
            Some(b) => Ok(b.clone()),
            None => Err(guard::missing()),
        }
    }

    fn entries(&self, rel: &str) -> std::io::Result<Vec<(String, Kind)>> {
        if rel.is_empty() || self.kind(rel)?.is_some_and(|k| matches!(k, Kind::Dir)) {
            let mut out: Vec<(String, Kind)> = Vec::new();
            for (tail, _) in self.under(rel) {
                let (name, kind) = match tail.split_once('/') {
                    Some((dir, _)) => (dir, Kind::Dir),
                    None => (tail, Kind::File),
                };
                if out.last().is_none_or(|(n, _)| n != name) {
                    out.push((name.to_string(), kind));
                }
            }
            Ok(out)
        } else {
            Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("{rel}: no such folder"),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_lists_files_and_implied_folders() {
        let mut m = Memory::new();
        m.insert("report.yaml", b"a".to_vec());
        m.insert("returns/2024/b.csv", b"bb".to_vec());
        m.insert("returns/2024/a.csv", b"a".to_vec());
        m.insert("returns/2023/c.csv", b"c".to_vec());
        m.insert("returns2/x", b"x".to_vec());
        let names = |dir: &str| -> Vec<String> {
            m.entries(dir)
                .unwrap()
                .into_iter()
                .map(|(n, _)| n)
                .collect()
        };
        assert_eq!(names("returns"), ["2023", "2024"]);
        assert_eq!(names("returns/2024"), ["a.csv", "b.csv"]);
        assert_eq!(names(""), ["report.yaml", "returns", "returns2"]);
        assert!(matches!(m.kind("returns").unwrap(), Some(Kind::Dir)));
        assert!(m.kind("return").unwrap().is_none());
        assert!(m.entries("actions").is_err());
        assert!(m.read("returns/2024/b.csv", 1).is_err());
        assert_eq!(m.read("returns/2024/b.csv", 2).unwrap(), b"bb");
    }
}
