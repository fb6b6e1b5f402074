//! What each module of the library names, read from its code's structure
//! rather than its text: `use` trees (groups, `self`, `as`, globs, nested
//! groups), paths written in the code (`crate::a::b`, `super::x`, and a
//! name brought in by a `use`, such as `collect::OwnFigures` after
//! `use crate::run::collect`), and re-exports followed to where the item is
//! defined (`pub use crate::view::own::OwnFigures` in `run::collect` makes
//! `run::collect::OwnFigures` name `view` too). Comments, strings and
//! character literals are skipped by a small lexer, so words in them count
//! for nothing.

use std::collections::{BTreeMap, BTreeSet};

/// A token of Rust that matters to paths.
#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    /// `::`
    Sep,
    /// Any other punctuation, one character.
    Punct(char),
}

/// The tokens of `code`, without comments, strings and character literals.
fn lex(code: &str) -> Vec<Tok> {
    let c: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        if ch == '/' && c.get(i + 1) == Some(&'/') {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && c.get(i + 1) == Some(&'*') {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if ch == '"' {
            i += 1;
            while i < c.len() && c[i] != '"' {
                i += if c[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
        } else if (ch == 'r' || ch == 'b')
            && !c[..i]
                .last()
                .is_some_and(|p| p.is_alphanumeric() || *p == '_')
            && raw_string(&c, i).is_some()
        {
            i = raw_string(&c, i).unwrap();
        } else if ch == '\'' {
            // A character literal ('x', '\n', '\u{..}') or a lifetime ('a).
            if c.get(i + 1) == Some(&'\\') {
                i += 3;
                while i < c.len() && c[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if c.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
                while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                    i += 1;
                }
            }
        } else if ch.is_alphabetic() || ch == '_' {
            let s = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            let word: String = c[s..i].iter().collect();
            out.push(Tok::Ident(word));
        } else if ch == ':' && c.get(i + 1) == Some(&':') {
            out.push(Tok::Sep);
            i += 2;
        } else {
            if !ch.is_whitespace() {
                out.push(Tok::Punct(ch));
            }
            i += 1;
        }
    }
    out
}

/// The end of a raw or byte string starting at `i` (`r"…"`, `r#"…"#`,
/// `b"…"`, `br#"…"#`), if one starts there.
fn raw_string(c: &[char], mut i: usize) -> Option<usize> {
    if c[i] == 'b' {
        i += 1;
        if c.get(i) == Some(&'"') {
            i += 1;
            while i < c.len() && c[i] != '"' {
                i += if c[i] == '\\' { 2 } else { 1 };
            }
            return Some(i + 1);
        }
        if c.get(i) == Some(&'\'') {
            // b'x' or b'\n'
            i += 1;
            while i < c.len() && c[i] != '\'' {
                i += if c[i] == '\\' { 2 } else { 1 };
            }
            return Some(i + 1);
        }
    }
    if c.get(i) != Some(&'r') {
        return None;
    }
    i += 1;
    let mut hashes = 0;
    while c.get(i) == Some(&'#') {
        hashes += 1;
        i += 1;
    }
    if c.get(i) != Some(&'"') {
        return None;
    }
    i += 1;
    loop {
        if i >= c.len() {
            return Some(i);
        }
        if c[i] == '"' && (0..hashes).all(|k| c.get(i + 1 + k) == Some(&'#')) {
            return Some(i + 1 + hashes);
        }
        i += 1;
    }
}

/// One `use` of a module, flattened: the path as written (segments) and
/// the name it brings in (`None` for a glob).
#[derive(Debug)]
struct Use {
    public: bool,
    path: Vec<String>,
    name: Option<String>,
}

/// The flattened paths of a use tree starting at `t[i]`, with `prefix`;
/// returns the index after the tree.
fn tree(t: &[Tok], mut i: usize, prefix: &[String], public: bool, out: &mut Vec<Use>) -> usize {
    let mut path = prefix.to_vec();
    loop {
        match t.get(i) {
            Some(Tok::Sep) => i += 1,
            Some(Tok::Punct('{')) => {
                i += 1;
                loop {
                    match t.get(i) {
                        Some(Tok::Punct('}')) => return i + 1,
                        Some(Tok::Punct(',')) => i += 1,
                        None => return i,
                        _ => i = tree(t, i, &path, public, out),
                    }
                }
            }
            Some(Tok::Punct('*')) => {
                out.push(Use {
                    public,
                    path,
                    name: None,
                });
                return i + 1;
            }
            Some(Tok::Ident(w)) => {
                path.push(w.clone());
                i += 1;
                if t.get(i) == Some(&Tok::Sep) {
                    continue;
                }
                let mut name = w.clone();
                if t.get(i) == Some(&Tok::Ident("as".into()))
                    && let Some(Tok::Ident(a)) = t.get(i + 1)
                {
                    name = a.clone();
                    i += 2;
                }
                if path.last().is_some_and(|s| s == "self") {
                    path.pop();
                    if name == "self" {
                        name = path.last().cloned().unwrap_or_default();
                    }
                }
                out.push(Use {
                    public,
                    path,
                    name: Some(name),
                });
                return i;
            }
            _ => return i,
        }
    }
}

/// A module's uses and the other paths its code writes (each with at
/// least two segments, or one after `crate`, `super` or `self`).
fn read(code: &str) -> (Vec<Use>, Vec<Vec<String>>) {
    let t = lex(code);
    let mut uses = Vec::new();
    let mut paths = Vec::new();
    let mut i = 0;
    while i < t.len() {
        if t[i] == Tok::Ident("use".into()) {
            // `pub use`, `pub(crate) use`, `pub(super) use`.
            let public = match i.checked_sub(1).map(|k| &t[k]) {
                Some(Tok::Ident(w)) if w == "pub" => true,
                Some(Tok::Punct(')')) => i >= 4 && t[i - 4] == Tok::Ident("pub".into()),
                _ => false,
            };
            i = tree(&t, i + 1, &[], public, &mut uses);
            continue;
        }
        if let Tok::Ident(w) = &t[i] {
            // Not the middle of a path, nor a method (`.collect::<…>`).
            let inside = i > 0 && matches!(t[i - 1], Tok::Sep | Tok::Punct('.'));
            if !inside && t.get(i + 1) == Some(&Tok::Sep) {
                let mut p = vec![w.clone()];
                let mut k = i + 1;
                while t.get(k) == Some(&Tok::Sep) {
                    match t.get(k + 1) {
                        Some(Tok::Ident(n)) => {
                            p.push(n.clone());
                            k += 2;
                        }
                        _ => break,
                    }
                }
                if p.len() > 1 {
                    paths.push(p);
                }
                i = k;
                continue;
            }
        }
        i += 1;
    }
    (uses, paths)
}

/// The library's modules and what they bring in, for resolving paths.
pub struct Crate {
    /// Module path (`run/collect`, a `mod.rs` as its folder) → code.
    modules: BTreeMap<String, (Vec<Use>, Vec<Vec<String>>)>,
}

impl Crate {
    /// From (file's module name such as `view/local` or `serve/mod`, code).
    pub fn new(files: &[(String, String)]) -> Crate {
        let modules = files
            .iter()
            .map(|(name, code)| (module_of(name), read(code)))
            .collect();
        Crate { modules }
    }

    /// A path written in module `m` made absolute (segments from the
    /// crate's root, `crate` dropped), or `None` for another crate's.
    fn absolute(&self, m: &str, path: &[String]) -> Option<Vec<String>> {
        let here: Vec<String> = if m.is_empty() {
            Vec::new()
        } else {
            m.split('/').map(String::from).collect()
        };
        let first = path.first()?;
        match first.as_str() {
            "crate" => Some(path[1..].to_vec()),
            "self" => Some([here, path[1..].to_vec()].concat()),
            "super" => {
                let mut base = here;
                let mut rest = path;
                while rest.first().is_some_and(|s| s == "super") {
                    base.pop();
                    rest = &rest[1..];
                }
                Some([base, rest.to_vec()].concat())
            }
            _ => {
                // A child module of this one, or a name a `use` brought in.
                let child = [here.clone(), vec![first.clone()]].concat();
                if self.modules.contains_key(&child.join("/")) {
                    return Some([here, path.to_vec()].concat());
                }
                let (uses, _) = self.modules.get(m)?;
                let u = uses
                    .iter()
                    .find(|u| u.name.as_deref() == Some(first.as_str()))?;
                if u.path.first().is_some_and(|s| s == first) && u.path.len() == 1 {
                    return None;
                }
                let base = self.absolute(m, &u.path)?;
                Some([base, path[1..].to_vec()].concat())
            }
        }
    }

    /// Where an absolute path leads, following re-exports: every module it
    /// passes through, the re-exports' targets included.
    fn through(&self, path: &[String], seen: &mut BTreeSet<String>, out: &mut BTreeSet<String>) {
        if !seen.insert(path.join("::")) {
            return;
        }
        // The longest prefix that is a module; the rest is an item in it.
        let mut k = path.len();
        while k > 0 && !self.modules.contains_key(&path[..k].join("/")) {
            k -= 1;
        }
        if let Some(first) = path.first() {
            out.insert(first.clone());
        }
        for j in 1..=k {
            out.insert(path[..j].join("/"));
        }
        if k == path.len() {
            return;
        }
        let m = path[..k].join("/");
        let item = &path[k];
        let (uses, _) = &self.modules[&m];
        for u in uses.iter().filter(|u| u.public) {
            let target = match &u.name {
                Some(n) if n == item => self.absolute(&m, &u.path),
                // A glob re-exports every name of its module.
                None => self
                    .absolute(&m, &u.path)
                    .map(|p| [p, vec![item.clone()]].concat()),
                _ => continue,
            };
            if let Some(t) = target {
                self.through(&[t, path[k + 1..].to_vec()].concat(), seen, out);
            }
        }
    }

    /// The top-level modules (stages) module `name` reaches, by its uses
    /// and written paths, through every re-export.
    pub fn stages(&self, name: &str) -> BTreeSet<String> {
        let m = module_of(name);
        let mut mods = BTreeSet::new();
        let Some((uses, paths)) = self.modules.get(&m) else {
            return mods;
        };
        let mut seen = BTreeSet::new();
        for p in uses.iter().map(|u| &u.path).chain(paths.iter()) {
            if let Some(abs) = self.absolute(&m, p) {
                self.through(&abs, &mut seen, &mut mods);
            }
        }
        mods.into_iter()
            .map(|p| p.split('/').next().unwrap().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    }
}

/// A file's module: `serve/mod` is `serve`, `lib` is the root (`main`,
/// the binary's root, is a module of its own here).
fn module_of(name: &str) -> String {
    match name {
        "lib" => String::new(),
        _ => name.strip_suffix("/mod").unwrap_or(name).to_string(),
    }
}

#[test]
fn the_lexer_skips_comments_strings_and_literals() {
    let t = lex(
        "a::b // crate::x\n/* crate::y /* nested */ crate::z */ \"crate::w\" r#\"crate::v\"# 'c' '\\'' b'x' &'a str",
    );
    let idents: Vec<&str> = t
        .iter()
        .filter_map(|t| match t {
            Tok::Ident(w) => Some(w.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(idents, ["a", "b", "str"]);
}

#[test]
fn groups_aliases_relative_paths_and_re_exports_are_followed() {
    let files = [
        (
            "lib",
            "pub mod view; pub mod run; pub mod serve; pub mod stats;",
        ),
        ("view/mod", "pub mod own;"),
        ("view/own", "pub struct OwnFigures; pub fn figures() {}"),
        ("stats", "mod within; pub use within::terms;"),
        ("stats/within", "pub fn terms() {}"),
        (
            "run/mod",
            "pub mod collect; pub use collect::*; pub(crate) use crate::stats::terms as t;",
        ),
        (
            "run/collect",
            "pub use crate::view::own::OwnFigures;\nuse crate::{view::{self, own::figures}, stats as s};\npub fn check() {}",
        ),
        // Names run::collect's own function, then a re-exported type.
        (
            "serve/a",
            "use crate::run::collect::{self};\nfn f() { collect::check(); }",
        ),
        (
            "serve/b",
            "use crate::run::{self as r};\nfn f(x: r::collect::OwnFigures) {}",
        ),
        // Through run's glob and then collect's re-export.
        ("serve/c", "fn f(x: super::super::run::OwnFigures) {}"),
        (
            "serve/d",
            "fn f() { crate::run::t(); let s = \"crate::view\"; }",
        ),
        ("serve/mod", "mod a; mod b; mod c; mod d;"),
    ];
    let files: Vec<(String, String)> = files
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    let c = Crate::new(&files);
    let got = |m: &str| c.stages(m).into_iter().collect::<Vec<_>>();
    assert_eq!(got("run/collect"), ["stats", "view"]);
    assert_eq!(got("serve/a"), ["run"]);
    assert_eq!(got("serve/b"), ["run", "view"]);
    assert_eq!(got("serve/c"), ["run", "view"]);
    assert_eq!(got("serve/d"), ["run", "stats"]);
    assert_eq!(got("run/mod"), ["run", "stats"]);
}
