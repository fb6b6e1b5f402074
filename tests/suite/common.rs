//! Test helpers: run the binary, and read the text back out of a PDF.
#![allow(dead_code)]

use hayro_interpret::font::Glyph;
use hayro_interpret::hayro_cmap::BfString;
use hayro_interpret::{
    BlendMode, ClipPath, Context, Device, GlyphDrawMode, Image, InterpreterCache,
    InterpreterSettings, Paint, PathDrawMode, SoftMask, interpret_page,
};
use hayro_syntax::Pdf;
use kurbo::{Affine, BezPath, Rect};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The text drawn on every page of a PDF, chart labels included (typst
/// turns SVG text into PDF text). Glyphs only: word spaces are positioning,
/// so compare with `squash`.
pub fn pdf_text(path: &Path) -> String {
    pdf_glyphs(path)
        .into_iter()
        .map(|(_, glyphs)| glyphs.into_iter().map(|(t, _, _)| t).collect::<String>() + "\n")
        .collect()
}

/// Text without any whitespace, for containment checks.
pub fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Collects each glyph drawn, in content order: its Unicode text and where
/// it is (x, y, in points).
struct PlaceDevice(Vec<(String, f64, f64)>);

impl<'a> Device<'a> for PlaceDevice {
    fn set_soft_mask(&mut self, _: Option<SoftMask<'a>>) {}
    fn set_blend_mode(&mut self, _: BlendMode) {}
    fn draw_path(&mut self, _: &BezPath, _: Affine, _: &Paint<'a>, _: &PathDrawMode) {}
    fn push_clip_path(&mut self, _: &ClipPath) {}
    fn push_transparency_group(&mut self, _: f32, _: Option<SoftMask<'a>>, _: BlendMode) {}
    fn draw_glyph(
        &mut self,
        glyph: &Glyph<'a>,
        transform: Affine,
        glyph_transform: Affine,
        _: &Paint<'a>,
        _: &GlyphDrawMode,
    ) {
        let c = match glyph.as_unicode() {
            Some(BfString::Char(c)) => c.to_string(),
            Some(BfString::String(s)) => s.to_string(),
            None => '\u{FFFD}'.to_string(),
        };
        // The text matrix (where the glyph is) is in the glyph transform.
        let t = (transform * glyph_transform).translation();
        self.0.push((c, t.x, t.y));
    }
    fn draw_image(&mut self, _: Image<'a, '_>, _: Affine) {}
    fn pop_clip_path(&mut self) {}
    fn pop_transparency_group(&mut self) {}
}

/// Every page of a PDF: its width in points and each glyph drawn (text,
/// x, y).
pub fn pdf_glyphs(path: &Path) -> Vec<(f64, Vec<(String, f64, f64)>)> {
    let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let pdf = Pdf::new(data).unwrap_or_else(|e| panic!("{}: not a PDF: {e:?}", path.display()));
    let cache = InterpreterCache::new();
    let mut out = Vec::new();
    for page in pdf.pages().iter() {
        let (w, h) = page.render_dimensions();
        let mut dev = PlaceDevice(Vec::new());
        let mut ctx = Context::new(
            Affine::IDENTITY,
            Rect::new(0.0, 0.0, w as f64, h as f64),
            &cache,
            page.xref(),
            InterpreterSettings::default(),
        );
        interpret_page(page, &mut ctx, &mut dev);
        out.push((w as f64, dev.0));
    }
    out
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Runs `scwres report` on a data folder into a fresh output folder.
#[allow(dead_code)]
pub fn run_report(data: &Path) -> (tempfile::TempDir, std::process::Output) {
    let out = tempfile::tempdir().unwrap();
    let output = scwres()
        .args(["report", "--data"])
        .arg(data)
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    (out, output)
}

/// The demo data folder shipped in `data/`.
pub fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

/// A release read, never written, by the test: made once per test binary
/// for the demo data and the basic fixture (the two every module reads),
/// and fresh for any other folder.
pub enum Release {
    Shared(&'static Path),
    Own(tempfile::TempDir),
}

impl Release {
    pub fn path(&self) -> &Path {
        match self {
            Release::Shared(p) => p,
            Release::Own(t) => t.path(),
        }
    }
}

/// `scwres report` on `data` for a test that only reads the release: the
/// demo's and the basic fixture's are shared (made once, in the target
/// folder's scratch space, by whichever test asks first); other folders
/// get a run of their own, as [`run_report`].
pub fn read_report(data: &Path) -> (Release, std::process::Output) {
    read_report_of(data, None)
}

/// [`read_report`] for a given year (`None`: the newest): the demo's 2023
/// release is shared too.
pub fn read_report_of(data: &Path, year: Option<&str>) -> (Release, std::process::Output) {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    type Cell = &'static OnceLock<(PathBuf, std::process::Output)>;
    static CELLS: OnceLock<Mutex<HashMap<&'static str, Cell>>> = OnceLock::new();
    let key = match year {
        None if data == demo() => "demo",
        Some("2023") if data == demo() => "demo-2023",
        None if data == fixture("basic") => "basic",
        _ => {
            let (out, o) = report_of(data, year, None);
            return (Release::Own(out), o);
        }
    };
    let cell: Cell = *CELLS
        .get_or_init(Default::default)
        .lock()
        .unwrap()
        .entry(key)
        .or_insert_with(|| Box::leak(Box::default()));
    let (dir, o) = cell.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("shared-releases")
            .join(key);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut c = scwres();
        c.args(["report", "--data"])
            .arg(data)
            .arg("--out")
            .arg(&dir);
        if let Some(y) = year {
            c.args(["--year", y]);
        }
        (dir, c.output().unwrap())
    });
    (Release::Shared(dir), o.clone())
}

/// `scwres report --quiet` on a data folder into a fresh output folder,
/// for a given year and as a revision of an earlier release when given.
pub fn report_of(
    data: &Path,
    year: Option<&str>,
    previous: Option<&Path>,
) -> (tempfile::TempDir, std::process::Output) {
    let out = tempfile::tempdir().unwrap();
    let mut c = scwres();
    c.args(["report", "--quiet", "--data"])
        .arg(data)
        .arg("--out")
        .arg(out.path());
    if let Some(y) = year {
        c.args(["--year", y]);
    }
    if let Some(p) = previous {
        c.arg("--previous-release").arg(p);
    }
    let o = c.output().unwrap();
    (out, o)
}

#[path = "../shared/files.rs"]
mod files;
pub use files::files_under;

pub fn scwres() -> Command {
    Command::new(env!("CARGO_BIN_EXE_scwres"))
}

pub fn read_csv(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    rdr.records()
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

/// A copy of the basic fixture, with `extra` added to its `report.yaml`.
pub fn fixture_copy(extra: &str) -> tempfile::TempDir {
    let data = tempfile::tempdir().unwrap();
    copy_dir(&fixture("basic"), data.path());
    let config = data.path().join("report.yaml");
    let text = std::fs::read_to_string(&config).unwrap() + extra;
    std::fs::write(config, text).unwrap();
    data
}

/// A copy of the basic fixture showing the spread and funnels from `n`
/// councils with a figure (the fixture itself: from 3; the default: 10).
pub fn fixture_spread_from(n: usize) -> tempfile::TempDir {
    let data = tempfile::tempdir().unwrap();
    copy_dir(&fixture("basic"), data.path());
    let config = data.path().join("report.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replace(
            "min_spread_councils: 3",
            &format!("min_spread_councils: {n}"),
        ),
    )
    .unwrap();
    data
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let t = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &t);
        } else {
            std::fs::copy(&p, &t).unwrap();
        }
    }
}

/// A web page's text: tags dropped (each leaves a space), entities kept.
#[allow(dead_code)]
pub fn page_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// The boxes of an SVG's `<text>` elements as drawn: (left, top, right,
/// bottom, text), the width estimated at 0.6 of the font size a character
/// (Open Sans is narrower, so a box is never smaller than the text), the
/// height one font size, placed by `text-anchor` and `dy`.
#[allow(dead_code)]
pub fn text_boxes(svg: &str) -> Vec<(f64, f64, f64, f64, String)> {
    let attr = |tag: &str, name: &str| -> Option<String> {
        let key = format!(" {name}=\"");
        let i = tag.find(&key)? + key.len();
        Some(tag[i..i + tag[i..].find('"')?].to_string())
    };
    let mut out = Vec::new();
    for part in svg.split("<text").skip(1) {
        let Some(close) = part.find('>') else {
            continue;
        };
        let tag = &part[..close];
        let raw = &part[close + 1..part.find("</text>").unwrap_or(close + 1)];
        let text = raw
            .trim()
            .replace("&apos;", "'")
            .replace("&#x27;", "'")
            .replace("&amp;", "&")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"");
        let size: f64 = attr(tag, "font-size")
            .and_then(|s| s.parse().ok())
            .unwrap_or(12.0);
        let (Some(x), Some(y)) = (
            attr(tag, "x").and_then(|s| s.parse::<f64>().ok()),
            attr(tag, "y").and_then(|s| s.parse::<f64>().ok()),
        ) else {
            continue;
        };
        let dy = attr(tag, "dy").map_or(0.0, |d| {
            d.strip_suffix("em")
                .and_then(|e| e.parse::<f64>().ok())
                .map_or_else(|| d.parse().unwrap_or(0.0), |e| e * size)
        });
        let w = 0.6 * size * text.chars().count() as f64;
        let left = match attr(tag, "text-anchor").as_deref() {
            Some("middle") => x - w / 2.0,
            Some("end") => x - w,
            _ => x,
        };
        // The baseline at y + dy; a glyph box from 0.75 em above it to
        // 0.25 em below.
        let base = y + dy;
        out.push((
            left,
            base - 0.75 * size,
            left + w,
            base + 0.25 * size,
            text.to_string(),
        ));
    }
    out
}

/// Whether two boxes of [`text_boxes`] overlap.
#[allow(dead_code)]
pub fn overlaps(a: &(f64, f64, f64, f64, String), b: &(f64, f64, f64, f64, String)) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}
